"""Decision record pages and downloads, the family summary, publishing, and the public register.

Record pages find the appraisal through the user's organisations (404 for others); the
register pages and the schema are public and show approved, published records only.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.views.decorators.http import require_GET

from trustworthy.appraisals import selectors
from trustworthy.appraisals.models import Appraisal
from trustworthy.core.auth import login_required, membership_for, require
from trustworthy.organisations.models import Membership, Organisation
from trustworthy.organisations.permissions import Action, role_may

from . import render_docx, render_json, render_pdf, services
from .charts import all_charts
from .models import Publication
from .summary import readability

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
RENDERERS = {"pdf": render_pdf.render, "docx": render_docx.render, "json": render_json.render}


def _appraisal(request: HttpRequest, pk: int) -> tuple[Appraisal, Membership]:
    org_ids = [m.organisation_id for m in request.memberships]
    appraisal = selectors.appraisal_in(organisation_ids=org_ids, appraisal_id=pk)
    return appraisal, membership_for(request, appraisal.organisation_id)


class _NotAllowed(Exception):
    pass


def _read_only(request: HttpRequest, pk: int) -> tuple[Appraisal, Membership]:
    """The appraisal for a page that is only read: 404 first, like every appraisal page,
    so another organisation's record cannot be told apart from a missing one."""
    found = _appraisal(request, pk)
    if request.method not in ("GET", "HEAD"):
        raise _NotAllowed
    return found


def file_name(appraisal: Appraisal, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", appraisal.project.title.lower()).strip("-")[:60] or "project"
    return f"{slug}-{appraisal.stage}-{suffix}"


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        appraisal, membership = _read_only(request, pk)
    except _NotAllowed:
        return HttpResponseNotAllowed(["GET"])
    record = services.record_for(appraisal)
    return render(
        request,
        "reports/record_page.html",
        {
            "appraisal": appraisal,
            "record": record,
            "charts": all_charts(record),
            "base": f"/appraisals/{appraisal.pk}/record/",
            "can_publish": role_may(membership.role, Action.MANAGE_PROJECTS),
            "title": record.title,
        },
    )


@login_required
def record_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    try:
        appraisal, _ = _read_only(request, pk)
    except _NotAllowed:
        return HttpResponseNotAllowed(["GET"])
    record = services.record_for(appraisal)
    return _download(RENDERERS[fmt](record), fmt, file_name(appraisal, f"decision-record.{fmt}"))


@login_required
def summary_page(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    can_edit = role_may(membership.role, Action.MANAGE_PROJECTS) and not appraisal.is_locked
    error = ""
    if request.method == "POST":
        require(membership, Action.MANAGE_PROJECTS)
        text = request.POST.get("summary", "")
        try:
            services.save_summary(appraisal=appraisal, user=request.user, text=text)
        except services.RecordError as exc:
            error = str(exc)
        else:
            messages.success(request, "Summary saved." if text.strip() else "Summary set back to the draft.")
            return redirect(f"/appraisals/{appraisal.pk}/record/summary/")
    record = services.record_for(appraisal)
    summary = record.summary
    assert summary is not None
    return render(
        request,
        "reports/summary_page.html",
        {
            "appraisal": appraisal,
            "record": record,
            "summary": summary,
            "paragraphs": summary.text.split("\n\n"),
            "readability": readability(summary.text),
            "can_edit": can_edit,
            "error": error,
            "title": "What we decided and why",
        },
    )


@login_required
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        appraisal, _ = _read_only(request, pk)
    except _NotAllowed:
        return HttpResponseNotAllowed(["GET"])
    record = services.record_for(appraisal)
    assert record.summary is not None
    html = get_template("reports/summary_document.html").render(
        {"record": record, "paragraphs": record.summary.text.split("\n\n")}
    )
    return _download(render_pdf.html_to_pdf(html), "pdf", file_name(appraisal, "what-we-decided.pdf"))


@login_required
def publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    require(membership, Action.MANAGE_PROJECTS)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    publication = Publication.objects.filter(appraisal=appraisal).first()
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                services.publish(appraisal=appraisal, user=request.user)
                messages.success(request, "Published on the public register.")
            else:
                keys = request.POST.getlist("not_for_publication")
                services.set_not_for_publication(appraisal=appraisal, user=request.user, keys=keys)
                messages.success(request, "Your choices of what to leave out are saved.")
        except services.RecordError as exc:
            error = str(exc)
        else:
            return redirect(f"/appraisals/{appraisal.pk}/record/publish/")
    full = services.record_for(appraisal)
    public = services.record_for(appraisal, public=True)
    items = []
    seen = set()
    for key, where, text in full.free_text():
        if key in seen or key in ("summary", "voices"):
            continue
        seen.add(key)
        items.append({"key": key, "where": where.split(":")[0], "text": text})
    return render(
        request,
        "reports/publish_page.html",
        {
            "appraisal": appraisal,
            "record": public,
            "publication": publication,
            "problems": services.publication_problems(appraisal, public),
            "found": services.personal_data_in(public),
            "items": items,
            "excluded": set(public.excluded),
            "error": error,
            "title": "Publish this decision record",
        },
    )


# --- public ----------------------------------------------------------------------------


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/register.html",
        {"publications": services.published(), "organisation": None, "title": "Public register of decisions"},
    )


@require_GET
def register_organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return render(
        request,
        "reports/register.html",
        {
            "publications": services.published(organisation=organisation),
            "organisation": organisation,
            "title": f"Decisions published by {organisation.name}",
        },
    )


@require_GET
def public_record(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    publication = get_object_or_404(
        Publication.objects.select_related("appraisal"), appraisal_id=appraisal_id
    )
    appraisal = publication.appraisal
    if appraisal.status != "approved":
        raise Http404
    record = services.record_for(appraisal, public=True)
    return render(
        request,
        "reports/public_record.html",
        {"publication": publication, "record": record, "charts": all_charts(record), "title": record.title},
    )


@require_GET
def register_feed(request: HttpRequest) -> JsonResponse:
    records = [
        {
            "url": request.build_absolute_uri(f"/register/records/{p.appraisal_id}/"),
            "organisation": p.organisation.name,
            "published_at": p.published_at.isoformat(timespec="seconds"),
            "record": p.document,
        }
        for p in services.published()
        if p.appraisal.status == "approved"
    ]
    return JsonResponse(
        {
            "title": "Trustworthy Innovation: published decision records",
            "schema": "/schemas/decision-record-1.json",
            "licence": "Published by each organisation named in its records.",
            "records": records,
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_json.schema_text(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
