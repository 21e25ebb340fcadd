"""Personal API tokens: stored hashed, scoped to one organisation and role, expiring,
revocable, stopping when the person's membership changes, audited; the account page and
the command line; session calls with CSRF; the rate limit."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from trustworthy.api import tokens
from trustworthy.api.models import ApiToken
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Membership, User

from .conftest import ApiClient, make_token

pytestmark = pytest.mark.django_db


def _user(role: str, slug: str = "council") -> User:
    return User.objects.get(email=f"{role}@{slug}.test")


def test_only_a_hash_of_the_secret_is_stored(organisation: Any) -> None:
    token, secret = tokens.create_token(user=_user("lead"), organisation=organisation, name="Dashboard")
    assert secret.startswith("tw_")
    assert len(secret) > 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    stored = list(ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]))
    assert secret not in repr(stored)
    assert ApiClient(secret).get("/me").status_code == 200
    assert ApiClient(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/me").status_code == 401


def test_a_token_has_its_owners_role_or_viewer_and_nothing_else(
    organisation: Any, other_organisation: Any
) -> None:
    lead = _user("lead")
    assert tokens.create_token(user=lead, organisation=organisation, name="a")[0].role == "lead"
    assert (
        tokens.create_token(user=lead, organisation=organisation, name="b", role="viewer")[0].role == "viewer"
    )
    for role in ("admin", "approver", "reviewer", "contributor"):
        with pytest.raises(tokens.TokenError, match="your own role"):
            tokens.create_token(user=lead, organisation=organisation, name="c", role=role)
    with pytest.raises(tokens.TokenError, match="belong to"):
        tokens.create_token(user=lead, organisation=other_organisation, name="d")


def test_a_token_acts_in_its_organisation_with_its_role(api_as: Any, organisation: Any) -> None:
    me = api_as("lead", token_role="viewer").get("/me").json()
    assert me["memberships"] == [
        {"organisation_id": organisation.pk, "organisation": organisation.name, "role": "viewer"}
    ]
    assert me["token"]["role"] == "viewer"
    # A read-only token of a lead cannot do what the lead can.
    response = api_as("lead", token_role="viewer").post("/projects", {})
    assert response.status_code in (403, 422)
    from .endpoints import PROJECT

    assert api_as("lead", token_role="viewer").post("/projects", PROJECT).status_code == 403
    assert api_as("lead").post("/projects", PROJECT).status_code == 201


def test_a_person_in_two_organisations_gets_only_the_tokens_one(
    organisation: Any, other_organisation: Any
) -> None:
    from .endpoints import PROJECT

    lead = _user("lead")
    Membership.objects.create(user=lead, organisation=other_organisation, role="lead")
    _, secret = tokens.create_token(user=lead, organisation=organisation, name="council only")
    client = ApiClient(secret)
    other_project = ApiClient(make_token("lead", "trust")).post("/projects", PROJECT).json()["id"]
    assert client.get(f"/projects/{other_project}").status_code == 404
    assert [m["organisation_id"] for m in client.get("/me").json()["memberships"]] == [organisation.pk]
    # Signed in, the same person sees both.
    session = Client()
    session.force_login(lead)
    assert session.get(f"/api/v1/projects/{other_project}").status_code == 200


def test_an_expired_token_stops_working(organisation: Any) -> None:
    token, secret = tokens.create_token(
        user=_user("lead"), organisation=organisation, name="t", expires_days=30
    )
    assert token.expires_at is not None
    assert abs(token.expires_at - timezone.now() - datetime.timedelta(days=30)) < datetime.timedelta(
        minutes=1
    )
    assert ApiClient(secret).get("/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = ApiClient(secret).get("/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    with pytest.raises(tokens.TokenError):
        tokens.create_token(user=_user("lead"), organisation=organisation, name="t", expires_days=0)


def test_a_revoked_token_stops_working_and_both_are_audited(organisation: Any) -> None:
    lead = _user("lead")
    token, secret = tokens.create_token(user=lead, organisation=organisation, name="Dashboard")
    assert ApiClient(secret).get("/projects").status_code == 200
    with pytest.raises(tokens.TokenError):
        tokens.revoke_token(token=token, user=_user("admin"))
    tokens.revoke_token(token=token, user=lead)
    assert ApiClient(secret).get("/projects").status_code == 401
    events = AuditEvent.objects.filter(organisation=organisation, target=f"api-token:{token.pk}")
    assert [e.action for e in events.order_by("org_sequence")] == ["api-token.created", "api-token.revoked"]
    assert secret not in repr(list(events.values()))
    from trustworthy.reports.integrity import verify_everything

    assert verify_everything() == []  # `trustworthy audit verify` still holds


def test_a_role_change_or_leaving_stops_a_token_but_a_viewer_token_survives_a_role_change(
    organisation: Any,
) -> None:
    lead_token = make_token("lead")
    viewer_token = make_token("lead", token_role="viewer")
    membership = Membership.objects.get(user=_user("lead"), organisation=organisation)
    membership.role = "contributor"
    membership.save()
    assert ApiClient(lead_token).get("/me").status_code == 401
    assert ApiClient(viewer_token).get("/me").json()["memberships"][0]["role"] == "viewer"
    membership.delete()
    assert ApiClient(viewer_token).get("/me").status_code == 401


def test_an_inactive_person_s_token_stops_working(organisation: Any) -> None:
    secret = make_token("lead")
    User.objects.filter(email="lead@council.test").update(is_active=False)
    assert ApiClient(secret).get("/me").status_code == 401


def test_last_used_is_recorded(organisation: Any) -> None:
    token, secret = tokens.create_token(user=_user("lead"), organisation=organisation, name="t")
    assert token.last_used_at is None
    ApiClient(secret).get("/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_too_many_requests_get_429_with_retry_after(organisation: Any, settings: Any) -> None:
    settings.API_RATE_LIMIT = 3
    client = ApiClient(make_token("viewer"))
    assert [client.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/me")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 61
    # Another token has its own allowance.
    assert ApiClient(make_token("lead")).get("/me").status_code == 200


def test_signed_in_sessions_work_and_need_csrf_for_changes(organisation: Any) -> None:
    from .endpoints import PROJECT

    client = Client(enforce_csrf_checks=True)
    client.force_login(_user("lead"))
    assert client.get("/api/v1/projects").status_code == 200
    refused = client.post("/api/v1/projects", PROJECT, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    page = client.get("/account/api-tokens/")
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert found is not None
    csrf = found.group(1)
    made = client.post(
        "/api/v1/projects", PROJECT, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert made.status_code == 201, made.content


def test_the_account_page_makes_a_token_shows_it_once_and_revokes_it(client_as: Any) -> None:
    client = client_as("contributor")
    page = client.get("/account/api-tokens/")
    assert page.status_code == 200
    assert "You have no tokens" in page.content.decode()
    organisation_id = str(
        User.objects.get(email="contributor@council.test").memberships.get().organisation_id
    )
    made = client.post(
        "/account/api-tokens/",
        {"action": "create", "name": "Dashboard", "organisation": organisation_id, "access": "viewer",
         "expires_days": "90"},
    )  # fmt: skip
    html = made.content.decode()
    assert made.status_code == 200
    assert "shown only once" in html
    shown = re.search(r'id="new-token">(tw_[^<]+)<', html)
    assert shown is not None
    secret = shown.group(1)
    assert made["Cache-Control"].startswith("max-age=0") or "no-cache" in made["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.role, token.name) == ("viewer", "Dashboard")
    assert token.expires_at is not None
    assert ApiClient(secret).get("/me").status_code == 200
    again = client.get("/account/api-tokens/").content.decode()
    assert secret not in again
    assert token.prefix in again
    revoked = client.post("/account/api-tokens/", {"action": "revoke", "token": str(token.pk)})
    assert revoked.status_code == 302
    assert ApiClient(secret).get("/me").status_code == 401
    # Nobody revokes someone else's token: it is not found.
    other = make_token("lead")
    other_id = ApiToken.objects.get(prefix=other[:10]).pk
    assert (
        client.post("/account/api-tokens/", {"action": "revoke", "token": str(other_id)}).status_code == 404
    )
    assert client.post("/account/api-tokens/", {"action": "revoke", "token": "x"}).status_code == 404


def test_the_account_page_asks_for_a_name(client_as: Any) -> None:
    client = client_as("viewer")
    organisation_id = str(User.objects.get(email="viewer@council.test").memberships.get().organisation_id)
    sent = client.post(
        "/account/api-tokens/",
        {"action": "create", "name": "", "organisation": organisation_id, "access": "own"},
    )
    assert sent.status_code == 200
    assert "Enter a name for the token" in sent.content.decode()
    assert not ApiToken.objects.exists()


def test_the_command_line_makes_and_revokes_tokens(organisation: Any) -> None:
    runner = CliRunner()
    made = runner.invoke(
        main, ["token", "create", "--email", "lead@council.test", "--organisation", organisation.name,
               "--role", "viewer", "--expires", "7"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[0]
    assert ApiClient(secret).get("/me").json()["token"]["role"] == "viewer"
    refused = runner.invoke(
        main, ["token", "create", "--email", "lead@council.test", "--organisation", organisation.name,
               "--role", "admin"],
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "your own role" in refused.output
    revoked = runner.invoke(main, ["token", "revoke", secret[:10]])
    assert revoked.exit_code == 0, revoked.output
    assert ApiClient(secret).get("/me").status_code == 401
