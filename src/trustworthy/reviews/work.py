""" "Your work": what is waiting for the signed-in person in their current organisation.

Each kind of item is one query (two for the appraisals in review, which reviewers and
approvers share), whatever the number of items: pages stay fast as an organisation's
work grows. Which kinds a person sees follows from what their role may do (the change
policy and the permissions table), never from a list of role names kept here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from trustworthy.appraisals import policy
from trustworthy.appraisals.models import Answer, Appraisal, Decision
from trustworthy.appraisals.policy import Change
from trustworthy.core.urls import reverse
from trustworthy.organisations.models import Membership, User

from .models import Comment, SectionReview, StatusChange, Verdict

# A decision's review shows this many days before it falls due.
REVIEW_NOTICE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Item:
    """One thing to do: what it is about, where to do it, and what to say about it."""

    title: str  # the project
    stage: str
    url: str
    action: str  # the link's words: what to do there
    detail: str = ""
    quote: str = ""  # a reason or a comment, in the words of the person who wrote it
    urgent: bool = False


@dataclass
class Group:
    key: str
    heading: str
    empty: str
    items: list[Item] = field(default_factory=list)


@dataclass
class YourWork:
    organisation: str
    role: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def _date(day: datetime.date | datetime.datetime) -> str:
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return f"{day:%-d %B %Y}"


def _round() -> Any:
    """The appraisal's current review round: rounds are counted by submissions."""
    submissions = (
        StatusChange.objects.filter(appraisal=OuterRef("pk"), to_status=policy.IN_REVIEW)
        .order_by()
        .values("appraisal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(submissions, output_field=IntegerField()), 0)


def _in_review(organisation_id: int) -> list[Appraisal]:
    return list(
        Appraisal.objects.filter(organisation_id=organisation_id, status=policy.IN_REVIEW)
        .select_related("project")
        .defer("signed_content", "approved_snapshot")
        .annotate(
            review_round=_round(),
            decided=Exists(Decision.objects.filter(appraisal=OuterRef("pk"))),
        )
        .order_by("updated_at", "pk")
    )


def _verdicts(appraisals: list[Appraisal]) -> dict[int, list[tuple[int, str, str]]]:
    """Each appraisal's verdicts in its current round: (reviewer, section, verdict)."""
    rounds = {a.pk: a.review_round for a in appraisals}
    found: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    if not rounds:
        return found
    rows = SectionReview.objects.filter(appraisal_id__in=rounds).values_list(
        "appraisal_id", "round", "reviewer_id", "section_id", "verdict"
    )
    for appraisal_id, round_, reviewer_id, section_id, verdict in rows:
        if round_ == rounds[appraisal_id]:
            found[appraisal_id].append((reviewer_id, section_id, verdict))
    return found


def reviews_to_do(
    user: User, appraisals: list[Appraisal], verdicts: dict[int, list[tuple[int, str, str]]]
) -> Group:
    group = Group("reviews", "Reviews to do", "No appraisals are waiting for your review.")
    for appraisal in appraisals:
        if any(reviewer == user.pk for reviewer, _, _ in verdicts.get(appraisal.pk, [])):
            continue
        group.items.append(
            Item(
                title=appraisal.project.title,
                stage=appraisal.stage_name,
                url=reverse("appraisal-review", args=[appraisal.pk]),
                action="Review this appraisal",
                detail=f"Sent for review (round {appraisal.review_round}).",
            )
        )
    return group


def decisions_to_sign(appraisals: list[Appraisal], verdicts: dict[int, list[tuple[int, str, str]]]) -> Group:
    """Appraisals in review with a verdict on every section in this round."""
    group = Group("decisions", "Decisions to sign", "No decisions are waiting for you to sign.")
    for appraisal in appraisals:
        given = verdicts.get(appraisal.pk, [])
        reviewed = {section for _, section, _ in given}
        if not reviewed >= {s.id for s in appraisal.edition.sections}:
            continue
        acceptable = all(verdict == Verdict.ACCEPTABLE for _, _, verdict in given)
        if not acceptable:
            detail = "Every section has a verdict, but a reviewer found a section needs work."
        elif appraisal.decided:
            detail = "Every section is reviewed and acceptable, and the decision is recorded."
        else:
            detail = "Every section is reviewed and acceptable. Record the decision, then sign it."
        if not acceptable:
            url, action = reverse("appraisal-review", args=[appraisal.pk]), "See the reviews"
        elif appraisal.decided:
            url, action = reverse("appraisal-step", args=[appraisal.pk, "approve"]), "Approve and sign"
        else:
            url, action = reverse("appraisal-decision", args=[appraisal.pk]), "Record the decision"
        group.items.append(
            Item(appraisal.project.title, appraisal.stage_name, url, action, detail, urgent=acceptable)
        )
    return group


def changes_requested(user: User, organisation_id: int, role: str) -> Group:
    """Appraisals sent back with changes wanted that the person leads or contributes to:
    all of them for those who may send them back for review, otherwise those they
    started or answered something in. The reason is the latest request's."""
    group = Group("changes", "Changes requested", "No appraisals you work on have changes requested.")
    requests = StatusChange.objects.filter(
        appraisal__organisation_id=organisation_id,
        appraisal__status=policy.CHANGES_REQUESTED,
        to_status=policy.CHANGES_REQUESTED,
    )
    if not policy.role_allows(role, Change.SUBMIT):
        answered = Answer.objects.filter(appraisal_id=OuterRef("appraisal_id"), updated_by=user)
        requests = requests.filter(Q(appraisal__created_by=user) | Exists(answered))
    seen: set[int] = set()
    for change in requests.select_related("by", "appraisal__project").order_by("-at", "-pk"):
        if change.appraisal_id in seen:
            continue
        seen.add(change.appraisal_id)
        group.items.append(
            Item(
                title=change.appraisal.project.title,
                stage=change.appraisal.stage_name,
                url=reverse("appraisal-tasks", args=[change.appraisal_id]),
                action="Make the changes",
                detail=f"{change.by} asked for changes on {_date(change.at)}:",
                quote=change.reason,
                urgent=True,
            )
        )
    return group


def comments_to_answer(user: User, organisation_id: int) -> Group:
    """Unresolved comments by others on questions the person answered, where the last word
    in the thread is not theirs, on appraisals that still take comments."""
    group = Group(
        "comments", "Comments on your answers", "No comments on your answers are waiting for a reply."
    )
    answered = Answer.objects.filter(
        appraisal_id=OuterRef("appraisal_id"), question_id=OuterRef("target"), updated_by=user
    )
    last_reply = (
        Comment.objects.filter(parent=OuterRef("pk")).order_by("-created_at", "-pk").values("author_id")
    )
    comments = (
        Comment.objects.filter(
            appraisal__organisation_id=organisation_id,
            appraisal__status__in=policy.OPEN,
            parent__isnull=True,
            resolved_at__isnull=True,
        )
        .exclude(author=user)
        .filter(Exists(answered))
        .annotate(last_reply_by=Subquery(last_reply[:1]))
        .select_related("author", "appraisal__project")
        .order_by("created_at", "pk")
    )
    for comment in comments:
        if comment.last_reply_by == user.pk:
            continue
        appraisal = comment.appraisal
        edition = appraisal.edition
        question = edition.question(comment.target) if edition.has_question(comment.target) else None
        url = reverse("appraisal-question", args=[appraisal.pk, comment.target])
        group.items.append(
            Item(
                title=appraisal.project.title,
                stage=appraisal.stage_name,
                url=f"{url}#comments-heading-{comment.target}",
                action=f"Reply about {comment.target}" + (f": {question.label}" if question else ""),
                detail=f"{comment.author} commented on {_date(comment.created_at)}:",
                quote=comment.text,
            )
        )
    return group


def reviews_due(user: User, organisation_id: int, role: str, today: datetime.date) -> Group:
    """Signed decisions due for review within REVIEW_NOTICE (or overdue) whose project has
    not moved on since: all of them for those who may start a new version, otherwise the
    ones the person started or signed."""
    group = Group("due", "Decision reviews due", "No decisions are due for review in the next 30 days.")
    newer = Appraisal.objects.filter(project_id=OuterRef("project_id"), created_at__gt=OuterRef("created_at"))
    due = (
        Appraisal.objects.filter(
            organisation_id=organisation_id, status=policy.APPROVED, review_date__lte=today + REVIEW_NOTICE
        )
        .exclude(Exists(newer))
        .select_related("project")
        .defer("signed_content", "approved_snapshot")
        .order_by("review_date", "pk")
    )
    if not policy.role_allows(role, Change.NEW_VERSION):
        due = due.filter(Q(created_by=user) | Q(approved_by=user))
    for appraisal in due:
        assert appraisal.review_date is not None
        overdue = appraisal.review_date < today
        when = "was due" if overdue else "is due"
        group.items.append(
            Item(
                title=appraisal.project.title,
                stage=appraisal.stage_name,
                url=reverse("project-detail", args=[appraisal.project_id]),
                action="Review the decision",
                detail=f"The decision’s review {when} on {_date(appraisal.review_date)}. "
                "Start the next stage or a new version.",
                urgent=overdue,
            )
        )
    return group


def your_work(membership: Membership, user: User, today: datetime.date | None = None) -> YourWork:
    """The groups this person's role may act on, each with its items (perhaps none)."""
    today = today or timezone.localdate()
    organisation_id, role = membership.organisation_id, membership.role
    groups: list[Group] = []
    may_review = policy.role_allows(role, Change.REVIEW)
    may_approve = policy.role_allows(role, Change.APPROVE)
    if may_review or may_approve:
        in_review = _in_review(organisation_id)
        verdicts = _verdicts(in_review)
        if may_review:
            groups.append(reviews_to_do(user, in_review, verdicts))
        if may_approve:
            groups.append(decisions_to_sign(in_review, verdicts))
    if policy.role_allows(role, Change.ANSWER):
        groups.append(changes_requested(user, organisation_id, role))
        groups.append(comments_to_answer(user, organisation_id))
    due = reviews_due(user, organisation_id, role, today)
    # Everyone is shown the decisions they started or signed; only those who may start a
    # new version are told, when there are none, that none are due.
    if due.items or policy.role_allows(role, Change.NEW_VERSION):
        groups.append(due)
    return YourWork(
        organisation=membership.organisation.name, role=membership.get_role_display(), groups=groups
    )
