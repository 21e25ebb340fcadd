"""Writes to projects and appraisals. Each is one transaction and validates its input.

Views call these with cleaned form data; the command line and demo data call them too,
so the rules here hold whichever way a change arrives.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from trustworthy.core.errors import Conflict, Invalid
from trustworthy.framework import (
    Framework,
    Register,
    RegisterRowError,
    clean_register_row,
    departure_problem,
    is_departure,
)
from trustworthy.organisations.changes import changing_organisation
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.permissions import Action

from . import commitments
from .evaluation import UNFORESEEN_KINDS, Kind, is_evaluation, kind_of
from .frameworks import current_framework, framework_for
from .models import (
    Answer,
    Appraisal,
    CriterionRating,
    Decision,
    Lessons,
    Outcome,
    Participation,
    PrincipleRating,
    Project,
    ProjectMotivation,
    RegisterRow,
    Status,
    UnforeseenItem,
)
from .policy import Change, LockedError, changing
from .selectors import evaluation_baseline, evaluation_of, load_appraisal

__all__ = ["ConflictError", "LockedError", "ServiceError"]


class ServiceError(Invalid):
    """A write was refused; the message is written for the person who asked for it."""


def _edition(appraisal: Appraisal) -> Framework:
    """The framework edition the appraisal was started on: its rules apply to it."""
    return framework_for(appraisal.framework_id, appraisal.framework_version)


@dataclass(frozen=True)
class MotivationInput:
    motivation: str
    explanation: str


PROJECT_FIELDS = (
    "title",
    "summary",
    "problem",
    "target_cohort",
    "context_organisational",
    "context_local",
    "context_national",
    "funding_source",
    "funding_amount",
    "current_stage",
    "accountable_person",
)


def _check_choices(fields: Mapping[str, Any], motivations: Sequence[MotivationInput]) -> None:
    """A project's stage and motivations are ids of the current edition."""
    framework = current_framework()
    if "current_stage" in fields and fields["current_stage"] not in {s.id for s in framework.stages}:
        raise ServiceError("Choose a stage from the list.")
    if any(m.motivation not in {f.id for f in framework.motivations} for m in motivations):
        raise ServiceError("Choose motivations from the list.")


def _check_motivations(motivations: Sequence[MotivationInput], primary: str) -> None:
    ids = [m.motivation for m in motivations]
    if not ids:
        raise ServiceError("Choose at least one motivation.")
    if len(set(ids)) != len(ids):
        raise ServiceError("Each motivation can be given once.")
    if primary not in ids:
        raise ServiceError("The primary motivation must be one of the motivations chosen.")
    if any(not m.explanation.strip() for m in motivations):
        raise ServiceError("Explain each motivation chosen.")


def _set_motivations(project: Project, motivations: Sequence[MotivationInput], primary: str) -> None:
    project.motivations.all().delete()
    ProjectMotivation.objects.bulk_create(
        ProjectMotivation(
            project=project,
            motivation=m.motivation,
            explanation=m.explanation.strip(),
            is_primary=m.motivation == primary,
        )
        for m in motivations
    )


def _project_values(project: Project) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(project, name) for name in PROJECT_FIELDS}
    values["motivations"] = {
        m.motivation: [m.explanation, m.is_primary] for m in project.motivations.order_by("motivation")
    }
    return values


def create_project(
    *,
    organisation: Organisation,
    user: User,
    fields: Mapping[str, Any],
    motivations: Sequence[MotivationInput],
    primary_motivation: str,
) -> Project:
    _check_motivations(motivations, primary_motivation)
    _check_choices(fields, motivations)
    given = {k: fields[k] for k in PROJECT_FIELDS if k in fields}
    with changing_organisation(organisation, Action.MANAGE_PROJECTS, actor=user) as change:
        project = Project(organisation=organisation, created_by=user, **given)
        project.full_clean()
        project.save()
        _set_motivations(project, motivations, primary_motivation)
        change.record("project.created", target=f"project:{project.pk}", after=_project_values(project))
    return project


