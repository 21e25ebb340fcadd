"""Deciding, and the review loop, in the browser: an approver decides with a high open risk
on screen and departs from the framework with a reason; a lead's task list after a reviewer
asks for changes straight from a saved review. Every page is checked with axe-core, and on a
375 px phone nothing scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.appraisals.factories import ROWS, declare_none
from tests.reviews.helpers import accept_all, complete_appraisal, in_review, person
from trustworthy.appraisals import services
from trustworthy.reviews import services as reviews

from .conftest import MOBILE, assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)

HIGH_RISK = {**ROWS["risks"], "description": "Families feel watched", "likelihood": 4, "severity": 4,
             "owner": "Head of safeguarding", "mitigation": "A family advocate at every meeting"}  # fmt: skip


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width} px wide on a {inner} px screen"


def click(page: Page, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]
    assert_accessible(page)


def test_an_approver_decides_with_a_high_open_risk_on_screen(page_as: Any, organisation: Any) -> None:
    appraisal = complete_appraisal(organisation)
    services.add_register_row(appraisal=appraisal, register_id="risks", data=HIGH_RISK, user=person("lead"))
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    accept_all(appraisal)
    declare_none(appraisal, person("approver"))
    decision = f"/appraisals/{appraisal.pk}/decision/"

    approver = page_as("approver")
    visit(approver, decision)
    concerns = approver.locator("section.app-concerns")
    expect(concerns.get_by_role("heading", name="What the decision must weigh")).to_be_visible()
    expect(concerns.locator(".govuk-warning-text")).to_contain_text("1 open risk scores 12 or more")
    first = concerns.locator("table.app-open-risks tbody tr").first
    expect(first).to_contain_text("Families feel watched")
    expect(first).to_contain_text("16")
    expect(first).to_contain_text("Head of safeguarding")
    expect(approver.locator("#route")).to_contain_text("An open risk scores 16")

    # "Proceed" is outside the route: the page warns, and asks why before recording it.
    expect(approver.locator("form .govuk-warning-text")).to_contain_text("‘Proceed’")
    approver.get_by_label("Proceed", exact=True).check()
    approver.get_by_label("Reasoning").fill("The pilot is small and watched closely.")
    click(approver, "button", "Record decision")
    expect(approver.locator(".govuk-error-summary")).to_contain_text("departing from the framework")
    approver.get_by_label("Why are you departing from the framework?").fill(
        "The risk has an owner and is reviewed every week."
    )
    click(approver, "button", "Record decision")
    expect(approver.locator(".app-status")).to_contain_text("In review")

    visit(approver, decision)
    banner = approver.locator(".govuk-notification-banner.app-departure")
    expect(banner).to_contain_text("Departs from the framework")
    expect(banner).to_contain_text("The risk has an owner and is reviewed every week.")

    phone = page_as("approver", viewport=MOBILE, is_mobile=True, has_touch=True)
    visit(phone, decision)
    no_sideways_scroll(phone)


def test_the_leads_task_list_after_changes_are_requested(page_as: Any, organisation: Any) -> None:
    appraisal = in_review(organisation)
    declare_none(appraisal, person("reviewer"))
    tasks = f"/appraisals/{appraisal.pk}/"

    reviewer = page_as("reviewer")
    visit(reviewer, f"{tasks}review/")
    reviewer.get_by_role("group", name=re.compile("1. Setting")).get_by_label("Needs work").check()
    reviewer.get_by_label("Comment on section 1").fill("P6 does not say what the coordinators cost.")
    for section in ("2. Ensuring", "3. Applying"):
        reviewer.get_by_role("group", name=re.compile(section)).get_by_label("Acceptable", exact=True).check()
    click(reviewer, "button", "Save review")
    # Straight from the saved review to asking for changes.
    next_steps = reviewer.locator("section.app-next-steps")
    expect(next_steps).to_contain_text("You did not find 1 section acceptable.")
    next_steps.get_by_role("link", name="Request changes").click()
    assert_accessible(reviewer)
    expect(reviewer.locator("main")).to_contain_text("The appraisal goes back to its lead")
    reviewer.get_by_label("Why?").fill("Section 1 needs the costs in P6.")
    click(reviewer, "button", "Request changes")

    lead = page_as("lead")
    visit(lead, tasks)
    banner = lead.locator(".app-changes-requested")
    expect(banner).to_contain_text("Section 1 needs the costs in P6.")
    expect(banner).to_contain_text("P6 does not say what the coordinators cost.")
    expect(lead.locator("#task-P6-status")).to_have_text("Changes requested")
    expect(lead.locator("#task-P1-status")).to_have_text("Completed")
    expect(lead.get_by_role("link", name="Submit for review")).to_be_visible()

    phone = page_as("lead", viewport=MOBILE, is_mobile=True, has_touch=True)
    visit(phone, tasks)
    no_sideways_scroll(phone)

    banner.get_by_role("link", name=re.compile("^P6")).click()
    assert_accessible(lead)
    lead.get_by_label("Summary").fill("Four coordinators cost £180,000 a year, from the edge-of-care budget.")
    click(lead, "button", "Save and continue")
    visit(lead, tasks)
    expect(lead.locator("#task-P6-status")).to_have_text("Completed")
    expect(lead.locator(".app-asked-questions")).to_contain_text("Changed")
