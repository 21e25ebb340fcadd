"""One decision record, built from an appraisal, in a shape no output format owns.

`build_record(data)` turns everything an appraisal holds into frozen dataclasses: the
project, its context and motivations, every answer with the question's published wording,
every register, the principle ratings, who took part and what they said, the route, the
decision and any departure from the framework, the actions agreed (with owners, dates and
status), sign-off and the audit hashes once approved. The HTML, PDF, Word and JSON
renderers all read this one structure, so they cannot disagree about what the record says.

`public=True` builds the version for the public register: the names of people are left
out (actions' owners too), and so is anything the lead marked as not for publication.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from trustworthy.appraisals.actions import action_facts
from trustworthy.appraisals.evaluation import (
    EXPECTED_AGAINST_REALISED,
    UNFORESEEN_KINDS,
    headline,
    kinds,
    label,
)
from trustworthy.appraisals.presenters import money
from trustworthy.framework import Framework, Question, Register

from . import readiness as readiness_part
from .declared import CommitmentsPart, InterestItem, commitments_part, interests_part, public_interests
from .readiness import ReadinessSection
from .screening_record import ScreeningPart, build_screening, public_screening
from .summary import paragraphs

RECORD_FORMAT = "decision-record-1"
NOT_PUBLISHED = "Not published."
VOICES_TITLE = "What young people and families told us, and what we did about it"


@dataclass(frozen=True)
class Motivation:
    id: str
    label: str
    explanation: str
    primary: bool
    key: str = ""


@dataclass(frozen=True)
class ContextItem:
    id: str
    label: str
    text: str
    key: str = ""


@dataclass(frozen=True)
class ProjectPart:
    title: str
    summary: str
    problem: str
    target_cohort: str
    funding_source: str
    funding_amount: str | None
    accountable_person: str | None
    context: tuple[ContextItem, ...]
    motivations: tuple[Motivation, ...]

    @property
    def funding(self) -> str:
        """Where the money comes from and how much, as people write it: "Council budget (£250,000)"."""
        amount = money(self.funding_amount)
        if self.funding_source and amount:
            return f"{self.funding_source} ({amount})"
        return self.funding_source or amount


@dataclass(frozen=True)
class AnswerItem:
    question_id: str
    aspect: str
    aspect_label: str
    value: str
    value_label: str
    rationale: str
    evidence: str
    key: str = ""


@dataclass(frozen=True)
class QuestionItem:
    id: str
    label: str
    text: str
    kind: str
    answers: tuple[AnswerItem, ...]
    register: str | None = None
    cluster: str | None = None


@dataclass(frozen=True)
class SectionItem:
    id: str
    number: int
    title: str
    questions: tuple[QuestionItem, ...]


@dataclass(frozen=True)
class FieldItem:
    id: str
    label: str
    type: str


@dataclass(frozen=True)
class RowItem:
    data: Mapping[str, Any]
    cells: tuple[str, ...]
    key: str = ""
    published: bool = True


@dataclass(frozen=True)
class RegisterItem:
    id: str
    question_id: str
    name: str
    fields: tuple[FieldItem, ...]
    rows: tuple[RowItem, ...]


@dataclass(frozen=True)
class RatingItem:
    aspect: str
    aspect_label: str
    principle_id: str
    principle_name: str
    cluster: str
    cluster_name: str
    rating: str
    rating_label: str
    note: str
    key: str = ""


@dataclass(frozen=True)
class ParticipationItem:
    stakeholder: str
    stakeholder_label: str
    mode: str
    mode_label: str
    reason: str
    summary: str
    key: str = ""


@dataclass(frozen=True)
class RoutePart:
    complete: bool
    allowed: tuple[str, ...]
    allowed_names: tuple[str, ...]
    not_applicable: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DecisionPart:
    decision: str
    name: str
    meaning: str
    reasoning: str
    is_departure: bool
    departure_reason: str
    route_allowed: tuple[str, ...]
    accountable_person: str | None
    decided_on: str
    recorded_by: str | None
    recorded_at: str | None


@dataclass(frozen=True)
class SignOff:
    status: str
    status_label: str
    approved: bool
    approved_by: str | None
    approved_at: str | None
    record_hash: str | None
    approved_audit_head: str | None


@dataclass(frozen=True)
class CriterionRating:
    """A rating of one criterion of trustworthy innovation (D1-D5, D3a-D3c)."""

    criterion: str
    text: str
    rating: str
    rating_label: str
    note: str


@dataclass(frozen=True)
class VoiceItem:
    """One thing people told us, and what was done about it."""

    said: str
    response: str
    heading: str = ""


@dataclass(frozen=True)
class VoicesSection:
    """“What young people and families told us, and what we did about it”.

    Filled by `trustworthy.voices.records.voices_section(appraisal)` when that exists.
    """

    items: tuple[VoiceItem, ...]
    title: str = VOICES_TITLE
    introduction: str = ""
    counts: tuple[VoiceCount, ...] = ()


@dataclass(frozen=True)
class VoiceCount:
    """How many responses came from one group in one way (online, workshop...)."""

    group: str
    source: str
    count: int


@dataclass(frozen=True)
class Summary:
    """The plain-language “What we decided and why” for young people and families."""

    text: str
    edited: bool

    @property
    def paragraphs(self) -> list[str]:
        """As typed: split at blank lines; a single line break stays inside its paragraph."""
        return paragraphs(self.text)


@dataclass(frozen=True)
class ExpectedItem:
    """One benefit or risk as the approved earlier stage expected it, and what happened."""

    expected: Mapping[str, Any]  # the approved row's fields, as stored
    cells: tuple[tuple[str, str], ...]  # (label, text) of each field, for reading
    headline: str
    result: str | None  # None: not recorded yet
    result_label: str
    evidence: str
    handling: str = ""
    key: str = ""


@dataclass(frozen=True)
class UnforeseenEntry:
    kind: str
    kind_label: str
    description: str
    who_affected: str
    handling: str
    key: str = ""


@dataclass(frozen=True)
class Baseline:
    """The approved appraisal whose expectations the evaluation looks back on."""

    stage: str
    stage_name: str
    version: int
    approved_at: str | None
    record_hash: str | None


@dataclass(frozen=True)
class EvaluationSection:
    """“Expected against realised”: at the post hoc evaluation stage, what the approved
    earlier stage expected of each benefit and risk, what happened, what nobody expected,
    and the lessons for others."""

    baseline: Baseline | None
    benefits: tuple[ExpectedItem, ...]
    risks: tuple[ExpectedItem, ...]
    unforeseen: tuple[UnforeseenEntry, ...]
    lessons: str
    title: str = EXPECTED_AGAINST_REALISED


@dataclass(frozen=True)
class ActionItem:
    """Something agreed to be done, with its owner, date and status: in an approved record,
    as it stood at approval (what happened since is kept on the action, not in the record)."""

    what: str
    source: str  # risk, enabler, decision, lessons or other
    source_label: str
    owner: str | None  # a member's name or a role; None in the public version
    due_on: str
    status: str
    status_label: str
    evidence: str = ""
    dropped_reason: str = ""
    closed_on: str | None = None
    register_row: int | None = None  # its row's place in its register, when it came from one here
    carried_forward_from: str | None = None  # the stage it was carried forward from
    carried_forward_to: str | None = None  # the stage it was carried forward to since
    key: str = ""


def action_item(facts: Mapping[str, Any], key: str) -> ActionItem:
    """An action from its plain values (`appraisals.actions.action_facts`, or a document's)."""
    return ActionItem(
        what=facts["what"],
        source=facts["source"],
        source_label=facts["source_label"],
        owner=facts["owner"],
        due_on=facts["due_on"],
        status=facts["status"],
        status_label=facts["status_label"],
        evidence=facts["evidence"],
        dropped_reason=facts["dropped_reason"],
        closed_on=facts["closed_on"],
        register_row=facts["register_row"],
        carried_forward_from=facts["carried_forward_from"],
        carried_forward_to=facts["carried_forward_to"],
        key=key,
    )


@dataclass(frozen=True)
class DecisionRecord:
    framework_id: str
    framework_version: str
    framework_title: str
    organisation: str
    appraisal_id: int | None
    stage: str
    stage_name: str
    version: int
    created_at: str | None
    updated_at: str | None
    review_date: str | None
    project: ProjectPart
    sections: tuple[SectionItem, ...]
    registers: tuple[RegisterItem, ...]
    principles: tuple[RatingItem, ...]
    participation: tuple[ParticipationItem, ...]
    route: RoutePart
    decision: DecisionPart | None
    sign_off: SignOff
    profile: tuple[CriterionRating, ...]
    voices: VoicesSection | None = None
    summary: Summary | None = None
    evaluation: EvaluationSection | None = None  # only at the post hoc evaluation stage
    actions: tuple[ActionItem, ...] = ()
    readiness: ReadinessSection | None = None  # only when readiness for innovation was assessed
    # Declared interests and the commitments answered (reports/declared.py): empty/None when
    # there are none, so records signed before them are unchanged.
    interests: tuple[InterestItem, ...] = ()
    commitments: CommitmentsPart | None = None
    # Why this stage was started before the stage before it was signed ("" if it was not).
    stage_reason: str = ""
    # The screening and the route (only once the appraisal was screened).
    screening: ScreeningPart | None = None
    public: bool = False
    generated_at: str | None = None
    excluded: frozenset[str] = field(default_factory=frozenset)

    @property
    def title(self) -> str:
        return f"{self.project.title}: {self.stage_name} decision record"

    def answers(self) -> Iterable[AnswerItem]:
        for section in self.sections:
            for question in section.questions:
                yield from question.answers

    def register(self, register_id: str) -> RegisterItem | None:
        return next((r for r in self.registers if r.id == register_id), None)

    def ratings_in(self, cluster: str | None) -> tuple[RatingItem, ...]:
        return tuple(r for r in self.principles if r.cluster == cluster)

    def free_text(self) -> list[tuple[str, str, str]]:
        """(key, where, text) for every piece of free text, for the personal-data check."""
        out: list[tuple[str, str, str]] = []
        p = self.project
        out += [
            ("project.summary", "Project summary", p.summary),
            ("project.problem", "The problem", p.problem),
            ("project.target_cohort", "Who it is for", p.target_cohort),
            (
                "appraisal.stage_reason",
                "Why this stage started before the earlier one was signed",
                self.stage_reason,
            ),
        ]
        out += [(c.key, f"Context: {c.label}", c.text) for c in p.context]
        out += [(m.key, f"Motivation: {m.label}", m.explanation) for m in p.motivations]
        for section in self.sections:
            for question in section.questions:
                for a in question.answers:
                    where = f"{question.id} {question.label}" + (f" ({a.aspect_label})" if a.aspect else "")
                    out.append((a.key, where, a.rationale))
                    out.append((a.key, f"{where}: evidence", a.evidence))
        for register in self.registers:
            for number, row in enumerate(register.rows, 1):
                for f, cell in zip(register.fields, row.cells, strict=True):
                    if f.type == "text":
                        out.append((row.key, f"{register.name}, row {number}: {f.label}", cell))
        out += [
            (r.key, f"{r.principle_id} {r.principle_name} ({r.aspect_label})", r.note)
            for r in self.principles
        ]
        for part in self.participation:
            out.append((part.key, f"Who took part: {part.stakeholder_label}", part.summary))
            out.append((part.key, f"Who took part: {part.stakeholder_label}, reason", part.reason))
        if self.decision:
            out.append(("decision.reasoning", "Reasons for the decision", self.decision.reasoning))
            out.append(("decision.departure_reason", "Reason for departing", self.decision.departure_reason))
        if self.commitments:
            out.append(("decision.commitments", "How the decision is consistent with our commitments",
                        self.commitments.answer))  # fmt: skip
        out += [("interests", f"Interest declared by {i.role_label}", i.interest) for i in self.interests]
        if self.summary:
            out.append(("summary", "What we decided and why", self.summary.text))
        if self.voices:
            for number, item in enumerate(self.voices.items, 1):
                out.append(("voices", f"{self.voices.title}, item {number}", f"{item.said}\n{item.response}"))
        if self.evaluation:
            out += self.evaluation_text()
        out += self.actions_text()
        out += readiness_part.free_text(self.readiness)
        if self.screening:
            out += self.screening.free_text()
        return [(key, where, text) for key, where, text in out if text and text != NOT_PUBLISHED]

    def actions_text(self) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        for number, a in enumerate(self.actions, 1):
            where = f"Actions: action {number}"
            out.append((a.key, where, a.what))
            out.append((a.key, f"{where}, evidence it was done", a.evidence))
            out.append((a.key, f"{where}, why it was dropped", a.dropped_reason))
        return out

    def evaluation_text(self) -> list[tuple[str, str, str]]:
        ev = self.evaluation
        if ev is None:
            return []
        out: list[tuple[str, str, str]] = []
        for name, items in (("Benefit", ev.benefits), ("Risk", ev.risks)):
            for number, item in enumerate(items, 1):
                where = f"{ev.title}: {name.lower()} {number}"
                out += [(item.key, f"{where}, expected: {lab}", cell) for lab, cell in item.cells]
                out.append((item.key, f"{where}, what happened", item.evidence))
                out.append((item.key, f"{where}, how it was handled", item.handling))
        for number, u in enumerate(ev.unforeseen, 1):
            where = f"{ev.title}: what nobody expected, item {number}"
            out.append((u.key, where, u.description))
            out.append((u.key, f"{where}, who it affected", u.who_affected))
            out.append((u.key, f"{where}, what was done", u.handling))
        out.append(("evaluation.lessons", "Lessons for others", ev.lessons))
        return out


# --- building ------------------------------------------------------------------------------


def _label(choices: Iterable[Any], value: str) -> str:
    return next((c.label for c in choices if c.id == value), value)


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="seconds")
    return value.isoformat()


