"""Published means a snapshot: the public page, the record's JSON and the feed all show the
document stored when the record was published, and a lead withdraws or replaces it, with a
reason, as an audited act."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustworthy.appraisals import services as appraisal_services
from trustworthy.appraisals.models import Appraisal
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports import render_json
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.models import Publication
from trustworthy.reports.services import record_for

from ..reviews.helpers import approved
from .conftest import approve

pytestmark = pytest.mark.django_db

PERSONAL = "Contact Mrs Jane Smith about this."


def _publish_url(appraisal: Appraisal) -> str:
    return reverse("record-publish", args=[appraisal.pk])


def _moment(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _facts(publication: Publication) -> dict[str, object]:
    """What the trail keeps of a publication, as its row now stands."""
    return {
        "publication": publication.pk,
        "document": publication.document_hash,
        "published_at": _moment(publication.published_at),
        "withdrawn_at": _moment(publication.withdrawn_at),
    }


def _public_urls(appraisal: Appraisal) -> dict[str, str]:
    return {
        "page": reverse("public-record", args=[appraisal.pk]),
        "json": reverse("public-record-json", args=[appraisal.pk]),
        "feed": reverse("public-register-feed"),
        "register": reverse("public-register"),
        "organisation": reverse("public-register-organisation", args=[appraisal.organisation_id]),
    }


def _body(client: Client, url: str) -> bytes:
    """The response body, with the page's per-request CSP nonce (if any) blanked: the only
    part of a page that is meant to differ between two requests."""
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content
    policy = response.headers.get("Content-Security-Policy", "")
    for part in policy.split("'"):
        if part.startswith("nonce-"):
            body = body.replace(part.removeprefix("nonce-").encode(), b"NONCE")
    return body


def _public_bytes(appraisal: Appraisal) -> dict[str, bytes]:
    public = Client()
    return {name: _body(public, url) for name, url in _public_urls(appraisal).items()}


def _edit_project(appraisal: Appraisal, summary: str) -> None:
    project = appraisal.project
    project.refresh_from_db()
    appraisal_services.update_project(
        project=project,
        user=User.objects.get(email="lead@council.test"),
        fields={"summary": summary},
        motivations=[
            appraisal_services.MotivationInput(m.motivation, m.explanation) for m in project.motivations.all()
        ],
        primary_motivation=project.motivations.get(is_primary=True).motivation,
    )


def test_the_page_the_json_and_the_feed_hold_the_same_stored_document(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    approve(decided)
    assert client_as("lead").post(_publish_url(decided), {"action": "publish"}).status_code == 302
    publication = Publication.objects.get()
    urls = _public_urls(decided)
    public = Client()

    body = public.get(urls["json"]).content
    assert body == _body(public, urls["json"])
    feed = public.get(urls["feed"]).json()
    (entry,) = feed["records"]
    # The feed carries the very document the record's own URL serves, byte for byte...
    same = json.dumps(entry["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert same.encode() == body
    # ...which is the stored document, whose hash the audit trail recorded at publication.
    assert json.loads(body) == publication.document
    assert hashlib.sha256(body).hexdigest() == publication.document_hash == entry["document_hash"]
    published = AuditEvent.objects.get(action="record.published")
    assert published.after == _facts(publication)
    assert entry["json"].endswith(urls["json"])
    assert entry["url"].endswith(urls["page"])

    # The page is that document rendered: the moment it was produced is the document's own.
    page = public.get(urls["page"]).content.decode()
    produced = publication.document["generated_at"][:16].replace("T", " ")
    assert f"{produced} UTC" in page
    assert f'href="{urls["json"]}"' in page
    # Its charts are drawn from the document too.
    assert 'aria-label="Risk matrix.' in page


def test_a_project_edit_after_publication_reaches_neither_the_page_nor_the_feed(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    # Approved before approval froze the project's details, so the record as built now
    # follows the project: only the stored document keeps the public version still.
    approve(decided)
    client_as("lead").post(_publish_url(decided), {"action": "publish"})
    before = _public_bytes(decided)
    document = Publication.objects.get().document

    _edit_project(decided, PERSONAL)

    live = json.dumps(render_json.to_dict(record_for(Appraisal.objects.get(pk=decided.pk), public=True)))
    assert PERSONAL in live  # what a page built from the appraisal would now show
    after = _public_bytes(decided)
    assert after == before
    for name, body in after.items():
        assert b"Jane Smith" not in body, name
    assert Publication.objects.get().document == document


def test_public_pages_read_nothing_but_publications(
    client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    approve(decided)
    client_as("lead").post(_publish_url(decided), {"action": "publish"})
    public = Client()
    for name, url in _public_urls(decided).items():
        with CaptureQueriesContext(connection) as queries:
            assert public.get(url).status_code == 200
        tables = " ".join(q["sql"] for q in queries)
        for table in ("appraisals_", "reviews_", "voices_", "reports_recordsettings"):
            assert table not in tables, (name, table)


@pytest.fixture
def published(organisation: Organisation, client_as: Callable[[str], Client]) -> Appraisal:
    """Approved through the review workflow and published by the lead."""
    appraisal = approved(organisation)
    assert client_as("lead").post(_publish_url(appraisal), {"action": "publish"}).status_code == 302
    return appraisal


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_withdrawing_needs_a_reason_and_takes_the_record_off_the_register(
    client_as: Callable[[str], Client], published: Appraisal
) -> None:
    lead = client_as("lead")
    url = _publish_url(published)
    urls = _public_urls(published)
    public = Client()
    assert public.get(urls["page"]).status_code == 200
    events = AuditEvent.objects.count()

    response = lead.post(url, {"action": "withdraw", "withdraw-reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "<title>Error: Publish this decision record" in page
    assert 'href="#withdraw-reason"' in page
    assert "Enter why you are taking the record off the register" in page
    assert Publication.objects.get().is_live
    assert AuditEvent.objects.count() == events

    reason = "The project was paused and the record no longer reflects our plans."
    assert lead.post(url, {"action": "withdraw", "withdraw-reason": reason}).status_code == 302
    publication = Publication.objects.get()
    assert not publication.is_live
    assert publication.withdrawn_reason == reason
    assert publication.withdrawn_by == User.objects.get(email="lead@council.test")
    (event,) = _events("record.withdrawn")
    assert event.reason == reason
    assert event.before == _facts(publication)
    assert AuditEvent.objects.count() == events + 1

    assert public.get(urls["page"]).status_code == 404
    assert public.get(urls["json"]).status_code == 404
    assert public.get(urls["feed"]).json()["records"] == []
    for listing in ("register", "organisation"):
        assert published.project.title not in public.get(urls[listing]).content.decode()

    page = lead.get(url).content.decode()
    assert "Earlier publications" in page
    assert "Taken off the register on" in page
    assert "Lead of Northshire Council" in page
    assert reason in page
    assert "Publish on the public register" in page  # it can be published again
    assert verify_everything() == []


def test_replacing_needs_a_reason_and_publishes_the_record_as_it_now_stands(
    client_as: Callable[[str], Client], published: Appraisal
) -> None:
    lead = client_as("lead")
    url = _publish_url(published)
    urls = _public_urls(published)
    public = Client()
    old = Publication.objects.get()
    assert "Our reasons for P2." in public.get(urls["page"]).content.decode()

    # Leaving an answer out while published changes nothing public until the record is replaced.
    exclusions = {"action": "exclusions", "not_for_publication": ["answer.P2"]}
    assert lead.post(url, exclusions).status_code == 302
    assert "Our reasons for P2." in public.get(urls["page"]).content.decode()
    page = lead.get(url).content.decode()
    assert "It changes only when you replace it." in page
    assert 'id="changed-since"' in page

    response = lead.post(url, {"action": "replace", "replace-reason": ""})
    assert response.status_code == 200
    assert "Enter why you are replacing the published record" in response.content.decode()
    assert _events("record.republished") == []

    reason = "An answer named a member of staff."
    assert lead.post(url, {"action": "replace", "replace-reason": reason}).status_code == 302
    old.refresh_from_db()
    new = Publication.objects.get(withdrawn_at__isnull=True)
    assert not old.is_live
    assert old.withdrawn_reason == reason
    (event,) = _events("record.republished")
    assert event.reason == reason
    assert event.before == _facts(old)
    assert event.after == _facts(new)

    page = public.get(urls["page"]).content.decode()
    assert "Our reasons for P2." not in page
    assert "Not published." in page
    assert "and so are some items the organisation chose not to publish" in page
    (entry,) = public.get(urls["feed"]).json()["records"]
    assert entry["record"] == new.document
    assert entry["document_hash"] == new.document_hash != old.document_hash

    page = lead.get(url).content.decode()
    assert "Replaced on" in page
    assert reason in page
    assert 'id="changed-since"' not in page
    assert verify_everything() == []


def test_a_refused_replacement_keeps_what_was_typed(
    client_as: Callable[[str], Client], published: Appraisal
) -> None:
    from trustworthy.appraisals.models import Answer

    Answer.objects.filter(appraisal=published, question_id="P2").update(rationale="Mrs Patel asked for it.")
    reason = "We want the new wording on the register."
    response = client_as("lead").post(
        _publish_url(published), {"action": "replace", "replace-reason": reason}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "cannot be published yet" in page
    assert 'href="#replace"' in page
    assert f">{reason}</textarea>" in page
    assert Publication.objects.get().is_live


@pytest.mark.parametrize("role", ["reviewer", "viewer", "contributor", "approver"])
def test_only_a_lead_can_withdraw_or_replace(
    client_as: Callable[[str], Client], published: Appraisal, role: str
) -> None:
    client = client_as(role)
    url = _publish_url(published)
    events = AuditEvent.objects.count()
    assert client.post(url, {"action": "withdraw", "withdraw-reason": "Because."}).status_code == 403
    assert client.post(url, {"action": "replace", "replace-reason": "Because."}).status_code == 403
    assert Publication.objects.get().is_live
    assert AuditEvent.objects.count() == events


def test_work_typed_before_a_sign_out_comes_back_unsaved(
    client_as: Callable[[str], Client], published: Appraisal
) -> None:
    url = _publish_url(published)
    signed_out = Client()
    signed_out.force_login(User.objects.get(email="lead@council.test"))
    signed_out.get(url)  # the lead opens the page...
    del signed_out.cookies[settings.SESSION_COOKIE_NAME]  # ...and the session expires while they type
    reason = "Taken down while we check a figure."
    response = signed_out.post(url, {"action": "withdraw", "withdraw-reason": reason})
    assert response.status_code == 302
    signed_out.force_login(User.objects.get(email="lead@council.test"))
    page = signed_out.get(url).content.decode()
    assert f">{reason}</textarea>" in page
    assert "We kept what you typed" in page
    assert Publication.objects.get().is_live


def _digest(page: str) -> str | None:
    found = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("action", ["withdraw", "replace"])
def test_a_reason_is_checked_for_personal_data_before_it_joins_the_history(
    client_as: Callable[[str], Client], published: Appraisal, action: str
) -> None:
    """The reason goes into the permanent audit trail: it is checked, and only the digest of
    exactly the reason the warning was about passes the check."""
    lead = client_as("lead")
    url = _publish_url(published)
    field = f"{action}-reason"
    reason = "Mrs Jane Smith asked us to take it down."
    live, events = Publication.objects.get(), AuditEvent.objects.count()

    for flag in ("1", "on"):
        response = lead.post(url, {"action": action, field: reason, "personal_data_checked": flag})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Check for personal details" in page
        assert "“Mrs Jane Smith” looks like the name of a person" in page
        assert f'href="#{field}"' in page
        assert f">{reason}</textarea>" in page
    live.refresh_from_db()
    assert live.is_live
    assert AuditEvent.objects.count() == events

    digest = _digest(page)
    assert digest
    other = lead.post(url, {"action": action, field: "Call 07700 900123.", "personal_data_checked": digest})
    assert "looks like a phone number" in other.content.decode()
    assert AuditEvent.objects.count() == events

    kept = lead.post(url, {"action": action, field: reason, "personal_data_checked": digest})
    assert kept.status_code == 302
    live.refresh_from_db()
    assert not live.is_live
    assert live.withdrawn_reason == reason
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("pk").reason == reason


def test_another_organisations_publication_pages_are_not_found(
    client_as: Callable[..., Client], published: Appraisal, other_organisation: Organisation
) -> None:
    posts = [
        {"action": "publish"},
        {"action": "exclusions", "not_for_publication": ["answer.P2"]},
        {"action": "replace", "replace-reason": "Ours now."},
        {"action": "withdraw", "withdraw-reason": "Ours now."},
        {},
    ]
    live, events = Publication.objects.get(), AuditEvent.objects.count()
    for role in ("lead", "admin", "viewer"):
        client = client_as(role, "trust")
        for url in (_publish_url(published), reverse("record-summary", args=[published.pk])):
            assert client.get(url).status_code == 404, (role, url)
        for data in posts:
            assert client.post(_publish_url(published), data).status_code == 404, (role, data)
        summary = client.post(reverse("record-summary", args=[published.pk]), {"summary": "Ours."})
        assert summary.status_code == 404
    live.refresh_from_db()
    assert live.is_live
    assert list(Publication.objects.all()) == [live]
    assert AuditEvent.objects.count() == events
