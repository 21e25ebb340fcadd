"""Review, sign-off, comments and new versions. Each write is one transaction with its audit event."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from trustworthy.appraisals import actions, commitments, interests, policy
from trustworthy.appraisals.evaluation import evaluation_completeness
from trustworthy.appraisals.models import Action, Answer, Appraisal
from trustworthy.appraisals.policy import Change, LockedError, changing
from trustworthy.appraisals.selectors import (
    AppraisalData,
    context_snapshot,
    due_for_review,
    evaluation_of,
    load_appraisal,
)
from trustworthy.appraisals.services import ServiceError, copy_contents
from trustworthy.organisations.changes import role_in
from trustworthy.organisations.models import User
from trustworthy.voices.models import Consultation
from trustworthy.voices.rules import submission_blockers

from . import notifications
from .models import Comment, SectionReview, StatusChange, Verdict

__all__ = ["LockedError", "ServiceError"]

REVIEW_PERIOD = datetime.timedelta(days=365)


def current_round(appraisal: Appraisal) -> int:
    """Review rounds are counted by submissions: the first submission starts round 1."""
    return StatusChange.objects.filter(appraisal=appraisal, to_status=policy.IN_REVIEW).count()


def approval_problems(appraisal: Appraisal, data: AppraisalData | None = None) -> list[str]:
    """Why the appraisal cannot be signed yet; empty when it can. `data`: what a page has
    already loaded of it (else it is loaded here)."""
    data = data if data is not None else load_appraisal(appraisal)
    problems = []
    if not data.completeness.is_complete:
        problems.append("Every question must be answered.")
    if data.decision is None:
        problems.append("The decision must be recorded.")
    # The decision answers the commitments in force, and was not recorded by an approver asked to stand aside.
    problems += [p for p in (commitments.approval_problem(appraisal.organisation, data.decision),
                             interests.decision_problem(data.decision)) if p]  # fmt: skip
    round_ = current_round(appraisal)
    verdicts: dict[str, list[str]] = {}
    for review in SectionReview.objects.filter(appraisal=appraisal, round=round_):
        verdicts.setdefault(review.section_id, []).append(review.verdict)
    for section in data.framework.sections:
        given = verdicts.get(section.id)
        if not given:
            problems.append(
                f"Section {section.number} ({section.title}) has not been reviewed in this round."
            )
        elif any(v != Verdict.ACCEPTABLE for v in given):
            problems.append(f"A reviewer did not find section {section.number} ({section.title}) acceptable.")
    return problems


def submission_problems(appraisal: Appraisal, data: AppraisalData | None = None) -> list[str]:
    """Why the appraisal cannot be sent for review yet; empty when it can (`data` as above)."""
    data = data if data is not None else load_appraisal(appraisal)
    problems = []
    if not data.completeness.is_complete:
        still = ", ".join(dict.fromkeys(gap.question_id for gap in data.completeness.gaps))
        problems.append(
            f"Answer every question before sending the appraisal for review. Still to do: {still}."
        )
    unconfirmed = [q.id for q in data.framework.questions() if data.asks(q.id) and data.carried_forward(q.id)]
    if unconfirmed:
        problems.append(
            f"Confirm or change the answers carried forward from the last stage: {', '.join(unconfirmed)}."
        )
    evaluation = evaluation_of(appraisal)  # None unless it is a post hoc evaluation
    if evaluation is not None:
        problems += evaluation_completeness(evaluation).problems
    return problems + submission_blockers(appraisal)


def transition(*, appraisal: Appraisal, name: str, user: User, reason: str = "") -> Appraisal:
    """Move the appraisal through the workflow, if the person's role and the rules allow it."""
    step = policy.TRANSITIONS.get(name)
    if step is None:
        raise ServiceError("That is not a step in the review workflow.")
    with changing(appraisal, step.change, actor=user) as change:
        current = change.appraisal
        if step.reason_required and not reason.strip():
            raise ServiceError("Explain why.")
        if step.change is Change.SUBMIT and (problems := submission_problems(current)):
            raise ServiceError(" ".join(problems))
        if step.change is Change.APPROVE and (problems := approval_problems(current)):
            raise ServiceError(" ".join(problems))

        before = current.status
        current.status = step.target
        after: dict[str, object] = {"status": step.target}
        if step.change is Change.APPROVE:
            current.approved_at = timezone.now()
            current.approved_by = user
            current.review_date = timezone.localdate() + REVIEW_PERIOD
        current.save()
        StatusChange.objects.create(
            appraisal=current,
            from_status=before,
            to_status=step.target,
            by=user,
            reason=reason.strip(),
            round=current_round(current) + (1 if step.target == policy.IN_REVIEW else 0),
        )
        if step.change is Change.WITHDRAW:
            # Nobody can go on answering a consultation on a withdrawn appraisal.
            closed = Consultation.objects.filter(appraisal=current, closed_at__isnull=True)
            after["closed_consultations"] = sorted(closed.values_list("pk", flat=True))
            closed.update(closed_at=timezone.now())
        if step.change is Change.APPROVE:
            # Sign: freeze what the record shows from outside the appraisal, then hash the
            # record as it now stands; the event carries the hash into both chains.
            current.approved_snapshot = context_snapshot(current)
            current.save(update_fields=["approved_snapshot"])
            current.record_hash = policy.sign(current)
            after["record_hash"] = current.record_hash
        change.record(
            "status.changed", target=name, before={"status": before}, after=after, reason=reason.strip()
        )
        if step.change is Change.APPROVE:
            current.approved_audit_head = current.audit_head
            current.save(update_fields=["record_hash", "approved_audit_head"])
    appraisal.status = current.status
    transaction.on_commit(lambda: _notify(name, current, user, reason))
    return current


