"""What a portfolio holds, read in the database: every figure is one grouped query.

A portfolio is a set of projects (those shared with a programme now, or an organisation's
own). What it counts are their signed appraisals: approved, so their decisions, answers,
ratings and registers are the ones the approver signed and the audit trail covers.
Nothing here loops over rows in Python: each function returns the rows of one grouped
query (`values` + `annotate`), a handful per figure.

On PostgreSQL the largest figures are counted from partial indexes alone (programmes
migration 0002: signed appraisals, principles at risk, answers no or not sure, open
risks), so rows are counted with `COUNT(*)` or by a column those indexes hold, never by
an id they leave out; lists leave unread the signed record each appraisal carries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    Outcome,
    Participation,
    PrincipleRating,
    Project,
    ProjectMotivation,
    ReadinessAssessment,
    RegisterRow,
    Status,
)
from trustworthy.framework import HIGH_RISK_SCORE

from .models import Programme, ProgrammeMember, SharedProject

# What a listed appraisal carries but no list shows: its signed record (tens of kilobytes)
# and the snapshot taken at approval, left unread.
WIDE = ("signed_content", "approved_snapshot")
GOES_AHEAD = ("proceed", "proceed-with-mitigations", "proceed-despite-concerns")
NOT_OUTCOMES_FIRST = ("efficiency-and-cost", "access-to-funding")


# --- who may see what ------------------------------------------------------------------------


def programme_for(user: Any, slug: str) -> tuple[Programme, ProgrammeMember]:
    """The programme and the person's place in it; 404 if they have none (or it does not exist)."""
    member = (
        ProgrammeMember.objects.filter(programme__slug=slug, user_id=getattr(user, "pk", None))
        .select_related("programme")
        .first()
    )
    if member is None:
        raise Http404
    return member.programme, member


def programmes_of(user: Any) -> list[ProgrammeMember]:
    return list(
        ProgrammeMember.objects.filter(user_id=getattr(user, "pk", None))
        .select_related("programme")
        .order_by("programme__name")
    )


def shared_projects(programme: Programme) -> QuerySet[Project]:
    """Projects shared with the programme now (stopped shares show nothing)."""
    shared = SharedProject.objects.active().filter(programme=programme, project_id=OuterRef("pk"))
    return Project.objects.filter(Exists(shared))


def organisation_projects(organisation_id: int) -> QuerySet[Project]:
    return Project.objects.filter(organisation_id=organisation_id)


def shared_appraisal(programme: Programme, appraisal_id: int) -> Appraisal:
    """A signed appraisal of a project shared with the programme now; 404 otherwise."""
    appraisal = (
        signed_appraisals(shared_projects(programme))
        .filter(pk=appraisal_id)
        .select_related("project", "organisation")
        .first()
    )
    if appraisal is None:
        raise Http404
    return appraisal


# --- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    stage: str = ""
    region: str = ""
    organisation_type: str = ""
    motivation: str = ""  # the project's main motivation
    decision: str = ""
    decided_from: datetime.date | None = None
    decided_to: datetime.date | None = None


def signed_appraisals(projects: QuerySet[Project], filters: Filters | None = None) -> QuerySet[Appraisal]:
    """The approved appraisals of these projects that match the filters."""
    found = Appraisal.objects.filter(project__in=projects.values("pk"), status=Status.APPROVED)
    f = filters or Filters()
    if f.stage:
        found = found.filter(stage=f.stage)
    if f.region:
        found = found.filter(organisation__region=f.region)
    if f.organisation_type:
        found = found.filter(organisation__type=f.organisation_type)
    if f.motivation:
        main = ProjectMotivation.objects.filter(
            project_id=OuterRef("project_id"), is_primary=True, motivation=f.motivation
        )
        found = found.filter(Exists(main))
    if f.decision:
        found = found.filter(decision__decision=f.decision)
    if f.decided_from:
        found = found.filter(decision__decided_on__gte=f.decided_from)
    if f.decided_to:
        found = found.filter(decision__decided_on__lte=f.decided_to)
    return found


# --- the figures -----------------------------------------------------------------------------


def totals(appraisals: QuerySet[Appraisal]) -> dict[str, int]:
    return appraisals.aggregate(
        appraisals=Count("pk"),
        projects=Count("project", distinct=True),
        organisations=Count("organisation", distinct=True),
    )


