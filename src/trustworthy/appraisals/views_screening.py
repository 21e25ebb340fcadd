"""Pages of a proportionate route: the lead's screening, and an approver requiring the full
route. Thin, like views.py: access finds the appraisal and checks the change, the pure rule
recommends, the services in `screening` write through the gate."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit
from trustworthy.framework import recommend

from . import screening
from .access import appraisal_for
from .frameworks import framework_for
from .policy import Change
from .screening_forms import FULL, RECOMMENDED, RequireFullRouteForm, ScreeningForm

GET_POST = require_http_methods(["GET", "POST"])


@login_required
@GET_POST
def screening_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The screening: answers that recommend the light or the full appraisal, and the choice."""
    appraisal, _ = appraisal_for(request, pk, Change.SCREENING)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    if framework.screening is None:
        raise Http404
    current = screening.screening_of(appraisal)
    initial = {}
    if current is not None:
        initial = {f"q_{k}": v for k, v in current.answers.items()}
        initial["route"] = RECOMMENDED if current.chosen_route == current.recommended_route else FULL
    form = ScreeningForm(form_data(request), framework=framework, initial=initial)

    def save(fields: dict[str, object]) -> object:
        answers = form.answers()
        route = recommend(framework, answers).route if fields["route"] == RECOMMENDED else "full"
        return screening.save_screening(appraisal=appraisal, user=request.user, answers=answers, route=route)

    edit = handle_edit(request, form, save, check_text=False)
    if edit.saved:
        messages.success(request, "Screening saved.")
        return redirect("appraisal-screening", pk=appraisal.pk)
    page = {
        "appraisal": appraisal,
        "framework": framework,
        "screening": framework.screening,
        "current": current,
        "form": form,
        "title": "Screening",
    }
    return render(request, "appraisals/screening.html", page, status=edit.status)


@login_required
@GET_POST
def require_full_route(request: HttpRequest, pk: int) -> HttpResponse:
    """An approver requires the full appraisal of a light one, saying why."""
    appraisal, _ = appraisal_for(request, pk, Change.REQUIRE_FULL_ROUTE)
    form = RequireFullRouteForm(form_data(request))
    edit = handle_edit(
        request,
        form,
        lambda f: screening.require_full_route(appraisal=appraisal, user=request.user, reason=f["reason"]),
    )
    if edit.saved:
        messages.success(request, "The full appraisal is now required.")
        return redirect("appraisal-tasks", pk=appraisal.pk)
    page = {"appraisal": appraisal, "form": form, "title": "Require the full appraisal"}
    return render(request, "appraisals/require_full_route.html", page, status=edit.status)
