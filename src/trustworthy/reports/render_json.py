"""The decision record as JSON (format `decision-record-1`), and its JSON Schema."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .document import RECORD_FORMAT, SCHEMA_URL, DecisionRecord

# Fields that differ between two exports of the same record: ids and timestamps.
VOLATILE = (
    ("generated_at",),
    ("appraisal", "id"),
    ("appraisal", "created_at"),
    ("appraisal", "updated_at"),
    ("decision", "recorded_at"),
)


@cache
def schema_text() -> str:
    return files("trustworthy.reports").joinpath("schema", f"{RECORD_FORMAT}.json").read_text("utf-8")


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text()), format_checker=FormatChecker())


def schema_problems(document: Any) -> list[str]:
    """Every way `document` breaks the schema, each naming where ("answers[3].value: ...")."""
    problems = []
    for error in sorted(validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        problems.append(f"{where or 'the file'}: {error.message}")
    return problems


def to_dict(record: DecisionRecord) -> dict[str, Any]:
    p = record.project
    return {
        "$schema": SCHEMA_URL,
        "format": RECORD_FORMAT,
        "generated_at": record.generated_at,
        "public": record.public,
        "framework": {
            "id": record.framework_id,
            "version": record.framework_version,
            "title": record.framework_title,
        },
        "organisation": {"name": record.organisation},
        "project": {
            "title": p.title,
            "summary": p.summary,
            "problem": p.problem,
            "target_cohort": p.target_cohort,
            "funding_source": p.funding_source,
            "funding_amount": p.funding_amount,
            "accountable_person": p.accountable_person,
            "context": {c.id: c.text for c in p.context},
            "motivations": [
                {"id": m.id, "label": m.label, "explanation": m.explanation, "primary": m.primary}
                for m in p.motivations
            ],
        },
        "appraisal": {
            "id": None if record.public else record.appraisal_id,
            "stage": record.stage,
            "stage_name": record.stage_name,
            "version": record.version,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "review_date": record.review_date,
        },
        "answers": [
            {
                "question_id": a.question_id,
                "aspect": a.aspect,
                "question_label": q.label,
                "question_text": q.text,
                "value": a.value,
                "value_label": a.value_label,
                "rationale": a.rationale,
                "evidence": a.evidence,
            }
            for s in record.sections
            for q in s.questions
            for a in q.answers
        ],
        "registers": [
            {
                "id": r.id,
                "question_id": r.question_id,
                "name": r.name,
                "rows": [dict(row.data) for row in r.rows],
            }
            for r in record.registers
        ],
        "principles": [
            {
                "aspect": r.aspect,
                "principle_id": r.principle_id,
                "principle_name": r.principle_name,
                "cluster": r.cluster,
                "rating": r.rating,
                "rating_label": r.rating_label,
                "note": r.note,
            }
            for r in record.principles
        ],
        "participation": [
            {
                "stakeholder": x.stakeholder,
                "stakeholder_label": x.stakeholder_label,
                "mode": x.mode,
                "mode_label": x.mode_label,
                "reason": x.reason,
                "summary": x.summary,
            }
            for x in record.participation
        ],
        "route": {
            "complete": record.route.complete,
            "allowed": list(record.route.allowed),
            "not_applicable": list(record.route.not_applicable),
            "reasons": list(record.route.reasons),
        },
        "decision": None
        if record.decision is None
        else {
            "decision": record.decision.decision,
            "name": record.decision.name,
            "meaning": record.decision.meaning,
            "reasoning": record.decision.reasoning,
            "is_departure": record.decision.is_departure,
            "departure_reason": record.decision.departure_reason,
            "route_allowed": list(record.decision.route_allowed),
            "accountable_person": record.decision.accountable_person,
            "decided_on": record.decision.decided_on,
            "recorded_by": record.decision.recorded_by,
            "recorded_at": record.decision.recorded_at,
        },
        "sign_off": {
            "status": record.sign_off.status,
            "status_label": record.sign_off.status_label,
            "approved": record.sign_off.approved,
            "approved_by": record.sign_off.approved_by,
            "approved_at": record.sign_off.approved_at,
            "record_hash": record.sign_off.record_hash,
            "approved_audit_head": record.sign_off.approved_audit_head,
        },
        "profile": [
            {
                "criterion": c.criterion,
                "text": c.text,
                "rating": c.rating,
                "rating_label": c.rating_label,
                "note": c.note,
            }
            for c in record.profile
        ],
        "summary": None
        if record.summary is None
        else {"text": record.summary.text, "edited": record.summary.edited},
        "voices": None
        if record.voices is None
        else {
            "title": record.voices.title,
            "introduction": record.voices.introduction,
            "items": [
                {"heading": i.heading, "said": i.said, "response": i.response} for i in record.voices.items
            ],
            "counts": [
                {"group": c.group, "source": c.source, "count": c.count} for c in record.voices.counts
            ],
        },
    }


def render(record: DecisionRecord) -> bytes:
    return (json.dumps(to_dict(record), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def without_volatile(document: dict[str, Any]) -> dict[str, Any]:
    """A copy without ids and timestamps, for comparing two exports of the same record."""
    copy = json.loads(json.dumps(document))
    for path in VOLATILE:
        node = copy
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return copy