def cell_text(register: Register, field_id: str, value: Any) -> str:
    f = next(f for f in register.fields if f.id == field_id)
    if value is None:
        return ""
    if f.type == "choice":
        return _label(f.choices, str(value))
    if f.type == "multichoice":
        return ", ".join(_label(f.choices, str(v)) for v in value)
    return str(value)


def _question_item(fw: Framework, q: Question, answers: Mapping[str, Any]) -> QuestionItem:
    items = []
    aspects = [a.id for a in fw.aspects] if q.kind == "principles" else [""]
    for aspect in aspects:
        key = f"{q.id}:{aspect}" if aspect else q.id
        a = answers.get(key)
        if a is None:
            continue
        items.append(
            AnswerItem(
                question_id=q.id,
                aspect=aspect,
                aspect_label=_label(fw.aspects, aspect) if aspect else "",
                value=a.value,
                value_label=_label(fw.answer_scale, a.value) if a.value else "",
                rationale=a.rationale,
                evidence=a.evidence,
                key=f"answer.{key}",
            )
        )
    return QuestionItem(q.id, q.label, q.text, q.kind, tuple(items), q.register, q.cluster)


def _profile(appraisal: Any, fw: Framework) -> tuple[CriterionRating, ...]:
    """D1-D5 ratings (D3 through its parts), in the framework's order, where they are recorded."""
    from trustworthy.appraisals.selectors import criterion_ratings

    given = {r.criterion_id: r for r in criterion_ratings(appraisal)}
    labels = {r.id: r.label for r in fw.criterion_ratings}
    return tuple(
        CriterionRating(
            c.id, c.text, given[c.id].rating, labels.get(given[c.id].rating, ""), given[c.id].note
        )
        for c in fw.rateable_criteria()
        if c.id in given
    )


