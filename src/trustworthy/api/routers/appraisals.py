"""Appraisals and what is written in them: answers, principle ratings, register rows,
participation, the criteria of trustworthy innovation and the decision.

Every write finds the appraisal through the web's access rule (role and status checked
for the change: 403, then 409) and calls the same service; a stale `version` gets 409
with the current record."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from trustworthy.appraisals import policy, selectors, services
from trustworthy.appraisals.models import Answer, Appraisal, Participation, RegisterRow
from trustworthy.appraisals.policy import Change
from trustworthy.core.errors import Invalid
from trustworthy.framework import Question, Register

from .. import scope
from ..fields import (
    CursorQuery,
    FrameworkId,
    LimitQuery,
    LongText,
    Note,
    PathId,
    PathKey,
    ShortLine,
    Version,
    check_links,
    check_personal_data,
)
from ..pagination import DEFAULT_LIMIT, page
from ..schemas import Confirmable, Page

router = Router(tags=["Appraisals"])

StatusName = Literal["draft", "in-review", "changes-requested", "approved", "withdrawn"]
VERSION_HELP = (
    "The version you started from (0 for something new); a stale one gets 409 with the current record."
)


# --- the appraisal ------------------------------------------------------------------------


class AppraisalSummary(Schema):
    id: int
    project_id: int
    organisation_id: int
    stage: str
    version: int
    status: str
    framework: str
    previous_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AppraisalOut(AppraisalSummary):
    version_reason: str
    approved_at: datetime.datetime | None
    review_date: datetime.date | None
    record_hash: str
    complete: bool
    unanswered: list[str]
    route_allowed: list[str]
    transitions: list[str] = Field(description="The workflow steps your role may take now.")


class AppraisalPage(Page):
    items: list[AppraisalSummary]


def appraisal_summary(appraisal: Appraisal) -> dict[str, Any]:
    return {
        "id": appraisal.pk,
        "project_id": appraisal.project_id,
        "organisation_id": appraisal.organisation_id,
        "stage": appraisal.stage,
        "version": appraisal.version,
        "status": appraisal.status,
        "framework": appraisal.framework_key,
        "previous_id": appraisal.previous_id,
        "created_at": appraisal.created_at,
        "updated_at": appraisal.updated_at,
    }


def appraisal_out(request: HttpRequest, appraisal: Appraisal) -> dict[str, Any]:
    _, membership = scope.appraisal(request, appraisal.pk)
    data = selectors.load_appraisal(appraisal)
    return appraisal_summary(appraisal) | {
        "version_reason": appraisal.version_reason,
        "approved_at": appraisal.approved_at,
        "review_date": appraisal.review_date,
        "record_hash": appraisal.record_hash,
        "complete": data.completeness.is_complete,
        "unanswered": list(data.completeness.unanswered),
        "route_allowed": list(data.route.allowed),
        "transitions": [t.name for t in policy.available_transitions(appraisal.status, membership.role)],
    }


@router.get("", response=AppraisalPage, summary="List appraisals")
def list_appraisals(
    request: HttpRequest,
    project: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status: Annotated[StatusName | None, Query()] = None,
    stage: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Appraisals of your organisation, filtered by project, status or stage."""
    appraisals = Appraisal.objects.filter(organisation_id__in=scope.organisation_ids(request))
    if project is not None:
        appraisals = appraisals.filter(project_id=project)
    if status is not None:
        appraisals = appraisals.filter(status=status)
    if stage is not None:
        appraisals = appraisals.filter(stage=stage)
    return page(appraisals.defer("signed_content", "approved_snapshot"), cursor, limit, appraisal_summary)


