"""The decision record as JSON (format `decision-record-1`), and its JSON Schema.

`to_dict` writes a record as a document; `from_dict` reads one back, so a published
document is shown on the public register with the same templates as every other record.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib.resources import files
from typing import Any

from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker

from trustworthy.appraisals.evaluation import headline, kinds
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.framework import Framework

from . import declared
from . import readiness as readiness_part
from .document import (
    CONTEXT_LABELS,
    NOT_PUBLISHED,
    RECORD_FORMAT,
    ActionItem,
    AnswerItem,
    Baseline,
    ContextItem,
    CriterionRating,
    DecisionPart,
    DecisionRecord,
    EvaluationSection,
    ExpectedItem,
    FieldItem,
    Motivation,
    ParticipationItem,
    ProjectPart,
    QuestionItem,
    RatingItem,
    RegisterItem,
    RoutePart,
    RowItem,
    SectionItem,
    SignOff,
    Summary,
    UnforeseenEntry,
    VoiceCount,
    VoiceItem,
    VoicesSection,
    action_item,
    cell_text,
)
from .screening_record import screening_dict, screening_from_dict

# Fields that differ between two exports of the same record: ids and timestamps.
VOLATILE = (
    ("generated_at",),
    ("appraisal", "id"),
    ("appraisal", "created_at"),
    ("appraisal", "updated_at"),
    ("decision", "recorded_at"),
    ("screening", "screened_at"),
    ("screening", "full_required", "at"),
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


def _expected_dict(item: ExpectedItem, with_handling: bool) -> dict[str, Any]:
    out = {
        "expected": dict(item.expected),
        "result": item.result,
        "result_label": item.result_label,
        "evidence": item.evidence,
    }
    return out | {"handling": item.handling} if with_handling else out


def evaluation_dict(evaluation: EvaluationSection) -> dict[str, Any]:
    """“Expected against realised”, as the optional `evaluation` property of a document."""
    base = evaluation.baseline
    return {
        "title": evaluation.title,
        "baseline": None
        if base is None
        else {
            "stage": base.stage,
            "stage_name": base.stage_name,
            "version": base.version,
            "approved_at": base.approved_at,
            "record_hash": base.record_hash,
        },
        "benefits": [_expected_dict(i, False) for i in evaluation.benefits],
        "risks": [_expected_dict(i, True) for i in evaluation.risks],
        "unforeseen": [
            {
                "kind": u.kind,
                "kind_label": u.kind_label,
                "description": u.description,
                "who_affected": u.who_affected,
                "handling": u.handling,
            }
            for u in evaluation.unforeseen
        ],
        "lessons": evaluation.lessons,
    }


ACTION_FIELDS = (
    "what", "source", "source_label", "register_row", "owner", "due_on", "status", "status_label",
    "evidence", "dropped_reason", "closed_on", "carried_forward_from", "carried_forward_to",
)  # fmt: skip


def action_dict(action: ActionItem) -> dict[str, Any]:
    return {name: getattr(action, name) for name in ACTION_FIELDS}


def to_dict(record: DecisionRecord) -> dict[str, Any]:
    document = _to_dict(record)
    # Only a post hoc evaluation has the section, so every other record reads as it always did.
    if record.evaluation is not None:
        document["evaluation"] = evaluation_dict(record.evaluation)
    # Likewise only a record with actions lists them: records signed before actions were kept
    # rebuild exactly as they were signed.
    if record.actions:
        document["actions"] = [action_dict(a) for a in record.actions]
    # And only a record whose appraisal assessed its readiness for innovation has that part.
    if record.readiness is not None:
        document["readiness"] = readiness_part.to_dict(record.readiness)
    # Declared interests and the commitments answered, only when there are any (as above).
    if record.interests:
        document["interests"] = declared.interests_json(record.interests)
    if record.commitments is not None:
        document["commitments"] = declared.commitments_json(record.commitments)
    # Only a screened appraisal has its screening and route; other records read as they did.
    if record.screening is not None:
        document["screening"] = screening_dict(record.screening)
    return document


def _to_dict(record: DecisionRecord) -> dict[str, Any]:
    p = record.project
    return {
        "$schema": reverse("record-schema"),
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
            # Only when there is one, so records signed before it existed read as they were signed.
            **({"stage_reason": record.stage_reason} if record.stage_reason else {}),
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


def _label(choices: Any, value: str) -> str:
    return next((c.label for c in choices if c.id == value), value)


class DocumentError(ValueError):
    """A document that cannot be read back as a decision record."""


def _answers(fw: Framework, document: dict[str, Any]) -> tuple[SectionItem, ...]:
    by_question: dict[str, list[dict[str, Any]]] = {}
    for a in document["answers"]:
        if not fw.has_question(a["question_id"]):
            raise DocumentError(f"answers: question {a['question_id']} is not in {fw.key}")
        by_question.setdefault(a["question_id"], []).append(a)

    def question(q: Any) -> QuestionItem:
        given = by_question.get(q.id, [])
        answers = tuple(
            AnswerItem(
                question_id=q.id,
                aspect=a["aspect"],
                aspect_label=_label(fw.aspects, a["aspect"]) if a["aspect"] else "",
                value=a["value"],
                value_label=a["value_label"],
                rationale=a["rationale"],
                evidence=a["evidence"],
                key=f"answer.{q.id}:{a['aspect']}" if a["aspect"] else f"answer.{q.id}",
            )
            for a in given
        )
        # The wording as published, which is the edition's wording for its questions.
        label = given[0]["question_label"] if given else q.label
        text = given[0]["question_text"] if given else q.text
        return QuestionItem(q.id, label, text, q.kind, answers, q.register, q.cluster)

    return tuple(
        SectionItem(s.id, s.number, s.title, tuple(question(q) for q in s.questions)) for s in fw.sections
    )


def _registers(fw: Framework, document: dict[str, Any]) -> tuple[RegisterItem, ...]:
    registers = []
    for r in document["registers"]:
        found = next((x for x in fw.registers if x.id == r["id"]), None)
        if found is None:
            raise DocumentError(f"registers: register {r['id']} is not in {fw.key}")
        texts = [f.id for f in found.fields if f.type == "text"]
        rows = []
        for number, data in enumerate(r["rows"], 1):
            hidden = bool(texts) and all(data.get(f) == NOT_PUBLISHED for f in texts)
            rows.append(
                RowItem(
                    data=dict(data),
                    cells=tuple(cell_text(found, f.id, data.get(f.id)) for f in found.fields),
                    # A document holds no row ids: a row is known by its place.
                    key=f"row.{r['id']}.{number}",
                    published=not hidden,
                )
            )
        registers.append(
            RegisterItem(
                id=r["id"],
                question_id=r["question_id"],
                name=r["name"],
                fields=tuple(FieldItem(f.id, f.label, f.type) for f in found.fields),
                rows=tuple(rows),
            )
        )
    return tuple(registers)


def _project(document: dict[str, Any]) -> ProjectPart:
    p = document["project"]
    context: dict[str, str] = p["context"]
    order = [dim for dim in CONTEXT_LABELS if dim in context]
    order += [dim for dim in context if dim not in CONTEXT_LABELS]
    return ProjectPart(
        title=p["title"],
        summary=p["summary"],
        problem=p["problem"],
        target_cohort=p["target_cohort"],
        funding_source=p["funding_source"],
        funding_amount=p["funding_amount"],
        accountable_person=p["accountable_person"],
        context=tuple(
            ContextItem(dim, CONTEXT_LABELS.get(dim, dim), context[dim], key=f"project.context.{dim}")
            for dim in order
        ),
        motivations=tuple(
            Motivation(m["id"], m["label"], m["explanation"], m["primary"], key=f"motivation.{m['id']}")
            for m in p["motivations"]
        ),
    )


def _decision(d: dict[str, Any] | None) -> DecisionPart | None:
    if d is None:
        return None
    return DecisionPart(
        decision=d["decision"],
        name=d["name"],
        meaning=d["meaning"],
        reasoning=d["reasoning"],
        is_departure=d["is_departure"],
        departure_reason=d["departure_reason"],
        route_allowed=tuple(d["route_allowed"]),
        accountable_person=d["accountable_person"],
        decided_on=d["decided_on"],
        recorded_by=d["recorded_by"],
        recorded_at=d["recorded_at"],
    )


def _voices(v: dict[str, Any] | None) -> VoicesSection | None:
    if v is None:
        return None
    return VoicesSection(
        title=v["title"],
        introduction=v["introduction"],
        items=tuple(
            VoiceItem(heading=i["heading"], said=i["said"], response=i["response"]) for i in v["items"]
        ),
        counts=tuple(VoiceCount(c["group"], c["source"], c["count"]) for c in v["counts"]),
    )


def _evaluation(fw: Framework, e: dict[str, Any] | None) -> EvaluationSection | None:
    """The section a document holds. The expected rows are read with the registers of the
    edition the document names (the approved stage's, when it is the same edition)."""
    if e is None:
        return None

    def items(register_id: str, given: list[dict[str, Any]], part: str) -> tuple[ExpectedItem, ...]:
        register = fw.register(register_id)
        return tuple(
            ExpectedItem(
                expected=dict(i["expected"]),
                cells=tuple(
                    (f.label, cell_text(register, f.id, i["expected"].get(f.id))) for f in register.fields
                ),
                headline=headline(register, i["expected"]),
                result=i["result"],
                result_label=i["result_label"],
                evidence=i["evidence"],
                handling=i.get("handling", ""),
                # A document holds no row ids: an item is known by its place.
                key=f"evaluation.{part}.{number}",
            )
            for number, i in enumerate(given, 1)
        )

    benefit, risk = kinds(fw)
    base = e["baseline"]
    return EvaluationSection(
        title=e["title"],
        baseline=None
        if base is None
        else Baseline(
            base["stage"], base["stage_name"], base["version"], base["approved_at"], base["record_hash"]
        ),
        benefits=items(benefit.register, e["benefits"], "benefit"),
        risks=items(risk.register, e["risks"], "risk"),
        unforeseen=tuple(
            UnforeseenEntry(
                u["kind"],
                u["kind_label"],
                u["description"],
                u["who_affected"],
                u["handling"],
                key=f"evaluation.unforeseen.{number}",
            )
            for number, u in enumerate(e["unforeseen"], 1)
        ),
        lessons=e["lessons"],
    )


def _label_of(named: Any, item_id: str) -> str:
    """The name of the item with this id (a cluster, a decision), or the id itself."""
    return next((x.name for x in named if x.id == item_id), item_id)


def _left_out(record: DecisionRecord) -> frozenset[str]:
    """What a public document shows as left out: every item reading "Not published."."""
    p = record.project
    texts: list[tuple[str, str]] = [
        ("project.summary", p.summary),
        ("project.problem", p.problem),
        ("project.target_cohort", p.target_cohort),
        ("appraisal.stage_reason", record.stage_reason),
    ]
    texts += [(c.key, c.text) for c in p.context]
    texts += [(m.key, m.explanation) for m in p.motivations]
    texts += [(a.key, text) for a in record.answers() for text in (a.rationale, a.evidence)]
    texts += [(r.key, r.note) for r in record.principles]
    texts += [(x.key, text) for x in record.participation for text in (x.summary, x.reason)]
    if record.decision:
        texts.append(("decision.reasoning", record.decision.reasoning))
        texts.append(("decision.departure_reason", record.decision.departure_reason))
    found = {key for key, text in texts if text == NOT_PUBLISHED}
    found |= {row.key for r in record.registers for row in r.rows if not row.published}
    if record.summary is None:
        found.add("summary")
    found |= {key for key, _, text in record.evaluation_text() if text == NOT_PUBLISHED}
    found |= {key for key, _, text in record.actions_text() if text == NOT_PUBLISHED}
    found |= {key for key, _, text in readiness_part.free_text(record.readiness) if text == NOT_PUBLISHED}
    return frozenset(found)


def from_dict(document: dict[str, Any]) -> DecisionRecord:
    """The record a document holds: the inverse of `to_dict` for everything the renderers read.

    What a document does not hold (labels, register fields, the sections and their
    questions) comes from the framework edition it names. A public document's
    `excluded` is what it shows as "Not published." (the keys of the items left out).
    """
    if document.get("format") != RECORD_FORMAT:
        raise DocumentError(f"This is not a {RECORD_FORMAT} document.")
    f = document["framework"]
    try:
        fw = framework_for(f["id"], f["version"])
    except LookupError as exc:
        raise DocumentError(str(exc)) from exc
    a = document["appraisal"]
    route = document["route"]
    s = document["sign_off"]
    summary = document["summary"]
    record = DecisionRecord(
        framework_id=f["id"],
        framework_version=f["version"],
        framework_title=f["title"],
        organisation=document["organisation"]["name"],
        appraisal_id=a["id"],
        stage=a["stage"],
        stage_name=a["stage_name"],
        version=a["version"],
        created_at=a["created_at"],
        updated_at=a["updated_at"],
        review_date=a["review_date"],
        project=_project(document),
        sections=_answers(fw, document),
        registers=_registers(fw, document),
        principles=tuple(
            RatingItem(
                aspect=r["aspect"],
                aspect_label=_label(fw.aspects, r["aspect"]),
                principle_id=r["principle_id"],
                principle_name=r["principle_name"],
                cluster=r["cluster"],
                cluster_name=next(
                    (c.name for c in fw.principle_clusters if c.id == r["cluster"]), r["cluster"]
                ),
                rating=r["rating"],
                rating_label=r["rating_label"],
                note=r["note"],
                key=f"principle.{r['aspect']}.{r['principle_id']}",
            )
            for r in document["principles"]
        ),
        participation=tuple(
            ParticipationItem(
                stakeholder=x["stakeholder"],
                stakeholder_label=x["stakeholder_label"],
                mode=x["mode"],
                mode_label=x["mode_label"],
                reason=x["reason"],
                summary=x["summary"],
                key=f"participation.{x['stakeholder']}",
            )
            for x in document["participation"]
        ),
        route=RoutePart(
            complete=route["complete"],
            allowed=tuple(route["allowed"]),
            allowed_names=tuple(_label_of(fw.decisions, d) for d in route["allowed"]),
            not_applicable=tuple(route["not_applicable"]),
            reasons=tuple(route["reasons"]),
        ),
        decision=_decision(document["decision"]),
        sign_off=SignOff(
            status=s["status"],
            status_label=s["status_label"],
            approved=s["approved"],
            approved_by=s["approved_by"],
            approved_at=s["approved_at"],
            record_hash=s["record_hash"],
            approved_audit_head=s["approved_audit_head"],
        ),
        profile=tuple(
            CriterionRating(c["criterion"], c["text"], c["rating"], c["rating_label"], c["note"])
            for c in document["profile"]
        ),
        voices=_voices(document["voices"]),
        summary=None if summary is None else Summary(summary["text"], summary["edited"]),
        evaluation=_evaluation(fw, document.get("evaluation")),
        # A document holds no action ids: an action is known by its place.
        actions=tuple(
            action_item(a, f"action.{number}") for number, a in enumerate(document.get("actions") or [], 1)
        ),
        readiness=readiness_part.from_dict(fw, document.get("readiness")),
        stage_reason=a.get("stage_reason", ""),
        screening=screening_from_dict(document.get("screening")),
        interests=declared.interests_from_json(document.get("interests")),
        commitments=declared.commitments_from_json(document.get("commitments")),
        public=document["public"],
        generated_at=document["generated_at"],
    )
    return replace(record, excluded=_left_out(record)) if record.public else record


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
