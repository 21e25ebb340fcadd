"""Attach the signed-in user's memberships and current organisation to each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

SESSION_KEY = "current_organisation_id"


class CurrentOrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []
        request.membership = None
        if request.user.is_authenticated:
            memberships = list(request.user.memberships.select_related("organisation"))
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            request.memberships = memberships
            request.membership = current or (memberships[0] if memberships else None)
        return self.get_response(request)
