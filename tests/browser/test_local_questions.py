"""Local questions in a real browser, every page checked with axe-core: an admin adds a
question (a missing field is named and what was typed is kept), and it is listed on the
organisation's framework page; the lead of a draft started before sees what moving to the
new edition changes, and moves it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.appraisals.factories import make_project
from tests.browser.conftest import assert_accessible, visit
from trustworthy.appraisals import services
from trustworthy.organisations import editions
from trustworthy.organisations.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_editions() -> Iterator[None]:
    editions.forget_parsed()
    yield
    editions.forget_parsed()


def test_an_admin_adds_a_local_question(page_as: Callable[..., Page], organisation: Any) -> None:
    lead_user = User.objects.get(email="lead@council.test")
    draft = services.start_appraisal(
        project=make_project(organisation, lead_user), stage="inception", user=lead_user
    )
    admin = page_as("admin")
    visit(admin, "/organisation/")
    admin.get_by_role("link", name="Framework edition and local questions").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Framework edition and local questions")
    assert_accessible(admin)
    admin.get_by_role("link", name="Add a local question").click()
    assert_accessible(admin)

    admin.get_by_label("Question").fill("Has the data protection officer seen the plan?")
    admin.get_by_label("Why you ask it").fill("Our board asks it of every project.")
    admin.get_by_label("An answer from the framework’s answer scale, with the reasons").check()
    admin.get_by_role("button", name="Add the question").click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Enter what a good answer covers")
    expect(admin.get_by_label("Why you ask it")).to_have_value("Our board asks it of every project.")
    assert_accessible(admin)

    admin.get_by_label("What a good answer covers").fill("When they saw it and what they said.")
    admin.get_by_role("button", name="Add the question").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Question added.")
    listed = admin.locator("#local-questions")
    expect(listed).to_contain_text("Has the data protection officer seen the plan?")
    assert_accessible(admin)

    lead = page_as("lead")
    visit(lead, f"/appraisals/{draft.pk}/")
    lead.get_by_role("link", name="See what would change if this draft moved to it").click()
    expect(lead.locator("#added")).to_contain_text("L1 Has the data protection officer seen the plan?")
    assert_accessible(lead)
    lead.get_by_role("button", name="Move this draft to the new edition").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("This appraisal now uses")
    task = lead.get_by_role("link", name="L1. Has the data protection officer seen the plan?")
    expect(task).to_be_visible()
