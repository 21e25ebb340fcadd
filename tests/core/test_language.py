"""English or Welsh, chosen by the address (core/language.py): the switch on every page,
`<html lang>`, and a signed-in person's choice kept in the session they already have."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from trustworthy.core.language import SESSION_KEY, localise, with_language

pytestmark = pytest.mark.django_db


def _lang(response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert found
    return found.group(1)


def test_a_public_page_is_welsh_only_while_its_address_says_so() -> None:
    client = Client()
    assert _lang(client.get("/register/?lang=cy")) == "cy"
    assert _lang(client.get("/register/?lang=CY")) == "cy"
    # Nothing was remembered: the next page, without `lang`, is English.
    english = client.get("/register/")
    assert _lang(english) == "en-GB"
    assert english["Content-Language"] == "en-GB"
    assert not client.cookies
    assert _lang(client.get("/register/?lang=fr")) == "en-GB"  # a language we do not have


def test_the_switch_links_to_the_same_page_in_the_other_language() -> None:
    page = Client().get("/register/?page=2&lang=cy").content.decode()
    assert 'href="/register/?page=2&amp;lang=en" lang="en-GB" hreflang="en-GB">English</a>' in page
    page = Client().get("/register/?page=2").content.decode()
    assert 'href="/register/?page=2&amp;lang=cy" lang="cy" hreflang="cy">Cymraeg</a>' in page


def test_an_error_page_switches_to_the_home_page_not_to_its_own_address() -> None:
    page = Client().get("/no-such-page/?lang=cy").content.decode()
    assert 'href="/?lang=en"' in page
    assert "no-such-page" not in page


def test_a_signed_in_person_keeps_their_choice_until_they_change_it(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("lead")
    assert _lang(client.get("/help/?lang=cy")) == "cy"
    assert client.session[SESSION_KEY] == "cy"
    welsh = client.get("/help/")
    assert _lang(welsh) == "cy"
    assert "Allgofnodi" in welsh.content.decode()  # "Sign out"
    assert _lang(client.get("/help/?lang=en")) == "en-GB"
    assert _lang(client.get("/help/")) == "en-GB"


def test_links_and_redirects_carry_the_language() -> None:
    assert with_language("/v/abc/thanks/", "cy") == "/v/abc/thanks/?lang=cy"
    assert with_language("/register/?page=2&lang=cy", "en-gb") == "/register/?page=2"
    assert localise("/register/") == "/register/"  # English: the address stays as it was
    with translation.override("cy"):
        assert localise("/register/?page=2") == "/register/?page=2&lang=cy"
