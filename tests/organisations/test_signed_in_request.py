"""Who is signed in, and their memberships, come from one query: the same answer as
Django's own `get_user`, which still decides every case that is not plainly valid."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from trustworthy.organisations.middleware import SESSION_KEY as CURRENT_ORGANISATION
from trustworthy.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db

PAGE = "/projects/"


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_person_and_their_memberships_in_one_query(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    Membership.objects.create(user=lead, organisation=other_organisation, role="viewer")
    client = signed_in("lead@council.test")
    with CaptureQueriesContext(connection) as queries:
        request = client.get("/healthz").wsgi_request
    assert len(queries) == 3  # the session, the person with their memberships, /healthz's own
    assert request.user == lead
    assert request.user.is_authenticated
    assert [m.organisation.name for m in request.memberships] == [
        "Northshire Council",
        "Southvale Children's Trust",
    ]
    assert all(m.user is request.user for m in request.memberships)
    assert request.membership == request.memberships[0]


def test_the_chosen_organisation_is_the_current_one(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    Membership.objects.create(user=lead, organisation=other_organisation, role="viewer")
    client = signed_in("lead@council.test")
    session = client.session
    session[CURRENT_ORGANISATION] = other_organisation.pk
    session.save()
    request = client.get(PAGE).wsgi_request
    assert request.membership.organisation == other_organisation
    assert request.membership.role == "viewer"


def test_a_changed_password_signs_the_session_out(organisation: Organisation) -> None:
    client = signed_in("lead@council.test")
    lead = User.objects.get(email="lead@council.test")
    lead.set_password("a different password altogether")
    lead.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session, "Django flushed the session"


def test_an_account_made_inactive_is_signed_out(organisation: Organisation) -> None:
    client = signed_in("lead@council.test")
    User.objects.filter(email="lead@council.test").update(is_active=False)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.wsgi_request.memberships == []


def test_someone_with_no_memberships_is_signed_in_with_none(make_organisation: Callable[..., object]) -> None:
    User.objects.create_user("loner@example.test", "a long enough password", full_name="Lone Person")
    client = signed_in("loner@example.test")
    request = client.get(PAGE).wsgi_request
    assert request.user.is_authenticated
    assert request.user.email == "loner@example.test"
    assert request.memberships == []
    assert request.membership is None


def test_a_session_signed_with_a_previous_secret_key_still_works(organisation: Organisation) -> None:
    """Django's fallback keys: the session verifies with an old key and is moved to the new one."""
    with override_settings(SECRET_KEY="the-old-secret-key-" + "x" * 40):
        client = signed_in("lead@council.test")
        old_hash = client.session[HASH_SESSION_KEY]
    with override_settings(
        SECRET_KEY="the-new-secret-key-" + "y" * 40, SECRET_KEY_FALLBACKS=["the-old-secret-key-" + "x" * 40]
    ):
        request = client.get(PAGE).wsgi_request
        assert request.user.email == "lead@council.test"
        assert request.membership is not None
        assert request.session[HASH_SESSION_KEY] != old_hash


def test_a_session_from_a_backend_no_longer_used_is_not_signed_in(organisation: Organisation) -> None:
    client = signed_in("lead@council.test")
    session = client.session
    session[BACKEND_SESSION_KEY] = "some.removed.Backend"
    session.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.memberships == []
