"""A form whose CSRF check fails: nothing is saved, and a signed-in person's own typing is kept.

Every test uses a client that enforces the CSRF check, as a browser meets it.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.appraisals.factories import make_project
from tests.reviews.helpers import person
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer, Appraisal
from trustworthy.core.auth import KEPT_WORK_KEY
from trustworthy.organisations.models import Organisation

pytestmark = pytest.mark.django_db

NOT_SENT = "Your form could not be sent because a security check failed"
KEPT = "We kept what you typed: check it and send it again."
TYPED = {"value": "partly", "rationale": "The pilot families asked for evening meetings.", "evidence": ""}
HOST = "http://testserver"


@pytest.fixture
def appraisal(organisation: Organisation) -> Appraisal:
    lead = person("lead")
    return services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)


def signed_in(role: str = "lead") -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(person(role))
    return client


def form_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "the form carries its CSRF token"
    return found[1]


def lose_the_cookie(client: Client, url: str) -> str:
    """Open the page (which sets the CSRF cookie); then the cookie is lost. Returns the form's token."""
    token = form_token(client.get(url).content.decode())
    del client.cookies[settings.CSRF_COOKIE_NAME]
    return token


def test_a_lost_cookie_keeps_what_was_typed_and_saves_nothing(appraisal: Appraisal) -> None:
    url = reverse("appraisal-question", args=[appraisal.pk, "P1"])
    client = signed_in()
    token = lose_the_cookie(client, url)

    response = client.post(url, {**TYPED, "csrfmiddlewaretoken": token}, HTTP_REFERER=HOST + url)
    assert response.status_code == 302
    assert response["Location"] == url, "back to the same page, not to Django's 403"
    assert not Answer.objects.exists(), "nothing from the failed post is saved"

    page = client.get(url).content.decode()
    assert NOT_SENT in page
    assert KEPT in page
    assert TYPED["rationale"] in page
    assert 'value="partly" checked' in page
    assert not Answer.objects.exists(), "kept work is shown to check, not saved"
    # Shown once: opening the page again shows what is saved (nothing yet).
    assert TYPED["rationale"] not in client.get(url).content.decode()


def test_sent_again_with_the_new_cookie_it_is_saved(appraisal: Appraisal) -> None:
    url = reverse("appraisal-question", args=[appraisal.pk, "P1"])
    client = signed_in()
    token = lose_the_cookie(client, url)
    client.post(url, {**TYPED, "csrfmiddlewaretoken": token}, HTTP_REFERER=HOST + url)
    page = client.get(url).content.decode()  # the page with the kept text sets a new cookie
    assert settings.CSRF_COOKIE_NAME in client.cookies
    response = client.post(url, {**TYPED, "csrfmiddlewaretoken": form_token(page)}, HTTP_REFERER=HOST + url)
    assert response.status_code == 302
    assert Answer.objects.get().rationale == TYPED["rationale"]


def test_a_wrong_token_is_refused_the_same_way(appraisal: Appraisal) -> None:
    url = reverse("project-edit", args=[appraisal.project_id])
    client = signed_in()
    client.get(url)
    typed = {"title": "Family meetings, renamed while the cookie went stale", "csrfmiddlewaretoken": "x" * 64}
    response = client.post(url, typed, HTTP_REFERER=HOST + url)
    assert response.status_code == 302
    assert response["Location"] == url
    assert "renamed while the cookie went stale" in client.get(url).content.decode()
    appraisal.project.refresh_from_db()
    assert "renamed" not in appraisal.project.title


def test_a_form_sent_from_another_site_is_refused_and_nothing_is_kept(appraisal: Appraisal) -> None:
    url = reverse("appraisal-question", args=[appraisal.pk, "P1"])
    client = signed_in()
    client.get(url)
    response = client.post(
        url, TYPED, HTTP_ORIGIN="https://elsewhere.example", HTTP_REFERER="https://elsewhere.example/form"
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be sent" in page
    assert "Go back to the page you were on" not in page, "no link to another site"
    assert KEPT_WORK_KEY not in client.session
    assert TYPED["rationale"] not in client.get(url).content.decode()


def test_a_form_sent_to_another_page_gets_the_explanation_with_a_way_back(appraisal: Appraisal) -> None:
    """A button on the task list that posts to another address: there is no form to show
    again there, so the page explains, and links back to where the person was."""
    tasks = reverse("appraisal-tasks", args=[appraisal.pk])
    url = reverse("appraisal-question", args=[appraisal.pk, "P1"])
    client = signed_in()
    client.get(tasks)
    del client.cookies[settings.CSRF_COOKIE_NAME]
    response = client.post(url, TYPED, HTTP_REFERER=HOST + tasks)
    assert response.status_code == 403
    page = response.content.decode()
    assert f'href="{tasks}">Go back to the page you were on' in page
    assert KEPT_WORK_KEY not in client.session
    assert not Answer.objects.exists()


def test_without_knowing_the_page_it_came_from_nothing_is_kept(appraisal: Appraisal) -> None:
    url = reverse("appraisal-question", args=[appraisal.pk, "P1"])
    client = signed_in()
    token = lose_the_cookie(client, url)
    response = client.post(url, {**TYPED, "csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert KEPT_WORK_KEY not in client.session


def test_someone_not_signed_in_gets_a_plain_page_not_djangos(organisation: Organisation) -> None:
    client = Client(enforce_csrf_checks=True)
    login = reverse("login")
    client.get(login)
    del client.cookies[settings.CSRF_COOKIE_NAME]
    response = client.post(login, {"email": "lead@council.test", "password": "x"}, HTTP_REFERER=HOST + login)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be sent" in page
    assert "cookies" in page
    assert 'class="govuk-heading-l"' in page, "the service's own GOV.UK page"
    assert "CSRF verification failed" not in page
    assert KEPT_WORK_KEY not in client.session