def update_project(
    *,
    project: Project,
    user: User,
    fields: Mapping[str, Any],
    motivations: Sequence[MotivationInput],
    primary_motivation: str,
    expected_version: int | None = None,
) -> Project:
    """Change a project's details. Approved appraisals keep the details they were signed
    with; drafts and later versions show the new ones."""
    _check_motivations(motivations, primary_motivation)
    _check_choices(fields, motivations)
    with changing_organisation(project.organisation_id, Action.MANAGE_PROJECTS, actor=user) as change:
        current = Project.objects.select_for_update().get(pk=project.pk)
        _check_version(
            current.lock_version, expected_version, {name: getattr(current, name) for name in PROJECT_FIELDS}
        )
        before = _project_values(current)
        for name in PROJECT_FIELDS:
            if name in fields:
                setattr(project, name, fields[name])
        project.lock_version = current.lock_version + 1
        project.full_clean()
        project.save()
        _set_motivations(project, motivations, primary_motivation)
        change.record(
            "project.changed", target=f"project:{project.pk}", before=before, after=_project_values(project)
        )
    return project


# --- stages in order ----------------------------------------------------------------------

STAGE_REASON_LABEL = "Why start this stage before the earlier one is signed?"


def stage_order_problem(project: Project, stage: str, framework: Framework | None = None) -> str:
    """Why starting `stage` now would leave the framework's order ("" when it would not).

    Stages go in the order the framework lists them, each once the stage before it has an
    approved appraisal. The post hoc evaluation looks back on whichever earlier stage was
    signed last, so it needs one signed earlier stage, not the one just before it. Starting
    a stage out of order is allowed with a reason (`start_appraisal`); this is the one place
    the order is decided, for the pages, the API and imports alike.
    """
    framework = framework or current_framework()
    order = [s.id for s in framework.stages]
    if stage not in order or order.index(stage) == 0:
        return ""
    earlier = order[: order.index(stage)]
    newest: dict[str, str] = {}  # each earlier stage's newest status, and whether any was signed
    signed: set[str] = set()
    for at, status in (
        project.appraisals.filter(stage__in=earlier)
        .order_by("created_at", "pk")
        .values_list("stage", "status")
    ):
        newest[at] = status
        if status == Status.APPROVED:
            signed.add(at)
    if is_evaluation(stage):
        return "" if signed else "No earlier stage has a signed appraisal to look back on."
    before = framework.stage(order[order.index(stage) - 1])
    if before.id in signed:
        return ""
    if before.id not in newest:
        return f"{before.name}, the stage before it, has not been appraised."
    words = _status_words(newest[before.id])
    return f"{before.name}, the stage before it, is not signed: its appraisal is {words}."


_NOT_SIGNED: dict[str, str] = {
    str(Status.DRAFT): "still a draft",
    str(Status.IN_REVIEW): "in review",
    str(Status.CHANGES_REQUESTED): "waiting for changes",
    str(Status.WITHDRAWN): "withdrawn",
}


def _status_words(status: str) -> str:
    return _NOT_SIGNED.get(status, status)


# An imported record starts its project here at the record's own stage, with no earlier
# stage here to have signed: the import is the reason, kept in the audit event.
IMPORTED_STAGE_REASON = (
    "Imported from a decision record: its earlier stages were not appraised in this service."
)


