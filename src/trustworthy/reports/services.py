"""Reads and writes for decision records: the record of an appraisal, its summary, what is
kept out of the public version, and publication on the public register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import QuerySet

from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.selectors import AppraisalData, load_appraisal
from trustworthy.core import audit
from trustworthy.core.personal_data import find_personal_data
from trustworthy.organisations.models import Organisation, User

from . import render_json
from .document import DecisionRecord, Summary, build_record, make_public
from .models import Publication, RecordSettings
from .summary import draft_summary


class RecordError(Exception):
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
    summary = Summary(settings.summary, True) if settings.summary else Summary(draft_summary(record), False)
    record = replace(record, summary=summary)
    return make_public(record, settings.not_for_publication) if public else record


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()


@transaction.atomic
def save_summary(*, appraisal: Appraisal, user: User | None, text: str) -> RecordSettings:
    """Keep the lead's summary; blank goes back to the draft. Locked once approved."""
    if appraisal.is_locked:
        raise RecordError("This appraisal is approved, so its summary can no longer be changed.")
    settings, _ = RecordSettings.objects.select_for_update().get_or_create(appraisal=appraisal)
    before = settings.summary
    settings.summary = _clean(text)
    settings.summary_updated_by = user
    settings.summary_updated_at = datetime.datetime.now(tz=datetime.UTC)
    settings.save()
    audit.record(
        appraisal, actor=user, action="summary.saved", target="summary", before=before, after=settings.summary
    )
    return settings


@transaction.atomic
def set_not_for_publication(*, appraisal: Appraisal, user: User | None, keys: list[str]) -> RecordSettings:
    if Publication.objects.filter(appraisal=appraisal).exists():
        raise RecordError("This record is already published; what it shows can no longer be changed.")
    known = {key for key, _, _ in record_for(appraisal).free_text()}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise RecordError("Choose items from the list.")
    settings, _ = RecordSettings.objects.select_for_update().get_or_create(appraisal=appraisal)
    before = list(settings.not_for_publication)
    settings.not_for_publication = sorted(set(keys))
    settings.save()
    audit.record(
        appraisal, actor=user, action="publication.exclusions", target="record",
        before=before, after=settings.not_for_publication,
    )  # fmt: skip
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


@transaction.atomic
def publish(*, appraisal: Appraisal, user: User) -> Publication:
    Appraisal.objects.select_for_update().only("id").get(pk=appraisal.pk)
    if Publication.objects.filter(appraisal=appraisal).exists():
        raise RecordError("This record is already published.")
    public = record_for(appraisal, public=True)
    problems = publication_problems(appraisal, public)
    if problems:
        raise RecordError("This record cannot be published yet. " + " ".join(problems))
    publication = Publication.objects.create(
        appraisal=appraisal,
        organisation_id=appraisal.organisation_id,
        title=public.project.title,
        decision=public.decision.decision if public.decision else "",
        document=render_json.to_dict(public),
        published_by=user,
    )
    audit.record(
        appraisal,
        actor=user,
        action="record.published",
        target="record",
        after={"publication": publication.pk},
    )
    return publication


def published(*, organisation: Organisation | None = None) -> QuerySet[Publication]:
    query = Publication.objects.select_related("organisation", "appraisal")
    return query.filter(organisation=organisation) if organisation else query
