from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trustworthy.appraisals.frameworks import current_framework
from trustworthy.organisations.models import Organisation

ANY = [("", _("Any"))]


def _choices(vocabulary: str) -> list[tuple[str, str]]:
    fw = current_framework()
    items = getattr(fw, vocabulary)
    return ANY + [(item.id, fw.label(vocabulary, item.id)) for item in items]  # type: ignore[arg-type]


class FiltersForm(forms.Form):
    """The dashboard's filters, sent as a plain GET form."""

    stage = forms.ChoiceField(required=False, label=_("Stage"))
    region = forms.ChoiceField(required=False, label=_("Region"), choices=ANY + Organisation.Region.choices)
    organisation_type = forms.ChoiceField(
        required=False, label=_("Type of organisation"), choices=ANY + Organisation.Type.choices
    )
    motivation = forms.ChoiceField(required=False, label=_("Main motivation"))
    decision = forms.ChoiceField(required=False, label=_("Decision"))
    decided_from = forms.DateField(
        required=False, label=_("Decided on or after"), help_text=_("For example, 2026-04-01"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    decided_to = forms.DateField(
        required=False, label=_("Decided on or before"), help_text=_("For example, 2026-12-31"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _choices("stages")
        self.fields["motivation"].choices = _choices("motivations")
        self.fields["decision"].choices = _choices("decisions")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("decided_from"), data.get("decided_to")
        if start and end and start > end:
            self.add_error("decided_to", _("The end date must be the same as or after the start date"))
        return data


class ShareForm(forms.Form):
    """Share a project with a programme, or stop sharing it."""

    project = forms.IntegerField(widget=forms.HiddenInput)
