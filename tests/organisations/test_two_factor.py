"""Two-factor authentication: setting it up, signing in with a code or a recovery code,
managing it, who must use it, wrong codes and throttling, and the audit trail.

Codes are worked out from the device's key at a time the test sets (`two_factor_clock`),
so a code is never a step late and no test sleeps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from base64 import b32encode
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustworthy.core.audit import verify_organisation_chains
from trustworthy.core.models import AuditEvent
from trustworthy.organisations import twofactor
from trustworthy.organisations.integrity import verify_organisation_state
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.services import add_member

from ..conftest import PASSWORD
from .two_factor_clock import Clock, code_for, use_clock, wrong_code

pytestmark = pytest.mark.django_db

REQUIRED = override_settings(TRUSTWORTHY_REQUIRE_2FA_ROLES=["admin", "approver"])
SET_UP = "/account/two-factor/set-up/"
MANAGE = "/account/two-factor/"
CODES = "/account/two-factor/recovery-codes/"
NEW_CODES = "/account/two-factor/new-recovery-codes/"
TURN_OFF = "/account/two-factor/turn-off/"
CODE = "/accounts/login/code/"
LOGIN = "/accounts/login/"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return use_clock(monkeypatch)


def person(email: str) -> User:
    return User.objects.get(email=email)


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(person(email))
    return client


def set_up(client: Client, email: str, clock: Clock) -> list[str]:
    """Set up two-factor authentication through the pages; returns the recovery codes shown."""
    assert client.get(SET_UP).status_code == 200
    device = TOTPDevice.objects.get(confirmed=False, user__email=email)
    response = client.post(SET_UP, {"code": code_for(device, clock)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == CODES
    page = client.get(CODES).content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


def client_with_two_factor(email: str, clock: Clock) -> tuple[Client, list[str]]:
    """A signed-in (and verified) client of someone who has just turned two-factor on."""
    client = signed_in(email)
    codes = set_up(client, email, clock)
    clock.tick()
    return client, codes


def password_sign_in(email: str) -> Client:
    client = Client()
    response = client.post(LOGIN, {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def errors(response: Any) -> str:
    text = response.content.decode()
    assert "There is a problem" in text
    assert "<title>Error: " in text
    return text


def app_of(email: str) -> TOTPDevice:
    return TOTPDevice.objects.get(user__email=email, confirmed=True)


# --- setting up -----------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_then_ten_recovery_codes_once(
    organisation: Organisation, clock: Clock
) -> None:
    client = signed_in("lead@council.test")
    page = client.get(SET_UP)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    device = TOTPDevice.objects.get(user__email="lead@council.test")
    assert not device.confirmed
    assert 'src="data:image/svg+xml' in html, "the QR code is in the page, not fetched from elsewhere"
    key = b32encode(device.bin_key).decode().rstrip("=")
    typed = re.search(r'id="secret-key"><code>([A-Z2-7 ]+)</code>', html)
    assert typed is not None
    assert typed.group(1).replace(" ", "") == key
    assert "otpauth://" not in html  # the key is in the QR code and in text, nowhere else

    # Reloading the page (after scanning) keeps the same key.
    client.get(SET_UP)
    assert TOTPDevice.objects.filter(user__email="lead@council.test").count() == 1

    response = client.post(SET_UP, {"code": code_for(device, clock)})
    assert response.status_code == 302
    assert response["Location"] == CODES
    device.refresh_from_db()
    assert device.confirmed
    shown = client.get(CODES)
    assert "no-store" in shown["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10 == len(set(codes))
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    # Shown once: a second visit has nothing to show.
    again = client.get(CODES)
    assert again.status_code == 302
    assert again["Location"] == MANAGE
    # The session that set it up is verified: the page about it opens.
    manage = client.get(MANAGE)
    assert manage.status_code == 200
    assert "10 of 10 left" in manage.content.decode()


def test_a_wrong_code_when_setting_up_is_an_error_and_is_not_shown_again(
    organisation: Organisation, clock: Clock
) -> None:
    client = signed_in("lead@council.test")
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user__email="lead@council.test")
    wrong = wrong_code(device, clock)
    html = errors(client.post(SET_UP, {"code": wrong}))
    assert "The code is not right" in html
    assert wrong not in html
    box = re.search(r'<input[^>]*name="code"[^>]*>', html)
    assert box is not None
    assert 'value=""' in box.group(0)
    assert 'href="#id_code"' in html, "the error summary links to the box"
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.exists()

    html = errors(client.post(SET_UP, {"code": ""}))
    assert "Enter the 6-digit code from your authenticator app" in html
    html = errors(client.post(SET_UP, {"code": "12ab"}))
    assert "Enter the 6-digit code from your authenticator app" in html


def test_someone_who_has_it_on_is_sent_from_set_up_to_the_page_about_it(
    organisation: Organisation, clock: Clock
) -> None:
    client, _ = client_with_two_factor("lead@council.test", clock)
    response = client.get(SET_UP)
    assert response.status_code == 302
    assert response["Location"] == MANAGE


# --- signing in -----------------------------------------------------------------------------


def test_signing_in_asks_for_the_code_after_the_password(organisation: Organisation, clock: Clock) -> None:
    client_with_two_factor("lead@council.test", clock)
    client = password_sign_in("lead@council.test")
    held = client.get("/projects/")
    assert held.status_code == 302
    assert held["Location"] == f"{CODE}?next=%2Fprojects%2F"
    assert client.get("/organisation/").status_code == 302
    page = client.get(held["Location"])
    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in page.content.decode()

    response = client.post(CODE, {"code": code_for(app_of("lead@council.test"), clock), "next": "/projects/"})
    assert response.status_code == 302
    assert response["Location"] == "/projects/"
    assert client.get("/projects/").status_code == 200
    assert client.get(MANAGE).status_code == 200


def test_a_code_is_used_once(organisation: Organisation, clock: Clock) -> None:
    client_with_two_factor("lead@council.test", clock)
    code = code_for(app_of("lead@council.test"), clock)
    first = password_sign_in("lead@council.test")
    assert first.post(CODE, {"code": code}).status_code == 302
    second = password_sign_in("lead@council.test")
    assert "The code is not right" in errors(second.post(CODE, {"code": code}))


def test_a_wrong_code_at_sign_in_is_an_error_and_signs_nothing_in(
    organisation: Organisation, clock: Clock
) -> None:
    client_with_two_factor("lead@council.test", clock)
    client = password_sign_in("lead@council.test")
    wrong = wrong_code(app_of("lead@council.test"), clock)
    html = errors(client.post(CODE, {"code": wrong}))
    assert "The code is not right" in html
    assert wrong not in html
    assert client.get("/projects/").status_code == 302

    clock.wait_out_throttling()
    html = errors(client.post(CODE, {"code": "12345"}))
    assert "or a recovery code of 8 letters and numbers" in html


def test_a_recovery_code_signs_in_once(organisation: Organisation, clock: Clock) -> None:
    _, codes = client_with_two_factor("lead@council.test", clock)
    client = password_sign_in("lead@council.test")
    response = client.post(CODE, {"code": codes[0].upper()[:4] + "-" + codes[0].upper()[4:]}, follow=True)
    assert response.redirect_chain[0] == ("/", 302)
    html = response.content.decode()
    assert "You used a recovery code" in html
    assert "You have 9 recovery codes left" in html
    assert StaticToken.objects.count() == 9

    again = password_sign_in("lead@council.test")
    assert "already been used" in errors(again.post(CODE, {"code": codes[0]}))
    assert again.get("/projects/").status_code == 302
    clock.wait_out_throttling()
    assert again.post(CODE, {"code": codes[1]}).status_code == 302
    assert again.get("/projects/").status_code == 200


def test_wrong_codes_are_throttled(organisation: Organisation, clock: Clock) -> None:
    """Each wrong code doubles the wait before the next one is checked (django-otp): after
    six, the next is checked no sooner than 32 seconds later."""
    client_with_two_factor("lead@council.test", clock)
    app = app_of("lead@council.test")
    client = password_sign_in("lead@council.test")
    for failures in range(6):
        clock.wait_out_throttling()
        assert "The code is not right" in errors(client.post(CODE, {"code": wrong_code(app, clock)}))
        app.refresh_from_db()
        assert app.throttling_failure_count == failures + 1
    html = errors(client.post(CODE, {"code": code_for(app, clock)}))
    assert "You have entered too many wrong codes. Wait 32 seconds, then try again" in html
    assert client.get("/projects/").status_code == 302
    clock.advance(31)
    assert "Wait 1 second, then" in errors(client.post(CODE, {"code": code_for(app, clock)}))
    clock.advance(1)
    assert client.post(CODE, {"code": code_for(app, clock)}).status_code == 302
    assert client.get("/projects/").status_code == 200


def test_guessing_counts_every_wrong_code(organisation: Organisation, clock: Clock) -> None:
    """Wrong codes sent one after another: the first is checked and counted; the rest, sent
    before the wait is over, are refused unchecked, so guessing gets no faster."""
    client_with_two_factor("lead@council.test", clock)
    app = app_of("lead@council.test")
    client = password_sign_in("lead@council.test")
    assert "The code is not right" in errors(client.post(CODE, {"code": wrong_code(app, clock)}))
    html = errors(client.post(CODE, {"code": code_for(app, clock)}))
    assert "too many wrong codes" in html, "even the right code waits its turn"
    app.refresh_from_db()
    assert app.throttling_failure_count == 1


def test_recovery_codes_are_throttled_too(organisation: Organisation, clock: Clock) -> None:
    _, codes = client_with_two_factor("lead@council.test", clock)
    client = password_sign_in("lead@council.test")
    assert "already been used" in errors(client.post(CODE, {"code": "aaaaaaaa"}))
    assert "too many wrong codes" in errors(client.post(CODE, {"code": codes[0]}))
    assert StaticToken.objects.count() == 10, "the code was not used up"


def test_the_code_page_goes_only_to_this_site(organisation: Organisation, clock: Clock) -> None:
    client_with_two_factor("lead@council.test", clock)
    client = password_sign_in("lead@council.test")
    code = code_for(app_of("lead@council.test"), clock)
    response = client.post(CODE, {"code": code, "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"


def test_someone_without_two_factor_is_not_asked_for_a_code(organisation: Organisation) -> None:
    client = password_sign_in("lead@council.test")
    assert client.get("/projects/").status_code == 200
    response = client.get(CODE)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_notes_whether_there_is_an_app(organisation: Organisation, clock: Clock) -> None:
    """So that pages need not ask the database on every request."""
    assert password_sign_in("lead@council.test").session[twofactor.HAS_DEVICE] is False
    client_with_two_factor("lead@council.test", clock)
    assert password_sign_in("lead@council.test").session[twofactor.HAS_DEVICE] is True


# --- under the account ----------------------------------------------------------------------


def test_the_page_about_it_says_whether_it_is_on(organisation: Organisation, clock: Clock) -> None:
    client = signed_in("lead@council.test")
    html = client.get(MANAGE).content.decode()
    assert "Off" in html
    assert 'href="/account/two-factor/set-up/"' in html
    assert "you must use two-factor authentication" not in html
    set_up(client, "lead@council.test", clock)
    html = client.get(MANAGE).content.decode()
    assert "On" in html
    assert "10 of 10 left" in html
    assert 'href="/account/two-factor/new-recovery-codes/"' in html
    assert 'href="/account/two-factor/turn-off/"' in html


def test_new_recovery_codes_replace_the_old_ones(organisation: Organisation, clock: Clock) -> None:
    client, old = client_with_two_factor("lead@council.test", clock)
    assert client.get(NEW_CODES).status_code == 200
    response = client.post(NEW_CODES)
    assert response.status_code == 302
    assert response["Location"] == CODES
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", client.get(CODES).content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)

    again = password_sign_in("lead@council.test")
    assert "already been used" in errors(again.post(CODE, {"code": old[0]}))
    clock.wait_out_throttling()
    assert again.post(CODE, {"code": new[0]}).status_code == 302


def test_turning_it_off_needs_a_right_code(organisation: Organisation, clock: Clock) -> None:
    client, _ = client_with_two_factor("lead@council.test", clock)
    app = app_of("lead@council.test")
    assert client.get(TURN_OFF).status_code == 200
    assert "The code is not right" in errors(client.post(TURN_OFF, {"code": wrong_code(app, clock)}))
    assert TOTPDevice.objects.filter(confirmed=True).exists()
    clock.wait_out_throttling()
    response = client.post(TURN_OFF, {"code": code_for(app, clock)})
    assert response.status_code == 302
    assert response["Location"] == MANAGE
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    # Signing in no longer asks for a code.
    assert password_sign_in("lead@council.test").get("/projects/").status_code == 200


def test_changing_it_needs_a_verified_session(organisation: Organisation, clock: Clock) -> None:
    """Even a session that does not know the person has an app (signed in before they added
    it elsewhere) must enter a code before it can change anything."""
    client_with_two_factor("lead@council.test", clock)
    client = signed_in("lead@council.test")
    session = client.session
    session[twofactor.HAS_DEVICE] = False
    session.save()
    assert client.get("/projects/").status_code == 200  # not required of a lead
    for url in (MANAGE, NEW_CODES, TURN_OFF):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(CODE), url
    assert client.post(NEW_CODES).status_code == 302
    assert client.post(TURN_OFF, {"code": "aaaaaaaa"}).status_code == 302
    assert StaticToken.objects.count() == 10
    assert TOTPDevice.objects.count() == 1


def test_another_session_that_knew_of_the_app_lets_the_person_on_once_it_is_off(
    organisation: Organisation, clock: Clock
) -> None:
    client_with_two_factor("lead@council.test", clock)
    other = password_sign_in("lead@council.test")
    assert other.get("/projects/").status_code == 302
    twofactor.turn_off(user=person("lead@council.test"), code=None)
    assert other.get("/projects/").status_code == 200


# --- who must use it ------------------------------------------------------------------------


@REQUIRED
@pytest.mark.parametrize("role", ["admin", "approver"])
def test_admins_and_approvers_must_set_it_up_before_anything_else(
    organisation: Organisation, clock: Clock, role: str
) -> None:
    email = f"{role}@council.test"
    client = password_sign_in(email)
    for url in ("/projects/", "/organisation/", MANAGE, "/account/api-tokens/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{SET_UP}?next="), url
    assert client.post("/organisation/commitments/edit/", {"text": "x"}).status_code == 302
    assert client.get("/accounts/logout/").status_code == 200  # signing out is always open
    page = client.get(f"{SET_UP}?next=/organisation/")
    assert page.status_code == 200
    assert (
        f"As an {role} of Northshire Council, you must use two-factor authentication" in page.content.decode()
    )

    device = TOTPDevice.objects.get(user__email=email)
    response = client.post(SET_UP, {"code": code_for(device, clock), "next": "/organisation/"})
    assert response["Location"] == CODES
    codes_page = client.get(CODES).content.decode()
    assert 'href="/organisation/"' in codes_page, "after the codes, on to where they were going"
    assert client.get("/organisation/").status_code == 200


@REQUIRED
def test_a_lead_need_not(organisation: Organisation) -> None:
    client = password_sign_in("lead@council.test")
    assert client.get("/projects/").status_code == 200
    assert client.get(MANAGE).status_code == 200


@REQUIRED
def test_the_role_in_any_organisation_counts(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    lead = person("lead@council.test")
    add_member(organisation=other_organisation, user=lead, role="approver")
    client = password_sign_in("lead@council.test")
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith(SET_UP)
    html = client.get(SET_UP).content.decode()
    assert "As an approver of Southvale Children&#39;s Trust, you must use" in html


@REQUIRED
def test_with_an_app_they_must_enter_a_code(organisation: Organisation, clock: Clock) -> None:
    client_with_two_factor("approver@council.test", clock)
    client = password_sign_in("approver@council.test")
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE)
    assert client.get(SET_UP).status_code == 302, "nor can they set up another app instead"
    assert client.post(CODE, {"code": code_for(app_of("approver@council.test"), clock)}).status_code == 302
    assert client.get("/projects/").status_code == 200


@REQUIRED
def test_turning_it_off_sends_them_to_set_it_up_again(organisation: Organisation, clock: Clock) -> None:
    client, codes = client_with_two_factor("admin@council.test", clock)
    html = client.get(TURN_OFF).content.decode()
    assert "You will have to set it up again" in html
    assert client.post(TURN_OFF, {"code": codes[0]}).status_code == 302
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith(SET_UP)


@REQUIRED
def test_the_api_counts_a_session_that_owes_a_code_as_signed_out(
    organisation: Organisation, clock: Clock
) -> None:
    from trustworthy.api.tokens import create_token

    client = password_sign_in("approver@council.test")
    assert client.get("/api/v1/me").status_code == 401
    _, secret = create_token(user=person("approver@council.test"), organisation=organisation, name="Reports")
    # A personal token is its own proof, with or without the session beside it.
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    client_with_two_factor("approver@council.test", clock)
    client = password_sign_in("approver@council.test")
    assert client.get("/api/v1/me").status_code == 401
    client.post(CODE, {"code": code_for(app_of("approver@council.test"), clock)})
    assert client.get("/api/v1/me").status_code == 200


def test_nobody_must_use_it_unless_set(organisation: Organisation) -> None:
    """Development and tests: admins and approvers sign in as before (the demo relies on it)."""
    for role in ("admin", "approver"):
        assert password_sign_in(f"{role}@council.test").get("/projects/").status_code == 200


@override_settings(TRUSTWORTHY_REQUIRE_2FA_ROLES=["admin", "chief"])
def test_a_role_that_does_not_exist_is_refused(organisation: Organisation) -> None:
    with pytest.raises(ImproperlyConfigured, match="chief"):
        twofactor.required_roles()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ["admin", "approver"]), ("", []), ("admin, lead", ["admin", "lead"])],
    ids=["default", "nobody", "chosen"],
)
def test_production_requires_admins_and_approvers_by_default(
    tmp_path: Any, value: str | None, expected: list[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_"))}
    env |= {
        "TRUSTWORTHY_ENV": "production",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": "k7#Qv9!xT2@pL5^mW8&zR4*bN6(jH3)sD1-fG0+yU" * 2,
        "DJANGO_ALLOWED_HOSTS": "innovation.example.gov.uk",
    }
    if value is not None:
        env["TRUSTWORTHY_REQUIRE_2FA_ROLES"] = value
    script = (
        "from trustworthy.config import settings; print(','.join(settings.TRUSTWORTHY_REQUIRE_2FA_ROLES))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert [r for r in result.stdout.strip().split(",") if r] == expected


# --- the audit trail ------------------------------------------------------------------------


def test_turning_it_on_and_off_and_new_codes_are_in_every_organisation_s_trail(
    organisation: Organisation, other_organisation: Organisation, clock: Clock
) -> None:
    lead = person("lead@council.test")
    add_member(organisation=other_organisation, user=lead, role="viewer")
    client, codes = client_with_two_factor("lead@council.test", clock)
    client.post(NEW_CODES)
    client.post(TURN_OFF, {"code": code_for(app_of("lead@council.test"), clock)})
    events = AuditEvent.objects.filter(target=f"member:{lead.pk}", action__startswith="account.")
    for org in (organisation, other_organisation):
        mine = list(events.filter(organisation=org).order_by("org_sequence"))
        assert [e.action for e in mine] == [
            "account.two-factor-on",
            "account.recovery-codes-renewed",
            "account.two-factor-off",
        ], org.name
        assert all(e.actor_id == lead.pk for e in mine)
        assert mine[0].after == {"user": lead.pk, "email": lead.email, "recovery_codes": 10}
        assert not any(code in str(e.after) for e in mine for code in codes), "no code is recorded"
    assert verify_organisation_chains() == []
    assert verify_organisation_state() == []


def test_a_refused_change_leaves_no_event(organisation: Organisation, clock: Clock) -> None:
    client = signed_in("lead@council.test")
    client.get(SET_UP)
    client.post(SET_UP, {"code": wrong_code(TOTPDevice.objects.get(), clock)})
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_an_operator_can_turn_it_off_for_someone_who_lost_everything(
    organisation: Organisation, clock: Clock
) -> None:
    from click.testing import CliRunner

    from trustworthy.cli import main

    client_with_two_factor("approver@council.test", clock)
    result = CliRunner().invoke(main, ["user", "two-factor-off", "--email", "approver@council.test"])
    assert result.exit_code == 0, result.output
    assert "Two-factor authentication is off for" in result.output
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    event = AuditEvent.objects.get(action="account.two-factor-off")
    assert event.actor_id is None
    assert event.after["by_operator"] is True
    again = CliRunner().invoke(main, ["user", "two-factor-off", "--email", "approver@council.test"])
    assert "did not have two-factor authentication on" in again.output
    assert password_sign_in("approver@council.test").get("/projects/").status_code == 200
