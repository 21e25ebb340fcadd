"""Your work, the projects overview, voices and help in the browser, on a desktop and on a
375 px phone with no sideways scrolling. Every page is checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.appraisals.factories import make_project
from tests.reviews.helpers import in_review, person
from tests.voices.factories import open_for
from trustworthy.appraisals import services
from trustworthy.reviews import services as reviews

from .conftest import DESKTOP, MOBILE, visit

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Section 1 needs the cost of the coordinators in P6."


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width} px wide in a {inner} px window"


def changes_requested(organisation: Any) -> Any:
    appraisal = in_review(organisation)
    reviews.transition(appraisal=appraisal, name="request-changes", user=person("reviewer"), reason=REASON)
    return appraisal


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "phone"])
def test_a_leads_home_after_changes_are_requested(page_as: Any, organisation: Any, viewport: Any) -> None:
    appraisal = changes_requested(organisation)
    page = page_as("lead", viewport=viewport)

    visit(page, "/")
    no_sideways_scroll(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    changes = page.get_by_role("region", name="Changes requested (1)")
    expect(changes).to_contain_text(REASON)
    expect(changes).to_contain_text("Reviewer of Northshire Council asked for changes")
    link = changes.get_by_role("link", name="Make the changes")
    expect(link).to_have_attribute("href", f"/appraisals/{appraisal.pk}/")
    # The other groups say plainly that nothing waits there.
    expect(page.get_by_text("No comments on your answers are waiting for a reply.")).to_be_visible()

    if viewport == MOBILE:
        menu = page.get_by_role("button", name="Menu")
        menu.click()
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Your work")).to_have_attribute("aria-current", "true")
    for name in ("Projects", "Voices", "Organisation settings", "Help"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()

    link.click()
    page.wait_for_url(f"**/appraisals/{appraisal.pk}/")
    no_sideways_scroll(page)


def test_reviewer_and_approver_each_see_their_own_work(page_as: Any, organisation: Any) -> None:
    appraisal = in_review(organisation)
    reviewer = page_as("reviewer")
    visit(reviewer, "/")
    reviewer.get_by_role("region", name="Reviews to do (1)").get_by_role(
        "link", name="Review this appraisal"
    ).click()
    reviewer.wait_for_url(f"**/appraisals/{appraisal.pk}/review/")

    approver = page_as("approver")
    visit(approver, "/")
    expect(approver.get_by_text("No decisions are waiting for you to sign.")).to_be_visible()
    expect(approver.get_by_role("region", name="Reviews to do")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "phone"])
def test_the_projects_overview_voices_and_help_fit_the_screen(
    page_as: Any, organisation: Any, viewport: Any
) -> None:
    changes_requested(organisation)
    lead = person("lead")
    for n in range(3):
        make_project(
            organisation, lead, title=f"A project with a rather long name about family group meetings {n}"
        )
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead, title="Youth voice panel"), stage="inception", user=lead
    )
    open_for(appraisal)
    page = page_as("viewer", viewport=viewport)

    for url in ("/projects/", "/voices/", "/help/", "/help/framework/", "/help/how-an-appraisal-runs/",
                "/help/roles/", "/help/glossary/"):  # fmt: skip
        visit(page, url)
        no_sideways_scroll(page)

    visit(page, "/projects/")
    expect(page.get_by_role("row")).to_have_count(6)  # the heading row and five projects
    if viewport == MOBILE:
        # The headings are hidden on a phone: each cell says what it is.
        cell = page.locator("td[data-label=Status]").first
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert "Status" in label


def test_the_overview_filters_without_javascript(
    no_js_page: Page, live_server: Any, organisation: Any
) -> None:
    from .conftest import sign_in

    changes_requested(organisation)
    make_project(organisation, person("lead"), title="Family hubs")
    page = no_js_page
    sign_in(page, live_server.url, person("viewer"))

    visit(page, "/projects/")
    page.get_by_label("Status").select_option("changes-requested")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/projects/?q=&stage=&status=changes-requested&decision=")
    visit(page, page.url)
    expect(page.get_by_text("1 project matches your search.")).to_be_visible()
    expect(page.get_by_role("link", name="Family group conferencing for every family")).to_be_visible()
    expect(page.get_by_role("link", name="Family hubs")).to_have_count(0)
    expect(page.get_by_label("Status")).to_have_value("changes-requested")
    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_role("link", name="Family hubs")).to_be_visible()


def test_help_is_linked_from_the_sign_in_page(page: Page) -> None:
    visit(page, "/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Glossary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary")
    visit(page, page.url)
