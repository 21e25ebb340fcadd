"""Signing in with an organisation's own account, in a real browser, through real providers.

The providers (tests/oidc_provider) run on 127.0.0.1 beside the live server. Their pages
are not ours, so they are not checked with axe, and the browser's visits to them are the
only requests allowed outside the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.oidc_provider.fixtures import (  # noqa: F401 - oidc_providers is a fixture
    CALLBACK_PATH,
    PASSWORD,
    Providers,
    configure,
    oidc_providers,
)

from .conftest import _records, assert_accessible, visit


@pytest.fixture
def providers(oidc_providers: Callable[[str], Providers], live_server: Any) -> Providers:  # noqa: F811
    return oidc_providers(live_server.url + CALLBACK_PATH)


@pytest.fixture
def browser_page(new_page: Callable[..., Page], providers: Providers) -> Iterator[Callable[..., Page]]:
    """`new_page`, except that the browser may also go to the two providers."""
    opened: list[Page] = []

    def make(**options: Any) -> Page:
        page = new_page(**options)
        opened.append(page)
        return page

    yield make
    allowed = (providers.northshire.url + "/", providers.southvale.url + "/")
    for page in opened:  # before new_page checks, when the test ends, what each page asked for
        record = _records[id(page)]
        record.requests[:] = [url for url in record.requests if not url.startswith(allowed)]


def sign_in_at_provider(page: Page, email: str) -> None:
    expect(page.get_by_role("heading", name="Council sign-in")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the council").click()


def test_a_member_signs_in_with_their_councils_account(
    browser_page: Callable[..., Page],
    providers: Providers,
    organisation: Any,
    other_organisation: Any,
    monkeypatch: pytest.MonkeyPatch,
    live_server: Any,
) -> None:
    configure(organisation, providers.northshire, monkeypatch, email_domains="council.test")
    configure(other_organisation, providers.southvale, monkeypatch)
    page = browser_page()

    visit(page, "/organisation/", status=None)  # signed out: to the sign-in page
    page.get_by_role("link", name="sign in with your organisation’s account").click()
    expect(page.get_by_role("heading", name="Sign in with your organisation’s account")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Your organisation’s name, or your work email address").fill("Nowhere Council")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("link", name="We could not find an organisation that signs in this way")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Your organisation’s name, or your work email address").fill("lead@council.test")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Sign in with your Northshire Council account")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Continue to Northshire Council").click()
    assert page.url.startswith(providers.northshire.url)
    sign_in_at_provider(page, "lead@council.test")

    # Back here, signed in, on the page first asked for.
    page.wait_for_url(live_server.url + "/organisation/")
    expect(page.get_by_role("heading", name="Northshire Council", exact=True)).to_be_visible()
    expect(page.get_by_text("Lead", exact=True)).to_be_visible()  # their role
    assert_accessible(page)


def test_a_member_of_another_organisation_is_refused_without_javascript(
    browser_page: Callable[..., Page],
    providers: Providers,
    organisation: Any,
    other_organisation: Any,
    monkeypatch: pytest.MonkeyPatch,
    live_server: Any,
) -> None:
    configure(organisation, providers.northshire, monkeypatch)
    configure(other_organisation, providers.southvale, monkeypatch)
    page = browser_page(java_script_enabled=False)

    visit(page, "/accounts/organisation-sign-in/")
    page.get_by_label("Your organisation’s name, or your work email address").fill("Northshire Council")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_role("button", name="Continue to Northshire Council").click()
    # Southvale's admin, who has an account at Northshire's provider, but is no member of Northshire.
    sign_in_at_provider(page, "admin@trust.test")

    page.wait_for_url(f"{live_server.url}{CALLBACK_PATH}**")
    expect(page.get_by_role("heading", name="You have not been signed in")).to_be_visible()
    expect(page.get_by_text("Your account at Northshire Council is not set up here")).to_be_visible()
    assert_accessible(page)

    response = page.goto("/projects/")
    assert response is not None
    assert "/accounts/login/" in page.url  # still signed out


def test_admins_see_how_their_members_sign_in(
    page_as: Callable[..., Page], providers: Providers, organisation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(organisation, providers.northshire, monkeypatch, email_domains="council.test")
    page = page_as("admin")
    visit(page, "/organisation/")
    expect(page.get_by_role("heading", name="Signing in with your organisation’s accounts")).to_be_visible()
    expect(page.get_by_text(providers.northshire.issuer, exact=True)).to_be_visible()
