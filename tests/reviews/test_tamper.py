"""Tampering with the database behind the services, as someone with database access but
without the audit key would.

One approved, published appraisal is built through the services with something in every
table its decision record or its history page reads (answers, registers, ratings, who
took part, D1-D5, the decision, the family summary, a consultation with responses and
themes, comments, review verdicts, status changes, a publication), next to a draft that
is the newest thing in the organisation's trail. Each case then changes, deletes or
inserts rows with raw SQL, and `audit verify` must fail and name the appraisal (or, where
the rows that said which appraisal they belonged to are gone, the organisation).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection, models, transaction
from django.utils import timezone

from trustworthy.appraisals import services as appraisal_services
from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    CriterionRating,
    Decision,
    Lessons,
    Outcome,
    Participation,
    PrincipleRating,
    Project,
    ProjectMotivation,
    RegisterRow,
    UnforeseenItem,
)
from trustworthy.cli import main
from trustworthy.core.audit import canonical_json, content_of, digest
from trustworthy.core.models import AuditEvent, OrganisationChain
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.services import add_member
from trustworthy.reports import services as record_services
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.models import Publication, RecordSettings
from trustworthy.reports.signing import signed_content
from trustworthy.reviews import services as reviews
from trustworthy.reviews.models import Comment, SectionReview, StatusChange
from trustworthy.voices import services as voices
from trustworthy.voices.models import Consultation, Response, Theme

from ..appraisals.factories import FW, PROJECT_FIELDS, ROWS, decide, fill_appraisal
from ..conftest import PASSWORD, ROLES
from .helpers import accept_all, complete_appraisal, person

pytestmark = pytest.mark.django_db

SAID = {
    "good": "I could talk to someone I know.",
    "worries": "It might take longer.",
    "who_else": "My foster carer.",
    "understand": "Yes, I think so.",
    "anything_else": "",
}
GROUPS = ("young-people", "parents-and-families")


# --- the scene -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    organisation: int
    appraisal: int  # approved, signed and published
    draft: int  # complete, not signed; its events are the newest in the organisation's trail
    project: int  # the approved appraisal's project
    other_organisation: int
    lead: int
    reviewer: int
    approver: int
    evaluation: int = 0  # the project's post hoc evaluation, approved: expected against realised


def build_scene(organisation: Organisation) -> Scene:
    lead, reviewer, approver = person("lead"), person("reviewer"), person("approver")
    appraisal = complete_appraisal(organisation)

    opened = voices.open_consultation(
        appraisal=appraisal,
        user=lead,
        title="Family meetings before big decisions",
        description="We want to try a family meeting before any big decision about a child.",
        groups=list(GROUPS),
        expires_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    online = voices.submit_online(consultation_id=opened.consultation.pk, group=GROUPS[0], answers=SAID)
    voices.submit_online(consultation_id=opened.consultation.pk, group="", answers=SAID)
    voices.enter_offline(
        appraisal=appraisal, user=lead, group=GROUPS[1], source="workshop",
        gathered_how="A session run by the participation team.", gathered_on=timezone.localdate(),
        answers=SAID,
    )  # fmt: skip
    waiting = voices.save_theme(
        appraisal=appraisal, user=lead, name="Waiting", description="Some worried it would take longer.",
        question_ids=["T1"], decision_note="Urgent cases bypass the meeting.",
    )  # fmt: skip
    voices.save_theme(
        appraisal=appraisal, user=lead, name="Being heard", description="People want to be listened to.",
        question_ids=[], decision_note="Families choose who comes.",
    )  # fmt: skip
    voices.link_response(response=online, user=lead, question_ids=["T1"], theme_ids=[waiting.pk])
    voices.close_consultation(consultation=opened.consultation, user=lead)

    appraisal_services.save_criteria(
        appraisal=appraisal,
        user=lead,
        ratings={c.id: ("partly", "Only in one area so far.") for c in FW.rateable_criteria()},
    )
    record_services.save_summary(
        appraisal=appraisal,
        user=lead,
        text="We will try family meetings, with a quick route for urgent cases.",
    )
    question = reviews.add_comment(
        appraisal=appraisal, user=reviewer, target="T1", text="Is the evidence local?"
    )
    reviews.add_comment(
        appraisal=appraisal, user=lead, target="T1", text="Yes, from our pilot.", parent=question
    )
    reviews.resolve_comment(comment=question, user=reviewer)

    reviews.transition(appraisal=appraisal, name="submit", user=lead)
    reviews.transition(
        appraisal=appraisal, name="request-changes", user=reviewer, reason="Say more about urgent cases."
    )
    appraisal_services.save_answer(
        appraisal=appraisal, question_id="T1", user=lead, value="yes",
        rationale="Because, and urgent cases bypass the meeting.",
    )  # fmt: skip
    reviews.transition(appraisal=appraisal, name="submit", user=lead)
    accept_all(appraisal)
    decide(appraisal, approver)
    reviews.transition(appraisal=appraisal, name="approve", user=approver)
    record_services.set_not_for_publication(appraisal=appraisal, user=lead, keys=["answer.P1"])
    record_services.publish(appraisal=appraisal, user=lead)
    record_services.set_not_for_publication(appraisal=appraisal, user=lead, keys=["answer.P1", "answer.T2"])
    record_services.replace_publication(
        appraisal=appraisal, user=lead, reason="Leave out the answer to T2 too."
    )

    evaluation = build_evaluation(appraisal)
    draft = complete_appraisal(organisation)
    # An organisation-level event (the approved appraisal's project edited: its record is
    # frozen), followed by one more event of the draft that links to it.
    project = Project.objects.get(pk=appraisal.project_id)
    appraisal_services.update_project(
        project=project,
        user=lead,
        fields={**PROJECT_FIELDS, "title": "Family group conferences, county-wide"},
        motivations=[
            appraisal_services.MotivationInput("improve-outcomes", "Families do better when they lead.")
        ],
        primary_motivation="improve-outcomes",
    )
    appraisal_services.save_answer(
        appraisal=draft, question_id="T2", user=lead, value="no", rationale="Not yet."
    )
    return Scene(
        organisation=organisation.pk,
        appraisal=appraisal.pk,
        draft=draft.pk,
        project=appraisal.project_id,
        other_organisation=Organisation.objects.create(
            name="Southvale Children's Trust", type="local-authority", region="south-east"
        ).pk,
        lead=lead.pk,
        reviewer=reviewer.pk,
        approver=approver.pk,
        evaluation=evaluation.pk,
    )


def build_evaluation(inception: Appraisal) -> Appraisal:
    """The post hoc evaluation of the approved appraisal's project: what happened to each of
    its benefits and risks, what nobody expected and the lessons, approved and signed."""
    lead, reviewer, approver = person("lead"), person("reviewer"), person("approver")
    evaluation = appraisal_services.start_appraisal(project=inception.project, stage="evaluation", user=lead)
    for row in RegisterRow.objects.filter(appraisal=inception, register__in=["benefits", "risks"]):
        appraisal_services.save_outcome(
            appraisal=evaluation, row_id=row.pk, user=lead,
            result="partly-achieved" if row.register == "benefits" else "partly",
            evidence="Care entries fell in one area.", handling="Urgent cases now skip the wait.",
        )  # fmt: skip
    appraisal_services.add_unforeseen(
        appraisal=evaluation, user=lead, kind="harm", description="Some families waited longer.",
        who_affected="Families who asked for help", handling="Their requests now go first.",
    )  # fmt: skip
    appraisal_services.save_lessons(appraisal=evaluation, user=lead, text="Measure waiting times.")
    fill_appraisal(evaluation, lead, rows_each=0)  # confirm what was carried forward
    reviews.transition(appraisal=evaluation, name="submit", user=lead)
    reviews.review_sections(
        appraisal=evaluation, user=reviewer,
        verdicts=dict.fromkeys(("parameters", "principles", "tests"), ("acceptable", "")),
    )  # fmt: skip
    decide(evaluation, approver, "proceed")
    reviews.transition(appraisal=evaluation, name="approve", user=approver)
    return Appraisal.objects.get(pk=evaluation.pk)


# --- raw SQL, as someone with database access would write it -----------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[models.Model]) -> str:
    return _quote(model._meta.db_table)


def _column(model: type[models.Model], name: str) -> str:
    return _quote(model._meta.get_field(name).column)


def _param(model: type[models.Model], name: str, value: Any) -> Any:
    """A value as the database driver takes it, the same on SQLite and PostgreSQL."""
    field = model._meta.get_field(name)
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value(value)
    return value


def _where(model: type[models.Model], match: Mapping[str, Any]) -> tuple[str, list[Any]]:
    parts, params = [], []
    for name, value in match.items():
        if value is None:
            parts.append(f"{_column(model, name)} IS NULL")
        else:
            parts.append(f"{_column(model, name)} = %s")
            params.append(_param(model, name, value))
    return " AND ".join(parts), params


def _execute(statement: str, params: Iterable[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))
        return cursor.rowcount


def update(model: type[models.Model], match: Mapping[str, Any], **values: Any) -> None:
    where, params = _where(model, match)
    sets = ", ".join(f"{_column(model, name)} = %s" for name in values)
    changed = _execute(
        f"UPDATE {_table(model)} SET {sets} WHERE {where}",
        [*(_param(model, name, value) for name, value in values.items()), *params],
    )
    assert changed, f"no {model.__name__} matched {dict(match)}"


def delete(model: type[models.Model], match: Mapping[str, Any], *, required: bool = True) -> None:
    where, params = _where(model, match)
    deleted = _execute(f"DELETE FROM {_table(model)} WHERE {where}", params)
    assert deleted or not required, f"no {model.__name__} matched {dict(match)}"


def insert(model: type[models.Model], **values: Any) -> None:
    columns = ", ".join(_column(model, name) for name in values)
    marks = ", ".join(["%s"] * len(values))
    params = [_param(model, name, value) for name, value in values.items()]
    assert _execute(f"INSERT INTO {_table(model)} ({columns}) VALUES ({marks})", params) == 1


def clone(model: type[models.Model], pk: int, **changes: Any) -> None:
    """Insert a copy of a row (under a new id) with some values changed."""
    row = model.objects.filter(pk=pk).values(*(f.attname for f in model._meta.concrete_fields)).get()
    values = {f.name: row[f.attname] for f in model._meta.concrete_fields if not f.primary_key}
    insert(model, **{**values, **changes})


# --- what the tamperings aim at --------------------------------------------------------------


def events(appraisal_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(appraisal_id=appraisal_id).order_by("sequence"))


def event(scene: Scene, action: str = "status.changed", target: str = "request-changes") -> AuditEvent:
    return AuditEvent.objects.get(appraisal_id=scene.appraisal, action=action, target=target)


def one(model: type[models.Model], **match: Any) -> int:
    return model.objects.filter(**match).order_by("pk").values_list("pk", flat=True)[0]


def answer(scene: Scene, question_id: str = "T2") -> dict[str, Any]:
    return {"appraisal": scene.appraisal, "question_id": question_id, "aspect": ""}


def response(scene: Scene) -> int:
    return one(Response, appraisal_id=scene.appraisal, group=GROUPS[0])


def theme(scene: Scene) -> int:
    return one(Theme, appraisal_id=scene.appraisal, name="Waiting")


def publication(scene: Scene) -> int:
    """The live publication (the one that replaced the first)."""
    return one(Publication, appraisal_id=scene.appraisal, withdrawn_at__isnull=True)


def withdrawn(scene: Scene) -> int:
    return one(Publication, appraisal_id=scene.appraisal, withdrawn_at__isnull=False)


def forge_event(scene: Scene, seal: Callable[[bytes], str]) -> None:
    """Append an event to the approved appraisal's chain and the organisation's, with every
    link right and both heads moved on; only the seal is made without the key."""
    chain = OrganisationChain.objects.get(organisation_id=scene.organisation)
    appraisal = Appraisal.objects.get(pk=scene.appraisal)
    forged = AuditEvent(
        organisation_id=scene.organisation, org_sequence=chain.count + 1, org_prev_hash=chain.head,
        appraisal_id=scene.appraisal, sequence=appraisal.audit_count + 1, prev_hash=appraisal.audit_head,
        actor_id=scene.reviewer, actor_name=str(User.objects.get(pk=scene.reviewer)),
        at=datetime.datetime.now(tz=datetime.UTC), action="comment.added", target="decision",
        after={"id": 999, "text": "Approved without my agreement.", "parent": None}, reason="",
    )  # fmt: skip
    forged.hash = seal(canonical_json(content_of(forged)).encode())
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    insert(AuditEvent, **{f.name: getattr(forged, f.attname) for f in fields})
    update(OrganisationChain, {"organisation": scene.organisation}, head=forged.hash, count=chain.count + 1)
    update(Appraisal, {"id": scene.appraisal}, audit_head=forged.hash, audit_count=appraisal.audit_count + 1)


def truncate_draft(scene: Scene, removed: int, *, organisation_chain_too: bool) -> None:
    """Delete the draft's newest events and move its head and count back to the last one kept
    (and the organisation's, when asked): what someone hiding a draft's last changes would do."""
    trail = events(scene.draft)
    kept, gone = trail[:-removed], trail[-removed:]
    for e in gone:
        delete(AuditEvent, {"id": e.pk})
    update(Appraisal, {"id": scene.draft}, audit_head=kept[-1].hash, audit_count=len(kept))
    if organisation_chain_too:
        last = AuditEvent.objects.filter(organisation_id=scene.organisation).order_by("-org_sequence").first()
        assert last is not None
        update(
            OrganisationChain, {"organisation": scene.organisation}, head=last.hash, count=last.org_sequence
        )


def truncate_approved(scene: Scene) -> None:
    *kept, newest = events(scene.appraisal)
    delete(AuditEvent, {"id": newest.pk})
    update(Appraisal, {"id": scene.appraisal}, audit_head=kept[-1].hash, audit_count=len(kept))


def edit_snapshot(scene: Scene, change: Callable[[dict[str, Any]], None]) -> None:
    frozen = Appraisal.objects.get(pk=scene.appraisal).approved_snapshot
    change(frozen)
    update(Appraisal, {"id": scene.appraisal}, approved_snapshot=frozen)


def back_to_draft(scene: Scene, *, forget_approval: bool) -> None:
    update(Appraisal, {"id": scene.appraisal}, status="draft")
    if forget_approval:
        update(
            Appraisal, {"id": scene.appraisal}, approved_by=None, approved_at=None, approved_snapshot=None,
            signed_content=None, record_hash="", approved_audit_head="",
        )  # fmt: skip
        delete(StatusChange, {"appraisal": scene.appraisal, "to_status": "approved"})
    update(Answer, answer(scene, "T1"), rationale="Rewritten once it was a draft again.")


def resign(scene: Scene, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the signed copy and its hash together, as the data they cover was changed."""
    signed = Appraisal.objects.get(pk=scene.appraisal).signed_content
    change(signed)
    update(Appraisal, {"id": scene.appraisal}, signed_content=signed, record_hash=digest(signed))


def rewrite_answer_everywhere(scene: Scene) -> None:
    text = "Rewritten after approval, with the signed copy to match."
    update(Answer, answer(scene), rationale=text)

    def change(signed: dict[str, Any]) -> None:
        for item in signed["record"]["answers"]:
            if item["question_id"] == "T2":
                item["rationale"] = text

    resign(scene, change)


def replace_behind_the_service(scene: Scene) -> None:
    live = publication(scene)
    update(
        Publication,
        {"id": live},
        withdrawn_at=timezone.now(),
        withdrawn_by=scene.lead,
        withdrawn_reason="New.",
    )
    clone(Publication, live, withdrawn_at=None, withdrawn_by=None, withdrawn_reason="")


def delete_appraisal(scene: Scene, *, children: bool, events_too: bool = False) -> None:
    pk = scene.appraisal
    if children:
        for model in (Publication, RecordSettings, SectionReview, StatusChange, CriterionRating, Decision,
                      Participation, PrincipleRating, RegisterRow, Answer):  # fmt: skip
            delete(model, {"appraisal": pk})
        links = Response.themes.through
        for theme_id in Theme.objects.filter(appraisal_id=pk).values_list("pk", flat=True):
            delete(links, {"theme": theme_id}, required=False)
        for model in (Response, Theme, Consultation):
            delete(model, {"appraisal": pk})
        update(Comment, {"appraisal": pk}, parent=None)
        delete(Comment, {"appraisal": pk})
    if events_too:
        delete(AuditEvent, {"appraisal": pk})
    delete(Appraisal, {"id": pk})


def remove_organisation_event(scene: Scene) -> None:
    """Delete the organisation-level event (the project edited) that a later event of the
    draft links to, and count the organisation's chain one shorter."""
    removed = AuditEvent.objects.get(organisation_id=scene.organisation, action="project.changed")
    following = AuditEvent.objects.filter(
        organisation_id=scene.organisation, org_sequence__gt=removed.org_sequence
    )
    assert following.filter(appraisal_id=scene.draft).exists()
    delete(AuditEvent, {"id": removed.pk})
    chain = OrganisationChain.objects.get(organisation_id=scene.organisation)
    update(OrganisationChain, {"organisation": scene.organisation}, count=chain.count - 1)


def shift(value: datetime.datetime | None, **delta: float) -> datetime.datetime:
    assert value is not None
    return value + datetime.timedelta(**delta)


# --- the cases -------------------------------------------------------------------------------


def the_appraisal(scene: Scene) -> str:
    return f"appraisal {scene.appraisal}"


def the_organisation(scene: Scene) -> str:
    return f"organisation {scene.organisation}"


@dataclass(frozen=True)
class Tamper:
    id: str
    apply: Callable[[Scene], object]
    # Whom verification must name: the appraisal, or the organisation where the rows
    # that said which appraisal they belonged to are themselves gone.
    names: Callable[[Scene], str] = the_appraisal


Where = Callable[[Scene], dict[str, Any]]


def row(model: type[models.Model], **filters: Any) -> Where:
    """The approved appraisal's first row of a table (matching `filters`), by id."""
    return lambda s: {"id": one(model, appraisal_id=s.appraisal, **filters)}


def approved_row(scene: Scene) -> dict[str, Any]:
    return {"id": scene.appraisal}


ANSWER, RISK = row(Answer, question_id="T2", aspect=""), row(RegisterRow, register="risks")
LINKS = Response.themes.through


def resolved(scene: Scene, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value(scene) if callable(value) else value for name, value in values.items()}


def edit(id: str, model: type[models.Model], where: Where, **values: Any) -> Tamper:
    """One row changed; a value may be a function of the scene (a user, a time read from it)."""
    return Tamper(
        id,
        lambda s: update(model, where(s), **resolved(s, values)),
    )


def remove(id: str, model: type[models.Model], where: Where) -> Tamper:
    return Tamper(id, lambda s: delete(model, where(s)))


def add(id: str, model: type[models.Model], where: Where, **changes: Any) -> Tamper:
    """A row inserted: a copy of an existing one, with some values changed."""
    return Tamper(id, lambda s: clone(model, where(s)["id"], **resolved(s, changes)))


def _event_column(name: str, value: Callable[[Scene, AuditEvent], Any]) -> Tamper:
    def apply(scene: Scene) -> None:
        target = event(scene)
        update(AuditEvent, {"id": target.pk}, **{name: value(scene, target)})

    return Tamper(f"history: event {name} changed", apply)


def later(
    model: type[models.Model], pk: Callable[[Scene], int], name: str, **delta: float
) -> Callable[[Scene], Any]:
    """A row's time, moved on (or back, for a negative delta)."""
    return lambda s: shift(getattr(model.objects.get(pk=pk(s)), name), **delta)


def delete_response(scene: Scene) -> None:
    delete(LINKS, {"response": response(scene)})
    delete(Response, {"id": response(scene)})


def delete_theme(scene: Scene) -> None:
    delete(LINKS, {"theme": theme(scene)})
    delete(Theme, {"id": theme(scene)})


def make_withdrawn_live(scene: Scene) -> None:
    delete(Publication, {"id": publication(scene)})
    update(Publication, {"id": withdrawn(scene)}, withdrawn_at=None, withdrawn_by=None, withdrawn_reason="")


TAMPERINGS: list[Tamper] = [
    # The history page: every column it shows, and the chains.
    _event_column("actor_name", lambda s, e: "Somebody else"),
    _event_column("actor", lambda s, e: s.lead),
    _event_column("action", lambda s, e: "status.noted"),
    _event_column("target", lambda s, e: "submit"),
    _event_column("before", lambda s, e: {"status": "draft"}),
    _event_column("after", lambda s, e: {"status": "approved"}),
    _event_column("reason", lambda s, e: "A kinder reason."),
    _event_column("at", lambda s, e: shift(e.at, hours=1)),
    Tamper("history: event in the middle deleted", lambda s: delete(AuditEvent, {"id": event(s).pk})),
    Tamper(
        "history: event re-hashed with plain SHA-256 appended",
        lambda s: forge_event(s, lambda content: hashlib.sha256(content).hexdigest()),
    ),
    Tamper(
        "history: event sealed with a guessed key appended",
        lambda s: forge_event(s, lambda content: hmac.new(b"guess", content, hashlib.sha256).hexdigest()),
    ),
    Tamper("history: approved appraisal's newest event deleted, its head moved back", truncate_approved),
    Tamper(
        "history: draft's newest events deleted, its head and count moved back",
        lambda s: truncate_draft(s, 2, organisation_chain_too=False),
        the_organisation,
    ),
    Tamper(
        "history: organisation-level event deleted, chain count moved back, a later event links to it",
        remove_organisation_event,
        the_organisation,
    ),
    edit(
        "history: appraisal's head moved back",
        Appraisal,
        approved_row,
        audit_head=lambda s: events(s.appraisal)[-2].hash,
    ),
    edit(
        "history: appraisal's count changed",
        Appraisal,
        approved_row,
        audit_count=lambda s: len(events(s.appraisal)) + 1,
    ),
    Tamper(
        "history: organisation chain head edited",
        lambda s: update(OrganisationChain, {"organisation": s.organisation}, head="0" * 64),
        the_organisation,
    ),
    # Status, and the status changes shown with the record.
    Tamper(
        "status: approved set back to draft, answer rewritten",
        lambda s: back_to_draft(s, forget_approval=False),
    ),
    Tamper(
        "status: back to draft with the approval forgotten, answer rewritten",
        lambda s: back_to_draft(s, forget_approval=True),
    ),
    edit("status: approved set to withdrawn", Appraisal, approved_row, status="withdrawn"),
    edit(
        "status change: reason edited",
        StatusChange,
        row(StatusChange, to_status="changes-requested"),
        reason="Fine.",
    ),
    edit(
        "status change: who edited",
        StatusChange,
        row(StatusChange, to_status="approved"),
        by=lambda s: s.lead,
    ),
    edit(
        "status change: when edited",
        StatusChange,
        row(StatusChange, to_status="approved"),
        at=later(StatusChange, lambda s: row(StatusChange, to_status="approved")(s)["id"], "at", days=-1),
    ),
    remove("status change: one deleted", StatusChange, row(StatusChange, to_status="changes-requested")),
    add(
        "status change: one inserted",
        StatusChange,
        row(StatusChange, to_status="in-review"),
        from_status="in-review",
        to_status="approved",
        reason="",
    ),
    # Sign-off.
    edit("sign-off: approved_by changed", Appraisal, approved_row, approved_by=lambda s: s.lead),
    edit(
        "sign-off: approved_at changed",
        Appraisal,
        approved_row,
        approved_at=later(Appraisal, lambda s: s.appraisal, "approved_at", days=-30),
    ),
    edit("sign-off: review date changed", Appraisal, approved_row, review_date=datetime.date(2040, 1, 1)),
    edit("sign-off: record_hash edited", Appraisal, approved_row, record_hash="0" * 64),
    edit(
        "sign-off: approved_audit_head edited",
        Appraisal,
        approved_row,
        approved_audit_head=lambda s: events(s.appraisal)[0].hash,
    ),
    edit(
        "sign-off: signed copy edited alone",
        Appraisal,
        approved_row,
        signed_content={"record": {}, "review": {}},
    ),
    Tamper("sign-off: answer, signed copy and record_hash all rewritten to match", rewrite_answer_everywhere),
    edit("appraisal: version number changed", Appraisal, approved_row, version=7),
    # What approval froze from outside the appraisal (the live project: see UNSEEN below).
    Tamper(
        "frozen project: title edited",
        lambda s: edit_snapshot(s, lambda frozen: frozen["project"].update(title="A different project")),
    ),
    Tamper(
        "frozen project: funding edited",
        lambda s: edit_snapshot(s, lambda frozen: frozen["project"].update(funding_amount="1000000.00")),
    ),
    Tamper(
        "frozen project: a motivation edited",
        lambda s: edit_snapshot(
            s, lambda frozen: frozen["project"]["motivations"][0].update(explanation="Money.")
        ),
    ),
    Tamper(
        "frozen names: approver's name edited",
        lambda s: edit_snapshot(s, lambda frozen: frozen.update(approved_by="Somebody else")),
    ),
    Tamper(
        "frozen names: organisation's name edited",
        lambda s: edit_snapshot(s, lambda frozen: frozen.update(organisation="Another Council")),
    ),
    # The decision record's content.
    edit("answer: value changed", Answer, ANSWER, value="no"),
    edit("answer: rationale changed", Answer, ANSWER, rationale="Quietly changed."),
    edit("answer: evidence changed", Answer, ANSWER, evidence="https://example.org/"),
    remove("answer: deleted", Answer, ANSWER),
    add("answer: inserted", Answer, ANSWER, question_id="T4", value="no"),
    edit("register: row data changed", RegisterRow, RISK, data=lambda s: {**ROWS["risks"], "severity": 1}),
    remove("register: row deleted", RegisterRow, RISK),
    add("register: row inserted", RegisterRow, row(RegisterRow, register="benefits")),
    edit("principles: rating changed", PrincipleRating, row(PrincipleRating), rating="at-risk", note="Hmm."),
    edit("principles: note changed", PrincipleRating, row(PrincipleRating), note="Added later."),
    remove("principles: rating deleted", PrincipleRating, row(PrincipleRating)),
    edit(
        "participation: mode changed",
        Participation,
        row(Participation, stakeholder=GROUPS[0]),
        mode="co-produced",
    ),
    edit(
        "participation: summary changed",
        Participation,
        row(Participation, stakeholder=GROUPS[0]),
        summary="Wow.",
    ),
    remove("participation: deleted", Participation, row(Participation, stakeholder=GROUPS[0])),
    edit(
        "criteria: D1 rating changed", CriterionRating, row(CriterionRating, criterion_id="D1"), rating="met"
    ),
    edit(
        "criteria: D1 note changed",
        CriterionRating,
        row(CriterionRating, criterion_id="D1"),
        note="Everywhere.",
    ),
    remove("criteria: D1 deleted", CriterionRating, row(CriterionRating, criterion_id="D1")),
    edit("decision: decision changed", Decision, row(Decision), decision="proceed"),
    edit("decision: reasoning changed", Decision, row(Decision), reasoning="Because."),
    edit(
        "decision: marked a departure",
        Decision,
        row(Decision),
        is_departure=True,
        departure_reason="We knew.",
    ),
    edit("decision: route allowed changed", Decision, row(Decision), route_allowed=["proceed"]),
    edit("decision: accountable person changed", Decision, row(Decision), accountable_person="Nobody"),
    edit("decision: date changed", Decision, row(Decision), decided_on=datetime.date(2020, 1, 1)),
    edit(
        "decision: recorded_at changed",
        Decision,
        row(Decision),
        recorded_at=later(Decision, lambda s: row(Decision)(s)["id"], "recorded_at", days=-3),
    ),
    remove("decision: deleted", Decision, row(Decision)),
    # The family summary, and what the public version leaves out.
    edit("summary: text changed", RecordSettings, row(RecordSettings), summary="We decided nothing."),
    remove("summary: deleted (the draft summary shows instead)", RecordSettings, row(RecordSettings)),
    edit(
        "record settings: what the public version leaves out changed",
        RecordSettings,
        row(RecordSettings),
        not_for_publication=[],
    ),
    # What young people and families told us, and what we did about it.
    edit(
        "voices: response words changed", Response, lambda s: {"id": response(s)}, worries="Nothing at all."
    ),
    edit("voices: response group changed", Response, lambda s: {"id": response(s)}, group="carers"),
    edit("voices: response source changed", Response, lambda s: {"id": response(s)}, source="paper"),
    Tamper("voices: response deleted", delete_response),
    add("voices: response inserted", Response, lambda s: {"id": response(s)}),
    edit("voices: theme name changed", Theme, lambda s: {"id": theme(s)}, name="Speed"),
    edit("voices: theme description changed", Theme, lambda s: {"id": theme(s)}, description="None."),
    edit("voices: theme decision note changed", Theme, lambda s: {"id": theme(s)}, decision_note="Ignored."),
    Tamper("voices: theme deleted", delete_theme),
    add("voices: theme inserted", Theme, lambda s: {"id": theme(s)}, name="Invented"),
    remove("voices: theme link removed", LINKS, lambda s: {"theme": theme(s)}),
    Tamper(
        "voices: theme link added",
        lambda s: insert(
            LINKS, response=one(Response, appraisal_id=s.appraisal, group=GROUPS[1]), theme=theme(s)
        ),
    ),
    add("voices: consultation inserted", Consultation, row(Consultation), token_hash="f" * 64),
    # Comments and review verdicts.
    edit("comment: text changed", Comment, row(Comment, parent=None), text="Looks fine to me."),
    edit(
        "comment: resolution removed", Comment, row(Comment, parent=None), resolved_at=None, resolved_by=None
    ),
    remove("comment: reply deleted", Comment, row(Comment, parent__isnull=False)),
    add(
        "comment: inserted",
        Comment,
        row(Comment, parent=None),
        text="I object.",
        resolved_at=None,
        resolved_by=None,
    ),
    edit(
        "review: verdict changed", SectionReview, row(SectionReview, section_id="tests"), verdict="needs-work"
    ),
    edit(
        "review: verdict comment changed",
        SectionReview,
        row(SectionReview, section_id="tests"),
        comment="Weak.",
    ),
    remove("review: verdict deleted", SectionReview, row(SectionReview, section_id="tests")),
    add(
        "review: verdict inserted",
        SectionReview,
        row(SectionReview, section_id="tests"),
        reviewer=lambda s: s.lead,
    ),
    # The publication.
    edit(
        "publication: document changed",
        Publication,
        lambda s: {"id": publication(s)},
        document=lambda s: {**Publication.objects.get(pk=publication(s)).document, "public": False},
    ),
    edit(
        "publication: document and its hash changed together",
        Publication,
        lambda s: {"id": publication(s)},
        document={"format": "decision-record-1"},
        document_hash=digest({"format": "decision-record-1"}),
    ),
    edit(
        "publication: moved to another organisation's register",
        Publication,
        lambda s: {"id": publication(s)},
        organisation=lambda s: s.other_organisation,
    ),
    edit(
        "publication: date published changed",
        Publication,
        lambda s: {"id": publication(s)},
        published_at=later(Publication, publication, "published_at", days=-60),
    ),
    edit(
        "publication: who published changed",
        Publication,
        lambda s: {"id": publication(s)},
        published_by=lambda s: s.approver,
    ),
    edit(
        "publication: withdrawn behind the service",
        Publication,
        lambda s: {"id": publication(s)},
        withdrawn_at=lambda s: timezone.now(),
        withdrawn_by=lambda s: s.lead,
        withdrawn_reason="Quietly.",
    ),
    edit(
        "publication: withdrawal reason changed",
        Publication,
        lambda s: {"id": withdrawn(s)},
        withdrawn_reason="It was wrong.",
    ),
    edit(
        "publication: who withdrew changed",
        Publication,
        lambda s: {"id": withdrawn(s)},
        withdrawn_by=lambda s: s.approver,
    ),
    edit(
        "publication: when it was withdrawn changed",
        Publication,
        lambda s: {"id": withdrawn(s)},
        withdrawn_at=later(Publication, withdrawn, "withdrawn_at", days=30),
    ),
    Tamper("publication: withdrawn one made live again", make_withdrawn_live),
    remove("publication: deleted", Publication, lambda s: {"id": publication(s)}),
    Tamper("publication: replaced by one published behind the service", replace_behind_the_service),
    # The approved appraisal deleted outright.
    Tamper("deleted: the approved appraisal's row", lambda s: delete_appraisal(s, children=False)),
    Tamper("deleted: the approved appraisal and its rows", lambda s: delete_appraisal(s, children=True)),
    Tamper(
        "deleted: the approved appraisal, its rows and its events",
        lambda s: delete_appraisal(s, children=True, events_too=True),
        the_organisation,
    ),
    # Expected against realised, in the approved post hoc evaluation.
    *(
        Tamper(id, apply, names=lambda s: f"appraisal {s.evaluation}")
        for id, apply in (
            (
                "evaluation: an outcome's result edited",
                lambda s: update(Outcome, {"appraisal": s.evaluation, "register": "risks"}, result="no"),
            ),
            (
                "evaluation: an outcome's evidence edited",
                lambda s: update(
                    Outcome, {"appraisal": s.evaluation, "register": "benefits"}, evidence="All of it."
                ),
            ),
            (
                "evaluation: an outcome deleted",
                lambda s: delete(Outcome, {"id": one(Outcome, appraisal_id=s.evaluation, register="risks")}),
            ),
            (
                "evaluation: something nobody expected rewritten",
                lambda s: update(UnforeseenItem, {"appraisal": s.evaluation}, kind="benefit"),
            ),
            (
                "evaluation: something nobody expected inserted",
                lambda s: clone(
                    UnforeseenItem, one(UnforeseenItem, appraisal_id=s.evaluation), description="More."
                ),
            ),
            (
                "evaluation: the lessons edited",
                lambda s: update(Lessons, {"appraisal": s.evaluation}, text="None."),
            ),
        )
    ),
]


# Changes that do not reach an approved record, which shows what was frozen at approval.
UNSEEN: list[Tamper] = [
    edit(
        "project: live details edited",
        Project,
        lambda s: {"id": s.project},
        title="Renamed",
        summary="New summary.",
        problem="New problem.",
        funding_amount="99.00",
        accountable_person="Someone new",
    ),
    edit(
        "project: live motivation edited",
        ProjectMotivation,
        lambda s: {"project": s.project},
        explanation="A different reason.",
    ),
    edit("organisation: renamed", Organisation, lambda s: {"id": s.organisation}, name="Another Council"),
    edit("people: approver renamed", User, lambda s: {"id": s.approver}, full_name="Somebody Else"),
]

# What a trail kept only in the database cannot show: its newest events removed with every
# head that counts them moved back, and content nothing has signed yet (a draft's). Showing
# the first needs the organisation's chain head kept outside the database as well.
BEYOND_REACH: list[Tamper] = [
    Tamper(
        "draft's newest event deleted, both chains' heads and counts moved back",
        lambda s: truncate_draft(s, 1, organisation_chain_too=True),
    ),
    edit(
        "draft's answer edited (a draft is not signed)",
        Answer,
        lambda s: {"appraisal": s.draft, "question_id": "T2", "aspect": ""},
        rationale="Edited.",
    ),
]


# --- the tests -------------------------------------------------------------------------------


def make_organisation() -> Organisation:
    """As the `organisation` fixture makes it (members through the service), once per module."""
    name = "Northshire Council"
    organisation = Organisation.objects.create(name=name, type="local-authority", region="north-west")
    for role in ROLES:
        user = User.objects.create_user(
            f"{role}@council.test", PASSWORD, full_name=f"{role.title()} of {name}"
        )
        add_member(organisation=organisation, user=user, role=role)
    return organisation


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[Scene]:
    """The scene is built once, in a transaction left open for the module and rolled back at
    its end; each test runs in a savepoint inside it, so every case starts from it untouched."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            scene = build_scene(make_organisation())
        except BaseException as exc:
            outer.__exit__(type(exc), exc, exc.__traceback__)
            raise
    yield scene
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def scene(built: Scene) -> Scene:
    assert [str(p) for p in verify_everything()] == []
    return built


@contextmanager
def undone() -> Iterator[None]:
    """Roll a tampering back within the test, so rows it leaves dangling never reach the
    constraint check Django makes at the end of each test."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def cli_verify() -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify"])
    return result.exit_code, result.output


