"""Display logic for appraisal pages, kept out of views and templates so it can be tested:
what each page shows, where its links go (by URL name) and what each form holds when it opens."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.template.loader import get_template
from markupsafe import Markup

from trustworthy.core.urls import reverse
from trustworthy.framework import Framework, Question, Register

from . import policy
from .evaluation import EXPECTED_AGAINST_REALISED, UNFORESEEN_KINDS, Kind, headline, kind_of, label
from .models import (
    Answer,
    CriterionRating,
    Decision,
    Lessons,
    Outcome,
    Participation,
    Project,
    RegisterRow,
    UnforeseenItem,
)
from .policy import Change
from .selectors import AppraisalData, EvaluationData, Expectation, evaluation_of
from .services import PROJECT_FIELDS

Status = Literal["completed", "in-progress", "not-started", "to-confirm", "cannot-start", "not-needed"]

STATUS_TEXT: dict[Status, str] = {
    "completed": "Completed",
    "in-progress": "In progress",
    "not-started": "Not started",
    "to-confirm": "Carried forward: confirm or change",
    "cannot-start": "Cannot start yet",
    "not-needed": "Not needed",
}


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    href: str | None
    status: Status
    hint: str = ""

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass(frozen=True)
class TaskGroup:
    title: str
    tasks: tuple[Task, ...]


def question_url(appraisal_id: int, question_id: str) -> str:
    return reverse("appraisal-question", args=[appraisal_id, question_id])


def tasks_url(appraisal_id: int) -> str:
    return reverse("appraisal-tasks", args=[appraisal_id])


def participation_question(framework: Framework) -> Question:
    return next(q for q in framework.questions() if q.kind == "participation")


def participation_url(appraisal_id: int, framework: Framework) -> str:
    """Back to the list of who took part, on the participation question's page."""
    return question_url(appraisal_id, participation_question(framework).id) + "#participation"


def question_status(data: AppraisalData, question: Question) -> Status:
    if question.id in data.route.not_applicable:
        return "not-needed"
    if question.id in data.route.pending and not data.has_anything(question.id):
        return "cannot-start"
    if data.carried_forward(question.id):
        return "to-confirm"
    if not data.has_anything(question.id):
        return "not-started"
    return "in-progress" if data.completeness.for_question(question.id) else "completed"


def task_groups(data: AppraisalData) -> list[TaskGroup]:
    groups = []
    for section in data.framework.sections:
        tasks = []
        for question in section.questions:
            status = question_status(data, question)
            href = (
                None
                if status in ("cannot-start", "not-needed")
                else question_url(data.appraisal.pk, question.id)
            )
            hint = ""
            if status == "cannot-start":
                hint = (
                    "Needed only if T1, T2 or T3 is not ‘yes’"
                    if question.id == "T4"
                    else "Needed only if T4 is ‘yes’"
                )
            tasks.append(Task(question.id, f"{question.id}. {question.label}", href, status, hint))
        groups.append(TaskGroup(f"{section.number}. {section.title}", tuple(tasks)))
    complete = data.completeness.is_complete
    decision_status: Status = (
        "completed" if data.decision else ("not-started" if complete else "cannot-start")
    )
    groups.append(
        TaskGroup(
            "4. Decision",
            (
                Task(
                    "check",
                    "Check your answers",
                    reverse("appraisal-check", args=[data.appraisal.pk]),
                    "completed" if complete else "in-progress",
                ),
                Task(
                    "decision",
                    "Record the decision",
                    reverse("appraisal-decision", args=[data.appraisal.pk])
                    if complete or data.decision
                    else None,
                    decision_status,
                    "" if complete else "Complete every question first",
                ),
            ),
        )
    )
    return groups


def progress(groups: list[TaskGroup]) -> tuple[int, int]:
    """(completed, total) over the questions that apply."""
    tasks = [t for g in groups[:-1] for t in g.tasks if t.status not in ("not-needed", "cannot-start")]
    return sum(t.status == "completed" for t in tasks), len(tasks)


