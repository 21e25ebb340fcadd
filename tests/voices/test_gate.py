"""Consultations, responses and themes go through the one change gate.

Every write is refused once the appraisal has left the writing stage (in review, approved or
withdrawn), writes nothing when refused, and appends exactly one audit event when accepted.
A link that was open when the appraisal moved on shows the participant the kind "finished"
page and takes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.appraisals.factories import decide
from tests.reviews.helpers import accept_all, complete_appraisal, in_review, person
from tests.voices.factories import ANSWERS, lead_of, make_appraisal, open_for, post_past_the_warning
from trustworthy.appraisals import policy
from trustworthy.appraisals.models import Appraisal
from trustworthy.core import audit
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews
from trustworthy.voices import selectors, services, views
from trustworthy.voices.models import Consultation, Response, Theme

pytestmark = pytest.mark.django_db


def _soon(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


CONSULTATION: dict[str, Any] = {
    "title": "Family meetings",
    "description": "We want to try a family meeting before big decisions.",
    "groups": ["young-people"],
}


def _open(appraisal: Appraisal) -> services.NewConsultation:
    return services.open_consultation(
        appraisal=appraisal, user=lead_of(appraisal.organisation), title=CONSULTATION["title"],
        description=CONSULTATION["description"], groups=CONSULTATION["groups"], expires_on=_soon(),
    )  # fmt: skip


def _offline(appraisal: Appraisal) -> Response:
    return services.enter_offline(
        appraisal=appraisal, user=person("contributor"), group="young-people", source="workshop",
        gathered_how="Youth forum", gathered_on=None, answers=ANSWERS,
    )  # fmt: skip


def _theme(appraisal: Appraisal, name: str = "Waiting", theme: Theme | None = None) -> Theme:
    return services.save_theme(
        appraisal=appraisal, user=lead_of(appraisal.organisation), theme=theme, name=name,
        description="Several worried about delay.", question_ids=["P4"],
        decision_note="We added a two-week limit.",
    )  # fmt: skip


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the voices app holds, to show that a refused write changed nothing."""
    return {
        "consultations": list(Consultation.objects.order_by("pk").values_list()),
        "responses": list(Response.objects.order_by("pk").values_list()),
        "themes": list(Theme.objects.order_by("pk").values_list("pk", "name", "description", "question_ids",
                                                                "decision_note")),
        "links": list(Response.themes.through.objects.order_by("pk").values_list()),
    }  # fmt: skip


