"""Decision records in a real browser: the record and summary pages, and publishing to the
public register, read signed out, checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.reports.conftest import approve, make_decided

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ("Approver of Northshire Council", "Lead of Northshire Council", "Director of Children's Services")


def test_record_and_summary_pages(page_as: Callable[..., Page], organisation: Any) -> None:
    appraisal = make_decided(organisation)
    page = page_as("lead")
    visit(page, f"/appraisals/{appraisal.pk}/")
    page.get_by_role("link", name="Read the decision record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inception of the idea decision record")
    assert_accessible(page)
    expect(page.get_by_role("img", name="Risk matrix", exact=False)).to_be_visible()
    expect(page.get_by_role("table", name="Risk matrix as a table")).to_be_visible()
    page.get_by_role(
        "link", name="What we decided and why: the summary for young people and families"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What we decided and why")
    assert_accessible(page)
    page.get_by_label("Change the summary").fill(
        "We decided to go ahead.\n\nNotwithstanding considerable organisational apprehension, "
        "the accountable "
        "directorate determined that implementation should proceed contingent upon comprehensive mitigations."
    )
    page.get_by_role("button", name="Save summary").click()
    expect(page.get_by_text("The hardest sentences")).to_be_visible()
    assert_accessible(page)


def test_publish_then_read_the_public_record_signed_out(
    page_as: Callable[..., Page], new_page: Callable[..., Page], organisation: Any
) -> None:
    appraisal = approve(make_decided(organisation))
    page = page_as("lead")
    visit(page, f"/appraisals/{appraisal.pk}/record/publish/")
    page.get_by_role("button", name="Publish on the public register").click()
    expect(page.get_by_role("heading", name="Published", exact=True)).to_be_visible()
    assert_accessible(page)

    public = new_page()
    visit(public, "/register/")
    public.get_by_role("link", name="Family group conferencing for every family").click()
    expect(public.get_by_role("heading", level=1)).to_contain_text(
        "Family group conferencing for every family"
    )
    assert_accessible(public)
    text = public.locator("main").inner_text()
    assert "We weighed it all." in text
    for name in NAMES:
        assert name not in public.content()
    visit(public, f"/register/organisations/{organisation.pk}/")
    visit(public, "/register/feed.json", accessible=False)


def test_take_a_record_off_the_register_without_javascript(
    page_as: Callable[..., Page], new_page: Callable[..., Page], organisation: Any
) -> None:
    appraisal = approve(make_decided(organisation))
    page = page_as("lead", java_script_enabled=False)
    visit(page, f"/appraisals/{appraisal.pk}/record/publish/")
    page.get_by_role("button", name="Publish on the public register").click()
    expect(page.get_by_role("heading", name="Take it off the register")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Take it off the register").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter why you are taking the record off the register")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter why you are taking the record off the register").click()
    # The reason joins the record's history for good, so it is checked for personal details first.
    page.get_by_label("Why are you taking it off the register?").fill("Mrs Jane Smith asked us to.")
    page.get_by_role("button", name="Take it off the register").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Check for personal details")
    expect(warning).to_contain_text("“Mrs Jane Smith” looks like the name of a person")
    assert_accessible(page)
    warning.get_by_role("link", name=re.compile("Mrs Jane Smith")).click()
    expect(page.get_by_label("Why are you taking it off the register?")).to_have_value(
        "Mrs Jane Smith asked us to."
    )
    page.get_by_label("Why are you taking it off the register?").fill("The project has stopped.")
    page.get_by_role("button", name="Take it off the register").click()
    expect(page.get_by_role("table", name="Earlier publications")).to_contain_text("The project has stopped.")
    assert_accessible(page)

    public = new_page()
    visit(public, "/register/")
    expect(public.get_by_text("No decision records are published yet.")).to_be_visible()
    visit(public, f"/register/records/{appraisal.pk}/", status=404, accessible=False)
