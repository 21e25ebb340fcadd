""" "Your work": what is waiting for the signed-in person in their current organisation.

A bounded number of queries, whatever the number of items, so pages stay fast as an
organisation's work grows: one finds every appraisal the groups draw on (in review, sent
back with changes, or with a decision due for review), one the verdicts of those in
review, one the comments on the person's answers and one the actions they own. Which
kinds a person sees follows from what their role may do (the change policy and the
permissions table), never from a list of role names kept here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from trustworthy.appraisals import actions, policy
from trustworthy.appraisals.models import Action, Answer, Appraisal, Decision
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


@dataclass
class Found:
    """The organisation's appraisals the groups draw on, by what is waiting on them."""

    in_review: list[Appraisal] = field(default_factory=list)
    changes: list[Appraisal] = field(default_factory=list)
    due: list[Appraisal] = field(default_factory=list)


def _appraisals(
    user: User, organisation_id: int, role: str, today: datetime.date, *, in_review: bool, changes: bool
) -> Found:
    """In one query: the appraisals in review (when `in_review`), those sent back with changes
    (when `changes`: all of them for those who may send them back for review, otherwise those
    the person started or answered something in) and signed decisions due for review within
    REVIEW_NOTICE, or overdue, whose project has not moved on since (all of them for those
    who may start a new version, otherwise those the person started or signed)."""
    newer = Appraisal.objects.filter(project_id=OuterRef("project_id"), created_at__gt=OuterRef("created_at"))
    wanted = Q(status=policy.APPROVED, review_date__lte=today + REVIEW_NOTICE) & ~Exists(newer)
    if not policy.role_allows(role, Change.NEW_VERSION):
        wanted &= Q(created_by=user) | Q(approved_by=user)
    if in_review:
        wanted |= Q(status=policy.IN_REVIEW)
    if changes:
        sent_back = Q(status=policy.CHANGES_REQUESTED)
        if not policy.role_allows(role, Change.SUBMIT):
            answered = Answer.objects.filter(appraisal_id=OuterRef("pk"), updated_by=user)
            sent_back &= Q(created_by=user) | Exists(answered)
        wanted |= sent_back
    # The latest request for changes: its reason, when and by whom.
    request = StatusChange.objects.filter(
        appraisal=OuterRef("pk"), to_status=policy.CHANGES_REQUESTED
    ).order_by("-at", "-pk")
    found = (
        Appraisal.objects.filter(wanted, organisation_id=organisation_id)
        .select_related("project")
        .defer("signed_content", "approved_snapshot")
        .annotate(
            review_round=_round(),
            decided=Exists(Decision.objects.filter(appraisal=OuterRef("pk"))),
            asked_at=Subquery(request.values("at")[:1]),
            asked_reason=Subquery(request.values("reason")[:1]),
            asked_by_name=Subquery(request.values("by__full_name")[:1]),
            asked_by_email=Subquery(request.values("by__email")[:1]),
        )
    )
    by_status: dict[str, list[Appraisal]] = defaultdict(list)
    for appraisal in found:
        by_status[appraisal.status].append(appraisal)
    return Found(
        in_review=sorted(by_status[policy.IN_REVIEW], key=lambda a: (a.updated_at, a.pk)),
        changes=sorted(
            (a for a in by_status[policy.CHANGES_REQUESTED] if a.asked_at is not None),
            key=lambda a: (a.asked_at, a.pk),
            reverse=True,
        ),
        due=sorted(by_status[policy.APPROVED], key=lambda a: (a.review_date, a.pk)),
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
    group = Group("reviews", gettext("Reviews to do"), gettext("No appraisals are waiting for your review."))
    for appraisal in appraisals:
        if any(reviewer == user.pk for reviewer, _, _ in verdicts.get(appraisal.pk, [])):
            continue
        group.items.append(
            Item(
                title=appraisal.project.title,
                stage=appraisal.stage_name,
                url=reverse("appraisal-review", args=[appraisal.pk]),
                action=gettext("Review this appraisal"),
                detail=gettext("Sent for review (round %(round)s).") % {"round": appraisal.review_round},
            )
        )
    return group


def decisions_to_sign(appraisals: list[Appraisal], verdicts: dict[int, list[tuple[int, str, str]]]) -> Group:
    """Appraisals in review with a verdict on every section in this round."""
    group = Group(
        "decisions", gettext("Decisions to sign"), gettext("No decisions are waiting for you to sign.")
    )
    for appraisal in appraisals:
        given = verdicts.get(appraisal.pk, [])
        reviewed = {section for _, section, _ in given}
        if not reviewed >= {s.id for s in appraisal.edition.sections}:
            continue
        acceptable = all(verdict == Verdict.ACCEPTABLE for _, _, verdict in given)
        if not acceptable:
            detail = gettext("Every section has a verdict, but a reviewer found a section needs work.")
        elif appraisal.decided:
            detail = gettext("Every section is reviewed and acceptable, and the decision is recorded.")
        else:
            detail = gettext("Every section is reviewed and acceptable. Record the decision, then sign it.")
        if not acceptable:
            url, action = reverse("appraisal-review", args=[appraisal.pk]), gettext("See the reviews")
        elif appraisal.decided:
            url = reverse("appraisal-step", args=[appraisal.pk, "approve"])
            action = gettext("Approve and sign")
        else:
            url, action = reverse("appraisal-decision", args=[appraisal.pk]), gettext("Record the decision")
        group.items.append(
            Item(appraisal.project.title, appraisal.stage_name, url, action, detail, urgent=acceptable)
        )
    return group


def changes_requested(appraisals: list[Appraisal]) -> Group:
    """Appraisals sent back with changes wanted that the person leads or contributes to
    (see `_appraisals`), newest request first. The reason is the latest request's."""
    group = Group(
        "changes", gettext("Changes requested"), gettext("No appraisals you work on have changes requested.")
    )
    for appraisal in appraisals:
        group.items.append(
            Item(
                title=appraisal.project.title,
                stage=appraisal.stage_name,
                url=reverse("appraisal-tasks", args=[appraisal.pk]),
                action=gettext("Make the changes"),
                # Named as the person is everywhere (User.__str__): their name, else their email.
                detail=gettext("%(who)s asked for changes on %(date)s:")
                % {
                    "who": appraisal.asked_by_name or appraisal.asked_by_email,
                    "date": _date(appraisal.asked_at),
                },
                quote=appraisal.asked_reason,
                urgent=True,
            )
        )
    return group


def comments_to_answer(user: User, organisation_id: int) -> Group:
    """Unresolved comments by others on questions the person answered, where the last word
    in the thread is not theirs, on appraisals that still take comments."""
    group = Group(
        "comments",
        gettext("Comments on your answers"),
        gettext("No comments on your answers are waiting for a reply."),
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
                action=(
                    gettext("Reply about %(question)s: %(label)s")
                    % {"question": comment.target, "label": question.label}
                    if question
                    else gettext("Reply about %(question)s") % {"question": comment.target}
                ),
                detail=gettext("%(who)s commented on %(date)s:")
                % {"who": comment.author, "date": _date(comment.created_at)},
                quote=comment.text,
            )
        )
    return group


