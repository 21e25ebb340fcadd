"""Readiness for innovation: each appraisal assesses resources, culture, permissions and
capabilities (in place, partly, not in place, with evidence) through the gate; the task list
shows where it stands, the decision page weighs the gaps, gaps become actions with owners,
and the assessment is carried forward to the next stage to confirm or change."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from trustworthy.appraisals import actions, readiness, services
from trustworthy.appraisals.models import Appraisal, ReadinessAssessment
from trustworthy.appraisals.policy import LockedError, NotPermitted
from trustworthy.core.models import AuditEvent
from trustworthy.core.text import TextRefused
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as reviews

from ..reviews.helpers import accept_all, complete_appraisal, person
from .factories import FW, decide

pytestmark = pytest.mark.django_db

ENTRIES = {
    "resources": ("in-place", "Two years of funding agreed by the finance board."),
    "culture": ("partly", "Managers support it; two teams are wary of more meetings."),
    "permissions": ("not-in-place", "Cabinet approval is due in March."),
    "capabilities": ("in-place", "Four coordinators trained in family group conferencing."),
}
DUE = datetime.date(2027, 3, 27)


def assess(appraisal: Appraisal, entries: dict[str, tuple[str, str]] = ENTRIES) -> None:
    readiness.save_readiness(appraisal=appraisal, user=person("lead"), entries=entries)


def form_for(entries: dict[str, tuple[str, str]], version: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {"version": version}
    for dimension, (status, evidence) in entries.items():
        data[f"status_{dimension}"] = status
        data[f"evidence_{dimension}"] = evidence
    return data


def squash(content: bytes) -> str:
    return re.sub(r"\s+", " ", content.decode())


def approved_with_readiness(organisation: Organisation) -> Appraisal:
    appraisal = complete_appraisal(organisation)
    assess(appraisal)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()
    return appraisal


# --- the page and the gate ---------------------------------------------------------------------


def test_a_lead_assesses_every_dimension_on_one_page_with_one_audit_event(
    organisation: Organisation, client_as
) -> None:
    appraisal = complete_appraisal(organisation)
    client: Client = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/readiness/"
    page = squash(client.get(url).content)
    for d in FW.readiness_dimensions:
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{d.label}' in page
    response = client.post(url, form_for(ENTRIES))
    assert response.status_code == 302
    assert response["Location"] == f"/appraisals/{appraisal.pk}/"
    saved = {
        a.dimension: (a.status, a.evidence) for a in ReadinessAssessment.objects.filter(appraisal=appraisal)
    }
    assert saved == ENTRIES
    events = AuditEvent.objects.filter(appraisal_id=appraisal.pk, action="readiness.saved")
    assert events.count() == 1
    assert events.get().after["culture"] == list(ENTRIES["culture"])


def test_a_contributor_may_assess_it_and_a_viewer_only_reads_it(
    organisation: Organisation, client_as
) -> None:
    appraisal = complete_appraisal(organisation)
    url = f"/appraisals/{appraisal.pk}/readiness/"
    assert client_as("contributor").post(url, form_for(ENTRIES)).status_code == 302
    viewer = client_as("viewer")
    page = squash(viewer.get(url).content)
    assert 'name="status_culture"' not in page  # no form: what was assessed, to read
    assert "Managers support it; two teams are wary of more meetings." in page
    assert viewer.post(url, form_for(ENTRIES, version=1)).status_code == 403
    with pytest.raises(NotPermitted):
        readiness.save_readiness(appraisal=appraisal, user=person("viewer"), entries=ENTRIES)


def test_errors_say_what_to_do_and_keep_what_was_typed(organisation: Organisation, client_as) -> None:
    appraisal = complete_appraisal(organisation)
    typed = {**ENTRIES, "culture": ("", "Managers support it; two teams are wary of more meetings.")}
    typed["permissions"] = ("not-in-place", "")
    response = client_as("lead").post(f"/appraisals/{appraisal.pk}/readiness/", form_for(typed))
    assert response.status_code == 200
    page = squash(response.content)
    assert "There is a problem" in page
    assert "Select in place, partly or not in place for culture" in page
    assert "Enter the evidence for permissions" in page
    assert "Managers support it; two teams are wary of more meetings." in page  # kept
    assert "Two years of funding agreed by the finance board." in page
    assert not ReadinessAssessment.objects.filter(appraisal=appraisal).exists()


def test_evidence_is_checked_for_personal_details_like_other_free_text(
    organisation: Organisation, client_as
) -> None:
    appraisal = complete_appraisal(organisation)
    typed = {**ENTRIES, "culture": ("partly", "Ask jane.doe@example.com, who leads the wary team.")}
    response = client_as("lead").post(f"/appraisals/{appraisal.pk}/readiness/", form_for(typed))
    assert response.status_code == 200
    assert "Check for personal details" in response.content.decode()
    assert not ReadinessAssessment.objects.filter(appraisal=appraisal).exists()


def test_the_evidence_is_bounded(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    with pytest.raises(TextRefused) as refused:
        assess(appraisal, {**ENTRIES, "culture": ("partly", "x" * 2_001)})
    assert refused.value.field == "evidence_culture"


def test_a_save_from_an_older_page_is_refused_with_what_is_there_now(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    assess(appraisal)
    with pytest.raises(services.ConflictError) as conflict:
        readiness.save_readiness(
            appraisal=appraisal, user=person("contributor"), entries=ENTRIES, expected_version=0
        )
    assert conflict.value.current["permissions"] == list(ENTRIES["permissions"])


def test_it_cannot_change_once_sent_for_review(organisation: Organisation) -> None:
    appraisal = complete_appraisal(organisation)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    with pytest.raises(LockedError):
        assess(appraisal)


# --- where it shows ------------------------------------------------------------------------------


def test_the_task_list_shows_where_readiness_stands_and_its_gaps(
    organisation: Organisation, client_as
) -> None:
    appraisal = complete_appraisal(organisation)
    client = client_as("viewer")
    before = squash(client.get(f"/appraisals/{appraisal.pk}/").content)
    assert "Assess readiness for innovation" in before
    assert re.search(r'id="task-readiness-status">\s*<strong class="govuk-tag [^"]*">Not started', before)
    assess(appraisal)
    after = squash(client.get(f"/appraisals/{appraisal.pk}/").content)
    assert re.search(r'id="task-readiness-status"> Completed', after)
    assert "Gaps: culture (partly in place), permissions (not in place)" in after


def test_the_decision_page_weighs_the_gaps_and_what_was_not_assessed(
    organisation: Organisation, client_as
) -> None:
    appraisal = complete_appraisal(organisation)
    client = client_as("approver")
    page = squash(client.get(f"/appraisals/{appraisal.pk}/decision/").content)
    assert 'id="concerns-readiness"' in page
    assert "Not assessed" in page
    assess(appraisal)
    page = squash(client.get(f"/appraisals/{appraisal.pk}/decision/").content)
    weighed = page.split('id="concerns-readiness"', 1)[1].split("</section>", 1)[0]
    assert 'Partly in place: <span class="app-pre-line">Managers support it' in weighed
    assert 'Not in place: <span class="app-pre-line">Cabinet approval is due in March.' in weighed
    assert "Four coordinators trained" not in weighed  # in place: nothing to weigh
    assert "Not assessed" not in weighed


def test_readiness_gaps_are_pure_facts_of_the_assessment() -> None:
    from trustworthy.appraisals.weighing import readiness_gaps

    found = {"culture": ReadinessAssessment(dimension="culture", status="partly", evidence="Wary teams.")}
    gaps = readiness_gaps(FW, found)
    assert [(g.dimension, g.status_label, g.evidence) for g in gaps] == [
        ("resources", "Not assessed", ""),
        ("culture", "Partly in place", "Wary teams."),
        ("permissions", "Not assessed", ""),
        ("capabilities", "Not assessed", ""),
    ]


# --- gaps become actions -------------------------------------------------------------------------


def test_gaps_become_actions_with_owners(organisation: Organisation, client_as) -> None:
    appraisal = complete_appraisal(organisation)
    assess(appraisal)
    gaps = {a.dimension: a for a in ReadinessAssessment.objects.filter(appraisal=appraisal)}
    client = client_as("lead")
    listed = squash(client.get(f"/appraisals/{appraisal.pk}/actions/").content)
    assert "Gaps in readiness for innovation" in listed
    assert "Culture: partly in place" in listed
    assert "Permissions: not in place" in listed
    assert "Resources: in place" not in listed
    offered = client.get(f"/appraisals/{appraisal.pk}/actions/new/?source=readiness&row={gaps['culture'].pk}")
    assert offered.status_code == 200
    assert "From a gap in readiness: Culture: partly in place" in offered.content.decode()
    # Something in place is no gap: there is nothing to make an action from.
    in_place = f"/appraisals/{appraisal.pk}/actions/new/?source=readiness&row={gaps['resources'].pk}"
    assert client.get(in_place).status_code == 404
    response = client.post(
        f"/appraisals/{appraisal.pk}/actions/new/",
        {"version": 0, "source": "readiness", "row": gaps["culture"].pk, "what": "Meet the wary teams",
         "owner_name": "Head of service", "due_on": "27/03/2027"},
    )  # fmt: skip
    assert response.status_code == 302
    made = actions.actions_of(appraisal)
    assert [(a.source, a.readiness_id, a.owner_label) for a in made] == [
        ("readiness", gaps["culture"].pk, "Head of service")
    ]
    assert actions.action_facts(appraisal)[0]["source_label"] == "Gap in readiness for innovation: Culture"
    again = squash(client.get(f"/appraisals/{appraisal.pk}/actions/").content)
    assert "An action was made from this already." in again
    with pytest.raises(services.ServiceError):
        actions.add_action(
            appraisal=appraisal, user=person("lead"), what="Nothing to do", due_on=DUE,
            owner_name="Lead", source="readiness", row_id=gaps["resources"].pk,
        )  # fmt: skip


# --- carried forward -----------------------------------------------------------------------------


def test_the_next_stage_carries_the_assessment_forward_to_confirm(
    organisation: Organisation, client_as
) -> None:
    inception = approved_with_readiness(organisation)
    lead = person("lead")
    development = services.start_appraisal(project=inception.project, stage="development", user=lead)
    carried = {a.dimension: a for a in ReadinessAssessment.objects.filter(appraisal=development)}
    assert {d: (a.status, a.evidence) for d, a in carried.items()} == ENTRIES
    assert all(a.carried_forward for a in carried.values())
    page = squash(client_as("lead").get(f"/appraisals/{development.pk}/").content)
    assert re.search(r'id="task-readiness-status">\s*<strong class="govuk-tag [^"]*">Carried forward', page)
    # The earlier stage keeps its own assessment; confirming changes only the new one.
    changed = {**ENTRIES, "permissions": ("in-place", "Cabinet approved it in March.")}
    readiness.save_readiness(appraisal=development, user=lead, entries=changed, expected_version=1)
    assert not ReadinessAssessment.objects.filter(appraisal=development, carried_forward=True).exists()
    earlier = ReadinessAssessment.objects.get(appraisal=inception, dimension="permissions")
    assert earlier.status == "not-in-place"


def test_a_new_version_copies_the_assessment_as_it_stands(organisation: Organisation) -> None:
    approved = approved_with_readiness(organisation)
    new = reviews.start_new_version(appraisal=approved, user=person("lead"), reason="The pilot area grew.")
    copied = ReadinessAssessment.objects.filter(appraisal=new)
    assert {a.dimension: (a.status, a.evidence) for a in copied} == ENTRIES
    assert not copied.filter(carried_forward=True).exists()


def test_a_member_of_another_organisation_cannot_see_it(
    organisation: Organisation, other_organisation: Organisation, client_as
) -> None:
    appraisal = complete_appraisal(organisation)
    outsider: User = User.objects.get(email="lead@trust.test")
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/appraisals/{appraisal.pk}/readiness/").status_code == 404
