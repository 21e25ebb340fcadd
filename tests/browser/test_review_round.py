"""A full review round in the browser: submit, changes requested with a comment, fix and
resubmit, approve and sign. Every page is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.reviews.helpers import complete_appraisal

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)


def click(page: Page, role: str, name: str) -> None:
    page.get_by_role(role, name=name).click()  # type: ignore[arg-type]
    assert_accessible(page)


def test_a_full_review_round(page_as: Any, organisation: Any) -> None:
    appraisal = complete_appraisal(organisation)
    tasks = f"/appraisals/{appraisal.pk}/"

    lead = page_as("lead")
    visit(lead, tasks)
    click(lead, "link", "Submit for review")
    click(lead, "button", "Submit for review")
    expect(lead.locator(".app-status")).to_contain_text("In review")

    reviewer = page_as("reviewer")
    visit(reviewer, tasks)
    click(reviewer, "link", "Review the sections")
    # First, as every reviewer must, they declare their interests (none).
    click(reviewer, "link", "Declare your interests")
    reviewer.get_by_label("No, I have no interest to declare").check()
    click(reviewer, "button", "Save declaration")
    reviewer.get_by_role("group", name=re.compile("1. Setting")).get_by_label("Needs work").check()
    reviewer.get_by_label("Comment on section 1").fill("P6 does not say what the coordinators cost.")
    for section in ("2. Ensuring", "3. Applying"):
        reviewer.get_by_role("group", name=re.compile(section)).get_by_label("Acceptable", exact=True).check()
    click(reviewer, "button", "Save review")
    expect(reviewer.get_by_text("Your review is saved.")).to_be_visible()
    visit(reviewer, f"{tasks}questions/P6/")
    comments = reviewer.get_by_role("region", name="Comments", exact=True)
    comments.get_by_label("Add a comment").fill("Please add the cost of four coordinators.")
    comments.get_by_role("button", name="Add comment").click()
    assert_accessible(reviewer)
    expect(reviewer.get_by_role("region", name="Comments", exact=True)).to_contain_text(
        "Please add the cost of four coordinators."
    )
    visit(reviewer, tasks)
    click(reviewer, "link", "Request changes")
    reviewer.get_by_label("Why?").fill("Section 1 needs the costs in P6.")
    click(reviewer, "button", "Request changes")
    expect(reviewer.locator(".app-status")).to_contain_text("Changes requested")

    visit(lead, f"{tasks}questions/P6/")
    expect(lead.get_by_role("region", name="Comments", exact=True)).to_contain_text(
        "Please add the cost of four coordinators."
    )
    thread = lead.get_by_role("region", name="Comments", exact=True)
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply").fill("Added: £180,000 a year.")
    thread.get_by_role("button", name="Reply").click()
    assert_accessible(lead)
    lead.get_by_label("Summary").fill(
        "Four coordinators cost £180,000 a year, moved from the edge-of-care budget."
    )
    click(lead, "button", "Save and continue")
    visit(lead, tasks)
    click(lead, "link", "Submit for review")
    lead.get_by_label("Note (optional)").fill("Costs added to P6.")
    click(lead, "button", "Submit for review")
    expect(lead.locator(".app-status")).to_contain_text("In review")

    visit(reviewer, f"{tasks}review/")
    for section in ("1. Setting", "2. Ensuring", "3. Applying"):
        reviewer.get_by_role("group", name=re.compile(section)).get_by_label("Acceptable", exact=True).check()
    click(reviewer, "button", "Save review")

    approver = page_as("approver")
    visit(approver, f"{tasks}decision/")
    click(approver, "link", "Declare your interests")
    approver.get_by_label("No, I have no interest to declare").check()
    click(approver, "button", "Save declaration")  # back to the decision page
    approver.get_by_label("Proceed with mitigations").check()
    approver.get_by_label("Reasoning").fill("Costs are now clear; mitigations have owners.")
    click(approver, "button", "Record decision")
    click(approver, "link", "Approve and sign the decision")
    click(approver, "button", "Approve and sign the decision")
    expect(approver.locator(".app-status")).to_contain_text("Approved")
    expect(approver.locator(".app-status")).to_contain_text("locked")
    click(approver, "link", "History of changes")
    expect(approver.get_by_role("table")).to_contain_text("Status changed: Approve and sign the decision")