def reviews_due(appraisals: list[Appraisal], today: datetime.date) -> Group:
    """Signed decisions due for review within REVIEW_NOTICE, or overdue, whose project has
    not moved on since (see `_appraisals`)."""
    group = Group(
        "due",
        gettext("Decision reviews due"),
        gettext("No decisions are due for review in the next 30 days."),
    )
    for appraisal in appraisals:
        assert appraisal.review_date is not None
        overdue = appraisal.review_date < today
        group.items.append(
            Item(
                title=appraisal.project.title,
                stage=appraisal.stage_name,
                url=reverse("project-detail", args=[appraisal.project_id]),
                action=gettext("Review the decision"),
                detail=(
                    gettext("The decision’s review was due on %(date)s.")
                    if overdue
                    else gettext("The decision’s review is due on %(date)s.")
                )
                % {"date": _date(appraisal.review_date)}
                + " "
                + gettext("Start the next stage or a new version."),
                urgent=overdue,
            )
        )
    return group


def your_actions(user: User, organisation_id: int, today: datetime.date) -> Group:
    """The actions the person owns that are still to do, in the stage they are at now: the
    soonest due first, so overdue ones lead."""
    group = Group("actions", gettext("Your actions"), gettext("No actions are waiting for you."))
    owned = (
        actions.current_actions()
        .filter(appraisal__organisation_id=organisation_id, owner=user, status__in=actions.STILL_TO_DO)
        .select_related("appraisal__project")
        .defer("appraisal__signed_content", "appraisal__approved_snapshot")
        .order_by("due_on", "pk")
    )
    for action in owned:
        group.items.append(_action_item(action, today))
    return group


def _action_item(action: Action, today: datetime.date) -> Item:
    appraisal = action.appraisal
    overdue = actions.is_overdue(action, today)
    started = gettext("In progress.") + " " if action.status == actions.IN_PROGRESS else ""
    due = {"date": _date(action.due_on)}
    when = gettext("Overdue: it was due on %(date)s.") % due if overdue else gettext("Due on %(date)s.") % due
    return Item(
        title=appraisal.project.title,
        stage=appraisal.stage_name,
        url=reverse("action-progress", args=[appraisal.pk, action.pk]),
        action=gettext("Update this action"),
        detail=started + when,
        quote=action.what,
        urgent=overdue,
    )


def your_work(membership: Membership, user: User, today: datetime.date | None = None) -> YourWork:
    """The groups this person's role may act on, each with its items (perhaps none)."""
    today = today or timezone.localdate()
    organisation_id, role = membership.organisation_id, membership.role
    groups: list[Group] = []
    may_review = policy.role_allows(role, Change.REVIEW)
    may_approve = policy.role_allows(role, Change.APPROVE)
    may_answer = policy.role_allows(role, Change.ANSWER)
    found = _appraisals(
        user, organisation_id, role, today, in_review=may_review or may_approve, changes=may_answer
    )
    if may_review or may_approve:
        verdicts = _verdicts(found.in_review)
        if may_review:
            groups.append(reviews_to_do(user, found.in_review, verdicts))
        if may_approve:
            groups.append(decisions_to_sign(found.in_review, verdicts))
    if may_answer:
        groups.append(changes_requested(found.changes))
        groups.append(comments_to_answer(user, organisation_id))
    owned = your_actions(user, organisation_id, today)
    # Anyone may own an action; those who may add them are told, when there are none, that
    # none are waiting.
    if owned.items or policy.role_allows(role, Change.ACTION):
        groups.append(owned)
    due = reviews_due(found.due, today)
    # Everyone is shown the decisions they started or signed; only those who may start a
    # new version are told, when there are none, that none are due.
    if due.items or policy.role_allows(role, Change.NEW_VERSION):
        groups.append(due)
    return YourWork(
        organisation=membership.organisation.name, role=membership.get_role_display(), groups=groups
    )
