"""Reads about projects and appraisals, always scoped to an organisation.

`load_appraisal` fetches everything one appraisal holds in a fixed number of queries,
however many answers and register rows it has, so every page built on it stays fast.
`page_data` is the same for the appraisal pages, kept between requests in each process
and keyed by the appraisal's audit chain (see there), so an unchanged appraisal costs no
queries beyond the one that found it.
"""

from __future__ import annotations

import copy
import datetime
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

from django.db.models import Count, Exists, Model, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from trustworthy.core.models import AuditEvent
from trustworthy.core.prepared import Prepared
from trustworthy.framework import (
    AnswerState,
    AppraisalState,
    Completeness,
    Framework,
    Question,
    Route,
    check_completeness,
    compute_route,
    open_risk_score,
    risk_register,
    route_questions,
)
from trustworthy.organisations.models import Organisation

from .actions import action_facts
from .evaluation import EVALUATION_STAGE, is_evaluation, kinds
from .frameworks import framework_for
from .models import (
    Answer,
    Appraisal,
    CriterionRating,
    Decision,
    Lessons,
    Outcome,
    Participation,
    PrincipleRating,
    Project,
    RegisterRow,
    UnforeseenItem,
)
from .policy import APPROVED, Change
from .weighing import CONTENT_ACTIONS, changed_questions

T = TypeVar("T")


def projects_for(*, organisation: Organisation) -> QuerySet[Project]:
    return (
        Project.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("appraisals", queryset=Appraisal.objects.order_by("created_at")))
        .order_by("-updated_at")
    )


def project_in(*, organisation_ids: list[int], project_id: int) -> Project:
    """A project the user may see, or 404 exactly as for one that does not exist."""
    return get_object_or_404(
        Project.objects.select_related("organisation").prefetch_related("motivations"),
        pk=project_id,
        organisation_id__in=organisation_ids,
    )


# The signed record (tens of kilobytes of JSON) is read only when checking a signature, so
# it is loaded then rather than decoded on every page; likewise the previous version's.
_appraisal_in: Prepared[Appraisal] = Prepared(
    lambda pk, organisation_ids: (
        Appraisal.objects.select_related(
            "project", "organisation__chosen_edition", "previous", "approved_by", "decision__recorded_by"
        )
        .defer("signed_content", "previous__signed_content", "previous__approved_snapshot")
        .filter(pk=pk, organisation_id__in=organisation_ids)
        .order_by()
    )
)


def appraisal_in(*, organisation_ids: list[int], appraisal_id: int) -> Appraisal:
    """The appraisal with what every page shows beside it, its decision included (one
    query, built once: see `core.prepared`); 404 if it is not in these organisations."""
    found = _appraisal_in(appraisal_id, organisation_ids)
    if not found:
        raise Http404("No Appraisal matches the given query.")
    return found[0]


def criterion_ratings(appraisal: Appraisal) -> list[CriterionRating]:
    return list(CriterionRating.objects.filter(appraisal=appraisal).order_by("criterion_id"))


def appraisals_of(project: Project) -> QuerySet[Appraisal]:
    return project.appraisals.order_by("created_at")


