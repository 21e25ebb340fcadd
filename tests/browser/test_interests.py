"""Declaring interests in the browser: a reviewer is asked to declare before giving a
verdict, the declaration page (radios with a conditional question) passes axe-core and
keeps what was typed on an error, and the declared interest is on the review page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.reviews.helpers import in_review

from .conftest import assert_accessible, visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.undeclared]


def test_a_reviewer_declares_an_interest_before_reviewing(page_as: Any, organisation: Any) -> None:
    appraisal = in_review(organisation)
    reviewer = page_as("reviewer")
    visit(reviewer, f"/appraisals/{appraisal.pk}/review/")
    expect(reviewer.locator(".govuk-warning-text")).to_contain_text(
        "Declare your interests in this appraisal"
    )
    expect(reviewer.get_by_role("button", name="Save review")).to_have_count(0)
    reviewer.get_by_role("link", name="Declare your interests").click()
    assert_accessible(reviewer)

    reviewer.get_by_label("Yes, I have an interest").check()
    what = reviewer.get_by_label("What is your interest?")
    expect(what).to_be_visible()  # the conditional question opens
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Save declaration").click()
    expect(reviewer.locator(".govuk-error-summary")).to_contain_text("Say what your interest is")
    expect(reviewer.get_by_label("Yes, I have an interest")).to_be_checked()
    assert_accessible(reviewer)

    reviewer.get_by_label("What is your interest?").fill("I used to work for the supplier.")
    reviewer.get_by_role("button", name="Save declaration").click()
    reviewer.wait_for_url(f"**/appraisals/{appraisal.pk}/review/")
    assert_accessible(reviewer)
    expect(reviewer.locator("#interests + dl")).to_contain_text("I used to work for the supplier.")
    expect(reviewer.get_by_role("button", name="Save review")).to_be_visible()
