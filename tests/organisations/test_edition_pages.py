"""The organisation's framework edition page and its local questions, through the web."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from trustworthy.appraisals import services
from trustworthy.framework import default_framework
from trustworthy.organisations import editions
from trustworthy.organisations.models import ChosenEdition, Edition, Organisation, User

from ..appraisals.factories import make_project

pytestmark = pytest.mark.django_db
FW = default_framework()
QUESTION = {
    "text": "Has the data protection officer seen the plan?",
    "why": "Our board asks it of every project.",
    "covers": "When they saw it and what they said.",
    "kind": "closed",
}


@pytest.fixture(autouse=True)
def _fresh_editions() -> Iterator[None]:
    editions.forget_parsed()
    yield
    editions.forget_parsed()


def test_an_admin_adds_a_local_question_through_the_web(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    admin = client_as("admin")
    page = admin.get("/organisation/framework/").content.decode()
    assert FW.key in page
    assert "has not added questions of its own" in page
    assert "/organisation/framework/local-questions/add/" in page
    form = admin.get("/organisation/framework/local-questions/add/").content.decode()
    assert "Yes, Partly, No, Not sure" in form  # the closed kind's hint: the edition's answer scale

    # A missing field is named, and what was typed is kept.
    refused = admin.post("/organisation/framework/local-questions/add/", {**QUESTION, "covers": ""})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Enter what a good answer covers" in text
    assert QUESTION["why"] in text
    assert not Edition.objects.exists()

    saved = admin.post("/organisation/framework/local-questions/add/", QUESTION)
    assert saved.status_code == 302
    assert saved["Location"] == "/organisation/framework/"
    page = admin.get("/organisation/framework/").content.decode()
    assert "L1" in page
    assert QUESTION["text"] in page
    assert QUESTION["why"] in page
    assert editions.current_edition(organisation).question("L1").text == QUESTION["text"]


def test_others_see_the_edition_but_only_an_admin_changes_it(
    organisation: Organisation, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    page = lead.get("/organisation/framework/").content.decode()
    assert FW.key in page
    assert "Add a local question" not in page
    assert lead.post("/organisation/framework/", {"edition": FW.key}).status_code == 403
    assert lead.post("/organisation/framework/local-questions/add/", QUESTION).status_code == 403
    assert not ChosenEdition.objects.exists()
    assert not Edition.objects.exists()


def test_an_admin_chooses_among_the_editions_offered_to_the_organisation(
    organisation: Organisation, other_organisation: Organisation, client_as: Callable[..., Client]
) -> None:
    theirs = client_as("admin", "trust")
    assert theirs.post("/organisation/framework/local-questions/add/", QUESTION).status_code == 302
    their_key = editions.current_edition(other_organisation).key
    admin = client_as("admin")
    assert their_key not in admin.get("/organisation/framework/").content.decode()
    refused = admin.post("/organisation/framework/", {"edition": their_key})
    assert refused.status_code == 200
    assert "Choose an edition from the list" in refused.content.decode()
    assert editions.current_edition(organisation) is FW

    # Back to the built-in edition after adding a question: new appraisals use it again.
    assert admin.post("/organisation/framework/local-questions/add/", QUESTION).status_code == 302
    assert editions.current_edition(organisation).key != FW.key
    assert admin.post("/organisation/framework/", {"edition": FW.key}).status_code == 302
    assert editions.current_edition(organisation) is FW


def test_the_task_list_question_page_and_check_answers_carry_local_questions(
    organisation: Organisation, client_as: Callable[..., Client]
) -> None:
    added = client_as("admin").post("/organisation/framework/local-questions/add/", QUESTION)
    assert added.status_code == 302
    lead_user = User.objects.get(email="lead@council.test")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead_user), stage="inception", user=lead_user
    )
    lead = client_as("lead")
    tasks = lead.get(f"/appraisals/{appraisal.pk}/").content.decode()
    assert "4. Local questions" in tasks
    assert "5. Decision" in tasks
    assert f"/appraisals/{appraisal.pk}/questions/L1/" in tasks
    page = lead.get(f"/appraisals/{appraisal.pk}/questions/L1/").content.decode()
    assert QUESTION["text"] in page
    assert QUESTION["why"] in page
    assert 'value="partly"' in page  # answered on the edition's answer scale
    saved = lead.post(
        f"/appraisals/{appraisal.pk}/questions/L1/",
        {"value": "partly", "rationale": "Booked for next week.", "evidence": "", "version": "0"},
    )
    assert saved.status_code == 302
    check = lead.get(f"/appraisals/{appraisal.pk}/check/").content.decode()
    assert QUESTION["text"] in check
    assert "Booked for next week." in check
