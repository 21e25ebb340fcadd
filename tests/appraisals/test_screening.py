"""A proportionate route on an appraisal: the lead's screening decides the route and its
reasons are kept; a flagged answer forces the full route; an approver can always require
the full route; the task list, completeness and submission follow the route."""

from __future__ import annotations

import pytest

from trustworthy.appraisals import policy, services
from trustworthy.appraisals.models import Appraisal, Screening
from trustworthy.appraisals.policy import Change, LockedError, NotPermitted
from trustworthy.appraisals.screening import require_full_route, save_screening
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.appraisals.services import ServiceError
from trustworthy.core.audit import verify_appraisal_chain
from trustworthy.core.models import AuditEvent
from trustworthy.framework import default_framework
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as review_services

from .factories import ROWS, fill_appraisal, make_project

pytestmark = pytest.mark.django_db

FW = default_framework()
SAFE = {
    "scale": "one-team",
    "who-affected": "staff-only",
    "childrens-data": "no",
    "rights": "no",
    "statutory-duties": "no",
    "reversibility": "easily",
}
LIGHT_ONLY = {"P4", "P5", "P6", "E1", "E2", "E3"}  # asked only on the full route


def _user(role: str) -> User:
    return User.objects.get(email=f"{role}@council.test")


@pytest.fixture
def appraisal(organisation: Organisation) -> Appraisal:
    lead = _user("lead")
    return services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)


def answer_light_questions(appraisal: Appraisal, user: User) -> None:
    """Answer only what the light route asks: P1, P2, P3, P7 and T1-T6 (T4/T5 not applicable)."""
    for question_id in ("P1", "P2", "T1", "T2", "T3", "T6"):
        services.save_answer(
            appraisal=appraisal,
            question_id=question_id,
            user=user,
            value="yes",
            rationale=f"For {question_id}.",
        )
    for question_id, register_id in (("P3", "benefits"), ("P7", "risks")):
        services.add_register_row(
            appraisal=appraisal, register_id=register_id, data=ROWS[register_id], user=user
        )
        services.save_answer(appraisal=appraisal, question_id=question_id, user=user, rationale="Summary.")


def _events(appraisal: Appraisal, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(appraisal=appraisal, action=action))


def test_an_appraisal_never_screened_follows_the_full_route_as_before(appraisal: Appraisal) -> None:
    assert appraisal.route == "full"
    fill_appraisal(appraisal, _user("lead"))
    data = load_appraisal(appraisal)
    assert data.route_questions is None
    assert data.completeness.is_complete
    assert not Screening.objects.exists()
    # Only the light route's questions answered: the full route still asks for the rest.
    project = make_project(appraisal.organisation, _user("lead"))
    other = services.start_appraisal(project=project, stage="inception", user=_user("lead"))
    answer_light_questions(other, _user("lead"))
    assert set(load_appraisal(other).completeness.unanswered) == LIGHT_ONLY


def test_the_screening_decides_the_route_and_its_reasons_are_recorded(appraisal: Appraisal) -> None:
    lead = _user("lead")
    screening = save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="light")
    appraisal.refresh_from_db()
    assert appraisal.route == "light"
    assert screening.recommended_route == "light"
    assert screening.chosen_route == "light"
    assert screening.reasons == [
        "No screening answer points to a risk, so a light appraisal is proportionate."
    ]
    assert screening.answers == SAFE
    assert screening.screened_by == lead
    [event] = _events(appraisal, "screening.saved")
    assert event.after["route"] == "light"
    assert event.after["reasons"] == screening.reasons
    assert (
        verify_appraisal_chain(appraisal.pk, head=appraisal.audit_head, count=appraisal.audit_count) is None
    )


