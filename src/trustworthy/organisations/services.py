"""Writes about people, organisations and memberships. Each runs in one transaction.

Every function takes keyword arguments only, checks the rules that protect the data (an
organisation always keeps at least one admin; commitments are never overwritten), and
raises `ServiceError` with a message written for the person who asked, naming the form
field it belongs to where there is one.

Changes to an organisation (its members, their roles, its commitments) pass its one gate,
`changes.changing_organisation`, which checks the actor's role (raising `NotPermitted`)
and adds exactly one event to the organisation's audit chain. Accounts and passwords
belong to a person, not to an organisation: creating an account and setting a first
password from an invitation are in no chain, but deactivating or reactivating an
account, a set-password link made by an operator and a forgotten password reset are
recorded in the chain of each organisation the person belongs to.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from trustworthy.core.errors import Invalid

from .changes import NotPermitted, OrganisationGate, as_operator, changing_organisation, role_in
from .models import CommitmentStatement, Membership, Organisation, Role, User
from .permissions import Action, role_may

__all__ = [
    "CHANGE_NOTE_MAX_LENGTH",
    "COMMITMENTS_MAX_LENGTH",
    "RESET_LINK_TIMEOUT",
    "Invitation",
    "ServiceError",
    "add_account",
    "add_member",
    "add_member_by_name",
    "change_role",
    "create_organisation",
    "create_user",
    "deactivate_user",
    "end_sessions",
    "invite_member",
    "issue_password_link",
    "member_target",
    "organisation_named",
    "password_reset_link",
    "reactivate_user",
    "record_commitments",
    "remove_member",
    "rename_organisation",
    "resend_invitation",
    "reset_password",
    "reset_tokens",
    "send_password_reset",
    "set_password",
    "set_password_link",
    "text_digest",
]

log = logging.getLogger(__name__)

COMMITMENTS_MAX_LENGTH = 10_000
CHANGE_NOTE_MAX_LENGTH = 300  # CommitmentStatement.change_note


class ServiceError(Invalid):
    """A write was refused; the message is written for the person who asked for it.

    `field` names the form field the problem belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Passwords ----------------------------------------------------------------------------

_PASSWORD_MESSAGES = {
    "password_too_short": "Password must be 12 characters or more",
    "password_too_common": "Enter a password that is harder to guess: this one is too common",
    "password_too_similar": "Password must not be too similar to your name or email address",
    "password_entirely_numeric": "Password must not be only numbers",
    "password_too_simple": "Enter a password that is harder to guess: not repeated characters or a "
    "sequence such as aaaa, abcd or 1234",
}


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems = [_PASSWORD_MESSAGES.get(e.code or "", " ".join(e.messages)) for e in exc.error_list]
        raise ServiceError(". ".join(dict.fromkeys(problems)), field="password") from exc


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
def set_password(*, user: User, password: str) -> None:
    """Set the password someone chose (from an invitation link); the link stops working."""
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


def set_password_link(*, user: User, site_url: str) -> str:
    """The one-use link that lets someone set their password (it expires, see PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return urljoin(site_url, path)


# Memberships --------------------------------------------------------------------------
#
# Every change to who belongs to an organisation, and in which role, runs inside the
# organisation's gate (`changes.changing_organisation`): the organisation row is locked, so
# changes to one organisation's members happen one at a time, the actor's role is checked
# against the permissions table, and exactly one event is added to the organisation's
# chain. `integrity.verify_organisation_state` replays those events against the database.


class _Unchanged(Exception):
    """Raised inside a gate when, under the lock, there is nothing to change: the
    transaction rolls back, no event is written, and the caller gets what is there now."""

    def __init__(self, membership: Membership) -> None:
        super().__init__()
        self.membership = membership


def member_target(user_id: int) -> str:
    """How events about someone's membership name it (one person, one membership per organisation)."""
    return f"member:{user_id}"


