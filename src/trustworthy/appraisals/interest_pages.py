"""What the pages show of declared interests, and their forms (the rule: interests.py and
policy.py; the writes: declaring.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from trustworthy.core.text import NOTE, TextField
from trustworthy.organisations.permissions import Action, role_may

from . import commitments, interests, policy
from .models import Appraisal, InterestDeclaration
from .policy import Change

YES, NO = "yes", "no"


class InterestsForm(forms.Form):
    has_interest = forms.ChoiceField(
        label="Do you have an interest in this appraisal?",
        choices=[(NO, "No, I have no interest to declare"), (YES, "Yes, I have an interest")],
        help_text=(
            "For example, a financial interest, a role in the project or with a partner or supplier, "
            "or a close relationship with someone involved."
        ),
        error_messages={
            "required": "Select whether you have an interest in this appraisal",
            "invalid_choice": "Select whether you have an interest in this appraisal",
        },
    )
    interest = TextField(
        label="What is your interest?",
        required=False,
        max_length=NOTE,
        strip=True,
        help_text="Say enough for others to judge it. Do not name children or families.",
        error_messages={"max_length": f"Your interest must be {NOTE:,} characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("has_interest") == YES and not cleaned.get("interest"):
            self.add_error("interest", "Say what your interest is")
        return cleaned


class OtherApproverForm(forms.Form):
    reason = TextField(
        label="Why is a different approver needed? (optional)",
        required=False,
        max_length=NOTE,
        strip=True,
        error_messages={"max_length": f"The reason must be {NOTE:,} characters or fewer"},
    )


def initial(found: InterestDeclaration | None) -> dict[str, str]:
    if found is None:
        return {}
    return {"has_interest": YES if found.has_interest else NO, "interest": found.interest}


def interests_parts(appraisal: Appraisal, role: str | None, user: Any, change: Change) -> dict[str, Any]:
    """For a page where someone gives a verdict or decides: every declaration, this person's,
    what stands in their way (`declare_first`), and whether they may declare or ask for a
    different approver."""
    may_act = policy.may(role, appraisal.status, change)
    declared = interests.declarations(appraisal)
    return {
        "interests": declared,
        # An approver who declared an interest can be asked to stand aside (declaring.py).
        "other_approver_ids": {
            d.pk for d in declared if d.has_interest and not d.stand_aside and role_may(d.role, Action.DECIDE)
        },
        "my_declaration": interests.declaration_of(appraisal, user),
        "declare_first": policy.declaration_problem(appraisal, user, change) if may_act else "",
        "can_declare": policy.may(role, appraisal.status, Change.INTEREST),
        "can_require_other_approver": policy.may(role, appraisal.status, Change.OTHER_APPROVER),
    }


def decision_page_parts(data: Any, role: str | None, user: Any) -> dict[str, Any]:
    """The decision page's part: declared interests (an approver decides once declared, and not
    if asked to stand aside) and the organisation's commitments in force, which the decision
    answers."""
    appraisal = data.appraisal
    parts = interests_parts(appraisal, role, user, Change.DECISION)
    return {
        **parts,
        "can_decide": policy.may(role, appraisal.status, Change.DECISION) and not parts["declare_first"],
        "commitments": commitments.in_force(appraisal.organisation),
    }
