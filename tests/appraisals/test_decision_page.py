"""The decision page puts in front of whoever decides what the decision must weigh: open risks
(the highest first, with scores and owners), principles at risk by cluster, groups not
involved and why, review comments nobody has resolved, and every reason the route gives.
A decision outside what the framework allows is a warning, never grey hint text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import html  # type: ignore[import-untyped]  # installed with python-docx

from trustworthy.appraisals import services, weighing
from trustworthy.appraisals.models import Appraisal, RegisterRow
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as reviews

from .factories import FW, ROWS, decide, declare_none, fill_appraisal, make_project

pytestmark = pytest.mark.django_db

HUMAN_RIGHTS = next(q for q in FW.section("principles").questions if q.cluster == "human-rights")
HIGH = {**ROWS["risks"], "description": "Families feel watched", "likelihood": 4, "severity": 4,
        "owner": "Head of safeguarding", "mitigation": "A family advocate at every meeting"}  # fmt: skip
CLOSED = {**ROWS["risks"], "description": "Data shared too widely", "likelihood": 5, "severity": 5,
          "status": "closed"}  # fmt: skip


def person(role: str) -> User:
    return User.objects.get(email=f"{role}@council.test")


def weighty(organisation: Organisation, tests: dict[str, str] | None = None) -> tuple[Appraisal, RegisterRow]:
    """A complete appraisal with something of every kind to weigh; and its high risk's row."""
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(appraisal, lead, tests=tests)  # one open risk scoring 8, owned by the team manager
    high = services.add_register_row(appraisal=appraisal, register_id="risks", data=HIGH, user=lead)
    services.add_register_row(appraisal=appraisal, register_id="risks", data=CLOSED, user=lead)
    services.save_participation(
        appraisal=appraisal, stakeholder="young-people", mode="not-involved",
        reason="The pilot design is not settled yet.", summary="", user=lead,
    )  # fmt: skip
    services.save_participation(
        appraisal=appraisal, stakeholder="community", mode="informed", reason="", summary="", user=lead
    )
    ratings = {p.id: ("supports", "") for p in FW.principles_in("human-rights")}
    ratings["HR2"] = ("at-risk", "Families may feel pushed into a plan.")
    services.save_principles(
        appraisal=appraisal, question_id=HUMAN_RIGHTS.id, aspect="innovation", user=lead, value="partly",
        rationale="Mostly.", ratings=ratings,
    )  # fmt: skip
    reviewer = person("reviewer")
    reviews.add_comment(
        appraisal=appraisal, user=reviewer, target="P6", text="P6 does not say what it costs."
    )
    reviews.add_comment(appraisal=appraisal, user=reviewer, target=f"row:{high.pk}", text="Who checks this?")
    done = reviews.add_comment(appraisal=appraisal, user=reviewer, target="P1", text="Now clear, thanks.")
    reviews.resolve_comment(comment=done, user=reviewer)
    declare_none(appraisal, person("approver"))  # as an approver must, before deciding
    return appraisal, high


def page_of(client: Any, appraisal: Appraisal) -> Any:
    response = client.get(f"/appraisals/{appraisal.pk}/decision/")
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def text(node: Any) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def section_after(page: Any, heading: str) -> str:
    """The text from a heading of the concerns to the next heading."""
    (h,) = page.xpath(f"//section[contains(@class, 'app-concerns')]//h3[normalize-space()='{heading}']")
    parts = []
    for sibling in h.itersiblings():
        if sibling.tag in ("h2", "h3"):
            break
        parts.append(text(sibling))
    return " ".join(parts)


def test_open_risks_come_highest_first_with_scores_and_owners(organisation, client_as) -> None:
    appraisal, _ = weighty(organisation)
    page = page_of(client_as("approver"), appraisal)
    rows = page.xpath("//table[contains(@class, 'app-open-risks')]/tbody/tr")
    cells = [[text(td) for td in row.xpath("td")] for row in rows]
    assert cells == [
        ["Families feel watched", "16 High", "Head of safeguarding", "A family advocate at every meeting"],
        ["Delay in urgent cases", "8", "Team manager", "Urgent cases bypass"],
    ]  # the closed risk, though it scores 25, is not open
    assert "1 open risk scores 12 or more" in section_after(page, "Open risks")
    # Each cell names its column, so the table can stack on a phone.
    assert [td.get("data-label") for td in rows[0].xpath("td")] == ["Risk", "Score", "Owner", "Mitigation"]


def test_principles_at_risk_are_shown_by_cluster(organisation, client_as) -> None:
    appraisal, _ = weighty(organisation)
    page = page_of(client_as("approver"), appraisal)
    shown = {
        text(row.xpath("dt")[0]): text(row.xpath("dd")[0])
        for row in page.xpath("//dl[contains(@class, 'app-principles-at-risk')]/div")
    }
    assert shown == {
        "Human rights": "Respecting the right to self-determination (the innovation itself): "
        "Families may feel pushed into a plan.",
        "Social justice": "None at risk",
        "Professional integrity": "None at risk",
    }


def test_groups_not_involved_are_shown_with_why(organisation, client_as) -> None:
    appraisal, _ = weighty(organisation)
    page = page_of(client_as("approver"), appraisal)
    shown = {
        text(row.xpath("dt")[0]): text(row.xpath("dd")[0])
        for row in page.xpath("//dl[contains(@class, 'app-groups-left-out')]/div")
    }
    # Groups that were consulted are not listed; those only told are, beside those left out.
    assert shown == {
        "Young people": "Not involved. Why: The pilot design is not settled yet.",
        "The wider community": "Informed only",
    }


