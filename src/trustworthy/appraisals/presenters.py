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
from .models import Answer, CriterionRating, Decision, Participation, Project, RegisterRow
from .policy import Change
from .selectors import AppraisalData
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
    )


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