def next_question_url(data: AppraisalData, question_id: str) -> str:
    """Where "Save and continue" goes: the next question that applies, else the task list."""
    ids = [q.id for q in data.framework.questions()]
    for candidate in ids[ids.index(question_id) + 1 :]:
        status = question_status(data, data.framework.question(candidate))
        if status not in ("not-needed", "cannot-start"):
            return question_url(data.appraisal.pk, candidate)
    return tasks_url(data.appraisal.pk)


def other_aspect_url(data: AppraisalData, question_id: str, aspect: str) -> str | None:
    """After saving one aspect of an E question: the first other aspect not answered yet."""
    for other in data.framework.aspects:
        if other.id != aspect and f"{question_id}:{other.id}" not in data.answers:
            return reverse("appraisal-principles", args=[data.appraisal.pk, question_id, other.id])
    return None


def money(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}".replace(".00", "")


def row_summary(data: AppraisalData, register_id: str, row_data: dict[str, object]) -> list[tuple[str, str]]:
    """Label/value pairs for a register row, with choice ids shown as their labels."""
    register = data.framework.register(register_id)
    out = []
    for f in register.fields:
        value = row_data.get(f.id, "")
        if isinstance(value, list):
            shown = ", ".join(f.choice_label(str(v)) for v in value)
        else:
            shown = f.choice_label(str(value))
        out.append((f.label, shown))
    return out


def register_cards(
    data: AppraisalData, question: Question
) -> list[tuple[RegisterRow, list[tuple[str, str]]]]:
    """The rows a register question lists, each with its summary (worked out once per state)."""
    register = question.register
    if not register:
        return []
    cards: list[tuple[RegisterRow, list[tuple[str, str]]]] = data.once(
        ("register cards", register),
        lambda: [(row, row_summary(data, register, row.data)) for row in data.rows.get(register, [])],
    )
    return cards


def all_register_cards(data: AppraisalData) -> dict[str, list[tuple[RegisterRow, list[tuple[str, str]]]]]:
    return {
        r.id: [(row, row_summary(data, r.id, row.data)) for row in data.rows.get(r.id, [])]
        for r in data.framework.registers
    }


# --- parts of pages that show only what the appraisal records --------------------------------


def content_html(
    data: AppraisalData, template_name: str, context: Callable[[], dict[str, Any]] = dict
) -> Markup:
    """A part of a page rendered from the appraisal's content alone, once for each state of it
    (see `selectors.page_data`). The template sees `data`, `framework`, `appraisal_id` and
    what `context()` gives, which must come from the content too: never from the person
    looking, their role or the request, and no forms (they carry the request's CSRF token)."""

    def render() -> Markup:
        values = {"data": data, "framework": data.framework, "appraisal_id": data.appraisal.pk}
        return Markup(get_template(template_name).render(values | context()))

    return data.once(("html", template_name), render)


def task_list_content(data: AppraisalData) -> Markup:
    return content_html(data, "appraisals/_task_list_content.html", lambda: {"groups": _groups(data)})


def check_answers_content(data: AppraisalData) -> Markup:
    return content_html(
        data, "appraisals/_check_answers_content.html", lambda: {"registers": all_register_cards(data)}
    )


# --- what every appraisal page shows ---------------------------------------------------------


def appraisal_page(data: AppraisalData, role: str | None, **extra: Any) -> dict[str, Any]:
    """The context every appraisal page shares: what it is, and what this person may change."""
    status = data.appraisal.status
    return {
        "appraisal": data.appraisal,
        "project": data.appraisal.project,
        "data": data,
        "framework": data.framework,
        "can_answer": policy.may(role, status, Change.ANSWER),
        "can_decide": policy.may(role, status, Change.DECISION),
        "comments_open": policy.may(role, status, Change.COMMENT),
        **extra,
    }


def _groups(data: AppraisalData) -> list[TaskGroup]:
    groups: list[TaskGroup] = data.once("task groups", lambda: task_groups(data))
    return groups


def tasks_page(data: AppraisalData, role: str | None) -> dict[str, Any]:
    appraisal = data.appraisal
    groups = _groups(data)
    done, total = progress(groups)
    return appraisal_page(
        data,
        role,
        groups=groups,
        done=done,
        total=total,
        content=task_list_content(data),
        title=f"{appraisal.project.title}: {appraisal.stage_name}",
        steps=policy.available_transitions(appraisal.status, role),
        can_new_version=policy.may(role, appraisal.status, Change.NEW_VERSION),
        can_review=policy.may(role, appraisal.status, Change.REVIEW),
        evaluation_tasks=_evaluation_tasks(appraisal),
    )


