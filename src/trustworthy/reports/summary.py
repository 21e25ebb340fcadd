"""“What we decided and why”: a plain-language summary for young people and families.

`draft_summary(record)` writes a first version from the decision, its reasons and what
people said; the lead can change it until the appraisal is approved. `readability(text)`
estimates the reading age (Flesch-Kincaid grade plus five years) and finds the sentences
that push it up, so the page can say which ones to make simpler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import textstat

from .document import DecisionRecord

READING_AGE_LIMIT = 12  # the page warns above this reading age
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“‘\"'])")

NEXT_STEPS = {
    "proceed": "The work will now go ahead as planned.",
    "proceed-with-mitigations": (
        "The work will go ahead. We will also do the things we listed to make it safer, "
        "and each has a person in charge of it."
    ),
    "proceed-despite-concerns": "The work will go ahead, but we still have worries about it. "
    "We will keep checking how it affects children and families.",
    "reframe": "We will think again about the problem and the plan before we go any further.",
    "do-not-proceed": "The work will stop.",
}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def _first(text: str, count: int = 1) -> str:
    return " ".join(sentences(text)[:count])


def draft_summary(record: DecisionRecord) -> str:
    """A first draft from the record. The lead should read and improve it."""
    parts = [f"We looked at a plan called “{record.project.title}”. {_first(record.project.summary)}".strip()]
    d = record.decision
    if d is None:
        parts.append("We have not made a decision yet.")
    else:
        parts.append(f"We decided: {d.name.lower()}. {NEXT_STEPS.get(d.decision, '')}".strip())
        if d.reasoning:
            parts.append(f"Why we decided this: {_first(d.reasoning, 2)}")
        if d.is_departure and d.departure_reason:
            parts.append(
                "This is not what our usual checklist pointed to. "
                f"We chose differently because: {_first(d.departure_reason, 2)}"
            )
    heard = [f"{p.stakeholder_label} told us: {_first(p.summary)}" for p in record.participation if p.summary]
    if heard:
        parts.append("What people told us. " + " ".join(heard))
    if record.voices and record.voices.items:
        parts.append(
            "What we did about it. "
            + " ".join(f"{i.heading or 'You said'}: {_first(i.response)}" for i in record.voices.items[:3])
        )
    parts.append("If you have questions about this decision, please ask the person who works with you.")
    return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class HardSentence:
    text: str
    reading_age: int


@dataclass(frozen=True)
class Readability:
    reading_age: int
    limit: int
    hardest: tuple[HardSentence, ...]

    @property
    def too_hard(self) -> bool:
        return self.reading_age > self.limit


def _reading_age(text: str) -> int:
    grade = textstat.flesch_kincaid_grade(text)
    return max(5, round(grade + 5))


def readability(text: str, *, limit: int = READING_AGE_LIMIT, show: int = 3) -> Readability:
    if not text.strip():
        return Readability(0, limit, ())
    scored = [HardSentence(s, _reading_age(s)) for s in sentences(text)]
    hardest = sorted((s for s in scored if s.reading_age > limit), key=lambda s: -s.reading_age)[:show]
    return Readability(_reading_age(text), limit, tuple(hardest))
