"""Property: whatever people try, in any order and whoever they are, every write to an
appraisal goes through the one gate.

- An accepted write appends exactly one audit event (to the appraisal's chain and to the
  organisation's, or to the organisation's alone for organisation-level changes), with the
  person who made it as the actor, and only if the one table allows that role at that status.
- A refused write appends nothing and changes nothing.
- Nothing reaches "approved" without a complete appraisal, a submission and a clean review.
- Once approved, the signed record never moves: every write that could change it is
  refused, the record rebuilt from the database hashes to the signature after every step,
  and `audit verify` finds nothing at the end of every example.

Each example runs in its own savepoint, rolled back at teardown, so examples are
independent and `audit verify` checks one example's data at a time.
"""

from __future__ import annotations

import datetime
import functools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from trustworthy.appraisals import actions, declaring, policy, readiness
from trustworthy.appraisals import editions as moves
from trustworthy.appraisals import services as appraisals
from trustworthy.appraisals.evaluation import evaluation_completeness
from trustworthy.appraisals.models import Action as AgreedAction
from trustworthy.appraisals.models import (
    Appraisal,
    Decision,
    InterestDeclaration,
    Project,
    RegisterRow,
    UnforeseenItem,
)
from trustworthy.appraisals.policy import APPROVED, EDITABLE, IN_REVIEW, Change
from trustworthy.appraisals.screening import require_full_route, save_screening
from trustworthy.appraisals.selectors import evaluation_of, load_appraisal
from trustworthy.core.audit import digest
from trustworthy.core.models import AuditEvent, OrganisationChain
from trustworthy.framework import default_framework, framework_to_dict
from trustworthy.organisations import editions
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.permissions import Action, role_may
from trustworthy.reports import services as reports
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.models import Publication, RecordSettings
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews
from trustworthy.reviews.models import Comment, SectionReview, StatusChange
from trustworthy.voices import services as voices
from trustworthy.voices.models import Consultation, Response, Theme

from ..appraisals.evaluation_factories import approved_inception
from ..appraisals.factories import FW, PROJECT_FIELDS, ROWS, fill_appraisal, make_project
from ..interests_support import declare_none_if_needed
from ..voices.factories import ANSWERS
from .helpers import SECTIONS

# Every refusal a service may give: the gate's own (role or status), and each app's
# refusal of input that cannot be saved. Any other exception fails the test.
REFUSALS = (policy.Refused, appraisals.ServiceError, reports.RecordError, voices.ServiceError)

ROLES = ("contributor", "lead", "reviewer", "approver", "viewer", "admin")
# Who attempts a write: mostly someone whose role allows it, otherwise anyone, including
# the lead of another organisation.
WHO = ("right", "right", "right", *ROLES, "outsider")
STEPS = tuple(policy.TRANSITIONS)
# Screening answers that point to no risk, so the light route may be chosen.
SCREENING_ANSWERS = {
    "scale": "one-team", "who-affected": "staff-only", "childrens-data": "no", "rights": "no",
    "statutory-duties": "no", "reversibility": "easily",
}  # fmt: skip

# Each kind of write, and the change it is to the gate (None: an organisation-level change
# to the project's own details, which is allowed at any time but reaches only drafts).
KINDS: dict[str, Change | None] = {
    "answer": Change.ANSWER,
    "principles": Change.RATINGS,
    "register-add": Change.REGISTER,
    "register-change": Change.REGISTER,
    "register-remove": Change.REGISTER,
    "participation": Change.PARTICIPATION,
    "criteria": Change.CRITERIA,
    "readiness": Change.READINESS,
    "outcome": Change.OUTCOME,
    "unforeseen-add": Change.UNFORESEEN,
    "unforeseen-change": Change.UNFORESEEN,
    "unforeseen-remove": Change.UNFORESEEN,
    "lessons": Change.LESSONS,
    "decision": Change.DECISION,
    "summary": Change.SUMMARY,
    "record-settings": Change.RECORD_SETTINGS,
    "publish": Change.PUBLICATION,
    "replace-publication": Change.PUBLICATION,
    "withdraw-publication": Change.PUBLICATION,
    "open-consultation": Change.CONSULTATION,
    "close-consultation": Change.CONSULTATION,
    "new-link": Change.CONSULTATION,
    "online-response": Change.ONLINE_RESPONSE,
    "offline-response": Change.RESPONSE,
    "theme": Change.THEME,
    "link-response": Change.THEME,
    "comment": Change.COMMENT,
    "resolve-comment": Change.COMMENT,
    "action": Change.ACTION,
    "action-progress": Change.ACTION_PROGRESS,
    "screening": Change.SCREENING,
    "require-full-route": Change.REQUIRE_FULL_ROUTE,
    "move-edition": Change.MOVE_EDITION,
    "interest": Change.INTEREST,
    "other-approver": Change.OTHER_APPROVER,
    "review": Change.REVIEW,
    **{name: t.change for name, t in policy.TRANSITIONS.items()},
    "new-version": Change.NEW_VERSION,
    "next-stage": Change.START,
    "project": None,
}
# Writes that make another appraisal, or change something outside this one: they add no
# event to this appraisal's chain, one to the organisation's.
ELSEWHERE = {"new-version", "next-stage", "project"}
# Verdicts and decisions: the person declares their interests first (appraisals/policy.py).
DECLARE_FIRST = {"review", "request-changes", "approve", "decision"}
TRANSITION_KINDS = {*policy.TRANSITIONS, "new-version"}
# What may be done to an approved appraisal: what the table allows at "approved", plus
# starting the next stage and editing the project (neither may change the signed record).
ALLOWED_ON_APPROVED = {
    kind
    for kind, change in KINDS.items()
    if change is None or change is Change.START or APPROVED in policy.RULES[change].statuses
}
# The only events an approved appraisal's own chain may gain after its approval.
AFTER_APPROVAL_ACTIONS = {
    "record.published",
    "record.republished",
    "record.withdrawn",
    "publication.exclusions",
    # Follow-through: the signed record shows actions as they stood at approval.
    "action.added",
    "action.changed",
    "action.progressed",
}

TODAY = timezone.localdate()

MAX_EXAMPLES, STEPS_PER_EXAMPLE = 20, 20

# Across the examples of one run: proof the property is not vacuous.
approvals_seen = 0
tried_on_approved: set[str] = set()
accepted_kinds: set[str] = set()


@dataclass(frozen=True)
class Signed:
    record_hash: str
    approved_audit_head: str
    approved_by_id: int | None
    approved_at: datetime.datetime | None
    sequence: int  # the approval event's place in the appraisal's chain


