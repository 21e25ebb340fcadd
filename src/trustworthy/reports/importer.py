"""Import a decision record (JSON, format decision-record-1) as a new project and appraisal.

The file is checked against the JSON Schema and then against the framework edition it
names; every problem is listed, and nothing is written unless there are none. The
project and appraisal are then recreated through the appraisal services, in one
transaction, so the same rules apply as on the web. Sign-off is not imported: an imported
appraisal starts as a draft, to be reviewed and signed again.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from trustworthy.appraisals import services
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.framework import (
    Framework,
    RegisterRowError,
    clean_register_row,
    compute_route,
    departure_problem,
    open_risk_score,
    risk_register,
)
from trustworthy.organisations.changes import as_operator
from trustworthy.organisations.models import Membership, Organisation, User

from .render_json import schema_problems
from .services import save_summary


class ImportRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    appraisal: Appraisal
    organisation: Organisation


def parse(text: str) -> Any:
    if "\x00" in text:
        raise ImportRefused(["the file: it contains NUL characters, which a decision record cannot hold"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [f"the file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None


def _framework_problems(doc: dict[str, Any], fw: Framework) -> list[str]:
    problems: list[str] = []
    if doc["appraisal"]["stage"] not in {s.id for s in fw.stages}:
        problems.append(f"appraisal.stage: “{doc['appraisal']['stage']}” is not a stage of {fw.key}")
    motivations = doc["project"]["motivations"]
    known = {m.id for m in fw.motivations}
    for i, m in enumerate(motivations):
        if m["id"] not in known:
            problems.append(f"project.motivations[{i}].id: “{m['id']}” is not a motivation of {fw.key}")
    ids = [m["id"] for m in motivations]
    if len(set(ids)) != len(ids):
        problems.append("project.motivations: each motivation can be given once")
    if sum(1 for m in motivations if m["primary"]) != 1:
        problems.append("project.motivations: exactly one motivation must be the primary one")
    aspects = {a.id for a in fw.aspects}
    scale = {a.id for a in fw.answer_scale}
    seen: set[tuple[str, str]] = set()
    for i, a in enumerate(doc["answers"]):
        where = f"answers[{i}]"
        if not fw.has_question(a["question_id"]):
            problems.append(f"{where}.question_id: “{a['question_id']}” is not a question of {fw.key}")
            continue
        q = fw.question(a["question_id"])
        if q.kind == "principles" and a["aspect"] not in aspects:
            problems.append(
                f"{where}.aspect: {q.id} is answered for the process or the innovation, not “{a['aspect']}”"
            )
        if q.kind != "principles" and a["aspect"]:
            problems.append(f"{where}.aspect: {q.id} has no aspects; leave it empty")
        if a["value"] and a["value"] not in scale:
            problems.append(
                f"{where}.value: “{a['value']}” is not on the answer scale ({', '.join(sorted(scale))})"
            )
        if a["value"] and not q.has_closed_answer:
            problems.append(f"{where}.value: {q.id} is answered in words only")
        if (q.id, a["aspect"]) in seen:
            problems.append(f"{where}: {q.id} {a['aspect']} is answered twice".replace("  ", " "))
        seen.add((q.id, a["aspect"]))
    registers = {r.id: r for r in fw.registers}
    for i, reg in enumerate(doc["registers"]):
        if reg["id"] not in registers:
            problems.append(f"registers[{i}].id: “{reg['id']}” is not a register of {fw.key}")
            continue
        for j, row in enumerate(reg["rows"]):
            extra = set(row) - {f.id for f in registers[reg["id"]].fields}
            if extra:
                problems.append(f"registers[{i}].rows[{j}]: unknown fields {', '.join(sorted(extra))}")
            try:
                clean_register_row(registers[reg["id"]], row)
            except RegisterRowError as exc:
                problems.append(f"registers[{i}].rows[{j}]: {exc}")
    principles = {p.id: p for p in fw.principles}
    ratings = {r.id: r for r in fw.principle_ratings}
    for i, r in enumerate(doc["principles"]):
        where = f"principles[{i}]"
        if r["principle_id"] not in principles:
            problems.append(f"{where}.principle_id: “{r['principle_id']}” is not a principle of {fw.key}")
        if r["aspect"] not in aspects:
            problems.append(f"{where}.aspect: “{r['aspect']}” is not an aspect of {fw.key}")
        if r["rating"] not in ratings:
            problems.append(f"{where}.rating: “{r['rating']}” is not a rating of {fw.key}")
        elif ratings[r["rating"]].note_required and not r["note"].strip():
            problems.append(f"{where}.note: explain why {r['principle_id']} is at risk")
    rated: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in doc["principles"]:
        if r["principle_id"] in principles:
            rated[(r["aspect"], principles[r["principle_id"]].cluster)].add(r["principle_id"])
    for q in fw.questions():
        if q.kind != "principles":
            continue
        expected = {p.id for p in fw.principles_in(q.cluster or "")}
        for aspect in (a.id for a in fw.aspects):
            got = rated.get((aspect, q.cluster or ""), set())
            if got and got != expected:
                missing = ", ".join(sorted(expected - got))
                problems.append(
                    f"principles: {q.id} ({aspect}) must rate every principle of its group; missing {missing}"
                )
    stakeholders = {s.id for s in fw.stakeholders}
    modes = {m.id: m for m in fw.participation_modes}
    for i, p in enumerate(doc["participation"]):
        if p["stakeholder"] not in stakeholders:
            problems.append(
                f"participation[{i}].stakeholder: “{p['stakeholder']}” is not a group of {fw.key}"
            )
        if p["mode"] not in modes:
            problems.append(f"participation[{i}].mode: “{p['mode']}” is not a way of taking part in {fw.key}")
        elif modes[p["mode"]].reason_required and not p["reason"].strip():
            problems.append(f"participation[{i}].reason: explain why this group was not involved")
    decision = doc["decision"]
    if decision is not None:
        if decision["decision"] not in {d.id for d in fw.decisions}:
            problems.append(f"decision.decision: “{decision['decision']}” is not a decision of {fw.key}")
        # Values off the scale are listed above; here they count as unanswered.
        answers = {
            a["question_id"]: a["value"] if a["value"] in scale else None
            for a in doc["answers"]
            if not a["aspect"]
        }
        risks = (row for reg in doc["registers"] if reg["id"] == risk_register(fw) for row in reg["rows"])
        route = compute_route(answers, open_risk_score(risks))
        if departure_problem(decision["decision"], route, decision["departure_reason"]):
            problems.append(
                "decision.departure_reason: the decision departs from the framework, so it needs a reason"
            )
        if not (decision["accountable_person"] or "").strip():
            problems.append("decision.accountable_person: name the accountable person")
    if not (doc["project"]["accountable_person"] or "").strip():
        problems.append("project.accountable_person: name the accountable person")
    return problems


def check(doc: Any) -> tuple[list[str], Framework | None]:
    """Every problem with the document, and its framework edition when it is installed."""
    problems = schema_problems(doc)
    if problems:
        return problems, None
    if doc["public"]:
        return [
            "public: this is the public version, with names left out; import the full record instead"
        ], None
    try:
        fw = framework_for(doc["framework"]["id"], doc["framework"]["version"])
    except LookupError:
        return [
            f"framework: {doc['framework']['id']}@{doc['framework']['version']} is not installed here"
        ], None
    return _framework_problems(doc, fw) + _evaluation_problems(doc), fw


def _evaluation_problems(doc: dict[str, Any]) -> list[str]:
    """What happened to the benefits and risks of an earlier stage is recorded against that
    stage's approved rows, which an imported project does not have."""
    evaluation = doc.get("evaluation")
    if evaluation is None:
        return []
    if doc["appraisal"]["stage"] != "evaluation":
        return ["evaluation: only the record of a post hoc evaluation has this section"]
    if any(item["result"] is not None for item in evaluation["benefits"] + evaluation["risks"]):
        return [
            "evaluation: what happened to the benefits and risks of an earlier stage cannot be imported "
            "without that stage's approved record; record it again after importing"
        ]
    return []


