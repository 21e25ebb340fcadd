"""Resetting a forgotten password, and the operators' admin site, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import AXE_TAGS, assert_accessible, format_violations, sign_in, visit
from tests.conftest import PASSWORD
from trustworthy.organisations.models import User

NEW = "a fresh spring passphrase"


def assert_admin_page_accessible(page: Page) -> None:
    """axe-core, WCAG 2.2 AA, as `assert_accessible` runs it but without axe's stylesheet
    preload: on pages with Django's forms.css, the preload follows its `@import` by adding a
    <style> element to the page, which the policy refuses. That is the check's doing, not
    the page's, and would hide what this test is for: whether the page keeps to the policy."""
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
        "preload": False,
    }
    violations = Axe().run(page, options=options).response["violations"]
    assert not violations, f"Accessibility violations on {page.url}:\n{format_violations(violations)}"


def test_a_forgotten_password_is_reset_by_email(page: Page, organisation: Any) -> None:
    visit(page, "/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Send the link").click()  # nothing typed
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address")
    assert_accessible(page)

    page.get_by_label("Email address").fill("lead@council.test")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)

    [sent] = mail.outbox
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", sent.body)
    assert link, sent.body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert page.url.endswith("/set-password/"), "the token is out of the address before the page shows"
    assert_accessible(page)

    page.get_by_label("Create a new password").fill("aaaaaaaaaaaa")
    page.get_by_label("Confirm your new password").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a password that is harder to guess")
    assert_accessible(page)

    page.get_by_label("Create a new password").fill(NEW)
    page.get_by_label("Confirm your new password").fill(NEW)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password has been reset")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email address").fill("lead@council.test")
    page.locator("#id_password").fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()

    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/organisations/user/",
        "/admin/organisations/organisation/",
        "/admin/organisations/membership/",
        "/admin/core/auditevent/",
        "/admin/programmes/programme/",
        "USER",
    ],
)
def test_the_admin_site_keeps_to_the_content_security_policy_and_is_accessible(
    page: Page, live_server: Any, organisation: Any, path: str
) -> None:
    """The harness fails the test on any request the policy refuses, or any script error;
    the pages are Django's own, with organisations/static/organisations/admin.css for axe."""
    operator = User.objects.create_superuser("op@example.org", PASSWORD, full_name="Olu Operator")
    sign_in(page, live_server.url, operator)
    if path == "USER":  # one person's page, with their memberships
        path = f"/admin/organisations/user/{User.objects.get(email='lead@council.test').pk}/change/"
    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy  # the app's own policy, unchanged for /admin/
    assert "unsafe" not in policy
    expect(page.locator("#site-name")).to_contain_text("Trustworthy Innovation: operators")
    assert_admin_page_accessible(page)
