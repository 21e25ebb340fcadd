"""Programmes in the demo: a small one for `trustworthy demo`, and a national portfolio for
`trustworthy demo --scale national`.

The small programme is made through the services, like the rest of the demo. The national
portfolio is a data load: about 200 fictional organisations with 50 projects each and
their appraisals are written in bulk (COPY on PostgreSQL), since writing a million answers
one service call at a time would take hours. Its signed appraisals carry what approval
leaves behind, so that `trustworthy audit verify` holds: the approval event in the
organisation's and the appraisal's chains (sealed with `core.audit.seal`), the status
change, the snapshot of what the record shows from outside the appraisal (as
`appraisals.selectors.context_snapshot` takes it) and the record signed, built from what
the database holds (`reports.signing.signed_contents`, equal to `signed_content`, many
records at a time). Signing is most of the build time.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, connections, models, transaction
from django.utils import timezone

from trustworthy.appraisals.evaluation import BENEFIT_RESULTS, EVALUATION_STAGE, RISK_RESULTS
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
from trustworthy.appraisals.selectors import SNAPSHOT_PROJECT_FIELDS
from trustworthy.core import audit
from trustworthy.core.models import AuditEvent, OrganisationChain
from trustworthy.framework import Framework, compute_route, is_departure, open_risk_score
from trustworthy.organisations import services as organisation_services
from trustworthy.organisations.models import Organisation, User
from trustworthy.programmes import services as programme_services
from trustworthy.programmes.models import Programme, SharedProject
from trustworthy.reports.signing import signed_contents
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
    built: int = 0  # organisations whose projects are built

    def add(self, batch: NationalResult) -> None:
        self.built += batch.built
        self.projects += batch.projects
        self.appraisals += batch.appraisals
        self.signed += batch.signed
        self.answers += batch.answers


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
STAGE_WEIGHTS = (0, 0, 1, 2, 3, 6)  # how far projects have gone (inception .. evaluation)
PROJECTS_AT_A_TIME = 500  # built together in one transaction (memory stays flat)
SIGNED_AT_A_TIME = 500  # records read and signed together
# A batch takes a minute or two: a worker with nothing to show for this long is stuck (or was
# killed, and its batch lost), and the build stops rather than wait for it for ever.
BATCH_TIMEOUT_SECONDS = 1200.0


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
    workers: int | None = None,
) -> NationalResult:
    """Generate the national portfolio and the programme that oversees it.

    The programme, its people and the organisations come first; then the organisations'
    projects, a few organisations at a time, each batch in a transaction of its own that
    leaves them complete, signed and shared (so an interrupted build leaves only whole
    organisations behind, every one verifiable). On PostgreSQL, outside any transaction,
    `workers` processes (default: one per processor, at most two) build batches side by side.
    """
    started = time.perf_counter()

    def step(text: str) -> None:
        progress(f"{text} ({time.perf_counter() - started:.0f} s)")

    if Programme.objects.filter(name=NATIONAL).exists():
        raise programme_services.ServiceError(
            f"The {NATIONAL} is already there: the portfolio is generated once."
        )
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
        orgs = _organisations(random.Random(seed), organisations)
        for org in orgs:
            programme_services.add_organisation(programme=programme, organisation=org, actor=operator)
    step(f"{len(orgs)} organisations in the {NATIONAL}")
    each = max(1, PROJECTS_AT_A_TIME // max(1, projects_each))
    batches = [
        _Batch(
            number, [o.pk for o in orgs[start : start + each]], projects_each, seed, programme.pk, operator.pk
        )
        for number, start in enumerate(range(0, len(orgs), each))
    ]
    workers = workers or min(2, os.cpu_count() or 1)
    side_by_side = (
        workers > 1
        and len(batches) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    processes = workers if side_by_side else 1
    step(f"building their projects, {each} organisations at a time, in {processes} process(es)")
    if side_by_side:
        connections.close_all()  # each process opens its own connection
        context = multiprocessing.get_context("fork")
        # Leaving the block terminates the workers, so a failed batch stops the others (their
        # transactions roll back) instead of leaving them running.
        with context.Pool(workers, initializer=_connections_of_its_own) as pool:
            built = pool.imap_unordered(_build_batch, batches)
            for _ in batches:
                try:
                    counts = built.next(timeout=BATCH_TIMEOUT_SECONDS)
                except multiprocessing.TimeoutError:
                    raise RuntimeError(
                        f"No batch of organisations was built in {BATCH_TIMEOUT_SECONDS:.0f} s: "
                        "a worker is stuck or was stopped. The organisations built so far are complete."
                    ) from None
                result.add(counts)
                step(_progress(result, len(orgs)))
    else:
        for batch in batches:
            result.add(_build_batch(batch))
            step(_progress(result, len(orgs)))
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would do later, done now: fresh statistics, so the dashboard's
        # grouped queries are planned for the tables as they are, and the visibility map,
        # so they are answered from the portfolio indexes alone (index-only scans).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        step("tables vacuumed and statistics gathered")
    result.organisations = len(orgs)
    result.seconds = time.perf_counter() - started
    return result


def _progress(result: NationalResult, organisations: int) -> str:
    return (
        f"{result.built} of {organisations} organisations built: {result.projects} projects, "
        f"{result.appraisals} appraisals ({result.signed} signed), {result.answers} answers"
    )


_INHERITED: list[Any] = []  # a worker's connections from its parent: kept, never closed


def _connections_of_its_own() -> None:
    """(First thing in each worker.) Set aside every database connection inherited from the
    parent, so that the worker opens its own.

    `close_all()` before forking closes the connections the parent can see, but Django keeps
    them per thread, or per context while an asyncio event loop is marked as running on the
    thread (as Playwright's sync API leaves it between calls): the parent may then still
    hold an open connection in the thread's own store, which is what a worker sees (a child
    process has no running loop). Two workers sharing that socket read each other's replies
    and leave the parent's session inside a transaction. The inherited wrappers are replaced,
    not closed: closing would end the parent's session on the server.
    """
    for wrapper in connections.all(initialized_only=True):
        _INHERITED.append(wrapper)
        connections[wrapper.alias] = connections.create_connection(wrapper.alias)


@dataclass(frozen=True)
class _Batch:
    """A few organisations whose projects are built together, in one transaction."""

    number: int
    organisations: list[int]
    projects_each: int
    seed: int
    programme: int
    operator: int


def _build_batch(batch: _Batch) -> NationalResult:
    """The organisations' projects, appraised and signed, and shared with the programme."""
    rng = random.Random(f"{batch.seed}:{batch.number}")  # the same data whichever process builds it
    operator = User.objects.get(pk=batch.operator)
    orgs = list(Organisation.objects.filter(pk__in=batch.organisations).order_by("pk"))
    with transaction.atomic():
        projects = _projects(rng, orgs, batch.projects_each, operator)
        portfolio = _Portfolio(rng, current_framework(), operator)
        portfolio.add(projects)
        signed = _sign(portfolio.signed, portfolio.approved_at, operator)
        now = timezone.now()
        SharedProject.objects.bulk_create(
            (
                SharedProject(
                    programme_id=batch.programme, project_id=p.pk, organisation_id=p.organisation_id,
                    shared_at=now,
                )
                for p in projects
            ),
            batch_size=2000,
        )  # fmt: skip
    return NationalResult(
        built=len(orgs), projects=len(projects), appraisals=portfolio.appraisals, signed=signed,
        answers=portfolio.answers,
    )  # fmt: skip