def _voices(appraisal: Any) -> VoicesSection | None:
    """The section from consultations with young people and families, when there are any."""
    try:
        from trustworthy.voices.records import voices_section
    except ImportError:
        return None
    found = voices_section(appraisal)
    if found is None or getattr(found, "is_empty", False):
        return None
    responses = getattr(found, "response_count", 0)
    consultations = getattr(found, "consultation_count", 0)
    return VoicesSection(
        title=getattr(found, "title", VOICES_TITLE),
        introduction=(
            f"{responses} {'response' if responses == 1 else 'responses'} from "
            f"{consultations} {'consultation' if consultations == 1 else 'consultations'}."
        ),
        items=tuple(
            VoiceItem(
                heading=t.name,
                said=t.description,
                response=t.decision_note or "Not recorded yet.",
            )
            for t in getattr(found, "themes", ())
        ),
        counts=tuple(
            VoiceCount(c.group_label, c.source_label, c.count) for c in getattr(found, "counts", ())
        ),
    )


def _expected_item(register: Register, row: Any, outcome: Any, result_label: str) -> ExpectedItem:
    return ExpectedItem(
        expected=dict(row.data),
        cells=tuple((f.label, cell_text(register, f.id, row.data.get(f.id))) for f in register.fields),
        headline=headline(register, row.data),
        result=outcome.result if outcome else None,
        result_label=result_label,
        evidence=outcome.evidence if outcome else "",
        handling=outcome.handling if outcome else "",
        key=f"evaluation.row.{row.pk}",
    )


