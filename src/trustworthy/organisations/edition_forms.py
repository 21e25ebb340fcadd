"""Forms for the organisation's framework edition and its local questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trustworthy.core.text import NOTE, TextField


class ChooseEditionForm(forms.Form):
    edition = forms.ChoiceField(
        label=_("Edition for new appraisals"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an edition"),
            "invalid_choice": _("Choose an edition from the list"),
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["edition"].choices = choices


class LocalQuestionForm(forms.Form):
    text = TextField(
        label=_("Question"),
        max_length=NOTE,
        error_messages={"required": _("Enter the question")},
    )
    why = TextField(
        label=_("Why you ask it"),
        max_length=NOTE,
        error_messages={"required": _("Enter why you ask it")},
    )
    covers = TextField(
        label=_("What a good answer covers"),
        max_length=NOTE,
        error_messages={"required": _("Enter what a good answer covers")},
    )
    kind = forms.ChoiceField(
        label=_("How it is answered"),
        widget=forms.RadioSelect,
        choices=[
            ("closed", _("An answer from the framework’s answer scale, with the reasons")),
            ("open", _("An answer in the person’s own words")),
        ],
        error_messages={"required": _("Choose how it is answered")},
    )