@dataclass
class AppraisalData:
    """Everything recorded in one appraisal, indexed for the pages and the framework rules."""

    appraisal: Appraisal
    framework: Framework
    answers: dict[str, Answer]
    rows: dict[str, list[RegisterRow]]
    ratings: dict[tuple[str, str], PrincipleRating]
    participation: dict[str, Participation]
    decision: Decision | None
    partial: bool = False
    # What pages work out from this content (never from the person looking at it), kept
    # with it: copies made by `page_data` share it, so it is worked out once per state.
    derived: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: Hashable, work: Callable[[], T]) -> T:
        """`work()`, done once for this state of the appraisal's content."""
        try:
            return cast(T, self.derived[key])
        except KeyError:
            value = self.derived[key] = work()
            return value

    def rows_for_question(self, question_id: str) -> list[RegisterRow]:
        register = self.framework.question(question_id).register
        return self.rows.get(register or "", [])

    @property
    def open_risk_score(self) -> int | None:
        return open_risk_score(row.data for row in self.rows.get(risk_register(self.framework), []))

    @cached_property
    def state(self) -> AppraisalState:
        return AppraisalState(
            answers={k: AnswerState(a.value or None, a.rationale) for k, a in self.answers.items()},
            register_rows={r.question: len(self.rows.get(r.id, [])) for r in self.framework.registers},
            principle_ratings={k: (r.rating, r.note) for k, r in self.ratings.items()},
            participation={k: (p.mode, p.reason) for k, p in self.participation.items()},
            open_risk_score=self.open_risk_score,
        )

    @cached_property
    def route(self) -> Route:
        return compute_route({k: a.value for k, a in self.state.answers.items()}, self.open_risk_score)

    @cached_property
    def completeness(self) -> Completeness:
        if self.partial:
            raise RuntimeError("completeness needs the whole appraisal: load it without for_question")
        return check_completeness(self.framework, self.state, self.route_questions)

    @property
    def route_questions(self) -> tuple[str, ...] | None:
        """The question ids the appraisal's route asks (see `appraisals.screening`); None: all."""
        return route_questions(self.framework, self.appraisal.route)

    def asks(self, question_id: str) -> bool:
        """Whether the appraisal's route asks this question (a light route asks fewer)."""
        questions = self.route_questions
        return questions is None or question_id in questions

    def carried_forward(self, question_id: str) -> bool:
        """True while anything of this question copied from the last stage is unconfirmed."""
        question = self.framework.question(question_id)
        if any(a.carried_forward for k, a in self.answers.items() if a.question_id == question_id):
            return True
        if question.register and any(r.carried_forward for r in self.rows.get(question.register, [])):
            return True
        if question.kind == "principles":
            ids = {p.id for p in self.framework.principles_in(question.cluster or "")}
            return any(r.carried_forward for (_, pid), r in self.ratings.items() if pid in ids)
        if question.kind == "participation":
            return any(p.carried_forward for p in self.participation.values())
        return False

    def has_anything(self, question_id: str) -> bool:
        question = self.framework.question(question_id)
        if any(a.question_id == question_id for a in self.answers.values()):
            return True
        if question.register and self.rows.get(question.register):
            return True
        if question.kind == "principles":
            ids = {p.id for p in self.framework.principles_in(question.cluster or "")}
            return any(pid in ids for (_, pid) in self.ratings)
        return question.kind == "participation" and bool(self.participation)


def load_appraisal(
    appraisal: Appraisal, *, for_question: Question | None = None, fetched_decision: bool = False
) -> AppraisalData:
    """At most five queries, whatever the size of the appraisal.

    With `for_question`, only what that question's page shows is loaded (all answers, so
    the route can be shown, and only the register rows, ratings or participation that the
    question has); such partial data refuses to judge completeness. With `fetched_decision`,
    the decision is the one fetched with the appraisal (by `appraisal_in`) if it was.
    """
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    answers = {a.key: a for a in Answer.objects.filter(appraisal=appraisal)}
    load_all = for_question is None
    rows: dict[str, list[RegisterRow]] = defaultdict(list)
    row_query = RegisterRow.objects.filter(appraisal=appraisal).order_by("created_at", "id")
    if for_question is not None:
        wanted = {for_question.register} if for_question.register else set()
        if for_question.section_id == "tests":  # the route needs the open risks
            wanted.add(risk_register(framework))
        row_query = row_query.filter(register__in=wanted) if wanted else row_query.none()
    for row in row_query:
        rows[row.register].append(row)
    ratings = (
        {(r.aspect, r.principle_id): r for r in PrincipleRating.objects.filter(appraisal=appraisal)}
        if load_all or for_question.kind == "principles"  # type: ignore[union-attr]
        else {}
    )
    participation = (
        {p.stakeholder: p for p in Participation.objects.filter(appraisal=appraisal)}
        if load_all or for_question.kind == "participation"  # type: ignore[union-attr]
        else {}
    )
    decision = _decision(appraisal, fetched_decision) if load_all else None
    return AppraisalData(
        appraisal=appraisal,
        framework=framework,
        answers=answers,
        rows=dict(rows),
        ratings=ratings,
        participation=participation,
        decision=decision,
        partial=not load_all,
    )


def _decision(appraisal: Appraisal, fetched: bool) -> Decision | None:
    """The appraisal's decision: if `fetched`, as `appraisal_in` fetched it with the appraisal
    (when it did), else queried."""
    if not (fetched and Appraisal.decision.is_cached(appraisal)):
        return Decision.objects.filter(appraisal=appraisal).select_related("recorded_by").first()
    try:
        return appraisal.decision
    except Decision.DoesNotExist:
        return None


# --- the appraisal pages' cache ------------------------------------------------------------
#
# Every change to an appraisal, or to anything recorded in it (answers, rows, ratings,
# participation, the decision, comments, consultations), goes through `policy.changing`,
# which appends one audit event and moves the appraisal's `audit_count` and `audit_head`
# (the hash of that event) in the same transaction. So the appraisal row a page reads first
# says which state of the content it belongs to, and content read after it is of that state
# or later, never earlier. Each worker process keeps the last state it loaded of the
# appraisals seen most recently; a change made by another process moves the row, and the
# old entry is simply not used again. Names of people shown beside the content (who
# decided, who commented) are set when an account is made and no page changes them.
#
# The objects kept are shared by the requests of a process: pages read them and never
# change them. A change saved in this process without the gate (a test, a shell) drops the
# entry as well.

