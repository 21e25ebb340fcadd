"""The home page, "Your work": each kind of item for the right people only, never another
organisation's, in a bounded number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trustworthy.appraisals import actions, services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as reviews
from trustworthy.reviews.models import Comment

from ..appraisals.factories import decide, fill_appraisal, make_project
from .helpers import SECTIONS, accept_all, approved, in_review, person

pytestmark = pytest.mark.django_db

ROLES = ("admin", "lead", "contributor", "reviewer", "approver", "viewer")
Clients = Callable[..., Client]


def home(client_as: Clients, role: str, slug: str = "council") -> str:
    response = client_as(role, slug)
    page = response.get("/")
    assert page.status_code == 200
    return page.content.decode()


def section(page: str, heading: str) -> str:
    """The part of the page under one group's heading (up to the next group)."""
    start = page.index(f">{heading}")
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def has_group(page: str, heading: str) -> bool:
    return f">{heading}" in page


def request_changes(
    appraisal: Appraisal, reason: str = "Say more about how urgent cases are handled."
) -> None:
    reviews.transition(appraisal=appraisal, name="request-changes", user=person("reviewer"), reason=reason)


# --- reviews to do ----------------------------------------------------------------------------


def test_a_reviewer_sees_each_appraisal_in_review_until_they_give_their_verdicts(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = in_review(organisation)
    page = home(client_as, "reviewer")
    reviews_to_do = section(page, "Reviews to do")
    assert "Family group conferencing for every family" in reviews_to_do
    assert f'href="/appraisals/{appraisal.pk}/review/"' in reviews_to_do

    accept_all(appraisal)
    assert "No appraisals are waiting for your review." in home(client_as, "reviewer")

    # A new round (changes requested, then sent back) asks for their verdicts again.
    request_changes(appraisal)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    assert f'href="/appraisals/{appraisal.pk}/review/"' in section(
        home(client_as, "reviewer"), "Reviews to do"
    )


def test_only_those_who_may_review_are_shown_reviews_to_do(
    client_as: Clients, organisation: Organisation
) -> None:
    in_review(organisation)
    for role in ROLES:
        assert has_group(home(client_as, role), "Reviews to do") == (role == "reviewer"), role


def test_a_draft_is_not_waiting_for_review(client_as: Clients, organisation: Organisation) -> None:
    lead = person("lead")
    fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    assert "No appraisals are waiting for your review." in home(client_as, "reviewer")


# --- decisions to sign ---------------------------------------------------------------------------


def test_an_approver_sees_a_decision_to_sign_once_every_section_has_a_verdict(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = in_review(organisation)
    assert "No decisions are waiting for you to sign." in home(client_as, "approver")

    accept_all(appraisal)
    to_sign = section(home(client_as, "approver"), "Decisions to sign")
    assert f'href="/appraisals/{appraisal.pk}/decision/"' in to_sign
    assert "Record the decision" in to_sign

    decide(appraisal, person("approver"))
    to_sign = section(home(client_as, "approver"), "Decisions to sign")
    assert f'href="/appraisals/{appraisal.pk}/steps/approve/"' in to_sign
    assert "Approve and sign" in to_sign

    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    assert "No decisions are waiting for you to sign." in home(client_as, "approver")


def test_a_decision_with_a_section_that_needs_work_sends_the_approver_to_the_reviews(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = in_review(organisation)
    verdicts = dict.fromkeys(SECTIONS, ("acceptable", "")) | {"tests": ("needs-work", "T2 needs evidence.")}
    reviews.review_sections(appraisal=appraisal, user=person("reviewer"), verdicts=verdicts)
    to_sign = section(home(client_as, "approver"), "Decisions to sign")
    assert "a reviewer found a section needs work" in to_sign
    assert f'href="/appraisals/{appraisal.pk}/review/"' in to_sign


def test_only_those_who_may_approve_are_shown_decisions_to_sign(
    client_as: Clients, organisation: Organisation
) -> None:
    accept_all(in_review(organisation))
    for role in ROLES:
        assert has_group(home(client_as, role), "Decisions to sign") == (role == "approver"), role


# --- changes requested ---------------------------------------------------------------------------


def test_the_lead_sees_the_reason_changes_were_requested_and_where_to_make_them(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = in_review(organisation)
    request_changes(appraisal, "Say more about how urgent cases are handled.")
    changes = section(home(client_as, "lead"), "Changes requested")
    assert "Say more about how urgent cases are handled." in changes
    assert "Reviewer of Northshire Council asked for changes" in changes
    assert f'href="/appraisals/{appraisal.pk}/"' in changes

    # The newest request's reason, once it has been sent back twice.
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    assert not has_group(home(client_as, "lead"), "Changes requested (1)")
    request_changes(appraisal, "Now the risks need owners.")
    changes = section(home(client_as, "lead"), "Changes requested")
    assert "Now the risks need owners." in changes
    assert "Say more about how urgent cases are handled." not in changes


def test_a_contributor_sees_changes_requested_only_on_appraisals_they_answered(
    client_as: Clients, organisation: Organisation
) -> None:
    lead, contributor = person("lead"), person("contributor")
    theirs = services.start_appraisal(
        project=make_project(organisation, lead, title="Their project"), stage="inception", user=lead
    )
    fill_appraisal(theirs, lead)
    services.save_answer(appraisal=theirs, question_id="P2", user=contributor, value="yes", rationale="Fits.")
    reviews.transition(appraisal=theirs, name="submit", user=lead)
    request_changes(theirs)
    other = in_review(organisation)
    request_changes(other)

    changes = section(home(client_as, "contributor"), "Changes requested")
    assert "Their project" in changes
    assert f'href="/appraisals/{other.pk}/"' not in changes
    # The lead, who may send either back for review, sees both.
    lead_changes = section(home(client_as, "lead"), "Changes requested")
    assert f'href="/appraisals/{theirs.pk}/"' in lead_changes
    assert f'href="/appraisals/{other.pk}/"' in lead_changes


def test_only_those_who_answer_are_shown_changes_requested(
    client_as: Clients, organisation: Organisation
) -> None:
    request_changes(in_review(organisation))
    for role in ROLES:
        assert has_group(home(client_as, role), "Changes requested") == (role in ("lead", "contributor")), (
            role
        )


# --- comments on your answers --------------------------------------------------------------------


def test_comments_on_your_answers_wait_until_you_reply_or_they_are_resolved(
    client_as: Clients, organisation: Organisation
) -> None:
    lead, reviewer = person("lead"), person("reviewer")
    appraisal = fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    comment = reviews.add_comment(appraisal=appraisal, user=reviewer, target="P1", text="Which other routes?")
    comments = section(home(client_as, "lead"), "Comments on your answers")
    assert "Which other routes?" in comments
    assert f'href="/appraisals/{appraisal.pk}/questions/P1/#comments-heading-P1"' in comments
    # Only the person who answered the question is asked to reply.
    assert "Which other routes?" not in home(client_as, "contributor")

    reviews.add_comment(appraisal=appraisal, user=lead, target="P1", text="Training.", parent=comment)
    assert "Which other routes?" not in home(client_as, "lead")
    reviews.add_comment(appraisal=appraisal, user=reviewer, target="P1", text="Why not?", parent=comment)
    assert "Which other routes?" in home(client_as, "lead")
    reviews.resolve_comment(comment=Comment.objects.get(pk=comment.pk), user=reviewer)
    assert "No comments on your answers are waiting for a reply." in home(client_as, "lead")


def test_your_own_comments_and_comments_on_others_answers_are_not_waiting_for_you(
    client_as: Clients, organisation: Organisation
) -> None:
    lead, contributor = person("lead"), person("contributor")
    appraisal = fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    services.save_answer(
        appraisal=appraisal, question_id="P2", user=contributor, value="yes", rationale="Fits."
    )
    reviews.add_comment(appraisal=appraisal, user=lead, target="P1", text="A note to myself.")
    reviews.add_comment(appraisal=appraisal, user=person("viewer"), target="P2", text="Which model?")
    lead_page = home(client_as, "lead")
    assert "A note to myself." not in lead_page
    assert "Which model?" not in lead_page
    assert "Which model?" in section(home(client_as, "contributor"), "Comments on your answers")


# --- reviews due --------------------------------------------------------------------------------


def test_decisions_due_for_review_within_30_days_show_until_the_project_moves_on(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = approved(organisation)
    assert "No decisions are due for review in the next 30 days." in home(client_as, "lead")

    today = timezone.localdate()
    Appraisal.objects.filter(pk=appraisal.pk).update(review_date=today + datetime.timedelta(days=20))
    due = section(home(client_as, "lead"), "Decision reviews due")
    assert "review is due on" in due
    assert f'href="/projects/{appraisal.project_id}/"' in due

    Appraisal.objects.filter(pk=appraisal.pk).update(review_date=today - datetime.timedelta(days=3))
    assert "review was due on" in section(home(client_as, "lead"), "Decision reviews due")
    # The approver who signed it is told too; a reviewer is not.
    assert "review was due on" in home(client_as, "approver")
    assert not has_group(home(client_as, "reviewer"), "Decision reviews due")

    services.start_appraisal(project=appraisal.project, stage="development", user=person("lead"))
    assert "No decisions are due for review in the next 30 days." in home(client_as, "lead")


def test_a_decision_due_later_than_30_days_is_not_shown(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = approved(organisation)
    Appraisal.objects.filter(pk=appraisal.pk).update(
        review_date=timezone.localdate() + datetime.timedelta(days=31)
    )
    assert "No decisions are due for review in the next 30 days." in home(client_as, "lead")


# --- your actions ----------------------------------------------------------------------------------


def own(
    appraisal: Appraisal,
    what: str,
    owner: User | None,
    days: int,
    status: str = "open",
    slug: str = "council",
) -> int:
    """An action due in `days` days (overdue when negative), owned by `owner` (or a named role)."""
    lead, due = person("lead", slug), timezone.localdate() + datetime.timedelta(days=days)
    action = actions.add_action(
        appraisal=appraisal, user=lead, what=what, due_on=due, owner_id=owner.pk if owner else None,
        owner_name="" if owner else "Team manager",
    )  # fmt: skip
    if status != "open":
        actions.move_action(action=action, user=lead, status=status, evidence="Done.")
    return action.pk


def test_your_actions_lists_what_you_own_still_to_do_overdue_first(
    client_as: Clients, organisation: Organisation
) -> None:
    appraisal = approved(organisation)
    contributor = person("contributor")
    later = own(appraisal, "Write to the schools", contributor, days=20)
    late = own(appraisal, "Sign the data-sharing agreement", contributor, days=-4)
    own(appraisal, "Train the coordinators", contributor, days=5, status="in-progress")
    own(appraisal, "Tell the families", contributor, days=-9, status="done")
    own(appraisal, "The lead's own action", person("lead"), days=-2)
    own(appraisal, "Owned by a role", None, days=-2)

    mine = section(home(client_as, "contributor"), "Your actions")
    assert "Your actions (3)" in mine
    listed = ["Sign the data-sharing", "Train the coordinators", "Write to the schools"]
    assert sorted(listed, key=mine.index) == listed  # the overdue one first, then by due date
    assert "Action needed</strong> Overdue: it was due on" in mine
    assert "In progress. Due on" in mine
    assert f'href="/appraisals/{appraisal.pk}/actions/{late}/progress/"' in mine
    assert f'href="/appraisals/{appraisal.pk}/actions/{later}/progress/"' in mine
    for not_theirs in ("Tell the families", "The lead's own action", "Owned by a role"):
        assert not_theirs not in mine
    assert 'href="/actions/?mine=on&amp;status=all"' in mine
    # The owner can do what the link offers.
    assert (
        client_as("contributor").get(f"/appraisals/{appraisal.pk}/actions/{late}/progress/").status_code
        == 200
    )


def test_an_action_carried_to_the_next_stage_shows_once_where_it_is_now(
    client_as: Clients, organisation: Organisation
) -> None:
    inception = approved(organisation)
    own(inception, "Sign the agreement", person("contributor"), days=-1)
    development = services.start_appraisal(
        project=inception.project, stage="development", user=person("lead")
    )
    mine = section(home(client_as, "contributor"), "Your actions")
    assert mine.count("Sign the agreement") == 1
    assert f'href="/appraisals/{development.pk}/actions/' in mine


def test_anyone_who_owns_an_action_sees_it_and_those_who_add_actions_see_the_group(
    client_as: Clients, organisation: Organisation
) -> None:
    for role in ROLES:
        assert has_group(home(client_as, role), "Your actions") == (role in ("lead", "contributor")), role
    assert "No actions are waiting for you." in home(client_as, "lead")
    own(approved(organisation), "Check the rota", person("viewer"), days=3)
    viewer = home(client_as, "viewer")
    assert "Check the rota" in section(viewer, "Your actions")
    assert "1 thing is waiting for you as a viewer." in viewer


def test_your_work_links_to_every_action_of_the_organisation(
    client_as: Clients, organisation: Organisation
) -> None:
    for role in ROLES:
        assert 'href="/actions/">See every action at Northshire Council</a>' in home(client_as, role), role


# --- scope, empty states, people without an organisation ------------------------------------------


def _everything_waiting(organisation: Organisation, slug: str, title: str) -> None:
    """One of each kind of item in an organisation, for its people of slug `slug`."""
    lead, reviewer = person("lead", slug), person("reviewer", slug)

    def started(name: str) -> Appraisal:
        return fill_appraisal(
            services.start_appraisal(
                project=make_project(organisation, lead, title=f"{title} {name}"),
                stage="inception",
                user=lead,
            ),
            lead,
        )

    reviews.transition(appraisal=started("in review"), name="submit", user=lead)
    signing = started("to sign")
    reviews.transition(appraisal=signing, name="submit", user=lead)
    reviews.review_sections(
        appraisal=signing, user=reviewer, verdicts=dict.fromkeys(SECTIONS, ("acceptable", ""))
    )
    changes = started("changes")
    reviews.transition(appraisal=changes, name="submit", user=lead)
    reviews.transition(appraisal=changes, name="request-changes", user=reviewer, reason=f"{title} reason")
    reviews.add_comment(appraisal=started("commented"), user=reviewer, target="P1", text=f"{title} comment")
    signed = started("signed")
    reviews.transition(appraisal=signed, name="submit", user=lead)
    reviews.review_sections(
        appraisal=signed, user=reviewer, verdicts=dict.fromkeys(SECTIONS, ("acceptable", ""))
    )
    decide(signed, person("approver", slug))
    reviews.transition(appraisal=signed, name="approve", user=person("approver", slug))
    Appraisal.objects.filter(pk=signed.pk).update(review_date=timezone.localdate())
    for role in ("lead", "contributor", "reviewer", "approver"):
        own(signed, f"{title} action for the {role}", person(role, slug), days=-1, slug=slug)


def test_another_organisations_items_never_show(
    client_as: Clients, organisation: Organisation, other_organisation: Organisation
) -> None:
    _everything_waiting(other_organisation, "trust", "Southvale")
    for role in ROLES:
        page = home(client_as, role)
        assert "Southvale" not in page, role
    # They are there for the other organisation's own people.
    assert "Southvale reason" in home(client_as, "lead", "trust")
    assert "Southvale comment" in home(client_as, "lead", "trust")
    assert "Southvale in review" in home(client_as, "reviewer", "trust")
    assert "Southvale to sign" in home(client_as, "approver", "trust")
    assert "Southvale action for the lead" in home(client_as, "lead", "trust")


def test_empty_states_say_so_in_plain_words(client_as: Clients, organisation: Organisation) -> None:
    lead = home(client_as, "lead")
    assert "Nothing is waiting for you at the moment." in lead
    assert "No appraisals you work on have changes requested." in lead
    assert "No comments on your answers are waiting for a reply." in lead
    assert "No decisions are due for review in the next 30 days." in lead
    viewer = home(client_as, "viewer")
    assert "Nothing is waiting for you at the moment." in viewer
    assert "As a viewer, you can read every project of Northshire Council." in viewer
    assert 'href="/help/roles/"' in viewer


def test_the_home_page_needs_signing_in_and_an_organisation(organisation: Organisation) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")
    loner = User.objects.create_user(
        "nobody@example.test", "correct horse battery staple", full_name="Nobody"
    )
    client = Client()
    client.force_login(loner)
    page = client.get("/").content.decode()
    assert "You do not belong to an organisation yet" in page


# --- queries -------------------------------------------------------------------------------------


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["lead", "reviewer", "approver", "contributor"])
def test_the_page_costs_the_same_few_queries_however_much_is_waiting(
    client_as: Clients, organisation: Organisation, role: str, django_assert_max_num_queries: Any
) -> None:
    client = client_as(role)
    _everything_waiting(organisation, "council", "First")
    few = _queries(client)
    for n in range(4):
        _everything_waiting(organisation, "council", f"More {n}")
    assert _queries(client) == few
    # Session, then person and memberships, then one query for the appraisals every group
    # draws on, one for the verdicts or the comments, and one for the person's actions.
    with django_assert_max_num_queries(5):
        client.get("/")