def test_a_flagged_answer_forces_the_full_route(appraisal: Appraisal) -> None:
    lead = _user("lead")
    flagged = SAFE | {"statutory-duties": "yes"}
    with pytest.raises(ServiceError, match="A screening answer points to a risk"):
        save_screening(appraisal=appraisal, user=lead, answers=flagged, route="light")
    assert not Screening.objects.exists()
    screening = save_screening(appraisal=appraisal, user=lead, answers=flagged, route="full")
    assert screening.recommended_route == "full"
    assert screening.reasons == ["The change touches how a statutory duty is carried out."]
    assert Appraisal.objects.get(pk=appraisal.pk).route == "full"


def test_the_lead_may_choose_the_full_route_when_light_is_recommended(appraisal: Appraisal) -> None:
    screening = save_screening(appraisal=appraisal, user=_user("lead"), answers=SAFE, route="full")
    assert (screening.recommended_route, screening.chosen_route) == ("light", "full")
    assert Appraisal.objects.get(pk=appraisal.pk).route == "full"


@pytest.mark.parametrize("role", ["contributor", "reviewer", "approver", "viewer", "admin"])
def test_only_the_lead_screens(appraisal: Appraisal, role: str) -> None:
    with pytest.raises(NotPermitted):
        save_screening(appraisal=appraisal, user=_user(role), answers=SAFE, route="light")


def test_light_route_completeness_and_submission(appraisal: Appraisal) -> None:
    lead = _user("lead")
    save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="light")
    answer_light_questions(appraisal, lead)
    data = load_appraisal(appraisal)
    assert data.completeness.is_complete, data.completeness.gaps
    assert review_services.submission_problems(appraisal) == []
    # The same answers on the full route leave the rest to do.
    require_full_route(appraisal=appraisal, user=_user("approver"), reason="It reaches every family.")
    full = load_appraisal(appraisal)
    assert set(full.completeness.unanswered) == LIGHT_ONLY
    assert review_services.submission_problems(appraisal)


def test_an_approver_can_always_require_the_full_route(appraisal: Appraisal) -> None:
    lead, approver = _user("lead"), _user("approver")
    save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="light")
    with pytest.raises(ServiceError, match="Explain why"):
        require_full_route(appraisal=appraisal, user=approver, reason="  ")
    with pytest.raises(NotPermitted):
        require_full_route(appraisal=appraisal, user=lead, reason="I changed my mind.")
    require_full_route(appraisal=appraisal, user=approver, reason="It touches care planning.")
    appraisal.refresh_from_db()
    assert appraisal.route == "full"
    screening = Screening.objects.get(appraisal=appraisal)
    assert screening.full_required_by == approver
    assert screening.full_required_reason == "It touches care planning."
    [event] = _events(appraisal, "route.full-required")
    assert event.reason == "It touches care planning."
    assert event.after["route"] == "full"
    # The lead cannot go back to the light route after an approver required the full one.
    with pytest.raises(ServiceError, match="An approver required the full appraisal"):
        save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="light")
    with pytest.raises(ServiceError, match="already on the full route"):
        require_full_route(appraisal=appraisal, user=approver, reason="Again.")


def test_status_rules_for_the_route_come_from_the_policy(appraisal: Appraisal) -> None:
    lead, approver = _user("lead"), _user("approver")
    assert policy.RULES[Change.SCREENING].statuses == policy.EDITABLE
    assert policy.RULES[Change.REQUIRE_FULL_ROUTE].statuses == policy.OPEN
    save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="light")
    answer_light_questions(appraisal, lead)
    review_services.transition(appraisal=appraisal, name="submit", user=lead)
    assert appraisal.status == "in-review"
    with pytest.raises(LockedError):
        save_screening(appraisal=appraisal, user=lead, answers=SAFE, route="full")
    # In review, an approver may still require the full route; the appraisal is then
    # incomplete, so it cannot be approved until the rest is answered.
    require_full_route(appraisal=appraisal, user=approver, reason="Families are affected directly.")
    assert review_services.approval_problems(appraisal)[0] == "Every question must be answered."


