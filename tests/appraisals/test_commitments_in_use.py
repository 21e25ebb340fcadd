"""Commitments in use: the decision page shows the organisation's ethical commitments in
force, the decision says how it is consistent with them, and approval signs that version."""

from __future__ import annotations

import datetime

import pytest

from trustworthy.appraisals import commitments, services
from trustworthy.appraisals.models import Decision
from trustworthy.organisations import services as organisations
from trustworthy.reviews import services as reviews

from ..reviews.helpers import accept_all, in_review, person

pytestmark = pytest.mark.django_db


def write_commitments(organisation, text: str = "We put children's safety first.") -> int:
    return organisations.record_commitments(
        organisation=organisation, text=text, change_note="", user=person("admin")
    ).version


def record(appraisal, answer: str = "") -> Decision:
    return services.record_decision(
        appraisal=appraisal, user=person("approver"), decision="proceed-with-mitigations",
        reasoning="Weighed.", departure_reason="", accountable_person="Director",
        decided_on=datetime.date(2026, 11, 1), commitments_answer=answer,
    )  # fmt: skip


def test_a_decision_says_how_it_keeps_to_the_commitments_in_force(organisation) -> None:
    version = write_commitments(organisation)
    appraisal = in_review(organisation)
    with pytest.raises(services.ServiceError, match="consistent with the organisation"):
        record(appraisal)
    decision = record(appraisal, "  It keeps children safe first.  ")
    assert (decision.commitments_version, decision.commitments_answer) == (
        version,
        "It keeps children safe first.",
    )


def test_without_commitments_nothing_is_asked_or_kept(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    decision = record(appraisal)
    assert (decision.commitments_version, decision.commitments_answer) == (None, "")
    page = client_as("approver").get(f"/appraisals/{appraisal.pk}/decision/").content.decode()
    assert 'name="commitments_answer"' not in page


def test_approval_signs_the_version_the_decision_answered(organisation) -> None:
    write_commitments(organisation)
    appraisal = in_review(organisation)
    accept_all(appraisal)
    record(appraisal, "It keeps children safe first.")
    # The commitments change before approval: the decision must answer the new version.
    write_commitments(organisation, "We put children's safety first, and listen to them.")
    problems = reviews.approval_problems(appraisal)
    assert any("version 1 then, version 2 now" in p for p in problems), problems
    with pytest.raises(services.ServiceError):
        reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    record(appraisal, "It keeps children safe and we asked them.")
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()
    assert appraisal.status == "approved"
    assert appraisal.signed_content["record"]["commitments"] == {
        "version": 2,
        "answer": "It keeps children safe and we asked them.",
    }


def test_a_decision_recorded_before_commitments_existed_is_recorded_again(organisation) -> None:
    appraisal = in_review(organisation)
    accept_all(appraisal)
    record(appraisal)
    write_commitments(organisation)
    assert any(commitments.NEEDS_ANSWER in p for p in reviews.approval_problems(appraisal))


def test_the_decision_page_shows_the_commitments_and_asks_the_question(organisation, client_as) -> None:
    write_commitments(organisation, "We put children's safety first.\n\nWe say what we do.")
    appraisal = in_review(organisation)
    approver = client_as("approver")
    approver.post(f"/appraisals/{appraisal.pk}/interests/", {"has_interest": "no"})
    url = f"/appraisals/{appraisal.pk}/decision/"
    page = approver.get(url).content.decode()
    assert "Our ethical commitments (version 1)" in page
    assert "We say what we do." in page
    assert commitments.QUESTION in page
    form = {
        "version": "0", "decision": "proceed-with-mitigations", "reasoning": "Weighed.",
        "departure_reason": "", "accountable_person": "Director", "decided_on": "2026-11-01",
    }  # fmt: skip
    response = approver.post(url, {**form, "commitments_answer": ""})
    assert "Enter how the decision is consistent with the organisation" in response.content.decode()
    assert not Decision.objects.filter(appraisal=appraisal).exists()
    response = approver.post(url, {**form, "commitments_answer": "It puts their safety first."})
    assert response.status_code == 302
    assert Decision.objects.get(appraisal=appraisal).commitments_version == 1
