"""Programmes in the demo: a small one for `trustworthy demo`, and a national portfolio for
`trustworthy demo --scale national`.

The small programme is made through the services, like the rest of the demo. The national
portfolio is a data load: about 200 fictional organisations with 50 projects each and
their appraisals are written in bulk, since writing a million answers one service call at a
time would take hours. Its signed appraisals carry what approval leaves behind, so that
`trustworthy audit verify` holds: the approval event in the organisation's and the
appraisal's chains (sealed with `core.audit.seal`), the status change, the record signed
(`reports.signing.signed_content`) and the snapshot of what it shows. Signing is most of
the build time: each signed record is built once, as approval builds it.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from trustworthy.appraisals.evaluation import BENEFIT_RESULTS, RISK_RESULTS
from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    Decision,
    Outcome,
    Participation,
    PrincipleRating,
    Project,
    ProjectMotivation,
    RegisterRow,
)
from trustworthy.appraisals.selectors import context_snapshot
from trustworthy.core import audit
from trustworthy.core.models import AuditEvent, OrganisationChain
from trustworthy.framework import compute_route, is_departure, open_risk_score
from trustworthy.organisations import services as organisation_services
from trustworthy.organisations.models import Organisation, User
from trustworthy.programmes import services as programme_services
from trustworthy.programmes.models import Programme, SharedProject
from trustworthy.reports.signing import signed_content
from trustworthy.reviews.models import StatusChange

__all__ = [
    "NATIONAL",
    "OVERSEER",
    "RESEARCHER",
    "SMALL",
    "NationalResult",
    "build_national",
    "load_demo_programme",
]

OVERSEER = "overseer@national.example.org"
RESEARCHER = "researcher@national.example.org"
SMALL = "Regional Innovation Partnership"
NATIONAL = "National Innovation Fund"
PEOPLE = {OVERSEER: ("Morgan Hale", "overseer"), RESEARCHER: ("Priya Natarajan", "researcher")}


def _people(password: str) -> tuple[list[User], list[str]]:
    """The overseer and the researcher (created with the demo password if new)."""
    users, created = [], []
    for email, (name, _) in PEOPLE.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = organisation_services.create_user(email=email, full_name=name, password=password)
            created.append(email)
        users.append(user)
    return users, created


def _programme(name: str, users: list[User]) -> Programme:
    programme = programme_services.create_programme(name=name)
    for user, (_, role) in zip(users, PEOPLE.values(), strict=True):
        programme_services.add_member(programme=programme, user=user, role=role)
    return programme


def load_demo_programme(password: str, organisations: list[str]) -> list[str]:
    """A small programme of the demo organisations, each sharing every project (by its
    lead). Returns the emails of the people it created; nothing is made twice."""
    if Programme.objects.filter(name=SMALL).exists():
        return []
    users, created = _people(password)
    programme = _programme(SMALL, users)
    for organisation in Organisation.objects.filter(name__in=organisations).order_by("name"):
        programme_services.add_organisation(programme=programme, organisation=organisation)
        lead = organisation.memberships.filter(role="lead").select_related("user").first()
        for project in organisation.projects.order_by("pk"):
            programme_services.share_project(
                programme=programme, project=project, user=lead.user if lead else None
            )
    return created


# --- the national portfolio ------------------------------------------------------------------


@dataclass
class NationalResult:
    organisations: int = 0
    projects: int = 0
    appraisals: int = 0
    signed: int = 0
    answers: int = 0
    seconds: float = 0.0
    people_created: tuple[str, ...] = ()


PLACES = (
    "Ashford",
    "Brackley",
    "Calder",
    "Dunmore",
    "Elmsworth",
    "Fenwick",
    "Glenholme",
    "Harrowby",
    "Ingleby",
    "Kestrel",
    "Langdale",
    "Marston",
    "Northam",
    "Oakridge",
    "Pellham",
    "Queensbury",
    "Ravensmoor",
    "Stanwick",
    "Thornbury",
    "Upton",
    "Valebridge",
    "Westerly",
    "Yarrowfield",
)
KINDS = ("Council", "Children's Trust", "Family Charity", "Care Partnership")
IDEAS = (
    "Family group conferencing",
    "Residential hub",
    "Kinship care network",
    "Edge of care outreach",
    "Predictive risk tool",
    "Mentoring for care leavers",
    "Parent advocacy service",
    "Family drug and alcohol court",
    "Mockingbird constellation",
    "Youth participation panel",
)
# Weights that make the portfolio look like one: most bodies are local authorities, most
# projects start for outcomes, a fair share for money.
TYPE_WEIGHTS = {"local-authority": 6, "childrens-services-trust": 1, "charity": 3, "private-provider": 1}
MOTIVATION_WEIGHTS = {
    "improve-outcomes": 6,
    "efficiency-and-cost": 3,
    "access-to-funding": 2,
    "political-or-policy-direction": 1,
    "response-to-demand-or-events": 1,
    "reform-after-inquiry-or-review": 1,
    "leadership-initiative": 1,
}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answer(rng: random.Random, good: float) -> str:
    roll = rng.random()
    return (
        "yes" if roll < good else "partly" if roll < good + 0.15 else "no" if roll < good + 0.25 else "unsure"
    )


def build_national(
    *,
    organisations: int = 200,
    projects_each: int = 50,
    password: str,
    seed: int = 2021,
    progress: Callable[[str], None] = lambda _: None,
) -> NationalResult:
    """Generate the national portfolio and the programme that oversees it."""
    started = time.perf_counter()
    if Programme.objects.filter(name=NATIONAL).exists():
        raise programme_services.ServiceError(
            f"The {NATIONAL} is already there: the portfolio is generated once."
        )
    rng = random.Random(seed)
    fw = current_framework()
    result = NationalResult()
    with transaction.atomic():
        users, created = _people(password)
        result.people_created = tuple(created)
        programme = _programme(NATIONAL, users)
        operator = User.objects.filter(
            email="national-demo@national.example.org"
        ).first() or User.objects.create_user(
            "national-demo@national.example.org", None, full_name="National demo loader"
        )
        orgs = _organisations(rng, organisations)
        for org in orgs:
            programme_services.add_organisation(programme=programme, organisation=org, actor=operator)
        progress(f"{len(orgs)} organisations")
        projects = _projects(rng, orgs, projects_each, operator)
        progress(f"{len(projects)} projects")
        appraisals = _appraisals(rng, fw, projects, operator)
        result.answers = _contents(rng, fw, appraisals, operator)
        progress(f"{len(appraisals)} appraisals with {result.answers} answers")
        _outcomes(rng, appraisals)
        signed = _sign(rng, fw, appraisals, operator, progress)
        now = timezone.now()
        SharedProject.objects.bulk_create(
            SharedProject(programme=programme, project=p, organisation_id=p.organisation_id, shared_at=now)
            for p in projects
        )
    if connection.vendor == "postgresql":
        # Fresh statistics after the bulk load, as autovacuum would gather later: the
        # dashboard's grouped queries are planned for the tables as they now are.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result.organisations, result.projects, result.appraisals = len(orgs), len(projects), len(appraisals)
    result.signed = signed
    result.seconds = time.perf_counter() - started
    return result


def _organisations(rng: random.Random, count: int) -> list[Organisation]:
    regions = list(Organisation.Region.values)
    made = []
    for number in range(count):
        kind = _pick(rng, TYPE_WEIGHTS)
        suffix = KINDS[list(TYPE_WEIGHTS).index(kind) % len(KINDS)]
        name = f"{PLACES[number % len(PLACES)]} {suffix} {number + 1}"
        made.append(Organisation(name=f"{name} (national demo)", type=kind, region=rng.choice(regions)))
    return Organisation.objects.bulk_create(made)


def _projects(rng: random.Random, orgs: list[Organisation], each: int, operator: User) -> list[Project]:
    projects = [
        Project(
            organisation=org,
            title=f"{rng.choice(IDEAS)} {number + 1}",
            summary="A fictional project.",
            problem="A fictional problem.",
            target_cohort="Fictional families.",
            funding_source="National fund",
            funding_amount=Decimal(rng.randrange(20, 900) * 1000),
            accountable_person="Director (fictional)",
            created_by=operator,
        )
        for org in orgs
        for number in range(each)
    ]
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    motivations = []
    for project in projects:
        main = _pick(rng, MOTIVATION_WEIGHTS)
        motivations.append(
            ProjectMotivation(project=project, motivation=main, explanation="Why.", is_primary=True)
        )
        if rng.random() < 0.4:
            other = _pick(rng, MOTIVATION_WEIGHTS)
            if other != main:
                motivations.append(ProjectMotivation(project=project, motivation=other, explanation="Also."))
    ProjectMotivation.objects.bulk_create(motivations, batch_size=5000)
    return projects


STAGE_WEIGHTS = (0, 0, 1, 2, 3, 6)  # how far projects have gone (inception .. evaluation)


def _appraisals(rng: random.Random, fw: Any, projects: list[Project], operator: User) -> list[Appraisal]:
    stages = [s.id for s in fw.stages]
    made: list[Appraisal] = []
    for project in projects:
        reached = rng.choices(range(len(stages)), weights=STAGE_WEIGHTS)[0]
        for index in range(reached + 1):
            # The latest stage is still being worked on in a third of projects.
            status = "draft" if index == reached and rng.random() < 0.33 else "in-review"
            made.append(
                Appraisal(
                    organisation_id=project.organisation_id,
                    project=project,
                    stage=stages[index],
                    framework_id=fw.id,
                    framework_version=fw.version,
                    status=status,
                    created_by=operator,
                )
            )
    return Appraisal.objects.bulk_create(made, batch_size=2000)


def _contents(rng: random.Random, fw: Any, appraisals: list[Appraisal], operator: User) -> int:
    """Answers, registers, ratings, participation and (for those going to be signed) a decision."""
    answers: list[Answer] = []
    rows: list[RegisterRow] = []
    ratings: list[PrincipleRating] = []
    participation: list[Participation] = []
    decisions: list[Decision] = []
    count = 0
    for appraisal in appraisals:
        good = rng.uniform(0.45, 0.9)
        for q in fw.section("parameters").questions:
            value = _answer(rng, good) if q.has_closed_answer else ""
            answers.append(
                Answer(
                    appraisal=appraisal,
                    question_id=q.id,
                    value=value,
                    rationale="Our reasons.",
                    updated_by=operator,
                )
            )
        for q in fw.section("principles").questions:
            for aspect in fw.aspects:
                answers.append(
                    Answer(
                        appraisal=appraisal,
                        question_id=q.id,
                        aspect=aspect.id,
                        value=_answer(rng, good),
                        rationale="Our reasons.",
                        updated_by=operator,
                    )
                )
                for p in fw.principles_in(q.cluster or ""):
                    at_risk = rng.random() > good + 0.05
                    ratings.append(
                        PrincipleRating(
                            appraisal=appraisal,
                            aspect=aspect.id,
                            principle_id=p.id,
                            rating="at-risk" if at_risk else rng.choice(("supports", "supports", "neutral")),
                            note="A concern." if at_risk else "",
                        )
                    )
        risks = []
        for register in fw.registers:
            for _ in range(rng.randint(1, 3)):
                data = _row(rng, register.id)
                rows.append(RegisterRow(appraisal=appraisal, register=register.id, data=data))
                if register.id == "risks":
                    risks.append(data)
        for group in fw.stakeholders:
            mode = rng.choices([m.id for m in fw.participation_modes], weights=(1, 4, 2, 2, 2))[0]
            participation.append(
                Participation(
                    appraisal=appraisal,
                    stakeholder=group.id,
                    mode=mode,
                    reason="Not possible at this stage." if mode == "not-involved" else "",
                    summary="",
                )
            )
        tests = {t: _answer(rng, good) for t in ("T1", "T2", "T3", "T6")}
        if any(tests[t] != "yes" for t in ("T1", "T2", "T3")):
            tests["T4"] = rng.choice(("yes", "no"))
            if tests["T4"] == "yes":
                tests["T5"] = _answer(rng, good)
        for question_id, value in sorted(tests.items()):
            answers.append(
                Answer(
                    appraisal=appraisal,
                    question_id=question_id,
                    value=value,
                    rationale="Because.",
                    updated_by=operator,
                )
            )
        if appraisal.status == "in-review":
            route = compute_route(tests, open_risk_score(risks))
            choice = (
                rng.choice(route.allowed) if rng.random() < 0.9 else rng.choice([d.id for d in fw.decisions])
            )
            departure = is_departure(choice, route)
            decisions.append(
                Decision(
                    appraisal=appraisal,
                    decision=choice,
                    reasoning="We weighed it all.",
                    departure_reason="A duty to act." if departure else "",
                    is_departure=departure,
                    route_allowed=list(route.allowed),
                    accountable_person="Director (fictional)",
                    decided_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(330)),
                    recorded_by=operator,
                )
            )
        if len(answers) > 50000:  # written as it goes, to keep memory flat
            count += _flush(answers, ratings, rows, participation, decisions)
            answers, ratings, rows, participation, decisions = [], [], [], [], []
    return count + _flush(answers, ratings, rows, participation, decisions)


def _flush(
    answers: list[Answer],
    ratings: list[PrincipleRating],
    rows: list[RegisterRow],
    participation: list[Participation],
    decisions: list[Decision],
) -> int:
    Answer.objects.bulk_create(answers, batch_size=5000)
    PrincipleRating.objects.bulk_create(ratings, batch_size=5000)
    RegisterRow.objects.bulk_create(rows, batch_size=5000)
    Participation.objects.bulk_create(participation, batch_size=5000)
    Decision.objects.bulk_create(decisions, batch_size=5000)
    return len(answers)


def _outcomes(rng: random.Random, appraisals: list[Appraisal]) -> None:
    """What happened to each benefit and risk of the stage before, in the evaluations to be signed."""
    baseline = {a.project_id: a.pk for a in appraisals if a.stage == "scale"}
    evaluations = {
        baseline[a.project_id]: a for a in appraisals if a.stage == "evaluation" and a.status == "in-review"
    }
    rows = RegisterRow.objects.filter(appraisal_id__in=list(evaluations), register__in=("benefits", "risks"))
    made = []
    for row in rows.order_by("pk").values("pk", "appraisal_id", "register"):
        benefit = row["register"] == "benefits"
        made.append(
            Outcome(
                appraisal=evaluations[row["appraisal_id"]], row_id=row["pk"], register=row["register"],
                result=rng.choice(BENEFIT_RESULTS if benefit else RISK_RESULTS)[0],
                evidence="What we found." if benefit else "",
                handling="" if benefit else "What we did about it.", lock_version=1,
            )
        )  # fmt: skip
    Outcome.objects.bulk_create(made, batch_size=5000)


def _row(rng: random.Random, register: str) -> dict[str, Any]:
    if register == "benefits":
        return {
            "description": "A fictional benefit",
            "horizon": rng.choice(("short", "medium", "long")),
            "who_benefits": "Families",
            "measure": "A measure",
            "assessment": "Each quarter",
        }
    if register == "enablers-and-barriers":
        return {
            "kind": rng.choice(("enabler", "barrier")),
            "description": "A fictional condition",
            "status": rng.choice(("in-place", "needed")),
            "owner": "Head of service",
        }
    if register == "resources":
        return {
            "resource": rng.choice(("people", "money", "time", "skills", "other")),
            "description": "Staff",
            "amount": "Some",
            "knock_on_effect": "Less time elsewhere",
        }
    return {
        "description": "A fictional risk",
        "who_harmed": rng.sample(["young-people", "families", "carers", "practitioners"], 2),
        "likelihood": rng.randint(1, 5),
        "severity": rng.randint(1, 5),
        "mitigation": "A mitigation",
        "owner": "Team manager",
        "status": rng.choice(("open", "open", "mitigated", "accepted", "closed")),
    }


def _sign(
    rng: random.Random, fw: Any, appraisals: list[Appraisal], operator: User, progress: Callable[[str], None]
) -> int:
    """Approve every appraisal sent for review, leaving what approval leaves: a status change,
    the snapshot, the signed record and its hash, and the approval event in both chains."""
    waiting = [a for a in appraisals if a.status == "in-review"]
    chains = {
        c.organisation_id: c
        for c in OrganisationChain.objects.filter(organisation_id__in={a.organisation_id for a in waiting})
    }
    done = 0
    for start in range(0, len(waiting), 500):
        batch = waiting[start : start + 500]
        _sign_batch(rng, batch, operator, chains)
        done += len(batch)
        progress(f"signed {done} of {len(waiting)} appraisals")
    OrganisationChain.objects.bulk_update(chains.values(), ["head", "count"], batch_size=2000)
    return done


SIGNED_FIELDS = [
    "status", "approved_at", "approved_by", "review_date", "approved_snapshot", "signed_content",
    "record_hash", "audit_head", "audit_count", "approved_audit_head",
]  # fmt: skip


def _sign_batch(
    rng: random.Random, batch: list[Appraisal], operator: User, chains: dict[int, OrganisationChain]
) -> None:
    now = timezone.now()
    StatusChange.objects.bulk_create(
        StatusChange(
            appraisal=a, from_status="in-review", to_status="approved", by=operator, reason="", round=1
        )
        for a in batch
    )
    # Approved first, all at once: a later stage's record reads the earlier approved ones.
    Appraisal.objects.filter(pk__in=[a.pk for a in batch]).update(
        status="approved", approved_at=now, approved_by=operator
    )
    events: list[AuditEvent] = []
    # Evaluations last: their record shows the signed record of the stage they look back on.
    for evaluations in (False, True):
        found = Appraisal.objects.filter(pk__in=[a.pk for a in batch]).select_related(
            "project", "organisation", "decision"
        )
        found = found.filter(stage="evaluation") if evaluations else found.exclude(stage="evaluation")
        signed: list[Appraisal] = []
        for appraisal in found.order_by("pk"):
            appraisal.status = "approved"
            appraisal.approved_at, appraisal.approved_by = now, operator
            decided = appraisal.decision.decided_on
            appraisal.review_date = decided + datetime.timedelta(days=rng.randrange(120, 480))
            appraisal.approved_snapshot = context_snapshot(appraisal)
            content = signed_content(appraisal)  # of the appraisal as approved (this instance)
            record_hash = audit.digest(content)
            chain = chains.get(appraisal.organisation_id) or chains.setdefault(
                appraisal.organisation_id,
                OrganisationChain.objects.create(organisation_id=appraisal.organisation_id),
            )
            event = AuditEvent(
                organisation_id=appraisal.organisation_id,
                org_sequence=chain.count + 1,
                org_prev_hash=chain.head,
                appraisal_id=appraisal.pk,
                sequence=1,
                prev_hash="",
                actor_id=operator.pk,
                actor_name=str(operator),
                at=now,
                action="status.changed",
                target="approve",
                before={"status": "in-review"},
                after={"status": "approved", "record_hash": record_hash},
                reason="",
            )
            event.hash = audit.seal(event)
            events.append(event)
            chain.head, chain.count = event.hash, chain.count + 1
            appraisal.audit_head, appraisal.audit_count = event.hash, 1
            appraisal.signed_content, appraisal.record_hash = content, record_hash
            appraisal.approved_audit_head = event.hash
            signed.append(appraisal)
        Appraisal.objects.bulk_update(signed, SIGNED_FIELDS, batch_size=100)
    AuditEvent.objects.bulk_create(events)
