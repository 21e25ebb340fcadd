"""Pages for actions: an appraisal's (with what can become one), a project's and the
organisation's lists; adding, changing and moving an action on. Thin, like views.py: access
finds the object, the change policy decides, services write, action_pages builds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit

from . import action_pages, actions, policy
from .access import appraisal_for, project_for
from .forms import ActionForm, ActionProgressForm
from .models import Action, Appraisal
from .policy import Change

GET_POST = require_http_methods(["GET", "POST"])


def _action(appraisal: Appraisal, action_id: int) -> Action:
    found = actions.action_in(appraisal, action_id)
    if found is None:
        raise Http404
    return found


def _add(request: HttpRequest, appraisal: Appraisal) -> Any:
    return lambda f: actions.add_action(
        appraisal=appraisal, user=request.user, what=f["what"], due_on=f["due_on"], owner_id=f["owner"],
        owner_name=f["owner_name"], source=f["source"] or "other", row_id=f["row"],
    )  # fmt: skip


def _change(request: HttpRequest, action: Action) -> Any:
    return lambda f: actions.change_action(
        action=action, user=request.user, what=f["what"], due_on=f["due_on"], owner_id=f["owner"],
        owner_name=f["owner_name"], expected_version=f["version"],
    )  # fmt: skip


def _move(request: HttpRequest, action: Action) -> Any:
    return lambda f: actions.move_action(
        action=action, user=request.user, status=f["status"], evidence=f.get("evidence", ""),
        dropped_reason=f.get("dropped_reason", ""), expected_version=f["version"],
    )  # fmt: skip


@login_required
@require_safe
def appraisal_actions(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk)
    page = action_pages.appraisal_actions_page(appraisal, request.user, membership.role)
    return render(request, "appraisals/actions.html", page)


@login_required
@GET_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk, Change.ACTION)
    origin = action_pages.origin(appraisal, request.POST if request.method == "POST" else request.GET)
    members = action_pages.members(appraisal.organisation_id)
    form = ActionForm(form_data(request), members=members, initial=origin.initial)
    edit = handle_edit(request, form, _add(request, appraisal))
    if edit.saved:
        messages.success(request, "Action added.")
        return redirect("appraisal-actions", pk=appraisal.pk)
    page = {"appraisal": appraisal, "project": appraisal.project, "origin": origin, "form": form}
    return render(
        request, "appraisals/action_form.html", page | {"title": "Add an action"}, status=edit.status
    )


@login_required
@GET_POST
def action_change(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.ACTION)
    action = _action(appraisal, action_id)
    members = action_pages.members(appraisal.organisation_id)
    form = ActionForm(form_data(request), members=members, initial=action_pages.action_initial(action))
    edit = handle_edit(request, form, _change(request, action))
    if edit.saved:
        messages.success(request, "Action changed.")
        return redirect("appraisal-actions", pk=appraisal.pk)
    page = action_pages.action_page(appraisal, action, request.user, membership.role, form=form)
    page |= {"conflict": edit.conflict, "title": "Change an action"}
    return render(request, "appraisals/action_form.html", page, status=edit.status)


@login_required
@GET_POST
def action_progress(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    """Its owner, a lead or a contributor says where an action is now."""
    appraisal, membership = appraisal_for(request, pk)
    action = _action(appraisal, action_id)
    is_owner = action.owner_id is not None and action.owner_id == request.user.pk
    policy.check(appraisal, Change.ACTION_PROGRESS, membership.role, is_owner=is_owner)
    statuses = action_pages.statuses_for(action, membership.role, request.user)
    initial = action_pages.progress_initial(action)
    form = ActionProgressForm(form_data(request), statuses=statuses, initial=initial)
    edit = handle_edit(request, form, _move(request, action))
    if edit.saved:
        moved = edit.result
        messages.success(
            request, f"Action updated: {moved.get_status_display().lower() if moved else 'saved'}."
        )
        return redirect("appraisal-actions", pk=appraisal.pk)
    page = action_pages.action_page(appraisal, action, request.user, membership.role, form=form)
    page |= {"conflict": edit.conflict, "title": "Update an action"}
    return render(request, "appraisals/action_progress.html", page, status=edit.status)


@login_required
@require_safe
def project_actions(request: HttpRequest, pk: int) -> HttpResponse:
    project, membership = project_for(request, pk)
    page = action_pages.project_actions_page(project, request.user, membership.role)
    return render(request, "appraisals/project_actions.html", page)


@login_required
@require_safe
def action_list(request: HttpRequest) -> HttpResponse:
    """The organisation's actions, filtered: mine, overdue, by status."""
    membership = request.membership
    if membership is None:
        raise Http404
    page = action_pages.organisation_actions_page(membership, request.user, request.GET)
    return render(request, "appraisals/action_list.html", page)
