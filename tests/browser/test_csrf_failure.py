"""A form sent after its CSRF cookie was lost: what was typed comes back, nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.appraisals.factories import make_project
from tests.reviews.helpers import person
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.browser

TYPED = "Families in the pilot asked for meetings in the evening, after school."


def test_a_lost_cookie_brings_back_what_was_typed(page_as: Callable[..., Page], organisation: Any) -> None:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    page = page_as("lead")
    visit(page, f"/appraisals/{appraisal.pk}/questions/P1/")
    page.get_by_role("group", name="Your answer").get_by_label("Partly", exact=True).check()
    page.get_by_label("Why?").fill(TYPED)
    # The cookie goes (cleared, or blocked) while the page is open.
    page.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("Your form could not be sent because a security check failed")).to_be_visible()
    expect(page.get_by_text("We kept what you typed: check it and send it again.")).to_be_visible()
    expect(page.get_by_label("Why?")).to_have_value(TYPED)
    expect(page.get_by_role("group", name="Your answer").get_by_label("Partly", exact=True)).to_be_checked()
    assert not Answer.objects.exists(), "nothing from the refused form was saved"
    assert_accessible(page)

    # Sent again, with the cookie the page has set anew, it is saved.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("P2.")
    assert Answer.objects.get(question_id="P1").rationale == TYPED


def test_someone_not_signed_in_gets_a_page_that_explains(
    new_page: Callable[..., Page], organisation: Any
) -> None:
    page = new_page()
    visit(page, "/accounts/login/")
    page.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)
    page.locator("#id_email").fill("lead@council.test")
    page.locator("#id_password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your form could not be sent")
    expect(page.get_by_text("Check that your browser allows cookies for this service.")).to_be_visible()
    assert_accessible(page)
