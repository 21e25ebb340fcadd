"""A typed, immutable model of one edition of the framework.

Instances are built only by :mod:`trustworthy.framework.loader`, after the file has been
validated, so the constructors here trust their input. Everything is frozen and uses
tuples, so two loads of the same file compare equal and a model can be shared freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Choice",
    "ContextDimension",
    "Criterion",
    "Decision",
    "Field",
    "Framework",
    "Guidance",
    "Lens",
    "Principle",
    "PrincipleCluster",
    "Question",
    "QuestionKind",
    "Register",
    "Section",
    "Source",
    "Stage",
    "Vocabulary",
]

QuestionKind = Literal["closed", "open", "register", "participation", "principles"]
FieldType = Literal["text", "choice", "multichoice", "integer"]
# The edition's lists whose ids the database stores, by their attribute name.
Vocabulary = Literal[
    "answer_scale",
    "aspects",
    "criterion_ratings",
    "cultural_characteristics",
    "decisions",
    "motivations",
    "participation_modes",
    "principle_ratings",
    "readiness_dimensions",
    "stages",
    "stakeholders",
]


@dataclass(frozen=True)
class Choice:
    """One value of a controlled vocabulary (an answer, a rating, a stakeholder...)."""

    id: str
    label: str
    note_required: bool = False
    reason_required: bool = False


@dataclass(frozen=True)
class Source:
    citation: str
    doi: str | None = None


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    decides: str


@dataclass(frozen=True)
class Guidance:
    """Our own plain-English help: why the question matters, what a good answer covers."""

    why: str
    covers: str


@dataclass(frozen=True)
class Question:
    id: str
    short_name: str
    kind: QuestionKind
    text: str
    guidance: Guidance
    section_id: str
    register: str | None = None
    cluster: str | None = None
    source: str | None = None
    title: str | None = None

    @property
    def label(self) -> str:
        """A short name for lists and headings; the published wording is `text`."""
        return self.title or self.short_name.replace("-", " ").capitalize()

    @property
    def has_closed_answer(self) -> bool:
        """Questions answered on the answer scale (E questions once per aspect)."""
        return self.kind in ("closed", "participation", "principles")


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: str
    questions: tuple[Question, ...]
    preamble: str | None = None


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    type: FieldType
    required: bool
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Register:
    id: str
    question: str
    name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class PrincipleCluster:
    id: str
    name: str


@dataclass(frozen=True)
class Principle:
    id: str
    cluster: str
    name: str


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    meaning: str
    goes_ahead: bool


@dataclass(frozen=True)
class ContextDimension:
    id: str
    label: str
    covers: tuple[str, ...]


@dataclass(frozen=True)
class Criterion:
    id: str
    text: str
    parts: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Lens:
    id: str
    label: str
    prompt: str


@dataclass(frozen=True)
class Framework:
    schema_version: int
    id: str
    version: str
    title: str
    source: Source
    answer_scale: tuple[Choice, ...]
    stages: tuple[Stage, ...]
    sections: tuple[Section, ...]
    registers: tuple[Register, ...]
    aspects: tuple[Choice, ...]
    principle_clusters: tuple[PrincipleCluster, ...]
    principles: tuple[Principle, ...]
    principle_ratings: tuple[Choice, ...]
    decisions: tuple[Decision, ...]
    motivations: tuple[Choice, ...]
    stakeholders: tuple[Choice, ...]
    participation_modes: tuple[Choice, ...]
    context_dimensions: tuple[ContextDimension, ...]
    criteria: tuple[Criterion, ...]
    criterion_ratings: tuple[Choice, ...]
    readiness_dimensions: tuple[Choice, ...]
    lenses: tuple[Lens, ...]
    cultural_characteristics: tuple[Choice, ...]
    principles_source: str | None = None
    criteria_source: str | None = None
    # Lookup tables, derived from the fields above and excluded from equality.
    _questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for question in section.questions:
                self._questions[question.id] = question

    @property
    def key(self) -> str:
        """The `id@version` string every appraisal records."""
        return f"{self.id}@{self.version}"

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question:
        return self._questions[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def register(self, register_id: str) -> Register:
        return next(r for r in self.registers if r.id == register_id)

    def principles_in(self, cluster_id: str) -> tuple[Principle, ...]:
        return tuple(p for p in self.principles if p.cluster == cluster_id)

    def decision(self, decision_id: str) -> Decision:
        return next(d for d in self.decisions if d.id == decision_id)

    def rateable_criteria(self) -> tuple[Criterion, ...]:
        """The criteria rated one by one: D3 is rated through its parts D3a-D3c."""
        return tuple(part for c in self.criteria for part in (c.parts or (c,)))

    def stage(self, stage_id: str) -> Stage:
        return next(s for s in self.stages if s.id == stage_id)

    def label(self, vocabulary: Vocabulary, item_id: str) -> str:
        """This edition's wording for an id stored in the database, such as
        ``label("stages", "inception")``; the id itself if the edition does not have it."""
        items: tuple[Choice | Stage | Decision, ...] = getattr(self, vocabulary)
        for item in items:
            if item.id == item_id:
                return item.label if isinstance(item, Choice) else item.name
        return item_id