def _evaluation(appraisal: Any) -> EvaluationSection | None:
    """Expected against realised, at the post hoc evaluation stage (None at any other)."""
    from trustworthy.appraisals.selectors import evaluation_of

    found = evaluation_of(appraisal)
    if found is None:
        return None
    base, fw = found.baseline, found.baseline_framework
    sides: dict[str, tuple[ExpectedItem, ...]] = {"benefit": (), "risk": ()}
    if fw is not None:  # with no approved stage, an imported evaluation's own rows (selectors)
        for kind, expectations in zip(kinds(fw), (found.benefits, found.risks), strict=True):
            register = fw.register(kind.register)
            sides[kind.id] = tuple(
                _expected_item(
                    register, e.row, e.outcome, kind.result_label(e.outcome.result if e.outcome else None)
                )
                for e in expectations
            )
    return EvaluationSection(
        baseline=None
        if base is None
        else Baseline(
            stage=base.stage,
            stage_name=base.stage_name,
            version=base.version,
            approved_at=_iso(base.approved_at),
            record_hash=base.record_hash or None,
        ),
        benefits=sides["benefit"],
        risks=sides["risk"],
        unforeseen=tuple(
            UnforeseenEntry(
                kind=u.kind,
                kind_label=label(UNFORESEEN_KINDS, u.kind),
                description=u.description,
                who_affected=u.who_affected,
                handling=u.handling,
                key=f"evaluation.unforeseen.{u.pk}",
            )
            for u in found.unforeseen
        ),
        lessons=found.lessons.text if found.lessons else "",
    )


