"""Signing in with an organisation's own identity provider, over OpenID Connect.

Each organisation may have one provider (`SignInProvider`), set by an operator. A sign-in
is the authorization code flow with PKCE (S256), through Authlib's client:

1. `begin` reads the provider's discovery document, checks that it names the configured
   issuer, and keeps a fresh state, nonce and PKCE verifier in the session (one pending
   sign-in per browser, for PENDING_SECONDS).
2. The provider sends the person back with a code. `complete` checks the state against the
   session's, exchanges the code (with the verifier and the client secret) for tokens, and
   verifies the ID token: its signature against the provider's published keys (JWKS, with
   asymmetric algorithms only), its issuer, its audience (our client id), its expiry and
   its nonce.
3. The person is signed in only if the token's email address belongs to an active account
   that is a member of THAT organisation. Nothing is created: an address the provider
   vouches for but that is not a member here is refused, and so is a provider that says
   the address is not verified, or one outside the organisation's email domains.

Refusals are logged with the organisation and a reason, never with a code or a token.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import constant_time_compare
from joserfc.errors import JoseError

from .changes import changing_organisation
from .models import Organisation, SignInProvider, User
from .services import ServiceError

__all__ = [
    "PENDING_KEY",
    "SignInRefused",
    "SignedIn",
    "begin",
    "complete",
    "find_organisations",
    "log_refusal",
    "provider_of",
    "remove_provider",
    "set_provider",
]

log = logging.getLogger(__name__)

PENDING_KEY = "organisation_sign_in"
PENDING_SECONDS = 15 * 60  # time allowed at the provider's sign-in page
HTTP_TIMEOUT = 10  # seconds for each request to the provider
SCOPE = "openid email profile"
# A JWKS publishes public keys: an ID token signed with "none" or a shared secret is refused.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")

# Anything the provider, the network or a malformed answer can raise: each is a refusal.
_PROVIDER_FAILURES = (
    AuthlibBaseError,
    JoseError,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
)
_FRAMEWORK = DjangoIntegration("trustworthy-organisation-sign-in")


class SignInRefused(Exception):
    """A sign-in that cannot go on. `message` is for the person; `reason` is for the log."""

    def __init__(self, message: str, *, reason: str, status: int = 400, organisation: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status
        self.organisation = organisation


@dataclass(frozen=True)
class SignedIn:
    user: User
    organisation: Organisation
    next_url: str


# Configuration (operators) -------------------------------------------------------------


def _checked_issuer(issuer: str) -> str:
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or not parts.hostname:
        raise ServiceError("The issuer must be a URL with no query or fragment.", field="issuer")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise ServiceError("The issuer must be an https:// URL.", field="issuer")
    return issuer


def _checked_domains(domains: str) -> str:
    found = []
    for domain in domains.replace(",", " ").lower().split():
        domain = domain.lstrip("@")
        if not DOMAIN.fullmatch(domain):
            raise ServiceError(f"“{domain}” is not an email domain, such as council.gov.uk.", field="domains")
        found.append(domain)
    return " ".join(dict.fromkeys(found))


def _settings(provider: SignInProvider | None) -> dict[str, str] | None:
    if provider is None:
        return None
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret_env": provider.client_secret_env,
        "email_domains": provider.email_domains,
    }


def set_provider(
    *,
    organisation: Organisation,
    issuer: str,
    client_id: str,
    client_secret_env: str,
    email_domains: str = "",
) -> SignInProvider:
    """Set (or replace) the organisation's provider: an operator's change, audited."""
    issuer = _checked_issuer(issuer)
    client_id = client_id.strip()
    if not client_id or len(client_id) > 255:
        raise ServiceError("Give the client id the provider issued (at most 255 characters).")
    if not ENV_NAME.fullmatch(client_secret_env):
        raise ServiceError("Name the environment variable that holds the client secret, such as OIDC_SECRET.")
    domains = _checked_domains(email_domains)
    with changing_organisation(organisation, None, actor=None) as change:
        before = _settings(SignInProvider.objects.filter(organisation=change.organisation).first())
        provider, _ = SignInProvider.objects.update_or_create(
            organisation=change.organisation,
            defaults={
                "issuer": issuer,
                "client_id": client_id,
                "client_secret_env": client_secret_env,
                "email_domains": domains,
            },
        )
        change.record("sign-in.set", target="sign-in", before=before, after=_settings(provider))
    return provider


def remove_provider(*, organisation: Organisation) -> bool:
    """Stop sign-in through the organisation's provider; False if it had none."""
    if not SignInProvider.objects.filter(organisation=organisation).exists():
        return False
    with changing_organisation(organisation, None, actor=None) as change:
        provider = SignInProvider.objects.get(organisation=change.organisation)
        before = _settings(provider)
        provider.delete()
        change.record("sign-in.removed", target="sign-in", before=before, after=None)
    return True


