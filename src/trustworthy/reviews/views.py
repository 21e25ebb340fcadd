"""Pages for review, sign-off, comments, history and versions of an appraisal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.appraisals import policy
from trustworthy.appraisals import selectors as appraisal_selectors
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.core.auth import login_required
from trustworthy.organisations.access import membership_for, require
from trustworthy.organisations.models import Membership
from trustworthy.organisations.permissions import Action

from . import selectors, services
from .diff import compare
from .forms import CommentForm, ReasonForm, ReviewForm
from .models import Comment

GET_POST = require_http_methods(["GET", "POST"])


def _appraisal(request: HttpRequest, pk: int) -> tuple[Appraisal, Membership]:
    org_ids = [m.organisation_id for m in request.memberships]
    appraisal = appraisal_selectors.appraisal_in(organisation_ids=org_ids, appraisal_id=pk)
    return appraisal, membership_for(request, appraisal.organisation_id)


@login_required
@GET_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    data = appraisal_selectors.load_appraisal(appraisal)
    can_review = policy.may(membership.role, appraisal.status, Change.REVIEW)
    if request.method == "POST" and not can_review:
        raise PermissionDenied
    form = ReviewForm(request.POST if request.method == "POST" else None, framework=data.framework)
    if request.method == "POST" and form.is_valid():
        services.review_sections(appraisal=appraisal, user=request.user, verdicts=form.verdicts())
        messages.success(request, "Your review is saved.")
        return redirect(f"/appraisals/{appraisal.pk}/review/")
    return render(
        request,
        "reviews/review.html",
        {
            "appraisal": appraisal,
            "framework": data.framework,
            "form": form,
            "can_review": can_review,
            "rounds": selectors.reviews_by_round(appraisal),
            "current_round": services.current_round(appraisal),
            "title": "Review",
        },
    )


@login_required
@GET_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    transition = policy.TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    if not policy.role_allows(membership.role, transition.change):
        raise PermissionDenied
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        required=transition.reason_required,
        label="Why?" if transition.reason_required else "Note (optional)",
    )
    problems: list[str] = []
    if name == "submit":
        problems = services.submission_problems(appraisal)
    elif name == "approve":
        problems = services.approval_problems(appraisal)
    if request.method == "POST" and form.is_valid():
        try:
            services.transition(
                appraisal=appraisal, name=name, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Done: {transition.label.lower()}.")
            return redirect(f"/appraisals/{appraisal.pk}/")
    return render(
        request,
        "reviews/step.html",
        {
            "appraisal": appraisal,
            "step": transition,
            "form": form,
            "problems": problems,
            "title": transition.label,
        },
    )


@login_required
@GET_POST
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: every comment on the appraisal. POST: add a comment or a reply, then go back."""
    appraisal, _ = _appraisal(request, pk)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Enter your comment.")
            return redirect(_back(request, appraisal))
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"], appraisal=appraisal)
        services.add_comment(
            appraisal=appraisal,
            user=request.user,
            target=form.cleaned_data["target"],
            text=form.cleaned_data["text"],
            parent=parent,
        )
        messages.success(request, "Comment added.")
        return redirect(_back(request, appraisal))
    return render(
        request,
        "reviews/comments.html",
        {"appraisal": appraisal, "threads": selectors.threads(appraisal), "title": "Comments"},
    )


def _back(request: HttpRequest, appraisal: Appraisal) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return f"/appraisals/{appraisal.pk}/comments/"


@login_required
@GET_POST
def resolve(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    appraisal, _ = _appraisal(request, pk)
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
    appraisal, _ = _appraisal(request, pk)
    return render(
        request,
        "reviews/history.html",
        {
            "appraisal": appraisal,
            "events": selectors.audit_events(appraisal),
            "changes": selectors.status_history(appraisal),
            "title": "History",
        },
    )


@login_required
@GET_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    require(membership, Action.MANAGE_PROJECTS)
    form = ReasonForm(
        request.POST if request.method == "POST" else None, required=True, label="Why does it need to change?"
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.start_new_version(
                appraisal=appraisal, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Version {new.version} started. The approved version stays as it was.")
            return redirect(f"/appraisals/{new.pk}/")
    return render(
        request,
        "reviews/new_version.html",
        {"appraisal": appraisal, "form": form, "title": "Start a new version"},
    )


@login_required
@require_safe
def changes(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = _appraisal(request, pk)
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
