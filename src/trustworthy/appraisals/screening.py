"""A proportionate route: the lead's screening, and an approver requiring the full route.

The rule that decides the route is pure (`trustworthy.framework.screening`); here it is
applied to an appraisal through the one write gate, and kept: the answers, the route the
screening recommended and why, the route chosen, and who required the full route and why.
The route in force is `Appraisal.route`; an appraisal never screened is on the full route.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from trustworthy.core import text
from trustworthy.core.text import NOTE
from trustworthy.framework import recommend, route_problem, screening_problems
from trustworthy.framework.screening import FULL, LIGHT
from trustworthy.organisations.models import User

from .models import Appraisal, Screening
from .policy import Change, changing, may
from .services import ServiceError, _touch

__all__ = ["require_full_route", "route_choice", "save_screening", "screening_of", "screening_values"]

FULL_REQUIRED_BY_APPROVER = "An approver required the full appraisal."


def route_choice(appraisal: Appraisal, role: str | None) -> dict[str, Any]:
    """The task list's route row: the route in force, and what this person may do about it
    (from the route on the row alone: no query)."""
    status = appraisal.status
    return {
        "route": appraisal.route,
        "can_screen": may(role, status, Change.SCREENING),
        "can_require_full": appraisal.route == LIGHT and may(role, status, Change.REQUIRE_FULL_ROUTE),
    }


def screening_of(appraisal: Appraisal) -> Screening | None:
    return Screening.objects.filter(appraisal=appraisal).select_related("full_required_by").first()


def screening_values(screening: Screening | None, route: str) -> dict[str, Any] | None:
    """What the audit keeps of a screening, with the route in force."""
    if screening is None:
        return None
    return {
        "answers": dict(screening.answers),
        "recommended_route": screening.recommended_route,
        "reasons": list(screening.reasons),
        "chosen_route": screening.chosen_route,
        "route": route,
        "full_required_reason": screening.full_required_reason,
    }


def save_screening(*, appraisal: Appraisal, user: User, answers: Mapping[str, str], route: str) -> Screening:
    """Record the screening and the route the lead chooses. Any answer that flags a risk
    requires the full route, and so does an approver's earlier requirement."""
    framework = appraisal.edition
    problems = screening_problems(framework, answers)
    if problems:
        field, message = next(iter(problems.items()))
        raise ServiceError(message if field else "This appraisal's framework has no screening.")
    recommendation = recommend(framework, answers)
    with changing(appraisal, Change.SCREENING, actor=user) as change:
        current = change.appraisal
        screening = Screening.objects.filter(appraisal=current).first()
        before = screening_values(screening, current.route)
        problem = route_problem(recommendation, route)
        if problem is None and route == LIGHT and screening is not None and screening.full_required_by_id:
            problem = FULL_REQUIRED_BY_APPROVER
        if problem:
            error = ServiceError(problem)
            error.field = "route"
            raise error
        if screening is None:
            screening = Screening(appraisal=current, lock_version=0)
        screening.answers = dict(answers)
        screening.recommended_route = recommendation.route
        screening.reasons = list(recommendation.reasons)
        screening.chosen_route = route
        screening.screened_by = user
        screening.screened_at = timezone.now()
        screening.lock_version += 1
        screening.save()
        current.route = route
        Appraisal.objects.filter(pk=current.pk).update(route=route)
        change.record(
            "screening.saved", target="screening", before=before, after=screening_values(screening, route)
        )
        _touch(current)
    appraisal.route = route
    return screening


def require_full_route(*, appraisal: Appraisal, user: User, reason: str) -> Screening:
    """An approver turns a light appraisal back to the full route, saying why."""
    reason = text.check(reason.strip(), NOTE, field="reason")
    if not reason:
        raise ServiceError("Explain why the full appraisal is needed.")
    with changing(appraisal, Change.REQUIRE_FULL_ROUTE, actor=user) as change:
        current = change.appraisal
        screening = Screening.objects.filter(appraisal=current).first()
        if screening is None or current.route != LIGHT:
            raise ServiceError("This appraisal is already on the full route.")
        before = screening_values(screening, current.route)
        screening.full_required_by = user
        screening.full_required_reason = reason
        screening.full_required_at = timezone.now()
        screening.lock_version += 1
        screening.save()
        current.route = FULL
        Appraisal.objects.filter(pk=current.pk).update(route=FULL)
        change.record(
            "route.full-required",
            target="screening",
            before=before,
            after=screening_values(screening, FULL),
            reason=reason,
        )
        _touch(current)
    appraisal.route = FULL
    return screening
