"""The history page in words people use: each audit event's action, what it was about and the
values before and after, with the framework's labels in place of stored ids and codes.

The audit trail itself keeps the raw values (they are what is sealed and verified); this is
only how they are shown. Anything without a label here is shown tidied, never hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trustworthy.appraisals.evaluation import BENEFIT_RESULTS, RISK_RESULTS, UNFORESEEN_KINDS
from trustworthy.appraisals.models import Appraisal, RegisterRow, Status
from trustworthy.appraisals.policy import TRANSITIONS
from trustworthy.core.models import AuditEvent
from trustworthy.framework.model import Framework

ACTIONS = {
    "appraisal.started": "Appraisal started",
    "version.started": "New version started",
    "answer.saved": "Answer saved",
    "principles.saved": "Principle rated",
    "participation.saved": "Who took part: saved",
    "criteria.rated": "Criteria of trustworthy innovation rated",
    "row.added": "Row added",
    "row.changed": "Row changed",
    "row.removed": "Row removed",
    "decision.recorded": "Decision recorded",
    "status.changed": "Status changed",
    "review.recorded": "Review recorded",
    "comment.added": "Comment added",
    "comment.resolved": "Comment resolved",
    "summary.saved": "Family summary saved",
    "record.published": "Published on the register",
    "record.republished": "Published version replaced",
    "record.withdrawn": "Taken off the register",
    "publication.exclusions": "What the public version leaves out: changed",
    "outcome.saved": "What happened: saved",
    "unforeseen.added": "Something nobody expected: added",
    "unforeseen.changed": "Something nobody expected: changed",
    "unforeseen.removed": "Something nobody expected: removed",
    "lessons.saved": "Lessons for others saved",
    "consultation.opened": "Consultation opened",
    "consultation.closed": "Consultation closed",
    "consultation.new-link": "New consultation link made",
    "response.received": "View received through the link",
    "response.entered": "View gathered offline entered",
    "response.linked": "View linked to a theme",
    "theme.added": "Theme added",
    "theme.changed": "Theme changed",
    "project.changed": "Project details changed",
    "action.added": "Action added",
    "action.changed": "Action changed",
    "action.progressed": "Action updated",
    "interest.declared": "Interests declared",
    "interest.other-approver-required": "A different approver required",
}

FIELDS = {
    "answer": "Answer",
    "value": "Answer",
    "ratings": "Ratings",
    "rationale": "Reasoning",
    "evidence": "Evidence",
    "status": "Status",
    "stage": "Stage",
    "framework": "Framework edition",
    "carried_forward_from": "Carried forward from appraisal",
    "mode": "How they took part",
    "reason": "Reason",
    "summary": "What they said",
    "decision": "Decision",
    "reasoning": "Reasons for the decision",
    "departure_reason": "Why it departs from the framework",
    "is_departure": "Departs from the framework",
    "accountable_person": "Accountable person",
    "decided_on": "Decided on",
    "review_date": "Review date",
    "result": "What happened",
    "handling": "How it was handled",
    "description": "Description",
    "kind": "Kind",
    "text": "Text",
    "parameters": "Parameters of success",
    "principles": "Principles",
    "tests": "Overarching tests",
    "what": "What needs to be done",
    "owner": "Owner",
    "due_on": "Due by",
    "dropped_reason": "Why it was dropped",
    "actions_carried_forward": "Open actions carried forward",
    "stage_order": "Started before the earlier stage was signed",
    "stage_reason": "Why it was started now",
}

_SLUG = re.compile(r"[a-z]+(?:[-_][a-z]+)*")
_LONG = 300  # characters of a value shown before it is cut (the audit trail keeps it whole)


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    what: str
    about: str
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]


def _tidy(value: str) -> str:
    """'at-risk' -> 'At risk'; other text as it is, cut if very long."""
    if _SLUG.fullmatch(value):
        return value.replace("-", " ").replace("_", " ").capitalize()
    return value if len(value) <= _LONG else value[: _LONG - 1].rstrip() + "…"


class _Labels:
    """Labels from the appraisal's own edition of the framework, and the product's own."""

    def __init__(self, framework: Framework, rows: dict[str, str]) -> None:
        self.framework = framework
        self.rows = rows  # register rows' descriptions, by id (for events that do not carry one)
        self.questions = {q.id: q for section in framework.sections for q in section.questions}
        self.principles = {p.id: p.name for p in framework.principles}
        self.criteria = {c.id for c in framework.rateable_criteria()} | {c.id for c in framework.criteria}
        self.stakeholders = {s.id: s.label for s in framework.stakeholders}
        self.registers = {r.id: r for r in framework.registers}
        self.aspects = {a.id: a.label for a in framework.aspects}
        self.statuses = {str(value): str(label) for value, label in Status.choices}
        self.verdicts = {
            "acceptable": "Acceptable",
            "needs-work": "Needs work",
            "not-acceptable": "Not acceptable",
        }

    def _vocabulary(self, vocabulary: Any, value: str) -> str:
        return self.framework.label(vocabulary, value)

    def value(self, key: str, value: Any, context: str) -> str:
        """`value` of field `key`, in an event about `context` (a register id, 'unforeseen', ...)."""
        if value is None or value == "":
            return "(none)"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list | tuple):
            shown = [self.value(key, v, context) for v in value if v not in ("", None)]
            return "; ".join(shown) or "(none)"
        if isinstance(value, dict):
            return "; ".join(
                f"{self.field(k, context)}: {self.value(k, v, context)}" for k, v in value.items()
            )
        text = str(value)
        register = self.registers.get(context)
        if register is not None:
            for f in register.fields:
                if f.id == key and f.choices:
                    return f.choice_label(text)
        if key in ("value", "answer"):
            return self._vocabulary("answer_scale", text)
        if key in self.principles:
            return self._vocabulary("principle_ratings", text)
        if key in self.criteria:
            return self._vocabulary("criterion_ratings", text)
        if key == "mode":
            return self._vocabulary("participation_modes", text)
        if key == "decision":
            return self._vocabulary("decisions", text)
        if key == "stage":
            return self._vocabulary("stages", text)
        if key == "status":
            return self.statuses.get(text, _tidy(text))
        if key == "result":
            results = RISK_RESULTS if context == "risks" else BENEFIT_RESULTS
            return dict(results).get(text, _tidy(text))
        if key == "kind" and context == "unforeseen":
            return dict(UNFORESEEN_KINDS).get(text, _tidy(text))
        if key in ("parameters", "principles", "tests"):
            return self.verdicts.get(text, _tidy(text))
        return _tidy(text)

    def field(self, key: str, context: str) -> str:
        register = self.registers.get(context)
        if register is not None:
            for f in register.fields:
                if f.id == key:
                    return f.label
        if key in self.questions:
            return self.question(key)
        if key in self.principles:
            return self.principles[key]
        if key in self.criteria:
            return f"Criterion {key}"
        return FIELDS.get(key) or _tidy(key)

    def question(self, question_id: str) -> str:
        question = self.questions.get(question_id)
        return f"{question_id}: {question.label}" if question else question_id

    def pairs(self, values: Any, context: str) -> list[tuple[str, str]]:
        if values is None:
            return []
        if not isinstance(values, dict):
            return [("", self.value("text", values, context))]
        shown = []
        for key, value in values.items():
            if isinstance(value, dict) and value:  # an answer or ratings inside: one line each
                shown += self.pairs(value, context)
            else:
                shown.append((self.field(key, context), self.value(key, value, context)))
        return shown

    def about(self, event: AuditEvent) -> str:
        """What the event was about, from its target ('P3', 'benefits:12', 'E1:process')."""
        target = event.target or ""
        head, _, tail = target.partition(":")
        if event.action == "status.changed" and target in TRANSITIONS:
            return TRANSITIONS[target].label
        if event.action in ("appraisal.started", "version.started"):
            return self._vocabulary("stages", target) if target else ""
        if head in self.questions:
            aspect = self.aspects.get(tail)
            return f"{self.question(head)} ({aspect.lower()})" if aspect else self.question(head)
        if head in self.stakeholders:
            return self.stakeholders[head]
        if head in self.registers:
            described = _described(event) or self.rows.get(tail, "")
            name = self.registers[head].name
            return f"{name}: {described}" if described else name
        if head in ("unforeseen", "action"):
            return _described(event)
        if target.startswith("round "):
            return f"Review round {target.removeprefix('round ')}"
        return "" if _SLUG.fullmatch(head) and tail.isdigit() else _tidy(target)


def _described(event: AuditEvent) -> str:
    """A register row or item named by its own description (an action by what it is), as it
    read then."""
    for values in (event.after, event.before):
        for key in ("description", "what"):
            if isinstance(values, dict) and isinstance(values.get(key), str):
                return _cut(values[key])
    return ""


def _cut(text: str) -> str:
    return text if len(text) <= 80 else text[:79].rstrip() + "…"


def entries(appraisal: Appraisal, events: list[AuditEvent], framework: Framework) -> list[Entry]:
    row_ids = {
        tail
        for e in events
        for head, _, tail in [(e.target or "").partition(":")]
        if tail.isdigit() and head in {r.id for r in framework.registers}
    }
    rows = {
        str(pk): _cut(str(data.get("description", "")))
        for pk, data in RegisterRow.objects.filter(
            appraisal__project=appraisal.project_id, pk__in=row_ids
        ).values_list("pk", "data")
    }
    labels = _Labels(framework, rows)
    return [
        Entry(
            event=e,
            what=ACTIONS.get(e.action) or _tidy(e.action.replace(".", " ")),
            about=labels.about(e),
            before=labels.pairs(e.before, _context(e)),
            after=labels.pairs(e.after, _context(e)),
        )
        for e in events
    ]


def _context(event: AuditEvent) -> str:
    return (event.target or "").partition(":")[0]
