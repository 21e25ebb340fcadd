"""Actions with owners: mitigations, enablers to put in place, conditions of the decision and
lessons become actions with an owner, a date and a status; they go on after sign-off without
moving the signed record, carry forward to the next stage, and overdue ones are emailed."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from django.core import mail
from django.test import Client
from django.utils import timezone

from trustworthy.appraisals import actions, policy, services
from trustworthy.appraisals.models import Action, Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.changes import NotPermitted
from trustworthy.organisations.models import Organisation
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.services import record_for
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews

from ..reviews.helpers import accept_all, approved, complete_appraisal, person
from .evaluation_factories import approve_evaluation, record_outcomes, start_evaluation
from .factories import decide

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=30)


def _risk(appraisal: Appraisal) -> Any:
    return appraisal.register_rows.get(register="risks")


def _events(appraisal: Appraisal, action: str) -> int:
    return AuditEvent.objects.filter(appraisal=appraisal, action=action).count()


def make_action(appraisal: Appraisal, **given: Any) -> Action:
    fields: dict[str, Any] = {
        "what": "Bypass for urgent cases",
        "due_on": LATER,
        "owner_name": "Team manager",
    }
    return actions.add_action(appraisal=appraisal, user=person("lead"), **(fields | given))


# --- made from the appraisal, through the pages ------------------------------------------------


def test_a_risks_mitigation_becomes_an_action_with_an_owner_and_a_date(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    risk = _risk(appraisal)
    lead = client_as("lead")
    page = lead.get(f"/appraisals/{appraisal.pk}/actions/").content.decode()
    link = f"/appraisals/{appraisal.pk}/actions/new/?source=risk&amp;row={risk.pk}"
    assert "Make this an action" in page
    assert link in page
    form = lead.get(f"/appraisals/{appraisal.pk}/actions/new/?source=risk&row={risk.pk}").content.decode()
    assert "Urgent cases bypass" in form  # the mitigation, to start from
    assert 'value="Team manager"' in form  # the risk's owner, named in words

    contributor = person("contributor")
    response = lead.post(
        f"/appraisals/{appraisal.pk}/actions/new/",
        {"source": "risk", "row": risk.pk, "what": "Urgent cases bypass the wait", "owner": contributor.pk,
         "owner_name": "", "due_on": "27/03/2027", "version": 0},
    )  # fmt: skip
    assert response.status_code == 302
    action = Action.objects.get(appraisal=appraisal)
    assert (action.source, action.row_id, action.owner, action.owner_name) == (
        "risk",
        risk.pk,
        contributor,
        "",
    )
    assert (action.due_on, action.status) == (datetime.date(2027, 3, 27), "open")
    assert _events(appraisal, "action.added") == 1
    listed = lead.get(f"/appraisals/{appraisal.pk}/actions/").content.decode()
    assert "Urgent cases bypass the wait" in listed
    assert str(contributor) in listed
    assert "An action was made from this already." in listed


def test_an_enabler_still_needed_and_the_decisions_conditions_are_offered(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    page = client_as("contributor").get(f"/appraisals/{appraisal.pk}/actions/").content.decode()
    assert "Enablers still needed" in page
    assert "Trained coordinators" in page
    assert "Conditions of the decision" not in page  # no decision yet
    decide(appraisal, person("approver"))
    page = client_as("contributor").get(f"/appraisals/{appraisal.pk}/actions/").content.decode()
    assert "Conditions of the decision" in page
    assert "We weighed it all." in page
    form = client_as("lead").get(f"/appraisals/{appraisal.pk}/actions/new/?source=decision").content.decode()
    assert "From a condition of the decision: Proceed with mitigations" in form


def test_where_an_action_comes_from_is_checked(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    with pytest.raises(services.ServiceError, match="Record the decision"):
        make_action(appraisal, source="decision")
    with pytest.raises(services.ServiceError, match="post hoc evaluation"):
        make_action(appraisal, source="lessons")
    benefit = appraisal.register_rows.get(register="benefits")
    with pytest.raises(services.ServiceError, match="Choose the risk"):
        make_action(appraisal, source="risk", row_id=benefit.pk)
    enabler = appraisal.register_rows.get(register="enablers-and-barriers")
    assert make_action(appraisal, source="enabler", row_id=enabler.pk).row == enabler


def test_the_owner_is_a_member_or_a_named_role_not_both(
    organisation: Organisation, other_organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    for given, message in (
        ({"owner_name": ""}, "Choose who owns this action"),
        ({"owner_id": person("viewer").pk}, "not both"),
        ({"owner_id": person("lead", "trust").pk, "owner_name": ""}, "member of your organisation"),
    ):
        with pytest.raises(services.ServiceError, match=message):
            make_action(appraisal, **given)
    url = f"/appraisals/{appraisal.pk}/actions/new/"
    page = client_as("lead").post(url, {"what": "Something", "due_on": "27/03/2027", "owner_name": ""})
    assert page.status_code == 200
    assert "Choose who owns this action, or name a role" in page.content.decode()
    assert not Action.objects.exists()
    assert make_action(appraisal, owner_name="Registered Manager").owner_label == "Registered Manager"
    assert make_action(appraisal, owner_id=person("viewer").pk, owner_name="").owner_label == str(
        person("viewer")
    )


# --- its status ----------------------------------------------------------------------------------


def test_an_action_moves_from_open_to_done_with_evidence_or_is_dropped_with_a_reason(
    organisation: Organisation,
) -> None:
    appraisal = complete_appraisal(organisation)
    action = make_action(appraisal)
    lead = person("lead")
    action = actions.move_action(action=action, user=lead, status="in-progress")
    with pytest.raises(services.ServiceError, match="in progress already"):
        actions.move_action(action=action, user=lead, status="in-progress")
    with pytest.raises(services.ServiceError, match="what shows it is done"):
        actions.move_action(action=action, user=lead, status="done")
    done = actions.move_action(action=action, user=lead, status="done", evidence="Rota changed in March.")
    assert (done.status, done.evidence, done.closed_on) == ("done", "Rota changed in March.", TODAY)
    reopened = actions.move_action(action=done, user=lead, status="open")
    assert (reopened.status, reopened.evidence, reopened.closed_on) == ("open", "", None)
    with pytest.raises(services.ServiceError, match="why the action is being dropped"):
        actions.move_action(action=reopened, user=lead, status="dropped")
    dropped = actions.move_action(action=reopened, user=lead, status="dropped", dropped_reason="Pilot ended.")
    assert (dropped.status, dropped.dropped_reason) == ("dropped", "Pilot ended.")
    assert _events(appraisal, "action.progressed") == 4  # one for each move made, none for refusals
    with pytest.raises(services.ConflictError):  # someone moved it on since version 1 was read
        actions.move_action(action=dropped, user=lead, status="open", expected_version=1)


def test_changing_what_who_or_when_is_audited_and_checks_the_version(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    action = make_action(appraisal)
    changed = actions.change_action(
        action=action, user=person("contributor"), what="Bypass, written down", due_on=TODAY,
        owner_id=person("approver").pk, expected_version=1,
    )  # fmt: skip
    assert (changed.what, changed.owner, changed.owner_name, changed.due_on) == (
        "Bypass, written down", person("approver"), "", TODAY,
    )  # fmt: skip
    event = AuditEvent.objects.get(appraisal=appraisal, action="action.changed")
    assert event.before["owner"] == "Team manager"
    assert event.after["owner"] == str(person("approver"))
    with pytest.raises(services.ConflictError):
        actions.change_action(
            action=action, user=person("lead"), what="Late", due_on=TODAY, owner_name="X", expected_version=1
        )


# --- who may do what ---------------------------------------------------------------------------


def test_leads_and_contributors_add_and_change_actions_and_owners_may_finish_their_own(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    owned = make_action(appraisal, owner_id=person("viewer").pk, owner_name="")
    other = make_action(appraisal)
    for role in ("viewer", "reviewer", "approver", "admin"):
        with pytest.raises(NotPermitted):
            actions.add_action(
                appraisal=appraisal, user=person(role), what="X", due_on=LATER, owner_name="Someone"
            )
        assert client_as(role).get(f"/appraisals/{appraisal.pk}/actions/new/").status_code == 403
        assert client_as(role).get(f"/appraisals/{appraisal.pk}/actions/{owned.pk}/").status_code == 403
    viewer = client_as("viewer")
    # The owner, a viewer, may start and finish their own action, and not drop it or anyone else's.
    page = viewer.get(f"/appraisals/{appraisal.pk}/actions/{owned.pk}/progress/").content.decode()
    assert "Done" in page
    assert "Dropped" not in page
    assert viewer.get(f"/appraisals/{appraisal.pk}/actions/{other.pk}/progress/").status_code == 403
    with pytest.raises(NotPermitted):
        actions.move_action(action=owned, user=person("viewer"), status="dropped", dropped_reason="No.")
    response = viewer.post(
        f"/appraisals/{appraisal.pk}/actions/{owned.pk}/progress/",
        {"status": "done", "evidence": "Letters rewritten with the young people's panel.", "version": 1},
    )
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.status == "done"
    assert AuditEvent.objects.get(action="action.progressed").actor_id == person("viewer").pk
    assert policy.may("viewer", "approved", Change.ACTION_PROGRESS, is_owner=True)
    assert not policy.may("viewer", "approved", Change.ACTION_PROGRESS)
    assert not policy.may(None, "approved", Change.ACTION_PROGRESS, is_owner=True)  # not a member


def test_another_organisations_actions_are_not_found(
    organisation: Organisation, other_organisation: Organisation, client_as: Callable[..., Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    action = make_action(appraisal, owner_id=person("lead").pk, owner_name="")
    outsider = client_as("lead", "trust")
    for url in (
        f"/appraisals/{appraisal.pk}/actions/",
        f"/appraisals/{appraisal.pk}/actions/new/",
        f"/appraisals/{appraisal.pk}/actions/{action.pk}/",
        f"/appraisals/{appraisal.pk}/actions/{action.pk}/progress/",
        f"/projects/{appraisal.project_id}/actions/",
    ):
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {"status": "done", "evidence": "x", "what": "x"}).status_code in (
            404,
            405,
        ), url
    assert "Bypass for urgent cases" not in outsider.get("/actions/?status=all").content.decode()
    # An action id of this organisation, under an appraisal of the other one, is not found either.
    other_appraisal = services.start_appraisal(
        project=services.create_project(
            organisation=other_organisation, user=person("lead", "trust"),
            fields={"title": "Theirs", "summary": "S", "problem": "P", "target_cohort": "T",
                    "accountable_person": "Director"},
            motivations=[services.MotivationInput("improve-outcomes", "Because.")],
            primary_motivation="improve-outcomes",
        ),
        stage="inception", user=person("lead", "trust"),
    )  # fmt: skip
    assert outsider.get(f"/appraisals/{other_appraisal.pk}/actions/{action.pk}/").status_code == 404
    assert Action.objects.get(pk=action.pk).what == "Bypass for urgent cases"


# --- after approval: follow-through, not a change to the record ------------------------------------


def test_actions_go_on_after_approval_and_the_signed_record_does_not_move(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    before = make_action(appraisal, owner_id=person("contributor").pk, owner_name="")
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()
    signed = appraisal.record_hash
    assert [a.what for a in record_for(appraisal).actions] == ["Bypass for urgent cases"]

    lead = client_as("lead")
    response = lead.post(
        f"/appraisals/{appraisal.pk}/actions/new/?source=decision",
        {"source": "decision", "what": "Sign the data-sharing agreement", "owner_name": "Head of service",
         "due_on": "01/04/2027", "version": 0},
    )  # fmt: skip
    assert response.status_code == 302
    contributor = client_as("contributor")
    response = contributor.post(
        f"/appraisals/{appraisal.pk}/actions/{before.pk}/progress/",
        {"status": "done", "evidence": "The bypass is in the rota.", "version": 1},
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.status == "approved"
    assert record_hash(appraisal) == signed == appraisal.record_hash  # rebuilt now, as signed
    shown = record_for(appraisal).actions
    assert [(a.what, a.status) for a in shown] == [("Bypass for urgent cases", "open")]  # as at approval
    assert verify_everything() == []
    page = lead.get(f"/appraisals/{appraisal.pk}/actions/").content.decode()
    assert "does not change the signed decision record" in page
    assert "The bypass is in the rota." in page
    assert "Sign the data-sharing agreement" in page


# --- carried forward to the next stage ------------------------------------------------------------


def test_open_actions_carry_forward_to_the_next_stage(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    inception = approved(organisation)
    still_open = make_action(inception, what="Sign the agreement")
    started = actions.move_action(
        action=make_action(inception, what="Train coordinators"), user=person("lead"), status="in-progress"
    )
    done = actions.move_action(
        action=make_action(inception, what="Tell families"), user=person("lead"), status="done",
        evidence="Letters sent.",
    )  # fmt: skip
    development = services.start_appraisal(
        project=inception.project, stage="development", user=person("lead")
    )
    carried = Action.objects.filter(appraisal=development).order_by("carried_from_id")
    assert [(a.carried_from_id, a.what, a.status) for a in carried] == [
        (still_open.pk, "Sign the agreement", "open"),
        (started.pk, "Train coordinators", "in-progress"),
    ]
    assert not Action.objects.filter(appraisal=development, carried_from=done).exists()
    event = AuditEvent.objects.get(appraisal=development, action="appraisal.started")
    assert event.after["actions_carried_forward"] == 2
    # The earlier stage's copy is kept as it was: it is updated where it went.
    with pytest.raises(
        services.ServiceError, match="carried forward to the development and design appraisal"
    ):
        actions.move_action(action=still_open, user=person("lead"), status="in-progress")
    lead = client_as("lead")
    page = lead.get(f"/appraisals/{inception.pk}/actions/").content.decode()
    assert "Carried forward to the" in page
    assert f"/appraisals/{development.pk}/actions/" in page
    listed = lead.get(f"/projects/{inception.project_id}/actions/").content.decode()
    assert listed.count('"app-pre-line">Sign the agreement<') == 1
    assert "Tell families" in listed
    # ... and on to the stage after, from where they are now.
    later = services.start_appraisal(
        project=inception.project, stage="implementation", user=person("lead"), reason="Piloted elsewhere."
    )
    assert Action.objects.filter(appraisal=later).count() == 2
    assert set(Action.objects.filter(appraisal=later).values_list("carried_from__appraisal", flat=True)) == {
        development.pk
    }


# --- lists --------------------------------------------------------------------------------------


def test_the_organisations_actions_filter_by_mine_overdue_and_status(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    make_action(appraisal, what="Mine and late", owner_id=person("contributor").pk, owner_name="",
                due_on=TODAY - datetime.timedelta(days=3))  # fmt: skip
    make_action(appraisal, what="Someone else's")
    finished = make_action(appraisal, what="All done", owner_id=person("contributor").pk, owner_name="")
    actions.move_action(action=finished, user=person("lead"), status="done", evidence="Done on time.")
    client = client_as("contributor")

    def shown(query: str) -> set[str]:
        page = html.unescape(client.get(f"/actions/{query}").content.decode())
        return {what for what in ("Mine and late", "Someone else's", "All done") if what in page}

    assert shown("") == {"Mine and late", "Someone else's"}  # still to do, by default
    assert shown("?mine=on") == {"Mine and late"}
    assert shown("?overdue=on") == {"Mine and late"}
    assert shown("?status=done") == {"All done"}
    assert shown("?status=all&mine=on") == {"Mine and late", "All done"}
    assert "1 is overdue" in client.get("/actions/").content.decode()
    assert actions.overdue_by_project(organisation.pk) == {appraisal.project_id: 1}


# --- reminders ----------------------------------------------------------------------------------


def test_owners_of_overdue_actions_are_emailed_once_a_day(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    late = make_action(appraisal, what="Sign the agreement", owner_id=person("viewer").pk, owner_name="",
                       due_on=TODAY - datetime.timedelta(days=1))  # fmt: skip
    make_action(appraisal, what="Not due yet", owner_id=person("viewer").pk, owner_name="")
    make_action(appraisal, what="Owned by a role", due_on=TODAY - datetime.timedelta(days=5))
    finished = make_action(appraisal, what="Finished late", owner_id=person("lead").pk, owner_name="",
                           due_on=TODAY - datetime.timedelta(days=9))  # fmt: skip
    actions.move_action(action=finished, user=person("lead"), status="done", evidence="It was done.")
    mail.outbox.clear()
    trail = (appraisal.audit_head, AuditEvent.objects.filter(appraisal=appraisal).count())

    assert reviews.send_action_reminders(TODAY) == 1
    assert [m.to for m in mail.outbox] == [["viewer@council.test"]]
    body = mail.outbox[0].body
    assert "Sign the agreement" in body
    assert "Not due yet" not in body
    assert f"/appraisals/{appraisal.pk}/actions/{late.pk}/progress/" in body
    late.refresh_from_db()
    assert late.last_reminded_on == TODAY
    event = AuditEvent.objects.get(action="actions.reminded")
    assert (event.appraisal_id, event.after) == (None, {"actions": [late.pk], "on": TODAY.isoformat()})
    appraisal.refresh_from_db()
    assert (appraisal.audit_head, AuditEvent.objects.filter(appraisal=appraisal).count()) == trail

    assert reviews.send_action_reminders(TODAY) == 0  # not twice in a day
    assert len(mail.outbox) == 1
    assert reviews.send_action_reminders(TODAY + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert verify_everything() == []


def test_the_daily_command_reminds_owners_of_overdue_actions(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    make_action(appraisal, owner_id=person("contributor").pk, owner_name="",
                due_on=TODAY - datetime.timedelta(days=2))  # fmt: skip
    mail.outbox.clear()
    output = CliRunner().invoke(main, ["reminders"]).output
    assert "Reminded owners of 1 overdue action." in output
    assert "Reminded owners of 0 overdue actions." in CliRunner().invoke(main, ["reminders"]).output
    assert [m.to for m in mail.outbox] == [["contributor@council.test"]]


# --- the trail, in words ---------------------------------------------------------------------


def test_the_history_names_each_action_event(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    appraisal = complete_appraisal(organisation)
    action = make_action(appraisal, what="Bypass for urgent cases")
    actions.change_action(action=action, user=person("lead"), what="Bypass, written down", due_on=LATER,
                          owner_name="Team manager")  # fmt: skip
    actions.move_action(action=action, user=person("lead"), status="in-progress")
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/history/").content.decode()
    assert "Action added" in page
    assert "Action changed" in page
    assert "Action updated" in page
    assert "Bypass, written down" in page
    assert "In progress" in page
    assert "Due by" in page


def test_lessons_become_actions_at_the_evaluation_stage(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    evaluation = start_evaluation(organisation)
    record_outcomes(evaluation)
    page = client_as("lead").get(f"/appraisals/{evaluation.appraisal.pk}/actions/").content.decode()
    assert "Lessons from the evaluation" in page
    action = make_action(evaluation.appraisal, source="lessons", what="Share waiting times monthly")
    assert action.get_source_display() == "Lesson from the evaluation"
    signed = approve_evaluation(evaluation)
    assert [a.source for a in record_for(signed).actions] == ["lessons"]