PAGE_CACHE_SIZE = 32
_page_cache: OrderedDict[int, tuple[tuple[Any, ...], AppraisalData]] = OrderedDict()
_page_cache_lock = threading.Lock()


def content_state(appraisal: Appraisal) -> tuple[Any, ...]:
    return (
        appraisal.created_at,
        appraisal.audit_count,
        appraisal.audit_head,
        appraisal.framework_id,
        appraisal.framework_version,
    )


def page_data(appraisal: Appraisal) -> AppraisalData:
    """`load_appraisal(appraisal)` for a page (outside any transaction), from the process's
    cache when the appraisal has not changed since it was loaded: no queries at all then.

    The route, completeness and state are worked out once per state and shared."""
    state = content_state(appraisal)
    with _page_cache_lock:
        entry = _page_cache.get(appraisal.pk)
        if entry is not None and entry[0] == state:
            _page_cache.move_to_end(appraisal.pk)
            shared = entry[1]
        else:
            shared = None
    if shared is None:
        shared = load_appraisal(appraisal, fetched_decision=True)
        shared.route, shared.completeness  # noqa: B018 -- worked out once, shared by every copy
        with _page_cache_lock:
            _page_cache[appraisal.pk] = (state, shared)
            _page_cache.move_to_end(appraisal.pk)
            while len(_page_cache) > PAGE_CACHE_SIZE:
                _page_cache.popitem(last=False)
    data = copy.copy(shared)  # keeps the worked-out properties
    data.appraisal = appraisal
    if Appraisal.decision.is_cached(appraisal):
        data.decision = _decision(appraisal, fetched=True)
    return data


def forget_page_data(appraisal_id: int | None = None) -> None:
    """Drop what `page_data` keeps for one appraisal, or for all."""
    with _page_cache_lock:
        if appraisal_id is None:
            _page_cache.clear()
        else:
            _page_cache.pop(appraisal_id, None)


def _forget_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    appraisal_id = instance.pk if isinstance(instance, Appraisal) else instance.appraisal_id
    if appraisal_id is not None:
        forget_page_data(appraisal_id)


_CONTENT = (Answer, RegisterRow, PrincipleRating, Participation, Decision, Appraisal)
for _model in (*_CONTENT, Outcome, UnforeseenItem, Lessons):
    post_save.connect(_forget_changed, sender=_model, dispatch_uid=f"page-data-{_model.__name__}")
    post_delete.connect(_forget_changed, sender=_model, dispatch_uid=f"page-data-del-{_model.__name__}")


SNAPSHOT_PROJECT_FIELDS = (
    "title", "summary", "problem", "target_cohort", "context_organisational", "context_local",
    "context_national", "funding_source", "funding_amount", "accountable_person",
)  # fmt: skip


def _person(user: object | None) -> str | None:
    if user is None:
        return None
    return getattr(user, "full_name", "") or getattr(user, "email", "")


def context_snapshot(appraisal: Appraisal) -> dict[str, object]:
    """What an appraisal's record shows from outside the appraisal, as it stands now: the
    project's details, the organisation's name and the names of the people who decided,
    and its actions (which change after approval, as follow-through goes on). Frozen at
    approval, so editing the project later changes only drafts and new versions."""
    project = appraisal.project
    decision = Decision.objects.select_related("recorded_by").filter(appraisal=appraisal).first()
    return {
        "organisation": appraisal.organisation.name,
        "project": {
            **{
                name: None if getattr(project, name) is None else str(getattr(project, name))
                for name in SNAPSHOT_PROJECT_FIELDS
            },
            "motivations": [
                {"id": m.motivation, "explanation": m.explanation, "primary": m.is_primary}
                for m in project.motivations.order_by("motivation")
            ],
        },
        "approved_by": _person(appraisal.approved_by),
        "recorded_by": _person(decision.recorded_by) if decision else None,
        # Actions go on changing after sign-off; the record shows them as they stood.
        "actions": action_facts(appraisal),
    }


def changed_since_changes_requested(appraisal: Appraisal, framework: Framework) -> frozenset[str]:
    """The questions changed since the latest request for changes (one query). The audit
    trail says what changed after that request, removed register rows included."""
    request = (
        AuditEvent.objects.filter(
            appraisal_id=appraisal.pk, action="status.changed", target=Change.REQUEST_CHANGES.value
        )
        .order_by("-sequence")
        .values("sequence")[:1]
    )
    since = AuditEvent.objects.filter(
        appraisal_id=appraisal.pk, action__in=CONTENT_ACTIONS, sequence__gt=Subquery(request)
    )
    return changed_questions(framework, since.values_list("action", "target"))


