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

from trustworthy.framework import Framework, Register, risk_register

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
