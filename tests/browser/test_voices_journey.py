"""A young person answers a consultation on a phone, signed out; the lead reads and tags it."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.voices.factories import make_appraisal, open_for

from .conftest import MOBILE, assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_young_person_answers_on_a_phone_and_the_lead_links_a_theme(
    mobile_page: Page, page_as: Any, organisation: Any
) -> None:
    appraisal = make_appraisal(organisation)
    token = open_for(appraisal, groups=("young-people", "carers")).token

    # Given a link shared with young people, opened on a small phone, signed out
    page = mobile_page
    visit(page, f"/v/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family meetings before big decisions")
    expect(page.get_by_text("Please do not write your name")).to_be_visible()
    expect(page.get_by_role("heading", name="If you are worried")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]

    # When they answer and type a date of birth
    page.get_by_label("What could be good about this idea?").fill("I could say what I think.")
    page.get_by_label("What worries you about it?").fill("It might be slow.")
    page.get_by_label("I am a child or young person").check()
    page.get_by_label("Is there anything else you want the people deciding to know?").fill(
        "I was born on 4 May 2012 so I am nearly 14."
    )
    page.get_by_role("button", name="Send my answers").click()

    # Then they are warned before anything is saved, and can change it
    expect(page.get_by_role("heading", name="Check before you send")).to_be_visible()
    expect(page.get_by_text("looks like a date of birth")).to_be_visible()
    assert_accessible(page)
    assert appraisal.voice_responses.count() == 0
    page.get_by_role("link", name=re.compile("looks like a date of birth")).click()
    field = page.get_by_label("Is there anything else you want the people deciding to know?")
    expect(field).to_be_focused()
    field.fill("I am nearly 14.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page)
    saved = appraisal.voice_responses.get()
    assert saved.anything_else == "I am nearly 14."
    assert saved.group == "young-people"

    # And the lead sees the response, adds a theme and links the response to it
    lead = page_as("lead")
    visit(lead, f"/appraisals/{appraisal.pk}/voices/")
    expect(lead.get_by_role("link", name="I could say what I think.")).to_be_visible()
    lead.get_by_role("link", name="Add a theme").click()
    assert_accessible(lead)
    lead.get_by_label("Theme", exact=True).fill("Being heard")
    lead.get_by_label("P4 Genuine participation").check()
    lead.get_by_label("How this shaped the decision").fill("Young people will sit on the steering group.")
    lead.get_by_role("button", name="Save the theme").click()
    assert_accessible(lead)
    lead.get_by_role("link", name="I could say what I think.").click()
    assert_accessible(lead)
    lead.get_by_role("group", name="Which themes does it belong to?").get_by_label("Being heard").check()
    lead.get_by_role("group", name="Which questions does it bear on?").get_by_label(
        "T6 Explainable and justifiable"
    ).check()
    lead.get_by_role("button", name="Save links").click()
    expect(lead.get_by_text("Links saved.")).to_be_visible()
    assert_accessible(lead)
    expect(lead.get_by_role("cell", name=re.compile("Being heard"))).to_be_visible()
    saved.refresh_from_db()
    assert saved.question_ids == ["T6"]
    assert [t.name for t in saved.themes.all()] == ["Being heard"]


def test_staff_pages_and_closed_link_pass_axe(page_as: Any, new_page: Any, organisation: Any) -> None:
    appraisal = make_appraisal(organisation)
    lead = page_as("lead")
    visit(lead, f"/appraisals/{appraisal.pk}/voices/consultations/new/")
    lead.get_by_label("Title").fill("Family meetings")
    lead.get_by_label("Describe the idea in plain words").fill("We want to try family meetings.")
    lead.get_by_label("Young people").check()
    lead.get_by_label("Closing date").fill("2001-01-01")
    lead.get_by_role("button", name="Open the consultation").click()
    expect(lead.get_by_text("The closing date must be in the future.").first).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("Closing date").fill("2099-01-01")
    lead.get_by_role("button", name="Open the consultation").click()
    expect(lead.get_by_text("The closing date must be within 180 days.").first).to_be_visible()
    soon = timezone.localdate() + datetime.timedelta(days=7)
    lead.get_by_label("Closing date").fill(soon.isoformat())
    lead.get_by_role("button", name="Open the consultation").click()
    expect(lead.get_by_role("img", name="QR code that opens the link above")).to_be_visible()
    assert_accessible(lead)
    link = lead.locator("#consultation-link").inner_text()
    visit(lead, f"/appraisals/{appraisal.pk}/voices/responses/new/")
    visit(lead, f"/appraisals/{appraisal.pk}/questions/P4/")
    visit(lead, "/organisation/safeguarding/", status=403)
    lead.goto(f"/appraisals/{appraisal.pk}/voices/")
    lead.get_by_role("link", name=re.compile("^Close")).click()
    assert_accessible(lead)
    lead.get_by_role("button", name="Close the consultation").click()
    assert_accessible(lead)
    visitor = new_page(viewport=MOBILE)
    visit(visitor, link.replace("http://testserver", ""), status=410)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This has finished")
    admin = page_as("admin")
    visit(admin, "/organisation/safeguarding/")
