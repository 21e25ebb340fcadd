"""Decision record pages and downloads, the family summary, publishing, and the public register.

Record pages find the appraisal through `appraisal_for` (404 for another organisation's),
which checks the role and the status of any change sent against the change policy (403 or
409); every form goes through the one edit flow (`core.editing`) and one service. The
register pages, the feed and the schema are public: they show live publications only,
each exactly as it was published (its stored document), never the appraisal as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from trustworthy.appraisals.access import appraisal_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit
from trustworthy.organisations.models import Organisation, User

from . import files, presenters, render_json, services
from .forms import SummaryForm
from .models import Publication

GET_POST = require_http_methods(["GET", "POST"])
# Record pages and their files may hold sensitive text: no browser or proxy keeps a copy.
# (The files are cached on the server instead, by the record document's hash: reports/files.py.)
PRIVATE = cache_control(private=True, no_store=True)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
@PRIVATE
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk)
    record = services.record_to_show(appraisal)
    return render(
        request, "reports/record_page.html", presenters.record_page(appraisal, record, membership.role)
    )


@login_required
@require_safe
@PRIVATE
def record_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk)
    record = services.record_to_show(appraisal)
    name = presenters.file_name(appraisal, f"decision-record.{fmt}")
    return _download(files.download(record, fmt), fmt, name)


@login_required
@GET_POST
@PRIVATE
def summary_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone reads the summary; whoever may change it can, until the record is signed."""
    appraisal, membership = appraisal_for(request, pk, Change.SUMMARY, read="open")
    record = services.record_for(appraisal)
    form = SummaryForm(form_data(request), initial={"summary": presenters.summary_text(record)})
    edit = handle_edit(
        request,
        form,
        lambda data: services.save_summary(appraisal=appraisal, user=request.user, text=data["summary"]),
    )
    if edit.saved:
        messages.success(request, presenters.summary_saved(form.cleaned_data["summary"]))
        return redirect("record-summary", pk=appraisal.pk)
    context = presenters.summary_page(appraisal, record, form, membership.role)
    return render(request, "reports/summary_page.html", context, status=edit.status)


@login_required
@require_safe
@PRIVATE
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk)
    record = services.record_to_show(appraisal)
    return _download(files.summary_pdf(record), "pdf", presenters.file_name(appraisal, "what-we-decided.pdf"))


def _publishing(action: str, appraisal: Appraisal, user: User) -> Callable[[dict[str, Any]], object]:
    """The service each of the publish page's forms calls."""
    return {
        "publish": lambda data: services.publish(appraisal=appraisal, user=user),
        "exclusions": lambda data: services.set_not_for_publication(
            appraisal=appraisal, user=user, keys=data["not_for_publication"]
        ),
        "replace": lambda data: services.replace_publication(
            appraisal=appraisal, user=user, reason=data["reason"]
        ),
        "withdraw": lambda data: services.withdraw_publication(
            appraisal=appraisal, user=user, reason=data["reason"]
        ),
    }[action]


@login_required
@GET_POST
@PRIVATE
def publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the record, choose what the public version leaves out, and replace or withdraw
    a publication, with a reason. Each form is checked against the change it makes."""
    appraisal, membership = appraisal_for(request, pk, presenters.publish_change(request), read="role")
    data = form_data(request)
    action = data.get("action", "") if data is not None else ""
    if request.method == "POST" and action not in presenters.PUBLISH_ACTIONS:
        return HttpResponseBadRequest("Choose what to do from the page.")
    page_forms = presenters.publish_forms(data)
    if request.method == "POST":
        edit = handle_edit(request, page_forms[action], _publishing(action, appraisal, request.user))
        if edit.saved:
            messages.success(request, presenters.PUBLISH_ACTIONS[action].done)
            return redirect("record-publish", pk=appraisal.pk)
    context = presenters.publish_page(appraisal, membership.role, page_forms)
    return render(request, "reports/publish_page.html", context)


# --- public ----------------------------------------------------------------------------
# Public pages show what was published, exactly: each live publication's stored document.
# They never read the appraisal, so nothing changed after publishing can reach them.


def _live(organisation: Organisation | None = None) -> QuerySet[Publication]:
    # Only the publication row: its document is all a public page shows.
    return services.published(organisation=organisation).select_related(None)


def _register_page(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    title = (
        gettext("Decisions published by {organisation}").format(organisation=organisation.name)
        if organisation
        else gettext("Public register of decisions")
    )
    entries = [presenters.register_entry(p) for p in _live(organisation)]
    context = {"entries": entries, "organisation": organisation, "title": title}
    return render(request, "reports/register.html", context)


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    return _register_page(request, None)


@require_GET
def register_organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _register_page(request, get_object_or_404(Organisation, pk=organisation_id))


@require_GET
def public_record(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    publication = get_object_or_404(_live(), appraisal_id=appraisal_id)
    return render(request, "reports/public_record.html", presenters.public_record_page(publication))


@require_GET
def public_record_json(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    publication = get_object_or_404(_live(), appraisal_id=appraisal_id)
    response = HttpResponse(presenters.document_bytes(publication), content_type="application/json")
    response["ETag"] = f'"{publication.document_hash}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def register_feed(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        presenters.feed(request, _live()), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_json.schema_text(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
