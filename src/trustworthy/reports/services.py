"""Reads and writes for decision records: the record of an appraisal, its summary, what is
kept out of the public version, and publication on the public register."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from trustworthy.appraisals.evaluation import EVALUATION_STAGE
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change, changing
from trustworthy.appraisals.selectors import AppraisalData, content_state, evaluation_baseline, load_appraisal
from trustworthy.core.audit import digest
from trustworthy.core.errors import Invalid
from trustworthy.core.language import current
from trustworthy.core.personal_data import find_personal_data
from trustworthy.organisations.models import Organisation, User

from . import files, render_json
from .document import DecisionRecord, Summary, build_record, make_public
from .models import Publication, RecordSettings
from .summary import draft_summary


class RecordError(Invalid):
    """A change to a record was refused; the message is written for the person who asked."""


def settings_for(appraisal: Appraisal) -> RecordSettings:
    found = RecordSettings.objects.filter(appraisal=appraisal).first()
    return found or RecordSettings(appraisal=appraisal)


def record_for(
    appraisal: Appraisal, *, public: bool = False, data: AppraisalData | None = None
) -> DecisionRecord:
    """The decision record of an appraisal, with its summary (the lead's, or the draft)."""
    data = data or load_appraisal(appraisal)
    settings = settings_for(appraisal)
    record = build_record(data)
    record = replace(record, summary=summary_of(appraisal, record, settings.summary))
    return make_public(record, settings.not_for_publication) if public else record


def summary_of(appraisal: Appraisal, record: DecisionRecord, chosen: str) -> Summary:
    """The lead's summary if they wrote one; else the draft the record was signed with, once
    approved (so a later change to how drafts are written never changes a signed record);
    else a draft written now."""
    if chosen:
        return Summary(chosen, True)
    signed = signed_draft(appraisal)
    return Summary(signed, False) if signed is not None else Summary(draft_summary(record), False)


def signed_draft(appraisal: Appraisal) -> str | None:
    """The draft summary in the content signed at approval, if the record was signed with one."""
    if appraisal.status != "approved":
        return None
    if "signed_content" in appraisal.get_deferred_fields():  # pages leave the signed copy out
        found = (
            Appraisal.objects.filter(pk=appraisal.pk)
            .values_list("signed_content__record__summary", flat=True)
            .first()
        )
    else:
        content = appraisal.signed_content
        record = content.get("record") if isinstance(content, dict) else None
        found = record.get("summary") if isinstance(record, dict) else None
    if isinstance(found, dict) and not found.get("edited") and isinstance(found.get("text"), str):
        return str(found["text"])
    return None


# --- the record a page or a download shows ----------------------------------------------------
#
# Building a record costs a dozen queries and hashing its document; the record page and the
# downloads need it on every request, though a record changes only when someone changes the
# appraisal. Each worker keeps the records it built most recently, keyed by everything a
# record shows: the appraisal's content state (`content_state`: every change to the appraisal
# or anything in it, summary and record settings included, goes through the gate and moves
# it), the project's lock version (its details and motivations), the organisation's name and
# the previous stage's state. A change made in another worker moves the key; a change saved
# in this worker without the gate (a shell, a test) empties the store (see below).

RECENT_RECORDS = 32
_records: OrderedDict[int, tuple[tuple[Any, ...], files.Rendered]] = OrderedDict()
_records_lock = threading.Lock()


def _record_state(appraisal: Appraisal) -> tuple[Any, ...]:
    previous = appraisal.previous
    # A post hoc evaluation shows the expectations of the stage it looks back on, which a
    # newer approval elsewhere in the project can change.
    baseline = evaluation_baseline(appraisal) if appraisal.stage == EVALUATION_STAGE else None
    return (
        content_state(appraisal),
        appraisal.project_id,
        appraisal.project.lock_version,
        appraisal.organisation.name,
        None if previous is None else content_state(previous),
        None if baseline is None else content_state(baseline),
    )


def record_to_show(appraisal: Appraisal) -> files.Rendered:
    """`record_for(appraisal)` with its document, built once per state of the record by each
    worker; produced now (`generated_at`)."""
    # An unsigned draft of the family summary is written in the page's language.
    state = (*_record_state(appraisal), current())
    with _records_lock:
        entry = _records.get(appraisal.pk)
        kept = entry[1] if entry is not None and entry[0] == state else None
        if kept is not None:
            _records.move_to_end(appraisal.pk)
    if kept is None:
        kept = files.rendered(record_for(appraisal))
        with _records_lock:
            _records[appraisal.pk] = (state, kept)
            while len(_records) > RECENT_RECORDS:
                _records.popitem(last=False)
    return kept.produced(datetime.datetime.now(tz=datetime.UTC))


def forget_records(**_: Any) -> None:
    with _records_lock:
        _records.clear()


_RECORD_APPS = {"appraisals", "organisations", "reports", "reviews", "voices"}


def _forget_on_save(sender: type[Model], **kwargs: Any) -> None:
    if sender._meta.app_label in _RECORD_APPS:
        forget_records()


post_save.connect(_forget_on_save, dispatch_uid="reports-forget-records-on-save")
post_delete.connect(_forget_on_save, dispatch_uid="reports-forget-records-on-delete")


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()


def save_summary(*, appraisal: Appraisal, user: User | None, text: str) -> RecordSettings:
    """Keep the lead's summary; blank goes back to the draft. Locked once approved."""
    with changing(appraisal, Change.SUMMARY, actor=user) as change:
        settings, _ = RecordSettings.objects.select_for_update().get_or_create(appraisal=appraisal)
        before = settings.summary
        settings.summary = _clean(text)
        settings.summary_updated_by = user
        settings.summary_updated_at = datetime.datetime.now(tz=datetime.UTC)
        settings.save()
        change.record("summary.saved", target="summary", before=before, after=settings.summary)
    return settings


def set_not_for_publication(*, appraisal: Appraisal, user: User | None, keys: list[str]) -> RecordSettings:
    """Choose what the public version leaves out. A live publication keeps what it showed
    until it is replaced."""
    known = {key for key, _, _ in record_for(appraisal).free_text()}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise RecordError("Choose items from the list.")
    with changing(appraisal, Change.RECORD_SETTINGS, actor=user) as change:
        settings, _ = RecordSettings.objects.select_for_update().get_or_create(appraisal=appraisal)
        before = list(settings.not_for_publication)
        settings.not_for_publication = sorted(set(keys))
        settings.save()
        change.record(
            "publication.exclusions", target="record", before=before, after=settings.not_for_publication
        )
    return settings


@dataclass(frozen=True)
class PersonalDataProblem:
    key: str
    where: str
    text: str
    message: str


def personal_data_in(record: DecisionRecord) -> list[PersonalDataProblem]:
    """Every piece of free text in the record that looks like personal data, and where."""
    return [
        PersonalDataProblem(key, where, finding.text, finding.message)
        for key, where, text in record.free_text()
        for finding in find_personal_data(text)
    ]


def publication_problems(appraisal: Appraisal, public: DecisionRecord | None = None) -> list[str]:
    problems = []
    if appraisal.status != "approved":
        problems.append("Only an approved decision record can be published. This one is not approved yet.")
    public = public or record_for(appraisal, public=True)
    problems += [f"{p.where}: “{p.text}” {p.message}." for p in personal_data_in(public)]
    return problems


def live_publication(appraisal: Appraisal) -> Publication | None:
    return Publication.objects.filter(appraisal=appraisal, withdrawn_at__isnull=True).first()


def _snapshot(appraisal: Appraisal, user: User) -> Publication:
    """Check the public version as it stands and store exactly that."""
    public = record_for(appraisal, public=True)
    problems = publication_problems(appraisal, public)
    if problems:
        raise RecordError("This record cannot be published yet. " + " ".join(problems))
    document = render_json.to_dict(public)
    return Publication.objects.create(
        appraisal=appraisal,
        organisation_id=appraisal.organisation_id,
        title=public.project.title,
        decision=public.decision.decision if public.decision else "",
        document=document,
        document_hash=digest(document),
        published_by=user,
    )


def _withdraw(publication: Publication, user: User, reason: str) -> None:
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_by = user
    publication.withdrawn_reason = reason
    publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])


