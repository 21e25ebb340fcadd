"""Resetting a forgotten password by email, from the sign-in page."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD
from trustworthy.core.audit import verify_organisation_chains
from trustworthy.core.models import AuditEvent
from trustworthy.organisations import services
from trustworthy.organisations.integrity import verify_organisation_state
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.services import ResetTokens

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
SENT = "/accounts/password-reset/sent/"
NEW = "a fresh spring passphrase"


def ask(client: Client, email: str) -> str:
    response = client.post(RESET, {"email": email})
    assert response.status_code == 302
    assert response["Location"] == SENT
    return client.get(SENT).content.decode()


def emailed_link() -> str:
    [sent] = mail.outbox
    found = re.search(r"http://testserver(/accounts/password-reset/[^/\s]+/[^/\s]+/)", sent.body)
    assert found, sent.body
    return found.group(1)


def choose(client: Client, link: str, password: str, confirm: str | None = None) -> object:
    opened = client.get(link)
    assert opened.status_code == 302, "the token leaves the address before the page shows"
    form_url = opened["Location"]
    assert form_url.endswith("/set-password/")
    assert "Choose a new password" in client.get(form_url).content.decode()
    return client.post(form_url, {"password": password, "password_confirm": confirm or password})


def test_the_sign_in_page_links_to_it(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert f'<a class="govuk-link" href="{RESET}">Forgotten your password?</a>' in html
    page = client.get(RESET)
    assert page.status_code == 200
    assert 'name="email"' in page.content.decode()


def test_a_link_is_emailed_and_sets_a_new_password(client: Client, organisation: Organisation) -> None:
    assert "If there is an account for the email address you entered" in ask(client, "Lead@Council.test")
    [sent] = mail.outbox
    assert sent.to == ["lead@council.test"]
    assert sent.subject == "Reset your password for Trustworthy Innovation"
    assert "stops working after 1 hour" in sent.body

    response = choose(client, emailed_link(), NEW)
    assert response["Location"] == "/accounts/login/"  # type: ignore[index]
    assert "Your password has been reset" in client.get("/accounts/login/").content.decode()
    assert client.login(username="lead@council.test", password=NEW)
    assert not Client().login(username="lead@council.test", password=PASSWORD)


def test_the_same_is_said_whether_or_not_there_is_an_account(organisation: Organisation) -> None:
    def without_nonce(html: str) -> str:
        return re.sub(r'nonce="[^"]*"', "", html)

    known = without_nonce(ask(Client(), "lead@council.test"))
    unknown = without_nonce(ask(Client(), "nobody@council.test"))
    assert known == unknown
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("who", ["deactivated", "invited"])
def test_no_link_goes_to_accounts_that_cannot_use_one(
    client: Client, organisation: Organisation, who: str
) -> None:
    if who == "deactivated":
        User.objects.filter(email="lead@council.test").update(is_active=False)
        email = "lead@council.test"
    else:  # invited, no password yet: their invitation sets it (as for accounts signing in elsewhere)
        email = "waiting@council.test"
        User.objects.create_user(email, None, full_name="Still Waiting")
    ask(client, email)
    assert mail.outbox == []


def test_the_form_says_what_to_fix(client: Client) -> None:
    for email, message in [
        ("", "Enter your email address"),
        ("lead-at-council", "Enter an email address in the correct format"),
    ]:
        response = client.post(RESET, {"email": email})
        assert response.status_code == 200
        html = response.content.decode()
        assert "There is a problem" in html
        assert message in html


def test_the_new_password_follows_the_rules_and_what_was_typed_must_match(
    client: Client, organisation: Organisation
) -> None:
    ask(client, "lead@council.test")
    link = emailed_link()
    response = choose(client, link, "aaaaaaaaaaaa")
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Enter a password that is harder to guess" in html
    form_url = client.get(link)["Location"]
    mismatch = client.post(form_url, {"password": NEW, "password_confirm": NEW + "!"})
    assert "The passwords do not match" in mismatch.content.decode()
    short = client.post(form_url, {"password": "tiny", "password_confirm": "tiny"})
    assert "Password must be 12 characters or more" in short.content.decode()
    assert User.objects.get(email="lead@council.test").check_password(PASSWORD)


def test_it_is_recorded_in_each_of_the_persons_organisations(
    client: Client, organisation: Organisation, other_organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    services.add_member(organisation=other_organisation, user=lead, role="viewer")
    ask(client, "lead@council.test")
    choose(client, emailed_link(), NEW)
    for each in (organisation, other_organisation):
        [event] = AuditEvent.objects.filter(organisation=each, action="account.password-reset")
        assert event.actor_id == lead.pk
        assert event.target == f"member:{lead.pk}"
        assert NEW not in str(event.after)
    assert verify_organisation_chains() == []
    assert verify_organisation_state() == []


def test_the_link_works_once(client: Client, organisation: Organisation) -> None:
    ask(client, "lead@council.test")
    link = emailed_link()
    choose(client, link, NEW)
    again = Client().get(link)
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()


def test_the_link_stops_working_after_an_hour(client: Client, organisation: Organisation) -> None:
    ask(client, "lead@council.test")
    link = emailed_link()
    now = datetime.datetime.now()
    with mock.patch.object(ResetTokens, "_now", return_value=now + datetime.timedelta(minutes=59)):
        assert Client().get(link).status_code == 302, "still works within the hour"
    with mock.patch.object(ResetTokens, "_now", return_value=now + datetime.timedelta(minutes=61)):
        late = Client().get(link)
    assert late.status_code == 200
    assert "This link does not work" in late.content.decode()


def test_invitation_and_reset_links_are_not_interchangeable(
    client: Client, organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    invitation = services.set_password_link(user=lead, site_url="http://testserver/")
    uid, token = invitation.rstrip("/").split("/")[-2:]
    assert "This link does not work" in client.get(f"{RESET}{uid}/{token}/").content.decode()
    reset = services.password_reset_link(user=lead, site_url="http://testserver/")
    uid, token = reset.rstrip("/").split("/")[-2:]
    assert "This link does not work" in client.get(f"/accounts/set-password/{uid}/{token}/").content.decode()


@pytest.mark.parametrize("uid", ["MQ", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "!!"])
def test_a_made_up_link_does_not_work(client: Client, organisation: Organisation, uid: str) -> None:
    response = client.get(f"{RESET}{uid}/abc-123/")
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()


def test_other_sessions_of_that_person_end(client: Client, organisation: Organisation) -> None:
    elsewhere = Client()
    elsewhere.force_login(User.objects.get(email="lead@council.test"))
    assert elsewhere.get("/projects/").status_code == 200
    ask(client, "lead@council.test")
    choose(client, emailed_link(), NEW)
    assert elsewhere.get("/projects/").status_code == 302


def test_when_the_email_cannot_be_sent_the_page_is_the_same(
    client: Client, organisation: Organisation
) -> None:
    with mock.patch("trustworthy.organisations.services.send_mail", side_effect=OSError("mail server down")):
        assert "If there is an account" in ask(client, "lead@council.test")


def test_a_link_sent_before_someone_is_deactivated_stops_working(
    client: Client, organisation: Organisation
) -> None:
    ask(client, "lead@council.test")
    link = emailed_link()
    services.deactivate_user(user=User.objects.get(email="lead@council.test"))
    response = client.get(link)
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