def _evaluation_tasks(appraisal: Any) -> TaskGroup | None:
    """At the evaluation stage, what happened against what was expected. Read on each request,
    not kept with the content: it depends on the approved stage too."""
    evaluation = evaluation_of(appraisal)
    return None if evaluation is None else evaluation_tasks(evaluation)


def register_title(register: Register, row: RegisterRow | None) -> str:
    return f"{'Change' if row else 'Add to'} {register.name.lower()}"


def aspect_page(framework: Framework, question: Question, aspect: str) -> dict[str, Any]:
    """One aspect (the process, or the innovation itself) of an E question."""
    label = next(a.label for a in framework.aspects if a.id == aspect)
    return {
        "question": question,
        "aspect": aspect,
        "aspect_label": label,
        "title": f"{question.label}: {label.lower()}",
    }


# --- what each form holds when it opens ------------------------------------------------------


def project_initial(project: Project) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(project, name) for name in PROJECT_FIELDS}
    initial["version"] = project.lock_version
    motivations = list(project.motivations.all())
    initial["motivations"] = [m.motivation for m in motivations]
    initial["primary_motivation"] = next((m.motivation for m in motivations if m.is_primary), None)
    for m in motivations:
        initial[f"explain_{m.motivation}"] = m.explanation
    return initial


def answer_initial(answer: Answer | None) -> dict[str, Any]:
    if answer is None:
        return {"version": 0}
    return {
        "version": answer.lock_version,
        "value": answer.value,
        "rationale": answer.rationale,
        "evidence": answer.evidence,
    }


def principles_initial(data: AppraisalData, question: Question, aspect: str) -> dict[str, Any]:
    answer = data.answers.get(f"{question.id}:{aspect}")
    initial: dict[str, Any] = {"version": answer.lock_version if answer else 0}
    if answer:
        initial |= {"value": answer.value, "rationale": answer.rationale}
    for principle in data.framework.principles_in(question.cluster or ""):
        rating = data.ratings.get((aspect, principle.id))
        if rating:
            initial |= {f"rating_{principle.id}": rating.rating, f"note_{principle.id}": rating.note}
    return initial


def participation_initial(record: Participation | None) -> dict[str, Any]:
    if record is None:
        return {"version": 0}
    return {
        "version": record.lock_version,
        "mode": record.mode,
        "reason": record.reason,
        "summary": record.summary,
    }


def row_initial(row: RegisterRow | None) -> dict[str, Any]:
    if row is None:
        return {"version": 0}
    return {k: (str(v) if isinstance(v, int) else v) for k, v in row.data.items()} | {
        "version": row.lock_version
    }


def decision_initial(
    decision: Decision | None, accountable_person: str, today: datetime.date
) -> dict[str, Any]:
    if decision is None:
        return {"accountable_person": accountable_person, "decided_on": today, "version": 0}
    return {
        "decision": decision.decision,
        "reasoning": decision.reasoning,
        "departure_reason": decision.departure_reason,
        "accountable_person": decision.accountable_person,
        "decided_on": decision.decided_on,
        "version": decision.lock_version,
    }