def test_comments_nobody_resolved_are_listed_with_where_they_are(organisation, client_as) -> None:
    appraisal, high = weighty(organisation)
    page = page_of(client_as("approver"), appraisal)
    items = page.xpath("//ul[contains(@class, 'app-open-comments')]/li")
    reviewer = person("reviewer")
    assert [text(li) for li in items] == [
        f"{weighing.question_label(FW.question('P6'))}: {reviewer} wrote “P6 does not say what it costs.”",
        f"A row of risks (P7): {reviewer} wrote “Who checks this?”",
    ]  # the resolved comment is not among them
    links = [li.xpath("a/@href")[0] for li in items]
    assert links == [
        f"/appraisals/{appraisal.pk}/questions/P6/#comments-heading-P6",
        f"/appraisals/{appraisal.pk}/questions/P7/#comments-heading-row-{high.pk}",
    ]


def test_the_route_gives_every_reason_a_high_risk_among_them(organisation, client_as) -> None:
    """T1 in doubt rules out plain "proceed" already; the open risk scoring 16 does too, and
    the page says so."""
    appraisal, _ = weighty(organisation, tests={"T1": "partly", "T2": "yes", "T3": "yes", "T4": "yes",
                                                  "T5": "yes", "T6": "yes"})  # fmt: skip
    page = page_of(client_as("approver"), appraisal)
    reasons = [text(li) for li in page.xpath("//div[@id='route']//ul[last()]/li")]
    assert any(r.startswith("T1 is not answered 'yes'") for r in reasons), reasons
    assert any(r.startswith("T4 and T5 are 'yes'") for r in reasons), reasons
    assert any(r.startswith("An open risk scores 16") for r in reasons), reasons


def test_a_departure_is_a_warning_not_a_hint(organisation, client_as) -> None:
    appraisal, _ = weighty(organisation)  # a risk scores 16: "proceed" is outside the route
    approver = client_as("approver")
    page = page_of(approver, appraisal)
    warning = page.xpath("//form//div[contains(@class, 'govuk-warning-text')]")
    assert warning, "the decisions outside the route are named in a warning"
    assert "‘Proceed’ or ‘Proceed despite concerns’ would be outside what the framework allows" in text(
        warning[0]
    )
    hints = " ".join(text(h) for h in page.xpath("//div[contains(@class, 'govuk-radios__hint')]"))
    assert "outside" not in hints.lower()

    decide(
        appraisal, person("approver"), decision="proceed", departure="The risk is owned and watched weekly."
    )
    page = page_of(approver, appraisal)
    (banner,) = page.xpath("//div[contains(concat(' ', @class, ' '), ' app-departure ')]")
    assert "govuk-notification-banner" in banner.get("class")
    assert "Departs from the framework" in text(banner)
    assert "The decision recorded, Proceed, is outside what the framework allows" in text(banner)
    assert "The risk is owned and watched weekly." in text(banner)


def test_only_an_approver_is_asked_to_record_it(organisation, client_as) -> None:
    appraisal, _ = weighty(organisation)
    lead = page_of(client_as("lead"), appraisal)
    assert text(lead.xpath("//h1")[0]) == "The decision and what it must weigh"
    assert not lead.xpath("//form[.//input[@name='decision']]")
    assert lead.xpath("//section[contains(@class, 'app-concerns')]"), "the concerns are shown to everyone"
    approver = page_of(client_as("approver"), appraisal)
    assert text(approver.xpath("//h1")[0]) == "Record the decision"
    assert approver.xpath("//form[.//input[@name='decision']]")


def test_the_task_list_asks_only_an_approver_to_record_the_decision(organisation, client_as) -> None:
    appraisal, _ = weighty(organisation)
    url = f"/appraisals/{appraisal.pk}/"
    for role, wanted, unwanted in (
        ("approver", "Record the decision", "The decision and what it must weigh"),
        ("lead", "The decision and what it must weigh", "Record the decision"),
    ):
        page = html.fromstring(client_as(role).get(url).content.decode())
        tasks = [text(a) for a in page.xpath("//a[contains(@class, 'govuk-task-list__link')]")]
        assert wanted in tasks, (role, tasks)
        assert unwanted not in tasks, (role, tasks)


# --- the rules, on their own ------------------------------------------------------------------


def test_open_risks_without_a_score_come_last() -> None:
    rows = [
        RegisterRow(pk=1, register="risks", data={"description": "a", "status": "open"}),
        RegisterRow(
            pk=2,
            register="risks",
            data={"description": "b", "status": "open", "likelihood": 1, "severity": 2},
        ),
        RegisterRow(
            pk=3,
            register="risks",
            data={"description": "c", "status": "mitigated", "likelihood": 5, "severity": 5},
        ),
    ]
    found = weighing.open_risks(FW, {"risks": rows})
    assert [(r.description, r.score, r.high) for r in found] == [("b", 2, False), ("a", None, False)]


def test_a_group_with_nothing_recorded_is_left_out_too() -> None:
    left_out = weighing.groups_left_out(FW, {})
    assert [g.how for g in left_out] == ["Not recorded"] * len(FW.stakeholders)