CONTEXT_LABELS = {"organisational": "Organisational", "local": "Local", "national": "National"}


def _live_project(project: Any) -> dict[str, Any]:
    """The project's details now, in the shape frozen at approval (see `context_snapshot`)."""
    return {
        "title": project.title,
        "summary": project.summary,
        "problem": project.problem,
        "target_cohort": project.target_cohort,
        "funding_source": project.funding_source,
        "funding_amount": project.funding_amount,
        "accountable_person": project.accountable_person,
        **{f"context_{dim}": getattr(project, f"context_{dim}") for dim in CONTEXT_LABELS},
        "motivations": [
            {"id": m.motivation, "explanation": m.explanation, "primary": m.is_primary}
            for m in project.motivations.all()
        ],
    }


def _project_part(fw: Framework, p: Mapping[str, Any]) -> ProjectPart:
    amount = p["funding_amount"]
    motivations = sorted(p["motivations"], key=lambda m: (not m["primary"], m["id"]))
    return ProjectPart(
        title=p["title"],
        summary=p["summary"],
        problem=p["problem"],
        target_cohort=p["target_cohort"],
        funding_source=p["funding_source"],
        funding_amount=None if amount is None else f"{Decimal(str(amount)):.2f}",
        accountable_person=p["accountable_person"],
        context=tuple(
            ContextItem(dim, label, p[f"context_{dim}"], key=f"project.context.{dim}")
            for dim, label in CONTEXT_LABELS.items()
        ),
        motivations=tuple(
            Motivation(
                m["id"],
                _label(fw.motivations, m["id"]),
                m["explanation"],
                m["primary"],
                key=f"motivation.{m['id']}",
            )
            for m in motivations
        ),
    )


