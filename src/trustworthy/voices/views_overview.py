"""The organisation's voices page: every consultation, linking to where it is managed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from trustworthy.core.auth import login_required

from . import overview


@login_required
@require_safe
def voices(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        raise Http404
    context = overview.page(membership.organisation_id, request.GET.get("page"))
    return render(
        request, "voices/organisation_voices.html", {**context, "organisation": membership.organisation}
    )
