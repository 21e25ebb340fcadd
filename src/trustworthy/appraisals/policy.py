"""What may change in an appraisal, when, and by whom: the one gate every write passes.

Every change to an appraisal or to anything its decision record shows, whichever way it
arrives (web page, command line, import, participant link), runs inside `changing()`:

    with changing(appraisal, Change.ANSWER, actor=user) as change:
        ...write, using change.appraisal (the row, locked)...
        change.record("answer.saved", target="P1", before=..., after=...)

which locks the appraisal row, checks the actor's role and the appraisal's status against
the one table below (RULES), and insists on exactly one audit event. Views ask `may()` to
decide what to show; they never decide on their own whether a change is allowed.

The review workflow's states and transitions live here too, since the table depends on them:

    draft ──submit──▶ in-review ──request changes──▶ changes-requested ──submit──▶ in-review
                          │                                                        ...
                          └──approve (sign)──▶ approved   (locked: a change is a new version)
    draft | in-review | changes-requested ──withdraw──▶ withdrawn
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction

from trustworthy.core import audit
from trustworthy.core.errors import Locked
from trustworthy.organisations.changes import (
    AuditedChange,
    NotPermitted,
    Refused,
    acting_as_operator,
    role_in,
)
from trustworthy.organisations.permissions import Action, role_may

from . import extensions, interests
from .models import Appraisal, Status

__all__ = ["Change", "LockedError", "NotPermitted", "Refused", "changing", "check", "may"]

DRAFT, IN_REVIEW, CHANGES_REQUESTED, APPROVED, WITHDRAWN = (
    str(Status.DRAFT), str(Status.IN_REVIEW), str(Status.CHANGES_REQUESTED), str(Status.APPROVED),
    str(Status.WITHDRAWN),
)  # fmt: skip

# Answers, registers, ratings and what people said change only while it is being written.
EDITABLE = frozenset({DRAFT, CHANGES_REQUESTED})
# Until it is signed: the decision, the family summary and comments.
OPEN = frozenset({DRAFT, IN_REVIEW, CHANGES_REQUESTED})
# Actions are follow-through, which goes on after sign-off (and after a withdrawal, to close
# what was started): they change at every status. Approval cannot move the signed record by
# way of them: the record of an approved appraisal shows its actions as they stood when it was
# signed (kept in `approved_snapshot`), and what happens later is kept on each action.
FOLLOW_THROUGH = OPEN | {APPROVED, WITHDRAWN}


class Change(StrEnum):
    START = "start"  # a new appraisal: the next stage, or a new version of an approved one
    ANSWER = "answer"
    REGISTER = "register"
    RATINGS = "ratings"
    PARTICIPATION = "participation"
    CRITERIA = "criteria"
    OUTCOME = "outcome"  # post hoc evaluation: what happened to an expected benefit or risk
    UNFORESEEN = "unforeseen"  # post hoc evaluation: a harm or benefit nobody expected
    LESSONS = "lessons"  # post hoc evaluation: lessons for others
    READINESS = "readiness"  # readiness for innovation: resources, culture, permissions, capabilities
    DECISION = "decision"
    SUMMARY = "summary"
    RECORD_SETTINGS = "record-settings"
    PUBLICATION = "publication"
    CONSULTATION = "consultation"
    RESPONSE = "response"  # entered by staff, gathered offline
    ONLINE_RESPONSE = "online-response"  # sent through a consultation link, no account
    THEME = "theme"
    COMMENT = "comment"
    REVIEW = "review"
    NEW_VERSION = "new-version"
    SUBMIT = "submit"
    REQUEST_CHANGES = "request-changes"
    APPROVE = "approve"
    WITHDRAW = "withdraw"
    ACTION = "action"  # add an action, change what it is, its owner or date; drop or reopen it
    ACTION_PROGRESS = "action-progress"  # mark an action in progress, or done with its evidence
    MOVE_EDITION = "move-edition"  # a draft moves to its organisation's newer framework edition
    INTEREST = "interest"  # a reviewer or approver declares their interests (appraisals/interests.py)
    OTHER_APPROVER = "other-approver"  # an admin requires a different approver, after a declared interest
    SCREENING = "screening"  # the lead answers the screening and chooses the route
    REQUIRE_FULL_ROUTE = "require-full-route"  # an approver turns a light appraisal back to full


@dataclass(frozen=True)
class Rule:
    action: Action | None  # None: anyone holding the consultation link, signed in or not
    statuses: frozenset[str]
    # The owner of what is changed (an action's owner) may make it too, whatever their role.
    owner: bool = False
    also: Action | None = None  # a second action that allows the change too


RULES: dict[Change, Rule] = {
    Change.START: Rule(Action.MANAGE_PROJECTS, frozenset({DRAFT})),
    Change.ANSWER: Rule(Action.ANSWER, EDITABLE),
    Change.REGISTER: Rule(Action.ANSWER, EDITABLE),
    Change.RATINGS: Rule(Action.ANSWER, EDITABLE),
    Change.PARTICIPATION: Rule(Action.ANSWER, EDITABLE),
    Change.CRITERIA: Rule(Action.ANSWER, EDITABLE),
    Change.OUTCOME: Rule(Action.ANSWER, EDITABLE),
    Change.UNFORESEEN: Rule(Action.ANSWER, EDITABLE),
    Change.LESSONS: Rule(Action.ANSWER, EDITABLE),
    Change.READINESS: Rule(Action.ANSWER, EDITABLE),
    Change.DECISION: Rule(Action.DECIDE, OPEN),
    Change.SUMMARY: Rule(Action.MANAGE_PROJECTS, OPEN),
    # What is left out of the public version: chosen before publishing, once approved.
    Change.RECORD_SETTINGS: Rule(Action.MANAGE_PROJECTS, OPEN | {APPROVED}),
    Change.PUBLICATION: Rule(Action.MANAGE_PROJECTS, frozenset({APPROVED})),
    Change.CONSULTATION: Rule(Action.MANAGE_PROJECTS, EDITABLE),
    Change.RESPONSE: Rule(Action.ANSWER, EDITABLE),
    Change.ONLINE_RESPONSE: Rule(None, EDITABLE),
    Change.THEME: Rule(Action.MANAGE_PROJECTS, EDITABLE),
    Change.COMMENT: Rule(Action.COMMENT, OPEN),
    Change.REVIEW: Rule(Action.REVIEW, frozenset({IN_REVIEW})),
    Change.NEW_VERSION: Rule(Action.MANAGE_PROJECTS, frozenset({APPROVED})),
    Change.SUBMIT: Rule(Action.MANAGE_PROJECTS, EDITABLE),
    Change.REQUEST_CHANGES: Rule(Action.REVIEW, frozenset({IN_REVIEW})),
    Change.APPROVE: Rule(Action.DECIDE, frozenset({IN_REVIEW})),
    Change.WITHDRAW: Rule(Action.MANAGE_PROJECTS, OPEN),
    Change.ACTION: Rule(Action.ANSWER, FOLLOW_THROUGH),
    Change.ACTION_PROGRESS: Rule(Action.ANSWER, FOLLOW_THROUGH, owner=True),
    Change.MOVE_EDITION: Rule(Action.MANAGE_PROJECTS, EDITABLE),
    Change.INTEREST: Rule(Action.REVIEW, OPEN, also=Action.DECIDE),
    Change.OTHER_APPROVER: Rule(Action.MANAGE_MEMBERS, OPEN),
    # The route is chosen while the appraisal is written; an approver can require the full
    # route at any time until it is signed (in review, the answers it now needs are asked
    # for by requesting changes).
    Change.SCREENING: Rule(Action.MANAGE_PROJECTS, EDITABLE),
    Change.REQUIRE_FULL_ROUTE: Rule(Action.DECIDE, OPEN),
}


# A reviewer's verdict and an approver's decision come after their declaration of interests;
# an approver an admin asked to stand aside may not decide (appraisals/interests.py).
DECLARE_FIRST = frozenset({Change.REVIEW, Change.REQUEST_CHANGES, Change.APPROVE, Change.DECISION})
REVIEWING = frozenset({Change.REVIEW, Change.REQUEST_CHANGES})


@dataclass(frozen=True)
class Transition:
    change: Change
    label: str
    target: str
    reason_required: bool

    @property
    def name(self) -> str:
        return self.change.value

    @property
    def sources(self) -> frozenset[str]:
        return RULES[self.change].statuses

    @property
    def action(self) -> Action:
        action = RULES[self.change].action
        assert action is not None
        return action


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(Change.SUBMIT, "Submit for review", IN_REVIEW, False),
        Transition(Change.REQUEST_CHANGES, "Request changes", CHANGES_REQUESTED, True),
        Transition(Change.APPROVE, "Approve and sign the decision", APPROVED, False),
        Transition(Change.WITHDRAW, "Withdraw", WITHDRAWN, True),
    )
}

LOCKED_MESSAGES = {
    APPROVED: "This appraisal is approved and locked. To change it, start a new version.",
    IN_REVIEW: "This appraisal is in review. It can be changed again if the reviewers ask for changes.",
    WITHDRAWN: "This appraisal was withdrawn and can no longer be changed.",
}
NOT_YET_MESSAGES = {
    Change.PUBLICATION: "Only an approved decision record can be published. This one is not approved yet.",
    Change.NEW_VERSION: "Only an approved appraisal needs a new version; this one can be changed as it is.",
    Change.REVIEW: "Sections can only be reviewed while the appraisal is in review.",
}


class LockedError(Locked):
    """The appraisal's status does not allow this change now (a 409 on the web)."""


