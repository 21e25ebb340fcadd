"""The screening page in the browser, without JavaScript: the lead answers, a flagged answer
keeps the full route with its reason on screen, and the task list shows the route. Every
page is checked with axe-core, and on a 375 px phone nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.appraisals.factories import make_project
from trustworthy.appraisals import services
from trustworthy.organisations.models import User

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)

SAFE = {
    "How widely will the change be used?": "In one team or a small trial",
    "Who will the change affect directly?": "Only staff and how they work",
    "Will the change collect, use or share children's or families' personal information in a new way?": "No",
    "Could the change affect anyone's rights": "No",
    "Does the change touch how a statutory duty is carried out": "No",
    "If the change went wrong, how easily could it be undone?": "Easily, with no lasting effect on anyone",
}


def test_the_lead_screens_an_appraisal(page_as: Any, organisation: Any) -> None:
    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    page = page_as("lead")
    visit(page, f"/appraisals/{appraisal.pk}/screening/")
    page.get_by_role("button", name="Save the screening").click()
    assert_accessible(page)  # the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select an answer")

    for legend, answer in SAFE.items():
        page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="Who will the change affect directly?").get_by_label(
        "Children, young people or families directly", exact=True
    ).check()
    page.get_by_label("The one the screening recommends", exact=True).check()
    page.get_by_role("button", name="Save the screening").click()
    assert_accessible(page)
    result = page.locator("#screening-result")
    expect(result).to_contain_text("This appraisal follows the full route")
    expect(result).to_contain_text("The change affects children, young people or families directly.")

    page.get_by_role("group", name="Who will the change affect directly?").get_by_label(
        "Only staff and how they work", exact=True
    ).check()
    page.get_by_role("button", name="Save the screening").click()
    expect(page.locator("#screening-result")).to_contain_text("This appraisal follows the light route")
    visit(page, f"/appraisals/{appraisal.pk}/")
    expect(page.locator("#appraisal-route-choice")).to_contain_text("Light appraisal")
    expect(page.get_by_text("Not asked on the light route").first).to_be_visible()
