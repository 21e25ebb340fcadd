"""What an appraisal records is loaded once for each state of it (selectors.page_data), and
the parts of pages drawn from it alone are rendered once (presenters.content_html); what
depends on the person looking is worked out for every request."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from trustworthy.appraisals import selectors, services
from trustworthy.appraisals.models import Answer, Appraisal, Decision
from trustworthy.appraisals.selectors import appraisal_in, load_appraisal, page_data
from trustworthy.organisations.models import Organisation, User

from .factories import decide, fill_appraisal, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    selectors.forget_page_data()
    yield
    selectors.forget_page_data()


@pytest.fixture
def lead(organisation: Organisation) -> User:
    return User.objects.get(email="lead@council.test")


@pytest.fixture
def appraisal(organisation: Organisation, lead: User) -> Appraisal:
    started = services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)
    return fill_appraisal(started, lead)


def fresh(appraisal: Appraisal) -> Appraisal:
    """The appraisal as a page finds it."""
    return appraisal_in(organisation_ids=[appraisal.organisation_id], appraisal_id=appraisal.pk)


def summary(data: selectors.AppraisalData) -> tuple[object, ...]:
    return (
        {k: (a.pk, a.value, a.rationale) for k, a in data.answers.items()},
        {k: [r.pk for r in rows] for k, rows in data.rows.items()},
        sorted(data.ratings),
        sorted(data.participation),
        data.decision.pk if data.decision else None,
        data.route,
        data.completeness,
    )


def test_the_same_as_loading_it(appraisal: Appraisal) -> None:
    assert summary(page_data(fresh(appraisal))) == summary(load_appraisal(fresh(appraisal)))


def test_loaded_once_for_each_state(appraisal: Appraisal, lead: User) -> None:
    page_data(fresh(appraisal))
    with CaptureQueriesContext(connection) as queries:
        data = page_data(fresh(appraisal))
        data.completeness, data.route  # noqa: B018
    assert len(queries) == 1, "only the appraisal itself, which says which state it is in"

    services.save_answer(
        appraisal=fresh(appraisal), question_id="P1", user=lead, value="no", rationale="Changed our mind.",
        expected_version=1,
    )  # fmt: skip
    assert page_data(fresh(appraisal)).answers["P1"].rationale == "Changed our mind."


def test_a_change_made_by_another_process_is_seen(appraisal: Appraisal) -> None:
    """Another worker's change arrives without this process's signals; the audit chain it
    moved, read with the appraisal, is what tells this process its copy is old."""
    page_data(fresh(appraisal))
    Answer.objects.filter(appraisal=appraisal, question_id="P1").update(rationale="Written elsewhere.")
    assert page_data(fresh(appraisal)).answers["P1"].rationale != "Written elsewhere.", (
        "a change outside the gate, which moves no audit chain, is not looked for"
    )
    Appraisal.objects.filter(pk=appraisal.pk).update(audit_count=F("audit_count") + 1, audit_head="0" * 64)
    assert page_data(fresh(appraisal)).answers["P1"].rationale == "Written elsewhere."


def test_a_change_saved_in_this_process_outside_the_gate_drops_the_copy(appraisal: Appraisal) -> None:
    page_data(fresh(appraisal))
    answer = Answer.objects.get(appraisal=appraisal, question_id="P1")
    answer.rationale = "Saved from a shell."
    answer.save()
    assert page_data(fresh(appraisal)).answers["P1"].rationale == "Saved from a shell."


def test_each_request_gets_its_own_appraisal_and_decision(appraisal: Appraisal, lead: User) -> None:
    first = page_data(fresh(appraisal))
    decide(fresh(appraisal), User.objects.get(email="approver@council.test"))
    second_appraisal = fresh(appraisal)
    with CaptureQueriesContext(connection) as queries:
        second = page_data(second_appraisal)
        recorded_by = str(second.decision.recorded_by) if second.decision else None
    assert second.appraisal is second_appraisal
    assert first.appraisal is not second_appraisal
    assert first.decision is None
    assert recorded_by == "Approver of Northshire Council"
    assert len(queries) == 4, (
        "a new state: answers, rows, ratings, participation; the decision came with the appraisal"
    )


def test_the_appraisal_comes_with_what_pages_show_beside_it(appraisal: Appraisal) -> None:
    decide(fresh(appraisal), User.objects.get(email="approver@council.test"))
    with CaptureQueriesContext(connection) as queries:
        found = fresh(appraisal)
        shown = (found.project.title, found.organisation.name, found.previous, found.approved_by)
        decision = found.decision
        recorded_by = decision.recorded_by.email
    assert len(queries) == 1
    assert shown[:2] == (appraisal.project.title, "Northshire Council")
    assert decision == Decision.objects.get(appraisal=appraisal)
    assert recorded_by == "approver@council.test"
    assert found.signed_content == Appraisal.objects.get(pk=appraisal.pk).signed_content  # read when asked


def test_only_recent_appraisals_are_kept(
    organisation: Organisation, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "PAGE_CACHE_SIZE", 2)
    appraisals = [
        services.start_appraisal(
            project=make_project(organisation, lead, title=f"P{n}"), stage="inception", user=lead
        )
        for n in range(3)
    ]
    for one in appraisals:
        page_data(fresh(one))
    assert list(selectors._page_cache) == [a.pk for a in appraisals[1:]]


# --- the parts of pages rendered once, and the parts that depend on the person ---------------


def test_check_your_answers_offers_the_decision_only_to_those_who_record_it(
    client_as, appraisal: Appraisal
) -> None:
    url = f"/appraisals/{appraisal.pk}/check/"
    for role, offered in (("viewer", False), ("approver", True), ("lead", False), ("approver", True)):
        page = client_as(role).get(url).content.decode()
        assert "Not complete yet" not in page
        assert f"/appraisals/{appraisal.pk}/questions/P7/" in page
        assert (f"/appraisals/{appraisal.pk}/decision/" in page) is offered, role


def test_the_task_list_shows_each_person_what_they_may_do(client_as, appraisal: Appraisal) -> None:
    url = f"/appraisals/{appraisal.pk}/"
    criteria = f"/appraisals/{appraisal.pk}/criteria/"
    lead_page = client_as("lead").get(url).content.decode()
    viewer_page = client_as("viewer").get(url).content.decode()
    assert criteria in lead_page
    assert criteria not in viewer_page
    tasks = lead_page[lead_page.index("Decision record") :]
    assert tasks == viewer_page[viewer_page.index("Decision record") :], "the tasks are the same for both"


def test_a_comment_shows_at_once(client_as, appraisal: Appraisal) -> None:
    url = f"/appraisals/{appraisal.pk}/questions/P1/"
    assert "Please add the source" not in client_as("reviewer").get(url).content.decode()
    client_as("reviewer").post(
        f"/appraisals/{appraisal.pk}/comments/",
        {"target": "P1", "text": "Please add the source", "next": url},
    )
    assert "Please add the source" in client_as("viewer").get(url).content.decode()


def test_one_csrf_token_for_every_form_on_a_page(client_as, appraisal: Appraisal) -> None:
    """A register question with rows has a comment form for each row, and the sign-out form."""
    page = client_as("lead").get(f"/appraisals/{appraisal.pk}/questions/P7/").content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    forms = page.count("<form")
    assert forms > 3
    assert len(tokens) == 1