def _moment(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _facts(publication: Publication) -> dict[str, object]:
    """What the trail keeps of a publication, so verification can compare it exactly."""
    return {
        "publication": publication.pk,
        "document": publication.document_hash,
        "published_at": _moment(publication.published_at),
        "withdrawn_at": _moment(publication.withdrawn_at),
    }


def publish(*, appraisal: Appraisal, user: User) -> Publication:
    with changing(appraisal, Change.PUBLICATION, actor=user) as change:
        if live_publication(appraisal):
            raise RecordError("This record is already published. To change what it shows, replace it.")
        publication = _snapshot(change.appraisal, user)
        change.record("record.published", target="record", after=_facts(publication))
    return publication


def replace_publication(*, appraisal: Appraisal, user: User, reason: str) -> Publication:
    """Publish the public version as it now stands (for example, with more left out) in
    place of the live one, which is kept, marked withdrawn."""
    if not reason.strip():
        raise RecordError("Explain why the published record is being replaced.")
    with changing(appraisal, Change.PUBLICATION, actor=user) as change:
        old = live_publication(appraisal)
        if old is None:
            raise RecordError("This record is not published, so there is nothing to replace.")
        _withdraw(old, user, reason.strip())
        publication = _snapshot(change.appraisal, user)
        change.record(
            "record.republished", target="record", before=_facts(old), after=_facts(publication),
            reason=reason.strip(),
        )  # fmt: skip
    return publication


def withdraw_publication(*, appraisal: Appraisal, user: User, reason: str) -> Publication:
    """Take a record off the public register; it is kept, marked withdrawn, with the reason."""
    if not reason.strip():
        raise RecordError("Explain why the record is being taken off the public register.")
    with changing(appraisal, Change.PUBLICATION, actor=user) as change:
        publication = live_publication(appraisal)
        if publication is None:
            raise RecordError("This record is not published.")
        _withdraw(publication, user, reason.strip())
        change.record("record.withdrawn", target="record", before=_facts(publication), reason=reason.strip())
    return publication


def published(*, organisation: Organisation | None = None) -> QuerySet[Publication]:
    """Live publications, newest first."""
    query = Publication.objects.filter(withdrawn_at__isnull=True).select_related("organisation", "appraisal")
    return query.filter(organisation=organisation) if organisation else query
