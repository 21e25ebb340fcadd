"""What is still to do before an appraisal is complete.

An appraisal is complete when every question that applies has an answer and a written
rationale: closed questions on the answer scale, register questions with at least one row,
E questions for both the process and the innovation with every principle of their cluster
rated, and P4 with a participation record for every stakeholder group. Section 3 follows
the route: questions the route marks not applicable are not required.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .model import Framework, Question
from .route import ROUTE_QUESTIONS, compute_route

__all__ = ["AnswerState", "AppraisalState", "Completeness", "Gap", "check_completeness"]

GapKind = Literal[
    "unanswered",
    "no-rationale",
    "no-rows",
    "principle-unrated",
    "principle-note-missing",
    "participation-missing",
    "participation-reason-missing",
]


@dataclass(frozen=True)
class AnswerState:
    """One answer: a value on the answer scale (None for open or register questions)."""

    value: str | None = None
    rationale: str = ""


@dataclass(frozen=True)
class AppraisalState:
    """Everything completeness looks at, in plain values.

    ``answers`` is keyed by question id, or ``"E1:process"`` style keys for the aspects of
    E questions. ``principle_ratings`` is keyed by ``(aspect, principle id)`` and holds
    ``(rating, note)``. ``participation`` is keyed by stakeholder id and holds
    ``(mode, reason)``.
    """

    answers: Mapping[str, AnswerState] = field(default_factory=dict)
    register_rows: Mapping[str, int] = field(default_factory=dict)
    principle_ratings: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    participation: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    open_risk_score: int | None = None


@dataclass(frozen=True)
class Gap:
    question_id: str
    kind: GapKind
    part: str | None = None  # an aspect, principle or stakeholder id


@dataclass(frozen=True)
class Completeness:
    gaps: tuple[Gap, ...]

    @property
    def is_complete(self) -> bool:
        return not self.gaps

    @property
    def unanswered(self) -> tuple[str, ...]:
        return _unique(g.question_id for g in self.gaps if g.kind != "no-rationale")

    @property
    def missing_rationale(self) -> tuple[str, ...]:
        return _unique(g.question_id for g in self.gaps if g.kind == "no-rationale")

    def for_question(self, question_id: str) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.question_id == question_id)


def _unique(ids: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))  # type: ignore[call-overload]


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def check_completeness(
    framework: Framework, state: AppraisalState, questions: Collection[str] | None = None
) -> Completeness:
    """`questions`: the ids the appraisal's route asks (see `screening.route_questions`);
    None for every question of the edition (the full route)."""
    route = compute_route(
        {q: a.value for q, a in state.answers.items() if q in ROUTE_QUESTIONS},
        state.open_risk_score,
    )
    gaps: list[Gap] = []
    for question in framework.questions():
        if questions is not None and question.id not in questions:
            continue  # not asked on this appraisal's route
        if question.id in ROUTE_QUESTIONS:
            if question.id in route.not_applicable:
                continue
            # T4/T5 are not required while whether they apply waits on earlier answers.
            if question.id in route.pending and question.id not in state.answers:
                continue
        gaps.extend(_question_gaps(framework, question, state))
    return Completeness(tuple(gaps))


def _answer_gaps(question_id: str, answer: AnswerState | None, part: str | None, closed: bool) -> list[Gap]:
    if answer is None or (closed and answer.value is None):
        return [Gap(question_id, "unanswered", part)]
    if not _has_text(answer.rationale):
        return [Gap(question_id, "no-rationale", part)]
    return []


def _question_gaps(framework: Framework, question: Question, state: AppraisalState) -> list[Gap]:
    qid = question.id
    if question.kind == "principles":
        gaps: list[Gap] = []
        for aspect in framework.aspects:
            gaps += _answer_gaps(qid, state.answers.get(f"{qid}:{aspect.id}"), aspect.id, closed=True)
            for principle in framework.principles_in(question.cluster or ""):
                rating = state.principle_ratings.get((aspect.id, principle.id))
                part = f"{aspect.id}:{principle.id}"
                if rating is None or not rating[0]:
                    gaps.append(Gap(qid, "principle-unrated", part))
                elif _note_required(framework, rating[0]) and not _has_text(rating[1]):
                    gaps.append(Gap(qid, "principle-note-missing", part))
        return gaps

    answer = state.answers.get(qid)
    if question.kind == "register":
        gaps = []
        if state.register_rows.get(qid, 0) == 0:
            gaps.append(Gap(qid, "no-rows"))
        if answer is None or not _has_text(answer.rationale):
            gaps.append(Gap(qid, "no-rationale"))
        return gaps

    gaps = _answer_gaps(qid, answer, None, closed=question.has_closed_answer)
    if question.kind == "participation":
        for stakeholder in framework.stakeholders:
            record = state.participation.get(stakeholder.id)
            if record is None or not record[0]:
                gaps.append(Gap(qid, "participation-missing", stakeholder.id))
            elif _reason_required(framework, record[0]) and not _has_text(record[1]):
                gaps.append(Gap(qid, "participation-reason-missing", stakeholder.id))
    return gaps


def _note_required(framework: Framework, rating: str) -> bool:
    return any(r.id == rating and r.note_required for r in framework.principle_ratings)


def _reason_required(framework: Framework, mode: str) -> bool:
    return any(m.id == mode and m.reason_required for m in framework.participation_modes)
