"""Build projects and appraisals through the services, as a person would."""

from __future__ import annotations

import datetime
from typing import Any

from trustworthy.appraisals import declaring, interests, services
from trustworthy.appraisals.models import Appraisal, Project
from trustworthy.framework import default_framework
from trustworthy.organisations.models import Organisation, User

FW = default_framework()
# How a decision keeps to the organisation's commitments (used only when it has some in force).
COMMITMENTS_ANSWER = "It keeps to every commitment we have made."

PROJECT_FIELDS = {
    "title": "Family group conferencing for every family",
    "summary": "Offer a family group conference before any child protection conference.",
    "problem": "Families feel decisions are made about them, not with them.",
    "target_cohort": "Families where a child protection conference is being considered.",
    "context_organisational": "",
    "context_local": "",
    "context_national": "",
    "funding_source": "Council budget",
    "funding_amount": None,
    "current_stage": "inception",
    "accountable_person": "Director of Children's Services",
}


def make_project(organisation: Organisation, user: User, **changes: object) -> Project:
    return services.create_project(
        organisation=organisation,
        user=user,
        fields={**PROJECT_FIELDS, **changes},
        motivations=[services.MotivationInput("improve-outcomes", "Families do better when they lead.")],
        primary_motivation="improve-outcomes",
    )


ROWS: dict[str, dict[str, Any]] = {
    "benefits": {
        "description": "More children stay safely at home",
        "horizon": "medium",
        "who_benefits": "Children",
        "measure": "Care entries",
        "assessment": "Quarterly",
    },
    "enablers-and-barriers": {
        "kind": "enabler",
        "description": "Trained coordinators",
        "status": "needed",
        "owner": "Head of service",
    },
    "resources": {
        "resource": "people",
        "description": "Coordinators",
        "amount": "4 FTE",
        "knock_on_effect": "Fewer hours elsewhere",
    },
    "risks": {
        "description": "Delay in urgent cases",
        "who_harmed": ["young-people"],
        "likelihood": 2,
        "severity": 4,
        "mitigation": "Urgent cases bypass",
        "owner": "Team manager",
        "status": "open",
    },
}


def fill_appraisal(
    appraisal: Appraisal, user: User, *, tests: dict[str, str] | None = None, rows_each: int = 1
) -> Appraisal:
    """Answer every question that applies, with registers of `rows_each` rows."""
    for q in FW.section("parameters").questions:
        services.save_answer(
            appraisal=appraisal, question_id=q.id, user=user,
            value="yes" if q.has_closed_answer else "", rationale=f"Our reasons for {q.id}.",
        )  # fmt: skip
    for register in FW.registers:
        for _ in range(rows_each):
            services.add_register_row(
                appraisal=appraisal, register_id=register.id, data=ROWS[register.id], user=user
            )
    for stakeholder in FW.stakeholders:
        services.save_participation(
            appraisal=appraisal,
            stakeholder=stakeholder.id,
            mode="consulted",
            reason="",
            summary="They were positive.",
            user=user,
        )
    for q in FW.section("principles").questions:
        for aspect in FW.aspects:
            services.save_principles(
                appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user, value="yes",
                rationale="It respects people.",
                ratings={p.id: ("supports", "") for p in FW.principles_in(q.cluster or "")},
            )  # fmt: skip
    for question_id, value in (tests or {"T1": "yes", "T2": "yes", "T3": "yes", "T6": "yes"}).items():
        services.save_answer(
            appraisal=appraisal, question_id=question_id, user=user, value=value, rationale="Because."
        )
    return appraisal


def declare_none(appraisal: Appraisal, user: User) -> None:
    """A reviewer or approver declares no interest, as they must before a verdict or decision
    (once: a second declaration would be a second audited change)."""
    if interests.declaration_of(appraisal, user) is None:
        declaring.declare_interests(appraisal=appraisal, user=user, has_interest=False)


def decide(
    appraisal: Appraisal, user: User, decision: str = "proceed-with-mitigations", departure: str = ""
) -> None:
    declare_none(appraisal, user)
    services.record_decision(
        appraisal=appraisal, user=user, decision=decision, reasoning="We weighed it all.",
        departure_reason=departure, accountable_person="Director", decided_on=datetime.date(2026, 11, 1),
        commitments_answer=COMMITMENTS_ANSWER,
    )  # fmt: skip
