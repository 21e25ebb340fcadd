"""Readiness for innovation in a real browser, every page checked with axe-core: a lead opens
the assessment from the task list, leaves a dimension unanswered (the error summary links to
it, and what was typed is kept), completes it, and sees the gaps on the task list; the
approver finds them among what the decision must weigh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, visit
from tests.reviews.helpers import complete_appraisal

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_assesses_readiness_and_the_approver_weighs_the_gaps(
    page_as: Callable[..., Page], organisation: Any
) -> None:
    appraisal = complete_appraisal(organisation)
    lead = page_as("lead")
    visit(lead, f"/appraisals/{appraisal.pk}/")
    lead.get_by_role("link", name="Assess readiness for innovation").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Readiness for innovation")
    assert_accessible(lead)

    for dimension, status, evidence in (
        ("Resources", "In place", "Two years of funding agreed."),
        ("Culture", "Partly in place", "Two teams are wary of more meetings."),
        ("Permissions", None, "Cabinet approval is due in March."),
        ("Capabilities", "In place", "Coordinators trained."),
    ):
        group = lead.get_by_role("group", name=dimension)
        if status:
            group.get_by_label(status, exact=True).check()
        lead.get_by_label(f"What shows this for {dimension.lower()}?").fill(evidence)
    lead.get_by_role("button", name="Save readiness").click()

    expect(lead.locator(".govuk-error-summary")).to_contain_text(
        "Select in place, partly or not in place for permissions"
    )
    expect(lead.get_by_label("What shows this for permissions?")).to_have_value(
        "Cabinet approval is due in March."
    )
    assert_accessible(lead)
    lead.get_by_role("link", name="Select in place, partly or not in place for permissions").click()
    lead.get_by_role("group", name="Permissions").get_by_label("Not in place", exact=True).check()
    lead.get_by_role("button", name="Save readiness").click()

    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Readiness for innovation saved.")
    expect(lead.locator("#task-readiness-hint")).to_have_text(
        "Gaps: culture (partly in place), permissions (not in place)"
    )
    assert_accessible(lead)

    approver = page_as("approver")
    visit(approver, f"/appraisals/{appraisal.pk}/decision/")
    gaps = approver.locator(".app-readiness-gaps")
    expect(gaps).to_contain_text("Permissions")
    expect(gaps).to_contain_text("Not in place: Cabinet approval is due in March.")