def role_allows(role: str | None, change: Change, *, is_owner: bool = False) -> bool:
    """`is_owner`: the person owns what is changed (a member, whatever their role)."""
    rule = RULES[change]
    if rule.owner and is_owner and role is not None:
        return True
    if rule.also is not None and role_may(role, rule.also):
        return True
    return rule.action is None or role_may(role, rule.action)


def status_allows(status: str, change: Change) -> bool:
    return status in RULES[change].statuses


def may(role: str | None, status: str, change: Change, *, is_owner: bool = False) -> bool:
    """Whether someone in this role may make this change at this status (to show or hide it)."""
    return role_allows(role, change, is_owner=is_owner) and status_allows(status, change)


def available_transitions(status: str, role: str | None) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if may(role, status, t.change)]


def refusal(status: str, change: Change) -> str:
    """Why this change cannot be made at this status, in plain words ("" if it can)."""
    if status in RULES[change].statuses:
        return ""
    if change in NOT_YET_MESSAGES and status in OPEN:
        return NOT_YET_MESSAGES[change]
    return LOCKED_MESSAGES.get(status, "This appraisal cannot be changed now.")


def check(appraisal: Appraisal, change: Change, role: str | None, *, is_owner: bool = False) -> None:
    """Refuse (NotPermitted, then LockedError) unless this role may make this change now."""
    if not role_allows(role, change, is_owner=is_owner):
        raise NotPermitted("Your role does not allow this change.")
    if not status_allows(appraisal.status, change):
        raise LockedError(refusal(appraisal.status, change))


