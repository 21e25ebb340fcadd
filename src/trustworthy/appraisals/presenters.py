"""Display logic for appraisal pages, kept out of views and templates so it can be tested:
what each page shows, where its links go (by URL name) and what each form holds when it opens."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.template.loader import get_template
from markupsafe import Markup

from trustworthy.core.urls import reverse
from trustworthy.framework import HIGH_RISK_SCORE, Framework, Question, Register, is_departure

from . import editions, extensions, policy, readiness, selectors, services, weighing
from .evaluation import (
    EXPECTED_AGAINST_REALISED,
    UNFORESEEN_KINDS,
    Kind,
    evaluation_completeness,
    headline,
    is_evaluation,
    kind_of,
    label,
)
from .models import (
    Answer,
    Appraisal,
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
from .screening import route_choice
from .selectors import AppraisalData, EvaluationData, Expectation, evaluation_of
from .services import PROJECT_FIELDS
from .weighing import ChangesRequest, ClusterAtRisk, GroupLeftOut, OpenComment, OpenRisk, ReadinessGap

Status = Literal[
    "completed", "in-progress", "not-started", "to-confirm", "cannot-start", "not-needed", "changes-requested"
]

STATUS_TEXT: dict[Status, str] = {
    "completed": "Completed",
    "changes-requested": "Changes requested",
    "in-progress": "In progress",
    "not-started": "Not started",
    "to-confirm": "Carried forward: confirm or change",
    "cannot-start": "Cannot start yet",
    "not-needed": "Not needed",
}


# The colour of the appraisal's status, wherever it is shown as a tag.
STATUS_TAGS = {
    policy.APPROVED: "govuk-tag--green",
    policy.CHANGES_REQUESTED: "govuk-tag--orange",
    policy.WITHDRAWN: "govuk-tag--grey",
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
    if question.id in data.route.not_applicable or not data.asks(question.id):
        return "not-needed"
    if question.id in data.route.pending and not data.has_anything(question.id):
        return "cannot-start"
    asked = changes_asked(data)
    if asked is not None and question.id in asked.still_to_change:
        return "changes-requested"
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
            elif status == "not-needed" and not data.asks(question.id):
                hint = "Not asked on the light route"
            elif status == "changes-requested" and (asked := changes_asked(data)) is not None:
                hint = "; ".join(asked.why[question.id])
            tasks.append(Task(question.id, f"{question.id}. {question.label}", href, status, hint))
        groups.append(TaskGroup(f"{section.number}. {section.title}", tuple(tasks)))
    groups.append(decision_group(data, can_decide=True))
    return groups


def decision_group(data: AppraisalData, *, can_decide: bool) -> TaskGroup:
    """The task list's last group: checking the answers, then the decision, which only those
    who may record it are asked to record; others are shown what it must weigh."""
    complete = data.completeness.is_complete
    decision_status: Status = (
        "completed" if data.decision else ("not-started" if complete else "cannot-start")
    )
    hint = "" if complete else "Complete every question first"
    if not can_decide and not data.decision:
        hint = "An approver records it" + ("" if complete else ", once every question is complete")
    return TaskGroup(
        f"{max(s.number for s in data.framework.sections) + 1}. Decision",  # after any local questions
        (
            Task(
                "check",
                "Check your answers",
                reverse("appraisal-check", args=[data.appraisal.pk]),
                "completed" if complete else "in-progress",
            ),
            Task(
                "decision",
                "Record the decision" if can_decide else "The decision and what it must weigh",
                reverse("appraisal-decision", args=[data.appraisal.pk])
                if complete or data.decision
                else None,
                decision_status,
                hint,
            ),
        ),
    )


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


def pounds(value: Decimal | str | None) -> str:
    """An amount as people write it: "250,000", or "250,000.50" when there are pence.

    The decision record shows amounts through this too: a change to how they look needs
    `reports/files.py` RENDERER raised, so records already drawn are drawn again."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def money(value: Decimal | str | None) -> str:
    """An amount of money wherever it is shown: "£250,000", or "£250,000.50"; "" for none."""
    shown = pounds(value)
    return f"£{shown}" if shown else ""


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
    """Everything on the task list but its last group (the decision), which depends on who looks."""
    return content_html(data, "appraisals/_task_list_content.html", lambda: {"groups": _groups(data)[:-1]})


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
    offers = step_offers(data, role)
    return appraisal_page(
        data,
        role,
        groups=groups,
        done=done,
        total=total,
        content=task_list_content(data),
        decision_group=decision_group(data, can_decide=policy.may(role, appraisal.status, Change.DECISION)),
        status_tag=STATUS_TAGS.get(appraisal.status, ""),
        title=f"{appraisal.project.title}: {appraisal.stage_name}",
        steps=[o for o in offers if o.ready and o.step.change is not Change.WITHDRAW],
        blocked_steps=[o for o in offers if not o.ready],
        withdraw=next((o for o in offers if o.step.change is Change.WITHDRAW), None),
        changes=changes_asked(data),
        can_new_version=policy.may(role, appraisal.status, Change.NEW_VERSION),
        can_review=policy.may(role, appraisal.status, Change.REVIEW),
        evaluation_tasks=_evaluation_tasks(appraisal),
        readiness_tasks=readiness.task_group(data),
        compare_previous=compare_previous(appraisal),
        route_choice=route_choice(appraisal, role),
        newer_edition=editions.move_offer(appraisal, role),
    )


