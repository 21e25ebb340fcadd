"""Signing in with an organisation's own account (OpenID Connect), against real providers.

Each test drives the flow as a browser would: our start page, then the provider's login
form (tests/oidc_provider, in a subprocess), then our callback with what the provider
sent back. The providers know people who are members here, people who are members of
the other organisation only, and people with no account at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.oidc_provider.fixtures import (  # noqa: F401 - oidc_providers is a fixture
    CALLBACK_PATH,
    Providers,
    configure,
    oidc_providers,
    sign_in_at_provider,
)
from trustworthy.cli import main
from trustworthy.core.audit import verify_organisation_chains
from trustworthy.core.models import AuditEvent
from trustworthy.organisations import oidc
from trustworthy.organisations.middleware import SESSION_KEY as ORGANISATION_SESSION_KEY
from trustworthy.organisations.models import Organisation, SignInProvider, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(oidc_providers: Callable[[str], Providers]) -> Providers:  # noqa: F811
    return oidc_providers("http://testserver" + CALLBACK_PATH)


@pytest.fixture
def northshire(
    organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> Organisation:
    configure(organisation, providers.northshire, monkeypatch)
    return organisation


@pytest.fixture
def southvale(
    other_organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> Organisation:
    configure(other_organisation, providers.southvale, monkeypatch)
    return other_organisation


def start(client: Client, organisation: Organisation, query: str = "") -> str:
    """Our start page for the organisation: the provider's authorization URL it sends to."""
    response = client.get(reverse("oidc-start", args=[organisation.pk]) + query)
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def come_back(client: Client, params: dict[str, str]) -> HttpResponse:
    response: HttpResponse = client.get(reverse("oidc-callback"), params)
    return response


