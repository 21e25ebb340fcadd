"""The one edit flow: kept work after sign-out, the personal-data check, version conflicts, save.

The personal-data check is re-run on the text actually being saved: the page that warns
carries a digest of the text it warned about, and only that same text is saved when the
person keeps it. A bare "checked" flag, or the digest of other text, saves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.appraisals.factories import FW, ROWS, make_project
from tests.appraisals.test_views import PROJECT_POST
from tests.conftest import PASSWORD
from tests.interests_support import declare_none_if_needed
from tests.reviews.helpers import approved, complete_appraisal, in_review, person
from trustworthy.appraisals import services
from trustworthy.appraisals.models import Answer, Appraisal, Participation
from trustworthy.core.editing import CHECKED_FIELD, handle_edit, text_digest
from trustworthy.core.errors import Invalid, Locked
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation, User

pytestmark = pytest.mark.django_db

BIRTH = "Her son was born on 3 March 2015, and the panel helped."
OTHER_BIRTH = "His daughter, date of birth 12/04/2016, found the panel hard."
WARNING = "Check for personal details"


def warned_digest(page: str) -> str:
    """The digest the warning page sends back if the person keeps their text."""
    found = re.search(rf'name="{CHECKED_FIELD}" value="([0-9a-f]+)"', page)
    assert found, "a page that warns about personal data carries the digest of what it checked"
    return found[1]


# --- every edit form in the appraisal and review pages goes through the flow ---------------


@dataclass(frozen=True)
class EditPage:
    """An edit form: who uses it, where, and what they send (one text holds a date of birth)."""

    role: str
    state: str  # "none", "draft", "in-review" or "approved": the appraisal the form needs
    url: Callable[[dict[str, Any]], str]
    post: Callable[[dict[str, Any]], dict[str, Any]]
    # A verdict or a decision: the page offers its form only once the person has declared
    # their interests (appraisals/policy.py), so they declare "no interest" first.
    declares: bool = False


def _principles_post(objects: dict[str, Any]) -> dict[str, Any]:
    cluster = FW.question("E1").cluster or ""
    return {"value": "partly", "rationale": BIRTH} | {
        f"rating_{p.id}": "supports" for p in FW.principles_in(cluster)
    }


CRITERIA = ("D1", "D2", "D3a", "D3b", "D3c", "D4", "D5")
SECTIONS = ("parameters", "principles", "tests")

EDIT_PAGES: dict[str, EditPage] = {
    "project create": EditPage(
        "lead", "none", lambda o: reverse("project-create"), lambda o: PROJECT_POST | {"summary": BIRTH}
    ),
    "project edit": EditPage(
        "lead",
        "draft",
        lambda o: reverse("project-edit", args=[o["appraisal"].project_id]),
        lambda o: PROJECT_POST | {"problem": BIRTH},
    ),
    "question": EditPage(
        "contributor",
        "draft",
        lambda o: reverse("appraisal-question", args=[o["appraisal"].pk, "P2"]),
        lambda o: {"value": "no", "rationale": BIRTH, "evidence": ""},
    ),
    "principles aspect": EditPage(
        "lead",
        "draft",
        lambda o: reverse("appraisal-principles", args=[o["appraisal"].pk, "E1", "process"]),
        _principles_post,
    ),
    "participation": EditPage(
        "lead",
        "draft",
        lambda o: reverse("appraisal-participation", args=[o["appraisal"].pk, "carers"]),
        lambda o: {"mode": "consulted", "reason": "", "summary": BIRTH},
    ),
    "register row add": EditPage(
        "lead",
        "draft",
        lambda o: reverse("register-add", args=[o["appraisal"].pk, "risks"]),
        lambda o: ROWS["risks"] | {"mitigation": BIRTH},
    ),
    "register row change": EditPage(
        "contributor",
        "draft",
        lambda o: reverse("register-change", args=[o["appraisal"].pk, "risks", o["row"]]),
        lambda o: ROWS["risks"] | {"mitigation": BIRTH},
    ),
    "decision": EditPage(
        "approver",
        "draft",
        lambda o: reverse("appraisal-decision", args=[o["appraisal"].pk]),
        lambda o: {
            "decision": "proceed-with-mitigations",
            "reasoning": BIRTH,
            "departure_reason": "",
            "accountable_person": "Director of Children's Services",
            "decided_on": "2026-11-26",
        },
        declares=True,
    ),
    "criteria": EditPage(
        "lead",
        "draft",
        lambda o: reverse("appraisal-criteria", args=[o["appraisal"].pk]),
        lambda o: {f"rating_{c}": "partly" for c in CRITERIA} | {"note_D1": BIRTH},
    ),
    "review": EditPage(
        "reviewer",
        "in-review",
        lambda o: reverse("appraisal-review", args=[o["appraisal"].pk]),
        lambda o: (
            {f"verdict_{s}": "acceptable" for s in SECTIONS}
            | {"verdict_parameters": "needs-work", "comment_parameters": BIRTH}
        ),
        declares=True,
    ),
    "step": EditPage(
        "reviewer",
        "in-review",
        lambda o: reverse("appraisal-step", args=[o["appraisal"].pk, "request-changes"]),
        lambda o: {"reason": BIRTH},
        declares=True,
    ),
    "comment": EditPage(
        "reviewer",
        "draft",
        lambda o: reverse("appraisal-comments", args=[o["appraisal"].pk]),
        lambda o: {
            "target": "P1",
            "text": BIRTH,
            "next": reverse("appraisal-question", args=[o["appraisal"].pk, "P1"]),
        },
    ),
    "new version": EditPage(
        "lead",
        "approved",
        lambda o: reverse("appraisal-new-version", args=[o["appraisal"].pk]),
        lambda o: {"reason": BIRTH},
    ),
}


def objects_for(state: str, organisation: Organisation) -> dict[str, Any]:
    builders: dict[str, Callable[[Organisation], Appraisal]] = {
        "draft": complete_appraisal,
        "in-review": in_review,
        "approved": approved,
    }
    if state == "none":
        return {}
    appraisal = builders[state](organisation)
    return {"appraisal": appraisal, "row": appraisal.register_rows.filter(register="risks").first().pk}


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_every_edit_form_checks_the_text_it_saves(client_as, organisation, name: str) -> None:
    case = EDIT_PAGES[name]
    objects = objects_for(case.state, organisation)
    url, post = case.url(objects), case.post(objects)
    client = client_as(case.role)
    if case.declares:
        declare_none_if_needed(objects["appraisal"], person(case.role))
    events = AuditEvent.objects.count()

    # A bare flag, as a stale page or a hand-made request would send, is not a check.
    response = client.post(url, post | {CHECKED_FIELD: "1"})
    page = response.content.decode()
    assert response.status_code == 200, page
    assert WARNING in page
    assert "looks like a date of birth" in page
    assert AuditEvent.objects.count() == events, "nothing is saved while the warning stands"

    # Keeping exactly the text that was checked saves it, once.
    response = client.post(url, post | {CHECKED_FIELD: warned_digest(page)})
    assert response.status_code == 302, response.content.decode()
    assert AuditEvent.objects.count() == events + 1


# --- the question page, step by step -------------------------------------------------------


@pytest.fixture
def question_url(organisation: Organisation) -> str:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    return reverse("appraisal-question", args=[appraisal.pk, "P1"])


def test_the_digest_of_other_text_does_not_let_personal_data_through(client_as, question_url: str) -> None:
    client = client_as("lead")
    first = client.post(question_url, {"value": "yes", "rationale": BIRTH})
    checked = warned_digest(first.content.decode())
    # Different text with the first text's digest: checked again, warned about, not saved.
    response = client.post(question_url, {"value": "yes", "rationale": OTHER_BIRTH, CHECKED_FIELD: checked})
    page = response.content.decode()
    assert response.status_code == 200
    assert WARNING in page
    assert "12/04/2016" in page
    assert not Answer.objects.exists()
    assert warned_digest(page) != checked, "the new warning is for the new text"


def test_a_digest_made_up_for_other_text_saves_nothing(client_as, question_url: str) -> None:
    forged = text_digest({"rationale": "Nothing personal here."})
    response = client_as("lead").post(
        question_url, {"value": "yes", "rationale": BIRTH, CHECKED_FIELD: forged}
    )
    assert response.status_code == 200
    assert WARNING in response.content.decode()
    assert not Answer.objects.exists()


def test_changing_the_text_after_the_warning_warns_again_then_saves_what_was_kept(
    client_as, question_url: str
) -> None:
    client = client_as("lead")
    first = warned_digest(client.post(question_url, {"value": "yes", "rationale": BIRTH}).content.decode())
    changed = BIRTH.replace("panel helped", "panel helped a lot")
    response = client.post(question_url, {"value": "yes", "rationale": changed, CHECKED_FIELD: first})
    assert WARNING in response.content.decode(), "a change after the warning is checked again"
    assert not Answer.objects.exists()
    second = warned_digest(response.content.decode())
    response = client.post(question_url, {"value": "yes", "rationale": changed, CHECKED_FIELD: second})
    assert response.status_code == 302
    assert Answer.objects.get().rationale == changed


def test_text_put_right_after_the_warning_saves_without_being_kept(client_as, question_url: str) -> None:
    client = client_as("lead")
    checked = warned_digest(client.post(question_url, {"value": "yes", "rationale": BIRTH}).content.decode())
    clean = "A parent told us the panel helped."
    response = client.post(question_url, {"value": "yes", "rationale": clean, CHECKED_FIELD: checked})
    assert response.status_code == 302
    assert Answer.objects.get().rationale == clean


def test_a_comment_saved_goes_back_to_the_page_it_was_written_on(client_as, organisation) -> None:
    appraisal = complete_appraisal(organisation)
    url = reverse("appraisal-comments", args=[appraisal.pk])
    back = reverse("appraisal-question", args=[appraisal.pk, "P1"])
    response = client_as("reviewer").post(url, {"target": "P1", "text": "Which model is this?", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back


def test_kept_work_after_sign_out_comes_back_through_the_flow(question_url: str, organisation) -> None:
    client = Client()
    client.force_login(User.objects.get(email="lead@council.test"))
    client.get(question_url)  # the lead opens the question...
    del client.cookies[settings.SESSION_COOKIE_NAME]  # ...and the session expires while they type
    response = client.post(question_url, {"value": "partly", "rationale": BIRTH, "evidence": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={question_url}"
    client.post(reverse("login"), {"email": "lead@council.test", "password": PASSWORD, "next": question_url})

    page = client.get(question_url).content.decode()
    assert "You were signed out. We kept what you typed" in page
    assert "born on 3 March 2015" in page
    assert 'value="partly" checked' in page
    assert not Answer.objects.exists(), "kept work is shown to check, not saved"

    # Sent again, it goes through the same checks as any other save.
    response = client.post(question_url, {"value": "partly", "rationale": BIRTH, "evidence": ""})
    assert WARNING in response.content.decode()
    assert not Answer.objects.exists()
    checked = warned_digest(response.content.decode())
    response = client.post(
        question_url, {"value": "partly", "rationale": BIRTH, "evidence": "", CHECKED_FIELD: checked}
    )
    assert response.status_code == 302
    assert Answer.objects.get().rationale == BIRTH


def test_a_conflict_shows_both_texts_keeps_the_persons_own_and_saves_on_the_newest_version(
    client_as, organisation
) -> None:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    url = reverse("appraisal-participation", args=[appraisal.pk, "carers"])
    theirs = {
        "mode": "consulted",
        "reason": "",
        "summary": "Carers asked for evening sessions.",
        "version": "0",
    }
    assert client_as("lead").post(url, theirs).status_code == 302
    mine = theirs | {"summary": "Carers wanted more notice of meetings."}
    response = client_as("contributor").post(url, mine)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it" in page
    assert "Carers asked for evening sessions." in page, "what the other person saved"
    assert "Carers wanted more notice of meetings." in page, "what this person typed, kept"
    assert 'name="version" value="1"' in page, "the next save starts from the newest version"
    assert Participation.objects.get().summary == "Carers asked for evening sessions."
    response = client_as("contributor").post(url, mine | {"version": "1"})
    assert response.status_code == 302
    assert Participation.objects.get().summary == "Carers wanted more notice of meetings."


# --- the flow itself ----------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField()
    place = forms.ChoiceField(choices=[("home", "Home"), ("school", "School")])
    back = forms.CharField(widget=forms.HiddenInput, required=False)


class NotThere(Invalid):
    field = "place"


def _post(data: dict[str, str]) -> Any:
    return RequestFactory().post("/", data)


def test_a_refusal_the_person_can_fix_is_shown_on_the_form() -> None:
    form = NoteForm({"note": "Fine", "place": "home"})

    def save(fields: dict[str, Any]) -> None:
        raise NotThere("Choose a place this team works in.")

    edit = handle_edit(_post({}), form, save)
    assert not edit.saved
    assert form.errors["place"] == ["Choose a place this team works in."]


def test_a_refusal_the_person_cannot_fix_here_is_raised_for_the_409_page() -> None:
    form = NoteForm({"note": "Fine", "place": "home"})

    def save(fields: dict[str, Any]) -> None:
        raise Locked("This appraisal is approved and locked.")

    with pytest.raises(Locked):
        handle_edit(_post({}), form, save)


def test_text_fields_are_checked_and_digested_but_choices_are_not() -> None:
    saved: list[dict[str, Any]] = []
    form = NoteForm({"note": "All fine.", "place": "home"})
    assert handle_edit(_post({}), form, saved.append).saved
    assert form.personal_data_digest == text_digest({"note": "All fine."}), "a choice is not free text"
    form = NoteForm({"note": "All fine.", "place": "home", "back": "Born on 01/01/2015"})
    assert not handle_edit(_post({}), form, saved.append).saved, "hidden text is saved text too"
    form = NoteForm({"note": BIRTH, "place": "home"})
    edit = handle_edit(_post({}), form, saved.append)
    assert not edit.saved
    assert form.personal_data_digest == text_digest({"note": BIRTH})
    assert saved == [{"note": "All fine.", "place": "home", "back": ""}]
