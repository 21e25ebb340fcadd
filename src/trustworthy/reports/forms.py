"""Forms on the publish page: why a published record is being replaced or taken off the register."""

from __future__ import annotations

from typing import Any

from django import forms

from trustworthy.appraisals.forms import text

REASON_HINT = (
    "This is kept with the record's history for your organisation. "
    "Do not include names or other details of children, families or staff."
)


class PublicationReasonForm(forms.Form):
    """One reason, required. `prefix` tells the page's two forms apart ("replace", "withdraw")."""

    reason = text("Reason", max_length=2000, help_text=REASON_HINT)

    def __init__(self, *args: Any, label: str, what: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = label
        field.error_messages["required"] = f"Enter {what}"
