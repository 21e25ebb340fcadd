"""The appraisal pages through the web, as each role."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer, Appraisal, Decision, Project, RegisterRow
from trustworthy.organisations.models import Organisation, User

from .factories import fill_appraisal, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def appraisal(organisation: Organisation) -> Appraisal:
    lead = User.objects.get(email="lead@council.test")
    return services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)


PROJECT_POST = {
    "title": "Residential care hub",
    "summary": "A hub model for children's homes.",
    "problem": "Children placed far from home.",
    "target_cohort": "Children in residential care.",
    "motivations": ["efficiency-and-cost", "improve-outcomes"],
    "explain_efficiency-and-cost": "Out-of-area placements cost a lot.",
    "explain_improve-outcomes": "Children stay near their schools.",
    "primary_motivation": "improve-outcomes",
    "funding_amount": "250000",
    "current_stage": "inception",
    "accountable_person": "Director of Children's Services",
}


def test_lead_creates_a_project(client_as) -> None:
    response = client_as("lead").post("/projects/new/", PROJECT_POST)
    project = Project.objects.get(title="Residential care hub")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert project.motivations.get(is_primary=True).motivation == "improve-outcomes"
    page = client_as("viewer").get(f"/projects/{project.pk}/").content.decode()
    assert "Out-of-area placements cost a lot." in page
    assert "£250,000" in page


def test_project_errors_keep_everything_typed(client_as) -> None:
    post = {**PROJECT_POST, "title": "", "explain_efficiency-and-cost": "", "summary": "x" * 5001}
    response = client_as("lead").post("/projects/new/", post)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a project title" in page
    assert "Explain this reason for the project" in page
    assert "Summary must be 5,000 characters or fewer" in page
    assert "Children placed far from home." in page
    assert "Out-of-area placements cost a lot." not in page  # that one was cleared on purpose
    assert "Children stay near their schools." in page
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", ["admin", "contributor", "reviewer", "approver", "viewer"])
def test_only_leads_create_projects(client_as, role: str) -> None:
    assert client_as(role).post("/projects/new/", PROJECT_POST).status_code == 403
    assert not Project.objects.exists()


def test_answering_a_question_goes_to_the_next(client_as, appraisal: Appraisal) -> None:
    response = client_as("contributor").post(
        f"/appraisals/{appraisal.pk}/questions/P1/",
        {"value": "partly", "rationale": "We tried training first."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/appraisals/{appraisal.pk}/questions/P2/"
    answer = Answer.objects.get(appraisal=appraisal, question_id="P1")
    assert (answer.value, answer.rationale) == ("partly", "We tried training first.")


def test_a_missing_rationale_is_an_error_that_keeps_the_answer(client_as, appraisal: Appraisal) -> None:
    response = client_as("lead").post(
        f"/appraisals/{appraisal.pk}/questions/P2/",
        {"value": "no", "rationale": "", "evidence": "not a link"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the reasons for your answer" in page
    assert "is not a web link" in page
    assert 'value="no" checked' in page
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["admin", "reviewer", "approver", "viewer"])
def test_roles_that_do_not_answer_cannot_answer(client_as, appraisal: Appraisal, role: str) -> None:
    response = client_as(role).post(
        f"/appraisals/{appraisal.pk}/questions/P1/", {"value": "yes", "rationale": "r"}
    )
    assert response.status_code == 403
    assert not Answer.objects.exists()
    page = client_as(role).get(f"/appraisals/{appraisal.pk}/questions/P1/").content.decode()
    assert '<form method="post" novalidate>' not in page


def test_register_rows_add_change_remove(client_as, appraisal: Appraisal) -> None:
    client = client_as("lead")
    base = f"/appraisals/{appraisal.pk}/registers/risks"
    risk = {
        "description": "Families feel watched",
        "who_harmed": ["families"],
        "likelihood": "3",
        "severity": "4",
        "mitigation": "Explain the model",
        "owner": "Team manager",
        "status": "open",
    }
    assert client.post(f"{base}/add/", risk)["Location"] == f"/appraisals/{appraisal.pk}/questions/P7/"
    row = RegisterRow.objects.get()
    assert row.risk_score == 12
    page = client.get(f"/appraisals/{appraisal.pk}/questions/P7/").content.decode()
    assert "Families feel watched" in page
    client.post(f"{base}/{row.pk}/", {**risk, "status": "mitigated"})
    row.refresh_from_db()
    assert row.data["status"] == "mitigated"
    bad = client.post(f"{base}/{row.pk}/", {**risk, "likelihood": "", "description": ""})
    assert "Select likelihood" in bad.content.decode()
    assert "Enter risk" in bad.content.decode()
    assert "Explain the model" in bad.content.decode()
    assert "Are you sure" in client.get(f"{base}/{row.pk}/remove/").content.decode()
    client.post(f"{base}/{row.pk}/remove/")
    assert not RegisterRow.objects.exists()


def test_principles_page_saves_both_answer_and_ratings(client_as, appraisal: Appraisal) -> None:
    client = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/questions/E2/process/"
    post = {"value": "partly", "rationale": "Mostly fair."} | {
        f"rating_SJ{i}": "supports" for i in range(1, 6)
    }
    post["rating_SJ3"] = "at-risk"
    response = client.post(url, post)
    assert "Explain why “Distributing resources” is at risk" in response.content.decode()
    post["note_SJ3"] = "Draws coordinators from the east of the county."
    response = client.post(url, post)
    assert response["Location"] == f"/appraisals/{appraisal.pk}/questions/E2/innovation/"


def test_participation_not_involved_needs_a_reason(client_as, appraisal: Appraisal) -> None:
    client = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/participation/carers/"
    response = client.post(url, {"mode": "not-involved", "reason": "", "summary": ""})
    assert "Explain why this group was not involved" in response.content.decode()
    response = client.post(url, {"mode": "not-involved", "reason": "No carers in the pilot.", "summary": ""})
    assert response.status_code == 302


def test_section_3_shows_the_route_as_soon_as_it_is_known(client_as, appraisal: Appraisal) -> None:
    client = client_as("lead")
    for question_id, value in (("T1", "yes"), ("T2", "no"), ("T3", "yes"), ("T6", "yes")):
        client.post(
            f"/appraisals/{appraisal.pk}/questions/{question_id}/", {"value": value, "rationale": "r"}
        )
    page = client.get(f"/appraisals/{appraisal.pk}/questions/T4/").content.decode()
    assert "Still to answer: T4" in page
    client.post(f"/appraisals/{appraisal.pk}/questions/T4/", {"value": "yes", "rationale": "Statutory duty"})
    client.post(
        f"/appraisals/{appraisal.pk}/questions/T5/", {"value": "no", "rationale": "Cannot fully mitigate"}
    )
    page = client.get(f"/appraisals/{appraisal.pk}/route/").content.decode()
    assert "Proceed despite concerns" in page
    assert "T5 is not" in page


def test_task_list_shows_statuses(client_as, appraisal: Appraisal) -> None:
    client = client_as("viewer")
    page = client.get(f"/appraisals/{appraisal.pk}/").content.decode()
    assert "You have completed 0 of 14 questions" in page
    assert "Cannot start yet" in page
    lead = User.objects.get(email="lead@council.test")
    fill_appraisal(appraisal, lead)
    page = client.get(f"/appraisals/{appraisal.pk}/").content.decode()
    assert "You have completed 14 of 14 questions" in page
    assert "Not needed" in page


def test_approver_records_a_decision_and_a_departure(client_as, appraisal: Appraisal) -> None:
    fill_appraisal(appraisal, User.objects.get(email="lead@council.test"),
                   tests={"T1": "no", "T2": "yes", "T3": "yes", "T4": "no", "T6": "yes"})  # fmt: skip
    url = f"/appraisals/{appraisal.pk}/decision/"
    post = {"decision": "proceed", "reasoning": "Needed now.", "departure_reason": "",
            "accountable_person": "Director", "decided_on": "2026-11-20"}  # fmt: skip
    assert client_as("lead").post(url, post).status_code == 403
    response = client_as("approver").post(url, post)
    assert "Explain why you are departing from the framework" in response.content.decode()
    assert not Decision.objects.exists()
    response = client_as("approver").post(url, {**post, "departure_reason": "A court order requires it."})
    assert response.status_code == 302
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/").content.decode()
    assert "Departs from the framework" in page


def test_check_your_answers_has_change_links(client_as, appraisal: Appraisal) -> None:
    fill_appraisal(appraisal, User.objects.get(email="lead@council.test"))
    page = client_as("lead").get(f"/appraisals/{appraisal.pk}/check/").content.decode()
    for question_id in ("P1", "P7", "T6"):
        assert f"/appraisals/{appraisal.pk}/questions/{question_id}/" in page
    assert f"/appraisals/{appraisal.pk}/questions/E1/innovation/" in page
    assert "Not complete yet" not in page


def test_starting_the_next_stage_marks_answers_to_confirm(client_as, appraisal: Appraisal) -> None:
    fill_appraisal(appraisal, User.objects.get(email="lead@council.test"))
    response = client_as("lead").post(
        f"/projects/{appraisal.project_id}/appraisals/new/",
        {"stage": "development", "reason": "The design work began before inception was signed."},
    )
    new = Appraisal.objects.get(stage="development")
    assert response["Location"] == f"/appraisals/{new.pk}/"
    page = client_as("lead").get(f"/appraisals/{new.pk}/").content.decode()
    assert page.count("Carried forward: confirm or change") == 14


def test_other_organisations_objects_are_404(client_as, appraisal: Appraisal, other_organisation) -> None:
    outsider = Client()
    outsider.force_login(User.objects.get(email="lead@trust.test"))
    for url in (
        f"/projects/{appraisal.project_id}/",
        f"/appraisals/{appraisal.pk}/",
        f"/appraisals/{appraisal.pk}/questions/P1/",
        f"/appraisals/{appraisal.pk}/decision/",
    ):
        assert outsider.get(url).status_code == 404
        # Read-only pages refuse POST as 405 before looking anything up, for any id.
        assert outsider.post(url, {"value": "yes", "rationale": "r"}).status_code in (404, 405)
    assert not Answer.objects.exists()


def test_text_that_looks_like_personal_data_is_pointed_out_before_saving(
    client_as, appraisal: Appraisal
) -> None:
    url = f"/appraisals/{appraisal.pk}/questions/P1/"
    post = {"value": "yes", "rationale": "Mrs Patel told us it helped, and her son was born on 3 March 2015."}
    response = client_as("lead").post(url, post)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check for personal details" in page
    assert "Why?: “Mrs Patel” looks like the name of a person" in page
    assert "looks like a date of birth" in page
    assert 'href="#id_rationale"' in page
    checked = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    assert checked, "the page carries the digest of the text the person was warned about"
    assert "Mrs Patel told us it helped" in page, "what was typed is kept"
    assert not Answer.objects.exists()
    # Saving the same text again, having checked it, saves it.
    response = client_as("lead").post(url, {**post, "personal_data_checked": checked[1]})
    assert response.status_code == 302
    assert Answer.objects.get().rationale == post["rationale"]


def test_section_3_offers_the_lenses_of_organisational_ethics(client_as, appraisal: Appraisal) -> None:
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/questions/T1/").content.decode()
    assert "Other ways to look at this question" in page
    assert "What would a good and wise practitioner or organisation do here?" in page
    assert (
        "Other ways to look at this question"
        not in client_as("viewer").get(f"/appraisals/{appraisal.pk}/questions/P1/").content.decode()
    )
