"""Pages make the same number of queries however large the appraisal is (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trustworthy.appraisals import services
from trustworthy.organisations.models import Organisation, User

from .factories import fill_appraisal, make_project

pytestmark = pytest.mark.django_db

PAGES = ("", "questions/P1/", "questions/P7/", "questions/P4/", "questions/E2/", "questions/E2/process/",
         "questions/T1/", "route/", "check/", "decision/")  # fmt: skip


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_the_appraisal(organisation: Organisation, client_as) -> None:
    lead = User.objects.get(email="lead@council.test")
    small = fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    large = fill_appraisal(
        services.start_appraisal(
            project=make_project(organisation, lead, title="Big"), stage="inception", user=lead
        ),
        lead,
        rows_each=50,
    )
    client = client_as("lead")
    for page in PAGES:
        small_count = count_queries(client, f"/appraisals/{small.pk}/{page}")
        large_count = count_queries(client, f"/appraisals/{large.pk}/{page}")
        assert large_count == small_count, f"{page or 'task list'}: {small_count} vs {large_count} queries"
        assert small_count <= 14, f"{page or 'task list'}: {small_count} queries"


def test_project_list_queries_do_not_grow_with_projects(organisation: Organisation, client_as) -> None:
    lead = User.objects.get(email="lead@council.test")
    client = client_as("viewer")
    make_project(organisation, lead)
    few = count_queries(client, "/projects/")
    for n in range(20):
        project = make_project(organisation, lead, title=f"Project {n}")
        services.start_appraisal(project=project, stage="inception", user=lead)
    assert count_queries(client, "/projects/") == few
