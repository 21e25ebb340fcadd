"""What approval signs: the decision record itself, as every format renders it.

The signed content is the canonical decision-record document (the one rendered as HTML,
PDF, Word and JSON), less the moment it was generated and the two hashes that are written
after signing, together with the review that led to it: the status changes, the reviewers'
verdicts and the comments. `audit verify` rebuilds it from the database and compares.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects

from trustworthy.appraisals import readiness
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    Decision,
    Participation,
    PrincipleRating,
    RegisterRow,
)
from trustworthy.appraisals.selectors import AppraisalData
from trustworthy.core.audit import digest
from trustworthy.reviews.models import Comment, SectionReview, StatusChange
from trustworthy.voices.models import Response, Theme

from . import render_json
from .document import DecisionRecord, build_record
from .models import RecordSettings
from .services import record_for, summary_of


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def signed_content(appraisal: Appraisal) -> dict[str, Any]:
    return _content(
        appraisal,
        record_for(appraisal),
        StatusChange.objects.filter(appraisal=appraisal).order_by("at", "id"),
        SectionReview.objects.filter(appraisal=appraisal).order_by("round", "section_id", "reviewer_id"),
        Comment.objects.filter(appraisal=appraisal).order_by("id"),
    )


def _content(
    appraisal: Appraisal,
    record: DecisionRecord,
    changes: Iterable[StatusChange],
    verdicts: Iterable[SectionReview],
    comments: Iterable[Comment],
) -> dict[str, Any]:
    """The record's document and the review that led to it (each in the order given)."""
    document = render_json.to_dict(record)
    document.pop("generated_at", None)
    document["sign_off"].pop("record_hash", None)
    document["sign_off"].pop("approved_audit_head", None)
    review = {
        "approved_by": appraisal.approved_by_id,
        "approved_at": _iso(appraisal.approved_at),
        "status_changes": [
            [c.from_status, c.to_status, c.by_id, c.reason, c.round, _iso(c.at)] for c in changes
        ],
        "verdicts": [[r.round, r.section_id, r.reviewer_id, r.verdict, r.comment] for r in verdicts],
        "comments": [
            [
                c.pk,
                c.target,
                c.parent_id,
                c.author_id,
                c.text,
                _iso(c.created_at),
                _iso(c.resolved_at),
                c.resolved_by_id,
            ]
            for c in comments
        ],
    }
    return {"record": document, "review": review}


def record_hash(appraisal: Appraisal) -> str:
    """SHA-256 of the signed content: anyone holding the record and its review can check it."""
    return digest(signed_content(appraisal))


# --- many at once -----------------------------------------------------------------------------
#
# Signing a whole portfolio at once (the national demo) one `signed_content` at a time costs
# twenty queries an appraisal. `signed_contents` reads what the records of many appraisals
# hold with one query per kind of thing for the lot, then builds each record exactly as
# `record_for` and `signed_content` do, from the same `AppraisalData`. What `build_record`
# still reads for itself (the D1-D5 profile; for a post hoc evaluation, the stage it looks
# back on) is read for each appraisal, as approval reads it. The result is equal, appraisal
# by appraisal, to `signed_content` (tests/programmes/test_national.py).


def _grouped(query: QuerySet[Any]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for item in query:
        found[item.appraisal_id].append(item)
    return found


def _loaded(appraisals: Sequence[Appraisal]) -> dict[int, AppraisalData]:
    """`load_appraisal` of each appraisal, in five queries for the lot. Who changed an
    answer or a row last, when, and its lock version are not part of a record: they are
    left unread (read if ever asked for, which the query count in the tests would show)."""
    ids = [a.pk for a in appraisals]
    unread = ("updated_by", "updated_at", "lock_version")
    answers = _grouped(
        Answer.objects.filter(appraisal_id__in=ids).defer(*unread).order_by("appraisal_id", "id")
    )
    rows = _grouped(
        RegisterRow.objects.filter(appraisal_id__in=ids)
        .defer("created_at", "updated_at", "lock_version")
        .order_by("appraisal_id", "created_at", "id")
    )
    ratings = _grouped(PrincipleRating.objects.filter(appraisal_id__in=ids).order_by("appraisal_id", "id"))
    participation = _grouped(
        Participation.objects.filter(appraisal_id__in=ids)
        .defer("lock_version")
        .order_by("appraisal_id", "id")
    )
    decisions = {
        d.appraisal_id: d
        for d in Decision.objects.filter(appraisal_id__in=ids).select_related("recorded_by").order_by("pk")
    }
    loaded = {}
    for appraisal in appraisals:
        by_register: dict[str, list[RegisterRow]] = defaultdict(list)
        for row in rows.get(appraisal.pk, []):
            by_register[row.register].append(row)
        loaded[appraisal.pk] = AppraisalData(
            appraisal=appraisal,
            framework=framework_for(appraisal.framework_id, appraisal.framework_version),
            answers={a.key: a for a in answers.get(appraisal.pk, [])},
            rows=dict(by_register),
            ratings={(r.aspect, r.principle_id): r for r in ratings.get(appraisal.pk, [])},
            participation={p.stakeholder: p for p in participation.get(appraisal.pk, [])},
            decision=decisions.get(appraisal.pk),
        )
    readiness.preload(loaded.values())  # their readiness for innovation, in one more query
    return loaded


def _with_voices(ids: list[int]) -> set[int]:
    """The appraisals whose record has a section from consultations: those with a response or
    a theme (`document._voices` leaves the section out of any other)."""
    return set(Response.objects.filter(appraisal_id__in=ids).values_list("appraisal_id", flat=True)) | set(
        Theme.objects.filter(appraisal_id__in=ids).values_list("appraisal_id", flat=True)
    )


def signed_contents(appraisals: Sequence[Appraisal]) -> dict[int, dict[str, Any]]:
    """`signed_content` of each of these appraisals (as the instances stand), by id."""
    appraisals = list(appraisals)
    ids = [a.pk for a in appraisals]
    prefetch_related_objects(
        appraisals, "project", "organisation", "approved_by", "interests",
        "screening__screened_by", "screening__full_required_by",
    )  # fmt: skip
    drafts = [a for a in appraisals if a.status != "approved"]  # their record shows the live project
    prefetch_related_objects(drafts, "project__motivations")
    loaded = _loaded(appraisals)
    summaries = dict(
        RecordSettings.objects.filter(appraisal_id__in=ids).values_list("appraisal_id", "summary")
    )
    voices = _with_voices(ids)
    changes = _grouped(StatusChange.objects.filter(appraisal_id__in=ids).order_by("appraisal_id", "at", "id"))
    verdicts = _grouped(
        SectionReview.objects.filter(appraisal_id__in=ids).order_by(
            "appraisal_id", "round", "section_id", "reviewer_id"
        )
    )
    comments = _grouped(Comment.objects.filter(appraisal_id__in=ids).order_by("appraisal_id", "id"))
    contents = {}
    for appraisal in appraisals:
        pk = appraisal.pk
        # As `record_for`: `build_record`, then the lead's summary or the draft.
        record = build_record(loaded[pk]) if pk in voices else build_record(loaded[pk], voices=None)
        summary = summary_of(appraisal, record, summaries.get(pk) or "")
        contents[pk] = _content(
            appraisal,
            replace(record, summary=summary),
            changes.get(pk, []),
            verdicts.get(pk, []),
            comments.get(pk, []),
        )
    return contents
