"""Actions with owners: mitigations, enablers to put in place, conditions of the decision and
lessons, each turned into something one person or role will do by a date.

Writes go through the gate like every other change to an appraisal (`policy.changing`, one
audit event each), under the rules for follow-through: actions change at every status, since
follow-through happens after sign-off, and an action's owner may mark their own in progress
or done whatever their role. The signed record never moves: an approved appraisal's record
shows its actions as they stood at approval (`context_snapshot` keeps them).

When the next stage starts, the project's open actions are carried forward to it: a copy in
the new appraisal points back to the one it continues (`carried_from`), which is then kept as
it was. "Current" actions are those not carried forward since; lists and reminders show those.

Reads here are scoped by the caller (an appraisal, a project or an organisation the person
belongs to); nothing here decides who may see what.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from trustworthy.core.errors import Conflict
from trustworthy.framework import Framework, risk_register
from trustworthy.organisations.changes import changing_organisation
from trustworthy.organisations.models import User

from .evaluation import is_evaluation
from .frameworks import framework_for
from .models import (
    Action,
    ActionSource,
    ActionStatus,
    Appraisal,
    Decision,
    Lessons,
    Project,
    ReadinessAssessment,
    RegisterRow,
)
from .policy import Change, changing

OPEN, IN_PROGRESS, DONE, DROPPED = (
    str(ActionStatus.OPEN), str(ActionStatus.IN_PROGRESS), str(ActionStatus.DONE), str(ActionStatus.DROPPED),
)  # fmt: skip
RISK, ENABLER, DECISION, LESSONS, OTHER = (
    str(ActionSource.RISK), str(ActionSource.ENABLER), str(ActionSource.DECISION), str(ActionSource.LESSONS),
    str(ActionSource.OTHER),
)  # fmt: skip
# A gap in readiness for innovation (a dimension partly or not in place: appraisals/readiness.py).
READINESS = str(ActionSource.READINESS)
STILL_TO_DO = (OPEN, IN_PROGRESS)
# The question whose register lists enablers and barriers (P5), and which of its rows are
# enablers still to be put in place.
ENABLER_QUESTION = "P5"
REGISTER_SOURCES = {RISK: "risk", ENABLER: "enabler"}
# What each way an action can move is, to the gate: its owner may start or finish it; dropping
# or reopening one is a change to what was agreed, for leads and contributors.
PROGRESS = {
    IN_PROGRESS: Change.ACTION_PROGRESS,
    DONE: Change.ACTION_PROGRESS,
    OPEN: Change.ACTION,
    DROPPED: Change.ACTION,
}


def _error(message: str, field: str | None = None) -> Exception:
    # Imported here: services imports selectors, which reads the actions from this module.
    from .services import ServiceError

    error = ServiceError(message)
    error.field = field
    return error


def _edition(appraisal: Appraisal) -> Framework:
    return framework_for(appraisal.framework_id, appraisal.framework_version)


def enabler_register(framework: Framework) -> str | None:
    return framework.question(ENABLER_QUESTION).register if framework.has_question(ENABLER_QUESTION) else None


def register_for(framework: Framework, source: str) -> str | None:
    """The register a risk's or enabler's action comes from (None for other sources)."""
    if source == RISK:
        return risk_register(framework)
    if source == ENABLER:
        return enabler_register(framework)
    return None


def is_needed_enabler(row: RegisterRow) -> bool:
    return row.data.get("kind") == "enabler" and row.data.get("status") == "needed"


# --- writes -----------------------------------------------------------------------------------


def values(action: Action) -> dict[str, Any]:
    """What the trail keeps of an action."""
    return {
        "what": action.what,
        "owner": action.owner_label,
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "evidence": action.evidence,
        "dropped_reason": action.dropped_reason,
    }


def _owner(appraisal: Appraisal, owner_id: int | None, owner_name: str) -> User | None:
    """A member of the appraisal's organisation, or None when a role or person is named instead."""
    if owner_id and owner_name.strip():
        raise _error("Choose a member or name a role, not both.", "owner")
    if not owner_id and not owner_name.strip():
        raise _error("Choose who owns this action, or name a role such as Registered Manager.", "owner")
    if not owner_id:
        return None
    owner = User.objects.filter(pk=owner_id, memberships__organisation_id=appraisal.organisation_id).first()
    if owner is None:
        raise _error("Choose a member of your organisation.", "owner")
    return owner


