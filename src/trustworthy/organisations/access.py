"""Which of a person's memberships governs an object, and what its role allows."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from .changes import NotPermitted
from .models import Membership
from .permissions import Action, role_may


def membership_for(request: HttpRequest, organisation_id: int) -> Membership:
    """The user's membership of the organisation that owns an object; 404 if none.

    A 404, not a 403: another organisation's object must look exactly like a missing one.
    """
    for membership in getattr(request, "memberships", []):
        if membership.organisation_id == organisation_id:
            return membership
    raise Http404


def require(membership: Membership, action: Action) -> None:
    """Refuse (403) when the member's role does not allow the action."""
    if not role_may(membership.role, action):
        raise NotPermitted("Your role does not allow this.")