def compare_previous(appraisal: Appraisal) -> dict[str, str] | None:
    """The link to what changed since the appraisal this one carried forward from: the
    previous version of this stage, or the previous stage."""
    previous = appraisal.previous if appraisal.previous_id else None
    if previous is None:
        return None
    if previous.stage == appraisal.stage:
        text = f"What changed since version {previous.version}"
    else:
        text = f"Compare with the previous stage: what changed since the {previous.stage_name} appraisal"
    return {"url": reverse("appraisal-changes", args=[appraisal.pk]), "text": text}


# --- the review workflow on the task list -----------------------------------------------------


@dataclass(frozen=True)
class StepWords:
    """What a step of the workflow does, said before anyone takes it, and what it asks."""

    does: str
    reason_label: str
    button: str
    destructive: bool = False


STEP_WORDS: dict[Change, StepWords] = {
    Change.SUBMIT: StepWords(
        "Reviewers and approvers will be emailed. "
        "You cannot change answers while the appraisal is in review.",
        "Note (optional)",
        "Submit for review",
    ),
    Change.REQUEST_CHANGES: StepWords(
        "The appraisal goes back to its lead, who is emailed and can change the answers again. "
        "Your reason and every reviewer’s verdicts are shown on its task list, and the questions "
        "it is about are marked “Changes requested” until they are changed.",
        "Why?",
        "Request changes",
    ),
    Change.APPROVE: StepWords(
        "Signing approves the decision and locks the appraisal. Nobody can change it afterwards; "
        "a change will need a new version with a reason.",
        "Note (optional)",
        "Approve and sign the decision",
    ),
    Change.WITHDRAW: StepWords(
        "Withdrawing stops this appraisal for good: nobody can change it, review it or record a "
        "decision on it afterwards, and any consultation still open closes and stops taking "
        "responses. It is kept, with your reason, in the project’s history, and actions already "
        "agreed can still be followed up.",
        "Why are you withdrawing this appraisal?",
        "Withdraw this appraisal",
        destructive=True,
    ),
}


@dataclass(frozen=True)
class StepOffer:
    """A step of the workflow this person may take now, and what stands in its way (if anything)."""

    step: policy.Transition
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def words(self) -> StepWords:
        return STEP_WORDS[self.step.change]

    @property
    def secondary(self) -> bool:
        """Sending it back is offered beside the main step, not as it."""
        return self.step.change is Change.REQUEST_CHANGES


def step_offers(data: AppraisalData, role: str | None) -> list[StepOffer]:
    """The steps the change policy lets this person take at this status, each with what still
    stands in its way: a step that cannot be taken yet is not offered as a button, and the
    page says what is missing instead."""
    appraisal = data.appraisal
    return [
        StepOffer(step, tuple(extensions.step_problems(appraisal, step.name, data)))
        for step in policy.available_transitions(appraisal.status, role)
    ]


@dataclass(frozen=True)
class AskedToChange:
    """The latest request for changes, and the questions it is about (in the framework's
    order, with why), for the task list while the appraisal waits for the changes."""

    request: ChangesRequest
    why: dict[str, list[str]]
    changed: frozenset[str]
    questions: tuple[tuple[Question, str], ...]  # each question asked about, and its link
    open_comments: int

    @property
    def still_to_change(self) -> frozenset[str]:
        return frozenset(self.why) - self.changed


def changes_asked(data: AppraisalData) -> AskedToChange | None:
    """While changes are requested: the request and what it is about (read once for each state
    of the appraisal: four queries). None at any other status."""

    def work() -> AskedToChange | None:
        appraisal = data.appraisal
        if appraisal.status != policy.CHANGES_REQUESTED:
            return None
        request = extensions.changes_request(appraisal)
        if request is None:
            return None
        comments = open_comments(data)
        rows = {row.pk: register for register, found in data.rows.items() for row in found}
        why = weighing.asked_to_change(data.framework, request, comments, rows)
        changed = selectors.changed_since_changes_requested(appraisal, data.framework)
        questions = tuple(
            (data.framework.question(q), question_url(appraisal.pk, q))
            for q in why
            if q not in data.route.not_applicable
        )
        return AskedToChange(request, why, changed, questions, len(comments))

    asked: AskedToChange | None = data.once("changes asked", work)
    return asked


def open_comments(data: AppraisalData) -> list[OpenComment]:
    comments: list[OpenComment] = data.once("open comments", lambda: extensions.open_comments(data.appraisal))
    return comments


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


