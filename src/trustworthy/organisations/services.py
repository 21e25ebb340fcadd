"""Writes about people, organisations and memberships. Each runs in one transaction."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import CommitmentStatement, Membership, Organisation, User


class ServiceError(Exception):
    """A write was refused; the message is written for the person who asked for it."""


def create_user(*, email: str, full_name: str, password: str | None) -> User:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ServiceError(f"There is already an account for {email}.")
    if password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages)) from exc
    return User.objects.create_user(email, password, full_name=full_name.strip())


@transaction.atomic
def add_member(*, organisation: Organisation, user: User, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    return membership


def add_member_by_name(*, organisation_name: str, user: User, role: str) -> Membership:
    try:
        organisation = Organisation.objects.get(name=organisation_name)
    except Organisation.DoesNotExist as exc:
        raise ServiceError(f"There is no organisation called {organisation_name!r}.") from exc
    return add_member(organisation=organisation, user=user, role=role)


@transaction.atomic
def record_commitments(*, organisation: Organisation, text: str, change_note: str, user: User) -> CommitmentStatement:
    """Add a new version of the organisation's ethical commitments; earlier versions stay."""
    latest = (
        CommitmentStatement.objects.select_for_update().filter(organisation=organisation).order_by("-version").first()
    )
    return CommitmentStatement.objects.create(
        organisation=organisation,
        version=(latest.version + 1) if latest else 1,
        text=text.strip(),
        change_note=change_note.strip(),
        created_by=user,
    )
