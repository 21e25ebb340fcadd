"""The help pages: open to everyone, linked from every page, and generated from the tables
that decide what they describe (the framework file, the permissions table, the policy)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import Status
from trustworthy.appraisals.policy import RULES, TRANSITIONS, Change
from trustworthy.framework import HIGH_RISK_SCORE
from trustworthy.organisations import permissions
from trustworthy.organisations.models import Role
from trustworthy.organisations.permissions import Action
from trustworthy.reviews import help as content
from trustworthy.reviews.models import Verdict

pytestmark = pytest.mark.django_db

PAGES = {
    "/help/": "Help",
    "/help/framework/": "The framework",
    "/help/how-an-appraisal-runs/": "How an appraisal runs",
    "/help/roles/": "Roles: who can do what",
    "/help/glossary/": "Glossary",
}


def text(url: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_every_help_page_is_open_to_everyone(url: str) -> None:
    page = text(url)
    assert f'<h1 class="govuk-heading-l">{PAGES[url]}</h1>' in page
    assert f"<title>{PAGES[url]} – Trustworthy Innovation</title>" in page


def test_the_help_index_links_every_page() -> None:
    page = text("/help/")
    for url in PAGES:
        if url != "/help/":
            assert f'href="{url}"' in page


@pytest.mark.parametrize("url", ["/accounts/login/", "/no-such-page/", "/projects/", "/", "/help/glossary/"])
def test_every_page_links_to_help_in_its_footer(url: str, client_as: Callable[[str], Client]) -> None:
    client = client_as("viewer") if url in ("/projects/", "/") else Client()
    page = client.get(url).content.decode()
    footer = page[page.index("<footer") :]
    for help_url in PAGES:
        assert f'href="{help_url}"' in footer, (url, help_url)


def test_the_framework_page_quotes_every_question_with_its_source() -> None:
    page = text("/help/framework/")
    framework = current_framework()
    assert "Hampson, M., Goldsmith, C. and Lefevre, M. (2021)" in page
    assert f'href="https://doi.org/{framework.source.doi}"' in page
    for question in framework.questions():
        assert f'id="{question.id}"' in page, question.id
        assert question.text.replace("'", "&#39;").replace('"', "&#34;") in page, question.id
    for section in framework.sections:
        assert f"Section {section.number}: {section.title}" in page
    for stage in framework.stages:
        assert stage.name in page
    for decision in framework.decisions:
        assert decision.name in page


def test_the_appraisal_page_lists_every_status_and_step() -> None:
    page = text("/help/how-an-appraisal-runs/")
    for _, label in Status.choices:
        assert f">{label}</dt>" in page, label
    for step in TRANSITIONS.values():
        assert f">{step.label}</h3>" in page, step.label
    assert "due for review a year later" in page
    assert "30 days before" in page


def test_every_role_action_change_status_and_verdict_has_a_plain_description() -> None:
    """So a new role, action, change, status or verdict cannot be left unexplained."""
    assert set(Action) <= content.ACTION_TEXT.keys()
    assert set(Change) <= content.CHANGE_TEXT.keys()
    assert set(Status.values) <= content.STATUS_TEXT.keys()
    assert set(Verdict.values) <= content.VERDICT_TEXT.keys()


def test_roles_come_from_the_permissions_table(monkeypatch: pytest.MonkeyPatch) -> None:
    page = text("/help/roles/")
    for role, name in Role.choices:
        assert f'id="role-{role}">{name}</h2>' in page
    reviewer = page[page.index('id="role-reviewer"') : page.index('id="role-approver"')]
    assert content.CHANGE_TEXT[Change.REVIEW] in reviewer
    assert content.CHANGE_TEXT[Change.APPROVE] not in reviewer
    approver = page[page.index('id="role-approver"') : page.index('id="role-viewer"')]
    assert content.CHANGE_TEXT[Change.APPROVE] in approver
    assert "(while it is in review)" in approver

    # Change the table, and the page follows.
    allowed = dict(permissions.ALLOWED)
    allowed[Action.REVIEW] = frozenset({"reviewer", "viewer"})
    monkeypatch.setattr(permissions, "ALLOWED", allowed)
    monkeypatch.setattr(content, "ALLOWED", allowed)
    page = text("/help/roles/")
    viewer = page[page.index('id="role-viewer"') :]
    assert content.CHANGE_TEXT[Change.REVIEW] in viewer


def test_steps_name_who_may_take_them() -> None:
    steps = {s["label"]: s for s in content.steps()}
    assert steps["Submit for review"]["who"] == "Lead"
    assert steps["Request changes"]["who"] == "Reviewer"
    assert steps["Approve and sign the decision"]["who"] == "Approver"
    assert steps["Request changes"]["reason"] == "Yes"
    assert steps["Withdraw"]["from"] == "Draft, In review, Changes requested"
    assert content.who_may(Change.ONLINE_RESPONSE) == "Anyone with the consultation link"
    assert RULES[Change.SUBMIT].action is Action.MANAGE_PROJECTS


def test_the_glossary_defines_the_words_the_service_uses() -> None:
    page = text("/help/glossary/")
    for term in ("Appraisal", "Departure", "Decision record", "Review round", "Verdict", "Carried forward",
                 "High risk", "Route", "Stage", "New version", "Consultation"):  # fmt: skip
        assert f">{term}</dt>" in page, term
    assert f"scores {HIGH_RISK_SCORE} or more" in page
    terms = [term for term, _ in content.glossary()]
    assert terms == sorted(terms)


def test_the_menu_links_help_and_marks_the_current_page(client_as: Callable[[str], Client]) -> None:
    page = text("/help/roles/", client_as("viewer"))
    nav = page[page.index('<nav aria-label="Menu"') : page.index("</nav>")]
    assert 'href="/help/" aria-current="true"' in nav
    assert 'href="/projects/" aria-current' not in nav
