"""Forms for signing in, passwords, switching organisation, members and commitments.

Messages follow the GOV.UK pattern: say what to do ("Enter your email address"), with no
full stop. Forms check what was typed; the rules about the data live in services.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from trustworthy.core.text import TextField

from .models import Membership, Role
from .services import CHANGE_NOTE_MAX_LENGTH, COMMITMENTS_MAX_LENGTH

EMAIL_FORMAT = _("Enter an email address in the correct format, like name@example.org")
EMAIL_MAX_LENGTH = 254

ROLE_HINTS = {
    Role.ADMIN: _("Manages members and the organisation’s ethical commitments"),
    Role.LEAD: _("Creates projects, runs appraisals and answers questions"),
    Role.CONTRIBUTOR: _("Answers questions and adds evidence"),
    Role.REVIEWER: _("Reviews each section and comments on it"),
    Role.APPROVER: _("Records and signs decisions, and comments"),
    Role.VIEWER: _("Reads projects and appraisals"),
}


def _email_field(required_message: str) -> forms.EmailField:
    return forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": required_message,
            "invalid": EMAIL_FORMAT,
            "max_length": f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer",
        },
    )


def _role_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a role"), "invalid_choice": _("Select a role from the list")},
    )


class SignInForm(forms.Form):
    email = _email_field(_("Enter your email address"))
    password = forms.CharField(
        label=_("Password"), strip=False, error_messages={"required": _("Enter your password")}
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            # `request` lets django-axes count failures for this email address and IP address.
            # Axes reads the address from the credentials under AXES_USERNAME_FORM_FIELD, which
            # defaults to the user model's USERNAME_FIELD ("email"), so it is given under both names.
            email = email.lower()
            self.user = authenticate(self.request, username=email, email=email, password=password)
            if self.user is None:
                # Never say which of the two was wrong.
                raise ValidationError(_("Enter a correct email address and password"), code="invalid_login")
        return cleaned


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Create a password"),
        strip=False,
        help_text=_(
            "Use 12 characters or more. Three or four unrelated words make a strong password "
            "that is easy to remember."
        ),
        error_messages={"required": _("Enter a password")},
    )
    password_confirm = forms.CharField(
        label=_("Confirm your password"), strip=False, error_messages={"required": _("Confirm your password")}
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The passwords do not match"))
        return cleaned


class ForgottenPasswordForm(forms.Form):
    email = _email_field(_("Enter your email address"))


class ResetPasswordForm(SetPasswordForm):
    """A new password chosen through a reset link (for Django's PasswordResetConfirmView,
    which passes the person the link is for). The service checks the password's rules."""

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].label = _("Create a new password")
        self.fields["password_confirm"].label = _("Confirm your new password")


class SwitchOrganisationForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Which organisation do you want to work in?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select an organisation"),
            "invalid_choice": _("Select an organisation you belong to"),
        },
    )

    def __init__(self, *args: Any, memberships: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(m.organisation_id, m.organisation.name) for m in memberships]


class InviteMemberForm(forms.Form):
    email = _email_field(_("Enter their email address"))
    full_name = TextField(
        label=_("Full name"),
        max_length=150,
        error_messages={
            "required": _("Enter their full name"),
            "max_length": _("Full name must be 150 characters or fewer"),
        },
    )
    role = _role_field(_("Role"))


class ChangeRoleForm(forms.Form):
    role = _role_field(_("Role"))


class ConfirmForm(forms.Form):
    """No fields: a button that confirms an action (removing a member), and a place for an error."""


class CommitmentsForm(forms.Form):
    text = TextField(
        label=_("Ethical commitments"),
        max_length=COMMITMENTS_MAX_LENGTH,
        error_messages={
            "required": _("Enter your organisation’s ethical commitments"),
            "max_length": f"Ethical commitments must be {COMMITMENTS_MAX_LENGTH:,} characters or fewer",
        },
    )
    change_note = TextField(
        label=_("What changed"),
        required=False,
        max_length=CHANGE_NOTE_MAX_LENGTH,
        error_messages={"max_length": f"What changed must be {CHANGE_NOTE_MAX_LENGTH} characters or fewer"},
    )

    def __init__(self, *args: Any, first_version: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_version = first_version

    def clean_change_note(self) -> str:
        note: str = self.cleaned_data.get("change_note", "")
        if not note and not self.first_version:
            raise ValidationError(_("Enter a short note about what changed"), code="required")
        return note
