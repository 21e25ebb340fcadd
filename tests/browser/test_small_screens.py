"""Every page fits a 375 px phone without scrolling sideways.

`visit` and `assert_accessible` (conftest.py) check each page a browser test opens at 375 px
as well as with axe-core. These tests show that check fails when it should, and visit the
pages no journey opens (history, what changed, members, commitments, the voices list, the
organisation's actions), with long words and web addresses of the kind people paste in:
wide tables stack into labelled lines and long words wrap.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.appraisals.factories import ROWS
from tests.reviews.helpers import approved, person
from tests.voices.factories import ANSWERS, open_for
from trustworthy.appraisals import actions, services
from trustworthy.organisations import services as organisations
from trustworthy.reviews import services as reviews
from trustworthy.voices import services as voices

from .conftest import DESKTOP, MOBILE, assert_fits_small_screen, visit

pytestmark = pytest.mark.django_db(transaction=True)

LINK = "https://example.org/reports/2026/family-group-conferencing-evaluation-final-version.pdf"


def test_the_check_fails_a_page_wider_than_a_phone_and_puts_the_window_back(new_page: Any) -> None:
    page: Page = new_page()
    page.set_content('<!DOCTYPE html><main><div style="width: 600px">Wide</div></main>')
    with pytest.raises(
        pytest.fail.Exception, match=r"scrolls sideways on a 375 px screen: it is \d+ px wide"
    ):
        assert_fits_small_screen(page)
    assert page.viewport_size == DESKTOP
    page.set_content("<!DOCTYPE html><main><p>Narrow enough</p></main>")
    assert_fits_small_screen(page)
    assert page.viewport_size == DESKTOP


def test_the_check_names_what_sticks_out(new_page: Any) -> None:
    page: Page = new_page(viewport=MOBILE)
    page.set_content('<!DOCTYPE html><p>Fine</p><div class="app-wide" style="width: 500px">Too wide</div>')
    with pytest.raises(pytest.fail.Exception, match=r"div\.app-wide \(\d+ px\): Too wide"):
        assert_fits_small_screen(page)


def _world(organisation: Any) -> dict[str, Any]:
    """An approved appraisal with a second version under way, a consultation answered, an
    overdue action and commitments changed once: every long table in the service has rows."""
    lead, admin = person("lead"), person("admin")
    first = approved(organisation)
    actions.add_action(
        appraisal=first, user=lead, what=f"Publish the evaluation at {LINK}", owner_id=lead.pk,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )  # fmt: skip
    second = reviews.start_new_version(appraisal=first, user=lead, reason=f"The evidence moved to {LINK}")
    services.add_register_row(
        appraisal=second, register_id="risks", data={**ROWS["risks"], "mitigation": LINK}, user=lead
    )
    services.save_answer(appraisal=second, question_id="P1", user=lead, value="yes", rationale=f"See {LINK}")
    consultation = open_for(second, groups=("young-people", "carers")).consultation
    voices.submit_online(
        consultation_id=consultation.pk, group="young-people", answers={**ANSWERS, "good": f"Look at {LINK}"}
    )
    for text, note in (("We listen first.", "First version"), (f"We listen first. {LINK}", f"Added {LINK}")):
        organisations.record_commitments(organisation=organisation, text=text, change_note=note, user=admin)
    return {"first": first, "second": second}


def test_pages_no_journey_opens_fit_a_phone(page_as: Any, organisation: Any) -> None:
    world = _world(organisation)
    first, second = world["first"], world["second"]
    lead = page_as("lead")
    for url in (
        "/",
        "/projects/",
        f"/projects/{first.project_id}/",
        f"/appraisals/{first.pk}/history/",
        f"/appraisals/{second.pk}/history/",
        f"/appraisals/{second.pk}/changes/",
        f"/appraisals/{first.pk}/record/",
        f"/appraisals/{second.pk}/voices/",
        "/voices/",
        "/actions/",
        f"/projects/{first.project_id}/actions/",
        "/organisation/commitments/",
    ):
        visit(lead, url)  # axe-core, then the page at 375 px
    visit(page_as("admin"), "/organisation/members/")


def test_on_a_phone_a_wide_table_becomes_labelled_lines(page_as: Any, organisation: Any) -> None:
    second = _world(organisation)["second"]
    phone = page_as("lead", viewport=MOBILE, is_mobile=True, has_touch=True)
    visit(phone, f"/appraisals/{second.pk}/history/")
    first_row = phone.locator("tbody tr").first
    # The column headings are for screen readers only; each line says what it is.
    expect(phone.locator("thead")).to_have_css("position", "absolute")
    expect(first_row.locator("td").first).to_have_css("display", "block")
    label = first_row.locator("td").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"When (UTC): "'
    # The history's long values wrap within the screen.
    visit(phone, f"/appraisals/{second.pk}/changes/")
    expect(phone.get_by_text(LINK).first).to_be_visible()