def build_record(
    data: Any,
    *,
    public: bool = False,
    excluded: Iterable[str] = (),
    summary: Summary | None = None,
    voices: Callable[[Any], VoicesSection | None] | None = _voices,
    now: datetime.datetime | None = None,
) -> DecisionRecord:
    """The decision record of one appraisal (`data` is an `AppraisalData`)."""
    fw: Framework = data.framework
    appraisal = data.appraisal
    project = appraisal.project
    approved = appraisal.status == "approved"

    frozen = appraisal.approved_snapshot if approved else None
    # An approved record shows its actions as they stood at approval (none, if it was signed
    # before actions were kept); what happened since is kept on each action.
    facts = (frozen.get("actions") or []) if frozen else action_facts(appraisal)
    project_part = _project_part(fw, frozen["project"] if frozen else _live_project(project))
    sections = tuple(
        SectionItem(s.id, s.number, s.title, tuple(_question_item(fw, q, data.answers) for q in s.questions))
        for s in fw.sections
    )
    registers = tuple(
        RegisterItem(
            id=r.id,
            question_id=r.question,
            name=r.name,
            fields=tuple(FieldItem(f.id, f.label, f.type) for f in r.fields),
            rows=tuple(
                RowItem(
                    data=dict(row.data),
                    cells=tuple(cell_text(r, f.id, row.data.get(f.id)) for f in r.fields),
                    key=f"row.{row.pk}",
                )
                for row in data.rows.get(r.id, [])
            ),
        )
        for r in fw.registers
    )
    principles = []
    for aspect in fw.aspects:
        for p in fw.principles:
            rating = data.ratings.get((aspect.id, p.id))
            if rating is None:
                continue
            principles.append(
                RatingItem(
                    aspect=aspect.id,
                    aspect_label=aspect.label,
                    principle_id=p.id,
                    principle_name=p.name,
                    cluster=p.cluster,
                    cluster_name=next(c.name for c in fw.principle_clusters if c.id == p.cluster),
                    rating=rating.rating,
                    rating_label=_label(fw.principle_ratings, rating.rating),
                    note=rating.note,
                    key=f"principle.{aspect.id}.{p.id}",
                )
            )
    participation = tuple(
        ParticipationItem(
            stakeholder=s.id,
            stakeholder_label=s.label,
            mode=rec.mode,
            mode_label=_label(fw.participation_modes, rec.mode),
            reason=rec.reason,
            summary=rec.summary,
            key=f"participation.{s.id}",
        )
        for s in fw.stakeholders
        if (rec := data.participation.get(s.id)) is not None
    )
    route = data.route
    route_part = RoutePart(
        complete=route.complete,
        allowed=tuple(route.allowed),
        allowed_names=tuple(fw.decision(d).name for d in route.allowed),
        not_applicable=tuple(route.not_applicable),
        reasons=tuple(route.reasons),
    )
    decision = None
    if data.decision is not None:
        d = data.decision
        chosen = fw.decision(d.decision)
        decision = DecisionPart(
            decision=d.decision,
            name=chosen.name,
            meaning=chosen.meaning,
            reasoning=d.reasoning,
            is_departure=d.is_departure,
            departure_reason=d.departure_reason,
            route_allowed=tuple(d.route_allowed),
            accountable_person=d.accountable_person,
            decided_on=d.decided_on.isoformat(),
            recorded_by=frozen["recorded_by"] if frozen else (d.recorded_by.full_name or d.recorded_by.email),
            recorded_at=_iso(d.recorded_at),
        )
    approver = appraisal.approved_by if approved and appraisal.approved_by_id else None
    sign_off = SignOff(
        status=appraisal.status,
        status_label=appraisal.get_status_display(),
        approved=approved,
        approved_by=frozen["approved_by"]
        if frozen
        else (approver.full_name or approver.email)
        if approver
        else None,
        approved_at=_iso(appraisal.approved_at) if approved else None,
        record_hash=(appraisal.record_hash or None) if approved else None,
        approved_audit_head=(appraisal.approved_audit_head or None) if approved else None,
    )
    record = DecisionRecord(
        framework_id=fw.id,
        framework_version=fw.version,
        framework_title=fw.title,
        organisation=frozen["organisation"] if frozen else appraisal.organisation.name,
        appraisal_id=appraisal.pk,
        stage=appraisal.stage,
        stage_name=fw.stage(appraisal.stage).name,
        version=appraisal.version,
        created_at=_iso(appraisal.created_at),
        updated_at=_iso(appraisal.updated_at),
        review_date=_iso(appraisal.review_date),
        project=project_part,
        sections=sections,
        registers=registers,
        principles=tuple(principles),
        participation=participation,
        route=route_part,
        decision=decision,
        sign_off=sign_off,
        profile=_profile(appraisal, fw),
        voices=voices(appraisal) if voices else None,
        summary=summary,
        evaluation=_evaluation(appraisal),
        actions=tuple(action_item(f, f"action.{f['id']}") for f in facts),
        readiness=readiness_part.section(data),
        interests=interests_part(appraisal),
        commitments=commitments_part(data.decision),
        stage_reason=appraisal.stage_reason,
        screening=build_screening(appraisal, fw),
        generated_at=_iso(now or datetime.datetime.now(tz=datetime.UTC)),
    )
    return make_public(record, excluded) if public else record