def due_for_review(today: datetime.date | None = None, organisation_id: int | None = None) -> list[Appraisal]:
    """Approved appraisals whose review date has passed and whose project has not moved on since."""
    today = today or timezone.localdate()
    due = Appraisal.objects.filter(status=APPROVED, review_date__lte=today)
    if organisation_id is not None:
        due = due.filter(organisation_id=organisation_id)
    newer = Appraisal.objects.filter(project_id=OuterRef("project_id"), created_at__gt=OuterRef("created_at"))
    return list(due.exclude(Exists(newer)).select_related("project", "created_by", "approved_by"))


# --- post hoc evaluation ----------------------------------------------------------------------


def evaluation_baseline(appraisal: Appraisal) -> Appraisal | None:
    """The approved appraisal whose expectations a post hoc evaluation is measured against:
    the project's newest approved appraisal of another stage. Once the evaluation is itself
    approved, only appraisals approved before it count, so its signed record never moves."""
    found = Appraisal.objects.filter(project_id=appraisal.project_id, status=APPROVED).exclude(
        stage=EVALUATION_STAGE
    )
    if appraisal.status == APPROVED and appraisal.approved_at is not None:
        found = found.filter(approved_at__lte=appraisal.approved_at)
    return found.defer("signed_content").order_by("-approved_at", "-pk").first()


@dataclass(frozen=True)
class Expectation:
    """One benefit or risk of the approved stage, and what happened to it (None: not recorded)."""

    row: RegisterRow
    outcome: Outcome | None


@dataclass(frozen=True)
class EvaluationData:
    """Everything a post hoc evaluation holds, beside the approved stage it looks back on."""

    appraisal: Appraisal
    baseline: Appraisal | None
    baseline_framework: Framework | None
    benefits: tuple[Expectation, ...]
    risks: tuple[Expectation, ...]
    unforeseen: tuple[UnforeseenItem, ...]
    lessons: Lessons | None

    @property
    def expectations(self) -> tuple[Expectation, ...]:
        return self.benefits + self.risks

    @property
    def recorded(self) -> int:
        return sum(e.outcome is not None for e in self.expectations)

    def expectation(self, row_id: int) -> Expectation | None:
        return next((e for e in self.expectations if e.row.pk == row_id), None)


def evaluation_of(appraisal: Appraisal) -> EvaluationData | None:
    """The evaluation of an `evaluation`-stage appraisal (None at any other stage), in at
    most five queries however many rows it has."""
    if not is_evaluation(appraisal.stage):
        return None
    baseline = evaluation_baseline(appraisal)
    framework = baseline.edition if baseline is not None else None
    benefits: tuple[Expectation, ...] = ()
    risks: tuple[Expectation, ...] = ()
    rows: list[RegisterRow] = []
    outcomes: dict[int, Outcome] = {}
    if baseline is not None and framework is not None:
        benefit, risk = kinds(framework)
        rows = list(
            RegisterRow.objects.filter(
                appraisal=baseline, register__in=[benefit.register, risk.register]
            ).order_by("created_at", "id")
        )
        outcomes = {o.row_id: o for o in Outcome.objects.filter(appraisal=appraisal, row__in=rows)}
    elif baseline is None:
        # An imported evaluation has no approved stage here: what it looked back on came in
        # with it, as rows of its own (or of the version before), named by its outcomes.
        recorded = list(Outcome.objects.filter(appraisal=appraisal).select_related("row").order_by("pk"))
        if recorded:
            framework = appraisal.edition
            benefit, risk = kinds(framework)
            outcomes = {o.row_id: o for o in recorded if o.row.register in (benefit.register, risk.register)}
            rows = [o.row for o in recorded if o.row_id in outcomes]
    if framework is not None:
        benefits = tuple(Expectation(r, outcomes.get(r.pk)) for r in rows if r.register == benefit.register)
        risks = tuple(Expectation(r, outcomes.get(r.pk)) for r in rows if r.register == risk.register)
    return EvaluationData(
        appraisal=appraisal,
        baseline=baseline,
        baseline_framework=framework,
        benefits=benefits,
        risks=risks,
        unforeseen=tuple(UnforeseenItem.objects.filter(appraisal=appraisal).order_by("created_at", "id")),
        lessons=Lessons.objects.filter(appraisal=appraisal).first(),
    )


def outcome_counts(appraisals: QuerySet[Appraisal]) -> dict[tuple[str, str], int]:
    """How often each result was recorded, by register ("benefits", "risks"), over these
    appraisals: one grouped query, for portfolio views of expected against realised."""
    rows = (
        Outcome.objects.filter(appraisal__in=appraisals)
        .values("register", "result")
        .annotate(count=Count("id"))
        .order_by("register", "result")
    )
    return {(r["register"], r["result"]): r["count"] for r in rows}
