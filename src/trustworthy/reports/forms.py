"""Forms on the summary and publish pages: the family summary; publishing; what to leave out
of the public version; and why a published record is being replaced or taken off the register."""

from __future__ import annotations

from typing import Any

from django import forms

from trustworthy.appraisals.forms import text
from trustworthy.core.text import FAMILY_SUMMARY, NOTE, TextField

REASON_HINT = (
    "This is kept with the record's history for your organisation. "
    "Do not include names or other details of children, families or staff."
)
SUMMARY_HINT = (
    "Write for a young person. Leave a blank line between paragraphs. Empty it to go back to the draft."
)


class SummaryForm(forms.Form):
    """The lead's “What we decided and why”; empty goes back to the draft."""

    summary = TextField(
        label="Change the summary", required=False, max_length=FAMILY_SUMMARY, help_text=SUMMARY_HINT,
        error_messages={"max_length": f"The summary must be {FAMILY_SUMMARY:,} characters or fewer"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    """No fields: the button that publishes, and a place for the reason it cannot."""


class ExclusionsForm(forms.Form):
    """The items of free text the public version leaves out (keys of `DecisionRecord.free_text`;
    the service refuses any it does not know)."""

    not_for_publication = forms.Field(required=False, widget=forms.CheckboxSelectMultiple)

    def clean_not_for_publication(self) -> list[str]:
        value = self.cleaned_data.get("not_for_publication") or []
        return [str(key) for key in value]


class PublicationReasonForm(forms.Form):
    """One reason, required. `prefix` tells the page's two forms apart ("replace", "withdraw")."""

    reason = text("Reason", max_length=NOTE, help_text=REASON_HINT)

    def __init__(self, *args: Any, label: str, what: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = label
        field.error_messages["required"] = f"Enter {what}"
