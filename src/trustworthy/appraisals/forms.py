"""Forms for projects and appraisals. Messages follow the GOV.UK style: say what to do."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from trustworthy.core.text import LONG, NOTE, SHORT, TextField, not_web_link
from trustworthy.framework import Framework, Question, Register, Route, departure_problem

from .commitments import QUESTION as COMMITMENTS_QUESTION
from .presenters import pounds
from .services import STAGE_REASON_LABEL

LONG_TEXT = LONG
SHORT_TEXT = SHORT


def text(
    label: str, *, required: bool = True, max_length: int = LONG_TEXT, what: str = "", **kw: Any
) -> forms.CharField:
    """A bounded text field (see core.text) whose messages name the thing to enter."""
    what = what or label.lower()
    return TextField(
        label=label,
        required=required,
        max_length=max_length,
        strip=True,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
        **kw,
    )


def radios(label: str, choices: Sequence[tuple[str, str]], *, what: str = "", **kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=list(choices),
        error_messages={
            "required": f"Select {what or 'an option'}",
            "invalid_choice": f"Select {what or 'an option'}",
        },
        **kw,
    )


# An amount as people type it: "250000", "250,000", "£250,000.50" (commas only between
# thousands, so "2,50" is not quietly read as 250).
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


class MoneyField(forms.DecimalField):
    """A sum in pounds, typed with or without "£" and thousands commas; shown back the same way."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            typed = value.strip().removeprefix("£").lstrip()
            if typed and not _AMOUNT.fullmatch(typed):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = typed.replace(",", "")
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        return pounds(value) if isinstance(value, Decimal) else value


class ProjectForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    title = text("Project title", max_length=SHORT_TEXT, what="a project title")
    summary = text(
        "Summary", what="a summary of the project", help_text="What the innovation is, in a few sentences."
    )
    problem = text("The problem it addresses", what="the problem the project addresses")
    target_cohort = text(
        "Who it is for",
        what="who the project is for",
        help_text="The children, young people or families it is meant to help.",
    )
    context_organisational = text(
        "Organisational context",
        required=False,
        help_text="Structures and partnerships, size, budgets, capacity, workforce.",
    )
    context_local = text(
        "Local context",
        required=False,
        help_text="Demographics, the needs of the local population, the target cohort.",
    )
    context_national = text(
        "National context", required=False, help_text="Funding, legislation and policy, regulation."
    )
    motivations = forms.MultipleChoiceField(
        label="Why is this project happening?",
        help_text="Select all that apply. Be open: every motivation is recorded, not judged.",
        error_messages={"required": "Select at least one reason why the project is happening"},
    )
    primary_motivation = radios("Which is the main reason?", [], what="the main reason for the project")
    funding_source = text("Funding source", required=False, max_length=SHORT_TEXT)
    funding_amount = MoneyField(
        label="Funding amount, in pounds",
        required=False,
        help_text="For example, £250,000 or £1,250.50.",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the funding amount in pounds, like £250,000 or £1,250.50",
            "min_value": "The funding amount must be 0 or more",
            "max_digits": "The funding amount must be less than £10,000,000,000",
            "max_decimal_places": "Enter the funding amount in pounds and pence, like £1,250.50",
        },
    )
    current_stage = radios("Current stage", [], what="the current stage")
    accountable_person = text(
        "Accountable person",
        max_length=SHORT_TEXT,
        what="the name and role of the accountable person",
        help_text="The name and role of the person accountable for decisions, "
        "for example Director of Children's Services.",
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["current_stage"].choices = [(s.id, s.name) for s in framework.stages]
        choices = [(m.id, m.label) for m in framework.motivations]
        self.fields["motivations"].choices = choices
        self.fields["primary_motivation"].choices = choices
        for motivation in framework.motivations:
            self.fields[f"explain_{motivation.id}"] = text(
                f"How does “{motivation.label.lower()}” apply?",
                required=False,
                what="an explanation of this reason",
            )

    def explanation_fields(self) -> dict[str, forms.BoundField]:
        return {m.id: self[f"explain_{m.id}"] for m in self.framework.motivations}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = cleaned.get("motivations") or []
        for motivation in chosen:
            if not cleaned.get(f"explain_{motivation}"):
                self.add_error(f"explain_{motivation}", "Explain this reason for the project")
        primary = cleaned.get("primary_motivation")
        if primary and chosen and primary not in chosen:
            self.add_error("primary_motivation", "The main reason must be one of the reasons you selected")
        return cleaned

    def motivation_inputs(self) -> list[tuple[str, str]]:
        return [(m, self.cleaned_data[f"explain_{m}"]) for m in self.cleaned_data["motivations"]]


def version_field() -> forms.IntegerField:
    """The version of the thing being edited when the page was opened (see ConflictError)."""
    return forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


def _evidence_field() -> forms.CharField:
    return text(
        "Evidence (optional)",
        required=False,
        max_length=NOTE,
        help_text="Links to documents or research that support your answer, one on each line.",
    )


def _clean_evidence(value: str) -> str:
    line = not_web_link(value)
    if line is not None:
        raise ValidationError(
            f"“{line[:80]}” is not a web link. Enter each link on its own line, starting with https://"
        )
    return value


class AnswerForm(forms.Form):
    """A question answered on the answer scale (when closed) with a rationale."""

    value = radios("Your answer", [], what="an answer")
    rationale = text("Why?", what="the reasons for your answer")
    evidence = _evidence_field()
    version = version_field()

    def __init__(self, *args: Any, framework: Framework, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [(a.id, a.label) for a in framework.answer_scale]
        if not question.has_closed_answer:
            del self.fields["value"]
            self.fields["rationale"].label = "Your answer"
            self.fields["rationale"].error_messages["required"] = "Enter your answer"
        if question.kind == "register":
            self.fields["rationale"].label = "Summary"
            self.fields[
                "rationale"
            ].help_text = "Sum up what the register shows and what it means for the decision."
            self.fields["rationale"].error_messages["required"] = "Enter a summary"

    def clean_evidence(self) -> str:
        return _clean_evidence(self.cleaned_data.get("evidence", ""))


class PrinciplesForm(forms.Form):
    """One aspect (the process, or the innovation itself) of an E question."""

    value = radios("Your answer", [], what="an answer")
    rationale = text("Why?", what="the reasons for your answer")
    version = version_field()

    def __init__(self, *args: Any, framework: Framework, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [(a.id, a.label) for a in framework.answer_scale]
        self.principles = framework.principles_in(question.cluster or "")
        self.note_required = {r.id for r in framework.principle_ratings if r.note_required}
        rating_choices = [(r.id, r.label) for r in framework.principle_ratings]
        for principle in self.principles:
            self.fields[f"rating_{principle.id}"] = radios(
                principle.name, rating_choices, what=f"a rating for {principle.name.lower()}"
            )
            self.fields[f"note_{principle.id}"] = text(
                "Note",
                required=False,
                max_length=NOTE,
                help_text="Required if it puts the principle at risk.",
            )

    def principle_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"rating_{p.id}"], self[f"note_{p.id}"]) for p in self.principles]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for principle in self.principles:
            if cleaned.get(f"rating_{principle.id}") in self.note_required and not cleaned.get(
                f"note_{principle.id}"
            ):
                self.add_error(f"note_{principle.id}", f"Explain why “{principle.name}” is at risk")
        return cleaned

    def ratings(self) -> dict[str, tuple[str, str]]:
        return {
            p.id: (self.cleaned_data[f"rating_{p.id}"], self.cleaned_data.get(f"note_{p.id}", ""))
            for p in self.principles
        }


