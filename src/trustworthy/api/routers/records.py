"""Decision records: the JSON document (following /schemas/decision-record-1.json), PDF and
Word; the family summary (“What we decided and why”); what the public version leaves out;
and publication on the public register (publish, replace, withdraw with a reason).

Each goes through the service its web page calls, with the same access rule: the summary
is read by everyone and changed by leads until the record is signed; the publishing page
is for leads (its changes checked against the appraisal's status: publishing needs an
approved record)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.reports import files, presenters, render_json, services
from trustworthy.reports.models import Publication
from trustworthy.reports.summary import readability

from .. import scope
from ..fields import Note, PathId, RecordKey, SummaryText, check_personal_data
from ..schemas import Confirmable

router = Router(tags=["Decision records"])
CONTENT_TYPES = {
    "json": "application/json",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
PUBLIC = "the public version"


def _download(request: HttpRequest, appraisal_id: int, fmt: str) -> HttpResponse:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    record = services.record_for(appraisal)
    response = HttpResponse(files.download(record, fmt), content_type=CONTENT_TYPES[fmt])
    if fmt != "json":
        name = presenters.file_name(appraisal, f"decision-record.{fmt}")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{appraisal_id}/record", response={200: dict}, summary="The decision record as JSON")
def record_json(request: HttpRequest, appraisal_id: PathId) -> HttpResponse:
    """The record as every format renders it; an approved one exactly as it was signed."""
    return _download(request, appraisal_id, "json")


@router.get("/{appraisal_id}/record.pdf", response={200: bytes}, summary="The decision record as PDF")
def record_pdf(request: HttpRequest, appraisal_id: PathId) -> HttpResponse:
    return _download(request, appraisal_id, "pdf")


@router.get("/{appraisal_id}/record.docx", response={200: bytes}, summary="The decision record as Word")
def record_docx(request: HttpRequest, appraisal_id: PathId) -> HttpResponse:
    return _download(request, appraisal_id, "docx")


# --- the family summary ---------------------------------------------------------------------


class HardSentenceOut(Schema):
    text: str
    reading_age: int


class SummaryOut(Schema):
    text: str
    edited: bool = Field(description="True: written by a lead; false: the draft made from the record.")
    updated_by: str | None
    updated_at: datetime.datetime | None
    reading_age: int
    reading_age_limit: int
    hardest: list[HardSentenceOut] = Field(description="Sentences above the limit, hardest first.")


class SummaryIn(Confirmable):
    text: SummaryText = Field(
        description="Written for a young person, with a blank line between paragraphs. "
        "Empty goes back to the draft made from the record."
    )


def summary_out(appraisal: Appraisal) -> dict[str, Any]:
    record = services.record_for(appraisal)
    settings = services.settings_for(appraisal)
    text = presenters.summary_text(record)
    score = readability(text)
    return {
        "text": text,
        "edited": bool(record.summary and record.summary.edited),
        "updated_by": str(settings.summary_updated_by) if settings.summary_updated_by else None,
        "updated_at": settings.summary_updated_at,
        "reading_age": score.reading_age,
        "reading_age_limit": score.limit,
        "hardest": [{"text": h.text, "reading_age": h.reading_age} for h in score.hardest],
    }


@router.get("/{appraisal_id}/summary", response=SummaryOut, summary="Read “What we decided and why”")
def get_summary(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    """The plain-language summary for young people and families: the lead's, or the draft."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return summary_out(appraisal)


