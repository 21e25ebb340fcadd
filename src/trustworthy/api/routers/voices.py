"""Consultations with young people and families, responses gathered offline, and themes."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from trustworthy.appraisals.policy import Change
from trustworthy.voices import selectors, services
from trustworthy.voices.models import Consultation, Response, Theme
from trustworthy.voices.records import voices_section

from .. import scope
from ..fields import (
    CursorQuery,
    Description,
    FrameworkId,
    LimitQuery,
    Note,
    ObjectId,
    PathId,
    Title,
    check_personal_data,
)
from ..pagination import DEFAULT_LIMIT, page
from ..schemas import Confirmable, Page

TAGS = ["Voices of young people and families"]
router = Router(tags=TAGS)
by_appraisal = Router(tags=TAGS)  # mounted under appraisals/
GroupList = Annotated[list[FrameworkId], Field(max_length=40)]
QuestionList = Annotated[list[FrameworkId], Field(max_length=100)]


class ConsultationIn(Confirmable):
    title: Title
    description: Annotated[Description, Field(max_length=services.MAX_DESCRIPTION_CHARS)]
    groups: GroupList
    expires_on: datetime.date = Field(description=f"Within {services.MAX_CONSULTATION_DAYS} days from today.")


class ConsultationOut(Schema):
    id: int
    appraisal_id: int
    title: str
    description: str
    groups: list[str]
    expires_at: datetime.datetime
    closed_at: datetime.datetime | None
    is_open: bool


class NewLinkOut(Schema):
    consultation: ConsultationOut
    link: str = Field(description="The link for people to answer; shown once, never stored.")


class ConsultationPage(Page):
    items: list[ConsultationOut]


def consultation_out(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk, "appraisal_id": c.appraisal_id, "title": c.title, "description": c.description,
        "groups": list(c.groups), "expires_at": c.expires_at, "closed_at": c.closed_at, "is_open": c.is_open,
    }  # fmt: skip


def _link(request: HttpRequest, consultation: Consultation, token: str) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("voices-participate", args=[token]))
    return {"consultation": consultation_out(consultation), "link": url}


@by_appraisal.get("/{appraisal_id}/consultations", response=ConsultationPage, summary="List consultations")
def list_consultations(
    request: HttpRequest, appraisal_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    consultations = Consultation.objects.filter(appraisal=appraisal).select_related("appraisal")
    return page(consultations, cursor, limit, consultation_out)


@by_appraisal.post("/{appraisal_id}/consultations", response={201: NewLinkOut}, summary="Open a consultation")
def open_consultation(request: HttpRequest, appraisal_id: PathId, data: ConsultationIn) -> Any:
    """Leads, while the appraisal is being written. The answer carries the link, once."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.CONSULTATION)
    check_personal_data(data.confirm_personal_data, {"title": data.title, "description": data.description})
    new = services.open_consultation(
        appraisal=appraisal, user=request.user, title=data.title, description=data.description,
        groups=data.groups, expires_on=data.expires_on,
    )  # fmt: skip
    return Status(201, _link(request, new.consultation, new.token))


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = selectors.consultation_in(
        organisation_ids=scope.organisation_ids(request), consultation_id=consultation_id
    )
    scope.appraisal(request, consultation.appraisal_id, Change.CONSULTATION)
    return consultation


@router.post(
    "/consultations/{consultation_id}/close", response=ConsultationOut, summary="Close a consultation"
)
def close_consultation(request: HttpRequest, consultation_id: PathId) -> Any:
    consultation = _consultation(request, consultation_id)
    return consultation_out(services.close_consultation(consultation=consultation, user=request.user))


@router.post(
    "/consultations/{consultation_id}/link", response=NewLinkOut, summary="Replace a consultation's link"
)
def new_link(request: HttpRequest, consultation_id: PathId) -> Any:
    """The old link stops working; the answer carries the new one, once."""
    consultation = _consultation(request, consultation_id)
    token = services.new_link(consultation=consultation, user=request.user)
    return _link(request, consultation, token)


class ResponseIn(Confirmable):
    source: Literal["workshop", "paper", "advocate", "conversation", "other"]
    gathered_how: Annotated[Note, Field(min_length=1, max_length=500)]
    gathered_on: datetime.date | None = None
    group: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,40}$")] = ""
    good: Note = ""
    worries: Note = ""
    who_else: Note = ""
    understand: Note = ""
    anything_else: Note = ""


class ResponseOut(Schema):
    id: int
    appraisal_id: int
    consultation_id: int | None
    group: str
    source: str
    gathered_how: str
    gathered_on: datetime.date | None
    good: str
    worries: str
    who_else: str
    understand: str
    anything_else: str
    question_ids: list[str]
    theme_ids: list[int]
    created_at: datetime.datetime


class ResponsePage(Page):
    items: list[ResponseOut]


class LinksIn(Schema):
    question_ids: QuestionList = []
    theme_ids: Annotated[list[ObjectId], Field(max_length=100)] = []