def fingerprint(appraisal: Appraisal) -> tuple[object, ...]:
    """Everything a write could change about an appraisal and its record."""
    return (
        record_hash(appraisal),
        list(
            Publication.objects.filter(appraisal=appraisal)
            .order_by("pk")
            .values_list("pk", "withdrawn_at", "document_hash")
        ),
        list(
            RecordSettings.objects.filter(appraisal=appraisal).values_list("summary", "not_for_publication")
        ),
        list(
            Consultation.objects.filter(appraisal=appraisal)
            .order_by("pk")
            .values_list("pk", "closed_at", "token_hash")
        ),
        list(Response.objects.filter(appraisal=appraisal).order_by("pk").values_list("pk", "question_ids")),
        list(
            Response.themes.through.objects.filter(response__appraisal=appraisal)
            .order_by("pk")
            .values_list("response_id", "theme_id")
        ),
        list(Theme.objects.filter(appraisal=appraisal).order_by("pk").values()),
        list(Project.objects.filter(pk=appraisal.project_id).values()),
        list(Comment.objects.filter(appraisal=appraisal).order_by("pk").values_list("pk", "resolved_at")),
    )


def offer_another_edition(organisation: Organisation, admin: User, *, than: str) -> str:
    """Have the organisation's new appraisals use an edition other than `than` (an appraisal's),
    so that appraisal may be moved to it: the built-in edition, or the built-in edition's own
    file installed as its next version (the same questions and rules, so every write here still
    applies after a move). Returns the chosen edition's key."""
    builtin = default_framework()
    major, minor, patch = builtin.version.split(".")
    copy = {**framework_to_dict(builtin), "version": f"{major}.{minor}.{int(patch) + 1}"}
    installed = editions.install(json.dumps(copy), organisation=organisation, actor=admin).edition
    key = builtin.key if than != builtin.key else f"{installed.framework_id}@{installed.version}"
    return editions.choose_edition(organisation=organisation, key=key, user=admin)


def permitted(kind: str, role: str | None, status: str) -> bool:
    """Whether the one table lets this role make this kind of write at this status."""
    change = KINDS[kind]
    if change is None:
        return role_may(role, Action.MANAGE_PROJECTS)
    if change is Change.START:  # the status rule applies to the new appraisal, a draft
        return policy.role_allows(role, change)
    return policy.may(role, status, change)