def named(problems: Iterable[object], scope: str) -> bool:
    return any(str(p).startswith(f"{scope}, ") for p in problems)


# Every table a decision record or the history page reads, each with rows in the scene.
FEEDING = (
    AuditEvent, OrganisationChain, Answer, RegisterRow, PrincipleRating, Participation, CriterionRating,
    Decision, RecordSettings, Publication, Consultation, Response, Response.themes.through, Theme,
    Comment, SectionReview, StatusChange, Project, ProjectMotivation,
)  # fmt: skip


def test_untouched_data_verifies(scene: Scene) -> None:
    def rows(model: type[models.Model]) -> models.QuerySet[Any]:
        found = model.objects.all()
        has_appraisal = any(f.name == "appraisal" for f in model._meta.get_fields())
        return found.filter(appraisal_id=scene.appraisal) if has_appraisal else found

    assert [m.__name__ for m in FEEDING if not rows(m).exists()] == []
    assert Appraisal.objects.get(pk=scene.appraisal).status == "approved"
    assert Publication.objects.filter(appraisal_id=scene.appraisal, withdrawn_at__isnull=False).exists()
    assert verify_everything() == []
    code, output = cli_verify()
    assert code == 0, output
    assert "Audit trail verified" in output


def test_the_demo_data_verifies() -> None:
    from trustworthy.demo import load_demo

    with undone():
        load_demo("a long demo password")
        assert Appraisal.objects.filter(status="approved").count() >= 2
        assert verify_everything() == []
        code, output = cli_verify()
        assert code == 0, output