class ParticipationForm(forms.Form):
    version = version_field()
    mode = radios("How did they take part?", [], what="how this group took part")
    reason = text("If they were not involved, why not?", required=False, max_length=NOTE)
    summary = text(
        "What did they say?",
        required=False,
        help_text="A summary of their views, in your words. "
        "Do not include names or anything that identifies a person.",
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [(m.id, m.label) for m in framework.participation_modes]
        self.reason_required = {m.id for m in framework.participation_modes if m.reason_required}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("mode") in self.reason_required and not cleaned.get("reason"):
            self.add_error("reason", "Explain why this group was not involved")
        return cleaned


class RegisterRowForm(forms.Form):
    """A register row, with fields as the framework edition defines them."""

    version = version_field()

    def __init__(self, *args: Any, register: Register, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register = register
        for f in register.fields:
            what = f.label.split(" (")[0].lower()
            if f.type == "text":
                self.fields[f.id] = text(f.label, required=f.required, max_length=NOTE, what=what)
            elif f.type == "choice":
                self.fields[f.id] = radios(
                    f.label, [(c.id, c.label) for c in f.choices], what=what, required=f.required
                )
            elif f.type == "multichoice":
                self.fields[f.id] = forms.MultipleChoiceField(
                    label=f.label,
                    choices=[(c.id, c.label) for c in f.choices],
                    required=f.required,
                    error_messages={"required": f"Select {what}"},
                )
            else:
                numbers = [(str(n), str(n)) for n in range((f.minimum or 0), (f.maximum or 0) + 1)]
                self.fields[f.id] = radios(f.label, numbers, what=what, required=f.required)

    def field_kinds(self) -> list[tuple[str, forms.BoundField]]:
        return [(f.type, self[f.id]) for f in self.register.fields]


class StartAppraisalForm(forms.Form):
    stage = radios("Which stage is this appraisal for?", [], what="a stage")
    reason = text(
        STAGE_REASON_LABEL,
        required=False,
        help_text="Needed only when the stage before the one you choose is not signed yet. "
        "Your reason is kept in the appraisal’s history and its decision record.",
    )

    def __init__(self, *args: Any, stages: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = list(stages)


class DecisionForm(forms.Form):
    version = version_field()
    decision = radios("Decision", [], what="a decision")
    reasoning = text(
        "Reasoning",
        what="the reasoning for the decision",
        help_text="Explain the decision so that anyone affected by it could follow your reasons.",
    )
    departure_reason = text(
        "Why are you departing from the framework?",
        required=False,
        help_text="Needed only when the decision is outside what the framework allows for your answers.",
    )
    accountable_person = text(
        "Accountable person", max_length=SHORT_TEXT, what="the name and role of the accountable person"
    )
    decided_on = forms.DateField(
        label="Date of decision",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"],
        error_messages={
            "required": "Enter the date of the decision",
            "invalid": "Enter a real date, for example 27/03/2026",
        },
        help_text="For example, 27/03/2026",
    )
    # Asked only while the organisation has commitments in force (appraisals/commitments.py).
    commitments_answer = text(
        COMMITMENTS_QUESTION,
        what="how the decision is consistent with the organisation’s ethical commitments",
        help_text="Name the commitments this decision touches and how it keeps to them. "
        "Do not name children or families.",
    )

    def __init__(
        self, *args: Any, framework: Framework, route: Route, commitments: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if commitments is None:
            del self.fields["commitments_answer"]
        self.route = route
        self.allowed = route.allowed
        self.fields["decision"].choices = [(d.id, d.name) for d in framework.decisions]
        # A decision outside what the framework allows is shown as a warning on the page
        # (see decision.html), not in the grey hint beside it.
        self.hints = {d.id: d.meaning for d in framework.decisions}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision:
            problem = departure_problem(decision, self.route, cleaned.get("departure_reason", ""))
            if problem:
                self.add_error("departure_reason", problem)
        return cleaned


class CriteriaForm(forms.Form):
    """A rating and a note for every criterion of trustworthy innovation, and the version of
    the ratings the page was opened on (the appraisal's `criteria_version`)."""

    version = version_field()

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = framework.rateable_criteria()
        choices = [(r.id, r.label) for r in framework.criterion_ratings]
        self.rating_labels = dict(choices)
        for criterion in self.criteria:
            self.fields[f"rating_{criterion.id}"] = radios(
                criterion.id, choices, what=f"a rating for {criterion.id}"
            )
            self.fields[f"note_{criterion.id}"] = text(
                f"Note on {criterion.id}", required=False, max_length=NOTE
            )

    def criterion_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"rating_{c.id}"], self[f"note_{c.id}"]) for c in self.criteria]

    def ratings(self) -> dict[str, tuple[str, str]]:
        return {
            c.id: (self.cleaned_data[f"rating_{c.id}"], self.cleaned_data.get(f"note_{c.id}", ""))
            for c in self.criteria
        }

    def saved_by_someone_else(self, current: Mapping[str, Any]) -> dict[str, object]:
        """The ratings someone else saved (from a version conflict), as the page shows them."""
        return {
            cid: " ".join(filter(None, [f"{self.rating_labels.get(r['rating'], r['rating'])}.", r["note"]]))
            for cid, r in current.items()
        }


# --- post hoc evaluation ----------------------------------------------------------------------


class OutcomeForm(forms.Form):
    """What happened to one benefit (with the evidence) or one risk (and how it was handled)."""

    version = version_field()
    result = radios("What happened?", [], what="what happened")
    evidence = text(
        "What shows this?",
        required=False,
        max_length=NOTE,
        what="the evidence for what happened",
        help_text="What you measured or heard, and where it is written up. "
        "Do not include names or anything that identifies a person.",
    )
    handling = text(
        "How was it handled?",
        required=False,
        max_length=NOTE,
        what="how the risk was handled",
        help_text="What was done to prevent it or to put it right, and whether that worked.",
    )

    def __init__(self, *args: Any, kind: str, results: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["result"].choices = list(results)
        if kind == "benefit":
            self.fields["result"].label = "Was this benefit achieved?"
            self.fields["evidence"].required = True
            del self.fields["handling"]
        else:
            self.fields["result"].label = "Did this happen?"
            self.fields["result"].error_messages["required"] = "Select whether this happened"
            self.fields["evidence"].label = "What shows this? (optional)"
            self.fields["handling"].required = True


class UnforeseenForm(forms.Form):
    """A harm or a benefit nobody expected."""

    version = version_field()
    kind = radios("Was it a harm or a benefit?", [], what="whether it was a harm or a benefit")
    description = text(
        "What happened?",
        max_length=NOTE,
        what="what happened",
        help_text="Do not include names or anything that identifies a person.",
    )
    who_affected = text("Who did it affect?", required=False, max_length=SHORT_TEXT)
    handling = text("What was done about it?", required=False, max_length=NOTE)

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


class LessonsForm(forms.Form):
    version = version_field()
    text = text(
        "Lessons for others",
        what="the lessons for others",
        help_text="What would you tell another organisation trying this? What would you do differently?",
    )


# --- actions ----------------------------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]


class ActionForm(forms.Form):
    """What is to be done, who owns it (a member, or a role named in words) and by when."""

    version = version_field()
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    row = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    what = text(
        "What needs to be done?",
        max_length=NOTE,
        what="what needs to be done",
        help_text="One thing someone can do and finish. "
        "Do not include names or anything that identifies a child or family.",
    )
    owner = forms.TypedChoiceField(
        label="Who owns it?",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Choose a member of your organisation: they are emailed when it is overdue.",
        error_messages={"invalid_choice": "Choose a member from the list"},
    )
    owner_name = text(
        "Or name a role",
        required=False,
        max_length=SHORT_TEXT,
        help_text="If no member owns it, the role that does, for example Registered Manager.",
    )
    due_on = forms.DateField(
        label="Due by",
        input_formats=DATE_FORMATS,
        error_messages={
            "required": "Enter the date it is due by",
            "invalid": "Enter a real date, for example 27/03/2027",
        },
        help_text="For example, 27/03/2027",
    )

    def __init__(self, *args: Any, members: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose a member"), *members]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        member, named = cleaned.get("owner"), cleaned.get("owner_name")
        if member and named:
            self.add_error("owner", "Choose a member or name a role, not both")
        elif not member and not named and "owner" not in self.errors:
            self.add_error("owner", "Choose who owns this action, or name a role")
        return cleaned


class ActionProgressForm(forms.Form):
    """Where an action is now: in progress, done (with what shows it), dropped (and why) or
    open again. The choices offered depend on who is asking (an owner starts or finishes it)."""

    version = version_field()
    status = radios("Where is it now?", [], what="where the action is now")
    evidence = text(
        "What shows it is done?",
        required=False,
        max_length=NOTE,
        what="what shows it is done",
        help_text="Needed when it is done: what changed, and where it is written down.",
    )
    dropped_reason = text(
        "Why is it being dropped?",
        required=False,
        max_length=NOTE,
        what="why it is being dropped",
        help_text="Needed when it is dropped.",
    )

    def __init__(self, *args: Any, statuses: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(statuses)
        if "dropped" not in dict(statuses):
            del self.fields["dropped_reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == "done" and not cleaned.get("evidence"):
            self.add_error("evidence", "Enter what shows it is done")
        if status == "dropped" and not cleaned.get("dropped_reason"):
            self.add_error("dropped_reason", "Explain why it is being dropped")
        return cleaned


class ActionFilterForm(forms.Form):
    """The organisation's actions: only mine, only overdue, and which status."""

    STATUSES = [
        ("to-do", "Open or in progress"),
        ("open", "Open"),
        ("in-progress", "In progress"),
        ("done", "Done"),
        ("dropped", "Dropped"),
        ("all", "Any status"),
    ]

    mine = forms.BooleanField(label="Only actions I own", required=False)
    overdue = forms.BooleanField(label="Only overdue actions", required=False)
    status = forms.ChoiceField(label="Status", choices=STATUSES, required=False)
