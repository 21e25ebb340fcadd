"""The API tokens page and the API reference in a real browser: accessible (axe-core, WCAG
2.2 AA), nothing loaded from elsewhere, and the token made without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (  # noqa: F401 - browser, new_page and page_as are fixtures
    assert_accessible,
    browser,
    new_page,
    page_as,
    visit,
)

pytestmark = pytest.mark.browser


def test_a_token_is_made_and_revoked_on_the_account_page(page_as: Any) -> None:  # noqa: F811
    page = page_as("lead", java_script_enabled=False)
    visit(page, "/projects/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    visit(page, "/account/api-tokens/")
    page.get_by_label("Name").fill("Performance dashboard")
    page.get_by_label("Northshire Council (your role: lead)").check()
    page.get_by_label("Read only (and comment)").check()
    page.get_by_label("Days until it stops working (optional)").fill("30")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", name="Token made")).to_be_visible()
    assert page.locator("#new-token").inner_text().startswith("tw_")
    assert_accessible(page)
    visit(page, "/account/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    page.get_by_role("button", name="Revoke Performance dashboard").click()
    expect(page.get_by_text("Token “Performance dashboard” revoked")).to_be_visible()
    visit(page, "/account/api-tokens/")


def test_the_reference_page_is_accessible(page_as: Any) -> None:  # noqa: F811
    page = page_as("viewer")
    visit(page, "/api/v1/docs/")
    expect(page.get_by_role("heading", name="Trustworthy Innovation API")).to_be_visible()
    expect(page.get_by_role("link", name="OpenAPI 3.1 (JSON)")).to_be_visible()
