"""Every transition of the review workflow, through the web, for every role."""

from __future__ import annotations

import pytest
from django.core import mail

from trustworthy.appraisals.models import Appraisal
from trustworthy.reports.signing import record_hash
from trustworthy.reviews.models import SectionReview, StatusChange

from ..conftest import ROLES
from .helpers import accept_all, approved, complete_appraisal, in_review, person

pytestmark = pytest.mark.django_db


def status(appraisal: Appraisal) -> str:
    appraisal.refresh_from_db()
    return appraisal.status


@pytest.mark.parametrize("role", ROLES)
def test_only_the_lead_submits_a_complete_appraisal(client_as, organisation, role: str) -> None:
    appraisal = complete_appraisal(organisation)
    response = client_as(role).post(f"/appraisals/{appraisal.pk}/steps/submit/", {"reason": ""})
    if role == "lead":
        assert response.status_code == 302
        assert status(appraisal) == "in-review"
        change = StatusChange.objects.get(appraisal=appraisal)
        assert (change.from_status, change.to_status, change.by.email) == (
            "draft",
            "in-review",
            "lead@council.test",
        )
        assert {m.to[0] for m in mail.outbox} == {"reviewer@council.test", "approver@council.test"}
        assert f"/appraisals/{appraisal.pk}/review/" in mail.outbox[0].body
    else:
        assert response.status_code == 403
        assert status(appraisal) == "draft"


def test_an_incomplete_appraisal_cannot_be_submitted(client_as, organisation) -> None:
    from trustworthy.appraisals import services

    from ..appraisals.factories import make_project

    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    page = client_as("lead").get(f"/appraisals/{appraisal.pk}/steps/submit/").content.decode()
    assert "Answer every question before sending the appraisal for review." in page
    client_as("lead").post(f"/appraisals/{appraisal.pk}/steps/submit/", {"reason": ""})
    assert status(appraisal) == "draft"


def test_answers_carried_forward_must_be_confirmed_before_review(client_as, organisation) -> None:
    from trustworthy.appraisals import services

    project = complete_appraisal(organisation).project
    later = services.start_appraisal(
        project=project, stage="testing", user=person("lead"), reason="The pilot could not wait."
    )
    page = client_as("lead").get(f"/appraisals/{later.pk}/steps/submit/").content.decode()
    assert "Confirm or change the answers carried forward from the last stage: P1, P2" in page


@pytest.mark.parametrize("role", ROLES)
def test_only_reviewers_record_verdicts_and_request_changes(client_as, organisation, role: str) -> None:
    appraisal = in_review(organisation)
    verdicts = {"verdict_parameters": "needs-work", "comment_parameters": "Say more about P6.",
                "verdict_principles": "acceptable", "verdict_tests": "acceptable"}  # fmt: skip
    response = client_as(role).post(f"/appraisals/{appraisal.pk}/review/", verdicts)
    assert response.status_code == (302 if role == "reviewer" else 403)
    assert SectionReview.objects.filter(appraisal=appraisal).count() == (3 if role == "reviewer" else 0)
    response = client_as(role).post(
        f"/appraisals/{appraisal.pk}/steps/request-changes/", {"reason": "See P6."}
    )
    assert response.status_code == (302 if role == "reviewer" else 403)
    assert status(appraisal) == ("changes-requested" if role == "reviewer" else "in-review")


def test_a_verdict_other_than_acceptable_needs_a_comment(client_as, organisation) -> None:
    appraisal = in_review(organisation)
    response = client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/review/",
        {
            "verdict_parameters": "not-acceptable",
            "verdict_principles": "acceptable",
            "verdict_tests": "acceptable",
        },
    )
    assert "Say what needs to change in section 1" in response.content.decode()
    assert not SectionReview.objects.exists()


def test_requesting_changes_needs_a_reason_and_tells_the_lead(client_as, organisation) -> None:
    appraisal = in_review(organisation)
    mail.outbox.clear()
    response = client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/steps/request-changes/", {"reason": ""}
    )
    assert "Enter reason" in response.content.decode() or "Enter" in response.content.decode()
    assert status(appraisal) == "in-review"
    client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/steps/request-changes/", {"reason": "P6 is thin."}
    )
    assert status(appraisal) == "changes-requested"
    assert [m.to for m in mail.outbox] == [["lead@council.test"]]
    assert "P6 is thin." in mail.outbox[0].body


