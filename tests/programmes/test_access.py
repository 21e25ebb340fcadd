"""Who sees what: a programme's people see its shared projects' signed appraisals only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trustworthy.core.models import AuditEvent
from trustworthy.programmes import services
from trustworthy.programmes.models import ProgrammeEvent, SharedProject
from trustworthy.reports.integrity import verify_everything

from .conftest import Portfolio, signed_in
from .factories import people

pytestmark = pytest.mark.django_db


def _dashboard(portfolio: Portfolio) -> str:
    return reverse("programme-dashboard", args=[portfolio.programme.slug])


def _record(portfolio: Portfolio, key: str) -> str:
    return reverse("programme-record", args=[portfolio.programme.slug, portfolio.signed[key].pk])


@pytest.mark.parametrize("email", ["overseer@national.test", "researcher@national.test"])
def test_overseers_and_researchers_read_shared_signed_records_only(portfolio: Portfolio, email: str) -> None:
    client = signed_in(email)
    page = client.get(_dashboard(portfolio))
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    # Two signed appraisals of the hub, one of the kinship network; the draft and the
    # project never shared are not counted.
    assert "3 signed appraisals of 2 projects from 2 organisations" in text
    assert "Residential hub" in text  # its departure is listed
    assert "Predictive analytics" not in text
    shared = client.get(_record(portfolio, "hub-development"))
    assert shared.status_code == 200
    assert b"Residential hub" in shared.content
    assert client.get(_record(portfolio, "private")).status_code == 404
    # A draft of a shared project is not a record they can read.
    draft = reverse("programme-record", args=[portfolio.programme.slug, portfolio.draft.pk])
    assert client.get(draft).status_code == 404
    # The organisations' own pages stay closed to them.
    for url in (
        reverse("appraisal-tasks", args=[portfolio.signed["hub-inception"].pk]),
        reverse("record", args=[portfolio.signed["hub-inception"].pk]),
        reverse("project-detail", args=[portfolio.shared[0].pk]),
        reverse("organisation-portfolio"),
        reverse("organisation-programmes"),
    ):
        assert client.get(url).status_code == 404, url


def test_the_shared_record_leaves_out_peoples_names(portfolio: Portfolio) -> None:
    page = signed_in("overseer@national.test").get(_record(portfolio, "hub-inception")).content.decode()
    assert "Approver of Northshire Council" not in page
    assert "Lead of Northshire Council" not in page


def test_nothing_is_seen_after_sharing_stops(portfolio: Portfolio) -> None:
    client = signed_in("overseer@national.test")
    hub = portfolio.shared[0]
    services.stop_sharing(programme=portfolio.programme, project=hub, user=people("council")["lead"])
    text = " ".join(client.get(_dashboard(portfolio)).content.decode().split())
    assert "Residential hub" not in text
    assert "1 signed appraisal of 1 project from 1 organisation" in text
    assert client.get(_record(portfolio, "hub-inception")).status_code == 404
    assert client.get(_record(portfolio, "hub-development")).status_code == 404
    assert client.get(_record(portfolio, "kinship")).status_code == 200
    # The period of sharing stays on record.
    period = SharedProject.objects.get(project=hub)
    assert period.stopped_at is not None
    assert period.stopped_by.email == "lead@council.test"


def test_people_outside_the_programme_get_404(portfolio: Portfolio, make_organisation) -> None:
    make_organisation("Eastmoor Council", "eastmoor")
    for email in ("admin@council.test", "lead@trust.test", "lead@eastmoor.test"):
        client = signed_in(email)
        assert client.get(_dashboard(portfolio)).status_code == 404, email
        assert client.get(_record(portfolio, "hub-inception")).status_code == 404, email
        assert client.get(reverse("programme-research", args=[portfolio.programme.slug])).status_code == 404
    missing = reverse("programme-dashboard", args=["no-such-programme"])
    assert signed_in("overseer@national.test").get(missing).status_code == 404


def test_only_researchers_download_the_dataset(portfolio: Portfolio) -> None:
    url = reverse("programme-research", args=[portfolio.programme.slug])
    assert signed_in("overseer@national.test").get(url).status_code == 403
    response = signed_in("researcher@national.test").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert (
        ProgrammeEvent.objects.filter(programme=portfolio.programme, action="research.exported").count() == 1
    )


def test_an_organisation_sees_its_own_portfolio_and_nothing_else(portfolio: Portfolio) -> None:
    text = signed_in("viewer@council.test").get(reverse("organisation-portfolio")).content.decode()
    assert "Residential hub" in text  # only departures are listed
    assert "Predictive analytics" not in text
    assert "Kinship care network" not in text
    assert "3 signed appraisals of 2 projects from 1 organisation" in " ".join(text.split())


def test_sharing_is_the_leads_choice_and_is_audited(portfolio: Portfolio) -> None:
    private = portfolio.private
    url = reverse("organisation-programmes")
    form = {"programme": portfolio.programme.slug, "project": private.pk, "action": "share"}
    assert signed_in("viewer@council.test").post(url, form).status_code == 403
    assert not SharedProject.objects.filter(project=private).exists()
    events = AuditEvent.objects.filter(organisation=portfolio.council, action="programme.project-shared")
    before = events.count()
    assert signed_in("lead@council.test").post(url, form).status_code == 302
    assert SharedProject.objects.active().filter(project=private).exists()
    assert events.count() == before + 1
    stop = {**form, "action": "stop"}
    assert signed_in("lead@council.test").post(url, stop).status_code == 302
    assert not SharedProject.objects.active().filter(project=private).exists()
    assert (
        AuditEvent.objects.filter(organisation=portfolio.council, action="programme.project-unshared").count()
        == 1
    )
    # Another organisation's project cannot be shared by this one.
    theirs = {**form, "project": portfolio.shared[2].pk}
    assert signed_in("lead@council.test").post(url, theirs).status_code == 404
    assert verify_everything() == []


def test_the_sharing_page_lists_each_programme_and_project(portfolio: Portfolio) -> None:
    text = signed_in("lead@council.test").get(reverse("organisation-programmes")).content.decode()
    assert "National Innovation Fund" in text
    assert "Stop sharing" in text
    assert "Share<span" in text


def test_programme_chain_is_verified_and_tampering_is_found(portfolio: Portfolio) -> None:
    assert verify_everything() == []
    event = ProgrammeEvent.objects.filter(programme=portfolio.programme).order_by("sequence").last()
    ProgrammeEvent.objects.filter(pk=event.pk).update(target="organisation 999")
    problems = verify_everything()
    assert [str(p) for p in problems] == [
        f"programme {portfolio.programme.pk} (National Innovation Fund), event {event.sequence} "
        f"({event.action}): its content does not match its seal: it has been changed"
    ]


def test_programme_list_shows_the_persons_programmes(portfolio: Portfolio) -> None:
    text = signed_in("researcher@national.test").get(reverse("programme-list")).content.decode()
    assert "National Innovation Fund" in text
    assert "(researcher)" in text
    assert (
        "You do not oversee" in signed_in("lead@council.test").get(reverse("programme-list")).content.decode()
    )


def test_people_without_an_organisation_find_their_programmes_in_the_menu(portfolio: Portfolio) -> None:
    page = signed_in("overseer@national.test").get(reverse("project-list")).content.decode()
    assert f'href="{reverse("programme-list")}"' in page
    member = signed_in("lead@council.test").get(reverse("project-list")).content.decode()
    assert f'href="{reverse("programme-list")}"' not in member