def _skip_blockers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let an appraisal go for review with a consultation still open, as links opened before
    the rule (or while the appraisal was in review) could."""
    monkeypatch.setattr(reviews, "submission_blockers", lambda appraisal: [])


def _with_voices(organisation: Organisation) -> tuple[Appraisal, dict[str, Any]]:
    """A complete appraisal with a consultation still open, a response and a theme."""
    appraisal = complete_appraisal(organisation)
    new = _open(appraisal)
    response = services.submit_online(consultation_id=new.consultation.pk, group="", answers=ANSWERS)
    theme = _theme(appraisal)
    return appraisal, {"new": new, "response": response, "theme": theme}


def _approve(appraisal: Appraisal) -> None:
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()


# --- opening a consultation in review ---------------------------------------------------------


def test_a_consultation_cannot_be_opened_while_the_appraisal_is_in_review(organisation, client_as):
    appraisal = in_review(organisation)
    events = AuditEvent.objects.count()
    page = client_as("lead").post(
        reverse("voices-consultation-create", args=[appraisal.pk]),
        {**CONSULTATION, "expires_on": _soon().isoformat()},
    )
    assert page.status_code == 409
    assert "This appraisal is in review" in page.content.decode()
    with pytest.raises(policy.LockedError):
        _open(appraisal)
    assert not Consultation.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_lead_sees_no_way_to_open_a_consultation_in_review(organisation, client_as):
    appraisal = in_review(organisation)
    page = client_as("lead").get(reverse("voices-summary", args=[appraisal.pk])).content.decode()
    assert reverse("voices-consultation-create", args=[appraisal.pk]) not in page
    assert reverse("voices-theme-create", args=[appraisal.pk]) not in page
    assert "Consultation links do not take answers now." in page


# --- a link open when the appraisal moves on --------------------------------------------------


@pytest.mark.parametrize("stage", ["in-review", "approved"])
def test_a_link_opened_in_draft_takes_nothing_once_the_appraisal_moves_on(
    organisation, client_as, monkeypatch, stage
):
    appraisal = complete_appraisal(organisation)
    new = _open(appraisal)
    assert Client().get(reverse("voices-participate", args=[new.token])).status_code == 200
    _skip_blockers(monkeypatch)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    if stage == "approved":
        _approve(appraisal)
    assert appraisal.status == stage
    events = AuditEvent.objects.count()

    url = reverse("voices-participate", args=[new.token])
    shown = Client().get(url)
    sent = Client().post(url, {**ANSWERS, "group": "young-people"})
    assert shown.status_code == sent.status_code == 410
    assert "This has finished" in sent.content.decode()
    with pytest.raises(policy.LockedError):
        services.submit_online(consultation_id=new.consultation.pk, group="", answers=ANSWERS)
    assert not Response.objects.exists()
    assert AuditEvent.objects.count() == events
    # The lead's pages show it as closed, with nothing to do to it.
    summary = client_as("lead").get(reverse("voices-summary", args=[appraisal.pk])).content.decode()
    assert "Closed</strong>" in summary
    assert "Open</strong>" not in summary
    assert reverse("voices-consultation-close", args=[new.consultation.pk]) not in summary


def test_an_answer_racing_the_submission_gets_the_finished_page(organisation, monkeypatch):
    """The page was read while the appraisal took responses; by the time the answer is
    saved it has gone for review. The participant sees the kind page, and nothing is kept."""
    appraisal = complete_appraisal(organisation)
    new = _open(appraisal)
    stale = selectors.consultation_for_token(new.token)  # read while still a draft
    _skip_blockers(monkeypatch)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    monkeypatch.setattr(views.selectors, "consultation_for_token", lambda token: stale)
    assert stale.is_open  # what the page believed

    sent = Client().post(reverse("voices-participate", args=[new.token]), ANSWERS)
    assert sent.status_code == 410
    assert "This has finished" in sent.content.decode()
    assert not Response.objects.exists()


def test_an_answer_racing_the_close_gets_the_finished_page(organisation, monkeypatch):
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    stale = selectors.consultation_for_token(new.token)
    services.close_consultation(consultation=new.consultation, user=lead_of(organisation))
    monkeypatch.setattr(views.selectors, "consultation_for_token", lambda token: stale)

    sent = Client().post(reverse("voices-participate", args=[new.token]), ANSWERS)
    assert sent.status_code == 410
    assert not Response.objects.exists()


# --- one write, one event ---------------------------------------------------------------------


def _sha256(answers: dict[str, str]) -> str:
    cleaned = {k: v.strip() for k, v in answers.items()}
    return hashlib.sha256(audit.canonical_json(cleaned).encode()).hexdigest()


# name: (the write, on an appraisal with voices; its event's action; its actor's email, None online)
WRITES: dict[str, tuple[Callable[[Appraisal, dict[str, Any]], object], str, str | None]] = {
    "open": (lambda a, v: _open(a), "consultation.opened", "lead@council.test"),
    "close": (
        lambda a, v: services.close_consultation(consultation=v["new"].consultation, user=person("lead")),
        "consultation.closed",
        "lead@council.test",
    ),
    "new link": (
        lambda a, v: services.new_link(consultation=v["new"].consultation, user=person("lead")),
        "consultation.new-link",
        "lead@council.test",
    ),
    "online": (
        lambda a, v: services.submit_online(
            consultation_id=v["new"].consultation.pk, group="", answers=ANSWERS
        ),
        "response.received",
        None,
    ),
    "offline": (lambda a, v: _offline(a), "response.entered", "contributor@council.test"),
    "link": (
        lambda a, v: services.link_response(
            response=v["response"], user=person("lead"), question_ids=["P4"], theme_ids=[v["theme"].pk]
        ),
        "response.linked",
        "lead@council.test",
    ),
    "new theme": (lambda a, v: _theme(a, "Trust"), "theme.added", "lead@council.test"),
    "theme": (lambda a, v: _theme(a, "Delay", v["theme"]), "theme.changed", "lead@council.test"),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_voices_write_appends_exactly_one_event_by_the_right_actor(organisation, write):
    appraisal, voices = _with_voices(organisation)
    events = AuditEvent.objects.count()
    head = Appraisal.objects.get(pk=appraisal.pk).audit_count

    do, action, actor = WRITES[write]
    do(appraisal, voices)

    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == action
    assert event.appraisal_id == appraisal.pk
    assert event.organisation_id == organisation.pk
    assert Appraisal.objects.get(pk=appraisal.pk).audit_count == head + 1
    if actor is None:
        assert event.actor_id is None
        assert event.actor_name == ""
    else:
        assert event.actor is not None
        assert event.actor.email == actor
    assert audit.verify_organisation_chains() == []


def test_what_people_wrote_and_the_link_stay_out_of_the_audit_trail(organisation):
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    response = services.submit_online(
        consultation_id=new.consultation.pk, group="young-people", answers=ANSWERS
    )
    token = services.new_link(consultation=new.consultation, user=lead_of(organisation))
    received = AuditEvent.objects.get(action="response.received")
    assert received.actor_id is None
    assert received.after == {
        "id": response.pk,
        "consultation": new.consultation.pk,
        "group": "young-people",
        "source": "online",
        "gathered_on": None,
        "answers_sha256": _sha256(ANSWERS),
    }
    trail = json.dumps(list(AuditEvent.objects.values("target", "before", "after", "reason")))
    for secret in (new.token, token, new.consultation.token_hash, Consultation.objects.get().token_hash):
        assert secret not in trail
    for written in filter(None, ANSWERS.values()):
        assert written not in trail


def test_closing_a_closed_consultation_changes_nothing_and_writes_nothing(organisation):
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    services.close_consultation(consultation=new.consultation, user=lead_of(organisation))
    closed_at = Consultation.objects.get().closed_at
    events = AuditEvent.objects.count()
    services.close_consultation(consultation=new.consultation, user=lead_of(organisation))
    assert AuditEvent.objects.count() == events
    assert Consultation.objects.get().closed_at == closed_at


def test_only_a_lead_can_write_through_the_services(organisation):
    appraisal, voices = _with_voices(organisation)
    before, events = _rows(), AuditEvent.objects.count()
    with pytest.raises(policy.NotPermitted):
        services.new_link(consultation=voices["new"].consultation, user=person("viewer"))
    with pytest.raises(policy.NotPermitted):
        services.save_theme(
            appraisal=appraisal, user=person("contributor"), name="X", description="", question_ids=[],
            decision_note="",
        )  # fmt: skip
    with pytest.raises(policy.NotPermitted):
        services.link_response(
            response=voices["response"], user=person("contributor"), question_ids=["P4"], theme_ids=[]
        )
    assert _rows() == before
    assert AuditEvent.objects.count() == events


# --- themes in review and after withdrawal ------------------------------------------------------


@pytest.mark.parametrize("step", ["submit", "withdraw"])
def test_themes_cannot_be_saved_in_review_or_after_withdrawal(organisation, client_as, step):
    appraisal = complete_appraisal(organisation)
    theme = _theme(appraisal)
    reviews.transition(appraisal=appraisal, name=step, user=person("lead"), reason="No longer needed.")
    before, events = _rows(), AuditEvent.objects.count()

    with pytest.raises(policy.LockedError):
        _theme(appraisal, "Something new")
    with pytest.raises(policy.LockedError):
        _theme(appraisal, "Renamed", theme)
    client = client_as("lead")
    fields = {"name": "Renamed", "description": "", "question_ids": ["P4"], "decision_note": "Changed."}
    assert client.post(reverse("voices-theme", args=[theme.pk]), fields).status_code == 409
    assert client.post(reverse("voices-theme-create", args=[appraisal.pk]), fields).status_code == 409

    assert _rows() == before
    assert AuditEvent.objects.count() == events


# --- the safeguarding line ----------------------------------------------------------------------


def test_the_safeguarding_line_change_is_audited_in_the_organisations_chain(organisation, client_as):
    # A phone number is what the line is for: the admin is warned, and keeps it.
    post_past_the_warning(
        client_as("admin"), reverse("voices-safeguarding"),
        {"safeguarding_contact": "Call the duty team on 0100 000 0000."},
    )  # fmt: skip
    event = AuditEvent.objects.get(action="safeguarding.changed")
    assert event.appraisal_id is None
    assert event.organisation_id == organisation.pk
    assert event.actor is not None
    assert event.actor.email == "admin@council.test"
    assert event.before == {"text": ""}
    assert event.after == {"text": "Call the duty team on 0100 000 0000."}
    assert audit.verify_organisation_chains() == []


def test_only_an_admin_changes_the_safeguarding_line(organisation):
    with pytest.raises(policy.NotPermitted):
        services.set_safeguarding_contact(organisation=organisation, user=person("lead"), text="Call us.")
    organisation.refresh_from_db()
    assert organisation.safeguarding_contact == ""
    assert not AuditEvent.objects.filter(action="safeguarding.changed").exists()


# --- an approved record does not move -------------------------------------------------------------


@pytest.fixture
def signed(organisation, monkeypatch) -> tuple[Appraisal, dict[str, Any]]:
    """An approved appraisal with voices, and a consultation left open from before the rule."""
    appraisal, voices = _with_voices(organisation)
    _skip_blockers(monkeypatch)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    _approve(appraisal)
    assert appraisal.status == policy.APPROVED
    return appraisal, voices


@pytest.mark.parametrize("write", WRITES)
def test_on_an_approved_appraisal_every_voices_write_is_refused(signed, write):
    appraisal, voices = signed
    signed_hash = record_hash(appraisal)
    assert signed_hash == appraisal.record_hash
    before, events = _rows(), AuditEvent.objects.count()

    do, _, _ = WRITES[write]
    with pytest.raises(policy.LockedError):
        do(appraisal, voices)

    assert _rows() == before
    assert AuditEvent.objects.count() == events
    assert record_hash(Appraisal.objects.get(pk=appraisal.pk)) == signed_hash


def _web_writes(appraisal: Appraisal, voices: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    consultation = voices["new"].consultation.pk
    theme = {"name": "Delay", "description": "", "question_ids": ["P4"], "decision_note": "Changed."}
    offline = {**ANSWERS, "source": "workshop", "gathered_how": "Youth forum", "group": "young-people"}
    return [
        ("lead", reverse("voices-consultation-create", args=[appraisal.pk]),
         {**CONSULTATION, "expires_on": _soon().isoformat()}),
        ("lead", reverse("voices-consultation-close", args=[consultation]), {}),
        ("lead", reverse("voices-consultation-new-link", args=[consultation]), {}),
        ("contributor", reverse("voices-response-create", args=[appraisal.pk]), offline),
        ("lead", reverse("voices-response", args=[voices["response"].pk]), {"question_ids": ["P4"]}),
        ("lead", reverse("voices-theme-create", args=[appraisal.pk]), {**theme, "name": "Trust"}),
        ("lead", reverse("voices-theme", args=[voices["theme"].pk]), theme),
    ]  # fmt: skip


def test_on_an_approved_appraisal_every_voices_page_refuses_with_a_409(signed, client_as):
    appraisal, voices = signed
    signed_hash = record_hash(appraisal)
    before, events = _rows(), AuditEvent.objects.count()
    for role, url, data in _web_writes(appraisal, voices):
        page = client_as(role).post(url, data)
        assert page.status_code == 409, url
        assert "This appraisal is approved and locked" in page.content.decode()
    url = reverse("voices-participate", args=[voices["new"].token])
    assert Client().post(url, ANSWERS).status_code == 410
    assert _rows() == before
    assert AuditEvent.objects.count() == events
    assert record_hash(Appraisal.objects.get(pk=appraisal.pk)) == signed_hash


def test_a_response_reaching_the_approved_record_would_change_its_hash(signed):
    # What makes "the hash is unchanged" above mean something: the signed record counts responses.
    appraisal, _ = signed
    signed_hash = record_hash(appraisal)
    Response.objects.create(appraisal=appraisal, source="paper", gathered_how="Paper", good="Sneaked in")
    assert record_hash(appraisal) != signed_hash