def start_appraisal(
    *,
    project: Project,
    stage: str,
    user: User,
    framework: Framework | None = None,
    reason: str = "",
    imported: bool = False,
) -> Appraisal:
    """Start the appraisal for a stage, carrying forward the latest stage's answers to confirm.

    New appraisals use the current edition; an import names the edition of its record. A
    stage started out of the framework's order (`stage_order_problem`) needs `reason`, which
    is kept on the appraisal (its record shows it) and in the audit event that starts it.
    An import (`imported`) needs none of its own: the import is the reason in the audit
    event, and the appraisal keeps only the reason its record gave, so the record reads
    as it did.
    """
    framework = framework or current_framework(project.organisation_id)  # the organisation's choice
    if stage not in {s.id for s in framework.stages}:
        raise ServiceError("Choose a stage from the list.")
    reason = reason.strip()
    with transaction.atomic():
        Project.objects.select_for_update().only("id").get(pk=project.pk)
        if project.appraisals.filter(stage=stage).exists():
            raise ServiceError("This project already has an appraisal for that stage.")
        out_of_order = stage_order_problem(project, stage, framework)
        if out_of_order and not reason and not imported:
            raise _invalid(
                f"Enter why you are starting {framework.stage(stage).name} before the earlier stage "
                f"is signed. {out_of_order}",
                "reason",
            )
        previous = project.appraisals.order_by("-created_at").first()
        appraisal = Appraisal.objects.create(
            organisation_id=project.organisation_id,
            project=project,
            stage=stage,
            framework_id=framework.id,
            framework_version=framework.version,
            previous=previous,
            stage_reason=reason if out_of_order else "",
            created_by=user,
        )
        with changing(appraisal, Change.START, actor=user) as change:
            if previous is not None:
                copy_contents(previous, appraisal, user, carried_forward=True)
            from .actions import carry_forward  # (it raises this module's errors: imported here)

            actions = carry_forward(appraisal, user)  # the project's open actions go on here
            project.current_stage = stage
            project.save(update_fields=["current_stage", "updated_at"])
            change.record(
                "appraisal.started",
                target=stage,
                after={
                    "stage": stage,
                    "framework": framework.key,
                    "carried_forward_from": previous.pk if previous else None,
                    **({"actions_carried_forward": actions} if actions else {}),
                    **(
                        {"stage_order": out_of_order, "stage_reason": reason or IMPORTED_STAGE_REASON}
                        if out_of_order
                        else {}
                    ),
                },
            )
    return appraisal


def copy_contents(source: Appraisal, target: Appraisal, user: User, *, carried_forward: bool) -> None:
    """Copy answers, register rows, ratings and participation into a new appraisal.

    Used for the next stage (each copy marked carried forward, to confirm or change) and
    for a new version of an approved appraisal (copied as they stand). Only what the
    target's edition has is copied: a question, register, principle or group that the
    edition of the next stage does not have stays with the earlier appraisal.
    """
    edition = _edition(target)
    registers = {r.id for r in edition.registers}
    principles = {p.id for p in edition.principles}
    stakeholders = {s.id for s in edition.stakeholders}
    Answer.objects.bulk_create(
        Answer(
            appraisal=target,
            question_id=a.question_id,
            aspect=a.aspect,
            value=a.value,
            rationale=a.rationale,
            evidence=a.evidence,
            carried_forward=carried_forward,
            updated_by=user,
            lock_version=1,
        )
        for a in source.answers.all()
        if edition.has_question(a.question_id)
    )
    RegisterRow.objects.bulk_create(
        RegisterRow(
            appraisal=target,
            register=r.register,
            data=r.data,
            carried_forward=carried_forward,
            lock_version=1,
        )
        for r in source.register_rows.order_by("created_at", "id")
        if r.register in registers
    )
    PrincipleRating.objects.bulk_create(
        PrincipleRating(
            appraisal=target,
            aspect=r.aspect,
            principle_id=r.principle_id,
            rating=r.rating,
            note=r.note,
            carried_forward=carried_forward,
        )
        for r in source.principle_ratings.all()
        if r.principle_id in principles
    )
    Participation.objects.bulk_create(
        Participation(
            appraisal=target,
            stakeholder=p.stakeholder,
            mode=p.mode,
            reason=p.reason,
            summary=p.summary,
            carried_forward=carried_forward,
            lock_version=1,
        )
        for p in source.participation.all()
        if p.stakeholder in stakeholders
    )
    from .readiness import copy_readiness  # (it raises this module's errors: imported here)

    copy_readiness(source, target, carried_forward=carried_forward)
    if not carried_forward and is_evaluation(source.stage) and is_evaluation(target.stage):
        copy_evaluation(source, target)


class ConflictError(Conflict, ServiceError):
    """Someone else saved this since the person opened it; `current` is what they saved."""


def _check_version(current_version: int, expected: int | None, current: Mapping[str, Any]) -> None:
    if expected is not None and expected != current_version:
        raise ConflictError(current, current_version)


def _touch(appraisal: Appraisal) -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    Appraisal.objects.filter(pk=appraisal.pk).update(updated_at=now)
    Project.objects.filter(pk=appraisal.project_id).update(updated_at=now)


