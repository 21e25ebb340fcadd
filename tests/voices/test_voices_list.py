"""The organisation's voices page: every consultation, linking to its appraisal's voices page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from trustworthy.organisations.models import Organisation
from trustworthy.voices import overview, services

from .factories import ANSWERS, make_appraisal, open_for

pytestmark = pytest.mark.django_db


def test_every_consultation_of_the_organisation_is_listed_with_its_responses(
    client_as: Callable[[str], Client], organisation: Organisation, other_organisation: Organisation
) -> None:
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    services.submit_online(consultation_id=new.consultation.pk, group="", answers=ANSWERS)
    services.submit_online(consultation_id=new.consultation.pk, group="", answers=ANSWERS)
    open_for(make_appraisal(other_organisation))

    for role in ("viewer", "lead", "reviewer"):
        page = client_as(role).get("/voices/").content.decode()
        assert page.count('<th scope="row"') == 1, role
        assert f'href="/appraisals/{appraisal.pk}/voices/"' in page
        assert "Family meetings before big decisions" in page
        assert (
            '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Responses">2</td>' in page
        )
        assert "Open until" in page


def test_a_closed_consultation_says_so(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_appraisal(organisation)
    new = open_for(appraisal)
    services.close_consultation(consultation=new.consultation, user=appraisal.project.created_by)
    page = client_as("viewer").get("/voices/").content.decode()
    assert ">Closed</td>" in page
    assert "Open until" not in page


def test_no_consultations_yet(client_as: Callable[[str], Client], organisation: Organisation) -> None:
    page = client_as("viewer").get("/voices/").content.decode()
    assert "No consultations have been opened yet." in page


def test_the_list_is_paged_in_a_fixed_number_of_queries(
    client_as: Callable[[str], Client],
    organisation: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: object,
) -> None:
    monkeypatch.setattr(overview, "PER_PAGE", 2)
    for _ in range(3):
        open_for(make_appraisal(organisation))
    client = client_as("viewer")
    first = client.get("/voices/").content.decode()
    assert first.count('<th scope="row"') == 2
    assert 'href="?page=2"' in first
    assert client.get("/voices/?page=2").content.decode().count('<th scope="row"') == 1
    # Session, person and memberships, the count and the page.
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        client.get("/voices/")


def test_someone_without_an_organisation_is_not_shown_voices(organisation: Organisation) -> None:
    from trustworthy.organisations.models import User

    loner = User.objects.create_user(
        "nobody@example.test", "correct horse battery staple", full_name="Nobody"
    )
    client = Client()
    client.force_login(loner)
    assert client.get("/voices/").status_code == 404
