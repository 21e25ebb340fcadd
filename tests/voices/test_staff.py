"""The lead's pages: opening and closing consultations, offline responses, themes, links."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.voices.factories import ANSWERS, lead_of, make_appraisal, open_for, post_past_the_warning
from trustworthy.voices import services
from trustworthy.voices.models import Consultation, Response, Theme
from trustworthy.voices.records import TITLE, voices_section
from trustworthy.voices.tokens import hash_token

pytestmark = pytest.mark.django_db

CONSULTATION = {
    "title": "Family meetings",
    "description": "We want to try a family meeting before big decisions.",
    "groups": ["young-people", "parents-and-families"],
    "expires_on": "",
}


@pytest.fixture
def appraisal(organisation):
    return make_appraisal(organisation)


def test_the_lead_opens_a_consultation_and_sees_the_link_once(appraisal, client_as):
    client = client_as("lead")
    response = client.post(
        f"/appraisals/{appraisal.pk}/voices/consultations/new/", {**CONSULTATION, "expires_on": _soon()}
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/voices/consultations/{consultation.pk}/link/"
    page = client.get(response["Location"]).content.decode()
    link = re.search(r"http://testserver/v/([A-Za-z0-9_-]+)/", page)
    assert link
    assert hash_token(link.group(1)) == consultation.token_hash
    assert 'alt="QR code that opens the link above"' in page
    assert "data:image/svg+xml" in page
    assert consultation.groups == ["young-people", "parents-and-families"]
    again = client.get(response["Location"]).content.decode()
    assert link.group(1) not in again
    assert "Make a new link" in again


def test_a_closing_date_in_the_past_is_refused(appraisal, client_as):
    response = client_as("lead").post(
        f"/appraisals/{appraisal.pk}/voices/consultations/new/", {**CONSULTATION, "expires_on": "2001-01-01"}
    )
    assert "The closing date must be in the future." in response.content.decode()
    assert not Consultation.objects.exists()


def test_the_lead_closes_a_consultation(appraisal, client_as):
    new = open_for(appraisal)
    client = client_as("lead")
    assert (
        "Close the consultation"
        in client.get(f"/voices/consultations/{new.consultation.pk}/close/").content.decode()
    )
    client.post(f"/voices/consultations/{new.consultation.pk}/close/")
    assert Consultation.objects.get().is_closed
    assert Client().get(f"/v/{new.token}/").status_code == 410


def test_staff_enter_an_offline_response_with_how_it_was_gathered(appraisal, client_as):
    client = client_as("contributor")
    url = f"/appraisals/{appraisal.pk}/voices/responses/new/"
    missing = client.post(url, {"good": "Good idea"})
    assert "Choose how the response was gathered." in missing.content.decode()
    response = client.post(
        url,
        {**ANSWERS, "source": "workshop", "gathered_how": "Youth forum, run by the participation worker",
         "gathered_on": "2026-01-10", "group": "young-people"},
    )  # fmt: skip
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.source == "workshop"
    assert saved.gathered_how == "Youth forum, run by the participation worker"
    assert saved.entered_by is not None
    assert saved.entered_by.email == "contributor@council.test"
    assert saved.consultation is None


def test_the_lead_tags_a_theme_and_links_a_response(appraisal, client_as):
    new = open_for(appraisal)
    answer = services.submit_online(
        consultation_id=new.consultation.pk, group="young-people", answers=ANSWERS
    )
    client = client_as("lead")
    client.post(
        f"/appraisals/{appraisal.pk}/voices/themes/new/",
        {
            "name": "Waiting times",
            "description": "Several worried about delay.",
            "question_ids": ["P7", "E1"],
        },
    )
    theme = Theme.objects.get()
    assert theme.question_ids == ["P7", "E1"]
    response = client.post(
        f"/voices/responses/{answer.pk}/", {"theme_ids": [str(theme.pk)], "question_ids": ["P4", "T6"]}
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert list(answer.themes.all()) == [theme]
    assert answer.question_ids == ["P4", "T6"]
    summary = client.get(f"/appraisals/{appraisal.pk}/voices/").content.decode()
    assert "Waiting times" in summary
    assert "No note on how it shaped the decision" in summary


def test_a_theme_from_another_appraisal_cannot_be_linked(appraisal, organisation):
    other = make_appraisal(organisation)
    lead = lead_of(organisation)
    theme = services.save_theme(
        appraisal=other, user=lead, name="X", description="", question_ids=[], decision_note=""
    )
    answer = services.enter_offline(
        appraisal=appraisal, user=appraisal.created_by, group="", source="paper", gathered_how="Paper form",
        gathered_on=None, answers=ANSWERS,
    )  # fmt: skip
    with pytest.raises(services.ServiceError):
        services.link_response(response=answer, user=lead, question_ids=[], theme_ids=[theme.pk])


def test_unknown_questions_are_refused(appraisal):
    with pytest.raises(services.ServiceError):
        services.save_theme(
            appraisal=appraisal, user=appraisal.created_by, name="X", description="", question_ids=["Z9"],
            decision_note="",
        )  # fmt: skip


def test_viewers_read_but_cannot_link(appraisal, client_as):
    answer = services.enter_offline(
        appraisal=appraisal, user=appraisal.created_by, group="", source="paper", gathered_how="Paper form",
        gathered_on=None, answers=ANSWERS,
    )  # fmt: skip
    client = client_as("viewer")
    assert client.get(f"/voices/responses/{answer.pk}/").status_code == 200
    assert client.post(f"/voices/responses/{answer.pk}/", {"question_ids": ["P4"]}).status_code == 403


def test_counts_per_group_and_mode_show_on_the_p4_page(appraisal, client_as):
    new = open_for(appraisal, groups=("young-people", "carers"))
    for group in ("young-people", "young-people", "carers", ""):
        services.submit_online(consultation_id=new.consultation.pk, group=group, answers=ANSWERS)
    services.enter_offline(
        appraisal=appraisal, user=appraisal.created_by, group="young-people", source="workshop",
        gathered_how="Forum", gathered_on=None, answers=ANSWERS,
    )  # fmt: skip
    section = voices_section(appraisal)
    cells = {(r.group, r.source): r.count for r in section.counts}
    assert cells == {
        ("young-people", "online"): 2,
        ("young-people", "workshop"): 1,
        ("carers", "online"): 1,
        ("", "online"): 1,
    }
    assert section.response_count == 5
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/questions/P4/").content.decode()
    assert "Responses by group and how they were gathered" in page
    assert "Workshop or group session" in page


def test_the_decision_record_section_carries_every_theme_and_its_note(appraisal):
    services.save_theme(
        appraisal=appraisal, user=appraisal.created_by, name="Waiting", description="",
        question_ids=["T6", "P4"], decision_note="We added a two-week limit.",
    )  # fmt: skip
    section = voices_section(appraisal)
    assert section.title == TITLE
    assert [(t.name, t.decision_note, t.question_ids) for t in section.themes] == [
        ("Waiting", "We added a two-week limit.", ("P4", "T6"))
    ]
    assert section.question_ids == ("P4", "T6")  # in the framework's order


def test_admins_set_the_safeguarding_line_shown_to_participants(appraisal, client_as):
    new = open_for(appraisal)
    post_past_the_warning(
        client_as("admin"), reverse("voices-safeguarding"),
        {"safeguarding_contact": "Call the duty team on 0100 000 0000."},
    )  # fmt: skip
    assert "Call the duty team on 0100 000 0000." in Client().get(f"/v/{new.token}/").content.decode()


def _soon() -> str:
    import datetime

    from django.utils import timezone

    return (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