# Finding the organisation ---------------------------------------------------------------


def find_organisations(text: str) -> list[Organisation]:
    """Organisations with a provider that match what the person typed: their organisation's
    name, or their work email address (or its domain), matched against the providers'
    email domains."""
    text = " ".join(text.split())
    if not text:
        return []
    with_provider = Organisation.objects.filter(sign_in_provider__isnull=False)
    by_name = list(with_provider.filter(name__iexact=text))
    if by_name:
        return by_name
    domain = text.rsplit("@", 1)[-1].lower()
    if not DOMAIN.fullmatch(domain):
        return []
    return [
        org
        for org in with_provider.select_related("sign_in_provider")
        .filter(sign_in_provider__email_domains__icontains=domain)
        .order_by("name")
        if domain in org.sign_in_provider.domains
    ]


def provider_of(organisation_id: int) -> SignInProvider | None:
    return (
        SignInProvider.objects.select_related("organisation").filter(organisation_id=organisation_id).first()
    )


# The flow -------------------------------------------------------------------------------


def _unavailable(provider: SignInProvider, reason: str) -> SignInRefused:
    name = provider.organisation.name
    return SignInRefused(
        f"Signing in with your {name} account is not working at the moment. Try again later, "
        "or sign in with your email address and password.",
        reason=reason,
        status=503,
        organisation=provider.organisation,
    )


def _client(provider: SignInProvider) -> DjangoOAuth2App:
    secret = os.environ.get(provider.client_secret_env, "")
    if not secret:
        raise _unavailable(provider, f"the environment variable {provider.client_secret_env} is not set")
    return DjangoOAuth2App(
        framework=_FRAMEWORK,
        name=f"organisation-{provider.organisation_id}",
        client_id=provider.client_id,
        client_secret=secret,
        server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT},
    )


def _load_metadata(client: DjangoOAuth2App, provider: SignInProvider) -> None:
    """Read the discovery document, which must name the configured issuer exactly (OpenID
    Connect Discovery, 4.3), and allow only asymmetric signatures on ID tokens."""
    try:
        metadata = client.load_server_metadata()
    except _PROVIDER_FAILURES as exc:
        raise _unavailable(provider, f"discovery failed ({type(exc).__name__})") from exc
    if metadata.get("issuer") != provider.issuer:
        raise _unavailable(provider, "the discovery document names another issuer")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(endpoint), str):
            raise _unavailable(provider, f"the discovery document has no {endpoint}")
    offered = metadata.get("id_token_signing_alg_values_supported") or ID_TOKEN_ALGORITHMS
    allowed = [alg for alg in ID_TOKEN_ALGORITHMS if alg in offered]
    if not allowed:
        raise _unavailable(provider, "the provider signs ID tokens with no algorithm accepted here")
    metadata["id_token_signing_alg_values_supported"] = allowed