def _user_for(organisation: Organisation, email: str | None) -> User:
    if email:
        user = User.objects.filter(email__iexact=email, memberships__organisation=organisation).first()
        if user is None:
            raise ImportRefused([f"--user: {email} is not a member of {organisation.name}"])
        return user
    membership = (
        Membership.objects.filter(organisation=organisation, role="lead")
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        raise ImportRefused([f"{organisation.name} has no lead to import as; name one with --user"])
    return membership.user


def import_record(
    text: str, *, organisation_name: str | None = None, user_email: str | None = None
) -> Imported:
    doc = parse(text)
    problems, fw = check(doc)
    if problems:
        raise ImportRefused(problems)
    assert fw is not None
    name = organisation_name or doc["organisation"]["name"]
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        raise ImportRefused(
            [f"organisation: there is no organisation called “{name}” here; choose one with --organisation"]
        )
    user = _user_for(organisation, user_email)
    try:
        # The operator running the command acts for the named person, through the same
        # services and status rules as the web (the role check is the operator's).
        with transaction.atomic(), as_operator():
            appraisal = _create(doc, fw, organisation, user)
    except services.ServiceError as exc:
        raise ImportRefused([str(exc)]) from None
    return Imported(appraisal, organisation)


def _create(doc: dict[str, Any], fw: Framework, organisation: Organisation, user: User) -> Appraisal:
    p = doc["project"]
    fields = {
        "title": p["title"],
        "summary": p["summary"],
        "problem": p["problem"],
        "target_cohort": p["target_cohort"],
        "context_organisational": p["context"]["organisational"],
        "context_local": p["context"]["local"],
        "context_national": p["context"]["national"],
        "funding_source": p["funding_source"],
        "funding_amount": p["funding_amount"],
        "current_stage": doc["appraisal"]["stage"],
        "accountable_person": p["accountable_person"],
    }
    project = services.create_project(
        organisation=organisation,
        user=user,
        fields=fields,
        motivations=[services.MotivationInput(m["id"], m["explanation"]) for m in p["motivations"]],
        primary_motivation=next(m["id"] for m in p["motivations"] if m["primary"]),
    )
    appraisal = services.start_appraisal(
        project=project, stage=doc["appraisal"]["stage"], user=user, framework=fw
    )
    answers = {(a["question_id"], a["aspect"]): a for a in doc["answers"]}
    for a in doc["answers"]:
        if fw.question(a["question_id"]).kind == "principles":
            continue
        services.save_answer(
            appraisal=appraisal, question_id=a["question_id"], user=user, value=a["value"],
            rationale=a["rationale"], evidence=a["evidence"],
        )  # fmt: skip
    for reg in doc["registers"]:
        for row in reg["rows"]:
            services.add_register_row(appraisal=appraisal, register_id=reg["id"], data=row, user=user)
    for part in doc["participation"]:
        services.save_participation(
            appraisal=appraisal, stakeholder=part["stakeholder"], mode=part["mode"], reason=part["reason"],
            summary=part["summary"], user=user,
        )  # fmt: skip
    principles = {pr.id: pr for pr in fw.principles}
    for q in fw.questions():
        if q.kind != "principles":
            continue
        for aspect in fw.aspects:
            ratings = {
                r["principle_id"]: (r["rating"], r["note"])
                for r in doc["principles"]
                if r["aspect"] == aspect.id and principles[r["principle_id"]].cluster == q.cluster
            }
            answer = answers.get((q.id, aspect.id))
            if not ratings and answer is None:
                continue
            if not ratings:
                assert answer is not None
                services.save_answer(
                    appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user,
                    value=answer["value"], rationale=answer["rationale"], evidence=answer["evidence"],
                )  # fmt: skip
                continue
            services.save_principles(
                appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user,
                value=answer["value"] if answer else "", rationale=answer["rationale"] if answer else "",
                ratings=ratings,
            )  # fmt: skip
            if answer and answer["evidence"]:
                services.save_answer(
                    appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user, value=answer["value"],
                    rationale=answer["rationale"], evidence=answer["evidence"],
                )  # fmt: skip
    if profile := doc.get("profile"):
        services.save_criteria(
            appraisal=appraisal,
            user=user,
            ratings={c["criterion"]: (c["rating"], c["note"]) for c in profile},
        )
    decision = doc["decision"]
    if decision is not None:
        services.record_decision(
            appraisal=appraisal, user=user, decision=decision["decision"], reasoning=decision["reasoning"],
            departure_reason=decision["departure_reason"], accountable_person=decision["accountable_person"],
            decided_on=datetime.date.fromisoformat(decision["decided_on"]),
        )  # fmt: skip
    summary = doc["summary"]
    if summary and summary["edited"]:
        save_summary(appraisal=appraisal, user=user, text=summary["text"])
    if evaluation := doc.get("evaluation"):
        for item in evaluation["unforeseen"]:
            services.add_unforeseen(
                appraisal=appraisal, user=user, kind=item["kind"], description=item["description"],
                who_affected=item["who_affected"], handling=item["handling"],
            )  # fmt: skip
        if evaluation["lessons"]:
            services.save_lessons(appraisal=appraisal, user=user, text=evaluation["lessons"])
    return appraisal
