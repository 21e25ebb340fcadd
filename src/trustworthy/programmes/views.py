"""Programme pages: the portfolio dashboard (for a programme's overseers and researchers,
and for an organisation over its own projects), the public version of a shared record,
the research dataset, and an organisation's choice of what to share.

A programme's pages answer 404 to anyone who is not one of its overseers or researchers,
and a record answers 404 unless its project is shared with the programme now.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from trustworthy.core.auth import login_required
from trustworthy.core.errors import NotPermitted
from trustworthy.organisations.models import Membership
from trustworthy.reports.files import page_body
from trustworthy.reports.services import record_for

from . import presenters, research, selectors, services
from .forms import ShareForm
from .models import Programme, ProgrammeRole


def _current(request: HttpRequest) -> Membership:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    return membership


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "programmes/programme_list.html", {"members": selectors.programmes_of(request.user)}
    )


@login_required
def dashboard(request: HttpRequest, programme: str) -> HttpResponse:
    found, member = selectors.programme_for(request.user, programme)
    page = presenters.portfolio_page(
        request, selectors.shared_projects(found), link=presenters.programme_record_link(found.slug),
        file_prefix=found.slug,
    )  # fmt: skip
    if isinstance(page, HttpResponse):
        return page
    page.update(programme=found, member=member, is_researcher=member.role == ProgrammeRole.RESEARCHER)
    return render(request, "programmes/dashboard.html", page)


@login_required
def organisation_portfolio(request: HttpRequest) -> HttpResponse:
    membership = _current(request)
    page = presenters.portfolio_page(
        request,
        selectors.organisation_projects(membership.organisation_id),
        link=None,
        file_prefix="portfolio",
    )
    if isinstance(page, HttpResponse):
        return page
    page.update(organisation=membership.organisation)
    return render(request, "programmes/dashboard.html", page)


@login_required
def record(request: HttpRequest, programme: str, appraisal_id: int) -> HttpResponse:
    """The public version of a shared, signed decision record (without people's names)."""
    found, _ = selectors.programme_for(request.user, programme)
    record = record_for(selectors.shared_appraisal(found, appraisal_id), public=True)
    return render(
        request,
        "programmes/record.html",
        {"programme": found, "record": record, "body": page_body(record), "title": record.title},
    )


@login_required
def research_download(request: HttpRequest, programme: str) -> HttpResponse:
    """The research dataset, with pseudonyms made for this download only."""
    found, member = selectors.programme_for(request.user, programme)
    if member.role != ProgrammeRole.RESEARCHER:
        raise NotPermitted("Only the programme's researchers can download its research dataset.")
    files = research.build(found, secrets.token_hex(16))
    services.record_export(programme=found, actor=request.user, files=research.digests(files))
    response = HttpResponse(research.zipped(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}-research.zip"'
    return response


@login_required
def sharing(request: HttpRequest) -> HttpResponse:
    """The programmes the organisation belongs to, and which of its projects each sees."""
    membership = _current(request)
    if request.method == "POST":
        return _share(request, membership)
    return render(request, "programmes/sharing.html", presenters.sharing_page(membership))


def _share(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = ShareForm(request.POST)
    programme = get_object_or_404(
        Programme,
        slug=request.POST.get("programme", ""),
        organisations__organisation=membership.organisation_id,
    )
    if not form.is_valid():
        raise Http404
    project = get_object_or_404(membership.organisation.projects, pk=form.cleaned_data["project"])
    change = services.stop_sharing if request.POST.get("action") == "stop" else services.share_project
    try:
        change(programme=programme, project=project, user=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        verb = "no longer shared with" if change is services.stop_sharing else "now shared with"
        messages.success(request, f"“{project.title}” is {verb} {programme.name}.")
    return redirect("organisation-programmes")
