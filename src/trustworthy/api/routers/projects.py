"""Projects: list, create, read and change their details; start an appraisal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Project
from trustworthy.organisations.access import require
from trustworthy.organisations.permissions import Action

from .. import scope
from ..fields import (
    CursorQuery,
    FrameworkId,
    LimitQuery,
    LongText,
    PathId,
    ShortLine,
    Version,
    check_personal_data,
)
from ..pagination import DEFAULT_LIMIT, page
from ..schemas import Confirmable, Page
from .appraisals import AppraisalOut, appraisal_out

router = Router(tags=["Projects"])


class MotivationIn(Schema):
    motivation: FrameworkId
    explanation: LongText


class ProjectIn(Confirmable):
    title: ShortLine
    summary: LongText
    problem: LongText
    target_cohort: LongText
    context_organisational: LongText = ""
    context_local: LongText = ""
    context_national: LongText = ""
    funding_source: ShortLine = ""
    funding_amount: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$")] | None = Field(
        None, description="In pounds, as a string: for example “125000” or “1250.50”."
    )
    current_stage: FrameworkId = "inception"
    accountable_person: ShortLine
    motivations: Annotated[list[MotivationIn], Field(min_length=1, max_length=20)]
    primary_motivation: FrameworkId


class ProjectUpdate(ProjectIn):
    version: Version | None = Field(
        None, description="The version you started from; a stale one gets 409 with the current details."
    )


class MotivationOut(Schema):
    motivation: str
    explanation: str
    is_primary: bool


class ProjectOut(Schema):
    id: int
    organisation_id: int
    title: str
    summary: str
    problem: str
    target_cohort: str
    context_organisational: str
    context_local: str
    context_national: str
    funding_source: str
    funding_amount: str | None
    current_stage: str
    accountable_person: str
    motivations: list[MotivationOut]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProjectPage(Page):
    items: list[ProjectOut]


class StartIn(Confirmable):
    stage: FrameworkId
    reason: LongText = Field(
        "",
        description="Why this stage is started before the stage before it is signed (needed then, "
        "and kept in the appraisal's history and decision record; a 422 says when it is missing).",
    )


def project_out(project: Project) -> dict[str, Any]:
    fields = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
    amount = fields.pop("funding_amount")
    return {
        **fields,
        "id": project.pk,
        "organisation_id": project.organisation_id,
        "funding_amount": None if amount is None else str(amount),
        "motivations": [
            {"motivation": m.motivation, "explanation": m.explanation, "is_primary": m.is_primary}
            for m in project.motivations.all()
        ],
        "version": project.lock_version,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }


def _input(data: ProjectIn) -> dict[str, Any]:
    texts = data.dict(include=set(services.PROJECT_FIELDS) - {"funding_amount", "current_stage"})
    texts |= {f"motivation {m.motivation}": m.explanation for m in data.motivations}
    check_personal_data(data.confirm_personal_data, texts)
    fields = {name: getattr(data, name) for name in services.PROJECT_FIELDS}
    fields["funding_amount"] = None if data.funding_amount is None else Decimal(data.funding_amount)
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    return {
        "fields": fields,
        "motivations": [services.MotivationInput(m.motivation, m.explanation) for m in data.motivations],
        "primary_motivation": data.primary_motivation,
    }


@router.get("", response=ProjectPage, summary="List projects")
def list_projects(
    request: HttpRequest, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Projects of your organisation (a token's; every one you belong to when signed in)."""
    projects = Project.objects.filter(organisation_id__in=scope.organisation_ids(request))
    return page(projects.prefetch_related("motivations"), cursor, limit, project_out)


@router.post("", response={201: ProjectOut}, summary="Create a project")
def create_project(request: HttpRequest, data: ProjectIn) -> Status:
    """Leads only. The project belongs to the token's organisation (or your current one)."""
    membership = scope.membership(request)
    require(membership, Action.MANAGE_PROJECTS)
    project = services.create_project(organisation=membership.organisation, user=request.user, **_input(data))
    return Status(201, project_out(project))


@router.get("/{project_id}", response=ProjectOut, summary="Read a project")
def get_project(request: HttpRequest, project_id: PathId) -> dict[str, Any]:
    project, _ = scope.project(request, project_id)
    return project_out(project)


@router.put("/{project_id}", response=ProjectOut, summary="Change a project's details")
def update_project(request: HttpRequest, project_id: PathId, data: ProjectUpdate) -> dict[str, Any]:
    """Leads only. Approved appraisals keep the details they were signed with."""
    project, _ = scope.project(request, project_id, Action.MANAGE_PROJECTS)
    services.update_project(project=project, user=request.user, expected_version=data.version, **_input(data))
    project.refresh_from_db()
    return project_out(project)


@router.post(
    "/{project_id}/appraisals", response={201: AppraisalOut}, summary="Start an appraisal for a stage"
)
def start_appraisal(request: HttpRequest, project_id: PathId, data: StartIn) -> Status:
    """Leads only. Answers from the project's latest stage are carried forward to confirm.
    Stages go in the framework's order: one whose earlier stage is not signed needs a `reason`."""
    project, _ = scope.project(request, project_id, Action.MANAGE_PROJECTS)
    check_personal_data(data.confirm_personal_data, {"reason": data.reason})
    appraisal = services.start_appraisal(
        project=project, stage=data.stage, user=request.user, reason=data.reason
    )
    return Status(201, appraisal_out(request, scope.appraisal(request, appraisal.pk)[0]))