def test_the_screening_page_recommends_and_records_the_route(client_as, appraisal: Appraisal) -> None:
    url = f"/appraisals/{appraisal.pk}/screening/"
    page = client_as("lead").get(url).content.decode()
    assert "How widely will the change be used?" in page
    assert 'type="radio"' in page
    assert "<legend" in page
    incomplete = {f"q_{k}": v for k, v in SAFE.items() if k != "rights"} | {"route": "recommended"}
    response = client_as("lead").post(url, incomplete)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Select an answer" in body
    assert 'value="one-team" checked' in body  # what was chosen is kept
    flagged = {f"q_{k}": v for k, v in SAFE.items()} | {"q_who-affected": "directly", "route": "recommended"}
    assert client_as("lead").post(url, flagged).status_code == 302
    assert Appraisal.objects.get(pk=appraisal.pk).route == "full"
    shown = client_as("lead").get(url).content.decode()
    assert "The change affects children, young people or families directly." in shown
    safe = {f"q_{k}": v for k, v in SAFE.items()} | {"route": "recommended"}
    assert client_as("lead").post(url, safe).status_code == 302
    assert Appraisal.objects.get(pk=appraisal.pk).route == "light"


def test_the_task_list_shows_the_route_and_only_its_questions_as_required(
    client_as, appraisal: Appraisal
) -> None:
    tasks = f"/appraisals/{appraisal.pk}/"
    page = client_as("lead").get(tasks).content.decode()
    assert "Full appraisal: every question is required" in page
    assert "Not asked on the light route" not in page
    save_screening(appraisal=appraisal, user=_user("lead"), answers=SAFE, route="light")
    page = client_as("lead").get(tasks).content.decode()
    assert "Light appraisal: only the questions the screening needs are required" in page
    assert page.count("Not asked on the light route") == len(LIGHT_ONLY)
    assert f'href="/appraisals/{appraisal.pk}/questions/P4/"' not in page
    assert f'href="/appraisals/{appraisal.pk}/questions/P1/"' in page
    assert "Require the full appraisal" not in page  # the lead does not decide
    approver_page = client_as("approver").get(tasks).content.decode()
    assert f'href="/appraisals/{appraisal.pk}/screening/full/"' in approver_page
    answer_light_questions(appraisal, _user("lead"))
    check = client_as("lead").get(f"/appraisals/{appraisal.pk}/check/").content.decode()
    assert "Not complete yet" not in check
    assert "P4." not in check
    assert "P1." in check


def test_the_approver_requires_the_full_route_through_the_page(client_as, appraisal: Appraisal) -> None:
    save_screening(appraisal=appraisal, user=_user("lead"), answers=SAFE, route="light")
    url = f"/appraisals/{appraisal.pk}/screening/full/"
    response = client_as("approver").post(url, {"reason": ""})
    assert "Enter why the full appraisal is needed" in response.content.decode()
    assert client_as("approver").post(url, {"reason": "Care plans change."}).status_code == 302
    assert Appraisal.objects.get(pk=appraisal.pk).route == "full"
    assert client_as("lead").post(url, {"reason": "No."}).status_code == 403


def test_on_the_light_route_only_its_carried_forward_answers_need_confirming(appraisal: Appraisal) -> None:
    lead = _user("lead")
    fill_appraisal(appraisal, lead)
    later = services.start_appraisal(
        project=appraisal.project, stage="development", user=lead, reason="Design began early."
    )
    save_screening(appraisal=later, user=lead, answers=SAFE, route="light")
    answer_light_questions(later, lead)  # confirms what the light route asks
    assert load_appraisal(later).completeness.is_complete
    assert review_services.submission_problems(later) == []
    # On the full route the answers carried forward to the other questions must be confirmed.
    require_full_route(appraisal=later, user=_user("approver"), reason="It reaches every family.")
    [problem] = review_services.submission_problems(later)
    assert problem.startswith("Confirm or change the answers carried forward from the last stage: P4, P5, P6")
