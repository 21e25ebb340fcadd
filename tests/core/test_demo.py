"""The demonstration data and the `trustworthy demo` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.contrib.auth import authenticate
from django.test import RequestFactory

from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.appraisals.selectors import load_appraisal
from trustworthy.cli import main
from trustworthy.demo import PASSWORD_ENV, load_demo
from trustworthy.organisations.models import CommitmentStatement, Membership, Organisation, Role

pytestmark = pytest.mark.django_db

PASSWORD = "demo password for tests"
DOMAINS = ("council.example.org", "charity.example.org")


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("organisations", "appraisals")
    }


def _appraisal(title: str, stage: str) -> Appraisal:
    return Appraisal.objects.get(project__title=title, stage=stage)


def test_the_demo_loads_two_organisations_with_projects() -> None:
    result = load_demo(PASSWORD)
    assert sorted(result.organisations_created) == ["Brightpath Families", "Northshire County Council"]
    assert result.password == PASSWORD
    assert len(result.users_created) == 12
    assert Organisation.objects.get(name="Northshire County Council").type == "local-authority"
    assert Organisation.objects.get(name="Brightpath Families").region == "yorkshire-and-the-humber"
    assert Project.objects.count() >= 3
    assert len(result.projects_created) == Project.objects.count()
    council_versions = CommitmentStatement.objects.filter(organisation__name="Northshire County Council")
    assert sorted(council_versions.values_list("version", flat=True)) == [1, 2]
    assert CommitmentStatement.objects.filter(organisation__name="Brightpath Families").count() == 1


def test_running_twice_creates_nothing_new() -> None:
    load_demo(PASSWORD)
    before = _counts()
    again = load_demo("another password entirely")
    assert _counts() == before
    assert again.organisations_created == []
    assert again.projects_created == []
    assert again.users_created == []
    assert len(again.users_existing) == 12
    assert len(again.projects_existing) == Project.objects.count()
    assert again.password is None


def test_every_role_signs_in_to_both_organisations() -> None:
    load_demo(PASSWORD)
    request = RequestFactory().post("/sign-in/")
    for domain in DOMAINS:
        for role in Role.values:
            email = f"{role}@{domain}"
            user = authenticate(request, username=email, password=PASSWORD)
            assert user is not None, email
            assert Membership.objects.get(user=user).role == role
            assert user.full_name


def test_the_approved_inception_appraisal_is_complete_with_its_decision() -> None:
    load_demo(PASSWORD)
    data = load_appraisal(_appraisal("Family group conferencing for every family", "inception"))
    assert data.completeness.is_complete, data.completeness.gaps
    assert data.decision is not None
    assert data.decision.decision == "proceed-with-mitigations"
    assert not data.decision.is_departure
    assert len(data.participation) == 6


def test_the_analytics_decision_departs_from_the_route() -> None:
    load_demo(PASSWORD)
    data = load_appraisal(_appraisal("Predictive analytics to target early help", "inception"))
    assert data.completeness.is_complete, data.completeness.gaps
    assert data.route.allowed == ("proceed-despite-concerns", "reframe", "do-not-proceed")
    assert data.open_risk_score is not None
    assert data.open_risk_score >= 12
    assert {"SJ1", "HR2"} <= {pid for (_, pid), r in data.ratings.items() if r.rating == "at-risk"}
    assert "not-involved" in {p.mode for p in data.participation.values()}
    assert data.decision is not None
    assert data.decision.decision == "proceed"
    assert data.decision.is_departure
    assert data.decision.departure_reason.strip()
    primary = data.appraisal.project.motivations.get(is_primary=True)
    assert primary.motivation == "access-to-funding"


def test_the_development_appraisal_carries_answers_forward() -> None:
    load_demo(PASSWORD)
    inception = _appraisal("Family group conferencing for every family", "inception")
    development = _appraisal("Family group conferencing for every family", "development")
    assert development.previous == inception
    assert development.project.current_stage == "development"
    data = load_appraisal(development)
    assert data.decision is None
    assert data.carried_forward("P1")
    assert not data.carried_forward("P2")  # confirmed at this stage
    assert any(a.carried_forward for a in data.answers.values())


def test_the_charity_appraisal_is_in_progress() -> None:
    load_demo(PASSWORD)
    data = load_appraisal(_appraisal("Residential care hub with outreach", "testing"))
    assert not data.completeness.is_complete
    assert data.decision is None
    assert 0 < len(data.participation) < 6
    assert data.answers  # about half answered


def test_the_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "password from the environment")
    result = load_demo(None)
    assert result.password == "password from the environment"
    assert authenticate(
        RequestFactory().post("/"),
        username="viewer@charity.example.org",
        password="password from the environment",
    )


def test_without_a_password_one_is_generated() -> None:
    result = load_demo(None)
    assert result.password
    assert len(result.password) >= 12
    assert authenticate(
        RequestFactory().post("/"), username="lead@council.example.org", password=result.password
    )


def test_the_demo_command(db: None, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # never the data folder `make run` leaves behind
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--password", PASSWORD])
    assert first.exit_code == 0, first.output
    assert "Northshire County Council (created)" in first.output
    assert "Predictive analytics to target early help, Northshire County Council (created)" in first.output
    assert "<role>@council.example.org or <role>@charity.example.org" in first.output
    assert PASSWORD in first.output

    second = runner.invoke(main, ["demo"])
    assert second.exit_code == 0, second.output
    assert "Brightpath Families (already there, left unchanged)" in second.output
    assert "already existed" in second.output
    assert "Password for" not in second.output


def test_the_demo_command_refuses_a_weak_password(db: None) -> None:
    result = CliRunner().invoke(main, ["demo", "--password", "short"])
    assert result.exit_code == 1
    assert "too short" in result.output
    assert not Organisation.objects.exists()