def response_out(r: Response) -> dict[str, Any]:
    answers = {f: getattr(r, f) for f in Response.ANSWER_FIELDS}
    return answers | {
        "id": r.pk, "appraisal_id": r.appraisal_id, "consultation_id": r.consultation_id, "group": r.group,
        "source": r.source, "gathered_how": r.gathered_how, "gathered_on": r.gathered_on,
        "question_ids": list(r.question_ids), "theme_ids": sorted(t.pk for t in r.themes.all()),
        "created_at": r.created_at,
    }  # fmt: skip


@by_appraisal.get("/{appraisal_id}/responses", response=ResponsePage, summary="List responses")
def list_responses(
    request: HttpRequest, appraisal_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    responses = Response.objects.filter(appraisal=appraisal).prefetch_related("themes")
    return page(responses, cursor, limit, response_out)


@by_appraisal.post(
    "/{appraisal_id}/responses", response={201: ResponseOut}, summary="Add a response gathered offline"
)
def add_response(request: HttpRequest, appraisal_id: PathId, data: ResponseIn) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.RESPONSE)
    answers = {f: getattr(data, f) for f in Response.ANSWER_FIELDS}
    check_personal_data(data.confirm_personal_data, answers | {"gathered_how": data.gathered_how})
    response = services.enter_offline(
        appraisal=appraisal, user=request.user, group=data.group, source=data.source,
        gathered_how=data.gathered_how, gathered_on=data.gathered_on, answers=answers,
    )  # fmt: skip
    return Status(201, response_out(response))


@router.put(
    "/responses/{response_id}/links", response=ResponseOut, summary="Link a response to questions and themes"
)
def link_response(request: HttpRequest, response_id: PathId, data: LinksIn) -> Any:
    """Leads: which questions and themes a response bears on."""
    response = selectors.response_in(
        organisation_ids=scope.organisation_ids(request), response_id=response_id
    )
    scope.appraisal(request, response.appraisal_id, Change.THEME)
    services.link_response(
        response=response, user=request.user, question_ids=data.question_ids, theme_ids=data.theme_ids
    )
    return response_out(Response.objects.prefetch_related("themes").get(pk=response.pk))


class ThemeIn(Confirmable):
    name: Annotated[Title, Field(min_length=1)]
    description: Note = ""
    question_ids: QuestionList = []
    decision_note: Annotated[Description, Field(max_length=3000)] = ""


class ThemeOut(Schema):
    id: int
    appraisal_id: int
    name: str
    description: str
    question_ids: list[str]
    decision_note: str


class ThemePage(Page):
    items: list[ThemeOut]


def theme_out(t: Theme) -> dict[str, Any]:
    return {
        "id": t.pk, "appraisal_id": t.appraisal_id, "name": t.name, "description": t.description,
        "question_ids": list(t.question_ids), "decision_note": t.decision_note,
    }  # fmt: skip


def _theme_input(data: ThemeIn) -> dict[str, Any]:
    texts = {"name": data.name, "description": data.description, "decision_note": data.decision_note}
    check_personal_data(data.confirm_personal_data, texts)
    return texts | {"question_ids": data.question_ids}


@by_appraisal.get("/{appraisal_id}/themes", response=ThemePage, summary="List themes")
def list_themes(
    request: HttpRequest, appraisal_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return page(Theme.objects.filter(appraisal=appraisal), cursor, limit, theme_out)


@by_appraisal.post("/{appraisal_id}/themes", response={201: ThemeOut}, summary="Add a theme")
def add_theme(request: HttpRequest, appraisal_id: PathId, data: ThemeIn) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.THEME)
    theme = services.save_theme(appraisal=appraisal, user=request.user, **_theme_input(data))
    return Status(201, theme_out(theme))


@router.put("/themes/{theme_id}", response=ThemeOut, summary="Change a theme")
def change_theme(request: HttpRequest, theme_id: PathId, data: ThemeIn) -> Any:
    theme = selectors.theme_in(organisation_ids=scope.organisation_ids(request), theme_id=theme_id)
    appraisal, _ = scope.appraisal(request, theme.appraisal_id, Change.THEME)
    saved = services.save_theme(appraisal=appraisal, user=request.user, theme=theme, **_theme_input(data))
    return theme_out(saved)


# --- the summary ---------------------------------------------------------------------------


class CountOut(Schema):
    group: str = Field(description="The stakeholder group's id (empty: people did not say).")
    group_label: str
    source: str
    source_label: str
    count: int


class ThemeSummaryOut(Schema):
    name: str
    description: str
    decision_note: str
    question_ids: list[str]
    response_count: int


class VoicesSummaryOut(Schema):
    title: str
    consultation_count: int
    response_count: int
    counts: list[CountOut] = Field(description="Responses by group and how they were gathered.")
    themes: list[ThemeSummaryOut]
    question_ids: list[str] = Field(description="Every question a theme or a response is linked to.")


@by_appraisal.get("/{appraisal_id}/voices", response=VoicesSummaryOut, summary="Read the voices summary")
def voices_summary(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    """What young people and families told us, and what we did about it: counts by group and
    way of gathering, and every theme with its note on how it shaped the decision."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    section = voices_section(appraisal)
    return {
        "title": section.title, "consultation_count": section.consultation_count,
        "response_count": section.response_count, "counts": [vars(row) for row in section.counts],
        "themes": [vars(t) | {"question_ids": list(t.question_ids)} for t in section.themes],
        "question_ids": list(section.question_ids),
    }  # fmt: skip
