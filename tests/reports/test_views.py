"""Record pages, downloads, the family summary, publishing and the public register."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from trustworthy.appraisals.models import Answer, Appraisal
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.reports import render_json
from trustworthy.reports.models import Publication, RecordSettings
from trustworthy.reports.summary import readability

from .conftest import approve
from .test_formats import pdf_text

pytestmark = pytest.mark.django_db


def test_record_page_and_downloads(client_as: Callable[[str], Client], decided: Appraisal) -> None:
    client = client_as("viewer")
    base = f"/appraisals/{decided.pk}/record/"
    page = client.get(base).content.decode()
    assert "Proceed with mitigations" in page
    for link in ("decision-record.pdf", "decision-record.docx", "decision-record.json", "summary/"):
        assert f'href="{base}{link}"' in page
    assert "Publish this record" not in page  # viewers cannot publish
    tasks = client.get(f"/appraisals/{decided.pk}/").content.decode()
    assert f'href="{base}"' in tasks
    response = client.get(base + "decision-record.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert (
        'filename="family-group-conferencing-for-every-family-inception-decision-record.pdf"'
        in response["Content-Disposition"]
    )
    assert "We weighed it all." in pdf_text(response.content)
    docx = Document(io.BytesIO(client.get(base + "decision-record.docx").content))
    assert docx.paragraphs[0].text.startswith("Family group conferencing")
    document = json.loads(client.get(base + "decision-record.json").content)
    assert render_json.schema_problems(document) == []


def test_other_organisations_get_not_found(
    client_as: Callable[..., Client], decided: Appraisal, other_organisation: Organisation
) -> None:
    client = client_as("lead", "trust")
    for suffix in ("", "decision-record.pdf", "decision-record.json", "summary/", "summary.pdf", "publish/"):
        assert client.get(f"/appraisals/{decided.pk}/record/{suffix}").status_code == 404


def test_schema_is_published(client: Client) -> None:
    response = client.get("/schemas/decision-record-1.json")
    assert response.status_code == 200
    assert response.json()["$id"] == "/schemas/decision-record-1.json"


def test_summary_is_drafted_then_edited_and_locked_once_approved(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    lead = client_as("lead")
    url = f"/appraisals/{decided.pk}/record/summary/"
    page = lead.get(url).content.decode()
    assert "This is a first draft" in page
    assert "We decided to go ahead, with extra steps to make it safer." in page
    assert client_as("viewer").post(url, {"summary": "Changed."}).status_code == 403
    text = (
        "We looked at family meetings.\n\nWe decided to go ahead. Young people told us meetings help them "
        "feel heard."
    )
    assert lead.post(url, {"summary": text}).status_code == 302
    assert RecordSettings.objects.get(appraisal=decided).summary == text
    page = lead.get(url).content.decode()
    assert "first draft" not in page
    assert "within the aim" in page
    pdf = lead.get(f"/appraisals/{decided.pk}/record/summary.pdf")
    assert "We decided to go ahead." in pdf_text(pdf.content)
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    approve(decided)
    page = lead.get(url).content.decode()
    assert "can no longer be changed" in page
    assert "<textarea" not in page
    # The gate refuses the change itself, whatever the page showed.
    response = lead.post(url, {"summary": "Late."})
    assert response.status_code == 409
    refusal = response.content.decode()
    assert "This appraisal cannot be changed" in refusal
    assert "This appraisal is approved and locked. To change it, start a new version." in refusal
    assert "Nothing has been changed." in refusal
    assert RecordSettings.objects.get(appraisal=decided).summary == text


def test_summary_warns_and_names_the_hardest_sentences(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    hard = (
        "Notwithstanding considerable organisational apprehension, the accountable directorate determined "
        "that implementation should proceed contingent upon comprehensive safeguarding mitigations."
    )
    lead = client_as("lead")
    lead.post(f"/appraisals/{decided.pk}/record/summary/", {"summary": f"We said yes. {hard}"})
    page = lead.get(f"/appraisals/{decided.pk}/record/summary/").content.decode()
    assert "This summary needs a reading age of about" in page
    assert "The hardest sentences" in page
    assert hard in page
    result = readability(f"We said yes. {hard}")
    assert result.too_hard
    assert [s.text for s in result.hardest] == [hard]


def test_publishing_needs_approval_and_no_personal_data(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    lead = client_as("lead")
    url = f"/appraisals/{decided.pk}/record/publish/"
    page = lead.get(url).content.decode()
    assert "Only an approved decision record can be published" in page
    response = lead.post(url, {"action": "publish"})
    assert response.status_code == 409
    assert (
        "Only an approved decision record can be published. This one is not approved yet."
        in response.content.decode()
    )
    assert not Publication.objects.exists()
    Answer.objects.filter(appraisal=decided, question_id="P2").update(
        rationale="Mrs Patel (07700 900123) asked for it."
    )
    approve(decided)
    page = lead.get(url).content.decode()
    assert "P2" in page
    assert "“Mrs Patel” looks like the name of a person." in page
    assert "“07700 900123” looks like a phone number." in page
    response = lead.post(url, {"action": "publish"})
    assert "cannot be published yet" in response.content.decode()
    assert not Publication.objects.exists()
    # Leaving the answer out of the public version clears the way.
    assert lead.post(url, {"action": "exclusions", "not_for_publication": ["answer.P2"]}).status_code == 302
    assert lead.post(url, {"action": "publish"}).status_code == 302
    publication = Publication.objects.get()
    assert "Mrs Patel" not in json.dumps(publication.document)
    assert render_json.schema_problems(publication.document) == []
    assert client_as("viewer").get(url).status_code == 403


def test_public_register_shows_published_records_without_names(
    client_as: Callable[[str], Client], decided: Appraisal, organisation: Organisation
) -> None:
    approve(decided)
    client_as("lead").post(f"/appraisals/{decided.pk}/record/publish/", {"action": "publish"})
    public = Client()
    listing = public.get("/register/").content.decode()
    assert "Family group conferencing for every family" in listing
    assert organisation.name in listing
    assert decided.project.title in public.get(f"/register/organisations/{organisation.pk}/").content.decode()
    page = public.get(f"/register/records/{decided.pk}/").content.decode()
    assert "We weighed it all." in page
    for name in ("Approver of Northshire Council", "Lead of Northshire Council", "Director of Children"):
        assert name not in page
    feed = public.get("/register/feed.json").json()
    assert len(feed["records"]) == 1
    assert feed["records"][0]["record"]["public"] is True
    assert render_json.schema_problems(feed["records"][0]["record"]) == []
    assert public.get("/register/records/999999/").status_code == 404


PERSONAL = "Mrs Jane Smith (07700 900123) asked us to go ahead."


def _digest(page: str) -> str | None:
    found = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    return found.group(1) if found else None


def test_the_summary_is_checked_for_personal_data_and_a_flag_does_not_pass_the_check(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    lead = client_as("lead")
    url = reverse("record-summary", args=[decided.pk])
    events = AuditEvent.objects.count()
    for flag in ("1", "on"):
        response = lead.post(url, {"summary": PERSONAL, "personal_data_checked": flag})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Check for personal details" in page
        assert "“Mrs Jane Smith” looks like the name of a person" in page
        assert f">{PERSONAL}</textarea>" in page  # what they typed is kept, unsaved
    assert not RecordSettings.objects.filter(appraisal=decided).exclude(summary="").exists()
    assert AuditEvent.objects.count() == events

    digest = _digest(page)
    assert digest
    changed = lead.post(url, {"summary": "Call 07700 900456.", "personal_data_checked": digest})
    assert "looks like a phone number" in changed.content.decode()
    assert not RecordSettings.objects.filter(appraisal=decided).exclude(summary="").exists()

    assert lead.post(url, {"summary": PERSONAL, "personal_data_checked": digest}).status_code == 302
    assert RecordSettings.objects.get(appraisal=decided).summary == PERSONAL
    assert AuditEvent.objects.count() == events + 1