@router.get("/{appraisal_id}", response=AppraisalOut, summary="Read an appraisal")
def get_appraisal(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    """Its status, whether it is complete, what the framework allows and your next steps."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return appraisal_out(request, appraisal)


# --- answers ------------------------------------------------------------------------------


class AnswerOut(Schema):
    question_id: str
    aspect: str
    value: str
    rationale: str
    evidence: str
    version: int
    carried_forward: bool


class AnswerIn(Confirmable):
    value: Annotated[str, StringConstraints(max_length=20, pattern=r"^[A-Za-z0-9_-]*$")] = Field(
        "", description="An id from the framework's answer scale; empty for open questions."
    )
    rationale: LongText
    evidence: Annotated[Note, Field(description="Web links, one on each line.")] = ""
    version: Version | None = Field(None, description=VERSION_HELP)


def answer_out(answer: Answer) -> dict[str, Any]:
    return {
        "question_id": answer.question_id,
        "aspect": answer.aspect,
        "value": answer.value,
        "rationale": answer.rationale,
        "evidence": answer.evidence,
        "version": answer.lock_version,
        "carried_forward": answer.carried_forward,
    }


def _question(appraisal: Appraisal, question_id: str) -> Question:
    framework = scope.edition(appraisal)
    if not framework.has_question(question_id):
        raise Http404
    return framework.question(question_id)


@router.get("/{appraisal_id}/answers", response=list[AnswerOut], summary="Read every answer")
def list_answers(request: HttpRequest, appraisal_id: PathId) -> list[dict[str, Any]]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    answers = Answer.objects.filter(appraisal=appraisal).order_by("question_id", "aspect")
    return [answer_out(a) for a in answers]


@router.put("/{appraisal_id}/answers/{question_id}", response=AnswerOut, summary="Answer a question")
def save_answer(request: HttpRequest, appraisal_id: PathId, question_id: PathKey, data: AnswerIn) -> Any:
    """Leads and contributors, while the appraisal is a draft or changes are requested.
    Principle questions (E) are answered through `principles`."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.ANSWER)
    question = _question(appraisal, question_id)
    if question.kind == "principles":
        raise Invalid(f"{question.id} is answered with ratings: use the principles endpoint.")
    if question.has_closed_answer and not data.value:
        raise Invalid("Choose an answer from the answer scale.")
    if not data.rationale.strip():
        raise Invalid("Enter the reasons for your answer.")
    check_links(data.evidence)
    check_personal_data(data.confirm_personal_data, {"rationale": data.rationale})
    answer = services.save_answer(
        appraisal=appraisal, question_id=question.id, user=request.user,
        value=data.value if question.has_closed_answer else "", rationale=data.rationale,
        evidence=data.evidence, expected_version=data.version,
    )  # fmt: skip
    return answer_out(answer)


# --- principles ---------------------------------------------------------------------------


class RatingIn(Schema):
    rating: FrameworkId
    note: Note = ""


class PrinciplesIn(Confirmable):
    value: Annotated[str, StringConstraints(max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]
    rationale: LongText
    ratings: Annotated[dict[FrameworkId, RatingIn], Field(max_length=40)] = Field(
        description="A rating for every principle of the question's cluster, by principle id."
    )
    version: Version | None = Field(None, description=VERSION_HELP)


class PrincipleRatingOut(Schema):
    aspect: str
    principle_id: str
    rating: str
    note: str
    carried_forward: bool


@router.get("/{appraisal_id}/principles", response=list[PrincipleRatingOut], summary="Read principle ratings")
def list_principles(request: HttpRequest, appraisal_id: PathId) -> list[dict[str, Any]]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    ratings = appraisal.principle_ratings.order_by("aspect", "principle_id")
    return [
        {"aspect": r.aspect, "principle_id": r.principle_id, "rating": r.rating, "note": r.note,
         "carried_forward": r.carried_forward}
        for r in ratings
    ]  # fmt: skip


@router.put(
    "/{appraisal_id}/principles/{question_id}/{aspect}",
    response=AnswerOut,
    summary="Answer one aspect of a principles question",
)
def save_principles(
    request: HttpRequest, appraisal_id: PathId, question_id: PathKey, aspect: PathKey, data: PrinciplesIn
) -> Any:
    """The answer and a rating of every principle of its cluster, for the process or the
    innovation itself (leads and contributors, while it is being written)."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.RATINGS)
    question = _question(appraisal, question_id)
    if question.kind != "principles" or aspect not in {a.id for a in scope.edition(appraisal).aspects}:
        raise Http404
    if not data.rationale.strip():
        raise Invalid("Enter the reasons for your answer.")
    texts = {"rationale": data.rationale} | {f"note {pid}": r.note for pid, r in data.ratings.items()}
    check_personal_data(data.confirm_personal_data, texts)
    services.save_principles(
        appraisal=appraisal, question_id=question.id, aspect=aspect, user=request.user, value=data.value,
        rationale=data.rationale, expected_version=data.version,
        ratings={pid: (r.rating, r.note) for pid, r in data.ratings.items()},
    )  # fmt: skip
    return answer_out(Answer.objects.get(appraisal=appraisal, question_id=question.id, aspect=aspect))


# --- register rows ------------------------------------------------------------------------

RowValue = (
    Annotated[int, Field(ge=-(2**31), le=2**31)] | Note | Annotated[list[FrameworkId], Field(max_length=40)]
)


class RowIn(Confirmable):
    data: Annotated[dict[FrameworkId, RowValue], Field(max_length=40)] = Field(
        description="The row's fields, as the register defines them in the framework."
    )


class RowUpdate(RowIn):
    version: Version | None = Field(None, description=VERSION_HELP)


class RowOut(Schema):
    id: int
    register_id: str
    data: dict[str, Any]
    version: int
    carried_forward: bool
    risk_score: int | None


class RowPage(Page):
    items: list[RowOut]


def row_out(row: RegisterRow) -> dict[str, Any]:
    return {
        "id": row.pk,
        "register_id": row.register,
        "data": row.data,
        "version": row.lock_version,
        "carried_forward": row.carried_forward,
        "risk_score": row.risk_score,
    }


def _register(appraisal: Appraisal, register_id: str) -> Register:
    register = next((r for r in scope.edition(appraisal).registers if r.id == register_id), None)
    if register is None:
        raise Http404
    return register


def _row_data(register: Register, data: RowIn) -> dict[str, Any]:
    """Each field in the type the register gives it (the service checks the values)."""
    types = {"text": str, "choice": str, "multichoice": list, "integer": int}
    for field in register.fields:
        value = data.data.get(field.id)
        if value is not None and not isinstance(value, types.get(field.type, str)):
            raise Invalid(f"{field.label}: send a {'list' if field.type == 'multichoice' else field.type}.")
    texts = {k: v for k, v in data.data.items() if isinstance(v, str)}
    check_personal_data(data.confirm_personal_data, texts)
    return dict(data.data)


@router.get(
    "/{appraisal_id}/registers/{register_id}/rows", response=RowPage, summary="List a register's rows"
)
def list_rows(
    request: HttpRequest,
    appraisal_id: PathId,
    register_id: PathKey,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    register = _register(appraisal, register_id)
    return page(appraisal.register_rows.filter(register=register.id), cursor, limit, row_out)


@router.post(
    "/{appraisal_id}/registers/{register_id}/rows", response={201: RowOut}, summary="Add a register row"
)
def add_row(request: HttpRequest, appraisal_id: PathId, register_id: PathKey, data: RowIn) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.REGISTER)
    register = _register(appraisal, register_id)
    row = services.add_register_row(
        appraisal=appraisal, register_id=register.id, data=_row_data(register, data), user=request.user
    )
    return Status(201, row_out(row))


def _row(appraisal: Appraisal, register: Register, row_id: int) -> RegisterRow:
    return get_object_or_404(RegisterRow, pk=row_id, appraisal=appraisal, register=register.id)


@router.put(
    "/{appraisal_id}/registers/{register_id}/rows/{row_id}", response=RowOut, summary="Change a register row"
)
def change_row(
    request: HttpRequest, appraisal_id: PathId, register_id: PathKey, row_id: PathId, data: RowUpdate
) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.REGISTER)
    register = _register(appraisal, register_id)
    row = _row(appraisal, register, row_id)
    row = services.change_register_row(
        row=row, data=_row_data(register, data), user=request.user, expected_version=data.version
    )
    return row_out(row)


@router.delete(
    "/{appraisal_id}/registers/{register_id}/rows/{row_id}",
    response={204: None},
    summary="Remove a register row",
)
def remove_row(request: HttpRequest, appraisal_id: PathId, register_id: PathKey, row_id: PathId) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.REGISTER)
    row = _row(appraisal, _register(appraisal, register_id), row_id)
    services.remove_register_row(row=row, user=request.user)
    return HttpResponse(status=204)


# --- participation ------------------------------------------------------------------------


class ParticipationIn(Confirmable):
    mode: FrameworkId
    reason: Note = ""
    summary: LongText = ""
    version: Version | None = Field(None, description=VERSION_HELP)


class ParticipationOut(Schema):
    stakeholder: str
    mode: str
    reason: str
    summary: str
    version: int
    carried_forward: bool


def participation_out(record: Participation) -> dict[str, Any]:
    return {
        "stakeholder": record.stakeholder, "mode": record.mode, "reason": record.reason,
        "summary": record.summary, "version": record.lock_version, "carried_forward": record.carried_forward,
    }  # fmt: skip


@router.get("/{appraisal_id}/participation", response=list[ParticipationOut], summary="Read participation")
def list_participation(request: HttpRequest, appraisal_id: PathId) -> list[dict[str, Any]]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return [participation_out(p) for p in appraisal.participation.order_by("stakeholder")]


@router.put(
    "/{appraisal_id}/participation/{stakeholder}",
    response=ParticipationOut,
    summary="Say how a group took part",
)
def save_participation(
    request: HttpRequest, appraisal_id: PathId, stakeholder: PathKey, data: ParticipationIn
) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.PARTICIPATION)
    if stakeholder not in {s.id for s in scope.edition(appraisal).stakeholders}:
        raise Http404
    check_personal_data(data.confirm_personal_data, {"reason": data.reason, "summary": data.summary})
    record = services.save_participation(
        appraisal=appraisal, stakeholder=stakeholder, mode=data.mode, reason=data.reason,
        summary=data.summary, user=request.user, expected_version=data.version,
    )  # fmt: skip
    return participation_out(record)


# --- criteria of trustworthy innovation -------------------------------------------------


class CriteriaOut(Schema):
    ratings: dict[str, RatingIn]
    version: int = Field(description="Send it back with your next save of the ratings.")


class CriteriaIn(Confirmable):
    ratings: Annotated[dict[FrameworkId, RatingIn], Field(max_length=40)] = Field(
        description="A rating (and an optional note) for every criterion, by criterion id."
    )
    version: Version | None = Field(
        None, description="The version you started from; a stale one gets 409 with the current ratings."
    )


def criteria_out(appraisal: Appraisal) -> dict[str, Any]:
    return {
        "ratings": {
            r.criterion_id: {"rating": r.rating, "note": r.note}
            for r in selectors.criterion_ratings(appraisal)
        },
        "version": appraisal.criteria_version,
    }


@router.get("/{appraisal_id}/criteria", response=CriteriaOut, summary="Read the criteria ratings")
def get_criteria(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return criteria_out(appraisal)


@router.put("/{appraisal_id}/criteria", response=CriteriaOut, summary="Rate the criteria (all at once)")
def save_criteria(request: HttpRequest, appraisal_id: PathId, data: CriteriaIn) -> dict[str, Any]:
    """Leads and contributors, while it is being written. The ratings are one record with
    one version: a stale `version` gets 409 with the ratings as they are now."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.CRITERIA)
    check_personal_data(data.confirm_personal_data, {f"note {k}": r.note for k, r in data.ratings.items()})
    services.save_criteria(
        appraisal=appraisal,
        user=request.user,
        ratings={k: (r.rating, r.note) for k, r in data.ratings.items()},
        expected_version=data.version,
    )
    return criteria_out(appraisal)


# --- the decision ---------------------------------------------------------------------------


class DecisionIn(Confirmable):
    decision: FrameworkId
    reasoning: LongText
    departure_reason: LongText = ""
    accountable_person: ShortLine
    decided_on: datetime.date
    version: Version | None = Field(None, description=VERSION_HELP)
    commitments_answer: LongText = Field(
        "", description="How the decision is consistent with the organisation's ethical commitments in force "
        "(required while it has some)."
    )  # fmt: skip


class DecisionOut(Schema):
    decision: str
    reasoning: str
    departure_reason: str
    is_departure: bool
    route_allowed: list[str]
    accountable_person: str
    decided_on: datetime.date
    version: int


class DecisionState(Schema):
    recorded: DecisionOut | None
    allowed: list[str] = Field(description="The decisions the framework allows from the answers.")


def decision_state(appraisal: Appraisal) -> dict[str, Any]:
    data = selectors.load_appraisal(appraisal)
    d = data.decision
    recorded = None
    if d is not None:
        recorded = {
            "decision": d.decision, "reasoning": d.reasoning, "departure_reason": d.departure_reason,
            "is_departure": d.is_departure, "route_allowed": list(d.route_allowed),
            "accountable_person": d.accountable_person, "decided_on": d.decided_on, "version": d.lock_version,
        }  # fmt: skip
    return {"recorded": recorded, "allowed": list(data.route.allowed)}


@router.get("/{appraisal_id}/decision", response=DecisionState, summary="Read the decision")
def get_decision(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return decision_state(appraisal)


@router.put("/{appraisal_id}/decision", response=DecisionState, summary="Record the decision")
def record_decision(request: HttpRequest, appraisal_id: PathId, data: DecisionIn) -> dict[str, Any]:
    """Approvers, until the appraisal is signed; every part must be complete."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.DECISION)
    if not data.accountable_person.strip():
        raise Invalid("Enter the name and role of the accountable person.")
    texts = {"reasoning": data.reasoning, "departure_reason": data.departure_reason}
    texts["commitments_answer"] = data.commitments_answer
    check_personal_data(data.confirm_personal_data, texts)
    services.record_decision(
        appraisal=appraisal, user=request.user, decision=data.decision, reasoning=data.reasoning,
        departure_reason=data.departure_reason, accountable_person=data.accountable_person,
        decided_on=data.decided_on, expected_version=data.version, commitments_answer=data.commitments_answer,
    )  # fmt: skip
    return decision_state(appraisal)