@router.put("/{appraisal_id}/summary", response=SummaryOut, summary="Change “What we decided and why”")
def save_summary(request: HttpRequest, appraisal_id: PathId, data: SummaryIn) -> dict[str, Any]:
    """Leads, until the record is signed (409 once it is approved)."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.SUMMARY)
    check_personal_data(data.confirm_personal_data, {"text": data.text})
    services.save_summary(appraisal=appraisal, user=request.user, text=data.text)
    return summary_out(appraisal)


@router.get("/{appraisal_id}/summary.pdf", response={200: bytes}, summary="“What we decided and why” as PDF")
def summary_pdf(request: HttpRequest, appraisal_id: PathId) -> HttpResponse:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    response = HttpResponse(
        files.summary_pdf(services.record_to_show(appraisal)), content_type=CONTENT_TYPES["pdf"]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{presenters.file_name(appraisal, "what-we-decided.pdf")}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- publication ------------------------------------------------------------------------------


class PublicationOut(Schema):
    id: int
    title: str
    decision: str
    document_hash: str = Field(description="SHA-256 of the published document, as the audit trail holds it.")
    published_at: datetime.datetime
    published_by: str
    withdrawn_at: datetime.datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str
    public_url: str | None = Field(description="Its page on the public register, while it is live.")


class ExclusionItem(Schema):
    key: str
    where: str
    text: str


class PublicationState(Schema):
    live: PublicationOut | None
    changed_since: bool = Field(description=f"Whether {PUBLIC} now differs from what was published.")
    earlier: list[PublicationOut] = Field(description="Publications replaced or withdrawn, newest first.")
    problems: list[str] = Field(description="Why it cannot be published now (empty: it can).")
    items: list[ExclusionItem] = Field(description=f"Free text that can be left out of {PUBLIC}, by key.")
    not_for_publication: list[str] = Field(description=f"The keys {PUBLIC} leaves out.")


class ExclusionsIn(Schema):
    not_for_publication: Annotated[list[RecordKey], Field(max_length=500)] = Field(
        description=f"Keys (from `items`) of what {PUBLIC} leaves out; the list replaces the last one."
    )


class ReasonIn(Confirmable):
    reason: Annotated[Note, Field(min_length=1)] = Field(
        description="Kept with the record's history for your organisation."
    )


def publication_out(request: HttpRequest, p: Publication) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("public-record", args=[p.appraisal_id])) if p.is_live else None
    return {
        "id": p.pk, "title": p.title, "decision": p.decision, "document_hash": p.document_hash,
        "published_at": p.published_at, "published_by": str(p.published_by), "withdrawn_at": p.withdrawn_at,
        "withdrawn_by": str(p.withdrawn_by) if p.withdrawn_by else None,
        "withdrawn_reason": p.withdrawn_reason, "public_url": url,
    }  # fmt: skip


def publication_state(request: HttpRequest, appraisal: Appraisal) -> dict[str, Any]:
    data = load_appraisal(appraisal)
    public = services.record_for(appraisal, public=True, data=data)
    publications = Publication.objects.filter(appraisal=appraisal).select_related(
        "published_by", "withdrawn_by"
    )
    live = next((p for p in publications if p.is_live), None)
    changed = live is not None and render_json.without_volatile(
        render_json.to_dict(public)
    ) != render_json.without_volatile(live.document)
    return {
        "live": None if live is None else publication_out(request, live),
        "changed_since": changed,
        "earlier": [publication_out(request, p) for p in publications if not p.is_live],
        "problems": services.publication_problems(appraisal, public),
        "items": presenters.exclusion_items(services.record_for(appraisal, data=data)),
        "not_for_publication": list(services.settings_for(appraisal).not_for_publication),
    }


@router.get("/{appraisal_id}/publication", response=PublicationState, summary="Read the publication state")
def get_publication(request: HttpRequest, appraisal_id: PathId) -> dict[str, Any]:
    """Leads, as on the publishing page: what is published, whether it can be, and what
    the public version leaves out."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.PUBLICATION, read="role")
    return publication_state(request, appraisal)


@router.put(
    "/{appraisal_id}/publication/exclusions",
    response=PublicationState,
    summary="Choose what the public version leaves out",
)
def set_exclusions(request: HttpRequest, appraisal_id: PathId, data: ExclusionsIn) -> dict[str, Any]:
    """Leads, before or after approval. A live publication keeps what it showed until it
    is replaced."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.RECORD_SETTINGS)
    services.set_not_for_publication(appraisal=appraisal, user=request.user, keys=data.not_for_publication)
    return publication_state(request, appraisal)


@router.post("/{appraisal_id}/publication", response={201: PublicationState}, summary="Publish the record")
def publish(request: HttpRequest, appraisal_id: PathId) -> Status:
    """Leads, once the record is approved (409 before). The public version is checked for
    personal data and stored exactly as published; 422 lists what stops it."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.PUBLICATION)
    services.publish(appraisal=appraisal, user=request.user)
    return Status(201, publication_state(request, appraisal))


@router.post(
    "/{appraisal_id}/publication/replace",
    response=PublicationState,
    summary="Replace the published record",
)
def replace_publication(request: HttpRequest, appraisal_id: PathId, data: ReasonIn) -> dict[str, Any]:
    """Publish the public version as it now stands in place of the live one, which is kept,
    marked replaced, with the reason."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.PUBLICATION)
    check_personal_data(data.confirm_personal_data, {"reason": data.reason})
    services.replace_publication(appraisal=appraisal, user=request.user, reason=data.reason)
    return publication_state(request, appraisal)


@router.post(
    "/{appraisal_id}/publication/withdraw",
    response=PublicationState,
    summary="Take the record off the public register",
)
def withdraw_publication(request: HttpRequest, appraisal_id: PathId, data: ReasonIn) -> dict[str, Any]:
    """It is kept, marked withdrawn, with the reason."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.PUBLICATION)
    check_personal_data(data.confirm_personal_data, {"reason": data.reason})
    services.withdraw_publication(appraisal=appraisal, user=request.user, reason=data.reason)
    return publication_state(request, appraisal)
