"""The page that moves a draft to its organisation's newer framework edition: it shows what
changes first, and moves only when the lead confirms (editions.py writes)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trustworthy.core.auth import login_required
from trustworthy.core.errors import Invalid

from . import editions
from .access import appraisal_for
from .policy import Change


@login_required
@require_http_methods(["GET", "POST"])
def move_edition(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _membership = appraisal_for(request, pk, Change.MOVE_EDITION)
    target = editions.newer_edition(appraisal)
    error = ""
    if request.method == "POST":
        try:
            editions.move_to_edition(
                appraisal=appraisal, target_key=request.POST.get("edition", ""), user=request.user
            )
        except Invalid as exc:
            error = str(exc)
        else:
            messages.success(
                request, _("This appraisal now uses %(key)s.") % {"key": appraisal.framework_key}
            )
            return redirect("appraisal-tasks", pk=appraisal.pk)
    context = {
        "appraisal": appraisal,
        "project": appraisal.project,
        "changes": editions.edition_changes(appraisal, target) if target else None,
        "error": error,
    }
    return render(request, "appraisals/move_edition.html", context, status=400 if error else 200)
