"""Forms for consultations, the participant's page, offline responses and themes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from trustworthy.core.text import NOTE, TextField
from trustworthy.framework import Framework

from . import wording
from .models import Source
from .services import MAX_ANSWER_CHARS, MAX_CONSULTATION_DAYS, MAX_DESCRIPTION_CHARS


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError(gettext("Remove the hidden characters from this answer."))
    return value


class _DateField(forms.DateField):
    input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]


class ConsultationForm(forms.Form):
    title = TextField(
        max_length=120, label="Title", help_text="People see this at the top of the page. Keep it short."
    )
    description = TextField(
        max_length=MAX_DESCRIPTION_CHARS,
        label="Describe the idea in plain words",
        help_text="Use short sentences and everyday words. Young people will read this.",
        error_messages={
            "max_length": f"The description must be {MAX_DESCRIPTION_CHARS:,} characters or fewer."
        },
    )
    groups = forms.MultipleChoiceField(
        label="Who is it for?",
        error_messages={"required": "Choose at least one group the consultation is for."},
    )
    expires_on = _DateField(
        label="Closing date",
        help_text=f"For example 2026-12-31, or 31/12/2026. Up to {MAX_CONSULTATION_DAYS} days from today.",
        error_messages={"invalid": "Enter a real date, for example 31/12/2026."},
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(s.id, s.label) for s in framework.stakeholders]


class ParticipantForm(forms.Form):
    """The participant's answers. `website` is a honeypot: people never see or fill it."""

    group = forms.ChoiceField(
        required=False, label=gettext_lazy("Which of these is you? (you do not have to say)")
    )
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    def __init__(self, *args: Any, groups: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # In the language of the page (forms are made for each request).
        self.fields["group"].choices = [
            (g, gettext(wording.GROUPS[g]) if g in wording.GROUPS else g) for g in groups
        ]
        too_long = gettext(
            "This answer is too long. Make it {limit} characters or fewer, or split it between the boxes."
        ).format(limit=f"{MAX_ANSWER_CHARS:,}")
        for name, text in wording.QUESTIONS.items():
            self.fields[name] = TextField(
                required=False,
                label=gettext(text),
                max_length=MAX_ANSWER_CHARS,
                validators=[_no_nul],
                strip=True,
                error_messages={"max_length": too_long},
            )
        self.order_fields(["group", *wording.QUESTIONS, "website"])

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in wording.QUESTIONS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(name) for name in wording.QUESTIONS):
            raise forms.ValidationError(gettext("Write something in at least one box."))
        return data


class OfflineResponseForm(forms.Form):
    source = forms.ChoiceField(
        label="How was it gathered?",
        choices=[(v, label) for v, label in Source.choices if v != Source.ONLINE],
        error_messages={"required": "Choose how the response was gathered."},
    )
    gathered_how = TextField(
        label="Who gathered it, and how",
        max_length=500,
        help_text="For example: “Workshop at the youth centre, run by our participation worker.”",
        error_messages={"required": "Say how the response was gathered."},
    )
    gathered_on = _DateField(
        required=False,
        label="Date it was gathered (optional)",
        help_text="For example 2026-11-20, or 20/11/2026.",
        error_messages={"invalid": "Enter a real date, for example 20/11/2026."},
    )
    group = forms.ChoiceField(required=False, label="Which group are they from? (optional)")

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(s.id, s.label) for s in framework.stakeholders]
        for name, text in wording.QUESTIONS.items():
            self.fields[name] = TextField(
                required=False, label=text, max_length=MAX_ANSWER_CHARS, validators=[_no_nul]
            )

    def clean_gathered_on(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("gathered_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date it was gathered cannot be in the future.")
        return value

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in wording.QUESTIONS}

    def entry(self) -> dict[str, Any]:
        """What `services.enter_offline` takes, from the valid form."""
        data = self.cleaned_data
        return {
            "group": data["group"], "source": data["source"], "gathered_how": data["gathered_how"],
            "gathered_on": data["gathered_on"], "answers": self.answers(),
        }  # fmt: skip


def _question_choices(framework: Framework) -> list[tuple[str, str]]:
    return [(q.id, f"{q.id} {q.label}") for q in framework.questions()]


class LinkResponseForm(forms.Form):
    question_ids = forms.MultipleChoiceField(required=False, label="Which questions does it bear on?")
    theme_ids = forms.TypedMultipleChoiceField(
        required=False, coerce=int, label="Which themes does it belong to?"
    )

    def __init__(self, *args: Any, framework: Framework, themes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question_ids"].choices = _question_choices(framework)
        self.fields["theme_ids"].choices = [(t.pk, t.name) for t in themes]


class ThemeForm(forms.Form):
    name = TextField(max_length=120, label="Theme", error_messages={"required": "Give the theme a name."})
    description = TextField(required=False, max_length=NOTE, label="What people said (optional)")
    question_ids = forms.MultipleChoiceField(required=False, label="Which questions does it bear on?")
    decision_note = TextField(
        required=False,
        max_length=3000,
        label="How this shaped the decision",
        help_text=(
            "People will read this in the decision record. Say what you changed, or why you did not. "
            "An appraisal cannot go for review while a theme has no note."
        ),
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question_ids"].choices = _question_choices(framework)


class SafeguardingForm(forms.Form):
    safeguarding_contact = TextField(
        max_length=500,
        required=False,
        label="Who should people contact if they are worried about safety?",
        help_text=(
            "Shown on every consultation page. For example: “If you are worried about your safety or "
            "someone else's, call our children's services on 0100 000 0000, or Childline on 0800 1111.”"
        ),
    )
