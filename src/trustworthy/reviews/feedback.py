"""What the review asks of an appraisal, handed to the appraisal pages (a lower layer) through
`appraisals.extensions`: the latest request for changes with the verdicts of its round, the
comments nobody has resolved, and what stands in the way of each step of the workflow."""

from __future__ import annotations

from trustworthy.appraisals import policy
from trustworthy.appraisals.extensions import ReviewSide
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.selectors import AppraisalData
from trustworthy.appraisals.weighing import ChangesRequest, OpenComment, SectionVerdict

from . import services
from .models import Comment, SectionReview, StatusChange, Verdict


def changes_request(appraisal: Appraisal) -> ChangesRequest | None:
    """The latest request for changes, while the appraisal waits for them (two queries)."""
    if appraisal.status != policy.CHANGES_REQUESTED:
        return None
    change = (
        StatusChange.objects.filter(appraisal=appraisal, to_status=policy.CHANGES_REQUESTED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )
    if change is None:
        return None
    reviews = SectionReview.objects.filter(appraisal=appraisal, round=change.round).select_related("reviewer")
    verdicts = tuple(
        SectionVerdict(
            section_id=r.section_id,
            reviewer=str(r.reviewer),
            verdict=r.verdict,
            label=r.get_verdict_display(),
            comment=r.comment,
            acceptable=r.verdict == Verdict.ACCEPTABLE,
        )
        for r in reviews.order_by("section_id", "at", "pk")
    )
    return ChangesRequest(
        by=str(change.by), at=change.at, reason=change.reason, round=change.round, verdicts=verdicts
    )


def open_comments(appraisal: Appraisal) -> list[OpenComment]:
    """Comments (not replies) nobody has marked as resolved, oldest first (one query)."""
    comments = Comment.objects.filter(appraisal=appraisal, parent__isnull=True, resolved_at__isnull=True)
    return [
        OpenComment(id=c.pk, target=c.target, author=str(c.author), text=c.text, created_at=c.created_at)
        for c in comments.select_related("author").order_by("created_at", "pk")
    ]


def step_problems(appraisal: Appraisal, step: str, data: AppraisalData) -> list[str]:
    """What stands in the way of a step, to show before anyone tries it. Approval depends on
    the appraisal's content and its review only, so it is worked out once for each state of
    it; sending for review also asks about consultations, which close by date."""
    if step == policy.Change.SUBMIT.value:
        return services.submission_problems(appraisal, data)
    if step == policy.Change.APPROVE.value:
        problems: list[str] = data.once(
            "approval problems", lambda: services.approval_problems(appraisal, data)
        )
        return problems
    return []


REVIEW_SIDE = ReviewSide(
    changes_request=changes_request, open_comments=open_comments, step_problems=step_problems
)
