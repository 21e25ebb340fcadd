"""Work typed before a session expired comes back after signing in again."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer
from trustworthy.organisations.models import User

from .factories import make_project

pytestmark = pytest.mark.django_db


def test_an_answer_posted_after_the_session_expired_is_kept(organisation) -> None:
    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    url = f"/appraisals/{appraisal.pk}/questions/P2/"
    client = Client()
    client.force_login(lead)
    client.get(url)  # the lead opens the question...
    del client.cookies[settings.SESSION_COOKIE_NAME]  # ...and their session expires
    response = client.post(
        url, {"value": "partly", "rationale": "The model fits our rural areas less well.", "evidence": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert not Answer.objects.exists()

    response = client.post(
        "/accounts/login/", {"email": "lead@council.test", "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "You were signed out. We kept what you typed" in page
    assert "The model fits our rural areas less well." in page
    assert 'value="partly" checked' in page
    assert not Answer.objects.exists(), "kept work is shown to check, not saved behind the user's back"
    again = client.get(url).content.decode()
    assert "The model fits our rural areas less well." not in again, "kept work is handed back once"


def test_nul_characters_are_refused_with_a_message_not_a_crash(client_as, organisation) -> None:
    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    url = f"/appraisals/{appraisal.pk}/questions/P1/"
    response = client_as("lead").post(url, {"value": "yes", "rationale": "ok\x00ok"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not Answer.objects.exists()
