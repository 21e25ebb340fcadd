"""In Welsh, in a real browser, checked with axe-core: a young person answers a consultation,
and a member of the public reads the register and a published record. The language is
chosen with the Cymraeg link, and nothing sets a cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.reports.conftest import approve, make_decided
from tests.voices.factories import make_appraisal, open_for
from trustworthy.organisations.models import User
from trustworthy.reports import services as record_services

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_young_person_answers_in_welsh_on_a_phone(mobile_page: Page, organisation: Any) -> None:
    appraisal = make_appraisal(organisation)
    token = open_for(appraisal, groups=("young-people", "carers")).token
    page = mobile_page
    visit(page, f"/v/{token}/")

    # They choose Cymraeg: the same page, in Welsh, marked as Welsh for screen readers.
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", name="Beth sy'n digwydd i'ch atebion")).to_be_visible()
    assert_accessible(page)

    # A form sent empty says what to do, in Welsh.
    page.get_by_role("button", name="Anfon fy atebion").click()
    expect(page.get_by_role("heading", name="Mae problem wedi codi")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_accessible(page)

    page.get_by_label("Beth allai fod yn dda am y syniad hwn?").fill("Gallwn ddweud beth rwy'n ei feddwl.")
    page.get_by_label("Rwy'n blentyn neu'n berson ifanc").check()
    page.get_by_role("button", name="Anfon fy atebion").click()
    expect(page.get_by_role("heading", name="Diolch")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_accessible(page)

    saved = appraisal.voice_responses.get()
    assert saved.good == "Gallwn ddweud beth rwy'n ei feddwl."
    assert saved.group == "young-people"
    assert page.context.cookies() == []


def test_the_public_reads_a_record_in_welsh(new_page: Callable[..., Page], organisation: Any) -> None:
    appraisal = approve(make_decided(organisation))
    record_services.publish(appraisal=appraisal, user=User.objects.get(email="lead@council.test"))
    public = new_page()
    visit(public, "/register/")
    public.get_by_role("link", name="Cymraeg").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Cofrestr gyhoeddus o benderfyniadau")
    assert_accessible(public)

    # Links on the register keep the reader in Welsh.
    public.get_by_role("link", name="Family group conferencing for every family").click()
    expect(public.locator("html")).to_have_attribute("lang", "cy")
    expect(public.get_by_role("heading", name="Y penderfyniad")).to_be_visible()
    expect(public.get_by_role("heading", name="Adran 1: Pennu paramedrau llwyddiant")).to_be_visible()
    expect(public.get_by_role("heading", name="P1 Ai arloesi yw'r dull cywir?")).to_be_visible()
    assert_accessible(public)

    public.get_by_role("link", name="English").click()
    expect(public.locator("html")).to_have_attribute("lang", "en-GB")
    expect(public.get_by_role("heading", name="The decision")).to_be_visible()
    assert public.context.cookies() == []