class AppraisalWorkflow(RuleBasedStateMachine):
    # Set to the project of an approved inception appraisal, the appraisal each example works
    # on is that project's post hoc evaluation, which records what happened against it.
    baseline_project: int | None = None

    def __init__(self) -> None:
        super().__init__()
        # One savepoint per example, rolled back at teardown.
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.organisation = Organisation.objects.get(name="Northshire Council")
        self.people: dict[str, User] = {
            role: User.objects.get(email=f"{role}@council.test") for role in ROLES
        }
        self.people["outsider"] = User.objects.get(email="lead@trust.test")
        lead = self.people["lead"]
        if self.baseline_project is None:
            self.project = make_project(self.organisation, lead)
            stage = "inception"
        else:
            self.project, stage = Project.objects.get(pk=self.baseline_project), "evaluation"
        self.appraisal_id = appraisals.start_appraisal(project=self.project, stage=stage, user=lead).pk
        if stage == "evaluation":  # what was carried forward is confirmed, as a person would first
            fill_appraisal(self._fresh(), lead, rows_each=0)
        self.signed: dict[int, Signed] = {}
        self._known: dict[int, tuple[object, ...]] = {}  # fingerprints that still hold
        self.sweeps = 0

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # not while a step's failure is on its way out
                problems = verify_everything()
                assert not problems, "audit verify: " + "; ".join(map(str, problems))
        finally:
            transaction.set_rollback(True)
            self._savepoint.__exit__(None, None, None)

    # --- the harness ------------------------------------------------------------------------

    def _fresh(self, pk: int | None = None) -> Appraisal:
        return Appraisal.objects.get(pk=pk or self.appraisal_id)

    def _who(self, kind: str, who: str) -> tuple[str | None, User | None]:
        if kind == "online-response":
            return None, None  # whoever holds the link: no account
        if who == "right":
            change = KINDS[kind]
            action = policy.RULES[change].action if change else Action.MANAGE_PROJECTS
            who = next(r for r in ROLES if action is None or role_may(r, action))
        return (None if who == "outsider" else who), self.people[who]

    def _events(self, appraisal: Appraisal) -> tuple[int, int, str, int, str]:
        chain = OrganisationChain.objects.filter(organisation_id=appraisal.organisation_id).first()
        return (
            AuditEvent.objects.filter(appraisal_id=appraisal.pk).count(),
            appraisal.audit_count,
            appraisal.audit_head,
            AuditEvent.objects.filter(organisation_id=appraisal.organisation_id).count(),
            chain.head if chain else "",
        )

    def _attempt(
        self,
        kind: str,
        who: str,
        write: Callable[[Appraisal, Any], Any],
        *,
        pk: int | None = None,
        no_op: bool = False,
    ) -> bool:
        """Try one write; a refusal is always acceptable. Checks what it did to the trail.

        `no_op`: the write would change nothing (closing a closed consultation), so it may
        be accepted without an event, as long as nothing changed.
        """
        appraisal = self._fresh(pk)
        status = appraisal.status
        role, user = self._who(kind, who)
        if kind in DECLARE_FIRST and user is not None:
            # A verdict or decision comes after a declaration of interests (its own kind of
            # write, "interest"): declared here, before the write is watched.
            declare_none_if_needed(appraisal, user)
            self._known.pop(appraisal.pk, None)
            appraisal = self._fresh(pk)
        if status == APPROVED:
            tried_on_approved.add(kind)
        before = self._events(appraisal)
        # What the record holds is compared whenever the write must be refused, or touches a
        # signed record; otherwise (most writes by the right person) the trail is.
        must_refuse = not permitted(kind, role, status) or (
            status == APPROVED and kind not in ALLOWED_ON_APPROVED
        )
        data = None
        if must_refuse or status == APPROVED:
            data = self._known.get(appraisal.pk) or fingerprint(appraisal)
        self._known.clear()
        others = set(
            Appraisal.objects.filter(organisation=appraisal.organisation).values_list("pk", flat=True)
        )
        try:
            write(appraisal, user)
        except REFUSALS:
            accepted = False
        else:
            accepted = True
        appraisal = self._fresh(appraisal.pk)
        after = self._events(appraisal)
        new = Appraisal.objects.filter(organisation=appraisal.organisation).exclude(pk__in=others)
        now = fingerprint(appraisal) if data is not None else None
        changed = now != data
        what = f"{kind} by {who} ({role}) at {status}"

        if not accepted or (no_op and after == before):
            assert after == before, f"{what}: refused, but the audit trail changed"
            assert not new.exists(), f"{what}: refused, but an appraisal was created"
            assert not changed, f"{what}: refused, but the appraisal or its record changed"
            if now is not None:
                # Only attempts write, so this holds until the next attempt.
                self._known[appraisal.pk] = now
            return False

        accepted_kinds.add(kind)
        assert permitted(kind, role, status), f"{what}: accepted, but the table does not allow it"
        assert status != APPROVED or kind in ALLOWED_ON_APPROVED, f"{what}: accepted on an approved appraisal"
        assert after[3] == before[3] + 1, f"{what}: {after[3] - before[3]} events in the organisation's chain"
        newest = AuditEvent.objects.filter(organisation_id=appraisal.organisation_id).order_by(
            "-org_sequence"
        )[0]
        assert newest.hash == after[4], f"{what}: the organisation's head is not its newest event"
        assert newest.actor_id == (user.pk if user else None), f"{what}: audited as {newest.actor_name!r}"
        if kind in ELSEWHERE:
            assert after[:3] == before[:3], f"{what}: added events to this appraisal's chain"
            expected_new = 0 if kind == "project" else 1
            assert new.count() == expected_new, f"{what}: made {new.count()} appraisals"
            for made in new:
                assert made.audit_count == 1, f"{what}: {made} not audited once"
                assert made.audit_head == newest.hash, f"{what}: {made} not audited once"
        else:
            assert after[0] == before[0] + 1, (
                f"{what}: {after[0] - before[0]} events in the appraisal's chain"
            )
            assert after[1] == before[1] + 1, f"{what}: the appraisal's event count is stale"
            assert after[2] == newest.hash, f"{what}: the appraisal's head is stale"
            assert newest.appraisal_id == appraisal.pk, f"{what}: the event names another appraisal"
            assert not new.exists(), f"{what}: made another appraisal"
        if kind == "approve":
            self._signed_now(appraisal)
        if kind == "new-version":
            self.appraisal_id = new.get().pk  # work goes on in the new version
        return True

    def _signed_now(self, appraisal: Appraisal) -> None:
        global approvals_seen
        approval = AuditEvent.objects.get(appraisal=appraisal, hash=appraisal.audit_head)
        assert approval.after["record_hash"] == appraisal.record_hash
        assert record_hash(appraisal) == appraisal.record_hash, "the record signed is not the record shown"
        self.signed[appraisal.pk] = Signed(
            appraisal.record_hash,
            appraisal.approved_audit_head,
            appraisal.approved_by_id,
            appraisal.approved_at,
            approval.sequence or 0,
        )
        approvals_seen += 1

    # --- the writes: each tries one kind of write on an appraisal --------------------------------

    def w_answer(self, pk: int, who: str, question: str = "T1", value: str = "no") -> bool:
        return self._attempt(
            "answer",
            who,
            lambda a, u: appraisals.save_answer(
                appraisal=a, question_id=question, user=u, value=value, rationale=f"Reasons for {question}."
            ),
            pk=pk,
        )

    def w_principles(
        self, pk: int, who: str, question: str = "E1", aspect: str = "process", rating: str = "neutral"
    ) -> bool:
        cluster = FW.question(question).cluster or ""
        ratings = {
            p.id: (rating, "A worry." if rating == "at-risk" else "") for p in FW.principles_in(cluster)
        }
        return self._attempt(
            "principles",
            who,
            lambda a, u: appraisals.save_principles(
                appraisal=a,
                question_id=question,
                aspect=aspect,
                user=u,
                value="yes",
                rationale="It respects people.",
                ratings=ratings,
            ),
            pk=pk,
        )

    def w_register_add(self, pk: int, who: str, register: str = "risks") -> bool:
        return self._attempt(
            "register-add",
            who,
            lambda a, u: appraisals.add_register_row(
                appraisal=a, register_id=register, data=ROWS[register], user=u
            ),
            pk=pk,
        )

    def w_register_change(self, pk: int, who: str, register: str = "risks") -> bool:
        row = RegisterRow.objects.filter(appraisal_id=pk, register=register).order_by("pk").first()
        if row is None:
            return False
        data = {**ROWS[register], "description": "Changed since"}
        return self._attempt(
            "register-change",
            who,
            lambda a, u: appraisals.change_register_row(row=row, data=data, user=u),
            pk=pk,
        )

    def w_register_remove(self, pk: int, who: str, register: str = "risks") -> bool:
        row = RegisterRow.objects.filter(appraisal_id=pk, register=register).order_by("pk").first()
        if row is None:
            return False
        return self._attempt(
            "register-remove", who, lambda a, u: appraisals.remove_register_row(row=row, user=u), pk=pk
        )

    def w_participation(self, pk: int, who: str, stakeholder: str = "carers", mode: str = "informed") -> bool:
        reason = "Not this time." if mode == "not-involved" else ""
        return self._attempt(
            "participation",
            who,
            lambda a, u: appraisals.save_participation(
                appraisal=a,
                stakeholder=stakeholder,
                mode=mode,
                reason=reason,
                summary="They said yes.",
                user=u,
            ),
            pk=pk,
        )

    def w_criteria(self, pk: int, who: str, rating: str = "partly") -> bool:
        ratings = {c.id: (rating, f"On {c.id}.") for c in FW.rateable_criteria()}
        return self._attempt(
            "criteria",
            who,
            lambda a, u: appraisals.save_criteria(appraisal=a, user=u, ratings=ratings),
            pk=pk,
        )

    def w_readiness(self, pk: int, who: str, status: str = "partly") -> bool:
        entries = {d.id: (status, f"On {d.id}.") for d in FW.readiness_dimensions}
        return self._attempt(
            "readiness",
            who,
            lambda a, u: readiness.save_readiness(appraisal=a, user=u, entries=entries),
            pk=pk,
        )

    def w_decision(self, pk: int, who: str, decision: str = "proceed-with-mitigations") -> bool:
        return self._attempt(
            "decision",
            who,
            lambda a, u: appraisals.record_decision(
                appraisal=a,
                user=u,
                decision=decision,
                reasoning="We weighed it all.",
                departure_reason="Explained departure.",
                accountable_person="Director",
                decided_on=datetime.date(2026, 11, 26),
            ),
            pk=pk,
        )

    def _expected_row(self, register: str) -> int:
        """A row of the approved stage the evaluation looks back on (or any row: refused)."""
        rows = RegisterRow.objects.filter(register=register, appraisal__project=self.project)
        row = rows.filter(appraisal__status=APPROVED).order_by("pk").first() or rows.order_by("pk").first()
        return row.pk if row else 0

    def w_outcome(
        self, pk: int, who: str, register: str = "benefits", result: str = "", row: int | None = None
    ) -> bool:
        row = row or self._expected_row(register)
        result = result or ("partly-achieved" if register == "benefits" else "partly")
        return self._attempt(
            "outcome",
            who,
            lambda a, u: appraisals.save_outcome(
                appraisal=a,
                row_id=row,
                user=u,
                result=result,
                evidence="What we measured.",
                handling="Urgent cases bypassed the wait.",
            ),
            pk=pk,
        )

    def w_unforeseen_add(self, pk: int, who: str, kind: str = "harm") -> bool:
        return self._attempt(
            "unforeseen-add",
            who,
            lambda a, u: appraisals.add_unforeseen(
                appraisal=a, user=u, kind=kind, description="Some families waited longer."
            ),
            pk=pk,
        )

    def _unforeseen(self, pk: int) -> UnforeseenItem:
        """The appraisal's first item nobody expected, or one never saved (refused either way)."""
        found = UnforeseenItem.objects.filter(appraisal_id=pk).order_by("pk").first()
        return found or UnforeseenItem(appraisal=self._fresh(pk), kind="harm", description="Unsaved.")

    def w_unforeseen_change(self, pk: int, who: str) -> bool:
        item = self._unforeseen(pk)
        if item.pk is None and self._fresh(pk).status != APPROVED:
            return False
        return self._attempt(
            "unforeseen-change",
            who,
            lambda a, u: appraisals.change_unforeseen(
                item=item, user=u, kind="benefit", description="Schools asked for it too."
            ),
            pk=pk,
        )

    def w_unforeseen_remove(self, pk: int, who: str) -> bool:
        item = self._unforeseen(pk)
        if item.pk is None and self._fresh(pk).status != APPROVED:
            return False
        return self._attempt(
            "unforeseen-remove", who, lambda a, u: appraisals.remove_unforeseen(item=item, user=u), pk=pk
        )

    def w_lessons(self, pk: int, who: str, text: str = "Start small.") -> bool:
        return self._attempt(
            "lessons", who, lambda a, u: appraisals.save_lessons(appraisal=a, user=u, text=text), pk=pk
        )

    def w_summary(self, pk: int, who: str, text: str = "We decided to go ahead, carefully.") -> bool:
        return self._attempt(
            "summary", who, lambda a, u: reports.save_summary(appraisal=a, user=u, text=text), pk=pk
        )

    def w_record_settings(self, pk: int, who: str, leave_out: bool = True) -> bool:
        keys = ["project.summary"] if leave_out else []
        return self._attempt(
            "record-settings",
            who,
            lambda a, u: reports.set_not_for_publication(appraisal=a, user=u, keys=keys),
            pk=pk,
        )

    def w_publish(self, pk: int, who: str) -> bool:
        return self._attempt("publish", who, lambda a, u: reports.publish(appraisal=a, user=u), pk=pk)

    def w_replace_publication(self, pk: int, who: str) -> bool:
        return self._attempt(
            "replace-publication",
            who,
            lambda a, u: reports.replace_publication(appraisal=a, user=u, reason="Less is shown now."),
            pk=pk,
        )

    def w_withdraw_publication(self, pk: int, who: str) -> bool:
        return self._attempt(
            "withdraw-publication",
            who,
            lambda a, u: reports.withdraw_publication(appraisal=a, user=u, reason="Published by mistake."),
            pk=pk,
        )

    def w_open_consultation(self, pk: int, who: str) -> bool:
        return self._attempt(
            "open-consultation",
            who,
            lambda a, u: voices.open_consultation(
                appraisal=a,
                user=u,
                title="Family meetings",
                description="A family meeting before big decisions.",
                groups=["young-people", "carers"],
                expires_on=TODAY + datetime.timedelta(days=14),
            ),
            pk=pk,
        )

    def _consultation(self, pk: int) -> Consultation | None:
        return Consultation.objects.filter(appraisal_id=pk).order_by("-pk").first()

    def w_close_consultation(self, pk: int, who: str, consultation: Consultation | None = None) -> bool:
        consultation = consultation or self._consultation(pk)
        if consultation is None:
            return False
        return self._attempt(
            "close-consultation",
            who,
            lambda a, u: voices.close_consultation(consultation=consultation, user=u),
            pk=pk,
            no_op=consultation.closed_at is not None,
        )

    def w_new_link(self, pk: int, who: str) -> bool:
        consultation = self._consultation(pk)
        if consultation is None:
            return False
        return self._attempt(
            "new-link", who, lambda a, u: voices.new_link(consultation=consultation, user=u), pk=pk
        )

    def w_online_response(self, pk: int, who: str = "", group: str = "young-people") -> bool:
        consultation = self._consultation(pk)
        if consultation is None:
            return False
        return self._attempt(
            "online-response",
            who,
            lambda a, u: voices.submit_online(consultation_id=consultation.pk, group=group, answers=ANSWERS),
            pk=pk,
        )

    def w_offline_response(self, pk: int, who: str) -> bool:
        return self._attempt(
            "offline-response",
            who,
            lambda a, u: voices.enter_offline(
                appraisal=a,
                user=u,
                group="carers",
                source="workshop",
                gathered_how="A session run by the participation team.",
                gathered_on=TODAY,
                answers=ANSWERS,
            ),
            pk=pk,
        )

    def w_theme(
        self, pk: int, who: str, new: bool = False, noted: bool = True, theme: Theme | None = None
    ) -> bool:
        existing = theme or (None if new else Theme.objects.filter(appraisal_id=pk).order_by("pk").first())
        count = Theme.objects.filter(appraisal_id=pk).count()
        name = existing.name if existing else f"Being listened to {count}"
        return self._attempt(
            "theme",
            who,
            lambda a, u: voices.save_theme(
                appraisal=a,
                user=u,
                name=name,
                description="Several said so.",
                question_ids=["P4"],
                decision_note="We added a family meeting." if noted else "",
                theme=existing,
            ),
            pk=pk,
        )

    def w_link_response(self, pk: int, who: str) -> bool:
        response = Response.objects.filter(appraisal_id=pk).order_by("pk").first()
        if response is None:
            return False
        themes = list(Theme.objects.filter(appraisal_id=pk).values_list("pk", flat=True))
        return self._attempt(
            "link-response",
            who,
            lambda a, u: voices.link_response(
                response=response, user=u, question_ids=["P4"], theme_ids=themes
            ),
            pk=pk,
        )

    def w_screening(self, pk: int, who: str, route: str = "light") -> bool:
        return self._attempt(
            "screening",
            who,
            lambda a, u: save_screening(appraisal=a, user=u, answers=SCREENING_ANSWERS, route=route),
            pk=pk,
        )

    def w_require_full_route(self, pk: int, who: str) -> bool:
        return self._attempt(
            "require-full-route",
            who,
            lambda a, u: require_full_route(appraisal=a, user=u, reason="Families are affected directly."),
            pk=pk,
        )

    def w_move_edition(self, pk: int, who: str) -> bool:
        """Move the appraisal to the edition its organisation now uses; if that is its own,
        the organisation first chooses another (an organisation-level change, not watched)."""
        appraisal = self._fresh(pk)
        if moves.newer_edition(appraisal) is None:
            offer_another_edition(self.organisation, self.people["admin"], than=appraisal.framework_key)
            self._known.pop(pk, None)
        target = moves.newer_edition(self._fresh(pk))
        assert target is not None, "the organisation offers no other edition"
        return self._attempt(
            "move-edition",
            who,
            lambda a, u: moves.move_to_edition(appraisal=a, target_key=target.key, user=u),
            pk=pk,
        )

    def w_comment(self, pk: int, who: str) -> bool:
        return self._attempt(
            "comment",
            who,
            lambda a, u: reviews.add_comment(appraisal=a, user=u, target="P1", text="Is this right?"),
            pk=pk,
        )

    def w_resolve_comment(self, pk: int, who: str) -> bool:
        comment = Comment.objects.filter(appraisal_id=pk).order_by("resolved_at", "pk").first()
        if comment is None:
            return False
        return self._attempt(
            "resolve-comment", who, lambda a, u: reviews.resolve_comment(comment=comment, user=u), pk=pk
        )

    def w_action(self, pk: int, who: str, source: str = "other") -> bool:
        """Add an action (owned by a named role, so only the table's roles may move it on)."""
        return self._attempt(
            "action",
            who,
            lambda a, u: actions.add_action(
                appraisal=a,
                user=u,
                what="Urgent cases bypass the wait.",
                due_on=TODAY,
                owner_name="Team manager",
                source=source,
            ),
            pk=pk,
        )

    def w_action_progress(self, pk: int, who: str, status: str = "") -> bool:
        """Move the appraisal's first action still to do on (none: nothing to try)."""
        action = (
            AgreedAction.objects.filter(appraisal_id=pk, status__in=("open", "in-progress"))
            .order_by("pk")
            .first()
        )
        if action is None:
            return False
        status = status or ("in-progress" if action.status == "open" else "done")
        return self._attempt(
            "action-progress",
            who,
            lambda a, u: actions.move_action(action=action, user=u, status=status, evidence="In the rota."),
            pk=pk,
        )

    def w_interest(self, pk: int, who: str, has_interest: bool = False) -> bool:
        interest = "I chair the partner charity." if has_interest else ""
        return self._attempt(
            "interest",
            who,
            lambda a, u: declaring.declare_interests(
                appraisal=a, user=u, has_interest=has_interest, interest=interest
            ),
            pk=pk,
        )

    def w_other_approver(self, pk: int, who: str) -> bool:
        """Require a different approver than one who declared (no declaration: nothing to try)."""
        # One with an interest if there is one; else any (refused, as the service says why).
        found = InterestDeclaration.objects.filter(appraisal_id=pk).order_by("-has_interest", "pk").first()
        if found is None:
            return False
        return self._attempt(
            "other-approver",
            who,
            lambda a, u: declaring.require_other_approver(declaration=found, user=u, reason="Too close."),
            pk=pk,
        )

    def w_review(self, pk: int, who: str, verdict: str = "acceptable") -> bool:
        verdicts = dict.fromkeys(SECTIONS, (verdict, "" if verdict == "acceptable" else "Needs more."))
        return self._attempt(
            "review",
            who,
            lambda a, u: reviews.review_sections(appraisal=a, user=u, verdicts=verdicts),
            pk=pk,
        )

    def w_step(self, pk: int, who: str, step: str) -> bool:
        return self._attempt(
            step,
            who,
            lambda a, u: reviews.transition(appraisal=a, name=step, user=u, reason="Why, in words."),
            pk=pk,
        )

    def w_new_version(self, pk: int, who: str) -> bool:
        return self._attempt(
            "new-version",
            who,
            lambda a, u: reviews.start_new_version(appraisal=a, user=u, reason="The funding changed."),
            pk=pk,
        )

    def w_next_stage(self, pk: int, who: str) -> bool:
        return self._attempt(
            "next-stage",
            who,
            lambda a, u: appraisals.start_appraisal(
                project=a.project, stage="development", user=u, reason="Design began early."
            ),
            pk=pk,
        )

    def w_project(self, pk: int, who: str, title: str = "Family meetings, renamed") -> bool:
        fields = {**PROJECT_FIELDS, "title": title, "summary": f"{title}: what it is now."}
        return self._attempt(
            "project",
            who,
            lambda a, u: appraisals.update_project(
                project=Project.objects.get(pk=a.project_id),
                user=u,
                fields=fields,
                motivations=[appraisals.MotivationInput("improve-outcomes", "Families do better.")],
                primary_motivation="improve-outcomes",
            ),
            pk=pk,
        )

    def every_write(self) -> dict[str, Callable[[int, str], bool]]:
        """One way to try each kind of write, by someone whose role allows it."""
        writes: dict[str, Callable[[int, str], bool]] = {
            "answer": self.w_answer,
            "principles": self.w_principles,
            "register-add": self.w_register_add,
            "register-change": self.w_register_change,
            "register-remove": self.w_register_remove,
            "participation": self.w_participation,
            "criteria": self.w_criteria,
            "readiness": self.w_readiness,
            "outcome": self.w_outcome,
            "unforeseen-add": self.w_unforeseen_add,
            "unforeseen-change": self.w_unforeseen_change,
            "unforeseen-remove": self.w_unforeseen_remove,
            "lessons": self.w_lessons,
            "decision": self.w_decision,
            "summary": self.w_summary,
            "publish": self.w_publish,
            "record-settings": self.w_record_settings,
            "replace-publication": self.w_replace_publication,
            "withdraw-publication": self.w_withdraw_publication,
            "open-consultation": self.w_open_consultation,
            "close-consultation": self.w_close_consultation,
            "new-link": self.w_new_link,
            "online-response": self.w_online_response,
            "offline-response": self.w_offline_response,
            "theme": self.w_theme,
            "link-response": self.w_link_response,
            "comment": self.w_comment,
            "resolve-comment": self.w_resolve_comment,
            "action": self.w_action,
            "action-progress": self.w_action_progress,
            "screening": self.w_screening,  # light, so that requiring the full route next applies
            "require-full-route": self.w_require_full_route,
            "move-edition": self.w_move_edition,
            "interest": self.w_interest,
            "other-approver": self.w_other_approver,
            "review": self.w_review,
            "project": self.w_project,
            "next-stage": self.w_next_stage,
        }
        for step in STEPS:
            writes[step] = functools.partial(self.w_step, step=step)
        writes["new-version"] = self.w_new_version  # last: work then moves to the new version
        assert set(writes) == set(KINDS)
        return writes

    # --- rules: anyone tries anything -------------------------------------------------------

    @rule(
        question=st.sampled_from(["P1", "P2", "T1", "T2", "T4", "T5"]),
        value=st.sampled_from(["yes", "partly", "no", "unsure"]),
        who=st.sampled_from(WHO),
    )
    def answer(self, question: str, value: str, who: str) -> None:
        self.w_answer(self.appraisal_id, who, question, value)

    @rule(
        question=st.sampled_from(["E1", "E2", "E3"]),
        aspect=st.sampled_from(["process", "innovation"]),
        rating=st.sampled_from(["supports", "at-risk"]),
        who=st.sampled_from(WHO),
    )
    def rate_principles(self, question: str, aspect: str, rating: str, who: str) -> None:
        self.w_principles(self.appraisal_id, who, question, aspect, rating)

    @rule(route=st.sampled_from(["light", "full"]), who=st.sampled_from(WHO))
    def screen(self, route: str, who: str) -> None:
        self.w_screening(self.appraisal_id, who, route)

    @rule(who=st.sampled_from(WHO))
    def require_the_full_route(self, who: str) -> None:
        self.w_require_full_route(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def move_to_the_organisations_edition(self, who: str) -> None:
        self.w_move_edition(self.appraisal_id, who)

    @rule(register=st.sampled_from(sorted(ROWS)), who=st.sampled_from(WHO))
    def add_a_row(self, register: str, who: str) -> None:
        self.w_register_add(self.appraisal_id, who, register)

    @rule(register=st.sampled_from(["risks", "benefits"]), who=st.sampled_from(WHO))
    def change_a_row(self, register: str, who: str) -> None:
        self.w_register_change(self.appraisal_id, who, register)

    @rule(register=st.sampled_from(["risks", "benefits"]), who=st.sampled_from(WHO))
    def remove_a_row(self, register: str, who: str) -> None:
        self.w_register_remove(self.appraisal_id, who, register)

    @rule(
        stakeholder=st.sampled_from(["young-people", "carers"]),
        mode=st.sampled_from(["consulted", "not-involved"]),
        who=st.sampled_from(WHO),
    )
    def record_participation(self, stakeholder: str, mode: str, who: str) -> None:
        self.w_participation(self.appraisal_id, who, stakeholder, mode)

    @rule(rating=st.sampled_from(["met", "not-met"]), who=st.sampled_from(WHO))
    def rate_criteria(self, rating: str, who: str) -> None:
        self.w_criteria(self.appraisal_id, who, rating)

    @rule(status=st.sampled_from(["in-place", "not-in-place"]), who=st.sampled_from(WHO))
    def assess_readiness(self, status: str, who: str) -> None:
        self.w_readiness(self.appraisal_id, who, status)

    @rule(
        register=st.sampled_from(["benefits", "risks"]),
        result=st.sampled_from(["", "achieved", "no", "too-early"]),
        who=st.sampled_from(WHO),
    )
    def record_what_happened(self, register: str, result: str, who: str) -> None:
        self.w_outcome(self.appraisal_id, who, register, result)

    @rule(kind=st.sampled_from(["harm", "benefit"]), who=st.sampled_from(WHO))
    def add_what_nobody_expected(self, kind: str, who: str) -> None:
        self.w_unforeseen_add(self.appraisal_id, who, kind)

    @rule(who=st.sampled_from(WHO))
    def change_what_nobody_expected(self, who: str) -> None:
        self.w_unforeseen_change(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def remove_what_nobody_expected(self, who: str) -> None:
        self.w_unforeseen_remove(self.appraisal_id, who)

    @rule(text=st.sampled_from(["Start small.", "Ask families first."]), who=st.sampled_from(WHO))
    def write_the_lessons(self, text: str, who: str) -> None:
        self.w_lessons(self.appraisal_id, who, text)

    @rule(decision=st.sampled_from(["proceed", "reframe", "do-not-proceed"]), who=st.sampled_from(WHO))
    def decide(self, decision: str, who: str) -> None:
        self.w_decision(self.appraisal_id, who, decision)

    @rule(text=st.sampled_from(["", "We said yes, with care."]), who=st.sampled_from(WHO))
    def write_the_summary(self, text: str, who: str) -> None:
        self.w_summary(self.appraisal_id, who, text)

    @rule(leave_out=st.booleans(), who=st.sampled_from(WHO))
    def choose_what_to_leave_out(self, leave_out: bool, who: str) -> None:
        self.w_record_settings(self.appraisal_id, who, leave_out)

    @rule(who=st.sampled_from(WHO))
    def publish(self, who: str) -> None:
        self.w_publish(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def replace_the_publication(self, who: str) -> None:
        self.w_replace_publication(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def withdraw_the_publication(self, who: str) -> None:
        self.w_withdraw_publication(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def open_a_consultation(self, who: str) -> None:
        self.w_open_consultation(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def close_the_consultation(self, who: str) -> None:
        self.w_close_consultation(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def make_a_new_link(self, who: str) -> None:
        self.w_new_link(self.appraisal_id, who)

    @rule(group=st.sampled_from(["", "young-people", "community"]))
    def someone_answers_through_the_link(self, group: str) -> None:
        self.w_online_response(self.appraisal_id, "", group)

    @rule(who=st.sampled_from(WHO))
    def type_in_an_offline_response(self, who: str) -> None:
        self.w_offline_response(self.appraisal_id, who)

    @rule(new=st.booleans(), noted=st.booleans(), who=st.sampled_from(WHO))
    def save_a_theme(self, new: bool, noted: bool, who: str) -> None:
        self.w_theme(self.appraisal_id, who, new, noted)

    @rule(who=st.sampled_from(WHO))
    def link_a_response(self, who: str) -> None:
        self.w_link_response(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def comment(self, who: str) -> None:
        self.w_comment(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def resolve_a_comment(self, who: str) -> None:
        self.w_resolve_comment(self.appraisal_id, who)

    @rule(source=st.sampled_from(["other", "decision", "lessons"]), who=st.sampled_from(WHO))
    def add_an_action(self, source: str, who: str) -> None:
        self.w_action(self.appraisal_id, who, source)

    @rule(status=st.sampled_from(["", "done", "dropped"]), who=st.sampled_from(WHO))
    def move_an_action_on(self, status: str, who: str) -> None:
        self.w_action_progress(self.appraisal_id, who, status)

    # Approvers too (the "right" role is a reviewer's), so one can be asked to stand aside.
    @rule(has_interest=st.booleans(), who=st.sampled_from((*WHO, "approver", "approver")))
    def declare_interests(self, has_interest: bool, who: str) -> None:
        self.w_interest(self.appraisal_id, who, has_interest)

    @rule(who=st.sampled_from(WHO))
    def require_a_different_approver(self, who: str) -> None:
        self.w_other_approver(self.appraisal_id, who)

    @rule(verdict=st.sampled_from(["acceptable", "acceptable", "needs-work"]), who=st.sampled_from(WHO))
    def review(self, verdict: str, who: str) -> None:
        self.w_review(self.appraisal_id, who, verdict)

    @rule(step=st.sampled_from(STEPS))
    def the_right_person_takes_a_step(self, step: str) -> None:
        self.w_step(self.appraisal_id, "right", step)

    @rule(step=st.sampled_from(STEPS), who=st.sampled_from((*ROLES, "outsider")))
    def anyone_tries_a_step(self, step: str, who: str) -> None:
        self.w_step(self.appraisal_id, who, step)

    @rule(who=st.sampled_from(WHO))
    def start_a_new_version(self, who: str) -> None:
        self.w_new_version(self.appraisal_id, who)

    @rule(who=st.sampled_from(WHO))
    def start_the_next_stage(self, who: str) -> None:
        self.w_next_stage(self.appraisal_id, who)

    @rule(
        title=st.sampled_from(["Family meetings, renamed", "Family group conferencing"]),
        who=st.sampled_from(WHO),
    )
    def edit_the_project(self, title: str, who: str) -> None:
        self.w_project(self.appraisal_id, who, title)

    # --- rules that keep examples moving, so approval is reached and tested ---------------------

    # "approved" first: the simplest example, which Hypothesis tries first, starts signed.
    @initialize(
        start=st.sampled_from(
            ["approved", "draft", "complete", "in-review", "changes-requested", "withdrawn", "approved"]
        )
    )
    def a_head_start(self, start: str) -> None:
        """Start some examples further on, so more of each example is spent on later states.
        An example that starts approved begins with every kind of write tried on the signed record."""
        for _ in range(20):
            appraisal = self._fresh()
            if start == "complete" and load_appraisal(appraisal).completeness.is_complete:
                return
            if start == "changes-requested" and appraisal.status == IN_REVIEW:
                self.w_step(self.appraisal_id, "right", "request-changes")
                return
            if start == "withdrawn" and appraisal.status == IN_REVIEW:
                self.w_step(self.appraisal_id, "right", "withdraw")
                return
            if start == appraisal.status == APPROVED:
                self.someone_tries_every_kind_of_write()
                return
            if start in ("draft", appraisal.status) or not self._next_sensible_step():
                return

    @rule(steps=st.integers(1, 8))
    def the_team_works_towards_sign_off(self, steps: int) -> None:
        for _ in range(steps):
            if not self._next_sensible_step():
                return

    def _next_sensible_step(self) -> bool:
        pk = self.appraisal_id
        appraisal = self._fresh()
        if appraisal.status in EDITABLE:
            if not Consultation.objects.filter(appraisal_id=pk).exists():
                self.w_open_consultation(pk, "right")
                self.w_new_link(pk, "right")
                self.w_online_response(pk)
                self.w_offline_response(pk, "right")
                self.w_theme(pk, "right", new=True)
                return self.w_link_response(pk, "right")
            gaps = load_appraisal(appraisal).completeness.gaps
            if gaps:
                for question_id in dict.fromkeys(g.question_id for g in gaps):
                    self._fill(pk, question_id)
                return True
            evaluation = evaluation_of(appraisal)  # an evaluation is sent once it is all recorded
            if evaluation is not None and not evaluation_completeness(evaluation).is_complete:
                for expectation in evaluation.expectations:
                    self.w_outcome(pk, "right", expectation.row.register, row=expectation.row.pk)
                return self.w_lessons(pk, "right")
            for consultation in Consultation.objects.filter(appraisal_id=pk, closed_at__isnull=True):
                self.w_close_consultation(pk, "right", consultation)
            for theme in Theme.objects.filter(appraisal_id=pk, decision_note=""):
                self.w_theme(pk, "right", theme=theme)
            return self.w_step(pk, "right", "submit")
        if appraisal.status == IN_REVIEW:
            if not Comment.objects.filter(appraisal_id=pk).exists():
                return self.w_comment(pk, "reviewer")
            if reviews.approval_problems(appraisal):
                self.w_review(pk, "right")
                if not Decision.objects.filter(appraisal_id=pk).exists():
                    self.w_decision(pk, "right")
                return True
            return self.w_step(pk, "right", "approve")
        return False

    def _fill(self, pk: int, question_id: str) -> None:
        """Answer one question fully (the harness still checks every write, less slowly)."""
        q = FW.question(question_id)
        if q.kind == "principles":
            for aspect in FW.aspects:
                self.w_principles(pk, "right", question_id, aspect.id, "supports")
            return
        self.w_answer(pk, "right", question_id, "yes" if q.has_closed_answer else "")
        if q.register and not RegisterRow.objects.filter(appraisal_id=pk, register=q.register).exists():
            self.w_register_add(pk, "right", q.register)
        if q.kind == "participation":
            for stakeholder in FW.stakeholders:
                self.w_participation(pk, "right", stakeholder.id, "consulted")

    @precondition(lambda self: bool(self.signed) and self.sweeps < 2)  # it is slow: twice at most
    @rule()
    def someone_tries_every_kind_of_write(self) -> None:
        """Each kind of write, by someone whose role allows it, on the newest signed record."""
        self.sweeps += 1
        for write in self.every_write().values():
            write(max(self.signed), "right")

    @precondition(lambda self: bool(self.signed) and self.appraisal_id not in self.signed)
    @rule(who=st.sampled_from(WHO))
    def someone_aims_at_the_signed_record_through_the_new_version(self, who: str) -> None:
        """Writes to the version being worked on that name something of the signed one."""
        pk, signed = self.appraisal_id, max(self.signed)
        theme = Theme.objects.filter(appraisal_id=signed).first()
        comment = Comment.objects.filter(appraisal_id=signed).first()
        response = Response.objects.filter(appraisal_id=signed).first()
        if theme is not None:
            self._attempt(
                "theme",
                who,
                lambda a, u: voices.save_theme(
                    appraisal=a,
                    user=u,
                    name="Rewritten",
                    description="",
                    question_ids=[],
                    decision_note="New.",
                    theme=theme,
                ),
                pk=pk,
            )
        if comment is not None:
            self._attempt(
                "comment",
                who,
                lambda a, u: reviews.add_comment(
                    appraisal=a, user=u, target="P1", text="Reply", parent=comment
                ),
                pk=pk,
            )
        if response is not None:
            themes = list(Theme.objects.filter(appraisal_id=pk).values_list("pk", flat=True))
            self._attempt(
                "link-response",
                who,
                lambda a, u: voices.link_response(
                    response=response, user=u, question_ids=["P1"], theme_ids=themes
                ),
                pk=signed,
            )

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def approval_needs_a_complete_appraisal_and_a_clean_review(self) -> None:
        for pk in self.signed:
            appraisal = self._fresh(pk)
            assert load_appraisal(appraisal).completeness.is_complete
            approval = StatusChange.objects.get(appraisal=appraisal, to_status=APPROVED)
            submitted = StatusChange.objects.filter(
                appraisal=appraisal, to_status=IN_REVIEW, at__lte=approval.at
            )
            assert submitted.exists(), "approved without ever being submitted for review"
            verdicts = SectionReview.objects.filter(appraisal=appraisal, round=approval.round)
            assert {v.section_id for v in verdicts} == set(SECTIONS)
            assert {v.verdict for v in verdicts} == {"acceptable"}

    @invariant()
    def a_signed_record_never_moves(self) -> None:
        for pk, signed in self.signed.items():
            appraisal = self._fresh(pk)
            assert appraisal.status == APPROVED, f"appraisal {pk} left 'approved' for {appraisal.status!r}"
            assert appraisal.record_hash == signed.record_hash, "the stored signature changed"
            assert digest(appraisal.signed_content) == signed.record_hash, "the signed content changed"
            assert record_hash(appraisal) == signed.record_hash, (
                "the record rebuilt now is not the one signed"
            )
            assert (appraisal.approved_audit_head, appraisal.approved_by_id, appraisal.approved_at) == (
                signed.approved_audit_head,
                signed.approved_by_id,
                signed.approved_at,
            )
            later = AuditEvent.objects.filter(appraisal=appraisal, sequence__gt=signed.sequence)
            unexpected = set(later.values_list("action", flat=True)) - AFTER_APPROVAL_ACTIONS
            assert not unexpected, f"approved appraisal {pk} changed after approval: {sorted(unexpected)}"

    @invariant()
    def no_consultation_stays_open_past_editing(self) -> None:
        still_open = Consultation.objects.filter(
            appraisal__project=self.project, closed_at__isnull=True, expires_at__gt=timezone.now()
        ).exclude(appraisal__status__in=EDITABLE)
        assert not still_open.exists(), "a consultation is still open on an appraisal that cannot change"

    @invariant()
    def every_chain_ends_at_its_recorded_head(self) -> None:
        for appraisal in Appraisal.objects.filter(project=self.project):
            assert AuditEvent.objects.filter(appraisal=appraisal).count() == appraisal.audit_count
        chain = OrganisationChain.objects.get(organisation=self.organisation)
        assert AuditEvent.objects.filter(organisation=self.organisation).count() == chain.count


def test_every_kind_of_change_the_gate_knows_has_a_write_here() -> None:
    assert {c for c in KINDS.values() if c is not None} == set(Change)
    assert {
        "record-settings",
        "publish",
        "replace-publication",
        "withdraw-publication",
        "new-version",
        "next-stage",
        "project",
        "action",
        "action-progress",
    } == ALLOWED_ON_APPROVED


@pytest.fixture
def at_stage(request: pytest.FixtureRequest, organisation: Organisation) -> Iterator[str]:
    """Examples work on an inception appraisal, or on the post hoc evaluation of a project
    whose inception appraisal is approved (what happened is recorded against that)."""
    stage = getattr(request, "param", "inception")
    if stage == "evaluation":
        AppraisalWorkflow.baseline_project = approved_inception(organisation).project_id
    try:
        yield stage
    finally:
        AppraisalWorkflow.baseline_project = None


@pytest.mark.django_db
@pytest.mark.parametrize("at_stage", ["inception", "evaluation"], indirect=True)
def test_every_write_goes_through_the_gate_whatever_people_try(
    organisation, other_organisation, at_stage: str
) -> None:
    global approvals_seen
    approvals_seen = 0
    tried_on_approved.clear()
    run_state_machine_as_test(
        AppraisalWorkflow,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS_PER_EXAMPLE,
            deadline=None,
            # Each example takes a second or two, so shrinking a failure would take minutes: the
            # failing steps are printed as found, each assertion naming the write, who and when.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            report_multiple_bugs=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert approvals_seen > 0, "no example reached approval: the property would be vacuous"
    assert tried_on_approved == set(KINDS), (
        f"never tried on an approved appraisal: {set(KINDS) - tried_on_approved}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("at_stage", ["evaluation"], indirect=True)  # where every kind applies
def test_every_kind_of_write_is_accepted_with_one_event_where_it_is_allowed(
    organisation, other_organisation, at_stage: str
) -> None:
    """The harness above is not vacuous: each kind of write, by the right person at the right
    time, is accepted (and checked: exactly one event, with that person as the actor)."""
    accepted_kinds.clear()
    machine = AppraisalWorkflow()
    try:
        machine.a_head_start("complete")
        for kind, write in machine.every_write().items():
            if kind not in TRANSITION_KINDS:
                write(machine.appraisal_id, "right")
        machine.a_head_start("approved")  # then every kind of write on the signed record
        assert machine.signed, "not approved"
        assert machine.appraisal_id not in machine.signed, "no new version was started"
        machine.a_head_start("changes-requested")
        # An approver declares an interest and an admin requires a different approver (which
        # keeps that approver from deciding for good, so only once nothing else needs them).
        assert machine.w_interest(machine.appraisal_id, "approver", has_interest=True)
        assert machine.w_other_approver(machine.appraisal_id, "right")
        assert machine.w_step(machine.appraisal_id, "right", "withdraw")
        machine.approval_needs_a_complete_appraisal_and_a_clean_review()
        machine.a_signed_record_never_moves()
        machine.no_consultation_stays_open_past_editing()
        machine.every_chain_ends_at_its_recorded_head()
    finally:
        machine.teardown()
    assert accepted_kinds == set(KINDS), f"never accepted: {set(KINDS) - accepted_kinds}"
