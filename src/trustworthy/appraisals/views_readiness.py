"""The readiness page: an honest assessment of resources, culture, permissions and
capabilities. Thin, like views.py: access finds the appraisal (anyone in the organisation
reads it; saving is checked against the change policy), the service writes through the gate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit

from . import policy, readiness
from .access import appraisal_for
from .policy import Change
from .readiness_forms import ReadinessForm, readiness_initial


@login_required
@require_http_methods(["GET", "POST"])
def readiness_page(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.READINESS, read="open")
    framework = appraisal.edition
    found = readiness.assessments_of(appraisal)
    can_change = policy.may(membership.role, appraisal.status, Change.READINESS)
    form = ReadinessForm(form_data(request), framework=framework, initial=readiness_initial(found))
    edit = handle_edit(
        request,
        form,
        lambda fields: readiness.save_readiness(
            appraisal=appraisal, user=request.user, entries=form.entries(), expected_version=fields["version"]
        ),
        show_conflict=lambda exc: form.saved_by_someone_else(exc.current),
    )
    if edit.saved:
        messages.success(request, "Readiness for innovation saved.")
        return redirect("appraisal-tasks", pk=appraisal.pk)
    page = {
        "appraisal": appraisal,
        "project": appraisal.project,
        "framework": framework,
        "form": form,
        "conflict": edit.conflict,
        "can_change": can_change,
        "refusal": "" if can_change else policy.refusal(appraisal.status, Change.READINESS),
        "assessed": readiness.facts(framework, found),
        "title": readiness.TITLE,
    }
    return render(request, "appraisals/readiness.html", page, status=edit.status)