def _member_values(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user_id,
        "email": membership.user.email,
        "membership": membership.pk,
        "role": membership.role,
    }


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ServiceError("Select a role from the list", field="role")


def _admin_count(organisation: Organisation) -> int:
    # The organisation's row is locked by the gate, and every change to its members passes
    # that gate, so the count cannot change before this change is saved.
    return Membership.objects.filter(organisation=organisation, role=Role.ADMIN).count()


def _set_role(change: OrganisationGate, current: Membership, role: str) -> Membership:
    """Give `current` (read under the gate's lock) another role, keeping the last admin."""
    if current.role == role:
        raise _Unchanged(current)
    if current.role == Role.ADMIN and _admin_count(change.organisation) <= 1:
        raise ServiceError(
            f"{current.user} is the only admin of {change.organisation.name}. "
            "Make someone else an admin before changing their role",
            field="role",
        )
    before = current.role
    current.role = role
    current.save(update_fields=["role"])
    change.record(
        "member.role-changed",
        target=member_target(current.user_id),
        before={"role": before},
        after=_member_values(current),
    )
    return current


def add_member(*, organisation: Organisation, user: User, role: str) -> Membership:
    """Make someone a member in a role, or give a member that role: for operator commands
    (`trustworthy createuser`, the demo), so no one's role is checked and no actor is named."""
    try:
        with changing_organisation(organisation, None, actor=None) as change:
            _check_role(role)
            current = (
                Membership.objects.select_related("user")
                .filter(user=user, organisation=change.organisation)
                .first()
            )
            if current is not None:
                return _set_role(change, current, role)
            membership = Membership.objects.create(user=user, organisation=change.organisation, role=role)
            change.record("member.added", target=member_target(user.pk), after=_member_values(membership))
            return membership
    except _Unchanged as same:
        return same.membership


def add_member_by_name(*, organisation_name: str, user: User, role: str) -> Membership:
    try:
        organisation = Organisation.objects.get(name=organisation_name)
    except Organisation.DoesNotExist as exc:
        raise ServiceError(f"There is no organisation called {organisation_name!r}.") from exc
    return add_member(organisation=organisation, user=user, role=role)


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    new_account: bool  # True when the person had no account and was sent a link to set a password
    email_sent: bool


def invite_member(
    *, organisation: Organisation, email: str, full_name: str, role: str, invited_by: User, site_url: str
) -> Invitation:
    """Add someone to the organisation in a role (admins only).

    Someone without an account gets one with no password, and an email with a link to set
    it. Someone with an account is just added (and sent the link again if they have never
    set a password). Someone who is already a member is refused. The email is sent once
    the membership is saved.
    """
    email = email.strip().lower()
    full_name = full_name.strip()
    try:
        with changing_organisation(organisation, Action.MANAGE_MEMBERS, actor=invited_by) as change:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ServiceError(
                    "Enter an email address in the correct format, like name@example.org", field="email"
                ) from exc
            if not full_name:
                raise ServiceError("Enter their full name", field="full_name")
            _check_role(role)
            user = User.objects.filter(email=email).first()
            new_account = user is None
            if user is None:
                user = User.objects.create_user(email, None, full_name=full_name)
            elif Membership.objects.filter(user=user, organisation=change.organisation).exists():
                raise ServiceError(f"{email} is already a member of {organisation.name}", field="email")
            membership = Membership.objects.create(user=user, organisation=change.organisation, role=role)
            change.record(
                "member.invited",
                target=member_target(user.pk),
                after={**_member_values(membership), "new_account": new_account},
            )
    except IntegrityError as exc:  # their account was made elsewhere at the same moment
        raise ServiceError(f"{email} is already a member of {organisation.name}", field="email") from exc
    email_sent = False
    if not user.has_usable_password():
        email_sent = _send_invitation(membership=membership, invited_by=invited_by, site_url=site_url)
    return Invitation(membership=membership, new_account=new_account, email_sent=email_sent)