def stage_to_start(
    project: Project, stages_left: Sequence[tuple[str, str]], framework: Framework
) -> str | None:
    """The stage the start page offers first: the project's current stage, if it has no
    appraisal yet; otherwise the stage after the furthest one signed, if it has none."""
    left = [stage_id for stage_id, _ in stages_left]
    if project.current_stage in left:
        return project.current_stage
    order = [s.id for s in framework.stages if not is_evaluation(s.id)]
    signed = set(project.appraisals.filter(status=policy.APPROVED).values_list("stage", flat=True))
    furthest = max((order.index(s) for s in signed if s in order), default=None)
    if furthest is None or furthest + 1 >= len(order):
        return None
    following = order[furthest + 1]
    return following if following in left else None


def stage_hints(
    project: Project, stages_left: Sequence[tuple[str, str]], framework: Framework
) -> dict[str, str]:
    """For each stage that would start out of the framework's order, why, and that it needs a reason."""
    hints = {}
    for stage_id, _ in stages_left:
        if problem := services.stage_order_problem(project, stage_id, framework):
            hints[stage_id] = f"{problem} You will need to say why you are starting it now."
    return hints


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
        "commitments_answer": decision.commitments_answer,
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
        "cards": expectation_cards(evaluation)
        if evaluation.baseline_framework is not None
        else {"benefits": [], "risks": []},
        "imported": baseline is None and bool(evaluation.expectations),
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
    done = evaluation_completeness(evaluation)
    expected, recorded = done.expected, done.recorded
    status: Status
    if evaluation.baseline is None and not expected:
        status, hint = "cannot-start", "No earlier stage of this project has been approved yet"
    else:
        status = "completed" if done.outcomes_done else ("in-progress" if recorded else "not-started")
        hint = f"{recorded} of {expected} benefits and risks recorded"
        if missing := done.without_evidence + done.without_handling:
            hint += f"; {missing} still without the evidence or handling needed"
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
                "completed" if done.has_lessons else "not-started",
            ),
            Task(
                "compare",
                EXPECTED_AGAINST_REALISED,
                reverse("evaluation-compare", args=[pk]),
                "completed" if done.is_complete else "in-progress",
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


# --- what the decision must weigh ---------------------------------------------------------------


@dataclass(frozen=True)
class CommentAt:
    """A comment nobody has resolved, with what it is about and where to read it."""

    comment: OpenComment
    about: str
    href: str


@dataclass(frozen=True)
class Concerns:
    risks: tuple[OpenRisk, ...]
    clusters: tuple[ClusterAtRisk, ...]
    groups: tuple[GroupLeftOut, ...]
    comments: tuple[CommentAt, ...]
    high_risk_score: int = HIGH_RISK_SCORE
    readiness: tuple[ReadinessGap, ...] = ()  # dimensions of readiness not in place, or not assessed

    @property
    def high_risks(self) -> tuple[OpenRisk, ...]:
        return tuple(r for r in self.risks if r.high)

    @property
    def principles_at_risk(self) -> int:
        return sum(len(c.principles) for c in self.clusters)


def _comment_at(data: AppraisalData, comment: OpenComment) -> CommentAt:
    pk, target = data.appraisal.pk, comment.target
    anchor = "#comments-heading-" + target.replace(":", "-")
    if target == "decision":
        return CommentAt(comment, "The decision", reverse("appraisal-decision", args=[pk]) + anchor)
    rows = {row.pk: register for register, found in data.rows.items() for row in found}
    question_id = weighing.comment_question(data.framework, target, rows)
    if question_id is None:
        return CommentAt(comment, target, reverse("appraisal-comments", args=[pk]))
    question = data.framework.question(question_id)
    about = weighing.question_label(question)
    if target.startswith("row:") and question.register:
        about = f"A row of {data.framework.register(question.register).name.lower()} ({question_id})"
    return CommentAt(comment, about, question_url(pk, question_id) + anchor)


def concerns(data: AppraisalData) -> Concerns:
    """What the decision must weigh, worked out once for each state of the appraisal."""

    def work() -> Concerns:
        fw = data.framework
        return Concerns(
            risks=tuple(weighing.open_risks(fw, data.rows)),
            clusters=tuple(weighing.principles_at_risk(fw, data.ratings)),
            groups=tuple(weighing.groups_left_out(fw, data.participation)),
            comments=tuple(_comment_at(data, c) for c in open_comments(data)),
            readiness=tuple(weighing.readiness_gaps(fw, readiness.assessments(data))),
        )

    found: Concerns = data.once("concerns", work)
    return found


def decision_parts(data: AppraisalData, role: str | None) -> dict[str, Any]:
    """What the decision page shows beside the form: the concerns, whether the decision
    recorded departs from the framework, and which decisions would."""
    route = data.route
    decision = data.decision
    can_decide = policy.may(role, data.appraisal.status, Change.DECISION)
    return {
        "title": "Record the decision" if can_decide else "The decision and what it must weigh",
        "concerns": concerns(data),
        "departs": decision is not None and (decision.is_departure or is_departure(decision.decision, route)),
        "departures": [d for d in data.framework.decisions if route.complete and d.id not in route.allowed],
    }