def _organisations(rng: random.Random, count: int) -> list[Organisation]:
    regions = list(Organisation.Region.values)
    made = []
    for number in range(count):
        kind = _pick(rng, TYPE_WEIGHTS)
        suffix = KINDS[list(TYPE_WEIGHTS).index(kind) % len(KINDS)]
        name = f"{PLACES[number % len(PLACES)]} {suffix} {number + 1}"
        made.append(Organisation(name=f"{name} (national demo)", type=kind, region=rng.choice(regions)))
    return Organisation.objects.bulk_create(made)


@dataclass
class _Project:
    """A project as the database holds it, with what every approval of it freezes."""

    pk: int
    organisation_id: int
    snapshot: dict[str, Any]


def _projects(rng: random.Random, orgs: list[Organisation], each: int, operator: User) -> list[_Project]:
    made = Project.objects.bulk_create(
        (
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
        ),
        batch_size=2000,
    )
    motivations: list[ProjectMotivation] = []
    for project in made:
        main = _pick(rng, MOTIVATION_WEIGHTS)
        motivations.append(
            ProjectMotivation(project=project, motivation=main, explanation="Why.", is_primary=True)
        )
        if rng.random() < 0.4:
            other = _pick(rng, MOTIVATION_WEIGHTS)
            if other != main:
                motivations.append(ProjectMotivation(project=project, motivation=other, explanation="Also."))
    ProjectMotivation.objects.bulk_create(motivations, batch_size=5000)
    return _as_stored([p.pk for p in made], {org.pk: org.name for org in orgs}, operator)


def _person(user: User) -> str:
    return user.full_name or user.email


