"""Pages make the same number of queries however large the appraisal is (no N+1), and a
signed-in request costs a fixed, small number of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trustworthy.appraisals import selectors, services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User

from .factories import ROWS, fill_appraisal, make_project

pytestmark = pytest.mark.django_db

PAGES = ("", "questions/P1/", "questions/P7/", "questions/P4/", "questions/E2/", "questions/E2/process/",
         "questions/T1/", "route/", "check/", "decision/")  # fmt: skip


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def cold_and_warm(client: Client, url: str) -> tuple[int, int]:
    """Queries for a page when this process has not yet loaded the appraisal, then once it has."""
    selectors.forget_page_data()
    return count_queries(client, url), count_queries(client, url)


def appraisal_with_rows(organisation: Organisation, lead: User, rows: int, title: str) -> Appraisal:
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead, title=title), stage="inception", user=lead
    )
    each, extra = divmod(rows, len(ROWS))
    fill_appraisal(appraisal, lead, rows_each=each)
    for _ in range(extra):
        services.add_register_row(appraisal=appraisal, register_id="risks", data=ROWS["risks"], user=lead)
    assert appraisal.register_rows.count() == rows
    return appraisal


def test_page_queries_do_not_grow_with_the_appraisal(organisation: Organisation, client_as) -> None:
    lead = User.objects.get(email="lead@council.test")
    small = appraisal_with_rows(organisation, lead, 5, "Small")
    large = appraisal_with_rows(organisation, lead, 200, "Large")
    client = client_as("lead")
    for page in PAGES:
        small_counts = cold_and_warm(client, f"/appraisals/{small.pk}/{page}")
        large_counts = cold_and_warm(client, f"/appraisals/{large.pk}/{page}")
        name = page or "task list"
        assert large_counts == small_counts, f"{name}: {small_counts} vs {large_counts} queries"
        cold, warm = small_counts
        # 10 with readiness for innovation, read with what the appraisal records; the
        # decision page also reads the declarations of interest and the commitments in force.
        limit = 13 if page == "decision/" else 10
        assert cold <= limit, f"{name}: {cold} queries on the first visit"
        # The decision page reads the commitments in force each time: an admin may change them.
        assert warm <= (6 if page == "decision/" else 5), (
            f"{name}: {warm} queries once the appraisal is loaded"
        )


def test_a_signed_in_request_costs_two_queries(client_as) -> None:
    """The session, then the person with their memberships (one query, joined); /healthz
    adds its own check of the database."""
    client = client_as("lead")
    assert count_queries(client, "/healthz") == 3


def test_the_task_list_costs_three_queries_once_the_appraisal_is_loaded(
    organisation: Organisation, client_as
) -> None:
    """Session, person and memberships, the appraisal (with its project, decision and the
    people named): what it records, and the comments on a question, are loaded once for
    each state of it (5 more queries for the task list, which shows readiness for innovation;
    5 for a question, with its comments)."""
    lead = User.objects.get(email="lead@council.test")
    appraisal = appraisal_with_rows(organisation, lead, 5, "Pinned")
    client = client_as("viewer")
    assert cold_and_warm(client, f"/appraisals/{appraisal.pk}/") == (8, 3)
    assert cold_and_warm(client, f"/appraisals/{appraisal.pk}/questions/P1/") == (8, 3)


def test_a_change_is_shown_at_once(organisation: Organisation, client_as) -> None:
    lead = User.objects.get(email="lead@council.test")
    appraisal = appraisal_with_rows(organisation, lead, 5, "Changing")
    client = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/questions/P1/"
    assert "A new rationale" not in client.get(url).content.decode()
    services.save_answer(
        appraisal=Appraisal.objects.get(pk=appraisal.pk), question_id="P1", user=lead, value="no",
        rationale="A new rationale", expected_version=1,
    )  # fmt: skip
    assert "A new rationale" in client.get(url).content.decode()


def test_project_list_queries_do_not_grow_with_projects(organisation: Organisation, client_as) -> None:
    lead = User.objects.get(email="lead@council.test")
    client = client_as("viewer")
    make_project(organisation, lead)
    few = count_queries(client, "/projects/")
    for n in range(20):
        project = make_project(organisation, lead, title=f"Project {n}")
        services.start_appraisal(project=project, stage="inception", user=lead)
    assert count_queries(client, "/projects/") == few