def resend_invitation(*, membership: Membership, invited_by: User, site_url: str) -> None:
    """Send a fresh set-password link to a member who has not yet set a password (admins only).

    Not an organisation-level change, so not in the organisation's chain: nothing is saved.
    The link is made from the person's account as it stands and sent by email; links sent
    before keep working until they expire or a password is set.
    """
    if not role_may(role_in(invited_by, membership.organisation_id), Action.MANAGE_MEMBERS):
        raise NotPermitted("Your role does not allow this change.")
    if membership.user.has_usable_password():
        raise ServiceError(f"{membership.user} has already created a password and can sign in")
    if not _send_invitation(membership=membership, invited_by=invited_by, site_url=site_url):
        raise ServiceError("The email could not be sent. Try again later")


def _send_invitation(*, membership: Membership, invited_by: User, site_url: str) -> bool:
    user, organisation = membership.user, membership.organisation
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    link = set_password_link(user=user, site_url=site_url)
    body = (
        f"Dear {user.full_name or user.email},\n\n"
        f"{invited_by} has invited you to join {organisation.name} on Trustworthy Innovation, "
        f"as {membership.get_role_display().lower()}.\n\n"
        f"To create your password, open this link:\n\n{link}\n\n"
        f"The link works once and stops working after {days} day{'s' if days != 1 else ''}. "
        f"If it has stopped working, ask {invited_by} to send you a new one.\n\n"
        f"Once you have created your password, sign in with this email address: {user.email}\n\n"
        "If you were not expecting this email, you can ignore it.\n\n"
        "Trustworthy Innovation\n"
    )
    try:
        send_mail(
            subject=f"You have been invited to join {organisation.name} on Trustworthy Innovation",
            message=body,
            from_email=None,
            recipient_list=[user.email],
        )
    except OSError:  # smtplib.SMTPException is an OSError
        log.exception("Could not send the invitation email for membership %s", membership.pk)
        return False
    return True


def change_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    """Give a member another role (admins only). The organisation's last admin keeps theirs."""
    try:
        with changing_organisation(
            membership.organisation_id, Action.MANAGE_MEMBERS, actor=changed_by
        ) as change:
            _check_role(role)
            current = (
                Membership.objects.select_related("user")
                .filter(pk=membership.pk, organisation=change.organisation)
                .first()
            )
            if current is None:
                raise ServiceError(f"{membership.user} is no longer a member of {change.organisation.name}")
            return _set_role(change, current, role)
    except _Unchanged as same:
        return same.membership


def remove_member(*, membership: Membership, removed_by: User) -> None:
    """Take someone out of the organisation (admins only). Their account and what they wrote stay."""
    try:
        with changing_organisation(
            membership.organisation_id, Action.MANAGE_MEMBERS, actor=removed_by
        ) as change:
            current = (
                Membership.objects.select_related("user")
                .filter(pk=membership.pk, organisation=change.organisation)
                .first()
            )
            if current is None:
                raise _Unchanged(membership)  # already removed
            if current.role == Role.ADMIN and _admin_count(change.organisation) <= 1:
                raise ServiceError(
                    f"{current.user} is the only admin of {change.organisation.name}. "
                    "Make someone else an admin before removing them"
                )
            before = _member_values(current)
            current.delete()
            change.record("member.removed", target=member_target(before["user"]), before=before)
    except _Unchanged:
        return


# Ethical commitments ------------------------------------------------------------------


def text_digest(text: str) -> str:
    """The SHA-256 of a text as saved, which the audit trail keeps instead of the text."""
    return hashlib.sha256(text.encode()).hexdigest()


