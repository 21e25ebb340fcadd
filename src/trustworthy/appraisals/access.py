"""The one way a page finds an appraisal or a project: scoped to the person's organisations
(another organisation's is a 404, like one that does not exist), with their membership,
and, for pages that change something, the role and the status checked together against
the change policy (403 or 409) before anything is shown or saved."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from trustworthy.organisations.access import membership_for, require
from trustworthy.organisations.models import Membership
from trustworthy.organisations.permissions import Action

from . import policy, selectors
from .models import Appraisal, Project
from .policy import Change

# How a page that makes a change may be read (GET); sending it (POST) always checks both.
#   "checked": only to make the change: role and status are checked to read it too.
#   "role":    the role is checked; the page explains why the change cannot be made now.
#   "open":    anyone in the organisation reads it; it offers the change to those who may.
Read = Literal["checked", "role", "open"]


def _organisation_ids(request: HttpRequest) -> list[int]:
    return [m.organisation_id for m in getattr(request, "memberships", [])]


def appraisal_for(
    request: HttpRequest, pk: int, change: Change | None = None, *, read: Read = "checked"
) -> tuple[Appraisal, Membership]:
    appraisal = selectors.appraisal_in(organisation_ids=_organisation_ids(request), appraisal_id=pk)
    membership = membership_for(request, appraisal.organisation_id)
    if change is None or (request.method != "POST" and read == "open"):
        return appraisal, membership
    if request.method != "POST" and read == "role":
        if not policy.role_allows(membership.role, change):
            raise policy.NotPermitted("Your role does not allow this change.")
        return appraisal, membership
    policy.check(appraisal, change, membership.role)
    return appraisal, membership


def project_for(request: HttpRequest, pk: int, action: Action | None = None) -> tuple[Project, Membership]:
    """A project the person may see and their membership; with `action`, their role must allow it."""
    project = selectors.project_in(organisation_ids=_organisation_ids(request), project_id=pk)
    membership = membership_for(request, project.organisation_id)
    if action is not None:
        require(membership, action)
    return project, membership
