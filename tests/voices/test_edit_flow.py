"""The voices pages use the one edit flow: text is checked for personal data on exactly what
is saved (a digest of it, never a flag anyone can send), and another organisation's
consultations, themes and responses are not found."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.voices.factories import ANSWERS, lead_of, make_appraisal, open_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.voices import services
from trustworthy.voices.models import Consultation, Response, Theme

pytestmark = pytest.mark.django_db

PERSONAL = "Ring Mrs Jane Smith on 07700 900123."


def _digest(page: str) -> str | None:
    found = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    return found.group(1) if found else None


def _soon() -> str:
    return (timezone.localdate() + datetime.timedelta(days=10)).isoformat()


def _safeguarding_line(organisation: Organisation) -> str:
    organisation.refresh_from_db()
    return organisation.safeguarding_contact


# Each staff form that saves text: who fills it, where, what they type (with personal data in
# `field`), and how to read back what was saved.
FORMS: dict[str, tuple[str, Callable[[Appraisal], str], str, dict[str, Any], Callable[[Appraisal], Any]]] = {
    "safeguarding line": (
        "admin", lambda a: reverse("voices-safeguarding"), "safeguarding_contact", {},
        lambda a: _safeguarding_line(a.organisation),
    ),
    "consultation": (
        "lead", lambda a: reverse("voices-consultation-create", args=[a.pk]), "description",
        {"title": "Family meetings", "groups": ["young-people"], "expires_on": _soon()},
        lambda a: list(Consultation.objects.values_list("description", flat=True)),
    ),
    "theme": (
        "lead", lambda a: reverse("voices-theme-create", args=[a.pk]), "decision_note",
        {"name": "Being heard", "description": "", "question_ids": ["P4"]},
        lambda a: list(Theme.objects.values_list("decision_note", flat=True)),
    ),
    "offline response": (
        "contributor", lambda a: reverse("voices-response-create", args=[a.pk]), "worries",
        {**ANSWERS, "source": "workshop", "gathered_how": "Youth forum", "group": "young-people"},
        lambda a: list(Response.objects.values_list("worries", flat=True)),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", FORMS)
def test_text_is_checked_for_personal_data_and_a_flag_does_not_pass_the_check(
    organisation: Organisation, client_as: Callable[[str], Client], name: str
) -> None:
    appraisal = make_appraisal(organisation)
    role, url_of, field, fields, saved = FORMS[name]
    client, url = client_as(role), url_of(appraisal)
    nothing, events = saved(appraisal), AuditEvent.objects.count()

    # Saying "I have checked" without the digest of this text is no check at all.
    for flag in ("1", "true", "on"):
        page = client.post(url, {**fields, field: PERSONAL, "personal_data_checked": flag})
        assert page.status_code == 200, flag
        assert "Check for personal details" in page.content.decode()
        assert "“Mrs Jane Smith” looks like the name of a person" in page.content.decode()
        assert "“07700 900123” looks like a phone number" in page.content.decode()
    assert saved(appraisal) == nothing
    assert AuditEvent.objects.count() == events

    # The digest of one text does not pass another.
    digest = _digest(page.content.decode())
    assert digest
    other = "Email jane@example.org instead."
    page = client.post(url, {**fields, field: other, "personal_data_checked": digest})
    assert page.status_code == 200
    assert "looks like an email address" in page.content.decode()
    assert saved(appraisal) == nothing

    # Keeping exactly the text the warning was about saves it, once.
    kept = client.post(url, {**fields, field: PERSONAL, "personal_data_checked": digest})
    assert kept.status_code == 302
    assert PERSONAL in str(saved(appraisal))
    assert AuditEvent.objects.count() == events + 1


def test_text_without_personal_data_is_saved_at_once(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    response = client_as("admin").post(
        reverse("voices-safeguarding"), {"safeguarding_contact": "Talk to the adult who gave you this link."}
    )
    assert response.status_code == 302
    assert _safeguarding_line(organisation) == "Talk to the adult who gave you this link."


def test_the_participant_page_uses_the_same_rule(organisation: Organisation) -> None:
    new = open_for(make_appraisal(organisation))
    url = reverse("voices-participate", args=[new.token])
    client = Client()
    typed = {**ANSWERS, "worries": PERSONAL}
    for flag in ("1", "on"):
        page = client.post(url, {**typed, "personal_data_checked": flag})
        assert page.status_code == 200
        assert "Check before you send" in page.content.decode()
    assert not Response.objects.exists()
    digest = _digest(page.content.decode())
    assert digest
    assert client.post(url, {**typed, "personal_data_checked": digest}).status_code == 302
    assert Response.objects.get().worries == PERSONAL


# --- another organisation's things ----------------------------------------------------------------


@pytest.fixture
def theirs(organisation: Organisation) -> dict[str, Any]:
    """A consultation, a theme and a response of the council, with their rows as they stand."""
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    response = services.submit_online(consultation_id=new.consultation.pk, group="", answers=ANSWERS)
    theme = services.save_theme(
        appraisal=appraisal, user=lead_of(organisation), name="Waiting", description="", question_ids=[],
        decision_note="",
    )  # fmt: skip
    return {"appraisal": appraisal, "consultation": new.consultation, "response": response, "theme": theme}


def _rows() -> tuple[Any, ...]:
    return (
        sorted(Consultation.objects.values_list("pk", "title", "token_hash", "closed_at")),
        sorted(Theme.objects.values_list("pk", "name", "decision_note")),
        sorted(Response.objects.values_list("pk", "question_ids")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ["lead", "admin", "contributor", "viewer"])
def test_another_organisations_consultations_themes_and_responses_are_not_found(
    theirs: dict[str, Any], other_organisation: Organisation, client_as: Callable[..., Client], role: str
) -> None:
    client = client_as(role, "trust")
    consultation, theme, response = theirs["consultation"].pk, theirs["theme"].pk, theirs["response"].pk
    pk = theirs["appraisal"].pk
    writes = {
        reverse("voices-consultation-link", args=[consultation]): {},
        reverse("voices-consultation-new-link", args=[consultation]): {},
        reverse("voices-consultation-close", args=[consultation]): {},
        reverse("voices-theme", args=[theme]): {"name": "Taken", "decision_note": "Changed."},
        reverse("voices-response", args=[response]): {"question_ids": ["P4"], "theme_ids": [str(theme)]},
        reverse("voices-summary", args=[pk]): {},
        reverse("voices-consultation-create", args=[pk]): {"title": "Ours", "description": "Ours."},
        reverse("voices-theme-create", args=[pk]): {"name": "Ours"},
        reverse("voices-response-create", args=[pk]): {**ANSWERS, "source": "paper", "gathered_how": "Paper"},
    }
    before = _rows()
    for url, data in writes.items():
        assert client.get(url).status_code == 404, url
        # The summary only reads, so a POST is refused for its method, whoever's it is.
        assert client.post(url, data).status_code in ((404, 405) if url.endswith("/voices/") else (404,)), url
    assert _rows() == before
