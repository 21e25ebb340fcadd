"""What the organisation's pages show, kept out of the views: dates as GOV.UK writes them,
what to tell an admin after an invitation, and each page's context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from . import oidc, selectors
from .forms import ROLE_HINTS
from .models import CommitmentStatement, Membership, Organisation
from .permissions import Action, role_may
from .services import Invitation

# Admins manage both the members and the ethical commitments (see permissions.py).
MANAGE_ORGANISATION = Action.MANAGE_MEMBERS


def when(value: datetime) -> str:
    """A date and time as GOV.UK writes them: 4 June 2026 at 2:05pm, or at 9am."""
    value = localtime(value)
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{value.day} {value:%B} {value.year} at {hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def invitation_message(invitation: Invitation) -> tuple[int, str]:
    """The message level and text that tell the admin what happened, and what to do next."""
    member = invitation.membership
    role = member.get_role_display().lower()
    names = {"person": member.user, "role": role, "email": member.user.email}
    if invitation.new_account and invitation.email_sent:
        return messages.SUCCESS, _(
            "%(person)s has been added as %(role)s. We have emailed %(email)s a link to create a password."
        ) % names
    if invitation.new_account or (not invitation.email_sent and not member.user.has_usable_password()):
        return messages.WARNING, _(
            "%(person)s has been added as %(role)s, but the email could not be sent. "
            "Send the invitation again from their page."
        ) % names
    if invitation.email_sent:
        return messages.SUCCESS, _(
            "%(person)s already had an account and has been added as %(role)s. "
            "They have not created a password yet, so we have emailed them a new link."
        ) % names
    return messages.SUCCESS, _("%(person)s already had an account and has been added as %(role)s.") % names


def role_changed(changed: Membership) -> str:
    return _("%(person)s is now %(role)s.") % {
        "person": changed.user,
        "role": changed.get_role_display().lower(),
    }


def organisation_page(current: Membership) -> dict[str, Any]:
    is_admin = role_may(current.role, MANAGE_ORGANISATION)
    return {
        "organisation": current.organisation,
        "commitments": selectors.current_commitments(organisation=current.organisation),
        "is_admin": is_admin,
        # Set by an operator (`trustworthy organisation sign-in set`), shown to admins only.
        "sign_in_provider": oidc.provider_of(current.organisation_id) if is_admin else None,
        "when": when,
    }


def member_page(form: Any, person: Membership, admin: Membership) -> dict[str, Any]:
    return {
        "form": form,
        "person": person,
        "is_you": person.pk == admin.pk,
        "role_hints": ROLE_HINTS,
        "when": when,
    }


def commitments_page(current: Membership) -> dict[str, Any]:
    organisation = current.organisation
    versions = list(selectors.commitment_versions(organisation=organisation))
    return {
        "organisation": organisation,
        "commitments": selectors.current_commitments(organisation=organisation),
        "earlier": versions[1:],
        "is_admin": role_may(current.role, MANAGE_ORGANISATION),
        "when": when,
    }


def commitments_version_page(organisation: Organisation, statement: CommitmentStatement) -> dict[str, Any]:
    latest = selectors.current_commitments(organisation=organisation)
    return {
        "organisation": organisation,
        "statement": statement,
        "latest_version": latest.version if latest else None,
        "when": when,
    }


def switch_hints(memberships: list[Membership]) -> dict[str, str]:
    your_role = _("Your role: %(role)s")
    return {str(m.organisation_id): your_role % {"role": m.get_role_display()} for m in memberships}
