"""The participant's page: tokens, the personal-data check, limits, and what is (not) kept."""

from __future__ import annotations

import datetime
import re

import pytest
import textstat  # the package ships no type information
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.voices.factories import ANSWERS, lead_of, make_appraisal, open_for
from trustworthy.voices import services, wording
from trustworthy.voices.models import Consultation, Response
from trustworthy.voices.tokens import hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(organisation):
    return open_for(make_appraisal(organisation), groups=("young-people", "carers"))


def post(client: Client, token: str, **fields: str):
    return client.post(f"/v/{token}/", {**ANSWERS, **fields})


# --- tokens -------------------------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(opened):
    token = opened.token
    assert len(token) >= 22  # 32 random bytes, URL-safe: 256 bits
    row = Consultation.objects.get(pk=opened.consultation.pk)
    assert row.token_hash == hash_token(token)
    assert len(row.token_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voices_consultation")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert token not in stored


def test_tokens_are_unguessable_and_different(organisation):
    appraisal = make_appraisal(organisation)
    tokens = {open_for(appraisal).token for _ in range(5)}
    assert len(tokens) == 5


def test_the_link_opens_signed_out(opened):
    response = Client().get(f"/v/{opened.token}/")
    assert response.status_code == 200
    assert "Family meetings before big decisions" in response.content.decode()


def _without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def test_a_wrong_token_is_a_404_like_any_other(opened):
    client = Client()
    wrong = client.get("/v/" + "A" * 43 + "/")
    odd = client.get("/v/not a token/")
    missing = client.get("/no-such-page/")
    assert wrong.status_code == odd.status_code == missing.status_code == 404
    pages = {_without_nonce(r.content.decode()) for r in (wrong, odd, missing)}
    assert len(pages) == 1  # the same page, byte for byte, apart from the per-response CSP nonce
    assert wrong.get("Content-Type") == missing.get("Content-Type")


def test_an_expired_link_shows_a_kind_page(opened):
    Consultation.objects.filter(pk=opened.consultation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = Client().get(f"/v/{opened.token}/")
    assert response.status_code == 410
    assert "This has finished" in response.content.decode()
    assert post(Client(), opened.token).status_code == 410
    assert Response.objects.count() == 0


def test_a_closed_link_shows_a_kind_page_and_takes_no_answers(opened):
    services.close_consultation(
        consultation=opened.consultation, user=lead_of(opened.consultation.organisation)
    )
    assert Client().get(f"/v/{opened.token}/").status_code == 410
    assert post(Client(), opened.token).status_code == 410
    assert Response.objects.count() == 0


def test_a_new_link_replaces_the_old_one(opened):
    new_token = services.new_link(
        consultation=opened.consultation, user=lead_of(opened.consultation.organisation)
    )
    assert Client().get(f"/v/{opened.token}/").status_code == 404
    assert Client().get(f"/v/{new_token}/").status_code == 200


# --- answering -------------------------------------------------------------------------------------


def test_an_answer_is_saved_without_ip_user_agent_or_session(opened):
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Test phone)", REMOTE_ADDR="203.0.113.7")
    client.get(f"/v/{opened.token}/")
    response = client.post(
        f"/v/{opened.token}/", {**ANSWERS, "group": "young-people"}, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/v/{opened.token}/thanks/"
    saved = Response.objects.get()
    assert saved.group == "young-people"
    assert saved.source == "online"
    assert saved.good == ANSWERS["good"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voices_response WHERE id = %s", [saved.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    for trace in ("203.0.113.7", "198.51.100.9", "Mozilla", "Test phone"):
        assert trace not in row
    assert set(client.cookies) <= {"csrftoken"}
    assert "sessionid" not in client.cookies


def test_the_page_sets_no_cookie(opened):
    # Not even Django's CSRF cookie: the form carries a token signed for the link (see test_privacy.py).
    response = Client().get(f"/v/{opened.token}/")
    assert not response.cookies


def test_every_answer_can_be_left_empty_but_not_all(opened):
    response = Client().post(f"/v/{opened.token}/", {"good": "  "})
    assert response.status_code == 200
    assert "Write something in at least one box." in response.content.decode()
    assert Response.objects.count() == 0


def test_a_group_must_be_one_the_consultation_is_for(opened):
    response = post(Client(), opened.token, group="practitioners")
    assert response.status_code == 200
    assert Response.objects.count() == 0


def test_a_too_long_answer_gets_a_clear_message_and_keeps_the_text(opened):
    long = "word " * 500
    response = post(Client(), opened.token, worries=long)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This answer is too long. Make it 2,000 characters or fewer" in page
    assert long.strip()[:100] in page
    assert Response.objects.count() == 0


def test_the_honeypot_keeps_nothing_but_looks_the_same(opened):
    response = post(Client(), opened.token, website="http://spam.example")
    assert response.status_code == 302
    assert Response.objects.count() == 0


def test_nul_characters_are_refused_with_a_message(opened):
    response = post(Client(), opened.token, good="a\x00b")
    assert response.status_code == 200
    assert Response.objects.count() == 0


# --- personal data -------------------------------------------------------------------------------------


def test_a_date_of_birth_is_pointed_out_before_sending(opened):
    client = Client()
    typed = {**ANSWERS, "anything_else": "My date of birth is 12/03/2011 and I live nearby."}
    first = client.post(f"/v/{opened.token}/", typed)
    page = first.content.decode()
    assert first.status_code == 200
    assert "Check before you send" in page
    assert "12/03/2011" in page
    assert "looks like a date of birth" in page
    assert 'href="#id_anything_else"' in page
    assert Response.objects.count() == 0
    # They change it: checked again, and sent.
    changed = {**typed, "anything_else": "I live nearby."}
    checked = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    assert checked
    second = client.post(f"/v/{opened.token}/", {**changed, "personal_data_checked": checked.group(1)})
    assert second.status_code == 302
    assert Response.objects.get().anything_else == "I live nearby."


def test_sending_unchanged_after_the_warning_is_their_choice(opened):
    client = Client()
    typed = {**ANSWERS, "worries": "Call me on 07700 900123"}
    page = client.post(f"/v/{opened.token}/", typed).content.decode()
    checked = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    assert checked
    assert (
        client.post(f"/v/{opened.token}/", {**typed, "personal_data_checked": checked.group(1)}).status_code
        == 302
    )
    assert Response.objects.count() == 1


def test_a_changed_answer_with_new_personal_data_is_pointed_out_again(opened):
    client = Client()
    typed = {**ANSWERS, "worries": "Call me on 07700 900123"}
    page = client.post(f"/v/{opened.token}/", typed).content.decode()
    checked = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    assert checked
    again = client.post(
        f"/v/{opened.token}/",
        {**typed, "worries": "Email me at kid@example.com", "personal_data_checked": checked.group(1)},
    )
    assert again.status_code == 200
    assert "looks like an email address" in again.content.decode()
    assert Response.objects.count() == 0


# --- rate limit -------------------------------------------------------------------------------------


def test_a_burst_is_allowed_then_the_link_is_slowed_not_broken(opened, monkeypatch):
    monkeypatch.setattr(services, "BURST", 3)
    monkeypatch.setattr(services, "REFILL_PER_MINUTE", 0)
    Consultation.objects.filter(pk=opened.consultation.pk).update(bucket_tokens=3)
    client = Client()
    assert [post(client, opened.token).status_code for _ in range(3)] == [302, 302, 302]
    limited = post(client, opened.token)
    assert limited.status_code == 429
    page = limited.content.decode()
    assert "Lots of people are answering right now" in page
    assert ANSWERS["good"] in page  # what they wrote is kept on the page
    assert Response.objects.count() == 3


def test_the_budget_refills_over_time(opened, monkeypatch):
    monkeypatch.setattr(services, "BURST", 1)
    Consultation.objects.filter(pk=opened.consultation.pk).update(
        bucket_tokens=0, bucket_updated_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert post(Client(), opened.token).status_code == 302  # 600 a minute refills 10 a second


def test_each_link_has_its_own_budget(organisation, monkeypatch):
    appraisal = make_appraisal(organisation)
    first, second = open_for(appraisal), open_for(appraisal)
    Consultation.objects.filter(pk=first.consultation.pk).update(bucket_tokens=0)
    monkeypatch.setattr(services, "REFILL_PER_MINUTE", 0)
    assert post(Client(), first.token).status_code == 429
    assert post(Client(), second.token).status_code == 302


def test_the_default_budget_allows_a_widely_shared_link():
    # 200 a minute for two minutes (the bench) never runs the bucket dry.
    assert services.REFILL_PER_MINUTE >= 200
    assert services.BURST >= 200


# --- plain language -------------------------------------------------------------------------------------


def _reading_grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


@pytest.mark.parametrize(
    "text",
    [
        " ".join(wording.QUESTIONS.values()),
        ". ".join(wording.GROUPS.values()) + ".",
        wording.ABOUT_ANSWERS,
        wording.NO_NAMES,
        wording.DEFAULT_SAFEGUARDING,
    ],
)
def test_participant_text_has_a_reading_age_of_about_9_to_11(text):
    # Flesch-Kincaid grade 6 is a reading age of about 11 in England.
    assert _reading_grade(text) <= 6, text


def test_the_pages_the_participant_sees_read_plainly(opened):
    html = Client().get(f"/v/{opened.token}/").content.decode()
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main
    text = re.sub(r"<[^>]+>", " ", main.group(0))
    text = text.replace(opened.consultation.description, "").replace(opened.consultation.title, "")
    assert _reading_grade(text) <= 6
