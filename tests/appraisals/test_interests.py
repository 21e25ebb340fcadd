"""Declared interests: reviewers and approvers declare before a verdict or a decision (the
rule in appraisals/policy.py), the declaration page, the review page, and an admin requiring
a different approver."""

from __future__ import annotations

import datetime

import pytest

from trustworthy.appraisals import declaring, interests, policy, services
from trustworthy.appraisals.models import InterestDeclaration
from trustworthy.core.models import AuditEvent
from trustworthy.reviews import services as reviews

from ..reviews.helpers import SECTIONS, complete_appraisal, in_review, person

pytestmark = [pytest.mark.django_db, pytest.mark.undeclared]
ACCEPT = dict.fromkeys(SECTIONS, ("acceptable", ""))


def test_a_reviewer_gives_no_verdict_before_declaring(organisation) -> None:
    appraisal = in_review(organisation)
    reviewer = person("reviewer")
    with pytest.raises(interests.DeclarationNeeded, match="Declare your interests"):
        reviews.review_sections(appraisal=appraisal, user=reviewer, verdicts=ACCEPT)
    with pytest.raises(interests.DeclarationNeeded):
        reviews.transition(appraisal=appraisal, name="request-changes", user=reviewer, reason="More.")
    assert not appraisal.section_reviews.exists()

    declaring.declare_interests(appraisal=appraisal, user=reviewer, has_interest=False)
    reviews.review_sections(appraisal=appraisal, user=reviewer, verdicts=ACCEPT)
    assert appraisal.section_reviews.count() == len(SECTIONS)


def test_an_approver_neither_decides_nor_approves_before_declaring(organisation) -> None:
    appraisal = in_review(organisation)
    approver = person("approver")
    declaring.declare_interests(appraisal=appraisal, user=person("reviewer"), has_interest=False)
    reviews.review_sections(appraisal=appraisal, user=person("reviewer"), verdicts=ACCEPT)
    with pytest.raises(interests.DeclarationNeeded, match="before you decide"):
        _record(appraisal, approver)
    declaring.declare_interests(
        appraisal=appraisal,
        user=approver,
        has_interest=True,
        interest="I sit on the partner charity's board.",
    )
    _record(appraisal, approver)
    reviews.transition(appraisal=appraisal, name="approve", user=approver)
    appraisal.refresh_from_db()
    assert appraisal.status == policy.APPROVED


def _record(appraisal, user) -> None:
    services.record_decision(
        appraisal=appraisal, user=user, decision="proceed-with-mitigations", reasoning="Weighed.",
        departure_reason="", accountable_person="Director", decided_on=datetime.date(2026, 11, 1),
    )  # fmt: skip


def test_the_approval_step_is_refused_to_an_approver_who_has_not_declared(organisation) -> None:
    appraisal = in_review(organisation)
    with pytest.raises(interests.DeclarationNeeded):
        reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))


