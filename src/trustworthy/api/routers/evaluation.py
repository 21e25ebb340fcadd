"""Post hoc evaluation: what happened to each benefit and risk of the approved earlier
stage, harms and benefits nobody expected, and lessons for others.

Only an appraisal at the evaluation stage has one: any other stage answers 404, as its web
page does. Writes find the appraisal through the web's access rule (role, then status:
403, then 409) and call the same services; a stale `version` gets 409 with the current
record."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from trustworthy.appraisals import presenters, selectors, services
from trustworthy.appraisals.models import Appraisal, Lessons, UnforeseenItem
from trustworthy.appraisals.policy import Change
from trustworthy.appraisals.selectors import EvaluationData, Expectation
from trustworthy.core.errors import Invalid

from .. import scope
from ..fields import LongText, Note, PathId, ShortLine, Version, check_personal_data
from ..schemas import Confirmable

router = Router(tags=["Post hoc evaluation"])
VERSION_HELP = (
    "The version you started from (0 for something new); a stale one gets 409 with the current record."
)
UnforeseenKind = Literal["harm", "benefit"]


class Choice(Schema):
    id: str
    label: str


class OutcomeOut(Schema):
    result: str
    result_label: str
    evidence: str
    handling: str


class ExpectationOut(Schema):
    row_id: int = Field(description="The row of the approved stage's register.")
    register_id: str
    kind: Literal["benefit", "risk"]
    headline: str
    expected: list[Choice] = Field(description="The row as it was approved: each field's label and value.")
    results: list[Choice] = Field(description="What may be recorded as having happened.")
    outcome: OutcomeOut | None = Field(description="What happened; null until it is recorded.")
    version: int = Field(description="Send it back with your next save of the outcome (0: none yet).")


class UnforeseenOut(Schema):
    id: int
    kind: str = Field(description="harm or benefit")
    kind_label: str
    description: str
    who_affected: str
    handling: str
    version: int


class LessonsOut(Schema):
    text: str
    version: int = Field(description="Send it back with your next save of the lessons (0: none yet).")


class EvaluationOut(Schema):
    appraisal_id: int
    baseline_id: int | None = Field(
        description="The approved earlier stage the evaluation looks back on (null: none is approved yet)."
    )
    benefits: list[ExpectationOut]
    risks: list[ExpectationOut]
    recorded: int = Field(description="How many benefits and risks have what happened recorded.")
    unforeseen: list[UnforeseenOut]
    lessons: LessonsOut


class OutcomeIn(Confirmable):
    result: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,20}$")] = Field(
        description="One of the expectation's `results`."
    )
    evidence: Annotated[Note, Field(description="Required for a benefit.")] = ""
    handling: Annotated[Note, Field(description="For a risk (required): how it was handled.")] = ""
    version: Version | None = Field(None, description=VERSION_HELP)


class UnforeseenIn(Confirmable):
    kind: UnforeseenKind
    description: Note
    who_affected: ShortLine = ""
    handling: Note = ""


class UnforeseenUpdate(UnforeseenIn):
    version: Version | None = Field(None, description=VERSION_HELP)


class LessonsIn(Confirmable):
    text: LongText
    version: Version | None = Field(None, description=VERSION_HELP)


def _evaluation(appraisal: Appraisal) -> EvaluationData:
    """The evaluation of an appraisal at the evaluation stage; any other stage has none (404)."""
    evaluation = selectors.evaluation_of(appraisal)
    if evaluation is None:
        raise Http404
    return evaluation


def expectation_out(evaluation: EvaluationData, expectation: Expectation) -> dict[str, Any]:
    card = presenters.expectation_card(evaluation, expectation)
    outcome = expectation.outcome
    return {
        "row_id": card.row_id,
        "register_id": expectation.row.register,
        "kind": card.kind.id,
        "headline": card.headline,
        "expected": [{"id": label, "label": value} for label, value in card.expected],
        "results": [{"id": k, "label": v} for k, v in card.kind.results],
        "outcome": None if outcome is None else {
            "result": outcome.result, "result_label": card.result_label,
            "evidence": outcome.evidence, "handling": outcome.handling,
        },
        "version": outcome.lock_version if outcome else 0,
    }  # fmt: skip


def unforeseen_out(item: UnforeseenItem) -> dict[str, Any]:
    return {
        "id": item.pk, "kind": item.kind, "kind_label": presenters.unforeseen_label(item.kind),
        "description": item.description, "who_affected": item.who_affected, "handling": item.handling,
        "version": item.lock_version,
    }  # fmt: skip


def lessons_out(lessons: Lessons | None) -> dict[str, Any]:
    return {"text": lessons.text if lessons else "", "version": lessons.lock_version if lessons else 0}


def evaluation_out(evaluation: EvaluationData) -> dict[str, Any]:
    return {
        "appraisal_id": evaluation.appraisal.pk,
        "baseline_id": evaluation.baseline.pk if evaluation.baseline else None,
        "benefits": [expectation_out(evaluation, e) for e in evaluation.benefits],
        "risks": [expectation_out(evaluation, e) for e in evaluation.risks],
        "recorded": evaluation.recorded,
        "unforeseen": [unforeseen_out(item) for item in evaluation.unforeseen],
        "lessons": lessons_out(evaluation.lessons),
    }


@router.get("/{appraisal_id}/evaluation", response=EvaluationOut, summary="Read the post hoc evaluation")
def get_evaluation(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    """Every benefit and risk of the approved earlier stage with what happened to it, what
    nobody expected, and the lessons. Only at the evaluation stage (any other: 404)."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return evaluation_out(_evaluation(appraisal))


