"""The route through section 3: which decisions the framework allows, and why.

A pure function of the T1-T6 answers and the highest score among open P7 risks. The
rules are those of FRAMEWORK.md, "The route through section 3"; each restriction adds a
reason written for the person making the decision, not for a developer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ANSWERS",
    "CONDITIONAL_TESTS",
    "DECISION_ORDER",
    "HIGH_RISK_SCORE",
    "ROUTE_QUESTIONS",
    "Applies",
    "Route",
    "compute_route",
    "departure_problem",
    "is_departure",
    "t4_t5_apply",
]

ANSWERS = ("yes", "partly", "no", "unsure")
ROUTE_QUESTIONS = ("T1", "T2", "T3", "T4", "T5", "T6")
DECISION_ORDER = (
    "proceed",
    "proceed-with-mitigations",
    "proceed-despite-concerns",
    "reframe",
    "do-not-proceed",
)
GOES_AHEAD = frozenset(DECISION_ORDER[:3])
ALWAYS_ALLOWED = ("reframe", "do-not-proceed")
# An open risk with likelihood x severity at or above this rules out plain "proceed".
HIGH_RISK_SCORE = 12

_CONFIDENCE_TESTS = ("T1", "T2", "T3")
# The tests that apply only for some answers to T1-T3 (T4) and to T4 (T5).
CONDITIONAL_TESTS = ("T4", "T5")

# "pending": it depends on an earlier answer not given yet.
Applies = Literal["applies", "not-applicable", "pending"]


@dataclass(frozen=True)
class Route:
    """The framework's route for one set of answers.

    ``allowed`` is empty until every required answer is given (``missing`` is empty).
    """

    allowed: tuple[str, ...]
    missing: tuple[str, ...]
    not_applicable: tuple[str, ...]
    reasons: tuple[str, ...]
    # T4 or T5 while whether it applies waits on an earlier answer (see t4_t5_apply).
    pending: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, object]:
        return {
            "complete": self.complete,
            "allowed": list(self.allowed),
            "missing": list(self.missing),
            "not_applicable": list(self.not_applicable),
            "reasons": list(self.reasons),
        }


def is_departure(decision: str, route: Route) -> bool:
    """A recorded decision outside a complete route needs a written departure reason."""
    return route.complete and decision not in route.allowed


def departure_problem(decision: str, route: Route, departure_reason: str) -> str | None:
    """Why ``decision`` cannot be recorded as given, or None: a departure needs its reason."""
    if is_departure(decision, route) and not departure_reason.strip():
        return (
            "This decision is outside what the framework allows for your answers. "
            "Explain why you are departing from the framework."
        )
    return None


def t4_t5_apply(answers: Mapping[str, str | None]) -> dict[str, Applies]:
    """Whether T4 and T5 apply to these answers, keyed ``"T4"`` and ``"T5"``.

    T4 applies once any of T1-T3 is answered other than "yes", and does not apply when
    all three are "yes"; T5 applies when T4 applies and is "yes", and does not apply
    when T4 does not apply or is answered otherwise. Until the answers that decide it
    are given, each is ``"pending"``.
    """
    confidence = [answers.get(q) for q in _CONFIDENCE_TESTS]
    if any(value is not None and value != "yes" for value in confidence):
        t4 = answers.get("T4")
        t5: Applies = "pending" if t4 is None else "applies" if t4 == "yes" else "not-applicable"
        return {"T4": "applies", "T5": t5}
    if all(value == "yes" for value in confidence):
        return {"T4": "not-applicable", "T5": "not-applicable"}
    return {"T4": "pending", "T5": "pending"}


def compute_route(answers: Mapping[str, str | None], open_risk_score: int | None = None) -> Route:
    """Apply the section-3 decision logic.

    ``answers`` maps question ids to ``yes|partly|no|unsure`` (other keys are ignored, a
    missing or ``None`` value is unanswered). ``open_risk_score`` is the highest
    likelihood x severity among P7 risks whose status is ``open``, or ``None``.
    """
    for question_id in ROUTE_QUESTIONS:
        value = answers.get(question_id)
        if value is not None and value not in ANSWERS:
            raise ValueError(f"{question_id}: {value!r} is not one of {', '.join(ANSWERS)}")

    def answer(question_id: str) -> str | None:
        return answers.get(question_id)

    applies = t4_t5_apply(answers)
    missing: list[str] = [
        *(q for q in (*_CONFIDENCE_TESTS, "T6") if answer(q) is None),
        *(q for q in CONDITIONAL_TESTS if applies[q] == "applies" and answer(q) is None),
    ]
    not_applicable = [q for q in CONDITIONAL_TESTS if applies[q] == "not-applicable"]
    pending = tuple(q for q in CONDITIONAL_TESTS if applies[q] == "pending")
    reasons: list[str] = []
    goes_ahead: list[str] = []

    # The score of a high open risk (HIGH_RISK_SCORE or more), or None when there is none.
    high_risk = (
        open_risk_score if open_risk_score is not None and open_risk_score >= HIGH_RISK_SCORE else None
    )

    if applies["T4"] == "not-applicable":  # T1, T2 and T3 are all "yes"
        goes_ahead = ["proceed", "proceed-with-mitigations"]
        reasons.append(
            "T1, T2 and T3 are all 'yes', so T4 and T5 do not apply and the framework "
            "allows going ahead, as planned or with mitigations."
        )
        if high_risk is not None:
            goes_ahead.remove("proceed")
    elif applies["T4"] == "applies":
        doubted = [q for q in _CONFIDENCE_TESTS if answer(q) not in (None, "yes")]
        names = ", ".join(doubted)
        reasons.append(
            f"{names} {'is' if len(doubted) == 1 else 'are'} not answered 'yes', so the "
            "framework asks whether a broader requirement to act outweighs the concerns (T4)."
        )
        if applies["T5"] == "not-applicable":
            reasons.append(
                "T4 is not 'yes': no broader requirement to act outweighs the concerns, "
                "so no decision to go ahead is allowed."
            )
        elif applies["T5"] == "applies" and answer("T5") == "yes":
            goes_ahead = ["proceed-with-mitigations"]
            reasons.append(
                "T4 and T5 are 'yes': going ahead is allowed only with mitigations, "
                "named as actions with owners."
            )
        elif applies["T5"] == "applies" and answer("T5") is not None:
            goes_ahead = ["proceed-despite-concerns"]
            reasons.append(
                "T5 is not 'yes': the negative effects cannot be mitigated without new "
                "concerns, so going ahead is allowed only as 'proceed despite concerns', "
                "with a written justification."
            )

    t6 = answer("T6")
    t6_reason = ""
    if t6 is not None and t6 != "yes" and goes_ahead:
        goes_ahead = []
        t6_reason = (
            "T6 is not 'yes': a decision that cannot be explained and justified to young "
            "people, families, carers and practitioners cannot go ahead."
        )
    elif t6 is not None and t6 != "yes":
        t6_reason = (
            "T6 is not 'yes': whatever is decided must still be explained to young people, "
            "families, carers and practitioners."
        )
    # A high open risk rules out plain "proceed" whatever the answers, so it is always one
    # of the reasons, even where T1-T6 already rule "proceed" out for reasons of their own.
    if high_risk is not None:
        reasons.append(_high_risk_reason(high_risk, "proceed-with-mitigations" in goes_ahead))
    if t6_reason:
        reasons.append(t6_reason)

    missing.sort(key=ROUTE_QUESTIONS.index)
    if missing:
        reasons.insert(
            0,
            f"Answer {', '.join(missing)} to see which decisions the framework allows.",
        )
        return Route((), tuple(missing), tuple(not_applicable), tuple(reasons), pending)

    allowed = tuple(d for d in DECISION_ORDER if d in goes_ahead or d in ALWAYS_ALLOWED)
    return Route(allowed, (), tuple(not_applicable), tuple(reasons), pending)


def _high_risk_reason(score: int, with_mitigations: bool) -> str:
    reason = (
        f"An open risk scores {score} (likelihood times severity), which is {HIGH_RISK_SCORE} "
        "or more. 'Proceed' is not allowed until that risk is mitigated, accepted or closed"
    )
    return reason + ("; 'proceed with mitigations' is." if with_mitigations else ".")