def sign_in_through(client: Client, organisation: Organisation, email: str) -> HttpResponse:
    return come_back(client, sign_in_at_provider(start(client, organisation), email))


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get(USER_SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


# Signing in ------------------------------------------------------------------------------


def test_a_member_signs_in_with_their_organisations_account(
    northshire: Organisation, southvale: Organisation, providers: Providers
) -> None:
    client = Client()
    authorize = start(client, northshire)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(providers.northshire.url + "/o/authorize/")
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == ["northshire"]
    assert {"openid", "email"} <= set(query["scope"][0].split())
    assert all(query[name][0] for name in ("state", "nonce", "code_challenge"))

    response = come_back(client, sign_in_at_provider(authorize, "lead@council.test"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == User.objects.get(email="lead@council.test")
    assert client.session[ORGANISATION_SESSION_KEY] == northshire.pk
    assert client.get(reverse("project-list")).status_code == 200


def test_the_person_goes_back_to_the_page_they_asked_for(northshire: Organisation) -> None:
    client = Client()
    response = come_back(
        client, sign_in_at_provider(start(client, northshire, "?next=/organisation/"), "lead@council.test")
    )
    assert response["Location"] == "/organisation/"

    client = Client()
    elsewhere = "?next=https://phishing.example/"
    response = come_back(
        client, sign_in_at_provider(start(client, northshire, elsewhere), "lead@council.test")
    )
    assert response["Location"] == reverse("home")


def test_a_member_of_both_organisations_works_in_the_one_whose_provider_they_used(
    northshire: Organisation, southvale: Organisation
) -> None:
    from trustworthy.organisations.services import add_member

    add_member(organisation=southvale, user=User.objects.get(email="lead@council.test"), role="viewer")
    client = Client()
    response = sign_in_through(client, southvale, "lead@council.test")
    assert response.status_code == 302
    assert client.session[ORGANISATION_SESSION_KEY] == southvale.pk


def test_signing_in_this_way_works_with_the_lockout_on_as_in_production(
    northshire: Organisation, settings: Any
) -> None:
    from axes.models import AccessLog

    settings.AXES_ENABLED = True
    client = Client()
    assert sign_in_through(client, northshire, "lead@council.test").status_code == 302
    assert AccessLog.objects.filter(username="lead@council.test").count() == 1
    assert client.get(reverse("project-list")).status_code == 200


# Refused: who the person is ------------------------------------------------------------


@pytest.mark.parametrize(
    ("through", "email"),
    [
        ("northshire", "admin@trust.test"),  # Southvale's member, at Northshire's provider
        ("southvale", "lead@council.test"),  # Northshire's member, at Southvale's provider
    ],
)
def test_a_member_of_another_organisation_is_refused(
    northshire: Organisation, southvale: Organisation, through: str, email: str
) -> None:
    organisation = {"northshire": northshire, "southvale": southvale}[through]
    client = Client()
    response = sign_in_through(client, organisation, email)
    assert response.status_code == 403
    page = unescape(response.content.decode())
    assert f"Your account at {organisation.name} is not set up here" in page
    assert signed_in_as(client) is None
    assert client.get(reverse("project-list")).status_code == 302  # to the sign-in page


def test_nobody_is_given_an_account_by_signing_in(northshire: Organisation) -> None:
    people = User.objects.count()
    client = Client()
    response = sign_in_through(client, northshire, "stranger@council.test")
    assert response.status_code == 403
    assert User.objects.count() == people
    assert signed_in_as(client) is None


def test_an_account_that_has_been_turned_off_is_refused(northshire: Organisation) -> None:
    User.objects.filter(email="lead@council.test").update(is_active=False)
    client = Client()
    assert sign_in_through(client, northshire, "lead@council.test").status_code == 403
    assert signed_in_as(client) is None


def test_an_address_the_provider_has_not_verified_is_refused(northshire: Organisation) -> None:
    client = Client()
    response = sign_in_through(client, northshire, "viewer@council.test")  # a member, unverified
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_only_the_organisations_email_domains_may_sign_in_when_it_names_them(
    organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(organisation, providers.northshire, monkeypatch, email_domains="northshire.gov.uk")
    client = Client()
    assert sign_in_through(client, organisation, "lead@council.test").status_code == 400
    assert signed_in_as(client) is None

    configure(organisation, providers.northshire, monkeypatch, email_domains="northshire.gov.uk council.test")
    client = Client()
    assert sign_in_through(client, organisation, "lead@council.test").status_code == 302
    assert signed_in_as(client) is not None


# Refused: what the provider sent -------------------------------------------------------


def test_an_answer_whose_state_is_not_this_sessions_is_refused(northshire: Organisation) -> None:
    client = Client()
    params = sign_in_at_provider(start(client, northshire), "lead@council.test")
    response = come_back(client, {**params, "state": params["state"][:-2] + "xx"})
    assert response.status_code == 400
    assert signed_in_as(client) is None
    # The sign-in is over: the right state does not bring it back.
    assert come_back(client, params).status_code == 400
    assert signed_in_as(client) is None


def test_an_answer_in_another_browser_is_refused(northshire: Organisation) -> None:
    """The code and state were got by someone else's browser (login CSRF)."""
    attacker = Client()
    params = sign_in_at_provider(start(attacker, northshire), "lead@council.test")
    victim = Client()
    assert come_back(victim, params).status_code == 400
    assert signed_in_as(victim) is None


def test_the_code_is_exchanged_only_with_this_sign_ins_pkce_verifier(northshire: Organisation) -> None:
    client = Client()
    params = sign_in_at_provider(start(client, northshire), "lead@council.test")
    session = client.session
    session[oidc.PENDING_KEY] = {**session[oidc.PENDING_KEY], "code_verifier": "x" * 64}
    session.save()
    assert come_back(client, params).status_code == 400
    assert signed_in_as(client) is None


@pytest.mark.parametrize("fault", ["wrong-issuer", "wrong-audience", "wrong-nonce", "wrong-key"])
def test_an_id_token_that_does_not_check_out_is_refused(
    organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    configure(organisation, providers.northshire, monkeypatch, fault=fault)
    client = Client()
    response = sign_in_through(client, organisation, "lead@council.test")
    assert response.status_code == 400
    assert "We could not sign you in with your Northshire Council account" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_provider_that_names_another_issuer_is_not_used(
    organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same server, but not the issuer it says it is (its discovery document names /o).
    configure(organisation, providers.northshire, monkeypatch, issuer=providers.northshire.issuer + "/")
    client = Client()
    response = client.get(reverse("oidc-start", args=[organisation.pk]))
    assert response.status_code == 503
    assert oidc.PENDING_KEY not in client.session


def test_the_provider_saying_no_is_shown_as_a_refusal(northshire: Organisation) -> None:
    client = Client()
    state = parse_qs(urlsplit(start(client, northshire)).query)["state"][0]
    response = come_back(client, {"error": "access_denied", "state": state})
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_an_answer_with_nothing_started_is_refused() -> None:
    client = Client()
    response = come_back(client, {"code": "anything", "state": "anything"})
    assert response.status_code == 400
    assert "expired or was not started here" in response.content.decode()


def test_without_its_client_secret_the_organisations_sign_in_is_unavailable(
    northshire: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(providers.northshire.secret_env)
    response = Client().get(reverse("oidc-start", args=[northshire.pk]))
    assert response.status_code == 503
    assert "not working at the moment" in response.content.decode()


def test_refusals_are_logged_without_codes_or_tokens(
    organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    configure(organisation, providers.northshire, monkeypatch, fault="wrong-nonce")
    client = Client()
    params = sign_in_at_provider(start(client, organisation), "lead@council.test")
    with caplog.at_level(logging.WARNING, logger="trustworthy.organisations.oidc"):
        come_back(client, params)
    logged = caplog.text
    assert f"organisation {organisation.pk}" in logged
    assert "nonce" in logged
    assert params["code"] not in logged
    assert params["state"] not in logged
    assert "lead@council.test" not in logged


def test_two_factor_is_still_asked_for_after_signing_in_this_way(northshire: Organisation) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lead = User.objects.get(email="lead@council.test")
    TOTPDevice.objects.create(user=lead, name="Authenticator app", confirmed=True)
    client = Client()
    assert sign_in_through(client, northshire, "lead@council.test").status_code == 302
    response = client.get(reverse("project-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-code"))


# Finding the organisation --------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Northshire Council", "northshire council", "sam@northshire.gov.uk", "northshire.gov.uk"]
)
def test_the_person_finds_their_organisation_by_name_or_email_address(
    organisation: Organisation, providers: Providers, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    configure(organisation, providers.northshire, monkeypatch, email_domains="northshire.gov.uk")
    response = Client().post(reverse("oidc-choose"), {"organisation": typed, "next": "/organisation/"})
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("oidc-continue", args=[organisation.pk]) + "?next=%2Forganisation%2F"
    )


def test_an_organisation_that_cannot_be_found_is_explained(
    northshire: Organisation, other_organisation: Organisation
) -> None:
    client = Client()
    for typed in ("Nowhere Council", "someone@nowhere.example", other_organisation.name):
        response = client.post(reverse("oidc-choose"), {"organisation": typed})
        assert response.status_code == 200
        assert "We could not find an organisation that signs in this way" in response.content.decode()
    response = client.post(reverse("oidc-choose"), {"organisation": ""})
    assert "Enter your organisation’s name or your work email address" in response.content.decode()
    # An organisation with no provider, or none at all, has no sign-in pages.
    for organisation_id in (other_organisation.pk, 999_999):
        assert client.get(reverse("oidc-continue", args=[organisation_id])).status_code == 404
        assert client.get(reverse("oidc-start", args=[organisation_id])).status_code == 404


def test_the_sign_in_page_offers_the_organisations_account() -> None:
    page = Client().get(reverse("login") + "?next=/organisation/").content.decode()
    assert 'href="/accounts/organisation-sign-in/?next=/organisation/"' in page


# Configuring it ------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["organisation", "sign-in", *args])


def test_an_operator_sets_and_removes_an_organisations_provider(organisation: Organisation) -> None:
    result = run(
        "set", "--organisation", organisation.name, "--issuer", "https://login.northshire.gov.uk/",
        "--client-id", "trustworthy", "--client-secret-env", "NORTHSHIRE_OIDC_SECRET",
        "--email-domains", "Northshire.gov.uk @northshire-cc.gov.uk",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/accounts/organisation-sign-in/callback/" in result.output
    assert "Set NORTHSHIRE_OIDC_SECRET" in result.output
    provider = SignInProvider.objects.get(organisation=organisation)
    assert provider.issuer == "https://login.northshire.gov.uk/"
    assert provider.client_secret_env == "NORTHSHIRE_OIDC_SECRET"
    assert provider.domains == ["northshire.gov.uk", "northshire-cc.gov.uk"]
    event = AuditEvent.objects.get(organisation=organisation, action="sign-in.set")
    assert event.before is None
    assert event.after["client_id"] == "trustworthy"

    assert run("remove", "--organisation", organisation.name).exit_code == 0
    assert not SignInProvider.objects.filter(organisation=organisation).exists()
    assert AuditEvent.objects.filter(organisation=organisation, action="sign-in.removed").count() == 1
    assert verify_organisation_chains() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--issuer", "http://login.northshire.gov.uk"], "must be an https:// URL"),
        (["--issuer", "https://login.northshire.gov.uk/?tenant=1"], "no query or fragment"),
        (["--client-secret-env", "not a name"], "Name the environment variable"),
        (["--email-domains", "not_a_domain"], "is not an email domain"),
        (["--organisation", "Nowhere"], "There is no organisation called “Nowhere”"),
    ],
)
def test_an_operator_is_told_what_is_wrong(organisation: Organisation, args: list[str], message: str) -> None:
    options = {
        "--organisation": organisation.name,
        "--issuer": "https://login.northshire.gov.uk",
        "--client-id": "trustworthy",
        "--client-secret-env": "NORTHSHIRE_OIDC_SECRET",
    }
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("set", *[part for pair in options.items() for part in pair])
    assert result.exit_code == 1
    assert message in result.output
    assert not SignInProvider.objects.exists()


def test_the_secret_itself_is_never_stored(northshire: Organisation, providers: Providers) -> None:
    provider = SignInProvider.objects.get(organisation=northshire)
    stored = " ".join(str(value) for value in provider.__dict__.values())
    events = " ".join(str(e.after) for e in AuditEvent.objects.filter(action="sign-in.set"))
    assert providers.northshire.secret not in stored + events


def test_admins_see_how_their_members_sign_in(northshire: Organisation, client_as: Any) -> None:
    page = client_as("admin").get(reverse("organisation")).content.decode()
    assert northshire.sign_in_provider.issuer in page
    assert "http://testserver/accounts/organisation-sign-in/callback/" in page
    assert "TEST_OIDC" not in page  # which variable holds the secret is the operator's business
    assert (
        northshire.sign_in_provider.issuer
        not in client_as("lead").get(reverse("organisation")).content.decode()
    )


def test_password_sign_in_still_works_for_an_organisation_with_a_provider(northshire: Organisation) -> None:
    client = Client()
    response = client.post(reverse("login"), {"email": "lead@council.test", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == User.objects.get(email="lead@council.test")
