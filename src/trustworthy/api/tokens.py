"""Making, revoking and checking personal API tokens.

A token acts as its person, in one organisation, with either their role there when it was
made or `viewer` (read and comment only). It stops working when it is revoked, when it
expires, when the person leaves the organisation or is made inactive, and when their role
changes to anything other than the token's role (a viewer token keeps working while they
are still a member). Making and revoking a token are organisation-level changes, audited
in the organisation's chain.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.utils import timezone

from trustworthy.core.errors import Invalid
from trustworthy.organisations.changes import changing_organisation
from trustworthy.organisations.models import Membership, Organisation, User
from trustworthy.organisations.permissions import Action

from .models import ApiToken

SECRET_PREFIX = "tw_"
PREFIX_LENGTH = 10
MAX_EXPIRY_DAYS = 366
READ_ONLY_ROLE = "viewer"
# How often, at most, a token's "last used" time is written (not on every request).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class TokenError(Invalid):
    """A token cannot be made or revoked as asked; the message says why."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def roles_allowed(membership: Membership) -> list[str]:
    """The roles a token of this member may have: their own, or read only."""
    return sorted({membership.role, READ_ONLY_ROLE})


def create_token(
    *,
    user: User,
    organisation: Organisation,
    name: str,
    role: str | None = None,
    expires_days: int | None = None,
    operator: bool = False,
) -> tuple[ApiToken, str]:
    """Make a token and return it with its secret (shown once, never stored)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("Give the token a name of 100 characters or fewer.")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"A token can last from 1 to {MAX_EXPIRY_DAYS} days.")
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        raise TokenError("You can only make a token for an organisation you belong to.")
    role = role or membership.role
    if role not in roles_allowed(membership):
        raise TokenError(f"The token’s role must be your own role ({membership.role}) or viewer.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(days=expires_days) if expires_days else None
    action = None if operator else Action.VIEW
    with changing_organisation(organisation, action, actor=user) as change:
        token = ApiToken.objects.create(
            user=user, organisation=organisation, role=role, name=name, prefix=secret[:PREFIX_LENGTH],
            token_hash=hash_secret(secret), expires_at=expires_at,
        )  # fmt: skip
        change.record(
            "api-token.created",
            target=f"api-token:{token.pk}",
            after={
                "person": user.email,
                "name": name,
                "role": role,
                "prefix": token.prefix,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, secret


def revoke_token(*, token: ApiToken, user: User, operator: bool = False) -> ApiToken:
    """Stop a token working. Only its owner revokes it (or an operator, from the command line)."""
    if not operator and token.user_id != user.pk:
        raise TokenError("You can only revoke your own tokens.")
    if token.revoked_at is not None:
        return token
    with changing_organisation(token.organisation_id, None, actor=user) as change:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        change.record(
            "api-token.revoked",
            target=f"api-token:{token.pk}",
            before={"revoked_at": None},
            after={"prefix": token.prefix, "revoked_at": token.revoked_at.isoformat()},
        )
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).select_related("organisation"))


def authenticate(secret: str) -> tuple[ApiToken, Membership] | None:
    """The token for this secret and the membership it acts through (its role set to the
    token's), or None if the token does not exist or no longer works."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "organisation").filter(token_hash=hash_secret(secret)).first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(user_id=token.user_id, organisation_id=token.organisation_id)
        .first()
    )
    if membership is None or token.role not in roles_allowed(membership):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    membership.role = token.role
    return token, membership
