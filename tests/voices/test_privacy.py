"""Participants leave no trace: no cookie, no lost answer, and a rate limit per sender that
keeps nothing identifying (ADR 0007).

The participant's form is checked against forgery without a cookie (voices/guard.py): these
tests use `Client(enforce_csrf_checks=True)`, under which that check runs as in production.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.voices.factories import ANSWERS, lead_of, make_appraisal, open_for
from trustworthy.voices import guard, ratelimit, services
from trustworthy.voices.models import ClientBucket, Consultation, Response

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


@pytest.fixture
def opened(organisation):
    return open_for(make_appraisal(organisation), groups=("young-people", "carers"))


def strict() -> Client:
    """A browser with cookies off: it never sends one back, and the forgery check runs."""
    return Client(enforce_csrf_checks=True)


def form_token(client: Client, token: str) -> str:
    page = client.get(f"/v/{token}/").content.decode()
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the form carries a form token"
    return found.group(1)


# --- cookies -------------------------------------------------------------------------------------


def test_answering_sets_no_cookie_at_all_and_works_with_cookies_off(opened):
    client = strict()
    url = f"/v/{opened.token}/"
    page = client.get(url)
    assert not page.cookies
    assert "Set-Cookie" not in page
    assert "csrfmiddlewaretoken" not in page.content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())
    assert token
    sent = client.post(url, {**ANSWERS, "form_token": token.group(1)}, HTTP_ORIGIN=ORIGIN)
    assert sent.status_code == 302, sent.content.decode()[:500]
    assert not sent.cookies
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200
    assert not thanks.cookies
    assert Response.objects.get().good == ANSWERS["good"]
    assert not client.cookies, "nothing for the browser to keep, for a session or longer"


# --- a failed check never loses an answer -------------------------------------------------------


def _refused_but_kept(response, typed: str) -> str:
    page = response.content.decode()
    assert response.status_code == 403
    assert "We could not send your answers this time. Nothing is lost." in page
    assert typed in page, "what they wrote is still on the form"
    assert re.search(r'name="form_token" value="[^"]+"', page), "with a new form token to send it with"
    assert Response.objects.count() == 0
    return page


def test_a_post_without_the_form_token_shows_the_form_again_with_what_was_typed(opened):
    client = strict()
    url = f"/v/{opened.token}/"
    typed = {**ANSWERS, "worries": "That nobody reads it."}
    page = _refused_but_kept(client.post(url, typed, HTTP_ORIGIN=ORIGIN), "That nobody reads it.")
    assert 'class="govuk-error-summary' in page
    # Sent again from that page: it goes through.
    fresh = re.findall(r'name="form_token" value="([^"]+)"', page)[0]
    again = client.post(url, {**typed, "form_token": fresh}, HTTP_ORIGIN=ORIGIN)
    assert again.status_code == 302
    assert Response.objects.get().worries == "That nobody reads it."


def test_an_old_form_is_refused_but_keeps_what_was_typed(opened, monkeypatch):
    client = strict()
    token = form_token(client, opened.token)
    monkeypatch.setattr(guard, "MAX_AGE_SECONDS", -1)  # the form was loaded more than a day ago
    _refused_but_kept(
        client.post(f"/v/{opened.token}/", {**ANSWERS, "form_token": token}, HTTP_ORIGIN=ORIGIN),
        ANSWERS["good"],
    )


def test_a_form_token_works_only_for_its_own_link(opened, organisation):
    client = strict()
    other = open_for(make_appraisal(organisation))
    theirs = form_token(client, other.token)
    _refused_but_kept(
        client.post(f"/v/{opened.token}/", {**ANSWERS, "form_token": theirs}, HTTP_ORIGIN=ORIGIN),
        ANSWERS["good"],
    )
    # A replaced link stops its forms too.
    mine = form_token(client, opened.token)
    new = services.new_link(consultation=opened.consultation, user=lead_of(organisation))
    refused = client.post(f"/v/{new}/", {**ANSWERS, "form_token": mine}, HTTP_ORIGIN=ORIGIN)
    _refused_but_kept(refused, ANSWERS["good"])


def test_a_post_from_another_site_is_refused(opened):
    client = strict()
    token = form_token(client, opened.token)
    url = f"/v/{opened.token}/"
    forged = client.post(url, {**ANSWERS, "form_token": token}, HTTP_ORIGIN="https://elsewhere.example")
    _refused_but_kept(forged, ANSWERS["good"])
    assert client.post(url, {**ANSWERS, "form_token": token}, HTTP_ORIGIN=ORIGIN).status_code == 302


def test_origins_django_trusts_are_trusted_here_too(opened, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.council.example"]
    client = strict()
    url = f"/v/{opened.token}/"
    data = {**ANSWERS, "form_token": form_token(client, opened.token)}
    _refused_but_kept(client.post(url, data, HTTP_ORIGIN="https://council.example.evil"), ANSWERS["good"])
    _refused_but_kept(client.post(url, data, HTTP_ORIGIN="http://forms.council.example"), ANSWERS["good"])
    assert client.post(url, data, HTTP_ORIGIN="https://forms.council.example").status_code == 302


def test_over_https_without_origin_the_referer_must_be_this_site(opened):
    client = strict()
    token = form_token(client, opened.token)
    url = f"/v/{opened.token}/"
    data = {**ANSWERS, "form_token": token}
    _refused_but_kept(client.post(url, data, secure=True), ANSWERS["good"])
    _refused_but_kept(
        client.post(url, data, secure=True, HTTP_REFERER="https://elsewhere.example/"), ANSWERS["good"]
    )
    assert client.post(url, data, secure=True, HTTP_REFERER=f"https://testserver{url}").status_code == 302


def test_the_staff_pages_keep_djangos_csrf_check(client_as):
    client = client_as("admin")
    client.handler.enforce_csrf_checks = True
    assert client.post("/organisation/safeguarding/", {"safeguarding_contact": "Call us."}).status_code == 403


# --- rate limits ---------------------------------------------------------------------------------


def _post_from(client: Client, token: str, address: str) -> int:
    return client.post(f"/v/{token}/", ANSWERS, REMOTE_ADDR=address).status_code


def test_a_flood_from_one_sender_is_limited_while_30_others_all_get_through(opened, monkeypatch):
    # Small numbers, so the flood would empty the link's own budget without per-sender buckets.
    monkeypatch.setattr(ratelimit, "CLIENT_BURST", 5)
    monkeypatch.setattr(ratelimit, "CLIENT_REFILL_PER_MINUTE", 0)
    monkeypatch.setattr(services, "REFILL_PER_MINUTE", 0)
    Consultation.objects.filter(pk=opened.consultation.pk).update(bucket_tokens=40)
    client = Client()
    flood = [_post_from(client, opened.token, "198.51.100.66") for _ in range(60)]
    assert flood.count(302) == 5
    assert flood.count(429) == 55
    refused = client.post(f"/v/{opened.token}/", ANSWERS, REMOTE_ADDR="198.51.100.66")
    assert "Lots of people are answering right now" in refused.content.decode()
    assert ANSWERS["good"] in refused.content.decode(), "what they wrote is kept on the page"
    room = [_post_from(client, opened.token, f"203.0.113.{n}") for n in range(1, 31)]
    assert room == [302] * 30
    assert Response.objects.count() == 35


def test_a_room_full_of_young_people_behind_one_address_all_get_through(opened):
    client = Client()
    assert [_post_from(client, opened.token, "192.0.2.10") for _ in range(30)] == [302] * 30


def test_a_sender_cannot_dodge_the_limit_by_making_up_forwarded_addresses(opened, monkeypatch):
    monkeypatch.setattr(ratelimit, "CLIENT_BURST", 3)
    monkeypatch.setattr(ratelimit, "CLIENT_REFILL_PER_MINUTE", 0)
    client = Client()
    statuses = [
        client.post(
            f"/v/{opened.token}/", ANSWERS, REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}"
        ).status_code
        for n in range(6)
    ]
    assert statuses == [302, 302, 302, 429, 429, 429]


def test_the_limit_keeps_no_address(opened):
    address = "203.0.113.77"
    assert _post_from(Client(), opened.token, address) == 302
    bucket = ClientBucket.objects.get()
    assert re.fullmatch(r"[0-9a-f]{6}", bucket.key), "24 bits of a keyed hash"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voices_clientbucket")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert address not in stored
    assert "203" not in bucket.key


def test_keys_change_every_day_and_differ_between_links():
    day = timezone.now()
    key = ratelimit.client_key(1, "203.0.113.5", day)
    assert key == ratelimit.client_key(1, "203.0.113.5", day + datetime.timedelta(seconds=1))
    assert key != ratelimit.client_key(1, "203.0.113.5", day + datetime.timedelta(days=1))
    assert key != ratelimit.client_key(2, "203.0.113.5", day)
    assert key != ratelimit.client_key(1, "203.0.113.6", day)


def test_buckets_idle_long_enough_to_have_refilled_are_deleted(opened):
    consultation = opened.consultation
    long_ago = timezone.now() - ratelimit.IDLE - datetime.timedelta(seconds=1)
    ClientBucket.objects.create(consultation=consultation, key="abcdef", tokens=0, updated_at=long_ago)
    recent = timezone.now() - datetime.timedelta(seconds=30)
    ClientBucket.objects.create(consultation=consultation, key="123456", tokens=0, updated_at=recent)
    assert _post_from(Client(), opened.token, "203.0.113.9") == 302  # a new sender
    assert set(ClientBucket.objects.values_list("key", flat=True)) == {
        "123456",
        ratelimit.client_key(consultation.pk, "203.0.113.9"),
    }


def test_by_default_proxies_on_this_machine_or_a_private_network_are_believed():
    forwarded = {"HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    for proxy in ("127.0.0.1", "::1", "10.1.2.3", "172.20.0.5", "192.168.1.1", "fd00::1"):
        assert ratelimit.client_address({**forwarded, "REMOTE_ADDR": proxy}) == "192.0.2.1", proxy
    assert ratelimit.client_address({**forwarded, "REMOTE_ADDR": "203.0.113.7"}) == "203.0.113.7"


def test_the_sender_is_the_address_our_proxy_saw(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    address = ratelimit.client_address
    # Straight from the sender: X-Forwarded-For is whatever they wrote, and is ignored.
    assert address({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}) == "203.0.113.7"
    # Through our proxies: the nearest address that is not one of them.
    assert address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}) == "192.0.2.1"
    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.99, 198.51.100.4, 10.1.2.3"}
    assert address(forwarded) == "198.51.100.4", "what the sender wrote in front is not believed"
    assert address({"REMOTE_ADDR": "127.0.0.1"}) == "127.0.0.1"
    # An IPv6 sender usually has a whole /64.
    assert address({"REMOTE_ADDR": "2001:db8:1:2::1"}) == address({"REMOTE_ADDR": "2001:db8:1:2:ffff::9"})
    assert address({"REMOTE_ADDR": "2001:db8:1:2::1"}) != address({"REMOTE_ADDR": "2001:db8:1:3::1"})
    settings.TRUSTED_PROXIES = ["*"]
    assert address({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}) == "192.0.2.1"


def test_the_link_budget_is_a_backstop_far_above_one_sender():
    assert services.BURST >= 300
    assert services.REFILL_PER_MINUTE >= 600
    assert ratelimit.CLIENT_BURST >= 60, "two classes at once from one school"
    assert ratelimit.CLIENT_REFILL_PER_MINUTE * 20 <= services.REFILL_PER_MINUTE
