"""What the record, summary and publish pages and the public register show, kept out of the
views: each page's context, the publish page's forms and its list of problems, and the
public entries drawn from stored publications. Whether a change may be offered comes from
the change policy (`policy.may`); nothing here decides it or writes anything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from trustworthy.appraisals import policy
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.core.audit import canonical_json
from trustworthy.core.language import current
from trustworthy.core.models import AuditEvent

from . import files, render_json, services
from .document import DecisionRecord
from .forms import ExclusionsForm, PublicationReasonForm, PublishForm
from .languages import in_language
from .models import Publication
from .summary import readability

# --- the record and its summary ---------------------------------------------------------------


def file_name(appraisal: Appraisal, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", appraisal.project.title.lower()).strip("-")[:60] or "project"
    return f"{slug}-{appraisal.stage}-{suffix}"


def record_page(appraisal: Appraisal, shown: files.Rendered, role: str | None) -> dict[str, Any]:
    return {
        "appraisal": appraisal,
        "record": shown.record,
        "body": files.page_body(shown),  # cached by the record document's hash
        "can_publish": policy.role_allows(role, Change.PUBLICATION),
        "title": shown.record.title,
    }


def summary_text(record: DecisionRecord) -> str:
    assert record.summary is not None  # record_for always gives one: the lead's, or the draft
    return record.summary.text


def paragraphs(record: DecisionRecord) -> list[str]:
    """The summary's paragraphs as typed (each may hold single line breaks, shown as such)."""
    assert record.summary is not None
    return record.summary.paragraphs


def summary_page(appraisal: Appraisal, record: DecisionRecord, form: Any, role: str | None) -> dict[str, Any]:
    summary = record.summary
    assert summary is not None
    return {
        "appraisal": appraisal,
        "record": record,
        "summary": summary,
        "paragraphs": paragraphs(record),
        "readability": readability(summary.text),
        "can_edit": policy.may(role, appraisal.status, Change.SUMMARY),
        # Until the decision is signed the summary can change, so it is still a draft.
        "still_draft": policy.status_allows(appraisal.status, Change.SUMMARY),
        "form": form,
        "title": "What we decided and why",
    }


def summary_saved(text: str) -> str:
    return "Summary saved." if text.strip() else "Summary set back to the draft."


# --- publishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishAction:
    """One of the publish page's forms: the change it makes, and what to say once it is made."""

    change: Change
    done: str


PUBLISH_ACTIONS = {
    "publish": PublishAction(Change.PUBLICATION, "Published on the public register."),
    "exclusions": PublishAction(Change.RECORD_SETTINGS, "Your choices of what to leave out are saved."),
    "replace": PublishAction(Change.PUBLICATION, "The published record is replaced."),
    "withdraw": PublishAction(Change.PUBLICATION, "The record is off the public register."),
}
REASONS = {
    "replace": ("Why are you replacing the published record?", "why you are replacing the published record"),
    "withdraw": ("Why are you taking it off the register?", "why you are taking the record off the register"),
}


def publish_change(request: HttpRequest) -> Change:
    """The change the posted form makes (publishing, if it names none the page offers)."""
    action = PUBLISH_ACTIONS.get(request.POST.get("action", "")) if request.method == "POST" else None
    return action.change if action else Change.PUBLICATION


def publish_forms(data: QueryDict | None) -> dict[str, forms.Form]:
    """The page's forms, by action: the one posted (or kept from before a sign-out) is bound."""
    posted = data.get("action") if data is not None else None

    def bound(name: str) -> QueryDict | None:
        return data if name == posted else None

    reasons: dict[str, forms.Form] = {
        name: PublicationReasonForm(bound(name), prefix=name, label=label, what=what)
        for name, (label, what) in REASONS.items()
    }
    return {
        "publish": PublishForm(bound("publish")),
        "exclusions": ExclusionsForm(bound("exclusions")),
        **reasons,
    }


def exclusion_items(full: DecisionRecord) -> list[dict[str, str]]:
    items = []
    seen = set()
    for key, where, text in full.free_text():
        if key in seen or key in ("summary", "voices"):
            continue
        seen.add(key)
        items.append({"key": key, "where": where.split(":")[0], "text": text})
    return items


