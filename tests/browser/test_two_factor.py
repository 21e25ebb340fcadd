"""Two-factor authentication in a real browser, every page checked with axe-core: an
approver, who must use it, signs in, is sent to set it up, scans (here: reads) the key,
keeps the recovery codes, and next time signs in with a code from the app after a wrong
one; then the pages under the account. And the code step without JavaScript.

The live server runs in this process, so the clock django-otp reads is the test's
(`two_factor_clock`): codes are worked out from the device's key, never a step late.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from ..organisations.two_factor_clock import Clock, code_for, use_clock, wrong_code
from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)

APPROVER = "approver@council.test"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return use_clock(monkeypatch)


@pytest.fixture
def required(settings: Any) -> None:
    settings.TRUSTWORTHY_REQUIRE_2FA_ROLES = ["admin", "approver"]


def sign_in_with_password(page: Page, email: str) -> None:
    visit(page, "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def device(email: str) -> TOTPDevice:
    return TOTPDevice.objects.get(user__email=email)


def test_an_approver_sets_it_up_then_signs_in_with_a_code(
    page: Page, organisation: Any, required: None, clock: Clock
) -> None:
    sign_in_with_password(page, APPROVER)
    assert page.url.endswith("/account/two-factor/set-up/?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(
        page.get_by_text("As an approver of Northshire Council, you must use two-factor authentication")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code that adds Trustworthy Innovation to your authenticator app")
    ).to_be_visible()
    assert_accessible(page)

    # Nothing else opens until it is set up.
    visit(page, "/organisation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")

    # A wrong code: the error summary, and an empty box.
    app = device(APPROVER)
    box = page.get_by_label("Code from your authenticator app")
    box.fill(wrong_code(app, clock))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page).to_have_title("Error: Set up two-factor authentication – Trustworthy Innovation")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The code is not right")
    expect(box).to_have_value("")
    assert_accessible(page)

    # The key typed in by hand gives the same codes as the QR code.
    key = page.locator("#secret-key").inner_text().replace(" ", "")
    assert key == app.config_url.split("secret=")[1].split("&")[0]
    clock.wait_out_throttling()
    box.fill(code_for(app, clock))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert_accessible(page)
    page.get_by_role("link", name="I have kept my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire Council")  # where they were going
    assert_accessible(page)

    # Signing out and in again: the code step, a wrong code, then the right one.
    page.get_by_role("button", name="Sign out").click()
    clock.tick()
    sign_in_with_password(page, APPROVER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_accessible(page)
    page.get_by_text("I cannot use my authenticator app").click()
    expect(page.get_by_text("Each one works once")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Code").fill(wrong_code(app, clock))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    expect(page.get_by_label("Code")).to_have_value("")
    assert_accessible(page)
    page.get_by_role("link", name="The code is not right").click()
    expect(page.get_by_label("Code")).to_be_focused()

    clock.wait_out_throttling()
    page.get_by_label("Code").fill(code_for(app, clock))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(
        "Enter the code from your authenticator app"
    )
    assert urlparse(page.url).path == "/"  # "Your work"
    assert_accessible(page)

    # Under the account.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    expect(page.get_by_text("10 of 10 left")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Get new recovery codes").click()
    assert_accessible(page)
    page.get_by_role("button", name="Get new recovery codes").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert not set(page.locator("#recovery-codes li").all_inner_texts()) & set(codes)
    assert_accessible(page)
    visit(page, "/account/two-factor/turn-off/")
    expect(page.get_by_text("You will have to set it up again")).to_be_visible()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill("12345")
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_the_code_step_works_without_javascript(
    no_js_page: Page, organisation: Any, required: None, clock: Clock
) -> None:
    from trustworthy.organisations import twofactor
    from trustworthy.organisations.models import User

    approver = User.objects.get(email=APPROVER)
    app = twofactor.start_set_up(approver)
    twofactor.turn_on(user=approver, device=app, code=code_for(app, clock))
    clock.tick()

    page = no_js_page
    sign_in_with_password(page, APPROVER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_accessible(page)
    page.get_by_label("Code").fill(code_for(app, clock))
    page.get_by_role("button", name="Continue").click()
    assert urlparse(page.url).path == "/"  # "Your work"
    assert_accessible(page)
