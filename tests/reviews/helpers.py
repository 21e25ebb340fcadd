"""Appraisals at each point of the review workflow, built through the services."""

from __future__ import annotations

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as reviews

from ..appraisals.factories import decide, declare_none, fill_appraisal, make_project

SECTIONS = ("parameters", "principles", "tests")


def person(role: str, slug: str = "council") -> User:
    return User.objects.get(email=f"{role}@{slug}.test")


def complete_appraisal(organisation: Organisation) -> Appraisal:
    lead = person("lead")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    return fill_appraisal(appraisal, lead)


def in_review(organisation: Organisation) -> Appraisal:
    appraisal = complete_appraisal(organisation)
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    return appraisal


def accept_all(appraisal: Appraisal) -> None:
    declare_none(appraisal, person("reviewer"))
    reviews.review_sections(
        appraisal=appraisal, user=person("reviewer"), verdicts=dict.fromkeys(SECTIONS, ("acceptable", ""))
    )


def approved(organisation: Organisation) -> Appraisal:
    appraisal = in_review(organisation)
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal.refresh_from_db()
    return appraisal