def record_commitments(
    *, organisation: Organisation, text: str, change_note: str, user: User
) -> CommitmentStatement:
    """Add a new version of the organisation's ethical commitments (admins only); earlier
    versions stay. The event holds the version, the SHA-256 of its text and the note."""
    text = text.strip()
    change_note = change_note.strip()
    with changing_organisation(organisation, Action.MANAGE_MEMBERS, actor=user) as change:
        if not text:
            raise ServiceError("Enter your organisation’s ethical commitments", field="text")
        if len(text) > COMMITMENTS_MAX_LENGTH:
            raise ServiceError(
                f"Ethical commitments must be {COMMITMENTS_MAX_LENGTH:,} characters or fewer", field="text"
            )
        if len(change_note) > CHANGE_NOTE_MAX_LENGTH:
            raise ServiceError(
                f"What changed must be {CHANGE_NOTE_MAX_LENGTH} characters or fewer", field="change_note"
            )
        latest = (
            CommitmentStatement.objects.filter(organisation=change.organisation).order_by("-version").first()
        )
        if latest is not None and latest.text == text:
            raise ServiceError(
                f"The commitments are the same as version {latest.version}. Change them before saving",
                field="text",
            )
        statement = CommitmentStatement.objects.create(
            organisation=change.organisation,
            version=(latest.version + 1) if latest else 1,
            text=text,
            change_note=change_note,
            created_by=user,
        )
        change.record(
            "commitments.recorded",
            target=f"commitments:{statement.version}",
            before=({"version": latest.version, "text_sha256": text_digest(latest.text)} if latest else None),
            after={
                "version": statement.version,
                "text_sha256": text_digest(text),
                "change_note": change_note,
            },
        )
    return statement


# Operators: organisations and accounts ------------------------------------------------
#
# For the `trustworthy organisation ...` and `trustworthy user ...` commands and the admin
# site (`actor` is then the staff superuser; None on the command line). Each change to an
# organisation passes its gate in the operator's context (`as_operator`). A change to
# someone's account is recorded in the chain of every organisation they belong to, with
# one event in each; someone who belongs to none has no chain to record it in.

ORGANISATION_NAME_MAX_LENGTH = 200  # Organisation.name


def _choice(value: str, choices: list[tuple[str, str]], what: str, field: str) -> str:
    """The stored value of a choice given as its value or its label, in any case."""
    wanted = " ".join(value.split()).lower()
    for stored, label in choices:
        if wanted in (stored.lower(), str(label).lower()):
            return stored
    raise ServiceError(
        f"There is no {what} {value!r}. Use one of: {', '.join(stored for stored, _ in choices)}",
        field=field,
    )


def _organisation_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the organisation’s name", field="name")
    if len(name) > ORGANISATION_NAME_MAX_LENGTH:
        raise ServiceError(
            f"The organisation’s name must be {ORGANISATION_NAME_MAX_LENGTH} characters or fewer",
            field="name",
        )
    return name


def _refuse_taken_name(name: str, *, exclude: int | None = None) -> None:
    if Organisation.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise ServiceError(f"There is already an organisation called {name!r}", field="name")


def _organisation_values(organisation: Organisation) -> dict[str, Any]:
    return {"name": organisation.name, "type": organisation.type, "region": organisation.region}


def create_organisation(*, name: str, type: str, region: str, actor: User | None = None) -> Organisation:
    """A new organisation, with no members yet (add its first admin with `add_account`)."""
    name = _organisation_name(name)
    kind = _choice(type, Organisation.Type.choices, "organisation type", "type")
    where = _choice(region, Organisation.Region.choices, "region", "region")
    try:
        with transaction.atomic():
            _refuse_taken_name(name)
            organisation = Organisation.objects.create(name=name, type=kind, region=where)
            with as_operator(), changing_organisation(organisation, None, actor=actor) as change:
                change.record(
                    "organisation.created",
                    target=f"organisation:{organisation.pk}",
                    after=_organisation_values(organisation),
                )
    except IntegrityError as exc:  # made elsewhere at the same moment
        raise ServiceError(f"There is already an organisation called {name!r}", field="name") from exc
    return organisation


