"""Reads about projects and appraisals, always scoped to an organisation.

`load_appraisal` fetches everything one appraisal holds in a fixed number of queries,
however many answers and register rows it has, so every page built on it stays fast.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
)
from trustworthy.organisations.models import Organisation

from .frameworks import framework_for
from .models import (
    Answer,
    Appraisal,
    CriterionRating,
    Decision,
    Participation,
    PrincipleRating,
    Project,
    RegisterRow,
)
from .policy import APPROVED


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


def appraisal_in(*, organisation_ids: list[int], appraisal_id: int) -> Appraisal:
    return get_object_or_404(
        Appraisal.objects.select_related("project", "organisation", "previous", "approved_by"),
        pk=appraisal_id,
        organisation_id__in=organisation_ids,
    )


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
        return check_completeness(self.framework, self.state)

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


def load_appraisal(appraisal: Appraisal, *, for_question: Question | None = None) -> AppraisalData:
    """At most five queries, whatever the size of the appraisal.

    With `for_question`, only what that question's page shows is loaded (all answers, so
    the route can be shown, and only the register rows, ratings or participation that the
    question has); such partial data refuses to judge completeness.
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
    decision = (
        Decision.objects.filter(appraisal=appraisal).select_related("recorded_by").first()
        if load_all
        else None
    )
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
    project's details, the organisation's name and the names of the people who decided.
    Frozen at approval, so editing the project later changes only drafts and new versions."""
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
    }


def due_for_review(today: datetime.date | None = None, organisation_id: int | None = None) -> list[Appraisal]:
    """Approved appraisals whose review date has passed and whose project has not moved on since."""
    today = today or timezone.localdate()
    due = Appraisal.objects.filter(status=APPROVED, review_date__lte=today)
    if organisation_id is not None:
        due = due.filter(organisation_id=organisation_id)
    newer = Appraisal.objects.filter(project_id=OuterRef("project_id"), created_at__gt=OuterRef("created_at"))
    return list(due.exclude(Exists(newer)).select_related("project", "created_by", "approved_by"))
