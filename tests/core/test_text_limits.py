"""Text limits and cleaning (core/text.py), wherever text comes in: the forms show the
limit and refuse hidden characters; the change gates refuse them whichever way a change
arrives; the API answers 422; only web links are links; Word exports of text saved
before these rules still work."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import docx
import pytest
from django.test import Client
from django.urls import reverse

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer, Appraisal
from trustworthy.core import text
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports.models import RecordSettings

from ..api.conftest import API, make_token
from ..appraisals.factories import make_project
from ..reports.conftest import make_decided

# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Page one.\x0cPage two.", "U+000C"),  # a page break pasted from a document
        ("\x1b[31mred\x1b[0m", "U+001B"),  # a terminal colour code
        ("a\x00b", "U+0000"),  # NUL: PostgreSQL cannot store it
        ("\ud800", "U+D800"),  # a lone surrogate: not Unicode
        ("\ufffe", "U+FFFE"),  # not a character; Word cannot hold it
        ("\x9b2J", "U+009B"),  # the C1 control a terminal reads as an escape
        ("bell\x07", "U+0007"),
        ("\x7f", "U+007F"),
    ],
)
def test_hidden_characters_are_refused_naming_the_first(value: str, code: str) -> None:
    message = text.hidden_characters(value)
    assert message is not None
    assert message.startswith(f"Remove the hidden characters from this text (the first is {code}")


@pytest.mark.parametrize("value", ["Tab\tand\nline\r\nbreaks", "Café, Ysgol Gymraeg, 子ども, emoji 👍", ""])
def test_ordinary_text_is_accepted(value: str) -> None:
    assert text.problem(value, text.LONG) is None


def test_a_single_line_refuses_line_breaks_and_tabs() -> None:
    assert text.hidden_characters("two\nlines", one_line=True)
    assert text.hidden_characters("a\ttab", one_line=True)


def test_the_limit_counts_a_line_break_once() -> None:
    field = text.TextField(label="Note", max_length=10)
    assert field.clean("12345\r\n789") == "12345\n789"  # ten characters as sent, nine as counted
    with pytest.raises(Exception, match="Note must be 10 characters or fewer"):
        field.clean("12345678901")
    with pytest.raises(Exception, match="Remove the hidden characters"):
        field.clean("a\x0cb")


def test_text_echoed_on_a_terminal_is_shown_not_run() -> None:
    assert text.printable("\x1b[31mred\x07\r\ud800") == "\\x1b[31mred\\x07\\r\\ud800"
    assert text.printable("Line one\n\tand two, café") == "Line one\n\tand two, café"


def test_only_characters_word_can_hold_are_kept() -> None:
    assert text.xml_safe("a\x0cb\x1bc\x00d\ufffee\tf\ng") == "abcde\tf\ng"


@pytest.mark.parametrize(
    ("link", "web"),
    [
        ("https://example.org/report.pdf", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("file:///etc/passwd", False),
        ("//example.org", False),
    ],
)
def test_only_http_and_https_are_web_links(link: str, web: bool) -> None:
    assert text.is_web_link(link) is web


# --- forms ---------------------------------------------------------------------------------


@pytest.fixture
def draft(organisation: Organisation) -> Appraisal:
    lead = User.objects.get(email="lead@council.test")
    return services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)


@pytest.mark.django_db
def test_an_answer_with_hidden_characters_is_refused_on_the_form(
    client_as: Callable[[str], Client], draft: Appraisal
) -> None:
    url = reverse("appraisal-question", args=[draft.pk, "P1"])
    response = client_as("lead").post(url, {"value": "yes", "rationale": "Page one.\x0cPage two."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Remove the hidden characters from this text (the first is U+000C, at character 10)" in page
    assert "Page one.\x0cPage two." in page, "what was typed is kept"
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_the_family_summary_shows_its_limit_and_refuses_a_megabyte(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_decided(organisation)
    url = reverse("record-summary", args=[appraisal.pk])
    lead = client_as("lead")
    page = lead.get(url).content.decode()
    assert 'data-maxlength="5000"' in page
    assert "You can enter up to 5,000 characters" in page
    before = AuditEvent.objects.count()
    response = lead.post(url, {"summary": "We decided to go ahead. " * 45_000})
    assert response.status_code == 200
    assert "The summary must be 5,000 characters or fewer" in response.content.decode()
    assert not RecordSettings.objects.filter(appraisal=appraisal).exclude(summary="").exists()
    assert AuditEvent.objects.count() == before


# --- the change gates: whichever way a change arrives ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rationale", "message"),
    [
        ("\x1b[31mred", "Remove the hidden characters from this text (the first is U+001B"),
        ("x" * (text.LONGEST + 1), "This text must be 10,000 characters or fewer (it has 10,001)"),
    ],
)
def test_the_change_gate_refuses_what_no_form_would_send(
    draft: Appraisal, rationale: str, message: str
) -> None:
    lead = User.objects.get(email="lead@council.test")
    before = AuditEvent.objects.count()
    with pytest.raises(text.TextRefused, match=re.escape(f"rationale: {message}")):
        services.save_answer(appraisal=draft, question_id="P1", user=lead, value="yes", rationale=rationale)
    assert not Answer.objects.exists()
    assert AuditEvent.objects.count() == before


# --- the API -------------------------------------------------------------------------------------


def _put(secret: str, path: str, body: dict[str, Any]) -> Any:
    return Client().put(
        API + path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


@pytest.mark.django_db
def test_the_api_holds_the_family_summary_to_the_same_limit(organisation: Organisation) -> None:
    appraisal = make_decided(organisation)
    response = _put(make_token("lead"), f"/appraisals/{appraisal.pk}/summary", {"text": "x" * 5_001})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert (
        _put(make_token("lead"), f"/appraisals/{appraisal.pk}/summary", {"text": "x" * 5_000}).status_code
        == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize("evidence", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_the_api_refuses_evidence_that_is_not_a_web_link(draft: Appraisal, evidence: str) -> None:
    body = {"value": "yes", "rationale": "Because.", "evidence": evidence}
    response = _put(make_token("lead"), f"/appraisals/{draft.pk}/answers/P1", body)
    assert response.status_code == 422, response.content
    assert "is not a web link" in response.json()["detail"]
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_hidden_characters_with_the_same_message(draft: Appraisal) -> None:
    body = {"value": "yes", "rationale": "Page one.\x0cPage two."}
    response = _put(make_token("lead"), f"/appraisals/{draft.pk}/answers/P1", body)
    assert response.status_code == 422
    assert "Remove the hidden characters from this text" in response.json()["detail"]


# --- text saved before these rules ------------------------------------------------------------


@pytest.mark.django_db
def test_only_web_links_in_evidence_are_links(client_as: Callable[[str], Client], draft: Appraisal) -> None:
    lead = User.objects.get(email="lead@council.test")
    services.save_answer(appraisal=draft, question_id="P1", user=lead, value="yes", rationale="Because.")
    # As an older import could have saved it.
    evidence = "https://example.org/report\njavascript:alert(1)\n data:text/html,hi"
    Answer.objects.filter(appraisal=draft).update(evidence=evidence)
    for role, url in (("viewer", "appraisal-question"), ("lead", "appraisal-check")):
        args = [draft.pk, "P1"] if url == "appraisal-question" else [draft.pk]
        page = client_as(role).get(reverse(url, args=args)).content.decode()
        assert 'href="https://example.org/report"' in page, url
        assert "javascript:alert(1)" in page, url  # shown, as text
        assert "data:text/html,hi" in page, url
        assert 'href="javascript:' not in page, url
        assert 'href="data:' not in page, url


@pytest.mark.django_db
def test_the_word_export_of_text_saved_before_the_rules_still_works(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_decided(organisation)
    Answer.objects.filter(appraisal=appraisal, question_id="P1").update(
        rationale="Page one.\x0cPage two. \x1b[31mRed\x1b[0m\ufffe"
    )
    response = client_as("lead").get(reverse("record-docx", args=[appraisal.pk]))
    assert response.status_code == 200  # python-docx refused these: a 500, for ever once approved
    content = b"".join(response.streaming_content) if response.streaming else response.content
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "Page one.Page two. [31mRed[0m" in words