def organisation_named(name: str) -> Organisation:
    found = Organisation.objects.filter(name=" ".join(name.split())).first()
    if found is None:
        found = Organisation.objects.filter(name__iexact=" ".join(name.split())).first()
    if found is None:
        raise ServiceError(f"There is no organisation called {name!r}.")
    return found


def rename_organisation(
    *, organisation: Organisation, new_name: str, actor: User | None = None
) -> Organisation:
    """Give an organisation a new name. Approved decision records keep the name they were
    approved under (they are frozen); everything else shows the new one."""
    new_name = _organisation_name(new_name)
    try:
        with as_operator(), changing_organisation(organisation, None, actor=actor) as change:
            current = change.organisation
            if current.name == new_name:
                raise ServiceError(f"The organisation is already called {new_name!r}", field="name")
            _refuse_taken_name(new_name, exclude=current.pk)
            before = current.name
            current.name = new_name
            current.save(update_fields=["name"])
            change.record(
                "organisation.renamed",
                target=f"organisation:{current.pk}",
                before={"name": before},
                after={"name": new_name},
            )
    except IntegrityError as exc:
        raise ServiceError(f"There is already an organisation called {new_name!r}", field="name") from exc
    organisation.name = new_name
    return current


def add_account(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    organisation: Organisation | None = None,
    role: str = "admin",
    superuser: bool = False,
) -> User:
    """A new account (with no password when none is given: send them a link to set one),
    a member of `organisation` in `role` if one is given, and a staff superuser (who may
    use the admin site) if `superuser`. All or nothing."""
    email = email.strip().lower()
    full_name = " ".join(full_name.split())
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from exc
    if not full_name:
        raise ServiceError("Enter their full name", field="full_name")
    if len(full_name) > 150:
        raise ServiceError("Full name must be 150 characters or fewer", field="full_name")
    _check_role(role)
    if password is not None:
        _check_password(password, User(email=email, full_name=full_name))
    try:
        with transaction.atomic():
            if User.objects.filter(email=email).exists():
                raise ServiceError(f"There is already an account for {email}.", field="email")
            user = User.objects.create_user(
                email, password, full_name=full_name, is_staff=superuser, is_superuser=superuser
            )
            if organisation is not None:
                add_member(organisation=organisation, user=user, role=role)
    except IntegrityError as exc:
        raise ServiceError(f"There is already an account for {email}.", field="email") from exc
    if superuser:
        log.warning("Made %s a staff superuser (they may use the admin site)", email)
    return user


def _record_account_change(
    user: User, action: str, *, actor: User | None, before: Any = None, after: Any = None
) -> int:
    """One event in the chain of each organisation the person belongs to (in a fixed
    order, so two changes never wait on each other's locks); how many were written."""
    organisation_ids = sorted(
        Membership.objects.filter(user=user).values_list("organisation_id", flat=True).distinct()
    )
    for organisation_id in organisation_ids:
        with as_operator(), changing_organisation(organisation_id, None, actor=actor) as change:
            change.record(action, target=member_target(user.pk), before=before, after=after)
    return len(organisation_ids)


def end_sessions(*, user: User) -> int:
    """Sign the person out everywhere: delete every session they are signed in with."""
    from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(USER_SESSION_KEY, "")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()
    return len(theirs)


def _set_active(user: User, active: bool, actor: User | None) -> bool:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return False
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        _record_account_change(
            locked,
            "account.reactivated" if active else "account.deactivated",
            actor=actor,
            before={"is_active": not active},
            after={"user": locked.pk, "email": locked.email, "is_active": active},
        )
        if not active:
            end_sessions(user=locked)
    user.is_active = active
    return True


def deactivate_user(*, user: User, actor: User | None = None) -> bool:
    """Stop someone signing in: their sessions end now, their API tokens and any links to
    set a password stop working. What they wrote, and their memberships, stay. False if
    they were already deactivated."""
    if actor is not None and actor.pk == user.pk:
        raise ServiceError("You cannot deactivate your own account")
    return _set_active(user, False, actor)


