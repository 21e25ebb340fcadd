"""The readiness form: for each readiness dimension of the edition, how far it is in place and
what shows it. Messages follow the GOV.UK style: say what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from trustworthy.core.text import NOTE
from trustworthy.framework import Framework
from trustworthy.framework.model import Choice

from .forms import radios, text, version_field
from .models import ReadinessAssessment, ReadinessStatus
from .readiness import STATUS_LABELS, version


class ReadinessForm(forms.Form):
    """A status (radios) and the evidence (a bounded text box) for every dimension, and the
    version of the assessment the page was opened on."""

    version = version_field()

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = framework.readiness_dimensions
        for d in self.dimensions:
            what = d.label.lower()
            self.fields[f"status_{d.id}"] = radios(
                d.label, ReadinessStatus.choices, what=f"in place, partly or not in place for {what}"
            )
            self.fields[f"evidence_{d.id}"] = text(
                f"What shows this for {what}?",
                max_length=NOTE,
                what=f"the evidence for {what}",
                help_text="Do not include names or anything that identifies a person.",
            )

    def dimension_fields(self) -> list[tuple[Choice, forms.BoundField, forms.BoundField]]:
        return [(d, self[f"status_{d.id}"], self[f"evidence_{d.id}"]) for d in self.dimensions]

    def entries(self) -> dict[str, tuple[str, str]]:
        return {
            d.id: (self.cleaned_data[f"status_{d.id}"], self.cleaned_data.get(f"evidence_{d.id}", ""))
            for d in self.dimensions
        }

    def saved_by_someone_else(self, current: Mapping[str, Any]) -> dict[str, object]:
        """The assessment someone else saved (from a version conflict), as the page shows it."""
        labels = {d.id: d.label for d in self.dimensions}
        return {
            labels.get(dimension, dimension): f"{STATUS_LABELS.get(status, status)}. {evidence}"
            for dimension, (status, evidence) in current.items()
        }


def readiness_initial(found: Mapping[str, ReadinessAssessment]) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": version(found)}
    for dimension, a in found.items():
        initial[f"status_{dimension}"] = a.status
        initial[f"evidence_{dimension}"] = a.evidence
    return initial
