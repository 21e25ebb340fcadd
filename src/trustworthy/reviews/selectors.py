"""Reads for review pages, scoped through the appraisal the caller has already found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from trustworthy.appraisals.models import Appraisal
from trustworthy.core.models import AuditEvent

from .models import Comment, SectionReview, StatusChange


@dataclass(frozen=True)
class Thread:
    comment: Comment
    replies: tuple[Comment, ...]


def threads(appraisal: Appraisal, target: str | None = None) -> list[Thread]:
    """Comments as threads (a comment and its replies), for one target or all."""
    if target is not None:
        return threads_for_targets(appraisal, [target])
    query = Comment.objects.filter(appraisal=appraisal).select_related("author", "resolved_by")
    replies: dict[int, list[Comment]] = defaultdict(list)
    roots: list[Comment] = []
    for comment in query.order_by("created_at", "id"):
        (replies[comment.parent_id] if comment.parent_id else roots).append(comment)
    return [Thread(c, tuple(replies[c.pk])) for c in roots]


def threads_by_target(appraisal: Appraisal, targets: Sequence[str]) -> dict[str, list[Thread]]:
    """Threads for several targets at once (one query), e.g. every row of a register."""
    out: dict[str, list[Thread]] = {t: [] for t in targets}
    for thread in threads_for_targets(appraisal, targets):
        out[thread.comment.target].append(thread)
    return out


def threads_for_targets(appraisal: Appraisal, targets: Sequence[str]) -> list[Thread]:
    query = Comment.objects.filter(appraisal=appraisal, target__in=targets).select_related(
        "author", "resolved_by"
    )
    replies: dict[int, list[Comment]] = defaultdict(list)
    roots: list[Comment] = []
    for comment in query.order_by("created_at", "id"):
        (replies[comment.parent_id] if comment.parent_id else roots).append(comment)
    return [Thread(c, tuple(replies[c.pk])) for c in roots]


def reviews_by_round(appraisal: Appraisal) -> dict[int, list[SectionReview]]:
    out: dict[int, list[SectionReview]] = defaultdict(list)
    for review in SectionReview.objects.filter(appraisal=appraisal).select_related("reviewer"):
        out[review.round].append(review)
    return dict(out)


def status_history(appraisal: Appraisal) -> list[StatusChange]:
    return list(StatusChange.objects.filter(appraisal=appraisal).select_related("by"))


def audit_events(appraisal: Appraisal) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(appraisal=appraisal).order_by("sequence"))
