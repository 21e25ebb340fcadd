"""A typed, immutable model of one edition of the framework.

Instances are built only by :mod:`trustworthy.framework.loader`, after the file has been
validated, so the constructors here trust their input. Everything is frozen and uses
tuples, so two loads of the same file compare equal and a model can be shared freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Choice",
    "ContextDimension",
    "Criterion",
    "Decision",
    "Field",
    "Framework",
    "Guidance",
    "Lens",
    "LightRoute",
    "Principle",
    "PrincipleCluster",
    "Question",
    "QuestionKind",
    "Register",
    "Screening",
    "ScreeningOption",
    "ScreeningQuestion",
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
    # Derived once, excluded from equality: each choice's label by its id.
    _choice_labels: dict[str, str] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # In reverse, so that the first of a repeated id wins, as in a search.
        self._choice_labels.update((c.id, c.label) for c in reversed(self.choices))

    def choice_label(self, value: str) -> str:
        """The label of the choice with this id; the value itself if there is none."""
        return self._choice_labels.get(value, value)


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
class ScreeningOption:
    """One answer to a screening question; `reason` says in plain words why it flags a risk."""

    id: str
    label: str
    flags_risk: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class ScreeningQuestion:
    id: str
    text: str
    options: tuple[ScreeningOption, ...]
    hint: str | None = None

    def option(self, option_id: str) -> ScreeningOption | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class LightRoute:
    """The subset of questions a light appraisal answers (see `framework.screening`)."""

    description: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Screening:
    intro: str
    questions: tuple[ScreeningQuestion, ...]
    light_route: LightRoute

    def question(self, question_id: str) -> ScreeningQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


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
    # An edition without a screening offers only the full route.
    screening: Screening | None = None
    # Wording in other languages (Welsh: "cy"), as in the file: language, then vocabulary
    # ("questions", "stages", "decisions", ...), then id, then the words (for a question,
    # {"title": ..., "text": ...}). The English above is the published source: whatever is
    # not translated is shown in English. Not part of equality: the same framework.
    translations: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, compare=False)
    # Lookup tables, derived from the fields above and excluded from equality.
    _questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)
    _sections: dict[str, Section] = field(init=False, default_factory=dict, compare=False, repr=False)
    _registers: dict[str, Register] = field(init=False, default_factory=dict, compare=False, repr=False)
    _decisions: dict[str, Decision] = field(init=False, default_factory=dict, compare=False, repr=False)
    _stages: dict[str, Stage] = field(init=False, default_factory=dict, compare=False, repr=False)
    _principles_in: dict[str, tuple[Principle, ...]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )
    _labels: dict[str, dict[str, str]] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for question in section.questions:
                self._questions[question.id] = question
        # In reverse, so that the first of a repeated id wins, as in the searches these replace.
        self._sections.update((s.id, s) for s in reversed(self.sections))
        self._registers.update((r.id, r) for r in reversed(self.registers))
        self._decisions.update((d.id, d) for d in reversed(self.decisions))
        self._stages.update((s.id, s) for s in reversed(self.stages))
        for principle in self.principles:
            cluster = self._principles_in.get(principle.cluster, ())
            self._principles_in[principle.cluster] = (*cluster, principle)

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

    # The lookups below read tables built once; an id the edition does not have raises
    # StopIteration, as the searches they replace did.

    def section(self, section_id: str) -> Section:
        found = self._sections.get(section_id)
        return found or next(s for s in self.sections if s.id == section_id)

    def register(self, register_id: str) -> Register:
        found = self._registers.get(register_id)
        return found or next(r for r in self.registers if r.id == register_id)

    def principles_in(self, cluster_id: str) -> tuple[Principle, ...]:
        return self._principles_in.get(cluster_id, ())

    def decision(self, decision_id: str) -> Decision:
        found = self._decisions.get(decision_id)
        return found or next(d for d in self.decisions if d.id == decision_id)

    def rateable_criteria(self) -> tuple[Criterion, ...]:
        """The criteria rated one by one: D3 is rated through its parts D3a-D3c."""
        return tuple(part for c in self.criteria for part in (c.parts or (c,)))

    def stage(self, stage_id: str) -> Stage:
        found = self._stages.get(stage_id)
        return found or next(s for s in self.stages if s.id == stage_id)

    def translated(
        self, vocabulary: str, item_id: str, language: str | None, part: str = "title"
    ) -> str | None:
        """The wording of `item_id` in `language` (`part` of a question: "title" or "text"),
        or None if the edition has none."""
        if not language:
            return None
        entry = self.translations.get(language, {}).get(vocabulary, {}).get(item_id)
        if isinstance(entry, dict):
            entry = entry.get(part)
        return entry if isinstance(entry, str) else None

    def question_label(self, question_id: str, language: str | None = None) -> str:
        """A question's short title, in `language` when the edition has it."""
        return self.translated("questions", question_id, language) or self.question(question_id).label

    def question_text(self, question_id: str, language: str | None = None) -> str:
        """A question's full wording, in `language` when the edition has it."""
        return self.translated("questions", question_id, language, "text") or self.question(question_id).text

    def section_title(self, section_id: str, language: str | None = None) -> str:
        return self.translated("sections", section_id, language) or self.section(section_id).title

    def label(self, vocabulary: Vocabulary, item_id: str, language: str | None = None) -> str:
        """This edition's wording for an id stored in the database, such as
        ``label("stages", "inception")``; the id itself if the edition does not have it;
        in `language` (``"cy"``) when the edition has it in that language."""
        found = self.translated(vocabulary, item_id, language)
        if found is not None:
            return found
        labels = self._labels.get(vocabulary)
        if labels is None:
            items: tuple[Choice | Stage | Decision, ...] = getattr(self, vocabulary)
            labels = {  # in reverse: the first of a repeated id wins, as in a search
                item.id: item.label if isinstance(item, Choice) else item.name for item in reversed(items)
            }
            self._labels[vocabulary] = labels
        return labels.get(item_id, item_id)
