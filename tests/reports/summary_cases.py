"""Appraisals with each pattern of participation, for the family summary's tests (and the
browser journey): built through the services, as a lead would enter them."""

from __future__ import annotations

import datetime

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation, User

from ..appraisals.factories import fill_appraisal, make_project

PROJECT = (
    "Offer every family a family group conference (see P4) before a child protection conference. "
    "Families lead the meeting and choose who comes."
)
REASONING = (
    "Meetings led by families respect their right to make their own choices (HR2). "
    "The biggest risk scores 20 because families could feel pressured to agree. "
    "This means every family will have an independent coordinator. "
    "We will check how it is going after six months."
)
# REASONING as the summary says it: no id, and the score in words.
REASONING_PLAIN = (
    "Why we decided this: Meetings led by families respect their right to make their own choices. "
    "The biggest risk is serious because families could feel pressured to agree. "
    "This means every family will have an independent coordinator. "
    "We will check how it is going after six months."
)
RISK = {
    "description": "Families could feel pressured to agree to a plan",
    "who_harmed": ["families"],
    "likelihood": 4,
    "severity": 5,
    "mitigation": "An independent coordinator checks that families agree freely (HR2)",
    "owner": "Head of service",
    "status": "open",
}
RISK_PLAIN = (
    "We found one serious risk. The risk: Families could feel pressured to agree to a plan. "
    "What we will do about it: An independent coordinator checks that families agree freely."
)
SAID = {
    "young-people": "Young people want to choose who comes.",
    "parents-and-families": "Parents want meetings at times they can make.",
    "carers": "Carers asked to be invited.",
    "practitioners": "Social workers want time to prepare.",
    "partner-agencies": "Schools can lend rooms.",
    "community": "Local groups were told about the pilot.",
}
OTHERS = ("carers", "practitioners", "partner-agencies", "community")
LABELS = {
    "young-people": "Young people",
    "parents-and-families": "Parents and families",
    "carers": "Carers",
    "practitioners": "Practitioners",
    "partner-agencies": "Partner agencies",
    "community": "The wider community",
}
ASK = "If you have questions about this decision, please ask the person who works with you."

Pattern = dict[str, tuple[str, str, str]]  # group -> (mode, reason, what they said)


def person(role: str) -> User:
    return User.objects.get(email=f"{role}@council.test")


def make_case(organisation: Organisation, pattern: Pattern, *, reasoning: str = REASONING) -> Appraisal:
    """A complete appraisal with this participation, a serious open risk and a decision."""
    lead = person("lead")
    project = make_project(organisation, lead, summary=PROJECT)
    appraisal = fill_appraisal(services.start_appraisal(project=project, stage="inception", user=lead), lead)
    for group, (mode, reason, said) in pattern.items():
        services.save_participation(
            appraisal=appraisal, stakeholder=group, mode=mode, reason=reason, summary=said, user=lead
        )
    services.add_register_row(appraisal=appraisal, register_id="risks", data=RISK, user=lead)
    services.record_decision(
        appraisal=appraisal, user=person("approver"), decision="proceed-with-mitigations",
        reasoning=reasoning, departure_reason="", accountable_person="Director",
        decided_on=datetime.date(2026, 11, 1),
    )  # fmt: skip
    appraisal.refresh_from_db()
    return appraisal
