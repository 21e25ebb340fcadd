"""Readiness for innovation counted in portfolios: signed appraisals by readiness dimension and
how far it was in place, with those that did not assess it; one grouped query, however many
appraisals there are; drafts and projects not shared are not counted."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustworthy.appraisals import readiness
from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.organisations.models import Organisation
from trustworthy.programmes import selectors, services
from trustworthy.programmes.models import Programme

from .conftest import signed_in
from .factories import appraise, people, project, sign

pytestmark = pytest.mark.django_db

DIMENSIONS = ("resources", "culture", "permissions", "capabilities")
ALL_IN_PLACE = dict.fromkeys(DIMENSIONS, ("in-place", "Agreed by the board."))


def assessed(appraisal: Appraisal, slug: str, **changes: str) -> Appraisal:
    entries = {**ALL_IN_PLACE, **{d: (status, "Not yet.") for d, status in changes.items()}}
    readiness.save_readiness(appraisal=appraisal, user=people(slug)["lead"], entries=entries)
    return appraisal


def share(programme: Programme, *projects: Project) -> None:
    for shared in projects:
        services.share_project(programme=programme, project=shared, user=people(
            "council" if shared.organisation.name == "Northshire Council" else "trust")["lead"])  # fmt: skip


@pytest.fixture
def counted(programme: Programme, organisation: Organisation, other_organisation: Organisation) -> Programme:
    """Council: two signed appraisals assessed (culture partly, then not in place), one signed
    without an assessment, a draft assessed (not counted). Trust: one signed, permissions partly."""
    hub = project(organisation, "council", "Residential hub")
    sign(assessed(appraise(hub, "council"), "council", culture="partly"), "council", "proceed")
    development = assessed(appraise(hub, "council", stage="development"), "council", culture="not-in-place")
    sign(development, "council", "proceed")
    older = project(organisation, "council", "Family group conferencing")
    sign(appraise(older, "council"), "council", "proceed")
    drafts = project(organisation, "council", "Drafts only")
    assessed(appraise(drafts, "council"), "council", resources="not-in-place")
    kinship = project(other_organisation, "trust", "Kinship care network")
    sign(assessed(appraise(kinship, "trust"), "trust", permissions="partly"), "trust", "reframe")
    share(programme, hub, older, drafts, kinship)
    return programme


def test_signed_appraisals_are_counted_by_dimension_and_status(counted: Programme) -> None:
    client = signed_in("overseer@national.test")
    url = reverse("programme-dashboard", args=[counted.slug])
    page = client.get(url).content.decode()
    assert "Readiness for innovation in 4 signed appraisals, by dimension" in page
    response = client.get(url, {"format": "csv", "table": "readiness"})
    rows = {r["Dimension"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"Resources", "Culture", "Permissions", "Capabilities"}
    culture = rows["Culture"]
    statuses = ("In place", "Partly in place", "Not in place", "Not assessed")
    assert [culture[s] for s in statuses] == ["1", "1", "1", "1"]
    permissions = rows["Permissions"]
    assert (permissions["In place"], permissions["Partly in place"], permissions["Not assessed"]) == (
        "2",
        "1",
        "1",
    )
    # The draft's resources, not in place, are not counted: only signed appraisals are.
    assert rows["Resources"]["Not in place"] == "0"
    assert rows["Resources"]["In place"] == "3"


def test_the_readiness_figure_is_one_grouped_query(counted: Programme) -> None:
    appraisals = selectors.signed_appraisals(selectors.shared_projects(counted))
    with CaptureQueriesContext(connection) as queries:
        found = selectors.readiness(appraisals)
    assert len(queries) == 1
    assert {"dimension": "culture", "status": "partly", "count": 1} in found
