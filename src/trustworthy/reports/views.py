"""Decision record pages and downloads, the family summary, publishing, and the public register.

Record pages find the appraisal through the user's organisations (404 for others). The
register pages, the feed and the schema are public: they show live publications only,
each exactly as it was published (its stored document), never the appraisal as it is now.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.http import require_GET

from trustworthy.appraisals import policy, selectors
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.core.audit import canonical_json
from trustworthy.core.auth import kept_work, login_required
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.access import membership_for
from trustworthy.organisations.models import Membership, Organisation

from . import render_docx, render_json, render_pdf, services
from .charts import all_charts
from .document import DecisionRecord
from .forms import PublicationReasonForm
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
            "can_publish": policy.role_allows(membership.role, Change.PUBLICATION),
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
    can_edit = policy.may(membership.role, appraisal.status, Change.SUMMARY)
    error = ""
    if request.method == "POST":
        if not policy.role_allows(membership.role, Change.SUMMARY):
            raise PermissionDenied
        text = request.POST.get("summary", "")
        try:
            services.save_summary(appraisal=appraisal, user=request.user, text=text)
        except services.RecordError as exc:
            error = str(exc)
        else:
            messages.success(request, "Summary saved." if text.strip() else "Summary set back to the draft.")
            return redirect("record-summary", pk=appraisal.pk)
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


REASONS = {
    "replace": ("Why are you replacing the published record?", "why you are replacing the published record"),
    "withdraw": ("Why are you taking it off the register?", "why you are taking the record off the register"),
}


def _reason_forms(request: HttpRequest) -> dict[str, PublicationReasonForm]:
    """The replace and withdraw forms: the one posted is bound; work kept from before a
    sign-out comes back in its form, unsaved."""
    posted = request.POST.get("action") if request.method == "POST" else None
    kept = kept_work(request)
    if kept is not None and kept.get("action") in REASONS:
        messages.warning(request, "You were signed out. We kept what you typed: check it and send it again.")
    return {
        name: PublicationReasonForm(
            request.POST if name == posted else None,
            initial={"reason": kept.get(f"{name}-reason", "")}
            if kept is not None and kept.get("action") == name
            else None,
            prefix=name,
            label=label,
            what=what,
        )
        for name, (label, what) in REASONS.items()
    }


def _change_publication(request: HttpRequest, appraisal: Appraisal, form: PublicationReasonForm) -> bool:
    """Replace or withdraw the live publication; False (with the form's errors) if refused."""
    if not form.is_valid():
        return False
    reason = form.cleaned_data["reason"]
    try:
        if form.prefix == "replace":
            services.replace_publication(appraisal=appraisal, user=request.user, reason=reason)
            messages.success(request, "The published record is replaced.")
        else:
            services.withdraw_publication(appraisal=appraisal, user=request.user, reason=reason)
            messages.success(request, "The record is off the public register.")
    except services.RecordError as exc:
        form.add_error(None, str(exc))
        return False
    return True


def _exclusion_items(full: DecisionRecord) -> list[dict[str, str]]:
    items = []
    seen = set()
    for key, where, text in full.free_text():
        if key in seen or key in ("summary", "voices"):
            continue
        seen.add(key)
        items.append({"key": key, "where": where.split(":")[0], "text": text})
    return items


def _history(appraisal: Appraisal) -> list[dict[str, Any]]:
    """Earlier publications, newest first: when, who took each off or replaced it, and why."""
    replaced = {
        event.before.get("publication")
        for event in AuditEvent.objects.filter(appraisal=appraisal, action="record.republished")
        if isinstance(event.before, dict)
    }
    return [
        {
            "publication": p,
            "what": "Replaced" if p.pk in replaced else "Taken off the register",
            "by": str(p.withdrawn_by) if p.withdrawn_by else "",
        }
        for p in Publication.objects.filter(appraisal=appraisal, withdrawn_at__isnull=False).select_related(
            "withdrawn_by"
        )
    ]


def _errors(
    error: str, action: str | None, reason_forms: dict[str, PublicationReasonForm]
) -> list[dict[str, str]]:
    """Every problem on the page, for the error summary, each linking to where to fix it."""
    items = [{"text": error, "href": f"#{action}"}] if error else []
    for name, form in reason_forms.items():
        items += [{"text": str(e), "href": f"#{name}"} for e in form.non_field_errors()]
        items += [{"text": str(e), "href": f"#{form['reason'].auto_id}"} for e in form["reason"].errors]
    return items


@login_required
def publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    if not policy.role_allows(membership.role, Change.PUBLICATION):
        raise PermissionDenied
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    here = reverse("record-publish", args=[appraisal.pk])
    reason_forms = _reason_forms(request)
    action = request.POST.get("action") if request.method == "POST" else None
    error = ""
    if action in reason_forms:
        if _change_publication(request, appraisal, reason_forms[action]):
            return redirect(here)
    elif action in ("publish", "exclusions"):
        try:
            if action == "publish":
                services.publish(appraisal=appraisal, user=request.user)
                messages.success(request, "Published on the public register.")
            else:
                keys = request.POST.getlist("not_for_publication")
                services.set_not_for_publication(appraisal=appraisal, user=request.user, keys=keys)
                messages.success(request, "Your choices of what to leave out are saved.")
        except services.RecordError as exc:
            error = str(exc)
        else:
            return redirect(here)
    elif request.method == "POST":
        return HttpResponseBadRequest("Choose what to do from the page.")
    live = services.live_publication(appraisal)
    data = selectors.load_appraisal(appraisal)
    public = services.record_for(appraisal, public=True, data=data)
    changed = live is not None and render_json.without_volatile(
        render_json.to_dict(public)
    ) != render_json.without_volatile(live.document)
    return render(
        request,
        "reports/publish_page.html",
        {
            "appraisal": appraisal,
            "record": public,
            "publication": live,
            "changed_since": changed,
            "history": _history(appraisal),
            "problems": services.publication_problems(appraisal, public),
            "found": services.personal_data_in(public),
            "items": _exclusion_items(services.record_for(appraisal, data=data)),
            "excluded": set(public.excluded),
            "can_choose": policy.may(membership.role, appraisal.status, Change.RECORD_SETTINGS),
            "error": error,
            "errors": _errors(error, action, reason_forms),
            "reason_forms": reason_forms,
            "title": "Publish this decision record",
        },
    )


# --- public ----------------------------------------------------------------------------
# Public pages show what was published, exactly: each live publication's stored document.
# They never read the appraisal, so nothing changed after publishing can reach them.


def _live(organisation: Organisation | None = None) -> QuerySet[Publication]:
    # Only the publication row: its document is all a public page shows.
    return services.published(organisation=organisation).select_related(None)


def _entry(publication: Publication) -> dict[str, Any]:
    document = publication.document
    return {
        "title": document["project"]["title"],
        "stage_name": document["appraisal"]["stage_name"],
        "decision": document["decision"]["name"] if document["decision"] else "",
        "organisation": document["organisation"]["name"],
        "organisation_id": publication.organisation_id,
        "published_at": publication.published_at,
        "url": reverse("public-record", args=[publication.appraisal_id]),
    }


def _register_page(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    publications = _live(organisation)
    title = f"Decisions published by {organisation.name}" if organisation else "Public register of decisions"
    return render(
        request,
        "reports/register.html",
        {"entries": [_entry(p) for p in publications], "organisation": organisation, "title": title},
    )


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    return _register_page(request, None)


@require_GET
def register_organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _register_page(request, get_object_or_404(Organisation, pk=organisation_id))


@require_GET
def public_record(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    publication = get_object_or_404(_live(), appraisal_id=appraisal_id)
    record = render_json.from_dict(publication.document)
    return render(
        request,
        "reports/public_record.html",
        {
            "publication": publication,
            "entry": _entry(publication),
            "record": record,
            "charts": all_charts(record),
            "title": record.title,
        },
    )


def document_bytes(publication: Publication) -> bytes:
    """The published document as served: its canonical JSON, whose SHA-256 is the hash
    recorded in the audit trail when it was published."""
    return canonical_json(publication.document).encode("utf-8")


@require_GET
def public_record_json(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    publication = get_object_or_404(_live(), appraisal_id=appraisal_id)
    response = HttpResponse(document_bytes(publication), content_type="application/json")
    response["ETag"] = f'"{publication.document_hash}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def register_feed(request: HttpRequest) -> JsonResponse:
    records = [
        {
            "url": request.build_absolute_uri(reverse("public-record", args=[p.appraisal_id])),
            "json": request.build_absolute_uri(reverse("public-record-json", args=[p.appraisal_id])),
            "organisation": p.document["organisation"]["name"],
            "published_at": p.published_at.isoformat(timespec="seconds"),
            "document_hash": p.document_hash,
            "record": p.document,
        }
        for p in _live()
    ]
    response = JsonResponse(
        {
            "title": "Trustworthy Innovation: published decision records",
            "schema": reverse("record-schema"),
            "licence": "Published by each organisation named in its records.",
            "records": records,
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_json.schema_text(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