# --- the public version --------------------------------------------------------------------


def _public_item(item: ExpectedItem, hidden: frozenset[str]) -> ExpectedItem:
    """A benefit or risk left out of the public version: every word of it, expected and realised."""
    if item.key not in hidden:
        return item
    return replace(
        item,
        expected={k: NOT_PUBLISHED if isinstance(v, str) else v for k, v in item.expected.items()},
        cells=tuple((lab, NOT_PUBLISHED) for lab, _ in item.cells),
        headline=NOT_PUBLISHED,
        evidence=NOT_PUBLISHED if item.evidence else "",
        handling=NOT_PUBLISHED if item.handling else "",
    )


def make_public(record: DecisionRecord, excluded: Iterable[str] = ()) -> DecisionRecord:
    """Leave out the names of people, and every item in `excluded` (keys like ``answer.P1``)."""
    hidden = frozenset(excluded)

    def text(key: str, value: str) -> str:
        return NOT_PUBLISHED if key in hidden and value else value

    p = record.project
    project = replace(
        p,
        summary=text("project.summary", p.summary),
        problem=text("project.problem", p.problem),
        target_cohort=text("project.target_cohort", p.target_cohort),
        accountable_person=None,
        context=tuple(replace(c, text=text(c.key, c.text)) for c in p.context),
        motivations=tuple(replace(m, explanation=text(m.key, m.explanation)) for m in p.motivations),
    )
    sections = tuple(
        replace(
            s,
            questions=tuple(
                replace(
                    q,
                    answers=tuple(
                        replace(a, rationale=text(a.key, a.rationale), evidence=text(a.key, a.evidence))
                        for a in q.answers
                    ),
                )
                for q in s.questions
            ),
        )
        for s in record.sections
    )
    registers = tuple(
        replace(
            r,
            rows=tuple(
                replace(
                    row,
                    cells=tuple(
                        NOT_PUBLISHED if f.type == "text" else cell
                        for f, cell in zip(r.fields, row.cells, strict=True)
                    ),
                    data={
                        f.id: (NOT_PUBLISHED if f.type == "text" else row.data.get(f.id)) for f in r.fields
                    },
                    published=False,
                )
                if row.key in hidden
                else row
                for row in r.rows
            ),
        )
        for r in record.registers
    )
    principles = tuple(replace(r, note=text(r.key, r.note)) for r in record.principles)
    participation = tuple(
        replace(x, summary=text(x.key, x.summary), reason=text(x.key, x.reason)) for x in record.participation
    )
    decision = record.decision
    if decision is not None:
        decision = replace(
            decision,
            reasoning=text("decision.reasoning", decision.reasoning),
            departure_reason=text("decision.departure_reason", decision.departure_reason),
            accountable_person=None,
            recorded_by=None,
        )
    sign_off = replace(record.sign_off, approved_by=None)
    summary = record.summary
    if summary is not None and "summary" in hidden:
        summary = None
    voices = None if "voices" in hidden else record.voices
    evaluation = record.evaluation
    if evaluation is not None:
        evaluation = replace(
            evaluation,
            benefits=tuple(_public_item(i, hidden) for i in evaluation.benefits),
            risks=tuple(_public_item(i, hidden) for i in evaluation.risks),
            unforeseen=tuple(
                replace(
                    u,
                    description=text(u.key, u.description),
                    who_affected=text(u.key, u.who_affected),
                    handling=text(u.key, u.handling),
                )
                for u in evaluation.unforeseen
            ),
            lessons=text("evaluation.lessons", evaluation.lessons),
        )
    actions = tuple(
        replace(
            a,
            owner=None,
            what=text(a.key, a.what),
            evidence=text(a.key, a.evidence),
            dropped_reason=text(a.key, a.dropped_reason),
        )
        for a in record.actions
    )
    return replace(
        record,
        project=project,
        sections=sections,
        registers=registers,
        principles=principles,
        participation=participation,
        decision=decision,
        sign_off=sign_off,
        summary=summary,
        voices=voices,
        evaluation=evaluation,
        actions=actions,
        readiness=readiness_part.public(record.readiness, text),
        interests=public_interests(record.interests),
        stage_reason=text("appraisal.stage_reason", record.stage_reason),
        screening=public_screening(record.screening),
        public=True,
        excluded=hidden,
    )