def test_a_declaration_is_one_audited_change_and_an_interest_needs_words(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    reviewer = person("reviewer")
    with pytest.raises(declaring.ServiceError, match="Say what your interest is"):
        declaring.declare_interests(appraisal=appraisal, user=reviewer, has_interest=True, interest=" ")
    before = AuditEvent.objects.filter(appraisal=appraisal).count()
    found = declaring.declare_interests(
        appraisal=appraisal, user=reviewer, has_interest=True, interest="My sister leads it."
    )
    assert AuditEvent.objects.filter(appraisal=appraisal).count() == before + 1
    event = AuditEvent.objects.filter(appraisal=appraisal).order_by("-pk")[0]
    assert event.action == "interest.declared"
    assert (found.person_name, found.role, found.interest) == (
        reviewer.full_name,
        "reviewer",
        "My sister leads it.",
    )
    # Declaring again changes the one declaration.
    declaring.declare_interests(appraisal=appraisal, user=reviewer, has_interest=False)
    assert InterestDeclaration.objects.get(appraisal=appraisal).interest == ""


def test_only_reviewers_and_approvers_declare(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    for role in ("lead", "contributor", "viewer", "admin"):
        with pytest.raises(policy.NotPermitted):
            declaring.declare_interests(appraisal=appraisal, user=person(role), has_interest=False)


def test_an_admin_can_require_a_different_approver_who_then_may_not_decide(organisation) -> None:
    appraisal = in_review(organisation)
    approver = person("approver")
    found = declaring.declare_interests(
        appraisal=appraisal, user=approver, has_interest=True, interest="I designed the pilot."
    )
    with pytest.raises(policy.NotPermitted):  # only an admin
        declaring.require_other_approver(declaration=found, user=person("lead"))
    declaring.require_other_approver(declaration=found, user=person("admin"), reason="Too close to it.")
    event = AuditEvent.objects.filter(appraisal=appraisal).order_by("-pk")[0]
    assert (event.action, event.reason) == ("interest.other-approver-required", "Too close to it.")

    assert policy.declaration_problem(appraisal, approver, policy.Change.DECISION) == interests.STAND_ASIDE
    with pytest.raises(interests.StandAside):
        _record(appraisal, approver)
    with pytest.raises(interests.StandAside):
        reviews.transition(appraisal=appraisal, name="approve", user=approver)
    # Declaring again does not undo the admin's requirement.
    declaring.declare_interests(appraisal=appraisal, user=approver, has_interest=False)
    with pytest.raises(interests.StandAside):
        _record(appraisal, approver)


def test_a_decision_recorded_before_standing_aside_must_be_recorded_again(organisation) -> None:
    appraisal = in_review(organisation)
    approver = person("approver")
    found = declaring.declare_interests(
        appraisal=appraisal, user=approver, has_interest=True, interest="A partner."
    )
    _record(appraisal, approver)
    declaring.require_other_approver(declaration=found, user=person("admin"))
    assert interests.DECIDED_BY_STAND_ASIDE in reviews.approval_problems(appraisal)


def test_only_an_approver_with_an_interest_is_asked_to_stand_aside(organisation) -> None:
    appraisal = in_review(organisation)
    none = declaring.declare_interests(appraisal=appraisal, user=person("approver"), has_interest=False)
    with pytest.raises(declaring.ServiceError, match="no interest"):
        declaring.require_other_approver(declaration=none, user=person("admin"))
    reviewer = declaring.declare_interests(
        appraisal=appraisal, user=person("reviewer"), has_interest=True, interest="Friend of the lead."
    )
    with pytest.raises(declaring.ServiceError, match="Only an approver"):
        declaring.require_other_approver(declaration=reviewer, user=person("admin"))


# --- pages -------------------------------------------------------------------------------------


def test_the_review_page_asks_for_a_declaration_then_shows_it(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    reviewer = client_as("reviewer")
    page = reviewer.get(f"/appraisals/{appraisal.pk}/review/").content.decode()
    assert interests.DECLARE_BEFORE_VERDICT in page
    assert f"/appraisals/{appraisal.pk}/interests/" in page
    assert 'name="verdict_parameters"' not in page  # no verdict form until declared

    form = reviewer.get(f"/appraisals/{appraisal.pk}/interests/").content.decode()
    assert "Do you have an interest in this appraisal?" in form
    # An interest with no words: the error, and the choice kept.
    response = reviewer.post(
        f"/appraisals/{appraisal.pk}/interests/", {"has_interest": "yes", "interest": ""}
    )
    assert "Say what your interest is" in response.content.decode()
    assert not InterestDeclaration.objects.exists()
    response = reviewer.post(
        f"/appraisals/{appraisal.pk}/interests/",
        {"has_interest": "yes", "interest": "I used to work for the supplier."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/appraisals/{appraisal.pk}/review/"
    page = reviewer.get(f"/appraisals/{appraisal.pk}/review/").content.decode()
    assert "I used to work for the supplier." in page
    assert 'name="verdict_parameters"' in page


def test_the_admin_sees_the_link_to_require_a_different_approver(organisation, client_as) -> None:
    appraisal = in_review(organisation)
    found = declaring.declare_interests(
        appraisal=appraisal, user=person("approver"), has_interest=True, interest="I fund it."
    )
    url = f"/appraisals/{appraisal.pk}/interests/{found.pk}/other-approver/"
    admin = client_as("admin")
    assert url in admin.get(f"/appraisals/{appraisal.pk}/review/").content.decode()
    assert url not in client_as("lead").get(f"/appraisals/{appraisal.pk}/review/").content.decode()
    assert client_as("lead").post(url, {"reason": ""}).status_code == 403
    response = admin.post(url, {"reason": "Conflict."})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.stand_aside
    decision_page = client_as("approver").get(f"/appraisals/{appraisal.pk}/decision/").content.decode()
    assert (
        interests.STAND_ASIDE.replace("’", "&#x27;")[:40] in decision_page
        or "different approver" in decision_page
    )
    assert 'name="reasoning"' not in decision_page