def _source_row(appraisal: Appraisal, source: str, row_id: int | None) -> RegisterRow | None:
    """The register row a risk's or an enabler's action comes from, checked against the
    source (an imported action may name none: its row may have been an earlier stage's);
    the decision and lessons are the appraisal's own."""
    if source not in ActionSource.values:
        raise _error("Choose where the action comes from.", "source")
    register = register_for(_edition(appraisal), source)
    if register is not None and row_id is None:
        return None
    if register is None:
        if row_id is not None:
            raise _error("Only a risk or an enabler comes from a register row.", "source")
        if source == DECISION and not Decision.objects.filter(appraisal=appraisal).exists():
            raise _error("Record the decision before turning its conditions into actions.", "source")
        if source == LESSONS and not is_evaluation(appraisal.stage):
            raise _error("Lessons are written at the post hoc evaluation stage.", "source")
        return None
    row = RegisterRow.objects.filter(pk=row_id, appraisal=appraisal, register=register).first()
    if row is None:
        raise _error(f"Choose the {REGISTER_SOURCES[source]} this action comes from.", "source")
    return row


def _readiness_gap(appraisal: Appraisal, source: str, gap_id: int | None) -> ReadinessAssessment | None:
    """The readiness dimension, partly or not in place, that a readiness action comes from
    (sent as the form's `row`); an imported action may name none."""
    if source != READINESS or gap_id is None:
        return None
    from .readiness import GAPS

    gap = ReadinessAssessment.objects.filter(pk=gap_id, appraisal=appraisal, status__in=GAPS).first()
    if gap is None:
        raise _error("Choose the gap in readiness this action comes from.", "source")
    return gap


def _check(what: str, status: str, evidence: str, dropped_reason: str) -> None:
    if not what.strip():
        raise _error("Enter what needs to be done.", "what")
    if status not in ActionStatus.values:
        raise _error("Choose a status from the list.", "status")
    if status == DONE and not evidence.strip():
        raise _error("Enter what shows it is done.", "evidence")
    if status == DROPPED and not dropped_reason.strip():
        raise _error("Explain why the action is being dropped.", "dropped_reason")


def _check_version(action: Action, expected: int | None) -> None:
    if expected is not None and expected != action.lock_version:
        current = {**values(action), "status": action.get_status_display()}
        raise _conflict(current, action.lock_version)


def _conflict(current: dict[str, Any], version: int) -> Exception:
    from .services import ConflictError

    error: Conflict = ConflictError(current, version)
    return error


def _not_carried(action: Action) -> None:
    later = Action.objects.filter(carried_from=action).select_related("appraisal").first()
    if later is not None:
        raise _error(
            f"This action was carried forward to the {later.appraisal.stage_name.lower()} appraisal: "
            "update it there."
        )


def add_action(
    *,
    appraisal: Appraisal,
    user: User,
    what: str,
    due_on: datetime.date,
    owner_id: int | None = None,
    owner_name: str = "",
    source: str = OTHER,
    row_id: int | None = None,
    status: str = OPEN,
    evidence: str = "",
    dropped_reason: str = "",
    closed_on: datetime.date | None = None,
) -> Action:
    """Make an action. From the web it starts open; an imported record brings its own status."""
    _check(what, status, evidence, dropped_reason)
    with changing(appraisal, Change.ACTION, actor=user) as change:
        owner = _owner(appraisal, owner_id, owner_name)
        closed = status in (DONE, DROPPED)
        action = Action.objects.create(
            appraisal=appraisal, source=source, what=what.strip(),
            row=_source_row(appraisal, source, None if source == READINESS else row_id),
            readiness=_readiness_gap(appraisal, source, row_id),
            owner=owner, owner_name="" if owner else owner_name.strip(), due_on=due_on, status=status,
            evidence=evidence.strip() if status == DONE else "",
            dropped_reason=dropped_reason.strip() if status == DROPPED else "",
            closed_on=(closed_on or timezone.localdate()) if closed else None,
            created_by=user, lock_version=1,
        )  # fmt: skip
        change.record("action.added", target=f"action:{action.pk}", after=values(action))
    return action


def change_action(
    *,
    action: Action,
    user: User | None,
    what: str,
    due_on: datetime.date,
    owner_id: int | None = None,
    owner_name: str = "",
    expected_version: int | None = None,
) -> Action:
    """Change what an action is, who owns it or when it is due."""
    _check(what, OPEN, "", "")
    with changing(action.appraisal, Change.ACTION, actor=user) as change:
        current = Action.objects.select_related("owner").get(pk=action.pk)
        _not_carried(current)
        _check_version(current, expected_version)
        before = values(current)
        current.owner = _owner(current.appraisal, owner_id, owner_name)
        current.owner_name = "" if current.owner else owner_name.strip()
        current.what, current.due_on = what.strip(), due_on
        current.lock_version += 1
        current.save()
        change.record("action.changed", target=f"action:{current.pk}", before=before, after=values(current))
    return current