@pytest.mark.parametrize("case", TAMPERINGS, ids=[c.id for c in TAMPERINGS])
def test_tampering_is_detected_and_named(scene: Scene, case: Tamper) -> None:
    with undone():
        case.apply(scene)
        problems = verify_everything()
        assert named(problems, case.names(scene)), [str(p) for p in problems]
        code, output = cli_verify()
        assert code == 1
        assert f"Audit check failed: {case.names(scene)}, " in output


@pytest.mark.parametrize("case", UNSEEN, ids=[c.id for c in UNSEEN])
def test_what_approval_froze_is_not_reached_by_later_edits(scene: Scene, case: Tamper) -> None:
    signed = Appraisal.objects.get(pk=scene.appraisal).signed_content
    with undone():
        case.apply(scene)
        assert signed_content(Appraisal.objects.get(pk=scene.appraisal)) == signed
        assert verify_everything() == []


@pytest.mark.parametrize("case", BEYOND_REACH, ids=[c.id for c in BEYOND_REACH])
def test_what_the_trail_alone_cannot_show(scene: Scene, case: Tamper) -> None:
    """Known limits, kept as tests so the list stays true: if one of these starts failing,
    verification has grown, and the case belongs in TAMPERINGS."""
    with undone():
        case.apply(scene)
        assert verify_everything() == []


def test_every_tampering_is_detected(scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    """All the cases over one database, each undone before the next: the figures."""
    missed = []
    for case in TAMPERINGS:
        with undone():
            case.apply(scene)
            if not named(verify_everything(), case.names(scene)):
                missed.append(case.id)
    assert verify_everything() == []
    with capsys.disabled():
        print(f"\ntamper cases: {len(TAMPERINGS)} tried, {len(TAMPERINGS) - len(missed)} detected")
        for case_id in missed:
            print(f"  not detected: {case_id}")
    assert missed == []
