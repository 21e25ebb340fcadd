"""The family summary in a real browser, on a 375 px phone: a case where young people were
not asked. The lead finds from "Check your answers" that the summary is still a draft,
reads it (it says plainly that young people were not asked, and why), and changes it with
paragraphs, which the page keeps. Every page is checked with axe-core and for sideways
scrolling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.reports.summary_cases import OTHERS, SAID, Pattern, make_case

from .conftest import MOBILE, assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "The change is to how staff book meeting rooms, so no young person's plan changes."


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner == MOBILE["width"], f"the page is {width} px wide on a {inner} px screen"


def test_summary_where_young_people_were_not_asked_on_a_phone(
    page_as: Callable[..., Page], organisation: Any
) -> None:
    pattern: Pattern = {"young-people": ("not-involved", REASON, "")}
    pattern |= {g: ("consulted", "", SAID[g]) for g in ("parents-and-families", *OTHERS)}
    appraisal = make_case(organisation, pattern)
    page = page_as("lead", viewport=MOBILE)

    visit(page, f"/appraisals/{appraisal.pk}/check/")
    no_sideways_scroll(page)
    draft_note = page.locator("#family-summary-draft")
    expect(draft_note).to_contain_text("is still a draft")
    draft_note.get_by_role("link", name="Read or change the summary for young people and families").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What we decided and why")
    assert_accessible(page)
    no_sideways_scroll(page)
    summary = page.locator(".app-family-summary")
    expect(summary).to_contain_text(f"We did not ask young people what they thought. Our reason: {REASON}")
    expect(summary).not_to_contain_text("Young people told us")
    expect(page.locator("#summary-status")).to_contain_text("You can change it until the decision is signed.")
    expect(page.get_by_text("This summary needs a reading age of about", exact=False)).to_be_visible()

    page.get_by_label("Change the summary").fill(
        "We decided to try family meetings.\n\nWe did not ask young people, because the change is to "
        "how staff book rooms.\nWe will ask them at the next stage."
    )
    page.get_by_role("button", name="Save summary").click()
    expect(page.get_by_text("Summary saved.")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)
    shown = page.locator(".app-family-summary p")
    expect(shown).to_have_count(2)
    expect(shown.nth(1)).to_have_text(
        "We did not ask young people, because the change is to how staff book rooms."
        "We will ask them at the next stage."
    )
    assert shown.nth(1).locator("br").count() == 1
    expect(page.locator("#summary-status")).to_contain_text("This summary is still a draft.")
