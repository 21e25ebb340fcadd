"""Finding what a request may see: the same access rules as the web pages.

A token's request carries one membership (its organisation, with the token's role); a
signed-in session carries all of the person's memberships. Another organisation's object
is a 404 exactly like a missing one.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from trustworthy.appraisals import access
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.appraisals.policy import Change
from trustworthy.framework import Framework
from trustworthy.organisations.models import Membership
from trustworthy.organisations.permissions import Action


def organisation_ids(request: HttpRequest) -> list[int]:
    return [m.organisation_id for m in getattr(request, "memberships", [])]


def membership(request: HttpRequest) -> Membership:
    """The membership new things are made in: the token's, or the session's current one."""
    current = getattr(request, "membership", None)
    if current is None:
        raise Http404
    return current


def appraisal(
    request: HttpRequest, pk: int, change: Change | None = None, read: access.Read = "checked"
) -> tuple[Appraisal, Membership]:
    """The appraisal, with the role and status checked for `change` (403, then 409). A read
    (GET) of what only some roles may change passes `read="role"`, as its web page does: the
    role is checked, not the status. Writes (any other method) always check both."""
    return access.appraisal_for(request, pk, change, read=read if request.method == "GET" else "checked")


def project(request: HttpRequest, pk: int, action: Action | None = None) -> tuple[Project, Membership]:
    return access.project_for(request, pk, action)


def edition(appraisal: Appraisal) -> Framework:
    return framework_for(appraisal.framework_id, appraisal.framework_version)