def by_stage_and_decision(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    return list(
        appraisals.values("stage", decided=F("decision__decision"))
        .annotate(count=Count("pk"))
        .order_by("stage", "decided")
    )


def departures(appraisals: QuerySet[Appraisal]) -> QuerySet[Appraisal]:
    """Signed decisions outside what the framework allowed for their answers."""
    return (
        appraisals.filter(decision__is_departure=True)
        .select_related("project", "organisation", "decision")
        .defer(*WIDE)
        .order_by("-decision__decided_on", "pk")
    )


def principles_at_risk(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    return list(
        PrincipleRating.objects.filter(appraisal__in=appraisals.values("pk"), rating="at-risk")
        .values("principle_id")
        .annotate(
            process=Count("aspect", filter=Q(aspect="process")),
            innovation=Count("aspect", filter=Q(aspect="innovation")),
            total=Count("*"),
        )
        .order_by("-total", "principle_id")
    )


def doubtful_answers(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    """Questions most often answered no or not sure."""
    return list(
        Answer.objects.filter(appraisal__in=appraisals.values("pk"), value__in=("no", "unsure"))
        .values("question_id")
        .annotate(
            no=Count("value", filter=Q(value="no")),
            unsure=Count("value", filter=Q(value="unsure")),
            total=Count("*"),
        )
        .order_by("-total", "question_id")
    )


def participation(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    """How each group took part, counted in appraisals (one record per group per appraisal)."""
    return list(
        Participation.objects.filter(appraisal__in=appraisals.values("pk"))
        .values("stakeholder", "mode")
        .annotate(count=Count("*"))
        .order_by("stakeholder", "mode")
    )


def readiness(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    """Signed appraisals by readiness dimension and how far it was in place (one assessment
    per dimension per appraisal, so each count is of appraisals)."""
    return list(
        ReadinessAssessment.objects.filter(appraisal__in=appraisals.values("pk"))
        .values("dimension", "status")
        .annotate(count=Count("*"))
        .order_by("dimension", "status")
    )


def _projects_of(appraisals: QuerySet[Appraisal]) -> QuerySet[Appraisal]:
    """The projects of these appraisals, each once: PostgreSQL then matches them with a hash
    of ten thousand rather than looking the appraisals up project by project."""
    return appraisals.order_by().values("project_id").distinct()


def main_motivations(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    """Projects with signed appraisals in view, by their main motivation."""
    return list(
        ProjectMotivation.objects.filter(is_primary=True, project__in=_projects_of(appraisals))
        .values("motivation")
        .annotate(projects=Count("project", distinct=True))
        .order_by("-projects", "motivation")
    )


def funding_by_area(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    """Per region and organisation type: projects and their funding (each project once),
    beside the signed decisions, the evaluations, and the benefits they found achieved."""
    money = (
        Project.objects.filter(pk__in=_projects_of(appraisals))
        .values(region=F("organisation__region"), organisation_type=F("organisation__type"))
        .annotate(
            organisations=Count("organisation", distinct=True),
            projects=Count("pk"),
            funding=Sum("funding_amount"),
        )
    )
    # No ordering: the appraisals' own (by project) would join the projects for nothing.
    decisions = (
        appraisals.order_by()
        .values(region=F("organisation__region"), organisation_type=F("organisation__type"))
        .annotate(
            decisions=Count("pk"),
            going_ahead=Count("pk", filter=Q(decision__decision__in=GOES_AHEAD)),
            evaluated=Count("pk", filter=Q(stage="evaluation")),
        )
    )
    realised = (
        Outcome.objects.filter(appraisal__in=appraisals.values("pk"), register="benefits")
        .values(
            region=F("appraisal__organisation__region"), organisation_type=F("appraisal__organisation__type")
        )
        .annotate(
            benefits_evaluated=Count("pk"),
            benefits_achieved=Count("pk", filter=Q(result="achieved")),
        )
    )
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for group in (*money, *decisions, *realised):  # a few dozen groups, already counted
        merged.setdefault((group["region"], group["organisation_type"]), {}).update(group)
    return [merged[key] for key in sorted(merged)]


def realised(appraisals: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    """What signed post hoc evaluations found happened to the benefits and risks expected."""
    return list(
        Outcome.objects.filter(appraisal__in=appraisals.values("pk"))
        .values("register", "result")
        .annotate(count=Count("pk"))
        .order_by("register", "result")
    )


def _score() -> Any:
    return Cast(KT("data__likelihood"), IntegerField()) * Cast(KT("data__severity"), IntegerField())


def high_open_risks(appraisals: QuerySet[Appraisal]) -> QuerySet[RegisterRow]:
    """Open risks scoring 12 or more (likelihood x severity) in signed appraisals."""
    return (
        RegisterRow.objects.filter(
            appraisal__in=appraisals.values("pk"), register="risks", data__status="open"
        )
        .annotate(score=_score())
        .filter(score__gte=HIGH_RISK_SCORE)
        .select_related("appraisal__project", "appraisal__organisation")
        .defer(*(f"appraisal__{name}" for name in WIDE))
        .order_by("-score", "appraisal__project__title", "pk")
    )


def reviews_overdue(
    appraisals: QuerySet[Appraisal], today: datetime.date | None = None
) -> QuerySet[Appraisal]:
    """Signed decisions whose review date has passed with no later appraisal of the project."""
    today = today or timezone.localdate()
    newer = Appraisal.objects.filter(project_id=OuterRef("project_id"), created_at__gt=OuterRef("created_at"))
    return (
        appraisals.filter(review_date__lt=today)
        .exclude(Exists(newer))
        .select_related("project", "organisation")
        .defer(*WIDE)
        .order_by("review_date", "pk")
    )
