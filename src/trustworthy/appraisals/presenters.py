"""Display logic for appraisal pages, kept out of views and templates so it can be tested."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from trustworthy.framework import Question

from .selectors import AppraisalData

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
    return f"/appraisals/{appraisal_id}/questions/{question_id}/"


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
                    f"/appraisals/{data.appraisal.pk}/check/",
                    "completed" if complete else "in-progress",
                ),
                Task(
                    "decision",
                    "Record the decision",
                    f"/appraisals/{data.appraisal.pk}/decision/" if complete or data.decision else None,
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
    return f"/appraisals/{data.appraisal.pk}/"


def money(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}".replace(".00", "")


def row_summary(data: AppraisalData, register_id: str, row_data: dict[str, object]) -> list[tuple[str, str]]:
    """Label/value pairs for a register row, with choice ids shown as their labels."""
    register = data.framework.register(register_id)
    out = []
    for f in register.fields:
        value = row_data.get(f.id, "")
        labels = {c.id: c.label for c in f.choices}
        if isinstance(value, list):
            shown = ", ".join(labels.get(str(v), str(v)) for v in value)
        else:
            shown = labels.get(str(value), str(value))
        out.append((f.label, shown))
    return out
