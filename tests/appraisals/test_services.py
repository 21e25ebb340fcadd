"""The appraisal services: carrying forward, registers, decisions and their rules."""

from __future__ import annotations

import pytest

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer, Decision, Participation, PrincipleRating, RegisterRow
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.organisations.models import User

from .factories import decide, fill_appraisal, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(organisation: object) -> User:
    return User.objects.get(email="lead@council.test")


@pytest.fixture
def approver(organisation: object) -> User:
    return User.objects.get(email="approver@council.test")


def test_a_filled_appraisal_is_complete_and_its_route_allows_going_ahead(organisation, lead) -> None:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(appraisal, lead)
    data = load_appraisal(appraisal)
    assert data.completeness.is_complete, data.completeness.gaps
    assert data.route.allowed == ("proceed", "proceed-with-mitigations", "reframe", "do-not-proceed")


def test_a_high_open_risk_removes_plain_proceed(organisation, lead) -> None:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(appraisal, lead)
    row = RegisterRow.objects.get(appraisal=appraisal, register="risks")
    services.change_register_row(row=row, data={**row.data, "likelihood": 4, "severity": 3}, user=lead)
    data = load_appraisal(appraisal)
    assert data.open_risk_score == 12
    assert "proceed" not in data.route.allowed


def test_next_stage_carries_everything_forward_to_confirm(organisation, lead) -> None:
    project = make_project(organisation, lead)
    first = fill_appraisal(services.start_appraisal(project=project, stage="inception", user=lead), lead)
    second = services.start_appraisal(
        project=project, stage="development", user=lead, reason="Design began early."
    )
    assert second.previous == first
    project.refresh_from_db()
    assert project.current_stage == "development"
    assert Answer.objects.filter(appraisal=second).count() == Answer.objects.filter(appraisal=first).count()
    assert all(a.carried_forward for a in Answer.objects.filter(appraisal=second))
    assert RegisterRow.objects.filter(appraisal=second, carried_forward=True).count() == 4
    assert PrincipleRating.objects.filter(appraisal=second, carried_forward=True).count() == 30
    assert Participation.objects.filter(appraisal=second, carried_forward=True).count() == 6
    data = load_appraisal(second)
    assert data.carried_forward("P1")
    services.save_answer(appraisal=second, question_id="P3", user=lead, rationale="Still right.")
    data = load_appraisal(second)
    assert not data.carried_forward("P3"), "saving the question confirms its answer and register"
    assert data.carried_forward("P5")


def test_one_appraisal_per_stage(organisation, lead) -> None:
    project = make_project(organisation, lead)
    services.start_appraisal(project=project, stage="inception", user=lead)
    with pytest.raises(services.ServiceError, match="already has an appraisal"):
        services.start_appraisal(project=project, stage="inception", user=lead)


def test_a_decision_needs_a_complete_appraisal(organisation, lead, approver) -> None:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    with pytest.raises(services.ServiceError, match="Complete every part"):
        decide(appraisal, approver)


def test_a_departure_needs_a_reason_and_is_recorded_as_one(organisation, lead, approver) -> None:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(appraisal, lead, tests={"T1": "no", "T2": "yes", "T3": "yes", "T4": "no", "T6": "yes"})
    with pytest.raises(services.ServiceError, match="outside what the framework allows"):
        decide(appraisal, approver, "proceed")
    decide(appraisal, approver, "proceed", departure="The court ordered it.")
    decision = Decision.objects.get(appraisal=appraisal)
    assert decision.is_departure
    assert decision.route_allowed == ["reframe", "do-not-proceed"]
    decide(appraisal, approver, "reframe")
    decision.refresh_from_db()
    assert not decision.is_departure
    assert decision.departure_reason == ""


def test_register_rows_are_checked_against_the_framework(organisation, lead) -> None:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    with pytest.raises(services.ServiceError, match="Likelihood"):
        services.add_register_row(
            appraisal=appraisal, register_id="risks", user=lead,
            data={"description": "x", "who_harmed": ["families"], "likelihood": 9, "severity": 1,
                  "mitigation": "m", "owner": "o", "status": "open"},
        )  # fmt: skip
    row = services.add_register_row(
        appraisal=appraisal, register_id="risks", user=lead,
        data={"description": "x", "who_harmed": ["families"], "likelihood": "3", "severity": "5",
              "mitigation": "m", "owner": "o", "status": "open", "unexpected": "dropped"},
    )  # fmt: skip
    assert row.data["likelihood"] == 3
    assert "unexpected" not in row.data
    assert row.risk_score == 15


def test_at_risk_needs_a_note(organisation, lead) -> None:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    ratings = dict.fromkeys(("HR1", "HR2", "HR3", "HR4"), ("supports", "")) | {"HR5": ("at-risk", "")}
    with pytest.raises(services.ServiceError, match="at risk"):
        services.save_principles(
            appraisal=appraisal,
            question_id="E1",
            aspect="process",
            user=lead,
            value="partly",
            rationale="r",
            ratings=ratings,
        )
