"""What approval signs: the decision record itself, as every format renders it.

The signed content is the canonical decision-record document (the one rendered as HTML,
PDF, Word and JSON), less the moment it was generated and the two hashes that are written
after signing, together with the review that led to it: the status changes, the reviewers'
verdicts and the comments. `audit verify` rebuilds it from the database and compares.
"""

from __future__ import annotations

import datetime
from typing import Any

from trustworthy.appraisals.models import Appraisal
from trustworthy.core.audit import digest
from trustworthy.reviews.models import Comment, SectionReview, StatusChange

from . import render_json
from .services import record_for


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def signed_content(appraisal: Appraisal) -> dict[str, Any]:
    document = render_json.to_dict(record_for(appraisal))
    document.pop("generated_at", None)
    document["sign_off"].pop("record_hash", None)
    document["sign_off"].pop("approved_audit_head", None)
    review = {
        "approved_by": appraisal.approved_by_id,
        "approved_at": _iso(appraisal.approved_at),
        "status_changes": [
            [c.from_status, c.to_status, c.by_id, c.reason, c.round, _iso(c.at)]
            for c in StatusChange.objects.filter(appraisal=appraisal).order_by("at", "id")
        ],
        "verdicts": [
            [r.round, r.section_id, r.reviewer_id, r.verdict, r.comment]
            for r in SectionReview.objects.filter(appraisal=appraisal).order_by(
                "round", "section_id", "reviewer_id"
            )
        ],
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
            for c in Comment.objects.filter(appraisal=appraisal).order_by("id")
        ],
    }
    return {"record": document, "review": review}


def record_hash(appraisal: Appraisal) -> str:
    """SHA-256 of the signed content: anyone holding the record and its review can check it."""
    return digest(signed_content(appraisal))
