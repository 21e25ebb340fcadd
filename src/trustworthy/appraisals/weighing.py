"""What a decision must weigh, and what reviewers asked to change: worked out from what an
appraisal records, for the decision page and the task list.

The decision page puts the concerns in front of whoever decides: the open risks (the highest
first, with their scores and owners), the principles put at risk (by cluster), the groups
that were not involved or only told, the review comments nobody has resolved, and the route.

After a reviewer asks for changes, the task list shows the request (its reason and the
reviewers' verdicts on each section) and marks each question it is about as "Changes
requested" until that question is changed. The review facts are kept by the reviews app,
which sits above this one and hands them over through `extensions` in the shapes below.

Pure functions of the appraisal's content (an `AppraisalData`) and those facts.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trustworthy.framework import HIGH_RISK_SCORE, Framework, Question, risk_register, risk_score

from .models import Participation, PrincipleRating, ReadinessAssessment, ReadinessStatus, RegisterRow

# Ids the framework gives a principle rating and ways of taking part, which these rules name.
AT_RISK = "at-risk"
NOT_INVOLVED = "not-involved"
INFORMED = "informed"


# --- what the decision must weigh ------------------------------------------------------------


@dataclass(frozen=True)
class OpenRisk:
    row_id: int
    description: str
    score: int | None
    owner: str
    mitigation: str

    @property
    def high(self) -> bool:
        return self.score is not None and self.score >= HIGH_RISK_SCORE


@dataclass(frozen=True)
class PrincipleAtRisk:
    principle_id: str
    name: str
    aspect: str  # the process, or the innovation itself
    note: str


@dataclass(frozen=True)
class ClusterAtRisk:
    """One cluster of principles (human rights, social justice, professional integrity)."""

    id: str
    name: str
    principles: tuple[PrincipleAtRisk, ...]


@dataclass(frozen=True)
class GroupLeftOut:
    """A group that was not involved, only told, or of whom nothing is recorded."""

    stakeholder: str
    label: str
    how: str  # "Not involved", "Informed only" or "Not recorded"
    reason: str


def open_risks(framework: Framework, rows: Mapping[str, Sequence[RegisterRow]]) -> list[OpenRisk]:
    """The risks still open, highest score first (those without a score last)."""
    found = [
        OpenRisk(
            row_id=row.pk,
            description=str(row.data.get("description", "")),
            score=risk_score(row.data),
            owner=str(row.data.get("owner", "")),
            mitigation=str(row.data.get("mitigation", "")),
        )
        for row in rows.get(risk_register(framework), [])
        if row.data.get("status") == "open"
    ]
    return sorted(found, key=lambda risk: -(risk.score if risk.score is not None else -1))


def principles_at_risk(
    framework: Framework, ratings: Mapping[tuple[str, str], PrincipleRating]
) -> list[ClusterAtRisk]:
    """Every cluster of principles, each with the principles rated as put at risk (in the
    framework's order, for the process and for the innovation), perhaps none."""
    aspects = {a.id: a.label for a in framework.aspects}
    clusters = []
    for cluster in framework.principle_clusters:
        at_risk = []
        for principle in framework.principles_in(cluster.id):
            for aspect_id, aspect_label in aspects.items():
                rating = ratings.get((aspect_id, principle.id))
                if rating is not None and rating.rating == AT_RISK:
                    at_risk.append(PrincipleAtRisk(principle.id, principle.name, aspect_label, rating.note))
        clusters.append(ClusterAtRisk(cluster.id, cluster.name, tuple(at_risk)))
    return clusters


def groups_left_out(framework: Framework, participation: Mapping[str, Participation]) -> list[GroupLeftOut]:
    """The groups not involved (with the reason given), only informed, or not recorded."""
    modes = {m.id: m.label for m in framework.participation_modes}
    out = []
    for group in framework.stakeholders:
        record = participation.get(group.id)
        if record is None:
            out.append(GroupLeftOut(group.id, group.label, "Not recorded", ""))
        elif record.mode in (NOT_INVOLVED, INFORMED):
            out.append(
                GroupLeftOut(group.id, group.label, modes.get(record.mode, record.mode), record.reason)
            )
    return out


@dataclass(frozen=True)
class ReadinessGap:
    """A readiness dimension partly or not in place, or not assessed (status "")."""

    dimension: str
    label: str
    status: str
    status_label: str
    evidence: str


def readiness_gaps(
    framework: Framework, assessments: Mapping[str, ReadinessAssessment]
) -> list[ReadinessGap]:
    """The dimensions of readiness for innovation not in place, in the edition's order: those
    partly or not in place (with their evidence), and those nobody has assessed."""
    labels = dict(ReadinessStatus.choices)
    gaps = []
    for d in framework.readiness_dimensions:
        found = assessments.get(d.id)
        if found is None:
            gaps.append(ReadinessGap(d.id, d.label, "", "Not assessed", ""))
        elif found.status != ReadinessStatus.IN_PLACE:
            label = labels.get(found.status, found.status)
            gaps.append(ReadinessGap(d.id, d.label, found.status, label, found.evidence))
    return gaps


# --- what reviewers asked for ----------------------------------------------------------------


@dataclass(frozen=True)
class SectionVerdict:
    """One reviewer's verdict on one section in a review round."""

    section_id: str
    reviewer: str
    verdict: str
    label: str
    comment: str
    acceptable: bool


@dataclass(frozen=True)
class OpenComment:
    """A comment nobody has marked as resolved: on a question (its id), a register row
    ("row:<id>") or the decision ("decision")."""

    id: int
    target: str
    author: str
    text: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class ChangesRequest:
    """The latest request for changes: who, when, why, and the verdicts of its round."""

    by: str
    at: datetime.datetime
    reason: str
    round: int
    verdicts: tuple[SectionVerdict, ...]

    @property
    def not_acceptable(self) -> tuple[SectionVerdict, ...]:
        return tuple(v for v in self.verdicts if not v.acceptable)


_QUESTION_ID = re.compile(r"\b([A-Z][0-9]+[a-z]?)\b")


def named_questions(framework: Framework, text: str) -> list[str]:
    """The question ids a piece of writing names ("see P6 and T4"), in the order named."""
    found: list[str] = []
    for question_id in _QUESTION_ID.findall(text):
        if framework.has_question(question_id) and question_id not in found:
            found.append(question_id)
    return found


def comment_question(framework: Framework, target: str, row_registers: Mapping[int, str]) -> str | None:
    """The question a comment is about: its own target, or the question of the row it is on."""
    if target.startswith("row:"):
        register = row_registers.get(int(target.split(":", 1)[1])) if target[4:].isdigit() else None
        return framework.register(register).question if register else None
    question_id = target.split(":", 1)[0]
    return question_id if framework.has_question(question_id) else None


def asked_to_change(
    framework: Framework,
    request: ChangesRequest,
    comments: Iterable[OpenComment],
    row_registers: Mapping[int, str],
) -> dict[str, list[str]]:
    """Each question the request for changes is about, with why, in the framework's order.

    A question is about the request when the reason for it or a reviewer's comment on a
    section they did not find acceptable names it, or when a comment made on it (or on one
    of its rows) before the request is still not resolved. A section found not acceptable
    with none of its questions singled out that way asks for changes to all of them.
    """
    why: dict[str, list[str]] = {}

    def add(question_id: str, reason: str) -> None:
        reasons = why.setdefault(question_id, [])
        if reason not in reasons:
            reasons.append(reason)

    for question_id in named_questions(framework, request.reason):
        add(question_id, "Named in the request for changes")
    for verdict in request.not_acceptable:
        in_section = {q.id for q in framework.section(verdict.section_id).questions}
        for question_id in named_questions(framework, verdict.comment):
            if question_id in in_section:
                add(question_id, f"{verdict.reviewer}: {verdict.label.lower()}")
    for comment in comments:
        if comment.created_at <= request.at:
            about = comment_question(framework, comment.target, row_registers)
            if about is not None:
                add(about, f"Comment from {comment.author} not resolved")
    for verdict in request.not_acceptable:
        section = framework.section(verdict.section_id)
        if not any(q.id in why for q in section.questions):
            for question in section.questions:
                add(question.id, f"{verdict.reviewer}: section {section.number} {verdict.label.lower()}")
    order = [q.id for q in framework.questions()]
    return {q: why[q] for q in order if q in why}


def changed_questions(framework: Framework, targets: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The questions changed by these audit events, each (action, target): an answer or a
    principles rating ("P1", "E1:process"), a register row ("risks:12"), or who took part
    (a stakeholder's id)."""
    participation = next((q.id for q in framework.questions() if q.kind == "participation"), None)
    stakeholders = {s.id for s in framework.stakeholders}
    registers = {r.id: r.question for r in framework.registers}
    changed: set[str] = set()
    for action, target in targets:
        if action.startswith("row."):
            question = registers.get(target.split(":", 1)[0])
        elif action == "participation.saved" and target in stakeholders:
            question = participation
        else:
            question = target.split(":", 1)[0]
        if question is not None and framework.has_question(question):
            changed.add(question)
    return frozenset(changed)


# The audit actions that change what a question records (see `services`).
CONTENT_ACTIONS = (
    "answer.saved",
    "principles.saved",
    "row.added",
    "row.changed",
    "row.removed",
    "participation.saved",
)


def question_label(question: Question) -> str:
    return f"{question.id}. {question.label}"
