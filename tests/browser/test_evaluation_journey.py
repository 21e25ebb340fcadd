"""A post hoc evaluation in a real browser, with JavaScript and without: recording what
happened to each benefit and risk, what nobody expected and the lessons, then reading
expected against realised and the decision record, every page checked with axe-core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.appraisals.evaluation_factories import start_evaluation

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)


def record_an_evaluation(page: Page, appraisal_id: int) -> None:
    visit(page, f"/appraisals/{appraisal_id}/")
    page.get_by_role("link", name="What happened to the benefits and risks expected").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What happened to the benefits and risks expected"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Record what happened").first.click()
    expect(page.get_by_role("heading", name="What was expected")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what happened")
    assert_accessible(page)
    page.get_by_label("Partly achieved").check()
    page.get_by_label("What shows this?").fill("Care entries fell in one of the two areas.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved what happened")
    assert_accessible(page)

    # A risk (the third row on the list: two benefits come first).
    page.get_by_role("link", name="Record what happened").nth(1).click()
    page.get_by_label("Partly").check()
    page.get_by_label("How was it handled?").fill("The bypass for urgent cases was made automatic.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The bypass for urgent cases was made automatic.")).to_be_visible()

    page.get_by_role("link", name="Add something nobody expected").click()
    assert_accessible(page)
    page.get_by_label("A benefit nobody expected").check()
    page.get_by_label("What happened?").fill("Schools began asking for family meetings too.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Schools began asking for family meetings too.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Write the lessons for others").click()
    assert_accessible(page)
    page.get_by_label("Lessons for others").fill("Measure waiting times from day one.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Measure waiting times from day one.")).to_be_visible()


def read_the_comparison_and_the_record(page: Page, appraisal_id: int) -> None:
    page.get_by_role("link", name="See expected against realised side by side").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Expected against realised")
    benefits = page.get_by_role("table", name="Benefits")
    expect(benefits).to_contain_text("Partly achieved")
    expect(benefits).to_contain_text("Not recorded yet")
    expect(page.get_by_role("table", name="Risks")).to_contain_text("made automatic")
    assert_accessible(page)
    visit(page, f"/appraisals/{appraisal_id}/record/")
    section = page.locator("#expected-against-realised")
    expect(section).to_have_text("Expected against realised")
    expect(page.get_by_role("table", name="Benefits: expected against realised (2)")).to_contain_text(
        "Care entries fell in one of the two areas."
    )


def test_recording_an_evaluation(page_as: Callable[..., Page], organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    page = page_as("contributor")
    record_an_evaluation(page, evaluation.appraisal.pk)
    read_the_comparison_and_the_record(page, evaluation.appraisal.pk)


def test_recording_an_evaluation_without_javascript(page_as: Callable[..., Page], organisation: Any) -> None:
    evaluation = start_evaluation(organisation)
    page = page_as("contributor", java_script_enabled=False)
    record_an_evaluation(page, evaluation.appraisal.pk)
    read_the_comparison_and_the_record(page, evaluation.appraisal.pk)