def test_the_lead_answers_and_resubmits_in_a_new_round(client_as, organisation) -> None:
    appraisal = in_review(organisation)
    client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/steps/request-changes/", {"reason": "P6 is thin."}
    )
    response = client_as("lead").post(
        f"/appraisals/{appraisal.pk}/questions/P6/",
        {"rationale": "Now with costs.", "evidence": "", "version": "1"},
    )
    assert response.status_code == 302
    client_as("lead").post(f"/appraisals/{appraisal.pk}/steps/submit/", {"reason": "Added costs."})
    assert status(appraisal) == "in-review"
    assert list(StatusChange.objects.filter(appraisal=appraisal).values_list("round", flat=True)) == [1, 1, 2]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_approver_signs_after_a_clean_review(client_as, organisation, role: str) -> None:
    from .helpers import decide

    appraisal = in_review(organisation)
    page = client_as("approver").get(f"/appraisals/{appraisal.pk}/steps/approve/").content.decode()
    assert "has not been reviewed in this round" in page
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    mail.outbox.clear()
    response = client_as(role).post(f"/appraisals/{appraisal.pk}/steps/approve/", {"reason": ""})
    if role == "approver":
        assert response.status_code == 302
        appraisal.refresh_from_db()
        assert appraisal.status == "approved"
        assert appraisal.approved_by == person("approver")
        assert appraisal.record_hash == record_hash(appraisal)
        assert appraisal.approved_audit_head == appraisal.audit_head
        assert appraisal.review_date is not None
        assert any("Decision approved" in m.subject for m in mail.outbox)
    else:
        assert response.status_code == 403
        assert status(appraisal) == "in-review"


def test_withdrawing_needs_a_reason(client_as, organisation) -> None:
    appraisal = complete_appraisal(organisation)
    client_as("lead").post(f"/appraisals/{appraisal.pk}/steps/withdraw/", {"reason": ""})
    assert status(appraisal) == "draft"
    client_as("lead").post(f"/appraisals/{appraisal.pk}/steps/withdraw/", {"reason": "Funding withdrawn."})
    assert status(appraisal) == "withdrawn"
    assert StatusChange.objects.get(appraisal=appraisal).reason == "Funding withdrawn."


def test_a_new_version_keeps_the_approved_one_and_shows_what_changed(client_as, organisation) -> None:
    old = approved(organisation)
    assert client_as("lead").post(f"/appraisals/{old.pk}/new-version/", {"reason": ""}).status_code == 200
    response = client_as("lead").post(f"/appraisals/{old.pk}/new-version/", {"reason": "New funding rules."})
    new = Appraisal.objects.get(project=old.project, stage=old.stage, version=2)
    assert response["Location"] == f"/appraisals/{new.pk}/"
    assert new.status == "draft"
    assert new.version_reason == "New funding rules."
    client_as("lead").post(
        f"/appraisals/{new.pk}/questions/P1/",
        {"value": "partly", "rationale": "Less sure now.", "version": "1"},
    )
    page = client_as("viewer").get(f"/appraisals/{new.pk}/changes/").content.decode()
    assert "What changed since version 1" in page
    assert "Less sure now." in page
    assert "Our reasons for P1." in page
    assert "Decision" in page  # the new version has no decision yet
    assert status(old) == "approved"
    assert client_as("viewer").get(f"/appraisals/{old.pk}/").status_code == 200


def test_history_shows_who_did_what(client_as, organisation) -> None:
    appraisal = approved(organisation)
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/history/").content.decode()
    assert "Answer saved: P1: Is innovation the right approach?" in page
    assert "Status changed: Approve and sign the decision" in page
    assert "Approver of Northshire Council" in page


def test_comments_thread_resolve_and_tell_the_person_who_answered(client_as, organisation) -> None:
    appraisal = complete_appraisal(organisation)
    mail.outbox.clear()
    url = f"/appraisals/{appraisal.pk}/questions/P2/"
    client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/comments/", {"target": "P2", "text": "Which model?", "next": url}
    )
    assert [m.to for m in mail.outbox] == [["lead@council.test"]]
    assert url in mail.outbox[0].body
    from trustworthy.reviews.models import Comment

    comment = Comment.objects.get()
    client_as("lead").post(
        f"/appraisals/{appraisal.pk}/comments/",
        {"target": "P2", "parent": comment.pk, "text": "The Leeds model.", "next": url},
    )
    page = client_as("viewer").get(url).content.decode()
    assert "Which model?" in page
    assert "The Leeds model." in page
    client_as("lead").post(f"/appraisals/{appraisal.pk}/comments/{comment.pk}/resolve/", {"next": url})
    comment.refresh_from_db()
    assert comment.resolved_by == person("lead")


