"""Signed appraisals, built through the services and the review workflow as people would."""

from __future__ import annotations

import datetime
from typing import Any

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.framework import default_framework
from trustworthy.organisations.models import Organisation, User
from trustworthy.reviews import services as reviews

from ..appraisals.factories import ROWS, fill_appraisal

FW = default_framework()


def people(slug: str) -> dict[str, User]:
    return {role: User.objects.get(email=f"{role}@{slug}.test") for role in ("lead", "reviewer", "approver")}


def project(
    organisation: Organisation, slug: str, title: str, *, motivation: str = "improve-outcomes",
    funding: str | None = None,
) -> Project:  # fmt: skip
    return services.create_project(
        organisation=organisation,
        user=people(slug)["lead"],
        fields={
            "title": title,
            "summary": "A summary.",
            "problem": "A problem.",
            "target_cohort": "Families.",
            "funding_source": "A fund",
            "funding_amount": funding,
            "accountable_person": "Director",
        },
        motivations=[services.MotivationInput(motivation, "Why we do it.")],
        primary_motivation=motivation,
    )


def appraise(
    project: Project, slug: str, *, stage: str = "inception", tests: dict[str, str] | None = None,
    at_risk: tuple[str, ...] = (), not_involved: tuple[str, ...] = (),
    risk: tuple[int, int, str] | None = None,
) -> Appraisal:  # fmt: skip
    """A complete appraisal: `tests` answers T1-T6, `at_risk` principles rated at risk in
    the process, `not_involved` groups left out, `risk` one more (likelihood, severity, status)."""
    lead = people(slug)["lead"]
    appraisal = fill_appraisal(
        services.start_appraisal(project=project, stage=stage, user=lead), lead, tests=tests
    )
    for question in FW.section("principles").questions:
        ratings = {
            p.id: ("at-risk", "A concern we found.") if p.id in at_risk else ("supports", "")
            for p in FW.principles_in(question.cluster or "")
        }
        services.save_principles(
            appraisal=appraisal, question_id=question.id, aspect="process", user=lead, value="partly",
            rationale="Some concerns.", ratings=ratings,
        )  # fmt: skip
    for group in not_involved:
        services.save_participation(
            appraisal=appraisal, stakeholder=group, mode="not-involved", reason="Not yet possible.",
            summary="", user=lead,
        )  # fmt: skip
    if risk:
        likelihood, severity, status = risk
        row: dict[str, Any] = {
            **ROWS["risks"],
            "likelihood": likelihood,
            "severity": severity,
            "status": status,
        }
        services.add_register_row(appraisal=appraisal, register_id="risks", data=row, user=lead)
    return appraisal


def sign(
    appraisal: Appraisal, slug: str, decision: str, *, departure: str = "",
    decided_on: datetime.date | None = None,
) -> Appraisal:  # fmt: skip
    """Review, decide and approve, as the review workflow does."""
    who = people(slug)
    reviews.transition(appraisal=appraisal, name="submit", user=who["lead"])
    reviews.review_sections(
        appraisal=appraisal, user=who["reviewer"], verdicts={s.id: ("acceptable", "") for s in FW.sections}
    )
    services.record_decision(
        appraisal=appraisal, user=who["approver"], decision=decision, reasoning="We weighed it all.",
        departure_reason=departure, accountable_person="Director",
        decided_on=decided_on or datetime.date(2026, 10, 1),
    )  # fmt: skip
    reviews.transition(appraisal=appraisal, name="approve", user=who["approver"])
    appraisal.refresh_from_db()
    return appraisal
