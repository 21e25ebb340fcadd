"""Work typed when a session expired comes back only to the person who typed it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD
from trustworthy.core.auth import KEPT_WORK_KEY, OWNER_COOKIE
from trustworthy.organisations.models import CommitmentStatement, Organisation, User

pytestmark = pytest.mark.django_db

EDIT = "/organisation/commitments/edit/"
KEPT = "You were signed out. We kept what you typed"
TYPED = {"text": "Our draft commitments, typed over an hour.", "change_note": "Rewritten"}


def working_when_the_session_expires(client: Client, email: str, url: str) -> None:
    """`email` signs in and opens `url`; then their session expires (its cookie is gone)."""
    client.force_login(User.objects.get(email=email))
    assert client.get(url).status_code == 200
    del client.cookies[settings.SESSION_COOKIE_NAME]


def sign_in(client: Client, email: str, next_url: str = EDIT) -> None:
    response = client.post("/accounts/login/", {"email": email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_same_person_gets_their_work_back(
    client: Client, organisation: Organisation, commitments: CommitmentStatement
) -> None:
    working_when_the_session_expires(client, "admin@council.test", EDIT)
    client.post(EDIT, TYPED)
    sign_in(client, "admin@council.test")
    page = client.get(EDIT).content.decode()
    assert KEPT in page
    assert TYPED["text"] in page


def test_someone_else_signing_in_on_that_browser_never_sees_it(
    client: Client,
    organisation: Organisation,
    other_organisation: Organisation,
    commitments: CommitmentStatement,
) -> None:
    working_when_the_session_expires(client, "admin@council.test", EDIT)
    client.post(EDIT, TYPED)
    assert client.session[KEPT_WORK_KEY]["fields"]["text"] == [TYPED["text"]]

    sign_in(client, "admin@trust.test")  # another organisation's admin, on the same page
    assert KEPT_WORK_KEY not in client.session, "dropped as they sign in, not kept in their session"
    page = client.get(EDIT).content.decode()
    assert KEPT not in page
    assert TYPED["text"] not in page


def test_nothing_is_kept_on_a_browser_nobody_has_signed_in_on(
    client: Client, organisation: Organisation, commitments: CommitmentStatement
) -> None:
    response = client.post(EDIT, TYPED)
    assert response["Location"] == f"/accounts/login/?next={EDIT}"
    assert KEPT_WORK_KEY not in client.session
    sign_in(client, "admin@council.test")
    assert TYPED["text"] not in client.get(EDIT).content.decode()


def test_signing_out_means_nothing_typed_afterwards_is_kept(
    client: Client, organisation: Organisation, commitments: CommitmentStatement
) -> None:
    sign_in(client, "admin@council.test")
    client.get(EDIT)
    assert client.cookies[OWNER_COOKIE].value
    client.post("/accounts/logout/")
    assert not client.cookies[OWNER_COOKIE].value, "the mark is removed"
    client.post(EDIT, TYPED)  # from a tab left open
    assert KEPT_WORK_KEY not in client.session


def test_the_mark_says_nothing_about_who_it_is(
    client: Client, organisation: Organisation, commitments: CommitmentStatement
) -> None:
    admin = User.objects.get(email="admin@council.test")
    client.force_login(admin)
    client.get(EDIT)
    cookie = client.cookies[OWNER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert str(admin.pk) not in cookie.value.split(":")
    assert "council" not in cookie.value
    assert len(cookie.value) == 64  # a keyed hash of the account's id, nothing readable