def criteria_initial(ratings: Iterable[CriterionRating]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for rating in ratings:
        initial |= {
            f"rating_{rating.criterion_id}": rating.rating,
            f"note_{rating.criterion_id}": rating.note,
        }
    return initial


# --- post hoc evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectationCard:
    """One benefit or risk of the approved stage as the evaluation pages show it."""

    row_id: int
    kind: Kind
    headline: str
    expected: list[tuple[str, str]]
    result: str | None
    result_label: str
    evidence: str
    handling: str
    href: str

    @property
    def recorded(self) -> bool:
        return self.result is not None


def _expected(register: Register, row: RegisterRow) -> list[tuple[str, str]]:
    """Label/value pairs of an approved row, as it was approved, with a risk's score."""
    pairs = []
    for f in register.fields:
        value = row.data.get(f.id, "")
        values = value if isinstance(value, list) else [value]
        pairs.append((f.label, ", ".join(f.choice_label(str(v)) for v in values)))
    if row.risk_score is not None:
        pairs.append(("Score (likelihood × severity)", str(row.risk_score)))
    return pairs


def expectation_card(evaluation: EvaluationData, expectation: Expectation) -> ExpectationCard:
    framework = evaluation.baseline_framework
    assert framework is not None
    row = expectation.row
    register = framework.register(row.register)
    kind = kind_of(framework, row.register)
    assert kind is not None
    outcome = expectation.outcome
    return ExpectationCard(
        row_id=row.pk,
        kind=kind,
        headline=headline(register, row.data),
        expected=_expected(register, row),
        result=outcome.result if outcome else None,
        result_label=kind.result_label(outcome.result if outcome else None),
        evidence=outcome.evidence if outcome else "",
        handling=outcome.handling if outcome else "",
        href=reverse("evaluation-outcome", args=[evaluation.appraisal.pk, row.pk]),
    )  # fmt: skip


def expectation_cards(evaluation: EvaluationData) -> dict[str, list[ExpectationCard]]:
    return {
        "benefits": [expectation_card(evaluation, e) for e in evaluation.benefits],
        "risks": [expectation_card(evaluation, e) for e in evaluation.risks],
    }


def unforeseen_label(kind: str) -> str:
    return label(UNFORESEEN_KINDS, kind)


def evaluation_page(evaluation: EvaluationData, role: str | None, **extra: Any) -> dict[str, Any]:
    """The evaluation page and the comparison page: what was expected, and what happened."""
    appraisal = evaluation.appraisal
    baseline = evaluation.baseline
    return {
        "appraisal": appraisal,
        "project": appraisal.project,
        "evaluation": evaluation,
        "baseline": baseline,
        "cards": expectation_cards(evaluation) if baseline is not None else {"benefits": [], "risks": []},
        "unforeseen": [(item, unforeseen_label(item.kind)) for item in evaluation.unforeseen],
        "lessons": evaluation.lessons.text if evaluation.lessons else "",
        "can_change": policy.may(role, appraisal.status, Change.OUTCOME),
        "refusal": policy.refusal(appraisal.status, Change.OUTCOME),
        "heading": EXPECTED_AGAINST_REALISED,
        **extra,
    }


def evaluation_tasks(evaluation: EvaluationData) -> TaskGroup:
    """The task list's group for an evaluation: what happened, what nobody expected, lessons."""
    pk = evaluation.appraisal.pk
    expected = len(evaluation.expectations)
    recorded = evaluation.recorded
    status: Status
    if evaluation.baseline is None:
        status, hint = "cannot-start", "No earlier stage of this project has been approved yet"
    else:
        status = "completed" if recorded == expected else ("in-progress" if recorded else "not-started")
        hint = f"{recorded} of {expected} benefits and risks recorded"
    return TaskGroup(
        "Post hoc evaluation: what happened",
        (
            Task(
                "evaluation",
                "What happened to the benefits and risks expected",
                reverse("evaluation", args=[pk]),
                status,
                hint,
            ),
            Task(
                "lessons",
                "Lessons for others",
                reverse("evaluation-lessons", args=[pk]),
                "completed" if evaluation.lessons and evaluation.lessons.text else "not-started",
            ),
            Task(
                "compare",
                EXPECTED_AGAINST_REALISED,
                reverse("evaluation-compare", args=[pk]),
                "completed" if status == "completed" else "in-progress",
            ),
        ),
    )


def outcome_initial(outcome: Outcome | None) -> dict[str, Any]:
    if outcome is None:
        return {"version": 0}
    return {
        "version": outcome.lock_version,
        "result": outcome.result,
        "evidence": outcome.evidence,
        "handling": outcome.handling,
    }


def unforeseen_initial(item: UnforeseenItem | None) -> dict[str, Any]:
    if item is None:
        return {"version": 0}
    return {
        "version": item.lock_version,
        "kind": item.kind,
        "description": item.description,
        "who_affected": item.who_affected,
        "handling": item.handling,
    }


def lessons_initial(lessons: Lessons | None) -> dict[str, Any]:
    return {"version": lessons.lock_version, "text": lessons.text} if lessons else {"version": 0}
