"""The audit trail: every change is an event, and tampering is detected and named."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from trustworthy.appraisals.models import Answer, Appraisal
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent, OrganisationChain

from ..appraisals.factories import FW
from .helpers import approved, complete_appraisal

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify"])
    return result.exit_code, result.output


def test_untouched_trails_verify(organisation) -> None:
    approved(organisation)
    complete_appraisal(organisation)
    code, output = verify()
    assert code == 0, output
    assert "Audit trail verified" in output


def test_every_kind_of_change_is_recorded_with_before_and_after(organisation) -> None:
    appraisal = approved(organisation)
    actions = set(AuditEvent.objects.filter(appraisal=appraisal).values_list("action", flat=True))
    assert {
        "appraisal.started",
        "answer.saved",
        "row.added",
        "principles.saved",
        "participation.saved",
        "status.changed",
        "review.recorded",
        "decision.recorded",
    } <= actions
    # One save of an E question's aspect (its answer and every rating) is one change, one event.
    principles = AuditEvent.objects.filter(appraisal=appraisal, action="principles.saved")
    assert principles.count() == len(FW.section("principles").questions) * len(FW.aspects)
    assert not AuditEvent.objects.filter(appraisal=appraisal, action="answer.saved", target__contains=":")
    event = AuditEvent.objects.filter(appraisal=appraisal, action="status.changed", target="approve").get()
    assert (event.before, event.after, event.actor.email, event.actor_name) == (
        {"status": "in-review"},
        {"status": "approved", "record_hash": appraisal.record_hash},
        "approver@council.test",
        str(event.actor),
    )
    assert event.organisation_id == appraisal.organisation_id
    assert event.at.utcoffset().total_seconds() == 0


def _events(appraisal: Appraisal) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(appraisal=appraisal).order_by("sequence"))


def test_an_edited_event_is_named(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    target = _events(appraisal)[3]
    AuditEvent.objects.filter(pk=target.pk).update(after={"value": "no", "rationale": "Quietly changed."})
    code, output = verify()
    assert code == 1
    assert f"appraisal {appraisal.pk}, event {target.sequence} ({target.action} {target.target})" in output
    assert "has been changed" in output


def test_a_deleted_event_in_the_middle_is_named(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    events = _events(appraisal)
    events[5].delete()
    code, output = verify()
    assert code == 1
    assert f"event {events[6].sequence} " in output
    assert "expected event 6 here" in output


def test_removing_the_newest_events_is_detected(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    events = _events(appraisal)
    for event in events[-2:]:
        event.delete()
    code, output = verify()
    assert code == 1
    assert f"appraisal {appraisal.pk}, the end of the trail" in output


def test_an_inserted_event_is_detected(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    events = _events(appraisal)
    # Make room after event 3 and slip a forged event in, linked into both chains as the
    # code says, with both heads moved on; without the key, its seal can only be a guess.
    for event in reversed(events[3:]):
        AuditEvent.objects.filter(pk=event.pk).update(sequence=event.sequence + 1)
    chain = OrganisationChain.objects.get(organisation_id=appraisal.organisation_id)
    AuditEvent.objects.create(
        organisation_id=appraisal.organisation_id,
        org_sequence=chain.count + 1,
        org_prev_hash=chain.head,
        appraisal=appraisal,
        sequence=4,
        prev_hash=events[2].hash,
        actor=events[2].actor,
        actor_name=events[2].actor_name,
        at=events[2].at,
        action="answer.saved",
        target="P9",
        after={"value": "yes"},
        hash=events[3].hash,
    )
    OrganisationChain.objects.filter(pk=chain.pk).update(head=events[3].hash, count=chain.count + 1)
    Appraisal.objects.filter(pk=appraisal.pk).update(audit_count=appraisal.audit_count + 1)
    code, output = verify()
    assert code == 1
    assert f"appraisal {appraisal.pk}, event 4 (answer.saved P9)" in output


def test_reordered_events_are_detected(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    first, second = _events(appraisal)[1:3]
    AuditEvent.objects.filter(pk=first.pk).update(sequence=9999)
    AuditEvent.objects.filter(pk=second.pk).update(sequence=first.sequence)
    AuditEvent.objects.filter(pk=first.pk).update(sequence=second.sequence)
    code, output = verify()
    assert code == 1
    assert f"event {first.sequence} ({second.action} {second.target})" in output


def test_changing_an_approved_record_behind_the_services_is_detected(organisation) -> None:
    appraisal = approved(organisation)
    Answer.objects.filter(appraisal=appraisal, question_id="T1").update(rationale="Rewritten after approval.")
    code, output = verify()
    assert code == 1
    assert f"appraisal {appraisal.pk}, the approved decision record" in output
    assert "no longer matches" in output


def test_only_the_first_problem_of_each_appraisal_is_named_and_others_still_checked(organisation) -> None:
    broken = complete_appraisal(organisation)
    also_broken = complete_appraisal(organisation)
    AuditEvent.objects.filter(appraisal=broken, sequence=2).update(target="X")
    AuditEvent.objects.filter(appraisal=also_broken, sequence=3).update(target="Y")
    code, output = verify()
    assert code == 1
    assert f"appraisal {broken.pk}, event 2" in output
    assert f"appraisal {also_broken.pk}, event 3" in output


def test_demo_data_carries_a_full_audit_trail_and_verifies() -> None:
    from trustworthy.demo import load_demo

    load_demo("a long demo password")
    approved_appraisals = Appraisal.objects.filter(status="approved")
    assert approved_appraisals.count() == 2
    assert all(a.record_hash and a.approved_audit_head for a in approved_appraisals)
    assert AuditEvent.objects.filter(action="decision.recorded").count() == 2
    code, output = verify()
    assert code == 0, output
