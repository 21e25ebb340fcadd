"""Two people saving the same thing from the same version: one wins, the other loses nothing."""

from __future__ import annotations

import http.client
import re
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer, RegisterRow

from ..appraisals.factories import ROWS, make_project
from .helpers import person


def test_a_stale_save_shows_both_texts_and_keeps_the_users_own(client_as, organisation) -> None:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    url = f"/appraisals/{appraisal.pk}/questions/P2/"
    first = client_as("lead").post(
        url, {"value": "yes", "rationale": "Reasons from the lead.", "version": "0"}
    )
    assert first.status_code == 302
    second = client_as("contributor").post(
        url, {"value": "no", "rationale": "Reasons from a contributor.", "version": "0"}
    )
    page = second.content.decode()
    assert second.status_code == 409
    assert "Someone else saved this while you were editing it" in page
    assert "Reasons from the lead." in page
    assert "Reasons from a contributor." in page
    assert 'name="version" value="1"' in page, "the next save is based on the newest version"
    assert Answer.objects.get(appraisal=appraisal, question_id="P2").rationale == "Reasons from the lead."
    merged = client_as("contributor").post(
        url, {"value": "partly", "rationale": "Both views.", "version": "1"}
    )
    assert merged.status_code == 302
    assert Answer.objects.get(appraisal=appraisal, question_id="P2").rationale == "Both views."


def test_register_rows_conflict_too(client_as, organisation) -> None:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    row = services.add_register_row(appraisal=appraisal, register_id="risks", data=ROWS["risks"], user=lead)
    url = f"/appraisals/{appraisal.pk}/registers/risks/{row.pk}/"
    post = {**ROWS["risks"], "version": "1"}
    assert client_as("lead").post(url, {**post, "mitigation": "First"}).status_code == 302
    response = client_as("contributor").post(url, {**post, "mitigation": "Second"})
    assert response.status_code == 409
    assert "First" in response.content.decode()
    assert RegisterRow.objects.get().data["mitigation"] == "First"


class Browser:
    """A signed-in HTTP client for the live server, with its CSRF token."""

    def __init__(self, base: str, email: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        client = Client()
        client.force_login(person(email.split("@")[0]))
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf_cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.session}"
        if self.csrf_cookie:
            cookie += f"; csrftoken={self.csrf_cookie}"
        headers = {"Cookie": cookie}
        data = None
        if body is not None:
            data = urlencode({**body, "csrfmiddlewaretoken": self.token})
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{path}",
            }
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf_cookie = value.split(";")[0].split("=", 1)[1]
        conn.close()
        return response.status, text

    def open(self, path: str) -> None:
        status, page = self.request("GET", path)
        assert status == 200
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_from_the_same_version_200_times(live_server: Any, organisation: Any) -> None:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    path = f"/appraisals/{appraisal.pk}/questions/P1/"
    people = {
        "lead": Browser(live_server.url, "lead@council.test"),
        "contributor": Browser(live_server.url, "contributor@council.test"),
    }
    for browser in people.values():
        browser.open(path)
    for round_ in range(200):
        version = round_  # each round starts from the version the last one saved
        barrier = threading.Barrier(2)
        results: dict[str, tuple[int, str]] = {}

        def save(who: str, barrier=barrier, results=results, round_=round_, version=version) -> None:
            barrier.wait()
            results[who] = people[who].request(
                "POST",
                path,
                {
                    "value": "yes",
                    "rationale": f"{who} round {round_}",
                    "evidence": "",
                    "version": str(version),
                },
            )

        threads = [threading.Thread(target=save, args=(who,)) for who in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [302, 409], (round_, statuses)
        winner = next(who for who, (status, _) in results.items() if status == 302)
        loser = next(who for who in people if who != winner)
        loser_page = results[loser][1]
        assert f"{winner} round {round_}" in loser_page, "the conflict page shows what the other person saved"
        assert f"{loser} round {round_}" in loser_page, "and keeps what this person typed"
        answer = Answer.objects.get(appraisal=appraisal, question_id="P1")
        assert (answer.rationale, answer.lock_version) == (f"{winner} round {round_}", version + 1)


def test_project_details_conflict_too(client_as, organisation) -> None:
    from ..appraisals.test_views import PROJECT_POST

    project = make_project(organisation, person("lead"))
    url = f"/projects/{project.pk}/edit/"
    assert "Someone else saved" not in client_as("lead").get(url).content.decode()
    assert "Someone else saved" not in client_as("lead").get("/projects/new/").content.decode()
    first = client_as("lead").post(url, {**PROJECT_POST, "title": "First title", "version": "1"})
    assert first.status_code == 302
    second = client_as("lead").post(url, {**PROJECT_POST, "title": "Second title", "version": "1"})
    page = second.content.decode()
    assert second.status_code == 409
    assert "First title" in page
    assert "Second title" in page
    project.refresh_from_db()
    assert (project.title, project.lock_version) == ("First title", 2)