def test_reminders_email_owners_of_decisions_due_for_review(organisation) -> None:
    import datetime

    from click.testing import CliRunner

    from trustworthy.cli import main

    appraisal = approved(organisation)
    mail.outbox.clear()
    assert "Sent reminders for 0 decisions" in CliRunner().invoke(main, ["reminders"]).output
    Appraisal.objects.filter(pk=appraisal.pk).update(review_date=datetime.date(2020, 1, 1))
    assert "Sent reminders for 1 decision " in CliRunner().invoke(main, ["reminders"]).output
    assert {"lead@council.test", "approver@council.test"} <= {m.to[0] for m in mail.outbox}
    assert f"/projects/{appraisal.project_id}/" in mail.outbox[0].body


def test_comments_on_a_register_row_show_beside_the_row(client_as, organisation) -> None:
    appraisal = complete_appraisal(organisation)
    row = appraisal.register_rows.get(register="risks")
    url = f"/appraisals/{appraisal.pk}/questions/P7/"
    client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/comments/",
        {"target": f"row:{row.pk}", "text": "Is 4 severe enough?", "next": url},
    )
    page = client_as("viewer").get(url).content.decode()
    card = page[page.index("Delay in urgent cases") :]
    assert "Comments on this row" in card
    assert "Is 4 severe enough?" in card


def test_the_projects_list_shows_decisions_due_for_review(client_as, organisation) -> None:
    import datetime

    appraisal = approved(organisation)
    assert "Decision review due" not in client_as("viewer").get("/projects/").content.decode()
    Appraisal.objects.filter(pk=appraisal.pk).update(review_date=datetime.date(2020, 1, 1))
    assert "Decision review due" in client_as("viewer").get("/projects/").content.decode()


def test_recipients_come_from_the_permissions_table(client_as, organisation, monkeypatch) -> None:
    """Who is told changes are wanted follows what each role may do, not a list of role names."""
    from trustworthy.organisations import permissions

    appraisal = in_review(organisation)
    mail.outbox.clear()
    allowed = dict(permissions.ALLOWED)
    allowed[permissions.Action.MANAGE_PROJECTS] = frozenset({"lead", "contributor"})
    monkeypatch.setattr(permissions, "ALLOWED", allowed)
    client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/steps/request-changes/", {"reason": "P6 is thin."}
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["contributor@council.test", "lead@council.test"]


def test_a_step_that_cannot_be_taken_now_says_why_and_changes_nothing(client_as, organisation) -> None:
    appraisal = complete_appraisal(organisation)
    response = client_as("approver").get(f"/appraisals/{appraisal.pk}/steps/approve/")
    assert response.status_code == 409
    assert "Nothing has been changed." in response.content.decode()
    assert client_as("approver").post(f"/appraisals/{appraisal.pk}/steps/approve/", {}).status_code == 409
    assert status(appraisal) == "draft"


def test_a_new_version_of_an_appraisal_that_is_not_approved_is_explained_not_offered(
    client_as, organisation
) -> None:
    appraisal = complete_appraisal(organisation)
    url = f"/appraisals/{appraisal.pk}/new-version/"
    page = client_as("lead").get(url).content.decode()
    assert "Only an approved appraisal needs a new version" in page
    assert 'name="reason"' not in page
    assert client_as("lead").post(url, {"reason": "Why not."}).status_code == 409
    assert Appraisal.objects.filter(project=appraisal.project).count() == 1


def test_a_comment_that_cannot_be_saved_comes_back_with_what_was_typed(client_as, organisation) -> None:
    from trustworthy.reviews.models import Comment

    appraisal = complete_appraisal(organisation)
    back = f"/appraisals/{appraisal.pk}/questions/P2/"
    response = client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/comments/",
        {"target": "P2", "text": "Ask Mrs Patel, born on 3 March 1980, about it.", "next": back},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check for personal details" in page
    assert "Ask Mrs Patel, born on 3 March 1980, about it." in page
    assert f'name="next" value="{back}"' in page
    assert not Comment.objects.exists()
    empty = client_as("reviewer").post(f"/appraisals/{appraisal.pk}/comments/", {"target": "P2", "text": ""})
    assert "Enter your comment" in empty.content.decode()
    assert not Comment.objects.exists()
