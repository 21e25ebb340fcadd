"""Post hoc evaluation: what happened, against what was expected.

At the `evaluation` stage each benefit (P3) and each risk (P7) of the project's latest
approved earlier stage gets what happened, with evidence; harms and benefits nobody
expected can be added; and lessons for others are written down. The expectations are read
from the approved stage itself, never copied, so they are the ones that were signed.

The words for what happened belong to the service, not to a framework edition: they are
the same whichever edition the stages were appraised on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustworthy.framework import Framework, Register, risk_register

if TYPE_CHECKING:  # selectors imports this module
    from .selectors import EvaluationData

EVALUATION_STAGE = "evaluation"
BENEFITS_QUESTION = "P3"

BENEFIT_RESULTS: tuple[tuple[str, str], ...] = (
    ("achieved", "Achieved"),
    ("partly-achieved", "Partly achieved"),
    ("not-achieved", "Not achieved"),
    ("too-early", "Too early to say"),
)
RISK_RESULTS: tuple[tuple[str, str], ...] = (
    ("yes", "Yes, it happened"),
    ("partly", "Partly"),
    ("no", "No, it did not happen"),
)
UNFORESEEN_KINDS: tuple[tuple[str, str], ...] = (
    ("harm", "A harm nobody expected"),
    ("benefit", "A benefit nobody expected"),
)
EXPECTED_AGAINST_REALISED = "Expected against realised"


@dataclass(frozen=True)
class Kind:
    """One of the two kinds of expectation: benefits or risks, and the words for each."""

    id: str  # "benefit" or "risk"
    register: str
    results: tuple[tuple[str, str], ...]

    def result_label(self, result: str | None) -> str:
        return dict(self.results).get(result or "", "Not recorded yet")


def benefit_register(framework: Framework) -> str:
    register = framework.question(BENEFITS_QUESTION).register
    if register is None:  # pragma: no cover - every edition's P3 has a register
        raise LookupError(f"{framework.key}: {BENEFITS_QUESTION} has no register")
    return register


def kinds(framework: Framework) -> tuple[Kind, Kind]:
    return (
        Kind("benefit", benefit_register(framework), BENEFIT_RESULTS),
        Kind("risk", risk_register(framework), RISK_RESULTS),
    )


def kind_of(framework: Framework, register: str) -> Kind | None:
    return next((k for k in kinds(framework) if k.register == register), None)


def is_evaluation(stage: str) -> bool:
    return stage == EVALUATION_STAGE


def label(choices: tuple[tuple[str, str], ...], value: str) -> str:
    return dict(choices).get(value, value)


def headline(register: Register, data: dict[str, object]) -> str:
    """The row's first text field (its description), for lists and headings."""
    first = next((f.id for f in register.fields if f.type == "text"), None)
    return str(data.get(first, "")) if first else ""


# --- completeness -------------------------------------------------------------------------------
# The one rule for when a post hoc evaluation is done, used by the task list and by the check
# before it is sent for review: every benefit and risk looked back on has what happened, with
# the detail its kind needs (a benefit its evidence, a risk how it was handled), and the
# lessons for others are written. The services ask for the same detail when an outcome is
# saved; this also catches outcomes that came in another way (an import, a bulk load).

DETAIL = {"benefit": "evidence", "risk": "handling"}


@dataclass(frozen=True)
class Recorded:
    """What is known of one expectation: its kind, and what happened (None: not yet)."""

    kind: str  # "benefit" or "risk"
    result: str | None
    evidence: str = ""
    handling: str = ""

    @property
    def done(self) -> bool:
        return self.result is not None and bool(getattr(self, DETAIL[self.kind]).strip())


@dataclass(frozen=True)
class EvaluationCompleteness:
    expected: int
    recorded: int  # with a result, whatever its detail
    done: int  # with a result and the detail it needs
    without_evidence: int  # benefits with a result but no evidence
    without_handling: int  # risks with a result but no account of how they were handled
    has_lessons: bool

    @property
    def outcomes_done(self) -> bool:
        return self.done == self.expected

    @property
    def is_complete(self) -> bool:
        return self.outcomes_done and self.has_lessons

    @property
    def problems(self) -> list[str]:
        """Plain-English reasons the evaluation is not finished; empty when it is."""
        found = []
        if self.recorded < self.expected:
            left = self.expected - self.recorded
            found.append(
                f"Record what happened to every benefit and risk that was expected: {left} of "
                f"{self.expected} {'is' if left == 1 else 'are'} still to do."
            )
        if self.without_evidence:
            n = self.without_evidence
            found.append(f"Give the evidence for what happened to {n} benefit{'' if n == 1 else 's'}.")
        if self.without_handling:
            n = self.without_handling
            found.append(f"Say how {n} risk{' was' if n == 1 else 's were'} handled.")
        if not self.has_lessons:
            found.append("Write the lessons for others.")
        return found


def check_evaluation(recorded: list[Recorded], lessons: str) -> EvaluationCompleteness:
    with_result = [r for r in recorded if r.result is not None]
    return EvaluationCompleteness(
        expected=len(recorded),
        recorded=len(with_result),
        done=sum(r.done for r in recorded),
        without_evidence=sum(1 for r in with_result if r.kind == "benefit" and not r.done),
        without_handling=sum(1 for r in with_result if r.kind == "risk" and not r.done),
        has_lessons=bool(lessons.strip()),
    )


def evaluation_completeness(evaluation: EvaluationData) -> EvaluationCompleteness:
    """How far the evaluation is done: its expectations as selectors read them, and its lessons."""
    recorded = [
        Recorded(kind, o.result, o.evidence, o.handling) if o is not None else Recorded(kind, None)
        for kind, side in (("benefit", evaluation.benefits), ("risk", evaluation.risks))
        for o in (e.outcome for e in side)
    ]
    return check_evaluation(recorded, evaluation.lessons.text if evaluation.lessons else "")