def _notify(name: str, appraisal: Appraisal, user: User, reason: str) -> None:
    if name == "submit":
        notifications.review_requested(appraisal, user)
    elif name == "request-changes":
        notifications.changes_requested(appraisal, user, reason)
    elif name == "approve":
        notifications.decision_approved(appraisal, user)


def review_sections(*, appraisal: Appraisal, user: User, verdicts: Mapping[str, tuple[str, str]]) -> None:
    """Record a reviewer's verdict and comment on each section in the current round."""
    with changing(appraisal, Change.REVIEW, actor=user) as change:
        round_ = current_round(appraisal)
        for section_id, (verdict, comment) in verdicts.items():
            if verdict not in Verdict.values:
                raise ServiceError("Choose a verdict for every section.")
            if verdict != Verdict.ACCEPTABLE and not comment.strip():
                raise ServiceError("Say what needs to change in every section that is not acceptable.")
            SectionReview.objects.update_or_create(
                appraisal=appraisal,
                round=round_,
                section_id=section_id,
                reviewer=user,
                defaults={"verdict": verdict, "comment": comment.strip()},
            )
        change.record(
            "review.recorded",
            target=f"round {round_}",
            after={k: [v[0], v[1].strip()] for k, v in verdicts.items()},
        )


def add_comment(
    *, appraisal: Appraisal, user: User, target: str, text: str, parent: Comment | None = None
) -> Comment:
    if not text.strip():
        raise ServiceError("Enter your comment.")
    if parent is not None and parent.appraisal_id != appraisal.pk:
        raise ServiceError("You can only reply to a comment on this appraisal.")
    with changing(appraisal, Change.COMMENT, actor=user) as change:
        comment = Comment.objects.create(
            appraisal=appraisal,
            target=parent.target if parent else target,
            parent=parent,
            author=user,
            text=text.strip(),
        )
        change.record(
            "comment.added",
            target=comment.target,
            after={"id": comment.pk, "text": comment.text, "parent": parent.pk if parent else None},
        )
        owner = None
        if not comment.target.startswith(("row:", "decision")):
            question_id = comment.target.split(":")[0]
            answer = (
                Answer.objects.filter(appraisal=appraisal, question_id=question_id)
                .select_related("updated_by")
                .first()
            )
            owner = answer.updated_by if answer else None
        transaction.on_commit(
            lambda: notifications.comment_on_your_part(appraisal, user, comment.target, comment.text, owner)
        )
    return comment


def resolve_comment(*, comment: Comment, user: User) -> None:
    with changing(comment.appraisal, Change.COMMENT, actor=user) as change:
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
        change.record("comment.resolved", target=comment.target, after={"id": comment.pk})


def start_new_version(*, appraisal: Appraisal, user: User, reason: str) -> Appraisal:
    """Change an approved appraisal by starting a new version; the approved one stays as it is."""
    if not reason.strip():
        raise ServiceError("Explain why the approved appraisal needs to change.")
    with transaction.atomic():
        approved = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
        policy.check(approved, Change.NEW_VERSION, role_in(user, approved.organisation_id))
        latest = approved.project.appraisals.filter(stage=approved.stage).order_by("-version").first()
        assert latest is not None
        if latest.pk != approved.pk:
            raise ServiceError("A newer version of this appraisal already exists.")
        new = Appraisal.objects.create(
            organisation_id=approved.organisation_id,
            project_id=approved.project_id,
            stage=approved.stage,
            version=approved.version + 1,
            framework_id=approved.framework_id,
            framework_version=approved.framework_version,
            previous=approved,
            version_reason=reason.strip(),
            created_by=user,
        )
        with changing(new, Change.START, actor=user) as change:
            copy_contents(approved, new, user, carried_forward=False)
            change.record(
                "version.started",
                target=f"version {new.version}",
                reason=reason.strip(),
                after={"from_appraisal": approved.pk, "from_version": approved.version},
            )
    return new


def send_review_reminders(today: datetime.date | None = None) -> int:
    """Email the people accountable for each decision that is due for review; returns how many."""
    sent = 0
    for appraisal in due_for_review(today):
        notifications.review_due(appraisal)
        sent += 1
    return sent


def send_action_reminders(today: datetime.date | None = None) -> int:
    """Email each owner of overdue actions (a member with an email address) the list of them,
    at most once a day for each action; returns how many actions they were reminded about."""
    today = today or timezone.localdate()
    due = actions.to_remind(today)
    by_organisation: dict[int, list[Action]] = {}
    by_owner: dict[int, list[Action]] = {}
    for action in due:
        by_organisation.setdefault(action.appraisal.organisation_id, []).append(action)
        by_owner.setdefault(action.owner_id or 0, []).append(action)
    with transaction.atomic():
        for organisation_id, reminded in by_organisation.items():
            actions.mark_reminded(organisation_id, reminded, today)
    for owned in by_owner.values():
        assert owned[0].owner is not None
        notifications.actions_overdue(owned[0].owner, owned)
    return len(due)
