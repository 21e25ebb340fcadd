"""The review loop shows its feedback: the reason for a request for changes and the reviewers'
verdicts on the lead's task list, the questions it is about marked "Changes requested" until
they change, the next step straight after a review is saved, and each step of the workflow
offered only to those who may take it, only when they can, saying what it does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import html  # type: ignore[import-untyped]  # installed with python-docx

from trustworthy.appraisals import policy, selectors, services, weighing
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change
from trustworthy.organisations.permissions import Action
from trustworthy.reviews import services as reviews

from ..appraisals.factories import FW, decide, declare_none, make_project
from .helpers import SECTIONS, accept_all, approved, complete_appraisal, in_review, person

pytestmark = pytest.mark.django_db

P6_VERDICT = "P6 does not say what the coordinators cost."
REASON = "Section 1 needs the costs in P6."


def text(node: Any) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def page(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content.decode())


def tasks(doc: Any) -> dict[str, tuple[str, str]]:
    """Each task on the task list: its status and its hint."""
    found = {}
    for item in doc.xpath("//li[contains(@class, 'govuk-task-list__item')]"):
        (status,) = item.xpath(".//div[contains(@class, 'govuk-task-list__status')]")
        task_id = status.get("id").removeprefix("task-").removesuffix("-status")
        hint = item.xpath(".//div[contains(@class, 'govuk-task-list__hint')]")
        found[task_id] = (text(status), text(hint[0]) if hint else "")
    return found


def links(doc: Any) -> list[str]:
    return [text(a) for a in doc.xpath("//main//a")]


def sent_back(organisation: Any, *, verdict_comment: str = P6_VERDICT, reason: str = REASON) -> Appraisal:
    """In review; the reviewer finds section 1 needs work and asks for changes."""
    appraisal = in_review(organisation)
    verdicts = dict.fromkeys(SECTIONS, ("acceptable", ""))
    verdicts["parameters"] = ("needs-work", verdict_comment)
    reviews.review_sections(appraisal=appraisal, user=person("reviewer"), verdicts=verdicts)
    reviews.transition(appraisal=appraisal, name="request-changes", user=person("reviewer"), reason=reason)
    return appraisal


def resave(appraisal: Appraisal, question_id: str) -> None:
    services.save_answer(
        appraisal=Appraisal.objects.get(pk=appraisal.pk), question_id=question_id, user=person("lead"),
        value="", rationale="Four coordinators cost £180,000 a year.",
    )  # fmt: skip


# --- requested changes with reasons, on the lead's task list --------------------------------------


def test_the_task_list_shows_who_asked_for_changes_why_and_the_verdicts(organisation, client_as) -> None:
    appraisal = sent_back(organisation)
    doc = page(client_as("lead"), f"/appraisals/{appraisal.pk}/")
    (banner,) = doc.xpath("//div[contains(@class, 'app-changes-requested')]")
    said = text(banner)
    assert f"{person('reviewer')} asked for changes on" in said
    assert REASON in said
    verdicts = {text(r.xpath("dt")[0]): text(r.xpath("dd")[0]) for r in banner.xpath(".//dl/div")}
    setting = next(v for k, v in verdicts.items() if k.startswith("1."))
    assert setting.startswith(f"Needs work from {person('reviewer')}")
    assert setting.endswith(P6_VERDICT)
    assert sum(v.startswith("Acceptable") for v in verdicts.values()) == 2
    asked = [text(li) for li in banner.xpath(".//ul[contains(@class, 'app-asked-questions')]/li")]
    assert asked == [f"P6. {FW.question('P6').label} Changes requested"]


def test_questions_asked_about_are_marked_until_they_change(organisation, client_as) -> None:
    appraisal = sent_back(organisation)
    lead = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/"
    before = tasks(page(lead, url))
    # Named by the reason, and by the reviewer's comment on its section.
    reviewer = person("reviewer")
    assert before["P6"] == ("Changes requested", f"Named in the request for changes; {reviewer}: needs work")
    assert before["P1"][0] == "Completed"  # not named: section 1's other questions stand
    resave(appraisal, "P6")
    after = page(lead, url)
    assert tasks(after)["P6"][0] == "Completed"
    (item,) = after.xpath("//ul[contains(@class, 'app-asked-questions')]/li")
    assert text(item).endswith("Changed")


def test_a_section_not_acceptable_with_no_question_named_marks_all_of_it(organisation, client_as) -> None:
    appraisal = sent_back(organisation, verdict_comment="The costs are missing.", reason="See section 1.")
    statuses = tasks(page(client_as("lead"), f"/appraisals/{appraisal.pk}/"))
    section = [q.id for q in FW.section("parameters").questions]
    assert {statuses[q][0] for q in section} == {"Changes requested"}
    assert statuses["P1"][1] == f"{person('reviewer')}: section 1 needs work"
    assert {statuses[q.id][0] for q in FW.section("principles").questions} == {"Completed"}


def test_a_comment_left_open_marks_its_question_until_resolved(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    comment = reviews.add_comment(
        appraisal=appraisal, user=person("reviewer"), target="P3", text="Whose data?"
    )
    reviews.transition(appraisal=appraisal, name="request-changes", user=person("reviewer"), reason="See P6.")
    lead = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/"
    statuses = tasks(page(lead, url))
    assert statuses["P3"] == ("Changes requested", f"Comment from {person('reviewer')} not resolved")
    assert statuses["P6"][0] == "Changes requested"
    reviews.resolve_comment(comment=comment, user=person("lead"))
    assert tasks(page(lead, url))["P3"][0] == "Completed"


def test_the_marks_go_once_it_is_sent_for_review_again(organisation, client_as) -> None:
    appraisal = sent_back(organisation)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    doc = page(client_as("lead"), f"/appraisals/{appraisal.pk}/")
    assert tasks(doc)["P6"][0] == "Completed"
    assert not doc.xpath("//div[contains(@class, 'app-changes-requested')]")


def test_the_feedback_costs_no_queries_once_loaded(organisation, client_as) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    appraisal = sent_back(organisation)
    lead = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/"
    selectors.forget_page_data()
    lead.get(url)
    with CaptureQueriesContext(connection) as warm:
        lead.get(url)
    # Session, person, appraisal; what stands in the way of sending it back for review
    # (consultations still open, themes without a note) is read on each visit.
    assert len(warm) <= 5, [q["sql"] for q in warm]


# --- straight from a saved review to the next step ------------------------------------------------


def test_after_saving_a_review_the_reviewer_can_request_changes_at_once(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    reviewer = client_as("reviewer")
    form = {"verdict_parameters": "needs-work", "comment_parameters": P6_VERDICT,
            "verdict_principles": "acceptable", "verdict_tests": "acceptable"}  # fmt: skip
    response = reviewer.post(f"/appraisals/{appraisal.pk}/review/", form, follow=True)
    doc = html.fromstring(response.content.decode())
    assert "Your review is saved." in text(doc)
    (next_steps,) = doc.xpath("//section[contains(@class, 'app-next-steps')]")
    assert "You did not find 1 section acceptable." in text(next_steps)
    (button,) = next_steps.xpath(".//a[contains(@class, 'govuk-button')]")
    assert text(button) == "Request changes"
    assert button.get("href") == f"/appraisals/{appraisal.pk}/steps/request-changes/"
    assert "govuk-button--secondary" not in button.get("class")
    # The form shows the review as saved, to change it.
    assert doc.xpath("//input[@name='verdict_parameters'][@value='needs-work'][@checked]")


def test_an_acceptable_review_says_who_acts_next(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    accept_all(appraisal)
    doc = page(client_as("reviewer"), f"/appraisals/{appraisal.pk}/review/")
    (next_steps,) = doc.xpath("//section[contains(@class, 'app-next-steps')]")
    assert "You found every section acceptable. An approver records the decision and signs it" in text(
        next_steps
    )
    (button,) = next_steps.xpath(".//a[contains(@class, 'govuk-button')]")
    assert text(button) == "Request changes"
    assert "govuk-button--secondary" in button.get("class")


def test_no_next_step_before_the_review_is_saved(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    doc = page(client_as("reviewer"), f"/appraisals/{appraisal.pk}/review/")
    assert not doc.xpath("//section[contains(@class, 'app-next-steps')]")


def test_an_approver_is_offered_to_sign_only_once_it_can_be_signed(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    accept_all(appraisal)
    approver = client_as("approver")
    url = f"/appraisals/{appraisal.pk}/review/"
    (next_steps,) = page(approver, url).xpath("//section[contains(@class, 'app-next-steps')]")
    assert [text(a) for a in next_steps.xpath(".//a[contains(@class, 'govuk-button')]")] == [
        "Record the decision"
    ]
    assert "Before you can approve and sign the decision The decision must be recorded." in text(next_steps)
    decide(appraisal, person("approver"))
    (next_steps,) = page(approver, url).xpath("//section[contains(@class, 'app-next-steps')]")
    buttons = next_steps.xpath(".//a[contains(@class, 'govuk-button')]")
    assert [text(a) for a in buttons] == ["Approve and sign the decision"]
    assert not next_steps.xpath(".//div[contains(@class, 'app-step-blocked')]")


# --- actions only for those who can take them, only when they can -------------------------------


def test_an_empty_draft_says_what_is_missing_instead_of_offering_to_submit(organisation, client_as) -> None:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    doc = page(client_as("lead"), f"/appraisals/{appraisal.pk}/")
    assert "Submit for review" not in links(doc)
    (blocked,) = doc.xpath("//div[contains(@class, 'app-step-blocked')]")
    assert text(blocked).startswith("Before you can submit for review")
    assert "Answer every question before sending the appraisal for review. Still to do: P1," in text(blocked)


def test_a_complete_draft_offers_to_submit(organisation, client_as) -> None:
    appraisal = complete_appraisal(organisation)
    doc = page(client_as("lead"), f"/appraisals/{appraisal.pk}/")
    assert "Submit for review" in links(doc)
    assert not doc.xpath("//div[contains(@class, 'app-step-blocked')]")


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("lead", ["Submit for review"]),
        ("contributor", []),
        ("reviewer", []),
        ("approver", []),
        ("viewer", []),
    ],
)
def test_only_the_lead_is_offered_the_steps_of_a_draft(organisation, client_as, role, offered) -> None:
    appraisal = complete_appraisal(organisation)
    doc = page(client_as(role), f"/appraisals/{appraisal.pk}/")
    steps = [text(a) for a in doc.xpath("//main//a[contains(@class, 'govuk-button')]")]
    assert [s for s in steps if s != "Withdraw this appraisal"] == offered
    assert ("Withdraw this appraisal" in steps) == (role == "lead")


def test_steps_in_review_follow_the_policy(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    url = f"/appraisals/{appraisal.pk}/"

    def buttons(role: str) -> list[str]:
        return [
            text(a) for a in page(client_as(role), url).xpath("//main//a[contains(@class, 'govuk-button')]")
        ]

    assert buttons("reviewer") == ["Request changes", "Review the sections"]
    assert buttons("approver") == []  # nothing reviewed and no decision yet: nothing to sign
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    assert buttons("approver") == ["Approve and sign the decision"]
    assert buttons("lead") == ["Withdraw this appraisal"]


def test_what_is_offered_comes_from_the_policy_table(organisation, client_as, monkeypatch) -> None:
    """Change who may withdraw in the table, and the page follows: no template or view keeps
    a role of its own."""
    appraisal = complete_appraisal(organisation)
    url = f"/appraisals/{appraisal.pk}/"
    assert "Withdraw this appraisal" not in links(page(client_as("contributor"), url))
    monkeypatch.setitem(policy.RULES, Change.WITHDRAW, policy.Rule(Action.ANSWER, policy.OPEN))
    assert "Withdraw this appraisal" in links(page(client_as("contributor"), url))


def test_nothing_is_offered_on_an_approved_appraisal_but_a_new_version(organisation, client_as) -> None:
    appraisal = approved(organisation)
    doc = page(client_as("lead"), f"/appraisals/{appraisal.pk}/")
    assert [text(a) for a in doc.xpath("//main//a[contains(@class, 'govuk-button')]")] == [
        "Start a new version"
    ]


def test_withdraw_explains_itself_and_asks_why(organisation, client_as) -> None:
    appraisal = complete_appraisal(organisation)
    lead = client_as("lead")
    tasks_page = page(lead, f"/appraisals/{appraisal.pk}/")
    (heading,) = tasks_page.xpath("//h2[normalize-space()='Withdraw this appraisal']")
    explained = text(heading.getnext())
    assert "stops this appraisal for good" in explained
    assert "You will be asked why" in explained
    step = page(lead, f"/appraisals/{appraisal.pk}/steps/withdraw/")
    (warning,) = step.xpath("//div[contains(@class, 'govuk-warning-text')]")
    assert "nobody can change it, review it or record a decision on it afterwards" in text(warning)
    assert text(step.xpath("//label[@for='id_reason']")[0]) == "Why are you withdrawing this appraisal?"
    (button,) = step.xpath("//main//form//button")
    assert text(button) == "Withdraw this appraisal"
    assert "govuk-button--warning" in button.get("class")
    assert step.xpath(f"//main//form//a[@href='/appraisals/{appraisal.pk}/']")[0].text == "Cancel"
    response = lead.post(f"/appraisals/{appraisal.pk}/steps/withdraw/", {"reason": ""})
    assert "Why are you withdrawing this appraisal?" in response.content.decode()
    assert Appraisal.objects.get(pk=appraisal.pk).status == policy.DRAFT


def test_requesting_changes_says_what_it_does(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    declare_none(appraisal, person("reviewer"))  # as they must before a verdict
    step = page(client_as("reviewer"), f"/appraisals/{appraisal.pk}/steps/request-changes/")
    said = text(step.xpath("//main")[0])
    assert "The appraisal goes back to its lead" in said
    assert "marked “Changes requested” until they are changed" in said


def test_changes_to_rows_ratings_and_who_took_part_count_for_their_question() -> None:
    participation = next(q.id for q in FW.questions() if q.kind == "participation")
    changed = weighing.changed_questions(
        FW,
        [
            ("row.removed", "risks:12"),
            ("participation.saved", "carers"),
            ("principles.saved", "E1:process"),
            ("decision.recorded", "decision"),
        ],
    )
    assert changed == {"P7", participation, "E1"}


def test_questions_named_in_writing_are_found_once_each() -> None:
    assert weighing.named_questions(FW, "See P6, then T4 and P6 again; D1 is no question.") == ["P6", "T4"]
