"""The form on the API tokens page."""

from __future__ import annotations

from typing import Any

from django import forms

from trustworthy.appraisals.forms import radios, text
from trustworthy.organisations.models import Membership

from .tokens import MAX_EXPIRY_DAYS


class TokenForm(forms.Form):
    name = text(
        "Name", max_length=100, what="a name for the token",
        help_text="What it is for, so you can tell your tokens apart. For example “Performance dashboard”.",
    )  # fmt: skip
    organisation = radios("Organisation", [], what="the organisation the token works in")
    access = radios(
        "What can it do?",
        [("own", "Everything your role allows"), ("viewer", "Read only (and comment)")],
        what="what the token can do",
    )
    expires_days = forms.IntegerField(
        label="Days until it stops working (optional)",
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        help_text=f"From 1 to {MAX_EXPIRY_DAYS}. Leave empty for a token that works until you revoke it.",
        error_messages={
            "invalid": "Enter a whole number of days, like 90",
            "min_value": "Enter 1 or more days",
            "max_value": f"Enter {MAX_EXPIRY_DAYS} days or fewer",
        },
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.organisation_id): m for m in memberships}
        self.fields["organisation"].choices = [
            (str(m.organisation_id), f"{m.organisation.name} (your role: {m.get_role_display().lower()})")
            for m in memberships
        ]

    def token_input(self) -> dict[str, Any]:
        """What `tokens.create_token` takes, from the valid form."""
        membership = self.memberships[self.cleaned_data["organisation"]]
        access = self.cleaned_data["access"]
        return {
            "organisation": membership.organisation,
            "name": self.cleaned_data["name"],
            "role": membership.role if access == "own" else "viewer",
            "expires_days": self.cleaned_data["expires_days"],
        }