def _answer_values(answer: Answer | None) -> dict[str, str] | None:
    if answer is None:
        return None
    return {"value": answer.value, "rationale": answer.rationale, "evidence": answer.evidence}


def _write_answer(
    appraisal: Appraisal,
    *,
    question_id: str,
    aspect: str,
    user: User,
    value: str,
    rationale: str,
    evidence: str | None,
    expected_version: int | None,
) -> tuple[Answer, dict[str, str] | None]:
    """Save an answer inside a change already under way; returns it and what it was before."""
    framework = _edition(appraisal)
    question = framework.question(question_id)
    answer = Answer.objects.filter(appraisal=appraisal, question_id=question_id, aspect=aspect).first()
    before = _answer_values(answer)
    _check_version(answer.lock_version if answer else 0, expected_version, before or {})
    if answer is None:
        answer = Answer(appraisal=appraisal, question_id=question_id, aspect=aspect, lock_version=0)
    answer.value, answer.rationale = value, rationale.strip()
    if evidence is not None:
        answer.evidence = evidence.strip()
    answer.carried_forward = False
    answer.updated_by = user
    answer.lock_version += 1
    answer.save()
    # Saving a register or participation question confirms what it lists, as shown to the user.
    if question.register:
        RegisterRow.objects.filter(appraisal=appraisal, register=question.register).update(
            carried_forward=False
        )
    if question.kind == "participation":
        Participation.objects.filter(appraisal=appraisal).update(carried_forward=False)
    return answer, before


def save_answer(
    *,
    appraisal: Appraisal,
    question_id: str,
    user: User,
    value: str = "",
    rationale: str = "",
    evidence: str = "",
    aspect: str = "",
    expected_version: int | None = None,
) -> Answer:
    """Save an answer and its rationale; saving confirms anything carried forward on that question.

    `expected_version` is the version the person started from (0 for a new answer): if
    someone else saved in between, ConflictError carries what they saved.
    """
    framework = _edition(appraisal)
    framework.question(question_id)
    if value and value not in {a.id for a in framework.answer_scale}:
        raise ServiceError("Choose an answer from the list.")
    with changing(appraisal, Change.ANSWER, actor=user) as change:
        answer, before = _write_answer(
            change.appraisal, question_id=question_id, aspect=aspect, user=user, value=value,
            rationale=rationale, evidence=evidence, expected_version=expected_version,
        )  # fmt: skip
        change.record("answer.saved", target=answer.key, before=before, after=_answer_values(answer))
        _touch(appraisal)
    return answer