def publication_history(appraisal: Appraisal) -> list[dict[str, Any]]:
    """Earlier publications, newest first: when, who took each off or replaced it, and why."""
    replaced = {
        event.before.get("publication")
        for event in AuditEvent.objects.filter(appraisal=appraisal, action="record.republished")
        if isinstance(event.before, dict)
    }
    return [
        {
            "publication": p,
            "what": gettext("Replaced") if p.pk in replaced else gettext("Taken off the register"),
            "by": str(p.withdrawn_by) if p.withdrawn_by else "",
            # As people write dates, in the page's language ("2 December 2026, 14:05").
            "published_on": date_format(p.published_at, "j F Y"),
            "ended_at": date_format(p.withdrawn_at, "j F Y, H:i") if p.withdrawn_at else "",
        }
        for p in Publication.objects.filter(appraisal=appraisal, withdrawn_at__isnull=False).select_related(
            "withdrawn_by"
        )
    ]


def publish_errors(page_forms: dict[str, forms.Form]) -> list[dict[str, str]]:
    """Every problem on the page, for the error summary, each linking to where to fix it."""
    items = []
    for name, form in page_forms.items():
        items += [{"text": str(e), "href": f"#{name}"} for e in form.non_field_errors()]
        for field in form:
            items += [{"text": str(e), "href": f"#{field.auto_id}"} for e in field.errors]
    return items


def publish_page(appraisal: Appraisal, role: str | None, page_forms: dict[str, forms.Form]) -> dict[str, Any]:
    live = services.live_publication(appraisal)
    data = load_appraisal(appraisal)
    public = services.record_for(appraisal, public=True, data=data)
    changed = live is not None and render_json.without_volatile(
        render_json.to_dict(public)
    ) != render_json.without_volatile(live.document)
    return {
        "appraisal": appraisal,
        "record": public,
        "publication": live,
        "published_on": date_format(live.published_at, "j F Y") if live else "",
        "changed_since": changed,
        "history": publication_history(appraisal),
        "problems": services.publication_problems(appraisal, public),
        "found": services.personal_data_in(public),
        "items": exclusion_items(services.record_for(appraisal, data=data)),
        "excluded": set(public.excluded),
        "can_choose": policy.may(role, appraisal.status, Change.RECORD_SETTINGS),
        "errors": publish_errors(page_forms),
        "reason_forms": {name: page_forms[name] for name in REASONS},
        "title": gettext("Publish this decision record"),
    }


# --- the public register ----------------------------------------------------------------------
# Public pages show what was published, exactly: each live publication's stored document.


def register_entry(publication: Publication) -> dict[str, Any]:
    document = publication.document
    return {
        "title": document["project"]["title"],
        "stage_name": document["appraisal"]["stage_name"],
        "decision": document["decision"]["name"] if document["decision"] else "",
        "organisation": document["organisation"]["name"],
        "organisation_id": publication.organisation_id,
        "published_at": publication.published_at,
        # In the page's language: "2 December 2026", "2 Rhagfyr 2026".
        "published_on": date_format(publication.published_at, "j F Y"),
        "url": reverse("public-record", args=[publication.appraisal_id]),
    }


def public_record_page(publication: Publication) -> dict[str, Any]:
    record = render_json.from_dict(publication.document)
    return {
        "publication": publication,
        "entry": register_entry(publication),
        "record": in_language(record, current()),  # the framework's words in the page's language
        # Cached by the stored document's hash (and language): a publication never changes.
        "body": files.page_body(files.rendered(record, publication.document)),
        "title": record.title,
    }


def document_bytes(publication: Publication) -> bytes:
    """The published document as served: its canonical JSON, whose SHA-256 is the hash
    recorded in the audit trail when it was published."""
    return canonical_json(publication.document).encode("utf-8")


def feed(request: HttpRequest, publications: Any) -> dict[str, Any]:
    records = [
        {
            "url": request.build_absolute_uri(reverse("public-record", args=[p.appraisal_id])),
            "json": request.build_absolute_uri(reverse("public-record-json", args=[p.appraisal_id])),
            "organisation": p.document["organisation"]["name"],
            "published_at": p.published_at.isoformat(timespec="seconds"),
            "document_hash": p.document_hash,
            "record": p.document,
        }
        for p in publications
    ]
    return {
        "title": "Trustworthy Innovation: published decision records",
        "schema": reverse("record-schema"),
        "licence": "Published by each organisation named in its records.",
        "records": records,
    }
