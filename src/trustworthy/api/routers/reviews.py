"""Review and sign-off: workflow steps, section reviews, comments and new versions."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from trustworthy.appraisals import policy
from trustworthy.appraisals.policy import Change
from trustworthy.core.errors import Invalid
from trustworthy.core.models import AuditEvent
from trustworthy.reviews import services
from trustworthy.reviews.models import Comment, SectionReview

from .. import scope
from ..fields import (
    CursorQuery,
    FrameworkId,
    LimitQuery,
    LongText,
    ObjectId,
    PathId,
    PathKey,
    check_personal_data,
)
from ..pagination import DEFAULT_LIMIT, page
from ..schemas import Confirmable, Page
from .appraisals import AppraisalOut, appraisal_out

router = Router(tags=["Review and sign-off"])


class StepIn(Confirmable):
    reason: LongText = Field("", description="Required to request changes or withdraw.")


@router.post(
    "/{appraisal_id}/transitions/{name}",
    response=AppraisalOut,
    summary="Take a workflow step",
)
def take_step(request: HttpRequest, appraisal_id: PathId, name: PathKey, data: StepIn) -> Any:
    """`submit` (leads), `request-changes` (reviewers), `approve` (approvers: signs the
    record), `withdraw` (leads). 409 when the appraisal's status does not allow it."""
    step = policy.TRANSITIONS.get(name)
    if step is None:
        raise Http404
    appraisal, _ = scope.appraisal(request, appraisal_id, step.change)
    check_personal_data(data.confirm_personal_data, {"reason": data.reason})
    services.transition(appraisal=appraisal, name=step.name, user=request.user, reason=data.reason)
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return appraisal_out(request, appraisal)


class VerdictIn(Schema):
    verdict: Literal["acceptable", "needs-work", "not-acceptable"]
    comment: LongText = ""


class ReviewIn(Confirmable):
    verdicts: Annotated[dict[FrameworkId, VerdictIn], Field(max_length=20)] = Field(
        description="A verdict for every section of the framework, by section id."
    )


class SectionReviewOut(Schema):
    round: int
    section_id: str
    reviewer: str
    verdict: str
    comment: str
    at: datetime.datetime


def _reviews(appraisal_id: int) -> list[dict[str, Any]]:
    reviews = SectionReview.objects.filter(appraisal_id=appraisal_id).select_related("reviewer")
    return [
        {"round": r.round, "section_id": r.section_id, "reviewer": str(r.reviewer), "verdict": r.verdict,
         "comment": r.comment, "at": r.at}
        for r in reviews.order_by("round", "section_id", "id")
    ]  # fmt: skip


@router.get("/{appraisal_id}/reviews", response=list[SectionReviewOut], summary="Read the section reviews")
def list_reviews(request: HttpRequest, appraisal_id: PathId) -> list[dict[str, Any]]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return _reviews(appraisal.pk)


@router.post("/{appraisal_id}/reviews", response=list[SectionReviewOut], summary="Review every section")
def review_sections(request: HttpRequest, appraisal_id: PathId, data: ReviewIn) -> list[dict[str, Any]]:
    """Reviewers, while the appraisal is in review: a verdict on every section, with a
    comment on any that is not acceptable."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.REVIEW)
    sections = {s.id for s in scope.edition(appraisal).sections}
    if set(data.verdicts) != sections:
        raise Invalid(f"Give a verdict on every section: {', '.join(sorted(sections))}.")
    check_personal_data(data.confirm_personal_data, {k: v.comment for k, v in data.verdicts.items()})
    verdicts = {k: (v.verdict, v.comment) for k, v in data.verdicts.items()}
    services.review_sections(appraisal=appraisal, user=request.user, verdicts=verdicts)
    return _reviews(appraisal.pk)


class CommentIn(Confirmable):
    target: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:_-]{1,80}$")] = Field(
        description="A question id (with `:aspect` for principles), `row:<id>` or `decision`."
    )
    text: LongText
    parent: ObjectId | None = Field(None, description="The comment this replies to.")


class CommentOut(Schema):
    id: int
    target: str
    parent_id: int | None
    author: str
    text: str
    created_at: datetime.datetime
    resolved_at: datetime.datetime | None


class CommentPage(Page):
    items: list[CommentOut]


def comment_out(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk, "target": comment.target, "parent_id": comment.parent_id,
        "author": str(comment.author), "text": comment.text, "created_at": comment.created_at,
        "resolved_at": comment.resolved_at,
    }  # fmt: skip


@router.get("/{appraisal_id}/comments", response=CommentPage, summary="List comments")
def list_comments(
    request: HttpRequest, appraisal_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    appraisal, _ = scope.appraisal(request, appraisal_id)
    comments = Comment.objects.filter(appraisal=appraisal).select_related("author")
    return page(comments, cursor, limit, comment_out)


@router.post("/{appraisal_id}/comments", response={201: CommentOut}, summary="Comment or reply")
def add_comment(request: HttpRequest, appraisal_id: PathId, data: CommentIn) -> Any:
    """Anyone in the organisation, until the appraisal is signed."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.COMMENT)
    if not data.text.strip():
        raise Invalid("Enter your comment.")
    parent = get_object_or_404(Comment, pk=data.parent, appraisal=appraisal) if data.parent else None
    check_personal_data(data.confirm_personal_data, {"text": data.text})
    comment = services.add_comment(
        appraisal=appraisal, user=request.user, target=data.target, text=data.text, parent=parent
    )
    return Status(201, comment_out(comment))


@router.post(
    "/{appraisal_id}/comments/{comment_id}/resolve", response=CommentOut, summary="Mark a comment resolved"
)
def resolve_comment(request: HttpRequest, appraisal_id: PathId, comment_id: PathId) -> Any:
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.COMMENT)
    comment = get_object_or_404(Comment.objects.select_related("author"), pk=comment_id, appraisal=appraisal)
    services.resolve_comment(comment=comment, user=request.user)
    return comment_out(comment)


class NewVersionIn(Confirmable):
    reason: LongText = Field(description="Why the approved appraisal needs to change.")


@router.post("/{appraisal_id}/versions", response={201: AppraisalOut}, summary="Start a new version")
def new_version(request: HttpRequest, appraisal_id: PathId, data: NewVersionIn) -> Any:
    """Leads, for an approved appraisal: the approved one stays as it was."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.NEW_VERSION)
    check_personal_data(data.confirm_personal_data, {"reason": data.reason})
    new = services.start_new_version(appraisal=appraisal, user=request.user, reason=data.reason)
    return Status(201, appraisal_out(request, scope.appraisal(request, new.pk)[0]))


# --- history -------------------------------------------------------------------------------


class EventOut(Schema):
    sequence: int | None
    at: datetime.datetime
    actor: str = Field(description="Who made the change (empty: the system).")
    action: str
    target: str
    before: Any = Field(description="The values before the change (null: none).")
    after: Any = Field(description="The values after the change (null: none).")
    reason: str
    hash: str = Field(
        description="Each event's hash covers the one before it, so the chain shows any change."
    )


class EventPage(Page):
    items: list[EventOut]


def event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence, "at": event.at, "actor": event.actor_name, "action": event.action,
        "target": event.target, "before": event.before, "after": event.after, "reason": event.reason,
        "hash": event.hash,
    }  # fmt: skip


@router.get("/{appraisal_id}/history", response=EventPage, summary="Read the appraisal's history")
def list_history(
    request: HttpRequest, appraisal_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Every change to the appraisal, oldest first, as its history page shows them."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return page(AuditEvent.objects.filter(appraisal=appraisal), cursor, limit, event_out)
