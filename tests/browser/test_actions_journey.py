"""Actions in a real browser, every page checked with axe-core: a lead turns the conditions of
an approved decision into actions with owners, starts the next stage (the open actions go
with it), and the owner, on a phone, finds their action and marks it done with what shows
it. The signed record still shows the actions as they stood at approval."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import MOBILE, assert_accessible, visit
from tests.reviews.helpers import approved
from trustworthy.appraisals.models import Action, Appraisal

pytestmark = pytest.mark.django_db(transaction=True)
# The link's words for screen readers go on after what is shown ("Make this an action"):
# browsers put a space where the hidden words begin.
CONDITION = re.compile(r"Make this an action\W+a condition of the decision")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"{page.url} is {width}px wide at {MOBILE['width']}px"


def add_condition(
    page: Page, what: str, *, member: str = "", role: str = "", due: str = "27/03/2027"
) -> None:
    """From the appraisal's actions page: make the decision's condition an action."""
    page.get_by_role("link", name=CONDITION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    expect(page.get_by_text("From a condition of the decision: Proceed with mitigations")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What needs to be done?").fill(what)
    if member:
        page.get_by_label("Who owns it?").select_option(label=member)
    if role:
        page.get_by_label("Or name a role").fill(role)
    page.get_by_label("Due by").fill(due)
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added.")
    assert_accessible(page)


def test_actions_from_a_decision_carried_to_the_next_stage_and_completed(
    page_as: Callable[..., Page], organisation: Any
) -> None:
    inception = approved(organisation)
    lead = page_as("lead")

    # The lead goes from the task list to the actions, and makes each condition an action.
    visit(lead, f"/appraisals/{inception.pk}/")
    lead.get_by_role("link", name="Actions with owners").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Actions")
    expect(lead.get_by_text("does not change the signed decision record")).to_be_visible()
    assert_accessible(lead)

    lead.get_by_role("link", name=CONDITION).click()
    lead.get_by_role("button", name="Save action").click()  # nothing filled in
    summary = lead.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter what needs to be done")
    expect(summary).to_contain_text("Choose who owns this action, or name a role")
    expect(summary).to_contain_text("Enter the date it is due by")
    assert_accessible(lead)
    lead.get_by_role("link", name="Actions", exact=True).first.click()

    contributor = "Contributor of Northshire Council (contributor)"
    add_condition(lead, "Sign the data-sharing agreement with health", member=contributor)
    add_condition(lead, "Ask the young people's panel to check the letters", role="Participation lead")
    table = lead.get_by_role("table", name="Actions for this appraisal (2)")
    expect(table).to_contain_text("Sign the data-sharing agreement with health")
    expect(table).to_contain_text("Participation lead")

    # The next stage starts: both open actions go with it.
    visit(lead, f"/projects/{inception.project_id}/appraisals/new/")
    lead.get_by_label("Development and design").check()
    lead.get_by_role("button", name="Start appraisal").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Development and design")
    lead.get_by_role("link", name="Actions with owners").click()
    development = Appraisal.objects.get(project=inception.project, stage="development")
    table = lead.get_by_role("table", name="Actions for this appraisal (2)")
    expect(table).to_contain_text("Sign the data-sharing agreement with health")
    expect(table).to_contain_text("Condition of the decision, carried forward")
    assert_accessible(lead)
    visit(lead, f"/appraisals/{inception.pk}/actions/")
    expect(lead.get_by_text("Carried forward to the").first).to_be_visible()

    # The owner, on a phone, finds their action and marks it done.
    phone = page_as("contributor", viewport=MOBILE, is_mobile=True, has_touch=True)
    visit(phone, "/actions/?mine=on")
    no_sideways_scroll(phone)
    mine = phone.get_by_role("table", name="Actions")
    expect(mine).to_contain_text("Sign the data-sharing agreement with health")
    expect(mine).not_to_contain_text("young people's panel")
    phone.get_by_role("link", name=re.compile(r"Update progress\W+Sign the data-sharing agreement")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Update an action")
    assert_accessible(phone)
    no_sideways_scroll(phone)
    phone.get_by_label("Done", exact=True).check()
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Enter what shows it is done")
    assert_accessible(phone)
    phone.get_by_label("What shows it is done?").fill("Signed by both organisations on 3 March.")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("Action updated: done.")
    assert_accessible(phone)
    no_sideways_scroll(phone)
    done = Action.objects.get(appraisal=development, what="Sign the data-sharing agreement with health")
    for url in (
        f"/projects/{inception.project_id}/actions/",
        f"/appraisals/{development.pk}/actions/new/",
        f"/appraisals/{development.pk}/actions/{done.pk}/",
        f"/appraisals/{inception.pk}/actions/",
        f"/appraisals/{development.pk}/actions/",
    ):
        visit(phone, url)
        no_sideways_scroll(phone)
    expect(phone.get_by_role("table")).to_contain_text("Signed by both organisations on 3 March.")

    assert done.status == "done"
    assert done.carried_from is not None
    assert done.carried_from.appraisal_id == inception.pk

    # The signed record of the earlier stage does not move: it showed no actions at approval.
    visit(lead, f"/appraisals/{inception.pk}/record/")
    expect(lead.locator("#actions")).to_have_count(0)
