"""Pages for review, sign-off, comments, history and versions of an appraisal.

Like the appraisal pages: `appraisal_for` finds the appraisal and checks the role and the
status together for a change; every form goes through the one edit flow (`handle_edit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.appraisals import policy
from trustworthy.appraisals import selectors as appraisal_selectors
from trustworthy.appraisals.access import appraisal_for
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change, Transition
from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit

from . import presenters, selectors, services
from .diff import compare
from .forms import CommentForm, ReasonForm, ReviewForm
from .history import entries as history_entries
from .models import Comment

GET_POST = require_http_methods(["GET", "POST"])
Save = Callable[[dict[str, Any]], Any]


def _back(request: HttpRequest, appraisal: Appraisal) -> str:
    """Where a comment form goes back to: the page it was on, else all comments."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("appraisal-comments", args=[appraisal.pk])


def _problems(request: HttpRequest, appraisal: Appraisal, transition: Transition) -> list[str]:
    """What stands in the way of this step, to show before anyone tries it."""
    if declared := policy.declaration_problem(appraisal, request.user, transition.change):
        return [
            declared,
            *(services.approval_problems(appraisal) if transition.change is Change.APPROVE else []),
        ]
    if transition.change is Change.SUBMIT:
        return services.submission_problems(appraisal)
    if transition.change is Change.APPROVE:
        return services.approval_problems(appraisal)
    return []


def _reason_form(request: HttpRequest, transition: Transition) -> ReasonForm:
    label = presenters.STEP_WORDS[transition.change].reason_label
    return ReasonForm(form_data(request), required=transition.reason_required, label=label)


def _take_step(request: HttpRequest, appraisal: Appraisal, transition: Transition) -> Save:
    return lambda fields: services.transition(
        appraisal=appraisal, name=transition.name, user=request.user, reason=fields["reason"]
    )


def _review_sections(request: HttpRequest, appraisal: Appraisal, form: ReviewForm) -> Save:
    return lambda fields: services.review_sections(
        appraisal=appraisal, user=request.user, verdicts=form.verdicts()
    )


def _start_new_version(request: HttpRequest, appraisal: Appraisal) -> Save:
    return lambda fields: services.start_new_version(
        appraisal=appraisal, user=request.user, reason=fields["reason"]
    )


def _add_comment(request: HttpRequest, appraisal: Appraisal) -> Save:
    def add(fields: dict[str, Any]) -> Comment:
        parent = None
        if fields["parent"]:
            parent = get_object_or_404(Comment, pk=fields["parent"], appraisal=appraisal)
        return services.add_comment(
            appraisal=appraisal,
            user=request.user,
            target=fields["target"],
            text=fields["text"],
            parent=parent,
        )

    return add


@login_required
@GET_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.REVIEW, read="open")
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    initial = presenters.review_initial(appraisal, request.user)
    form = ReviewForm(form_data(request), framework=framework, initial=initial)
    edit = handle_edit(request, form, _review_sections(request, appraisal, form))
    if edit.saved:
        messages.success(request, "Your review is saved.")
        return redirect("appraisal-review", pk=appraisal.pk)
    page = presenters.review_page(appraisal, membership.role, request.user, framework, form=form)
    return render(request, "reviews/review.html", page)


@login_required
@GET_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    transition = policy.TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    appraisal, _ = appraisal_for(request, pk, transition.change)
    form = _reason_form(request, transition)
    edit = handle_edit(request, form, _take_step(request, appraisal, transition))
    if edit.saved:
        messages.success(request, f"Done: {transition.label.lower()}.")
        return redirect("appraisal-tasks", pk=appraisal.pk)
    page = presenters.step_page(
        appraisal,
        transition,
        form=form,
        problems=_problems(request, appraisal, transition),
        declare_first=policy.declaration_problem(appraisal, request.user, transition.change),
    )
    return render(request, "reviews/step.html", page)


@login_required
@GET_POST
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: every comment on the appraisal. POST: add a comment or a reply, then go back.
    A comment that cannot be saved yet comes back here, with what was typed, to put right."""
    appraisal, _ = appraisal_for(request, pk, Change.COMMENT, read="open")
    form = CommentForm(form_data(request))
    edit = handle_edit(request, form, _add_comment(request, appraisal))
    if edit.saved:
        messages.success(request, "Comment added.")
        return redirect(_back(request, appraisal))
    return render(
        request,
        "reviews/comments.html",
        {
            "appraisal": appraisal,
            "threads": selectors.threads(appraisal),
            "form": form if form.is_bound else None,
            "title": "Comments",
        },
    )


@login_required
@GET_POST
def resolve(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk, Change.COMMENT)
    comment = get_object_or_404(Comment, pk=comment_id, appraisal=appraisal)
    if request.method == "POST":
        services.resolve_comment(comment=comment, user=request.user)
        messages.success(request, "Comment marked as resolved.")
        return redirect(_back(request, appraisal))
    return render(
        request,
        "reviews/resolve.html",
        {"appraisal": appraisal, "comment": comment, "title": "Resolve comment"},
    )


@login_required
@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk)
    return render(
        request,
        "reviews/history.html",
        {
            "appraisal": appraisal,
            "entries": history_entries(
                appraisal,
                selectors.audit_events(appraisal),
                framework_for(appraisal.framework_id, appraisal.framework_version),
            ),
            "changes": selectors.status_history(appraisal),
            "title": "History",
        },
    )


@login_required
@GET_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """Only an approved appraisal gets a new version; on any other, the page says why not."""
    appraisal, _ = appraisal_for(request, pk, Change.NEW_VERSION, read="role")
    form = ReasonForm(form_data(request), required=True, label="Why does it need to change?")
    edit = handle_edit(request, form, _start_new_version(request, appraisal))
    if (new := edit.result) is not None:
        messages.success(request, f"Version {new.version} started. The approved version stays as it was.")
        return redirect("appraisal-tasks", pk=new.pk)
    return render(
        request,
        "reviews/new_version.html",
        {
            "appraisal": appraisal,
            "form": form,
            "refusal": policy.refusal(appraisal.status, Change.NEW_VERSION),
            "title": "Start a new version",
        },
    )


@login_required
@require_safe
def changes(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk)
    if appraisal.previous is None:
        raise Http404
    old = appraisal_selectors.load_appraisal(appraisal.previous)
    new = appraisal_selectors.load_appraisal(appraisal)
    return render(
        request,
        "reviews/changes.html",
        {
            "appraisal": appraisal,
            "previous": appraisal.previous,
            "changes": compare(old, new),
            "title": "What changed",
        },
    )
