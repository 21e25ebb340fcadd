"""Starting a stage before the earlier one is signed, and comparing it with that stage, in a
browser: each page passes axe and fits a 375 px phone (checked by `visit` and `assert_accessible`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.reviews.helpers import complete_appraisal, person
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.browser

REASON = "The design was agreed with health partners before we used the framework."


def test_a_stage_started_early_asks_why_and_links_to_the_comparison(
    page_as: Callable[..., Page], organisation: Any
) -> None:
    draft = complete_appraisal(organisation)
    page = page_as("lead")
    visit(page, f"/projects/{draft.project_id}/appraisals/new/")
    expect(page.get_by_text("You will need to say why you are starting it now.").first).to_be_visible()

    page.get_by_label("Development and design").check()
    page.get_by_role("button", name="Start appraisal").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why you are starting Development and design")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Why start this stage before the earlier one is signed?")).to_be_focused()

    page.get_by_label("Why start this stage before the earlier one is signed?").fill(REASON)
    page.get_by_role("button", name="Start appraisal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Development and design")
    expect(page.get_by_text(REASON)).to_be_visible()
    assert_accessible(page)

    # The design changed one answer: the comparison shows it beside what the inception said.
    development = Appraisal.objects.get(stage="development")
    services.save_answer(
        appraisal=development, question_id="P1", user=person("lead"), value="partly",
        rationale="Only for families who ask for it, after the design work.",
    )  # fmt: skip
    page.reload()
    page.get_by_role("link", name="Compare with the previous stage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed since the Inception of the idea appraisal"
    )
    assert_accessible(page)
    expect(page.get_by_text("Only for families who ask for it, after the design work.")).to_be_visible()