def reactivate_user(*, user: User, actor: User | None = None) -> bool:
    """Let a deactivated person sign in again (with their old password); False if they could."""
    return _set_active(user, True, actor)


def issue_password_link(*, user: User, site_url: str, actor: User | None = None, send: bool = False) -> str:
    """A one-use link for the person to set a new password (their old one keeps working
    until they do), recorded in their organisations' chains; emailed to them if `send`."""
    if not user.is_active:
        raise ServiceError(f"{user.email} is deactivated: reactivate them first.")
    link = set_password_link(user=user, site_url=site_url)
    if send and not _send_password_email(
        user=user,
        link=link,
        subject="Set a new password for Trustworthy Innovation",
        why="You have been sent a link to set a new password for Trustworthy Innovation.",
        lasts=_whole(settings.PASSWORD_RESET_TIMEOUT),
    ):
        raise ServiceError(
            "The email could not be sent. Check the email settings, or print the link instead."
        )
    with transaction.atomic():
        _record_account_change(
            user,
            "account.password-link",
            actor=actor,
            after={"user": user.pk, "email": user.email, "emailed": send},
        )
    return link


# Forgotten passwords ------------------------------------------------------------------
#
# Links asked for from the sign-in page last an hour, not the days an invitation lasts,
# and are made with their own salt, so one kind of link never works as the other.

RESET_LINK_TIMEOUT = 60 * 60  # seconds


class ResetTokens(PasswordResetTokenGenerator):
    key_salt = "trustworthy.organisations.services.ResetTokens"

    def check_token(self, user: Any, token: Any) -> bool:
        if not super().check_token(user, token):  # genuine, unused, and within PASSWORD_RESET_TIMEOUT
            return False
        try:
            made = base36_to_int(str(token).split("-", 1)[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - made <= RESET_LINK_TIMEOUT


reset_tokens = ResetTokens()


def _whole(seconds: int) -> str:
    """A length of time in words: "1 hour", "3 days"."""
    for size, unit in ((24 * 60 * 60, "day"), (60 * 60, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def password_reset_link(*, user: User, site_url: str) -> str:
    path = reverse(
        "password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": reset_tokens.make_token(user),
        },
    )
    return urljoin(site_url, path)


def _send_password_email(*, user: User, link: str, subject: str, why: str, lasts: str) -> bool:
    body = (
        f"Dear {user.full_name or user.email},\n\n"
        f"{why}\n\n"
        f"To choose your new password, open this link:\n\n{link}\n\n"
        f"The link works once and stops working after {lasts}.\n\n"
        f"Then sign in with this email address: {user.email}\n\n"
        "If you did not ask for this, you can ignore this email: your password has not changed.\n\n"
        "Trustworthy Innovation\n"
    )
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
    except OSError:  # smtplib.SMTPException is an OSError
        log.exception("Could not send a password email to user %s", user.pk)
        return False
    return True


def send_password_reset(*, email: str, site_url: str) -> None:
    """Email a link to reset the password to the account with this address, if there is an
    active one with a password. The person asking is told the same either way, so nothing
    here says whether there was an account. (Accounts with no password, such as those
    invited who have not set one, or those that sign in another way, are sent nothing.)"""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    _send_password_email(
        user=user,
        link=password_reset_link(user=user, site_url=site_url),
        subject="Reset your password for Trustworthy Innovation",
        why="Someone, probably you, asked to reset the password for your Trustworthy Innovation account.",
        lasts=_whole(RESET_LINK_TIMEOUT),
    )


def reset_password(*, user: User, password: str) -> None:
    """Set the password chosen through a reset link, and record it in the chain of each of
    the person's organisations (the link then stops working, and so do their other sessions)."""
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _record_account_change(
            user, "account.password-reset", actor=user, after={"user": user.pk, "email": user.email}
        )
