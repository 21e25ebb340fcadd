"""The criteria page carries the version of the ratings it was opened on: a save from an
older page shows what the other person saved beside the person's own ratings, which are
kept, and saves only when sent again."""

from __future__ import annotations

import re

import pytest

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal, CriterionRating
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation, User

from .factories import make_project

pytestmark = pytest.mark.django_db

CRITERIA = ("D1", "D2", "D3a", "D3b", "D3c", "D4", "D5")


def _version(page: str) -> str:
    found = re.search(r'<input type="hidden" name="version" value="(\d+)">', page)
    assert found, "the page carries the version of the ratings"
    return found.group(1)


@pytest.fixture
def appraisal(organisation: Organisation) -> Appraisal:
    lead = User.objects.get(email="lead@council.test")
    return services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)


def test_a_save_from_an_older_page_shows_the_conflict_and_keeps_what_was_typed(
    client_as, appraisal: Appraisal
) -> None:
    url = f"/appraisals/{appraisal.pk}/criteria/"
    lead, contributor = client_as("lead"), client_as("contributor")
    opened = _version(lead.get(url).content.decode())
    assert opened == "0"

    # Someone else saves first, from a page opened at the same time.
    theirs = dict.fromkeys((f"rating_{c}" for c in CRITERIA), "met") | {"note_D1": "Shown in the pilot."}
    assert contributor.post(url, {**theirs, "version": opened}).status_code == 302
    events = AuditEvent.objects.filter(action="criteria.rated").count()

    mine = dict.fromkeys((f"rating_{c}" for c in CRITERIA), "not-met") | {"note_D2": "My own note."}
    response = lead.post(url, {**mine, "version": opened})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it" in page
    assert "Shown in the pilot." in page  # what they saved
    assert "My own note." in page  # what I typed, still in the form
    assert _version(page) == "1"  # the next save is based on their version
    assert AuditEvent.objects.filter(action="criteria.rated").count() == events
    assert set(CriterionRating.objects.values_list("rating", flat=True)) == {"met"}

    # Sent again from the page as shown, it is saved.
    assert lead.post(url, {**mine, "version": _version(page)}).status_code == 302
    assert set(CriterionRating.objects.values_list("rating", flat=True)) == {"not-met"}
    appraisal.refresh_from_db()
    assert appraisal.criteria_version == 2
    assert _version(lead.get(url).content.decode()) == "2"


def test_the_service_refuses_a_stale_version_and_moves_the_version_on_each_save(
    appraisal: Appraisal,
) -> None:
    lead = User.objects.get(email="lead@council.test")
    ratings = dict.fromkeys(CRITERIA, ("partly", ""))
    services.save_criteria(appraisal=appraisal, user=lead, ratings=ratings, expected_version=0)
    assert appraisal.criteria_version == 1
    with pytest.raises(services.ConflictError) as refused:
        services.save_criteria(
            appraisal=appraisal, user=lead, ratings=dict.fromkeys(CRITERIA, ("met", "")), expected_version=0
        )
    assert refused.value.version == 1
    assert refused.value.current["D1"] == {"rating": "partly", "note": ""}
    # Without an expected version (operator imports, older callers) it saves as before.
    services.save_criteria(appraisal=appraisal, user=lead, ratings=ratings)
    assert Appraisal.objects.get(pk=appraisal.pk).criteria_version == 2