def move_action(
    *,
    action: Action,
    user: User | None,
    status: str,
    evidence: str = "",
    dropped_reason: str = "",
    expected_version: int | None = None,
) -> Action:
    """Mark an action in progress or done (its owner may), or drop or reopen it."""
    _check(action.what, status, evidence, dropped_reason)
    change_kind = PROGRESS[status]
    with changing(action.appraisal, change_kind, actor=user, owner_id=action.owner_id) as change:
        current = Action.objects.select_related("owner").get(pk=action.pk)
        _not_carried(current)
        _check_version(current, expected_version)
        if current.status == status and status in (OPEN, IN_PROGRESS):
            raise _error(f"This action is {current.get_status_display().lower()} already.", "status")
        before = values(current)
        current.status = status
        current.evidence = evidence.strip() if status == DONE else ""
        current.dropped_reason = dropped_reason.strip() if status == DROPPED else ""
        closed = status in (DONE, DROPPED)
        current.closed_on = timezone.localdate() if closed else None
        current.lock_version += 1
        current.save()
        change.record(
            "action.progressed", target=f"action:{current.pk}", before=before, after=values(current)
        )
    return current


def carry_forward(appraisal: Appraisal, user: User) -> int:
    """Inside the change that starts a stage: copy the project's open actions into it, each
    pointing back to the one it continues. Returns how many were carried."""
    earlier = (
        current_actions()
        .filter(appraisal__project_id=appraisal.project_id, status__in=STILL_TO_DO)
        .exclude(appraisal=appraisal)
    )
    made = Action.objects.bulk_create(
        Action(
            appraisal=appraisal,
            source=a.source,
            row_id=a.row_id,
            readiness_id=a.readiness_id,
            carried_from=a,
            what=a.what,
            owner_id=a.owner_id,
            owner_name=a.owner_name,
            due_on=a.due_on,
            status=a.status,
            created_by=user,
            lock_version=1,
        )
        for a in earlier.order_by("due_on", "pk")
    )
    return len(made)


def mark_reminded(organisation_id: int, reminded: Iterable[Action], today: datetime.date) -> None:
    """Note that the owners of these overdue actions were reminded today, so none is reminded
    twice in a day. Not a change to any appraisal or its record: it goes in the organisation's
    chain, from the daily command (no person, no role)."""
    ids = sorted(a.pk for a in reminded)
    with changing_organisation(organisation_id, None, actor=None) as change:
        Action.objects.filter(pk__in=ids, appraisal__organisation_id=organisation_id).update(
            last_reminded_on=today
        )
        change.record("actions.reminded", target="actions", after={"actions": ids, "on": today.isoformat()})


# --- reads ------------------------------------------------------------------------------------


def current_actions() -> QuerySet[Action]:
    """Actions not carried forward to a later stage since."""
    return Action.objects.filter(carried_to__isnull=True)


