"""Rating a project against the paper's definition of trustworthy innovation (D1 to D5)."""

from __future__ import annotations

import json

import pytest

from trustworthy.appraisals import services
from trustworthy.appraisals.models import CriterionRating
from trustworthy.framework import default_framework
from trustworthy.organisations.models import User

from .factories import make_project

pytestmark = pytest.mark.django_db

CRITERIA = ("D1", "D2", "D3a", "D3b", "D3c", "D4", "D5")


def test_d3_is_rated_through_its_parts() -> None:
    assert tuple(c.id for c in default_framework().rateable_criteria()) == CRITERIA


def test_the_lead_rates_every_criterion_and_the_record_shows_the_profile(client_as, organisation) -> None:
    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    url = f"/appraisals/{appraisal.pk}/criteria/"
    post = {f"rating_{c}": "partly" for c in CRITERIA} | {
        "rating_D3a": "not-met",
        "note_D3a": "Power stays with panels.",
    }
    missing = dict(post)
    del missing["rating_D4"]
    response = client_as("contributor").post(url, missing)
    assert "Select a rating for D4" in response.content.decode()
    assert not CriterionRating.objects.exists()
    assert client_as("contributor").post(url, post).status_code == 302
    assert CriterionRating.objects.get(criterion_id="D3a").note == "Power stays with panels."
    record = json.loads(
        client_as("viewer").get(f"/appraisals/{appraisal.pk}/record/decision-record.json").content
    )
    profile = {c["criterion"]: c["rating"] for c in record["profile"]}
    assert profile == dict.fromkeys(CRITERIA, "partly") | {"D3a": "not-met"}
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/record/").content.decode()
    assert "have not been rated" not in page
    assert "Power stays with panels." in page


@pytest.mark.parametrize("role", ["admin", "reviewer", "approver", "viewer"])
def test_only_people_who_answer_rate_the_criteria(client_as, organisation, role: str) -> None:
    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    response = client_as(role).post(
        f"/appraisals/{appraisal.pk}/criteria/", {f"rating_{c}": "met" for c in CRITERIA}
    )
    assert response.status_code == 403
    assert not CriterionRating.objects.exists()