def begin(session: SessionBase, provider: SignInProvider, *, redirect_uri: str, next_url: str) -> str:
    """Start a sign-in: the URL of the provider's authorization endpoint to send the person to."""
    client = _client(provider)
    _load_metadata(client, provider)
    created = client.create_authorization_url(redirect_uri)
    session[PENDING_KEY] = {
        "organisation": provider.organisation_id,
        "state": created["state"],
        "nonce": created["nonce"],
        "code_verifier": created["code_verifier"],
        "redirect_uri": redirect_uri,
        "next": next_url,
        "started": time.time(),
    }
    return str(created["url"])


def _refused(provider: SignInProvider, reason: str) -> SignInRefused:
    return SignInRefused(
        f"We could not sign you in with your {provider.organisation.name} account. "
        "Start again, or sign in with your email address and password.",
        reason=reason,
        organisation=provider.organisation,
    )


def _pending(session: SessionBase, params: Mapping[str, str]) -> tuple[SignInProvider, dict[str, Any]]:
    """The sign-in this browser started, if the provider's answer is for it (its state)."""
    pending = session.pop(PENDING_KEY, None)
    start_again = "This sign-in has expired or was not started here. Start again."
    if not isinstance(pending, dict) or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        raise SignInRefused(start_again, reason="no sign-in pending in this session")
    if not constant_time_compare(params.get("state") or "", pending["state"]):
        raise SignInRefused(start_again, reason="the state does not match the session's")
    provider = provider_of(pending["organisation"])
    if provider is None:
        raise SignInRefused(start_again, reason="the organisation no longer has a provider")
    return provider, pending


def _id_token_claims(provider: SignInProvider, pending: dict[str, Any], code: str) -> dict[str, Any]:
    client = _client(provider)
    _load_metadata(client, provider)
    try:
        token = client.fetch_access_token(
            redirect_uri=pending["redirect_uri"], code=code, code_verifier=pending["code_verifier"]
        )
    except _PROVIDER_FAILURES as exc:
        raise _refused(provider, f"the code was not exchanged ({type(exc).__name__})") from exc
    claims_options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
    }
    try:
        claims = client.parse_id_token(
            token, nonce=pending["nonce"], claims_options=claims_options, leeway=60
        )
    except _PROVIDER_FAILURES as exc:
        raise _refused(provider, f"the ID token is not valid ({type(exc).__name__}: {exc})") from exc
    if claims is None:
        raise _refused(provider, "the provider sent no ID token")
    return dict(claims)


def _email(provider: SignInProvider, claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise _refused(provider, "the ID token has no email address (is the email scope allowed?)")
    # Absent is accepted: some providers (Microsoft Entra ID among them) leave the claim out
    # for the organisation's own accounts. Present and not true is refused.
    if "email_verified" in claims and claims["email_verified"] not in (True, "true"):
        raise _refused(provider, "the provider says the email address is not verified")
    email = email.strip().lower()
    if provider.domains and email.rsplit("@", 1)[1] not in provider.domains:
        raise _refused(provider, "the email address is outside the organisation's domains")
    return email


def complete(session: SessionBase, params: Mapping[str, str]) -> SignedIn:
    """Finish the sign-in the provider sent the person back from, or raise SignInRefused."""
    provider, pending = _pending(session, params)
    organisation = provider.organisation
    if params.get("error") or not params.get("code"):
        raise _refused(provider, f"the provider answered {str(params.get('error') or 'no code')[:50]!r}")
    email = _email(provider, _id_token_claims(provider, pending, params["code"]))
    user = User.objects.filter(email=email, is_active=True, memberships__organisation=organisation).first()
    if user is None:
        raise SignInRefused(
            f"Your account at {organisation.name} is not set up here. "
            f"Ask an admin of {organisation.name} on this service to add you.",
            reason="no active member of the organisation has that email address",
            status=403,
            organisation=organisation,
        )
    return SignedIn(user=user, organisation=organisation, next_url=str(pending.get("next") or ""))


def log_refusal(refusal: SignInRefused) -> None:
    organisation = refusal.organisation
    where = f"organisation {organisation.pk}" if organisation is not None else "unknown organisation"
    log.warning("Organisation sign-in refused (%s): %s", where, refusal.reason)