def _listed(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.select_related(
        "owner", "row", "readiness", "appraisal__project", "carried_from__appraisal", "carried_to__appraisal"
    ).order_by("due_on", "pk")


def actions_of(appraisal: Appraisal) -> list[Action]:
    """Every action of one appraisal, carried forward since or not."""
    return list(_listed(Action.objects.filter(appraisal=appraisal)))


def action_in(appraisal: Appraisal, action_id: int) -> Action | None:
    return _listed(Action.objects.filter(appraisal=appraisal, pk=action_id)).first()


def actions_of_project(project: Project) -> list[Action]:
    """The project's current actions, across its stages."""
    return list(_listed(current_actions().filter(appraisal__project=project)))


@dataclass(frozen=True)
class Filters:
    """What the organisation's list of actions shows: whose, when, and in which status."""

    mine: bool = False
    overdue: bool = False
    status: str = "to-do"  # "to-do" (open or in progress), a status, or "all"


def actions_in_organisation(
    organisation_id: int, user: User, filters: Filters, today: datetime.date | None = None
) -> QuerySet[Action]:
    found = current_actions().filter(appraisal__organisation_id=organisation_id)
    if filters.mine:
        found = found.filter(owner=user)
    if filters.status == "to-do" or filters.overdue:
        found = found.filter(status__in=STILL_TO_DO)
    if filters.status in ActionStatus.values:
        found = found.filter(status=filters.status)
    if filters.overdue:
        found = found.filter(due_on__lt=today or timezone.localdate())
    return _listed(found)


def is_overdue(action: Action, today: datetime.date | None = None) -> bool:
    return action.status in STILL_TO_DO and action.due_on < (today or timezone.localdate())


def overdue(today: datetime.date | None = None) -> QuerySet[Action]:
    """Current actions still to do whose date has passed, everywhere."""
    return current_actions().filter(status__in=STILL_TO_DO, due_on__lt=today or timezone.localdate())


def to_remind(today: datetime.date) -> list[Action]:
    """Overdue actions owned by an active member of the action's organisation with an email
    address, whose owner has not been reminded about them today."""
    found = (
        overdue(today)
        .filter(owner__is_active=True, owner__memberships__organisation_id=F("appraisal__organisation_id"))
        .exclude(owner__email="")
        .exclude(last_reminded_on=today)
        .select_related("owner", "appraisal__project")
        .order_by("owner_id", "due_on", "pk")
        .distinct()
    )
    return list(found)


def overdue_by_project(organisation_id: int, today: datetime.date | None = None) -> dict[int, int]:
    """How many actions are overdue in each project of the organisation (one query)."""
    rows = (
        overdue(today)
        .filter(appraisal__organisation_id=organisation_id)
        .values("appraisal__project_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["appraisal__project_id"]: r["n"] for r in rows}


def counts(actions: Iterable[Action], today: datetime.date | None = None) -> dict[str, int]:
    listed = list(actions)
    return {
        "to_do": sum(a.status in STILL_TO_DO for a in listed),
        "overdue": sum(is_overdue(a, today) for a in listed),
        "done": sum(a.status == DONE for a in listed),
    }


def taken_rows(appraisal: Appraisal) -> set[int]:
    """The register rows of the appraisal that an action was already made from."""
    return set(Action.objects.filter(appraisal=appraisal, row__isnull=False).values_list("row_id", flat=True))


def taken_gaps(appraisal: Appraisal) -> set[int]:
    """The readiness gaps of the appraisal that an action was already made from."""
    return set(
        Action.objects.filter(appraisal=appraisal, readiness__isnull=False).values_list(
            "readiness_id", flat=True
        )
    )


def lessons_of(appraisal: Appraisal) -> Lessons | None:
    return Lessons.objects.filter(appraisal=appraisal).first()


# --- what the decision record shows ------------------------------------------------------------


def source_label(action: Action, framework: Framework, places: dict[int, int]) -> str:
    """Where the action came from, in words: "Risks, row 2" for a row of this appraisal."""
    if action.row_id is not None and action.row_id in places and action.row is not None:
        return f"{framework.register(action.row.register).name}, row {places[action.row_id]}"
    if action.readiness_id is not None and action.readiness is not None:
        dimension = framework.label("readiness_dimensions", action.readiness.dimension)
        return f"{action.get_source_display()}: {dimension}"
    return action.get_source_display()


def action_facts(appraisal: Appraisal) -> list[dict[str, Any]]:
    """The appraisal's actions as its decision record shows them, in plain values (kept as
    they are at approval: `context_snapshot`). Two queries, however many there are."""
    framework = _edition(appraisal)
    registers = [r for r in (risk_register(framework), enabler_register(framework)) if r]
    places: dict[int, int] = {}
    numbered: dict[str, int] = {}
    rows = RegisterRow.objects.filter(appraisal=appraisal, register__in=registers).order_by(
        "created_at", "id"
    )
    for pk, register in rows.values_list("pk", "register"):
        numbered[register] = numbered.get(register, 0) + 1
        places[pk] = numbered[register]
    facts = []
    for a in actions_of(appraisal):
        later = getattr(a, "carried_to", None)
        facts.append(
            {
                "id": a.pk,
                "what": a.what,
                "source": a.source,
                "source_label": source_label(a, framework, places),
                "register_row": places.get(a.row_id) if a.row_id is not None else None,
                "owner": a.owner_label,
                "due_on": a.due_on.isoformat(),
                "status": a.status,
                "status_label": a.get_status_display(),
                "evidence": a.evidence,
                "dropped_reason": a.dropped_reason,
                "closed_on": a.closed_on.isoformat() if a.closed_on else None,
                "carried_forward_from": a.carried_from.appraisal.stage_name if a.carried_from else None,
                "carried_forward_to": later.appraisal.stage_name if later is not None else None,
            }
        )
    return facts