def _as_stored(ids: list[int], names: dict[int, str], operator: User) -> list[_Project]:
    """The projects read back (values as the database returns them), each with the snapshot
    `context_snapshot` takes at approval of any of its appraisals (the same for them all:
    the operator both decides and approves, and no actions are agreed). Equal to it, appraisal
    by appraisal (tests/programmes/test_national.py)."""
    motivations: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for m in ProjectMotivation.objects.filter(project_id__in=ids).order_by("project_id", "motivation"):
        motivations[m.project_id].append(
            {"id": m.motivation, "explanation": m.explanation, "primary": m.is_primary}
        )
    stored = []
    for project in Project.objects.filter(pk__in=ids).order_by("pk"):
        snapshot = {
            "organisation": names[project.organisation_id],
            "project": {
                **{
                    name: None if getattr(project, name) is None else str(getattr(project, name))
                    for name in SNAPSHOT_PROJECT_FIELDS
                },
                "motivations": motivations[project.pk],
            },
            "approved_by": _person(operator),
            "recorded_by": _person(operator),
            "actions": [],  # the national demo agrees none
        }
        stored.append(_Project(project.pk, project.organisation_id, snapshot))
    return stored


class _Rows:
    """Rows of one table written straight in: COPY on PostgreSQL (a million answers in
    seconds), `bulk_create` elsewhere. Fields not given get their default (`now` for the
    automatic timestamps)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        now = timezone.now()
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        self.model, self.fields = model, list(fields)
        self.defaults: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key or f.attname in self.fields:
                continue
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            self.defaults[f.attname] = now if auto else f.get_default()
        self.json = [isinstance(by_name[name], models.JSONField) for name in self.fields]
        self.columns = [by_name[name].column for name in self.fields] + [
            by_name[name].column for name in self.defaults
        ]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def write(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            tail = tuple(_json(v) if isinstance(v, dict | list) else v for v in self.defaults.values())
            table = connection.ops.quote_name(self.model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in self.rows:
                    if any(self.json):
                        row = tuple(_json(v) if j else v for v, j in zip(row, self.json, strict=True))
                    copy.write_row(row + tail)
        else:
            self.model._default_manager.bulk_create(
                (
                    self.model(**dict(zip(self.fields, row, strict=True)), **self.defaults)
                    for row in self.rows
                ),
                batch_size=2000,
            )
        self.written += len(self.rows)
        self.rows = []


def _json(value: Any) -> str:
    return json.dumps(value)


@dataclass
class _Portfolio:
    """The appraisals of the projects, generated and written a batch of projects at a time."""

    rng: random.Random
    fw: Framework
    operator: User
    approved_at: datetime.datetime = field(default_factory=timezone.now)
    appraisals: int = 0
    answers: int = 0
    signed: list[Appraisal] = field(default_factory=list)  # approved, to be signed

    def add(self, projects: list[_Project]) -> None:
        planned = self._plan(projects)
        made = Appraisal.objects.bulk_create([a for a, _ in planned], batch_size=2000)
        self.appraisals += len(made)
        approved = [a for a in made if a.status == "approved"]
        self.signed += approved
        self._contents(planned)
        self._outcomes([a for a in approved if a.stage == EVALUATION_STAGE], made)
        changes = _Rows(
            StatusChange, ["appraisal_id", "from_status", "to_status", "by_id", "reason", "round"]
        )
        for a in approved:
            changes.add(a.pk, "in-review", "approved", self.operator.pk, "", 1)
        changes.write()

    def _plan(self, projects: list[_Project]) -> list[tuple[Appraisal, datetime.date]]:
        """Each project's appraisals, stage by stage as far as it has gone: every stage before
        the latest approved, the latest approved too unless it is still being worked on (a
        third of projects), each with the day its decision is taken (for the drafts, would
        be): projects began up to four years ago, a stage every two to eight months, so some
        reviews are overdue."""
        stages = [s.id for s in self.fw.stages]
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        made = []
        for project in projects:
            reached = self.rng.choices(range(len(stages)), weights=STAGE_WEIGHTS)[0]
            decided = yesterday - datetime.timedelta(days=self.rng.randrange(180, 1460))
            for index in range(reached + 1):
                draft = index == reached and self.rng.random() < 0.33
                decided = min(yesterday, decided + datetime.timedelta(days=self.rng.randrange(60, 240)))
                appraisal = Appraisal(
                    organisation_id=project.organisation_id,
                    project_id=project.pk,
                    stage=stages[index],
                    framework_id=self.fw.id,
                    framework_version=self.fw.version,
                    status="draft" if draft else "approved",
                    created_by=self.operator,
                )
                if not draft:
                    appraisal.approved_at, appraisal.approved_by = self.approved_at, self.operator
                    appraisal.approved_snapshot = project.snapshot
                    appraisal.review_date = decided + datetime.timedelta(days=self.rng.randrange(120, 480))
                made.append((appraisal, decided))
        return made

    def _contents(self, appraisals: list[tuple[Appraisal, datetime.date]]) -> None:
        """Answers, registers, ratings, participation and, for those approved, a decision."""
        rng, fw, by = self.rng, self.fw, self.operator.pk
        answers = _Rows(
            Answer, ["appraisal_id", "question_id", "aspect", "value", "rationale", "updated_by_id"]
        )
        ratings = _Rows(PrincipleRating, ["appraisal_id", "aspect", "principle_id", "rating", "note"])
        rows = _Rows(RegisterRow, ["appraisal_id", "register", "data"])
        participation = _Rows(Participation, ["appraisal_id", "stakeholder", "mode", "reason", "summary"])
        decisions = _Rows(
            Decision,
            [
                "appraisal_id", "decision", "reasoning", "departure_reason", "is_departure", "route_allowed",
                "accountable_person", "decided_on", "recorded_by_id",
            ],
        )  # fmt: skip
        parameters = fw.section("parameters").questions
        principles = [(q, fw.principles_in(q.cluster or "")) for q in fw.section("principles").questions]
        modes = [m.id for m in fw.participation_modes]
        decision_ids = [d.id for d in fw.decisions]
        for appraisal, decided in appraisals:
            pk = appraisal.pk
            good = rng.uniform(0.45, 0.9)
            for q in parameters:
                answers.add(
                    pk, q.id, "", _answer(rng, good) if q.has_closed_answer else "", "Our reasons.", by
                )
            for q, in_cluster in principles:
                for aspect in fw.aspects:
                    answers.add(pk, q.id, aspect.id, _answer(rng, good), "Our reasons.", by)
                    for p in in_cluster:
                        at_risk = rng.random() > good + 0.05
                        rating = "at-risk" if at_risk else rng.choice(("supports", "supports", "neutral"))
                        ratings.add(pk, aspect.id, p.id, rating, "A concern." if at_risk else "")
            risks = []
            for register in fw.registers:
                for _ in range(rng.randint(1, 3)):
                    data = _row(rng, register.id)
                    rows.add(pk, register.id, data)
                    if register.id == "risks":
                        risks.append(data)
            for group in fw.stakeholders:
                mode = rng.choices(modes, weights=(1, 4, 2, 2, 2))[0]
                reason = "Not possible at this stage." if mode == "not-involved" else ""
                participation.add(pk, group.id, mode, reason, "")
            tests = {t: _answer(rng, good) for t in ("T1", "T2", "T3", "T6")}
            if any(tests[t] != "yes" for t in ("T1", "T2", "T3")):
                tests["T4"] = rng.choice(("yes", "no"))
                if tests["T4"] == "yes":
                    tests["T5"] = _answer(rng, good)
            for question_id, value in sorted(tests.items()):
                answers.add(pk, question_id, "", value, "Because.", by)
            if appraisal.status == "approved":
                route = compute_route(tests, open_risk_score(risks))
                choice = rng.choice(route.allowed) if rng.random() < 0.9 else rng.choice(decision_ids)
                departure = is_departure(choice, route)
                decisions.add(
                    pk, choice, "We weighed it all.", "A duty to act." if departure else "", departure,
                    list(route.allowed), "Director (fictional)", decided, by,
                )  # fmt: skip
        for table in (answers, ratings, rows, participation, decisions):
            table.write()
        self.answers += answers.written

    def _outcomes(self, evaluations: list[Appraisal], made: list[Appraisal]) -> None:
        """What happened to each benefit and risk of the stage each evaluation looks back on
        (the project's latest approved stage before it: all of a project's appraisals are
        made in one batch)."""
        baseline = {
            a.project_id: a.pk for a in made if a.status == "approved" and a.stage != EVALUATION_STAGE
        }  # the last one of each project wins: the latest stage
        evaluation_of = {baseline[a.project_id]: a.pk for a in evaluations}
        found = RegisterRow.objects.filter(
            appraisal_id__in=list(evaluation_of), register__in=("benefits", "risks")
        ).order_by("pk")
        outcomes = _Rows(
            Outcome, ["appraisal_id", "row_id", "register", "result", "evidence", "handling", "lock_version"]
        )
        for pk, appraisal_id, register in found.values_list("pk", "appraisal_id", "register"):
            benefit = register == "benefits"
            outcomes.add(
                evaluation_of[appraisal_id], pk, register,
                self.rng.choice(BENEFIT_RESULTS if benefit else RISK_RESULTS)[0],
                "What we found." if benefit else "", "" if benefit else "What we did about it.", 1,
            )  # fmt: skip
        outcomes.write()


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


# --- signing -----------------------------------------------------------------------------------


class _Signatures:
    """What signing writes on each appraisal: the record signed, its hash and the approval
    event's seal (the head of the appraisal's one-event chain)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, str]] = []
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS national_signed")
                cursor.execute(
                    "CREATE TEMPORARY TABLE national_signed (id bigint PRIMARY KEY, content jsonb, "
                    "record_hash varchar(64), head varchar(64)) ON COMMIT DROP"
                )

    def add(self, pk: int, text: str, record_hash: str, head: str) -> None:
        self.rows.append((pk, text, record_hash, head))

    def copy(self) -> None:
        """Into the side table (PostgreSQL), a batch at a time so memory stays flat."""
        if self.postgres and self.rows:
            with connection.cursor() as cursor, cursor.cursor.copy("COPY national_signed FROM STDIN") as copy:
                for row in self.rows:
                    copy.write_row(row)
            self.rows = []

    def write(self) -> None:
        """Onto the appraisals: those signed so far."""
        if self.postgres:
            self.copy()
            table = connection.ops.quote_name(Appraisal._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS a SET signed_content = s.content, record_hash = s.record_hash, "
                    "audit_head = s.head, audit_count = 1, approved_audit_head = s.head "
                    "FROM national_signed AS s WHERE a.id = s.id"
                )
                cursor.execute("TRUNCATE national_signed")
            return
        signed = [
            Appraisal(
                pk=pk, signed_content=json.loads(text), record_hash=record_hash, audit_head=head,
                audit_count=1, approved_audit_head=head,
            )
            for pk, text, record_hash, head in self.rows
        ]  # fmt: skip
        fields = ["signed_content", "record_hash", "audit_head", "audit_count", "approved_audit_head"]
        Appraisal.objects.bulk_update(signed, fields, batch_size=200)
        self.rows = []


