"""Signing in and out, and creating a password from an invitation link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import PASSWORD
from trustworthy.organisations.models import Organisation, User

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "Enter a correct email address and password"


def sign_in(client: Client, email: str, password: str, next_url: str | None = None) -> Any:
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data)


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get(AUTH_SESSION_KEY)
    return User.objects.get(pk=user_id).email if user_id else None


# Signing in ---------------------------------------------------------------------------


def test_the_sign_in_page_asks_for_an_email_address_and_password(client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'type="password"' in html
    assert "<title>Sign in – Trustworthy Innovation</title>" in html


def test_signing_in_goes_to_your_work(client: Client, organisation: Organisation) -> None:
    response = sign_in(client, "lead@council.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == "lead@council.test"


def test_the_email_address_is_not_case_sensitive(client: Client, organisation: Organisation) -> None:
    response = sign_in(client, "  Lead@Council.TEST ", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == "lead@council.test"


@pytest.mark.parametrize(
    ("email", "password"),
    [("lead@council.test", "not the password"), ("nobody@council.test", PASSWORD)],
    ids=["wrong password", "unknown email address"],
)
def test_a_failed_sign_in_does_not_say_which_was_wrong(
    client: Client, organisation: Organisation, email: str, password: str
) -> None:
    response = sign_in(client, email, password)
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG in html
    assert "<title>Error: Sign in" in html
    assert f'value="{email}"' in html  # what was typed comes back...
    assert password not in html  # ...except the password
    assert signed_in_as(client) is None


def test_an_inactive_account_cannot_sign_in(client: Client, organisation: Organisation) -> None:
    User.objects.filter(email="lead@council.test").update(is_active=False)
    response = sign_in(client, "lead@council.test", PASSWORD)
    assert WRONG in response.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("email", "password", "messages"),
    [
        ("", "", ["Enter your email address", "Enter your password"]),
        (
            "lead-at-council",
            PASSWORD,
            ["Enter an email address in the correct format, like name@example.org"],
        ),
    ],
    ids=["empty", "not an email address"],
)
def test_sign_in_says_what_to_fix(client: Client, email: str, password: str, messages: list[str]) -> None:
    response = sign_in(client, email, password)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    for message in messages:
        assert message in html
    assert WRONG not in html


def test_signing_in_returns_to_the_page_asked_for(client: Client, organisation: Organisation) -> None:
    asked_for = client.get("/organisation/commitments/")
    assert asked_for["Location"] == "/accounts/login/?next=/organisation/commitments/"
    page = client.get(asked_for["Location"])
    assert 'name="next" value="/organisation/commitments/"' in page.content.decode()
    response = sign_in(client, "viewer@council.test", PASSWORD, next_url="/organisation/commitments/")
    assert response["Location"] == "/organisation/commitments/"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_signing_in_never_sends_people_to_another_site(
    client: Client, organisation: Organisation, next_url: str
) -> None:
    assert next_url not in client.get(LOGIN, {"next": next_url}).content.decode()
    response = sign_in(client, "lead@council.test", PASSWORD, next_url=next_url)
    assert response["Location"] == "/"


def test_someone_signed_in_is_sent_on_from_the_sign_in_page(client_as: Callable[[str], Client]) -> None:
    response = client_as("lead").get(LOGIN, {"next": "/organisation/"})
    assert response.status_code == 302
    assert response["Location"] == "/organisation/"


def test_too_many_failures_pause_signing_in_for_that_address_only(
    client: Client, organisation: Organisation, settings: object
) -> None:
    settings.AXES_ENABLED = True  # type: ignore[attr-defined]
    settings.AXES_FAILURE_LIMIT = 3  # type: ignore[attr-defined]
    settings.AXES_LOCKOUT_TEMPLATE = "organisations/locked_out.html"  # type: ignore[attr-defined]
    for _ in range(3):
        sign_in(client, "lead@council.test", "wrong password")
    response = sign_in(client, "lead@council.test", PASSWORD)
    assert response.status_code == 429
    assert "You cannot sign in for now" in response.content.decode()
    assert signed_in_as(client) is None
    # Someone else at the same address (the same council network) can still sign in.
    assert sign_in(Client(), "viewer@council.test", PASSWORD)["Location"] == "/"


# Signing out --------------------------------------------------------------------------


def test_sign_out_asks_before_signing_out(client_as: Callable[[str], Client]) -> None:
    client = client_as("lead")
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert 'action="/accounts/logout/"' in response.content.decode()
    assert signed_in_as(client) == "lead@council.test"  # a GET changes nothing


def test_signing_out_ends_the_session(client_as: Callable[[str], Client]) -> None:
    client = client_as("lead")
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[0] == (LOGIN, 302)
    assert "You have signed out" in response.content.decode()
    assert signed_in_as(client) is None
    assert client.get("/organisation/").status_code == 302


def test_signing_out_needs_the_csrf_token(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email="lead@council.test"))
    assert client.post("/accounts/logout/").status_code == 403
    assert signed_in_as(client) == "lead@council.test"


# Creating a password from an invitation -----------------------------------------------


@pytest.fixture
def invited(db: None) -> User:
    return User.objects.create_user("new.person@council.test", None, full_name="New Person")


def link_for(user: User, token: str | None = None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/set-password/{uid}/{token or default_token_generator.make_token(user)}/"


def test_an_invitation_link_lets_someone_create_a_password_once(client: Client, invited: User) -> None:
    link = link_for(invited)
    page = client.get(link)
    assert page.status_code == 200
    assert "new.person@council.test" in page.content.decode()

    response = client.post(link, {"password": PASSWORD, "password_confirm": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == (LOGIN, 302)
    assert "Your password has been set" in response.content.decode()
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)

    assert sign_in(client, "new.person@council.test", PASSWORD)["Location"] == "/"
    assert "This link does not work" in Client().get(link).content.decode()  # used once, it stops working


@pytest.mark.parametrize(
    "link",
    [
        "/accounts/set-password/{uid}/not-a-token/",
        "/accounts/set-password/bm9wZQ/{token}/",  # "nope"
        "/accounts/set-password/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/{token}/",  # an enormous id
    ],
    ids=["bad token", "bad user", "user id too large"],
)
def test_a_link_that_is_wrong_does_not_work(client: Client, invited: User, link: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    url = link.format(uid=uid, token=default_token_generator.make_token(invited))
    response = client.get(url)
    assert "This link does not work" in response.content.decode()
    response = client.post(url, {"password": PASSWORD, "password_confirm": PASSWORD})
    assert "This link does not work" in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_link_stops_working_after_it_expires(client: Client, invited: User, settings: object) -> None:
    link = link_for(invited)
    settings.PASSWORD_RESET_TIMEOUT = -1  # type: ignore[attr-defined]
    assert "This link does not work" in client.get(link).content.decode()


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("", "", "Enter a password"),
        (PASSWORD, "", "Confirm your password"),
        (PASSWORD, PASSWORD + "x", "The passwords do not match"),
        ("short pass", "short pass", "Password must be 12 characters or more"),
        ("password1234", "password1234", "Enter a password that is harder to guess"),
        (
            "new.person@council",
            "new.person@council",
            "Password must not be too similar to your name or email",
        ),
    ],
    ids=["empty", "not confirmed", "different", "too short", "too common", "like the email address"],
)
def test_creating_a_password_says_what_to_fix(
    client: Client, invited: User, password: str, confirm: str, message: str
) -> None:
    response = client.post(link_for(invited), {"password": password, "password_confirm": confirm})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    if password:
        assert password not in html.replace("new.person@council.test", "")  # never echoed back
    invited.refresh_from_db()
    assert not invited.has_usable_password()