def save_principles(
    *,
    appraisal: Appraisal,
    question_id: str,
    aspect: str,
    user: User,
    value: str,
    rationale: str,
    ratings: Mapping[str, tuple[str, str]],
    evidence: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Save one aspect of an E question: the answer and a rating of every principle of its cluster."""
    framework = _edition(appraisal)
    question = framework.question(question_id)
    expected = {p.id for p in framework.principles_in(question.cluster or "")}
    if set(ratings) != expected:
        raise ServiceError("Rate every principle.")
    if value and value not in {a.id for a in framework.answer_scale}:
        raise ServiceError("Choose an answer from the list.")
    for principle_id, (rating, note) in ratings.items():
        required = next((r.note_required for r in framework.principle_ratings if r.id == rating), None)
        if required is None:
            raise ServiceError("Choose a rating from the list.")
        if required and not note.strip():
            name = next(p.name for p in framework.principles if p.id == principle_id)
            raise ServiceError(f"Explain why “{name}” is at risk.")
    with changing(appraisal, Change.RATINGS, actor=user) as change:
        answer, answer_before = _write_answer(
            change.appraisal, question_id=question_id, aspect=aspect, user=user, value=value,
            rationale=rationale, evidence=evidence, expected_version=expected_version,
        )  # fmt: skip
        existing = {
            r.principle_id: r for r in PrincipleRating.objects.filter(appraisal=appraisal, aspect=aspect)
        }
        ratings_before = {pid: [r.rating, r.note] for pid, r in existing.items() if pid in expected}
        for principle_id, (rating, note) in ratings.items():
            PrincipleRating.objects.update_or_create(
                appraisal=appraisal,
                aspect=aspect,
                principle_id=principle_id,
                defaults={"rating": rating, "note": note.strip(), "carried_forward": False},
            )
        change.record(
            "principles.saved",
            target=answer.key,
            before=None
            if answer_before is None and not ratings_before
            else {"answer": answer_before, "ratings": ratings_before},
            after={
                "answer": _answer_values(answer),
                "ratings": {pid: [rating, note.strip()] for pid, (rating, note) in ratings.items()},
            },
        )
        _touch(appraisal)


def _clean_row(register: Register, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return clean_register_row(register, data)
    except RegisterRowError as exc:
        raise ServiceError(str(exc)) from None


def add_register_row(
    *, appraisal: Appraisal, register_id: str, data: Mapping[str, Any], user: User
) -> RegisterRow:
    register = _edition(appraisal).register(register_id)
    clean = _clean_row(register, data)
    with changing(appraisal, Change.REGISTER, actor=user) as change:
        row = RegisterRow.objects.create(
            appraisal=appraisal, register=register.id, data=clean, lock_version=1
        )
        change.record("row.added", target=f"{register.id}:{row.pk}", after=clean)
        _touch(appraisal)
    return row


def change_register_row(
    *,
    row: RegisterRow,
    data: Mapping[str, Any],
    user: User,
    expected_version: int | None = None,
) -> RegisterRow:
    register = _edition(row.appraisal).register(row.register)
    clean = _clean_row(register, data)
    with changing(row.appraisal, Change.REGISTER, actor=user) as change:
        current = RegisterRow.objects.get(pk=row.pk)
        _check_version(current.lock_version, expected_version, current.data)
        before = current.data
        row.data, row.carried_forward, row.lock_version = clean, False, current.lock_version + 1
        row.save(update_fields=["data", "carried_forward", "lock_version", "updated_at"])
        change.record("row.changed", target=f"{register.id}:{row.pk}", before=before, after=clean)
        _touch(row.appraisal)
    return row


def remove_register_row(*, row: RegisterRow, user: User) -> None:
    appraisal = row.appraisal
    with changing(appraisal, Change.REGISTER, actor=user) as change:
        change.record("row.removed", target=f"{row.register}:{row.pk}", before=row.data)
        row.delete()
        _touch(appraisal)


def _participation_values(record: Participation | None) -> dict[str, str] | None:
    return (
        None if record is None else {"mode": record.mode, "reason": record.reason, "summary": record.summary}
    )


def save_participation(
    *,
    appraisal: Appraisal,
    stakeholder: str,
    mode: str,
    reason: str,
    summary: str,
    user: User,
    expected_version: int | None = None,
) -> Participation:
    framework = _edition(appraisal)
    if stakeholder not in {s.id for s in framework.stakeholders}:
        raise ServiceError("Unknown group.")
    chosen = next((m for m in framework.participation_modes if m.id == mode), None)
    if chosen is None:
        raise ServiceError("Choose how this group took part.")
    if chosen.reason_required and not reason.strip():
        raise ServiceError("Explain why this group was not involved.")
    with changing(appraisal, Change.PARTICIPATION, actor=user) as change:
        record = Participation.objects.filter(appraisal=appraisal, stakeholder=stakeholder).first()
        before = _participation_values(record)
        _check_version(record.lock_version if record else 0, expected_version, before or {})
        if record is None:
            record = Participation(appraisal=appraisal, stakeholder=stakeholder, lock_version=0)
        record.mode = mode
        record.reason = reason.strip() if chosen.reason_required else ""
        record.summary = summary.strip()
        record.carried_forward = False
        record.lock_version += 1
        record.save()
        change.record(
            "participation.saved", target=stakeholder, before=before, after=_participation_values(record)
        )
        _touch(appraisal)
    return record


def _criteria_values(appraisal: Appraisal) -> dict[str, dict[str, str]]:
    return {
        r.criterion_id: {"rating": r.rating, "note": r.note}
        for r in CriterionRating.objects.filter(appraisal=appraisal).order_by("criterion_id")
    }


def save_criteria(
    *,
    appraisal: Appraisal,
    user: User,
    ratings: Mapping[str, tuple[str, str]],
    expected_version: int | None = None,
) -> None:
    """Rate the project against the criteria of trustworthy innovation (all of them at once).

    `expected_version` is the appraisal's `criteria_version` the person started from: if
    someone else saved the ratings in between, ConflictError carries what they saved."""
    framework = _edition(appraisal)
    expected = {c.id for c in framework.rateable_criteria()}
    if set(ratings) != expected:
        raise ServiceError("Rate every criterion.")
    if any(rating not in {r.id for r in framework.criterion_ratings} for rating, _ in ratings.values()):
        raise ServiceError("Choose a rating from the list.")
    with changing(appraisal, Change.CRITERIA, actor=user) as change:
        current = change.appraisal
        existing = _criteria_values(current)
        _check_version(current.criteria_version, expected_version, existing)
        before = {cid: [r["rating"], r["note"]] for cid, r in existing.items()} or None
        for criterion_id, (rating, note) in ratings.items():
            CriterionRating.objects.update_or_create(
                appraisal=appraisal,
                criterion_id=criterion_id,
                defaults={"rating": rating, "note": note.strip()},
            )
        current.criteria_version += 1
        Appraisal.objects.filter(pk=current.pk).update(criteria_version=current.criteria_version)
        after = {cid: [rating, note.strip()] for cid, (rating, note) in ratings.items()}
        change.record("criteria.rated", target="D1-D5", before=before, after=after)
        _touch(appraisal)
    appraisal.criteria_version = current.criteria_version


def _decision_values(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "decision": decision.decision,
        "reasoning": decision.reasoning,
        "departure_reason": decision.departure_reason,
        "is_departure": decision.is_departure,
        "route_allowed": decision.route_allowed,
        "accountable_person": decision.accountable_person,
        "decided_on": str(decision.decided_on),
        # Only once commitments are in use, so earlier events read as they always did.
        **(
            {
                "commitments_version": decision.commitments_version,
                "commitments_answer": decision.commitments_answer,
            }
            if decision.commitments_version is not None
            else {}
        ),
    }


def record_decision(
    *,
    appraisal: Appraisal,
    user: User,
    decision: str,
    reasoning: str,
    departure_reason: str,
    accountable_person: str,
    decided_on: datetime.date,
    expected_version: int | None = None,
    commitments_answer: str = "",
) -> Decision:
    with changing(appraisal, Change.DECISION, actor=user) as change:
        data = load_appraisal(change.appraisal)
        if not data.completeness.is_complete:
            raise ServiceError("Complete every part of the appraisal before recording a decision.")
        if decision not in {d.id for d in data.framework.decisions}:
            raise ServiceError("Choose a decision from the list.")
        if not reasoning.strip():
            raise ServiceError("Explain the reasoning for the decision.")
        statement = commitments.in_force(change.appraisal.organisation)
        if unanswered := commitments.answer_problem(statement, commitments_answer):
            raise _invalid(unanswered, "commitments_answer")
        problem = departure_problem(decision, data.route, departure_reason)
        if problem:
            raise ServiceError(problem)
        existing = Decision.objects.filter(appraisal=appraisal).first()
        before = _decision_values(existing)
        _check_version(existing.lock_version if existing else 0, expected_version, before or {})
        departure = is_departure(decision, data.route)
        record = existing or Decision(appraisal=appraisal, lock_version=0)
        record.decision = decision
        record.reasoning = reasoning.strip()
        record.departure_reason = departure_reason.strip() if departure else ""
        record.is_departure = departure
        record.route_allowed = list(data.route.allowed)
        record.accountable_person = accountable_person.strip()
        record.decided_on = decided_on
        record.recorded_by = user
        # The commitments in force now: approval signs this version (appraisals/commitments.py).
        record.commitments_version = statement.version if statement else None
        record.commitments_answer = commitments_answer.strip() if statement else ""
        record.lock_version += 1
        record.save()
        change.record("decision.recorded", target="decision", before=before, after=_decision_values(record))
        _touch(appraisal)
    return record


# --- post hoc evaluation ----------------------------------------------------------------------

NOT_EVALUATION = "What happened is recorded only at the post hoc evaluation stage."


def copy_evaluation(source: Appraisal, target: Appraisal) -> None:
    """A new version of an evaluation starts from what the approved one recorded."""
    Outcome.objects.bulk_create(
        Outcome(
            appraisal=target,
            row_id=o.row_id,
            register=o.register,
            result=o.result,
            evidence=o.evidence,
            handling=o.handling,
            lock_version=1,
        )
        for o in source.outcomes.all()
    )
    UnforeseenItem.objects.bulk_create(
        UnforeseenItem(
            appraisal=target,
            kind=u.kind,
            description=u.description,
            who_affected=u.who_affected,
            handling=u.handling,
            lock_version=1,
        )
        for u in source.unforeseen.order_by("created_at", "id")
    )
    lessons = Lessons.objects.filter(appraisal=source).first()
    if lessons is not None:
        Lessons.objects.create(appraisal=target, text=lessons.text, lock_version=1)


def _invalid(message: str, field: str) -> ServiceError:
    """A refusal shown next to one field of the form."""
    error = ServiceError(message)
    error.field = field
    return error


def _require_evaluation(appraisal: Appraisal) -> None:
    if not is_evaluation(appraisal.stage):
        raise ServiceError(NOT_EVALUATION)


def _outcome_values(outcome: Outcome | None) -> dict[str, str] | None:
    if outcome is None:
        return None
    return {"result": outcome.result, "evidence": outcome.evidence, "handling": outcome.handling}


def save_outcome(
    *,
    appraisal: Appraisal,
    row_id: int,
    user: User,
    result: str,
    evidence: str = "",
    handling: str = "",
    expected_version: int | None = None,
) -> Outcome:
    """Record what happened to one benefit or risk of the approved earlier stage.

    A benefit takes achieved, partly achieved, not achieved or too early to say, with the
    evidence; a risk whether it happened (yes, partly, no) and how it was handled."""
    with changing(appraisal, Change.OUTCOME, actor=user) as change:
        _require_evaluation(change.appraisal)
        evaluation = evaluation_of(change.appraisal)
        assert evaluation is not None
        expectation = evaluation.expectation(row_id)
        if expectation is None or evaluation.baseline_framework is None:
            raise ServiceError("Choose a benefit or risk carried forward from the approved stage.")
        kind = kind_of(evaluation.baseline_framework, expectation.row.register)
        assert kind is not None
        _check_outcome(kind, result, evidence, handling)
        outcome = expectation.outcome
        before = _outcome_values(outcome)
        _check_version(outcome.lock_version if outcome else 0, expected_version, before or {})
        if outcome is None:
            outcome = Outcome(
                appraisal=appraisal, row=expectation.row, register=kind.register, lock_version=0
            )
        outcome.result, outcome.evidence = result, evidence.strip()
        outcome.handling = handling.strip() if kind.id == "risk" else ""
        outcome.lock_version += 1
        outcome.save()
        change.record(
            "outcome.saved", target=f"{kind.register}:{row_id}", before=before, after=_outcome_values(outcome)
        )
        _touch(appraisal)
    return outcome


def _check_outcome(kind: Kind, result: str, evidence: str, handling: str) -> None:
    if result not in dict(kind.results):
        raise _invalid("Choose what happened from the list.", "result")
    if kind.id == "benefit" and not evidence.strip():
        raise _invalid("Enter the evidence for what happened.", "evidence")
    if kind.id == "risk" and not handling.strip():
        raise _invalid("Enter how the risk was handled.", "handling")


def carry_outcome(
    *, appraisal: Appraisal, row_id: int, user: User, result: str, evidence: str = "", handling: str = ""
) -> Outcome:
    """What an imported record says happened to one of the benefits or risks it carries.

    An imported evaluation has no approved stage here to look back on: what it looked back on
    comes in with it, as rows of its own, and what happened is recorded against those
    (`selectors.evaluation_of` reads them back from its outcomes). Refused once an earlier
    stage is approved here, and for a row that already has its outcome."""
    with changing(appraisal, Change.OUTCOME, actor=user) as change:
        _require_evaluation(change.appraisal)
        if evaluation_baseline(change.appraisal) is not None:
            raise ServiceError("Choose a benefit or risk carried forward from the approved stage.")
        row = RegisterRow.objects.filter(appraisal=appraisal, pk=row_id).first()
        kind = kind_of(change.appraisal.edition, row.register) if row is not None else None
        if row is None or kind is None:
            raise ServiceError("Choose a benefit or risk of this appraisal.")
        if Outcome.objects.filter(appraisal=appraisal, row=row).exists():
            raise ServiceError("What happened to this benefit or risk is recorded already.")
        _check_outcome(kind, result, evidence, handling)
        outcome = Outcome.objects.create(
            appraisal=appraisal, row=row, register=kind.register, result=result, evidence=evidence.strip(),
            handling=handling.strip() if kind.id == "risk" else "", lock_version=1,
        )  # fmt: skip
        change.record(
            "outcome.saved", target=f"{kind.register}:{row_id}", before=None, after=_outcome_values(outcome)
        )
        _touch(appraisal)
    return outcome


def _unforeseen_values(item: UnforeseenItem) -> dict[str, str]:
    return {
        "kind": item.kind,
        "description": item.description,
        "who_affected": item.who_affected,
        "handling": item.handling,
    }


def _check_unforeseen(kind: str, description: str) -> None:
    if kind not in dict(UNFORESEEN_KINDS):
        raise _invalid("Choose whether it was a harm or a benefit.", "kind")
    if not description.strip():
        raise _invalid("Describe what happened.", "description")


def add_unforeseen(
    *, appraisal: Appraisal, user: User, kind: str, description: str, who_affected: str = "",
    handling: str = "",
) -> UnforeseenItem:  # fmt: skip
    """Add a harm or a benefit that nobody expected."""
    _check_unforeseen(kind, description)
    with changing(appraisal, Change.UNFORESEEN, actor=user) as change:
        _require_evaluation(change.appraisal)
        item = UnforeseenItem.objects.create(
            appraisal=appraisal, kind=kind, description=description.strip(),
            who_affected=who_affected.strip(), handling=handling.strip(), lock_version=1,
        )  # fmt: skip
        change.record("unforeseen.added", target=f"unforeseen:{item.pk}", after=_unforeseen_values(item))
        _touch(appraisal)
    return item


def change_unforeseen(
    *, item: UnforeseenItem, user: User, kind: str, description: str, who_affected: str = "",
    handling: str = "", expected_version: int | None = None,
) -> UnforeseenItem:  # fmt: skip
    _check_unforeseen(kind, description)
    with changing(item.appraisal, Change.UNFORESEEN, actor=user) as change:
        _require_evaluation(change.appraisal)
        current = UnforeseenItem.objects.get(pk=item.pk)
        before = _unforeseen_values(current)
        _check_version(current.lock_version, expected_version, before)
        item.kind, item.description = kind, description.strip()
        item.who_affected, item.handling = who_affected.strip(), handling.strip()
        item.lock_version = current.lock_version + 1
        item.save()
        change.record(
            "unforeseen.changed",
            target=f"unforeseen:{item.pk}",
            before=before,
            after=_unforeseen_values(item),
        )
        _touch(item.appraisal)
    return item


def remove_unforeseen(*, item: UnforeseenItem, user: User) -> None:
    appraisal = item.appraisal
    with changing(appraisal, Change.UNFORESEEN, actor=user) as change:
        _require_evaluation(change.appraisal)
        change.record("unforeseen.removed", target=f"unforeseen:{item.pk}", before=_unforeseen_values(item))
        item.delete()
        _touch(appraisal)


def save_lessons(
    *, appraisal: Appraisal, user: User, text: str, expected_version: int | None = None
) -> Lessons:
    """Lessons for others, from what happened."""
    with changing(appraisal, Change.LESSONS, actor=user) as change:
        _require_evaluation(change.appraisal)
        lessons = Lessons.objects.filter(appraisal=appraisal).first()
        before = lessons.text if lessons else None
        _check_version(lessons.lock_version if lessons else 0, expected_version, {"text": before or ""})
        if lessons is None:
            lessons = Lessons(appraisal=appraisal, lock_version=0)
        lessons.text = text.strip()
        lessons.lock_version += 1
        lessons.save()
        change.record("lessons.saved", target="lessons", before=before, after=lessons.text)
        _touch(appraisal)
    return lessons
