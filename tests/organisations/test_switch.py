"""Choosing which of your organisations to work in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from trustworthy.organisations import services
from trustworthy.organisations.middleware import SESSION_KEY
from trustworthy.organisations.models import Organisation, User

pytestmark = pytest.mark.django_db

URL = "/organisations/switch/"


@pytest.fixture
def lead_of_both(organisation: Organisation, other_organisation: Organisation) -> Client:
    """The council's lead, who is also a reviewer at the trust."""
    lead = User.objects.get(email="lead@council.test")
    services.add_member(organisation=other_organisation, user=lead, role="reviewer")
    client = Client()
    client.force_login(lead)
    return client


def test_the_page_lists_your_organisations_with_your_role(lead_of_both: Client) -> None:
    html = lead_of_both.get(URL).content.decode()
    assert "Northshire Council" in html
    assert "Southvale Children&#39;s Trust" in html
    assert "Your role: Lead" in html
    assert "Your role: Reviewer" in html


def test_switching_changes_the_organisation_you_work_in(
    lead_of_both: Client, other_organisation: Organisation
) -> None:
    assert "Northshire Council" in lead_of_both.get("/organisation/").content.decode()
    response = lead_of_both.post(URL, {"organisation": other_organisation.pk})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert lead_of_both.session[SESSION_KEY] == other_organisation.pk
    page = lead_of_both.get("/organisation/").content.decode()
    assert "Southvale Children&#39;s Trust" in page
    assert "Reviewer" in page


def test_you_cannot_switch_to_an_organisation_you_do_not_belong_to(
    client_as: Callable[[str], Client], other_organisation: Organisation
) -> None:
    client = client_as("lead")
    response = client.post(URL, {"organisation": other_organisation.pk})
    assert response.status_code == 200
    assert "Select an organisation you belong to" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert "Northshire Council" in client.get("/organisation/").content.decode()


@pytest.mark.parametrize("value", ["", "not-a-number", "999999"])
def test_switching_says_what_to_fix(client_as: Callable[[str], Client], value: str) -> None:
    response = client_as("lead").post(URL, {"organisation": value})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_someone_in_no_organisation_is_told_so(client: Client, db: None) -> None:
    client.force_login(User.objects.create_user("loner@example.org", None, full_name="Lo Ner"))
    assert "You do not belong to an organisation" in client.get(URL).content.decode()