@router.put(
    "/{appraisal_id}/evaluation/outcomes/{row_id}",
    response=ExpectationOut,
    summary="Record what happened to a benefit or risk",
)
def save_outcome(request: HttpRequest, appraisal_id: PathId, row_id: PathId, data: OutcomeIn) -> Any:
    """Leads and contributors, while the evaluation is being written. A benefit needs the
    evidence; a risk how it was handled."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.OUTCOME)
    if _evaluation(appraisal).expectation(row_id) is None:
        raise Http404
    check_personal_data(data.confirm_personal_data, {"evidence": data.evidence, "handling": data.handling})
    services.save_outcome(
        appraisal=appraisal, row_id=row_id, user=request.user, result=data.result,
        evidence=data.evidence, handling=data.handling, expected_version=data.version,
    )  # fmt: skip
    evaluation = _evaluation(appraisal)
    expectation = evaluation.expectation(row_id)
    assert expectation is not None
    return expectation_out(evaluation, expectation)


def _texts(data: UnforeseenIn) -> dict[str, str]:
    texts = {"description": data.description, "who_affected": data.who_affected, "handling": data.handling}
    check_personal_data(data.confirm_personal_data, texts)
    return texts


@router.post(
    "/{appraisal_id}/evaluation/unforeseen",
    response={201: UnforeseenOut},
    summary="Add a harm or benefit nobody expected",
)
def add_unforeseen(request: HttpRequest, appraisal_id: PathId, data: UnforeseenIn) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.UNFORESEEN)
    _evaluation(appraisal)
    item = services.add_unforeseen(appraisal=appraisal, user=request.user, kind=data.kind, **_texts(data))
    return Status(201, unforeseen_out(item))


def _item(request: HttpRequest, appraisal_id: int, item_id: int) -> UnforeseenItem:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.UNFORESEEN)
    _evaluation(appraisal)
    return get_object_or_404(
        UnforeseenItem.objects.select_related("appraisal"), pk=item_id, appraisal=appraisal
    )


@router.put(
    "/{appraisal_id}/evaluation/unforeseen/{item_id}",
    response=UnforeseenOut,
    summary="Change a harm or benefit nobody expected",
)
def change_unforeseen(
    request: HttpRequest, appraisal_id: PathId, item_id: PathId, data: UnforeseenUpdate
) -> Any:
    item = _item(request, appraisal_id, item_id)
    item = services.change_unforeseen(
        item=item, user=request.user, kind=data.kind, expected_version=data.version, **_texts(data)
    )
    return unforeseen_out(item)


@router.delete(
    "/{appraisal_id}/evaluation/unforeseen/{item_id}",
    response={204: None},
    summary="Remove a harm or benefit nobody expected",
)
def remove_unforeseen(request: HttpRequest, appraisal_id: PathId, item_id: PathId) -> Any:
    services.remove_unforeseen(item=_item(request, appraisal_id, item_id), user=request.user)
    return HttpResponse(status=204)


@router.put("/{appraisal_id}/evaluation/lessons", response=LessonsOut, summary="Write the lessons for others")
def save_lessons(request: HttpRequest, appraisal_id: PathId, data: LessonsIn) -> Any:
    """What would you tell another organisation trying this? A stale `version` gets 409
    with the lessons as they are now."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.LESSONS)
    _evaluation(appraisal)
    if not data.text.strip():
        raise Invalid("Enter the lessons for others.")
    check_personal_data(data.confirm_personal_data, {"text": data.text})
    return lessons_out(
        services.save_lessons(
            appraisal=appraisal, user=request.user, text=data.text, expected_version=data.version
        )
    )
