"""Property: whatever people try, in any order, no path reaches 'approved' without a
complete appraisal and a clean review, and nothing changes after approval."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from trustworthy.appraisals import policy as workflow
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal, RegisterRow
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.core.models import AuditEvent
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews
from trustworthy.reviews.models import SectionReview, StatusChange

from ..appraisals.factories import ROWS, fill_appraisal, make_project
from .helpers import SECTIONS, person

ROLES = ("lead", "contributor", "reviewer", "approver", "viewer", "admin")
STEPS = ("submit", "request-changes", "approve", "withdraw")


class ReviewWorkflow(RuleBasedStateMachine):
    approvals_seen = 0  # across examples: proves the property is not vacuous

    def __init__(self) -> None:
        super().__init__()
        from trustworthy.organisations.models import Organisation

        lead = person("lead")
        project = make_project(Organisation.objects.get(name="Northshire Council"), lead)
        self.appraisal = services.start_appraisal(project=project, stage="inception", user=lead)
        self.approved_state: tuple[object, ...] | None = None

    def _try(self, action) -> None:
        # A refusal is always an acceptable outcome; the invariants judge the rest.
        with contextlib.suppress(services.ServiceError):
            action()

    def _refresh(self) -> Appraisal:
        self.appraisal.refresh_from_db()
        return self.appraisal

    @rule()
    def fill_in_everything(self) -> None:
        self._try(lambda: fill_appraisal(self.appraisal, person("lead")))

    @rule()
    def remove_the_risks(self) -> None:
        for row in RegisterRow.objects.filter(appraisal=self.appraisal, register="risks"):
            self._try(lambda row=row: services.remove_register_row(row=row, user=person("contributor")))

    @rule(value=st.sampled_from(["yes", "partly", "no", "unsure"]))
    def change_an_answer(self, value: str) -> None:
        self._try(
            lambda: services.save_answer(
                appraisal=self.appraisal,
                question_id="T1",
                user=person("lead"),
                value=value,
                rationale="Changed.",
            )
        )

    @rule()
    def add_a_risk(self) -> None:
        self._try(
            lambda: services.add_register_row(
                appraisal=self.appraisal, register_id="risks", data=ROWS["risks"], user=person("contributor")
            )
        )

    @rule()
    def the_team_does_the_next_sensible_thing(self) -> None:
        """Keeps examples moving towards sign-off, so approval is actually reached and tested."""
        appraisal = self._refresh()
        if appraisal.status in ("draft", "changes-requested"):
            if not load_appraisal(appraisal).completeness.is_complete:
                self.fill_in_everything()
            else:
                self.the_right_person_takes_a_step("submit")
        elif appraisal.status == "in-review":
            if reviews.approval_problems(appraisal):
                self.review("acceptable")
                self.decide("proceed-with-mitigations")
            else:
                self.the_right_person_takes_a_step("approve")

    @rule(step=st.sampled_from(STEPS))
    def the_right_person_takes_a_step(self, step: str) -> None:
        role = next(r for r in ROLES if workflow.role_allows(r, workflow.TRANSITIONS[step].change))
        self._try(
            lambda: reviews.transition(appraisal=self.appraisal, name=step, user=person(role), reason="Why.")
        )

    @rule(step=st.sampled_from(STEPS), role=st.sampled_from(ROLES))
    def anyone_tries_a_step(self, step: str, role: str) -> None:
        self._try(
            lambda: reviews.transition(appraisal=self.appraisal, name=step, user=person(role), reason="Why.")
        )

    @rule(verdict=st.sampled_from(["acceptable", "acceptable", "needs-work"]))
    def review(self, verdict: str) -> None:
        verdicts = dict.fromkeys(SECTIONS, (verdict, "" if verdict == "acceptable" else "Needs more."))
        self._try(
            lambda: reviews.review_sections(
                appraisal=self.appraisal, user=person("reviewer"), verdicts=verdicts
            )
        )

    @rule(decision=st.sampled_from(["proceed", "proceed-with-mitigations", "reframe", "do-not-proceed"]))
    def decide(self, decision: str) -> None:
        self._try(
            lambda: services.record_decision(
                appraisal=self.appraisal, user=person("approver"), decision=decision, reasoning="Reasons.",
                departure_reason="Explained departure.", accountable_person="Director",
                decided_on=datetime.date(2026, 11, 26),
            )
        )  # fmt: skip

    @rule()
    def comment(self) -> None:
        self._try(
            lambda: reviews.add_comment(
                appraisal=self.appraisal, user=person("viewer"), target="P1", text="Hm"
            )
        )

    @invariant()
    def approval_needs_a_complete_appraisal_and_a_clean_review(self) -> None:
        appraisal = self._refresh()
        if appraisal.status != "approved":
            return
        assert load_appraisal(appraisal).completeness.is_complete
        approval = StatusChange.objects.get(appraisal=appraisal, to_status="approved")
        submitted = StatusChange.objects.filter(
            appraisal=appraisal, to_status="in-review", at__lte=approval.at
        )
        assert submitted.exists(), "approved without ever being submitted for review"
        verdicts = SectionReview.objects.filter(appraisal=appraisal, round=approval.round)
        assert {v.section_id for v in verdicts} == set(SECTIONS)
        assert {v.verdict for v in verdicts} == {"acceptable"}

    @invariant()
    def nothing_changes_after_approval(self) -> None:
        appraisal = self._refresh()
        if appraisal.status != "approved":
            return
        state = (
            appraisal.audit_head,
            record_hash(appraisal),
            AuditEvent.objects.filter(appraisal=appraisal).count(),
        )
        assert state[1] == appraisal.record_hash
        if self.approved_state is None:
            self.approved_state = state
            ReviewWorkflow.approvals_seen += 1
        assert state == self.approved_state


@pytest.mark.django_db
def test_the_review_workflow_holds_whatever_people_try(organisation: object) -> None:
    ReviewWorkflow.approvals_seen = 0
    run_state_machine_as_test(
        ReviewWorkflow,
        settings=settings(
            max_examples=60, stateful_step_count=30, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )  # fmt: skip
    assert ReviewWorkflow.approvals_seen > 0, "no example reached approval: the property would be vacuous"
