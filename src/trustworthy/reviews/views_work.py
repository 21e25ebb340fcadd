"""The home page: "Your work", what is waiting for the signed-in person (see `work`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from trustworthy.core.auth import login_required

from .work import your_work as work_for


@login_required
@require_safe
def your_work(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    work = work_for(membership, request.user) if membership is not None else None
    return render(request, "reviews/your_work.html", {"work": work, "title": "Your work"})
