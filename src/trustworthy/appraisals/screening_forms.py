"""The forms of a proportionate route: the lead's screening, and an approver requiring the full route."""

from __future__ import annotations

from typing import Any

from django import forms

from trustworthy.core.text import NOTE
from trustworthy.framework import Framework, ScreeningQuestion

from .forms import radios, text

# How the lead chooses the route: as the screening recommends (light only when no answer
# points to a risk), or the full appraisal whatever it recommends.
RECOMMENDED, FULL = "recommended", "full"


class ScreeningForm(forms.Form):
    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions: tuple[ScreeningQuestion, ...] = (
            framework.screening.questions if framework.screening else ()
        )
        for question in self.questions:
            self.fields[f"q_{question.id}"] = radios(
                question.text, [(o.id, o.label) for o in question.options], what="an answer",
                help_text=question.hint or "",
            )  # fmt: skip
        self.fields["route"] = radios(
            "Which appraisal will you do?",
            [
                (RECOMMENDED, "The one the screening recommends"),
                (FULL, "The full appraisal, whatever the screening recommends"),
            ],
            what="which appraisal you will do",
            help_text="A light appraisal is possible only when no answer points to a risk.",
        )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.id}"] for q in self.questions]

    def answers(self) -> dict[str, str]:
        return {q.id: self.cleaned_data[f"q_{q.id}"] for q in self.questions}


class RequireFullRouteForm(forms.Form):
    reason = text(
        "Why is the full appraisal needed?",
        max_length=NOTE,
        what="why the full appraisal is needed",
        help_text="This is shown to the lead and kept in the decision record.",
    )
