"""The organisation overview at /projects/: columns, search, filters, pagination and CSV."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trustworthy.appraisals import actions, overview, services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as reviews

from ..reviews.helpers import approved
from .factories import ROWS, decide, fill_appraisal, make_project

pytestmark = pytest.mark.django_db

Clients = Callable[..., Client]
SECTIONS = ("parameters", "principles", "tests")


def person(role: str, slug: str = "council") -> User:
    return User.objects.get(email=f"{role}@{slug}.test")


def started(organisation: Organisation, title: str, stage: str = "inception") -> Appraisal:
    lead = User.objects.get(memberships__organisation=organisation, memberships__role="lead")
    project = make_project(organisation, lead, title=title, current_stage=stage)
    return services.start_appraisal(
        project=project, stage=stage, user=lead, reason="Begun before this service."
    )


def signed(
    appraisal: Appraisal, decision: str = "proceed-with-mitigations", departure: str = ""
) -> Appraisal:
    lead, reviewer, approver = person("lead"), person("reviewer"), person("approver")
    fill_appraisal(appraisal, lead)
    reviews.transition(appraisal=appraisal, name="submit", user=lead)
    reviews.review_sections(
        appraisal=appraisal, user=reviewer, verdicts=dict.fromkeys(SECTIONS, ("acceptable", ""))
    )
    decide(appraisal, approver, decision, departure)
    reviews.transition(appraisal=appraisal, name="approve", user=approver)
    appraisal.refresh_from_db()
    return appraisal


def table_rows(client: Client, query: str = "") -> list[str]:
    """The project titles listed, in order."""
    page = client.get(f"/projects/{query}").content.decode()
    return [
        part.split(">", 1)[1].split("<", 1)[0]
        for part in page.split('<th scope="row" class="govuk-table__header"><a class="govuk-link" href=')[1:]
    ]


def csv_rows(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/projects/{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="projects.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- what each row shows ----------------------------------------------------------------------


def test_each_project_shows_its_stage_status_decision_departures_risks_and_review_date(
    client_as: Clients, organisation: Organisation
) -> None:
    lead = person("lead")
    appraisal = started(organisation, "Family hubs")
    services.add_register_row(
        appraisal=appraisal,
        register_id="risks",
        data={**ROWS["risks"], "likelihood": 4, "severity": 4},
        user=lead,
    )
    # "Proceed" with an open risk scoring 16 is outside what the framework allows.
    signed(appraisal, "proceed", departure="The risk is already being handled.")
    make_project(organisation, lead, title="Not begun project", current_stage="testing")

    [row] = [r for r in csv_rows(client_as("viewer"), "?format=csv") if r["Project"] == "Family hubs"]
    assert row["Stage"] == "Inception of the idea"
    assert row["Status"] == "Approved"
    assert row["Decision"] == "Proceed"
    assert row["Departures"] == "1"
    assert row["Open high risks"] == "1"
    assert row["Review date"] == appraisal.review_date.isoformat()
    assert row["Link"] == f"http://testserver/projects/{appraisal.project_id}/"
    [empty] = [r for r in csv_rows(client_as("viewer"), "?format=csv") if r["Project"] == "Not begun project"]
    assert (empty["Stage"], empty["Status"], empty["Decision"], empty["Departures"]) == (
        "Testing and piloting", "Not started", "", "0"
    )  # fmt: skip

    page = client_as("viewer").get("/projects/").content.decode()
    assert '<td class="govuk-table__cell" data-label="Decision">Proceed</td>' in page
    assert '<strong class="govuk-tag govuk-tag--red">1</strong>' in page  # the open high risk


def test_a_risk_below_12_or_no_longer_open_is_not_a_high_risk(
    client_as: Clients, organisation: Organisation
) -> None:
    lead = person("lead")
    appraisal = started(organisation, "Risky")
    for likelihood, severity, status in ((3, 3, "open"), (4, 4, "mitigated"), (3, 4, "open")):
        services.add_register_row(
            appraisal=appraisal, register_id="risks", user=lead,
            data={**ROWS["risks"], "likelihood": likelihood, "severity": severity, "status": status},
        )  # fmt: skip
    [row] = csv_rows(client_as("viewer"), "?format=csv")
    assert row["Open high risks"] == "1"  # only 3 x 4 = 12, open


def test_the_status_and_risks_are_the_newest_appraisals_and_the_decision_the_newest_recorded(
    client_as: Clients, organisation: Organisation
) -> None:
    first = signed(started(organisation, "Two stages"))
    services.start_appraisal(project=first.project, stage="development", user=person("lead"))
    [row] = csv_rows(client_as("viewer"), "?format=csv")
    assert row["Status"] == "Draft"
    assert row["Decision"] == "Proceed with mitigations"
    assert row["Review date"] == first.review_date.isoformat()


def test_decisions_due_for_review_are_tagged(client_as: Clients, organisation: Organisation) -> None:
    appraisal = signed(started(organisation, "Due"))
    assert "Review due soon" not in client_as("viewer").get("/projects/").content.decode()
    today = timezone.localdate()
    Appraisal.objects.filter(pk=appraisal.pk).update(review_date=today + datetime.timedelta(days=10))
    assert "Review due soon" in client_as("viewer").get("/projects/").content.decode()
    Appraisal.objects.filter(pk=appraisal.pk).update(review_date=today - datetime.timedelta(days=1))
    page = client_as("viewer").get("/projects/").content.decode()
    assert "Decision review due" in page
    # Once the project has moved on to a newer appraisal, it is not due any more.
    services.start_appraisal(project=appraisal.project, stage="development", user=person("lead"))
    assert "Decision review due" not in client_as("viewer").get("/projects/").content.decode()


# --- search and filters -----------------------------------------------------------------------


def test_search_by_title(client_as: Clients, organisation: Organisation) -> None:
    for title in ("Family hubs", "Youth voice panel", "Family group conferencing"):
        started(organisation, title)
    client = client_as("viewer")
    assert sorted(table_rows(client, "?q=family")) == ["Family group conferencing", "Family hubs"]
    assert table_rows(client, "?q=panel") == ["Youth voice panel"]
    page = client.get("/projects/?q=nothing+like+it").content.decode()
    assert "No projects match your search." in page
    # What was searched for stays in the box.
    assert 'value="family"' in client.get("/projects/?q=family").content.decode()


def test_filter_by_stage_status_and_decision(client_as: Clients, organisation: Organisation) -> None:
    draft = started(organisation, "Draft at testing", stage="testing")
    signed(started(organisation, "Signed go ahead"))
    signed(started(organisation, "Signed stop"), "do-not-proceed", departure="No money.")
    make_project(organisation, person("lead"), title="Never started")
    client = client_as("viewer")

    assert table_rows(client, "?stage=testing") == [draft.project.title]
    assert sorted(table_rows(client, "?status=approved")) == ["Signed go ahead", "Signed stop"]
    assert table_rows(client, "?status=not-started") == ["Never started"]
    assert table_rows(client, "?decision=do-not-proceed") == ["Signed stop"]
    assert sorted(table_rows(client, "?decision=none")) == ["Draft at testing", "Never started"]
    assert table_rows(client, "?status=approved&decision=proceed-with-mitigations&q=go") == [
        "Signed go ahead"
    ]
    # The choices stay chosen.
    page = client.get("/projects/?status=approved").content.decode()
    assert '<option value="approved" selected>' in page


def test_a_value_that_is_not_a_choice_is_left_out(client_as: Clients, organisation: Organisation) -> None:
    started(organisation, "Anything")
    response = client_as("viewer").get("/projects/?stage=moon&status=approved")
    assert response.status_code == 200
    assert "Error:" not in response.content.decode()
    assert table_rows(client_as("viewer"), "?stage=moon") == ["Anything"]


def test_another_organisations_projects_never_show(
    client_as: Clients, organisation: Organisation, other_organisation: Organisation
) -> None:
    started(organisation, "Ours")
    started(other_organisation, "Theirs")
    client = client_as("viewer")
    assert table_rows(client) == ["Ours"]
    assert [r["Project"] for r in csv_rows(client, "?format=csv")] == ["Ours"]
    assert table_rows(client, "?q=Theirs") == []


# --- pagination and the download -------------------------------------------------------------------


def test_pages_keep_the_filters_and_the_download_has_every_match(
    client_as: Clients, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "PER_PAGE", 2)
    for n in range(5):
        started(organisation, f"Match {n}")
    started(organisation, "Other")
    client = client_as("viewer")
    first = client.get("/projects/?q=match").content.decode()
    assert '<nav class="govuk-pagination" aria-label="Pagination"' in first
    assert 'href="?q=match&amp;page=2"' in first
    assert 'aria-current="page"' in first
    assert "5 projects match your search. Showing 1 to 2." in first
    seen = (
        table_rows(client, "?q=match")
        + table_rows(client, "?q=match&page=2")
        + table_rows(client, "?q=match&page=3")
    )
    assert sorted(seen) == [f"Match {n}" for n in range(5)]
    # A page past the end shows the last page, not an error.
    assert table_rows(client, "?q=match&page=99") == table_rows(client, "?q=match&page=3")

    assert 'href="?q=match&amp;format=csv"' in first
    assert sorted(r["Project"] for r in csv_rows(client, "?q=match&format=csv")) == [
        f"Match {n}" for n in range(5)
    ]


def test_no_pagination_for_one_page(client_as: Clients, organisation: Organisation) -> None:
    started(organisation, "Only one")
    assert "govuk-pagination" not in client_as("viewer").get("/projects/").content.decode()


def test_the_download_cannot_run_as_a_spreadsheet_formula(
    client_as: Clients, organisation: Organisation
) -> None:
    started(organisation, '=HYPERLINK("http://example.com")')
    [row] = csv_rows(client_as("viewer"), "?format=csv")
    assert row["Project"] == '\'=HYPERLINK("http://example.com")'


# --- actions overdue ---------------------------------------------------------------------------


def late_action(appraisal: Appraisal, what: str, days: int = 3, status: str = "open") -> None:
    """An action due `days` ago (in the future when negative), moved on to `status`."""
    lead = person("lead")
    due = timezone.localdate() - datetime.timedelta(days=days)
    action = actions.add_action(
        appraisal=appraisal, user=lead, what=what, due_on=due, owner_name="Team manager"
    )
    if status != "open":
        actions.move_action(
            action=action, user=lead, status=status, evidence="Done.", dropped_reason="Not needed."
        )


def test_each_project_counts_its_actions_overdue(client_as: Clients, organisation: Organisation) -> None:
    hubs = started(organisation, "Family hubs")
    late_action(hubs, "Sign the data-sharing agreement")
    late_action(hubs, "Train the coordinators", status="in-progress")
    late_action(hubs, "Tell families", status="done")  # done, so no longer overdue
    late_action(hubs, "Stop the pilot", status="dropped")
    late_action(hubs, "Write to schools", days=-3)  # not due yet
    late_action(hubs, "Due today", days=0)  # due today is not overdue
    started(organisation, "Quiet project")

    rows = {r["Project"]: r for r in csv_rows(client_as("viewer"), "?format=csv")}
    assert rows["Family hubs"]["Actions overdue"] == "2"
    assert rows["Quiet project"]["Actions overdue"] == "0"
    assert list(rows["Family hubs"]) == list(overview.CSV_HEADERS)
    page = client_as("viewer").get("/projects/").content.decode()
    assert ">Actions overdue</th>" in page
    assert (
        f'<a class="govuk-link" href="/projects/{hubs.project_id}/actions/">'
        '<strong class="govuk-tag govuk-tag--red">2</strong>'
    ) in page
    # The column counts what the organisation's reminders and lists count as overdue.
    assert actions.overdue_by_project(organisation.pk) == {hubs.project_id: 2}


def test_an_action_carried_to_the_next_stage_is_counted_once(
    client_as: Clients, organisation: Organisation
) -> None:
    inception = approved(organisation)
    late_action(inception, "Sign the agreement")
    services.start_appraisal(project=inception.project, stage="development", user=person("lead"))
    [row] = csv_rows(client_as("viewer"), "?format=csv")
    assert row["Actions overdue"] == "1"


# --- queries -----------------------------------------------------------------------------------


def test_the_overview_costs_the_same_queries_however_many_projects(
    client_as: Clients, organisation: Organisation
) -> None:
    signed(started(organisation, "First"))
    client = client_as("viewer")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few, few_csv = count("/projects/"), count("/projects/?format=csv")
    for n in range(6):
        appraisal = started(organisation, f"Project {n}")
        late_action(appraisal, f"Late action {n}")
        if n % 2:
            fill_appraisal(appraisal, person("lead"))
    assert count("/projects/") == few
    assert count("/projects/?format=csv") == few_csv
    # Session, person and memberships, the count, then the page of projects.
    assert few <= 4
