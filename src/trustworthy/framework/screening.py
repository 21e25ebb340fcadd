"""A proportionate route: which route a screening recommends, and which questions a route asks.

A pure function of the edition and the screening answers. Any answer that flags a risk,
and any question left unanswered, requires the full route; the reasons are written for
the people deciding, in plain words. An edition without a screening has only the full route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .model import Framework

__all__ = [
    "FULL",
    "LIGHT",
    "ROUTES",
    "Recommendation",
    "RouteName",
    "recommend",
    "route_problem",
    "route_questions",
    "screening_problems",
]

RouteName = Literal["full", "light"]
FULL: RouteName = "full"
LIGHT: RouteName = "light"
ROUTES: tuple[RouteName, ...] = (FULL, LIGHT)


@dataclass(frozen=True)
class Recommendation:
    route: RouteName
    reasons: tuple[str, ...]
    # The screening question ids whose answers flag a risk.
    flagged: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"route": self.route, "reasons": list(self.reasons), "flagged": list(self.flagged)}


def screening_problems(framework: Framework, answers: Mapping[str, str]) -> dict[str, str]:
    """What is wrong with these answers, by screening question id (empty when none is)."""
    screening = framework.screening
    if screening is None:
        return {"": "This edition of the framework has no screening."}
    problems: dict[str, str] = {}
    for question in screening.questions:
        value = answers.get(question.id)
        if not value or question.option(value) is None:
            # Named, so the error summary says which of the questions is unanswered.
            problems[question.id] = f"Select an answer to “{question.text}”"
    for question_id in answers:
        if screening.question(question_id) is None:
            problems[question_id] = "This is not a screening question."
    return problems


def recommend(framework: Framework, answers: Mapping[str, str]) -> Recommendation:
    """The route the screening answers recommend, and why."""
    screening = framework.screening
    if screening is None:
        return Recommendation(FULL, ("This edition of the framework has no light route.",))
    reasons: list[str] = []
    flagged: list[str] = []
    unanswered: list[str] = []
    for question in screening.questions:
        option = question.option(answers.get(question.id) or "")
        if option is None:
            unanswered.append(question.text)
        elif option.flags_risk:
            flagged.append(question.id)
            reasons.append(option.reason or f"The answer to “{question.text}” points to a risk.")
    if unanswered:
        reasons.append(
            "Not every screening question is answered, so the full appraisal is needed: "
            + " ".join(unanswered)
        )
    if reasons:
        return Recommendation(FULL, tuple(reasons), tuple(flagged))
    return Recommendation(
        LIGHT,
        ("No screening answer points to a risk, so a light appraisal is proportionate.",),
    )


def route_problem(recommendation: Recommendation, chosen: str) -> str | None:
    """Why `chosen` cannot be the route for this recommendation, or None. The full route can
    always be chosen; the light route only where the screening recommends it."""
    if chosen not in ROUTES:
        return "Choose the light or the full appraisal."
    if chosen == LIGHT and recommendation.route != LIGHT:
        return "A screening answer points to a risk, so the full appraisal is needed."
    return None


def route_questions(framework: Framework, route: str) -> tuple[str, ...] | None:
    """The question ids a route asks, in the edition's order; None for every question (the
    full route, or an edition without a light route)."""
    if route != LIGHT or framework.screening is None:
        return None
    light = set(framework.screening.light_route.questions)
    return tuple(q.id for q in framework.questions() if q.id in light)
