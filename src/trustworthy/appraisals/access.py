"""The one way a page finds an appraisal: scoped to the person's organisations (another
organisation's appraisal is a 404, like one that does not exist), with their membership,
and, for pages that change something, the role and the status checked together against
the change policy (403 or 409) before anything is shown or saved."""

from __future__ import annotations

from django.http import HttpRequest

from trustworthy.organisations.access import membership_for
from trustworthy.organisations.models import Membership

from . import policy, selectors
from .models import Appraisal
from .policy import Change


def appraisal_for(
    request: HttpRequest, pk: int, change: Change | None = None
) -> tuple[Appraisal, Membership]:
    organisation_ids = [m.organisation_id for m in getattr(request, "memberships", [])]
    appraisal = selectors.appraisal_in(organisation_ids=organisation_ids, appraisal_id=pk)
    membership = membership_for(request, appraisal.organisation_id)
    if change is not None:
        policy.check(appraisal, change, membership.role)
    return appraisal, membership
