"""Journeys through a whole appraisal in a real browser, checking every page with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

from .conftest import assert_accessible, visit

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, email: str) -> None:
    visit(page, "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))
    assert_accessible(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)


def save(page: Page, name: str = "Save and continue") -> None:
    page.get_by_role("button", name=name).click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert_accessible(page)


def answer_closed(page: Page, question_id: str, value: str = "Yes") -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{question_id}.")
    assert_accessible(page)
    page.get_by_role("group", name="Your answer").get_by_label(value, exact=True).check()
    page.get_by_label("Why?").fill(f"Our reasons for {question_id}, agreed with the team.")
    save(page)


def add_register_rows(page: Page, button: str, fields: dict[str, Any]) -> None:
    page.get_by_role("link", name=button).click()
    assert_accessible(page)
    for label, value in fields.items():
        if isinstance(value, tuple):  # (group, option) radios or checkboxes
            page.get_by_role("group", name=re.compile(value[0])).get_by_label(value[1], exact=True).check()
        else:
            page.get_by_label(label, exact=True).fill(value)
    save(page, "Save")
    page.get_by_label("Summary").fill("The register covers what we know so far.")
    save(page)


def test_lead_completes_an_inception_appraisal_and_approver_decides(page: Page, organisation: Any) -> None:
    sign_in(page, "lead@council.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    visit(page, "/projects/")
    page.get_by_role("link", name="Create a project").click()
    assert_accessible(page)
    page.get_by_label("Project title").fill("Family group conferencing for every family")
    page.get_by_label("Summary").fill("Offer every family a conference before a child protection conference.")
    page.get_by_label("The problem it addresses").fill("Families feel decisions are made about them.")
    page.get_by_label("Who it is for").fill("Families on the edge of child protection.")
    page.get_by_role("checkbox", name="Improving outcomes for children and families").check()
    page.get_by_label("How does “improving outcomes for children and families” apply?").fill(
        "Families do better."
    )
    page.get_by_role("group", name="Which is the main reason?").get_by_label(
        "Improving outcomes for children and families"
    ).check()
    page.get_by_label("Accountable person").fill("Director of Children's Services")
    save(page, "Save project")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family group conferencing for every family")

    page.get_by_role("link", name="Start an appraisal for a stage").click()
    assert_accessible(page)
    page.get_by_label("Inception of the idea").check()
    save(page, "Start appraisal")
    appraisal_url = page.url
    expect(page.get_by_text("You have completed 0 of 14 questions")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^P1\.")).click()
    answer_closed(page, "P1")
    answer_closed(page, "P2")
    add_register_rows(page, "Add to benefits", {
        "Benefit": "More children stay safely with their families",
        "When it is expected": ("When it is expected", "Medium term"),
        "Who benefits": "Children and their families",
        "How it will be measured": "Rate of children entering care",
        "How and when it will be assessed": "Quarterly, by the performance team",
    })  # fmt: skip

    # P4: record how each group took part, then answer.
    for group in (
        "Young people",
        "Parents and families",
        "Carers",
        "Practitioners",
        "Partner agencies",
        "The wider community",
    ):
        page.get_by_role("link", name=f"Record participation of {group.lower()}").click()
        assert_accessible(page)
        page.get_by_label("Consulted", exact=True).check()
        page.get_by_label("What did they say?").fill("Broadly supportive, with questions about timing.")
        save(page, "Save")
    answer_closed(page, "P4")

    add_register_rows(page, "Add to enablers and barriers", {
        "Enabler or barrier": ("Enabler or barrier", "Enabler"),
        "Description": "Trained family group conference coordinators",
        "In place or needed": ("In place or needed", "Needed"),
        "Owner": "Head of early help",
    })  # fmt: skip
    add_register_rows(page, "Add to resources and knock-on effects", {
        "Type of resource": ("Type of resource", "People"),
        "What is needed": "Four coordinators",
        "How much": "4 full-time posts",
        "Knock-on effect elsewhere": "Two posts move from the edge-of-care team",
    })  # fmt: skip
    add_register_rows(page, "Add to risks", {
        "Risk": "Conferences delay urgent safeguarding action",
        "Who could be harmed": ("Who could be harmed", "Young people"),
        "Likelihood": ("Likelihood", "2"),
        "Severity": ("Severity", "4"),
        "Mitigation": "Urgent cases go straight to a strategy meeting",
        "Owner": "Service manager",
        "Status": ("Status", "Open"),
    })  # fmt: skip

    # Section 2: both aspects of each E question, rating every principle.
    for question_id in ("E1", "E2", "E3"):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{question_id}.")
        assert_accessible(page)
        for aspect in ("the innovation process", "the innovation itself"):
            page.get_by_role("link", name=f"for {aspect}").click() if aspect.endswith("process") else None
            assert_accessible(page)
            page.get_by_role("group", name=re.compile("Your answer")).get_by_label("Yes", exact=True).check()
            page.get_by_label("Why?").fill("It treats everyone with respect.")
            for fieldset in page.get_by_role("group").all():
                option = fieldset.get_by_label("Supports this principle", exact=True)
                if option.count():
                    option.check()
            save(page)

    for question_id in ("T1", "T2", "T3", "T6"):
        answer_closed(page, question_id)
    assert page.url == appraisal_url
    expect(page.get_by_text("You have completed 14 of 14 questions")).to_be_visible()
    route = page.locator("#route")
    expect(route).to_contain_text("Proceed with mitigations")
    expect(route).to_contain_text("Proceed:")

    page.get_by_role("link", name="Check your answers").click()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, "approver@council.test")
    visit(page, appraisal_url + "decision/")
    page.get_by_role("link", name="Declare your interests").click()
    page.get_by_label("No, I have no interest to declare").check()
    page.get_by_role("button", name="Save declaration").click()
    page.wait_for_url("**/decision/")
    assert_accessible(page)
    page.get_by_label("Proceed with mitigations").check()
    page.get_by_label("Reasoning").fill(
        "The benefits are clear and the one open risk has a named mitigation."
    )
    page.get_by_label("Date of decision").fill("2026-11-26")
    save(page, "Record decision")
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.locator(".app-decision")).to_contain_text("Proceed with mitigations")


def test_a_page_with_errors_keeps_everything_typed(page: Page, organisation: Any) -> None:
    sign_in(page, "lead@council.test")
    visit(page, "/projects/new/")
    page.get_by_label("Summary").fill("A hub for three children's homes.")
    page.get_by_label("Who it is for").fill("Children in residential care.")
    page.get_by_role("checkbox", name="Access to funding").check()
    page.get_by_label("Local context").fill("Few homes in the county.")
    page.get_by_role("button", name="Save project").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a project title")
    expect(summary).to_contain_text("Explain this reason for the project")
    assert_accessible(page)
    expect(page.get_by_label("Summary")).to_have_value("A hub for three children's homes.")
    expect(page.get_by_label("Who it is for")).to_have_value("Children in residential care.")
    expect(page.get_by_label("Local context")).to_have_value("Few homes in the county.")
    expect(page.get_by_role("checkbox", name="Access to funding")).to_be_checked()
    # The error summary links move focus to the field.
    summary.get_by_role("link", name="Enter a project title").click()
    expect(page.get_by_label("Project title")).to_be_focused()


def test_personal_details_are_pointed_out_and_can_be_corrected(page_as: Any, organisation: Any) -> None:
    from trustworthy.appraisals import services
    from trustworthy.organisations.models import User

    from ..appraisals.factories import make_project

    lead = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    page = page_as("lead")
    visit(page, f"/appraisals/{appraisal.pk}/questions/P1/")
    page.get_by_role("group", name="Your answer").get_by_label("Yes", exact=True).check()
    page.get_by_label("Why?").fill("Mr Jones, a father, told us the old panels felt like a trial.")
    page.get_by_role("button", name="Save and continue").click()
    warning = page.locator(".app-personal-data")
    expect(warning).to_contain_text("“Mr Jones” looks like the name of a person")
    assert_accessible(page)
    warning.get_by_role("link").first.click()
    expect(page.get_by_label("Why?")).to_be_focused()
    page.get_by_label("Why?").fill("A father told us the old panels felt like a trial.")
    save(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("P2.")
