"""The participant's journey in Welsh, chosen by the address alone: no cookie, ever."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.voices.factories import ANSWERS, make_appraisal, open_for
from trustworthy.voices.models import Response

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


@pytest.fixture
def opened(organisation):
    return open_for(make_appraisal(organisation), groups=("young-people", "carers"))


def _html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_participant_page_is_in_welsh_from_its_address_without_a_cookie(opened):
    client = Client(enforce_csrf_checks=True)  # a browser with cookies off
    url = f"/v/{opened.token}/"
    english = client.get(url)
    welsh = client.get(f"{url}?lang=cy")
    page = welsh.content.decode()

    assert _html_lang(english.content.decode()) == "en-GB"
    assert _html_lang(page) == "cy"
    assert welsh["Content-Language"] == "cy"
    assert not welsh.cookies
    assert "Set-Cookie" not in welsh
    # The questions, the groups, the headings and the button, in Welsh.
    for words in (
        "Beth allai fod yn dda am y syniad hwn?",
        "Rwy'n blentyn neu'n berson ifanc",
        "Rwy'n ofalwr, fel gofalwr maeth",
        "Beth sy'n digwydd i'ch atebion",
        "Anfon fy atebion",
        "Os ydych chi'n poeni",
        "Gallwch ffonio Childline am ddim ar 0800 1111.",
    ):
        assert words in html.unescape(page), words
    assert "What could be good about this idea?" not in page
    # The switch back to English is a plain link to this same page.
    assert f'href="{url}?lang=en"' in page
    # ...and the English page offers Cymraeg the same way.
    assert f'href="{url}?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>' in english.content.decode()


def test_answers_sent_in_welsh_lead_to_thanks_in_welsh(opened):
    client = Client(enforce_csrf_checks=True)
    url = f"/v/{opened.token}/?lang=cy"
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    assert token
    # The form has no action: it posts back to the address it came from, `lang` and all.
    sent = client.post(url, {**ANSWERS, "form_token": token.group(1)}, HTTP_ORIGIN=ORIGIN)
    assert sent.status_code == 302
    assert sent["Location"] == f"/v/{opened.token}/thanks/?lang=cy"
    thanks = client.get(sent["Location"])
    assert "Mae eich atebion gennym" in thanks.content.decode()
    assert _html_lang(thanks.content.decode()) == "cy"
    assert Response.objects.get().good == ANSWERS["good"]
    assert not client.cookies


def test_problems_on_the_welsh_form_are_in_welsh_and_keep_what_was_typed(opened):
    client = Client()
    url = f"/v/{opened.token}/?lang=cy"
    empty = client.post(url, {"good": "", "worries": ""})
    page = empty.content.decode()
    assert "Mae problem wedi codi" in page
    assert "Ysgrifennwch rywbeth mewn o leiaf un blwch." in page
    assert "<title>Gwall:" in page

    personal = html.unescape(
        client.post(url, {**ANSWERS, "good": "Ask Mrs Patel about it."}).content.decode()
    )
    assert "Gwiriwch cyn anfon" in personal
    assert "“Mrs Patel” yn edrych fel enw person" in personal
    assert "Ask Mrs Patel about it." in personal
    assert Response.objects.count() == 0


def test_a_closed_consultation_says_so_in_welsh(opened):
    opened.consultation.closed_at = timezone.now()
    opened.consultation.save()
    page = Client().get(f"/v/{opened.token}/?lang=cy")
    assert page.status_code == 410
    assert "Mae hyn wedi dod i ben" in page.content.decode()
    assert "Family meetings before big decisions" in page.content.decode()  # their words, as typed