def _sign(approved: list[Appraisal], approved_at: datetime.datetime, operator: User) -> int:
    """Sign every approved appraisal as approval does: the record (built from the database)
    and its hash, and the approval event in the organisation's chain and the appraisal's.
    Evaluations last: their record shows the signed record of the stage they look back on."""
    chains = {
        c.organisation_id: c
        for c in OrganisationChain.objects.filter(organisation_id__in={a.organisation_id for a in approved})
    }
    events = _Rows(
        AuditEvent,
        [
            "organisation_id", "org_sequence", "org_prev_hash", "appraisal_id", "sequence", "prev_hash",
            "actor_id", "actor_name", "at", "action", "target", "before", "after", "reason", "hash",
        ],
    )  # fmt: skip
    signatures = _Signatures()
    done = 0
    for evaluations in (False, True):
        ids = [a.pk for a in approved if (a.stage == EVALUATION_STAGE) == evaluations]
        for start in range(0, len(ids), SIGNED_AT_A_TIME):
            found = list(
                Appraisal.objects.filter(pk__in=ids[start : start + SIGNED_AT_A_TIME])
                .select_related("project", "organisation")
                .order_by("pk")
            )
            for appraisal in found:
                appraisal.approved_by = operator
            contents = signed_contents(found)
            for appraisal in found:
                # `audit.digest` of the content, keeping the canonical text it hashes to store.
                text = audit.canonical_json(contents[appraisal.pk])
                record_hash = hashlib.sha256(text.encode()).hexdigest()
                chain = chains.get(appraisal.organisation_id) or chains.setdefault(
                    appraisal.organisation_id,
                    OrganisationChain.objects.create(organisation_id=appraisal.organisation_id),
                )
                event = AuditEvent(
                    organisation_id=appraisal.organisation_id, org_sequence=chain.count + 1,
                    org_prev_hash=chain.head, appraisal_id=appraisal.pk, sequence=1, prev_hash="",
                    actor_id=operator.pk, actor_name=str(operator), at=approved_at, action="status.changed",
                    target="approve", before={"status": "in-review"},
                    after={"status": "approved", "record_hash": record_hash}, reason="",
                )  # fmt: skip
                event.hash = audit.seal(event)
                chain.head, chain.count = event.hash, chain.count + 1
                events.add(*(getattr(event, name) for name in events.fields))
                signatures.add(appraisal.pk, text, record_hash, event.hash)
            signatures.copy()
            done += len(found)
        signatures.write()  # before the evaluations that read them
    events.write()
    OrganisationChain.objects.bulk_update(chains.values(), ["head", "count"], batch_size=2000)
    return done
