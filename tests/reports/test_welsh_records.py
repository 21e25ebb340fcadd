"""Records and the family summary in Welsh: the public register, a published record (page,
PDF, Word), and the family summary's draft written in Welsh."""

from __future__ import annotations

import html
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document
from pypdf import PdfReader

from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation
from trustworthy.reports import render_html
from trustworthy.reports import services as record_services
from trustworthy.reports.languages import in_language
from trustworthy.reports.summary import draft_summary

from .conftest import approve
from .summary_cases import SAID, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(client_as: Callable[[str], Client], decided: Appraisal) -> Appraisal:
    approve(decided)
    assert (
        client_as("lead")
        .post(reverse("record-publish", args=[decided.pk]), {"action": "publish"})
        .status_code
        == 302
    )
    return decided


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_public_record_in_welsh(published: Appraisal) -> None:
    url = reverse("public-record", args=[published.pk])
    public = Client()
    english, welsh = _text(public.get(url)), _text(public.get(f"{url}?lang=cy"))

    assert '<html lang="cy"' in welsh
    # The record's own headings from the catalogue...
    for words in ("Y penderfyniad", "Am y prosiect", "Atebolrwydd a chymeradwyo", ": cofnod cyhoeddus"):
        assert words in welsh, words
    # ...and the framework's wording from the edition's Welsh.
    for words in (
        "Adran 1: Pennu paramedrau llwyddiant",
        "P1 Ai arloesi yw'r dull cywir?",
        "Dechrau'r syniad",
    ):
        assert words in welsh, words
    assert "Ai arloesi, yn hytrach na mathau eraill o ddatblygu" in welsh
    # English is unchanged, from the same stored document (cached apart: see files.Rendered.key).
    assert "The decision" in english
    assert "Y penderfyniad" not in english
    assert "P1 Is innovation the right approach?" in english
    assert "Y penderfyniad" in _text(public.get(f"{url}?lang=cy"))
    assert not public.cookies


def test_the_register_in_welsh_keeps_the_language_in_its_links(published: Appraisal) -> None:
    page = Client().get(f"{reverse('public-register')}?lang=cy")
    text = _text(page)
    assert "Cofrestr gyhoeddus o benderfyniadau" in text
    assert "Cofnodion penderfyniadau a gyhoeddwyd" in text
    assert f'href="{reverse("public-record", args=[published.pk])}?lang=cy"' in text
    assert "Rhagfyr" in text or "Tachwedd" in text or any(
        month in text for month in ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf",
                                    "Awst", "Medi", "Hydref")
    )  # fmt: skip
    assert "Content-Language" in page
    assert page["Content-Language"] == "cy"
    # The address alone says the language: nothing is negotiated from the browser's headers.
    assert "Accept-Language" not in page.get("Vary", "")


def test_a_records_pdf_and_word_file_in_welsh(
    client_as: Callable[[str], Client], published: Appraisal
) -> None:
    client = client_as("viewer")
    pdf_url = reverse("record-pdf", args=[published.pk])
    welsh_pdf = client.get(f"{pdf_url}?lang=cy").content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(welsh_pdf)).pages)
    assert "Y penderfyniad" in text
    assert "Pennu paramedrau llwyddiant" in text
    english_pdf = client_as("viewer").get(f"{pdf_url}?lang=en").content
    assert english_pdf != welsh_pdf

    docx_url = reverse("record-docx", args=[published.pk])
    words = "\n".join(
        p.text for p in Document(io.BytesIO(client.get(f"{docx_url}?lang=cy").content)).paragraphs
    )
    assert "Ai arloesi yw'r dull cywir?" in words
    assert "Adran 1: Pennu paramedrau llwyddiant" in words
    assert "Y penderfyniad" in words


def test_a_record_in_welsh_changes_only_the_frameworks_words(decided: Appraisal) -> None:
    record = record_services.record_for(decided)
    welsh = in_language(record, "cy")
    assert welsh.sections[0].title == "Pennu paramedrau llwyddiant"
    assert welsh.decision is not None
    assert record.decision is not None
    assert welsh.decision.reasoning == record.decision.reasoning  # what people typed, as typed
    assert welsh.project == record.project
    assert in_language(record, "en-gb") is record


def test_the_family_summary_draft_in_welsh(organisation: Organisation) -> None:
    pattern = {
        "young-people": ("consulted", "", SAID["young-people"]),
        "parents-and-families": ("informed", "", ""),
        "carers": ("not-involved", "The change is only to staff rotas.", ""),
    }
    appraisal = make_case(organisation, pattern)
    record = record_services.record_for(appraisal)
    english = draft_summary(record)
    with translation.override("cy"):
        welsh = draft_summary(record)

    assert "We asked young people what they thought." in english
    assert welsh.startswith("Edrychon ni ar gynllun o'r enw “Family group conferencing for every family”.")
    for sentence in (
        "Penderfynon ni fwrw ymlaen, gyda chamau ychwanegol i'w wneud yn fwy diogel.",
        "Gofynnon ni am farn pobl ifanc.",  # the group's name from the edition's Welsh
        f"Dywedon nhw wrthym: {SAID['young-people']}",  # their words, as they were typed
        "Cafodd rhieni a theuluoedd wybod am y gwaith hwn, ond wnaethon ni ddim gofyn am eu barn.",
        "Wnaethon ni ddim gofyn am farn gofalwyr. Ein rheswm: The change is only to staff rotas.",
        "Daethon ni o hyd i un risg ddifrifol.",
    ):
        assert sentence in welsh, sentence
    assert welsh.endswith(
        "Os oes gennych gwestiynau am y penderfyniad hwn, gofynnwch i'r person sy'n gweithio gyda chi."
    )
    for english_words in ("We asked", "We decided", "They told us", "If you have questions"):
        assert english_words not in welsh


def test_a_draft_summary_is_shown_in_each_readers_language(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_case(organisation, {})
    client = client_as("viewer")
    for url in (reverse("record", args=[appraisal.pk]), reverse("record-summary", args=[appraisal.pk])):
        welsh = _text(client.get(f"{url}?lang=cy"))
        assert "Penderfynon ni fwrw ymlaen, gyda chamau ychwanegol" in welsh, url
        # The record built for the Welsh page is not the one an English reader then sees.
        english = _text(client.get(f"{url}?lang=en"))
        assert "We decided to go ahead, with extra steps to make it safer." in english, url
        assert "Penderfynon ni" not in english, url


def test_a_standalone_record_says_which_language_it_is_in(decided: Appraisal) -> None:
    record = record_services.record_for(decided)
    assert '<html lang="en-gb">' in render_html.render_text(record)
    with translation.override("cy"):
        welsh = render_html.render_text(in_language(record, "cy"))
    assert '<html lang="cy">' in welsh
    assert "Pennu paramedrau llwyddiant" in welsh
