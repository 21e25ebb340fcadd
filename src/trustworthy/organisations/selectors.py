"""Reads about organisations, their members and their commitments.

Everything about an organisation is read through its `organisation`: an id that belongs to
another organisation finds nothing, exactly as if it did not exist.
"""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from .models import CommitmentStatement, Membership, Organisation, User

__all__ = [
    "commitment_version",
    "commitment_versions",
    "current_commitments",
    "invited_user",
    "member",
    "members",
]


def members(*, organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's members with their accounts, by name (one query however many)."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "organisation")
        .order_by("user__full_name", "user__email")
    )


def member(*, organisation: Organisation, membership_id: int) -> Membership | None:
    """One membership of this organisation; None if there is none with that id here."""
    return members(organisation=organisation).filter(pk=membership_id).first()


def current_commitments(*, organisation: Organisation) -> CommitmentStatement | None:
    return (
        CommitmentStatement.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by("-version")
        .first()
    )


def commitment_versions(*, organisation: Organisation) -> QuerySet[CommitmentStatement]:
    """Every version, newest first, without the (possibly long) text."""
    return (
        CommitmentStatement.objects.filter(organisation=organisation)
        .select_related("created_by")
        .defer("text")
        .order_by("-version")
    )


def commitment_version(*, organisation: Organisation, version: int) -> CommitmentStatement | None:
    return (
        CommitmentStatement.objects.filter(organisation=organisation, version=version)
        .select_related("created_by")
        .first()
    )


def invited_user(*, uidb64: str, token: str) -> User | None:
    """The person a set-password link was made for, if the link is genuine and still valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user
