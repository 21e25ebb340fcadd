from __future__ import annotations

from typing import Any

from django import forms

from trustworthy.appraisals.forms import radios, text
from trustworthy.core.text import LONG
from trustworthy.framework import Framework

from .models import Verdict


class ReviewForm(forms.Form):
    """A verdict and a comment for every section of the framework."""

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = framework.sections
        for section in framework.sections:
            self.fields[f"verdict_{section.id}"] = radios(
                f"{section.number}. {section.title}",
                Verdict.choices,
                what=f"a verdict for section {section.number}",
            )
            self.fields[f"comment_{section.id}"] = text(
                f"Comment on section {section.number}", required=False, max_length=LONG,
                help_text="Required unless the section is acceptable. Say what needs to change and why.",
            )  # fmt: skip

    def section_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(s, self[f"verdict_{s.id}"], self[f"comment_{s.id}"]) for s in self.sections]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for section in self.sections:
            verdict = cleaned.get(f"verdict_{section.id}")
            if verdict and verdict != Verdict.ACCEPTABLE and not cleaned.get(f"comment_{section.id}"):
                self.add_error(
                    f"comment_{section.id}", f"Say what needs to change in section {section.number}"
                )
        return cleaned

    def verdicts(self) -> dict[str, tuple[str, str]]:
        return {
            s.id: (self.cleaned_data[f"verdict_{s.id}"], self.cleaned_data.get(f"comment_{s.id}", ""))
            for s in self.sections
        }


class ReasonForm(forms.Form):
    reason = text("Reason", required=False, max_length=LONG)

    def __init__(self, *args: Any, required: bool, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].label = label


class CommentForm(forms.Form):
    target = forms.CharField(max_length=80, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    text = text("Add a comment", what="your comment", max_length=LONG)
