"""Two `trustworthy serve` processes, on different ports and with data folders of their own (as
on two machines), against one PostgreSQL database behave as one service: a session, a sign-in
lockout, the API's rate limit, a consultation's rate limits and an edit conflict all hold
across both. Bounded in time and count: about 150 requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import (
    Browser,
    fresh_environment,
    hidden,
    in_django,
    is_postgres,
    load_demo,
    serving,
    suite_database_url,
)
from trustworthy.voices import ratelimit

pytestmark = pytest.mark.skipif(
    not is_postgres(suite_database_url()),
    reason="several servers need a database server: SQLite is one file on one machine "
    "(run with DATABASE_URL=postgres://... to include this test)",
)

API_LIMIT = 5
ANSWERS = {
    "good": "I could say what I think.",
    "worries": "",
    "who_else": "",
    "understand": "",
    "anything_else": "",
}


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[int, int, dict[str, object]]]:
    with fresh_environment(tmp_path / "a") as env:
        env["TRUSTWORTHY_API_RATE_LIMIT"] = str(API_LIMIT)
        load_demo(env)
        made = in_django(env, "tests.servers:open_demo_consultation")
        other = {**env, "TRUSTWORTHY_DATA_DIR": str(tmp_path / "b")}
        with serving(env, tmp_path / "a.log") as a, serving(other, tmp_path / "b.log") as b:
            yield a, b, made


def test_two_servers_on_one_database_behave_as_one(two_servers) -> None:
    a, b, made = two_servers
    lead = str(made["lead"])

    # A session made on A is good on B; signing out on B ends it on A.
    on_a = Browser(a)
    assert on_a.sign_in(lead) == 302
    on_b = Browser(b)
    on_b.cookies = dict(on_a.cookies)
    assert on_b.request("GET", "/projects/")[0] == 200, "signed in on B with A's session"
    goodbye = Browser(b)
    goodbye.cookies = dict(on_a.cookies)
    _, _, page = goodbye.request("GET", "/projects/")
    assert (
        goodbye.request(
            "POST", "/accounts/logout/", {"csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken")}
        )[0]
        == 302
    )
    status, location, _ = on_a.request("GET", "/projects/")
    assert status == 302, "signed out on A too"
    assert "/accounts/login/" in location

    # Failed sign-ins counted across both: 5 on A and 5 on B lock the account (10 is the limit:
    # the 10th is refused as locked out), while 5 on one server alone do not.
    locked, control = "viewer@council.example.org", "contributor@council.example.org"
    failures = [Browser(port).sign_in(locked, "not-the-password") for port in [a] * 5 + [b] * 5]
    assert failures == [200] * 9 + [429], failures
    for _ in range(5):
        assert Browser(a).sign_in(control, "not-the-password") == 200
    assert Browser(a).sign_in(locked) == 429, "locked out on A, with the right password"
    assert Browser(b).sign_in(locked) == 429, "and on B"
    assert Browser(b).sign_in(control) == 302, "5 failures are below the limit"

    # The API's rate limit counts requests on both.
    api = Browser(a)
    assert api.sign_in(lead) == 302
    _api_limit_counted_on_both(a, b, api.cookies)

    # A consultation: one sender's requests on both count against one bucket; others get through.
    _one_senders_limit_counted_on_both(a, b, str(made["token"]))

    # An edit saved on A makes the same page, loaded before it, a conflict when saved on B.
    editor = Browser(a)
    assert editor.sign_in(lead) == 302
    url = f"/appraisals/{made['appraisal']}/questions/P2/"
    status, _, page = editor.request("GET", url)
    assert status == 200
    version = hidden(page, "version")
    form = {"csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"), "value": "yes", "version": version}
    assert editor.request("POST", url, {**form, "rationale": "Saved on server A."})[0] == 302
    stale = Browser(b)
    stale.cookies = dict(editor.cookies)
    status, _, page = stale.request("POST", url, {**form, "rationale": "Saved on server B."})
    assert status == 409
    assert "Someone else saved this while you were editing it" in page
    assert "Saved on server A." in page, "what was saved on A"
    assert "Saved on server B." in page, "what was typed on B, kept"
    assert f'name="version" value="{int(version) + 1}"' in page


def _api_limit_counted_on_both(a: int, b: int, cookies: dict[str, str]) -> None:
    """API_LIMIT requests a minute, split between A and B; the next one, on either, is refused.
    The limit counts per clock minute: if the minute turns while this runs, it runs again."""
    for _ in range(3):
        minute = int(time.time() // 60)
        statuses = []
        for n in range(API_LIMIT + 1):
            browser = Browser(a if n % 2 else b)
            browser.cookies = dict(cookies)
            statuses.append(browser.request("GET", "/api/v1/me")[0])
        if int(time.time() // 60) == minute:
            assert statuses == [200] * API_LIMIT + [429], statuses
            return
    pytest.fail("the minute turned during each of three tries")


def _one_senders_limit_counted_on_both(a: int, b: int, token: str) -> None:
    link = f"/v/{token}/"
    sender = {"X-Forwarded-For": "203.0.113.50"}
    # The form token is signed with the service's key: loaded from A, it is good on B too.
    form_token = hidden(Browser(a, sender).request("GET", link)[2], "form_token")
    started = time.monotonic()
    statuses = [
        Browser(port, sender).request("POST", link, {**ANSWERS, "form_token": form_token})[0]
        for port in [a, b] * ((ratelimit.CLIENT_BURST + 10) // 2)
    ]
    refill = (time.monotonic() - started) * ratelimit.CLIENT_REFILL_PER_MINUTE / 60
    sent = statuses.count(302)
    assert set(statuses) == {302, 429}, statuses
    assert ratelimit.CLIENT_BURST <= sent <= ratelimit.CLIENT_BURST + refill + 1, (sent, refill)
    assert statuses[-2:] == [429, 429], "refused on A and on B"
    other = Browser(b, {"X-Forwarded-For": "203.0.113.51"})
    assert other.request("POST", link, {**ANSWERS, "form_token": form_token})[0] == 302, "another sender"
    print(f"{len(statuses)} answers from one sender in {time.monotonic() - started:.1f} s")
