"""Declared interests: the rule that a reviewer or an approver says whether they have an
interest in an appraisal (none, or what it is) before giving a verdict or deciding.

`appraisals.policy.changing` applies `check_declared` to every verdict and decision, however
it arrives; pages ask `policy.declaration_problem` (which calls `problem`) to say so first.
An approver an admin has asked to stand aside (`InterestDeclaration.stand_aside`) may not
decide the appraisal, and a decision they recorded must be recorded again by another approver.
The writes are in appraisals/declaring.py.
"""

from __future__ import annotations

from typing import Any

from trustworthy.core.errors import Invalid, NotPermitted

from .models import Appraisal, Decision, InterestDeclaration

DECLARE_BEFORE_VERDICT = "Declare your interests in this appraisal before you give your verdict."
DECLARE_BEFORE_DECIDING = "Declare your interests in this appraisal before you decide."
STAND_ASIDE = (
    "An admin has asked for a different approver to decide this appraisal, because of the interest "
    "you declared. Another approver must decide it."
)
DECIDED_BY_STAND_ASIDE = (
    "The decision was recorded by an approver who was asked to stand aside because of a declared "
    "interest. Another approver must record the decision again."
)


class DeclarationNeeded(Invalid):
    """A verdict or a decision was sent before the person declared their interests."""


class StandAside(NotPermitted):
    """An approver asked to stand aside tried to decide (a 403 on the web)."""


def declarations(appraisal: Appraisal) -> list[InterestDeclaration]:
    """Every declaration about this appraisal, in the order they were made."""
    return list(InterestDeclaration.objects.filter(appraisal=appraisal).order_by("declared_at", "id"))


def declaration_of(appraisal: Appraisal, user: Any) -> InterestDeclaration | None:
    person_id = getattr(user, "pk", None)
    if person_id is None:
        return None
    return InterestDeclaration.objects.filter(appraisal=appraisal, person_id=person_id).first()


def problem(appraisal: Appraisal, user: Any, *, as_reviewer: bool) -> str:
    """Why this person may not give a verdict (`as_reviewer`) or decide yet; "" if they may."""
    found = declaration_of(appraisal, user)
    if found is None:
        return DECLARE_BEFORE_VERDICT if as_reviewer else DECLARE_BEFORE_DECIDING
    if found.stand_aside and not as_reviewer:
        return STAND_ASIDE
    return ""


def check_declared(appraisal: Appraisal, user: Any, *, as_reviewer: bool) -> None:
    """Refuse a verdict or a decision from someone who has not declared, or must stand aside."""
    message = problem(appraisal, user, as_reviewer=as_reviewer)
    if message == STAND_ASIDE:
        raise StandAside(message)
    if message:
        raise DeclarationNeeded(message)


def decision_problem(decision: Decision | None) -> str:
    """A decision cannot be signed if the approver who recorded it was asked to stand aside."""
    if decision is None:
        return ""
    stood_aside = InterestDeclaration.objects.filter(
        appraisal_id=decision.appraisal_id, person_id=decision.recorded_by_id, stand_aside=True
    ).exists()
    return DECIDED_BY_STAND_ASIDE if stood_aside else ""