class Gate(AuditedChange):
    """One change in progress: the locked appraisal, and its one audit event, which goes in
    the appraisal's chain as well as the organisation's."""

    def __init__(self, appraisal: Appraisal, actor: Any, change: Change) -> None:
        super().__init__(appraisal.organisation_id, actor, str(change))
        self.appraisal = appraisal
        self.change = change

    def appraisal_link(self) -> audit.AppraisalLink:
        appraisal = self.appraisal
        return audit.AppraisalLink(appraisal.pk, appraisal.audit_count + 1, appraisal.audit_head)

    def recorded(self, event: Any) -> None:
        appraisal = self.appraisal
        appraisal.audit_head, appraisal.audit_count = event.hash, appraisal.audit_count + 1
        Appraisal.objects.filter(pk=appraisal.pk).update(
            audit_head=appraisal.audit_head, audit_count=appraisal.audit_count
        )


@contextmanager
def changing(
    appraisal: Appraisal, change: Change, *, actor: Any, owner_id: int | None = None
) -> Iterator[Gate]:
    """The one way to change an appraisal: lock, check role and status, write, audit once.

    `owner_id`: who owns what is changed, for the changes its owner may make (`Rule.owner`)."""
    with transaction.atomic():
        current = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
        if acting_as_operator():
            if not status_allows(current.status, change):
                raise LockedError(refusal(current.status, change))
        else:
            is_owner = owner_id is not None and getattr(actor, "pk", None) == owner_id
            check(current, change, role_in(actor, current.organisation_id), is_owner=is_owner)
            if change in DECLARE_FIRST:
                interests.check_declared(current, actor, as_reviewer=change in REVIEWING)
        gate = Gate(current, actor, change)
        yield gate
        gate.check_audited()
    # The caller's copy follows the row, so a second change in the same request starts from it.
    appraisal.status = current.status
    appraisal.audit_head, appraisal.audit_count = current.audit_head, current.audit_count


# --- signing ---------------------------------------------------------------------------------


def sign(appraisal: Appraisal) -> str:
    """Keep the content approval signs on the appraisal and return its hash."""
    appraisal.signed_content = extensions.signed_content(appraisal)
    appraisal.record_hash = audit.digest(appraisal.signed_content)
    Appraisal.objects.filter(pk=appraisal.pk).update(
        signed_content=appraisal.signed_content, record_hash=appraisal.record_hash
    )
    return appraisal.record_hash


# --- declared interests ----------------------------------------------------------------------


def declaration_problem(appraisal: Appraisal, user: Any, change: Change) -> str:
    """What stands in the way of this person's verdict or decision for want of a declaration
    (or because an admin asked them to stand aside), in plain words; "" if nothing does.
    For pages to show before anyone tries: `changing` applies the same rule."""
    if change not in DECLARE_FIRST:
        return ""
    return interests.problem(appraisal, user, as_reviewer=change in REVIEWING)
