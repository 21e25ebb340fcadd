"""Actions with owners: mitigations, enablers to put in place, conditions of the decision and
lessons, each with an owner, a due date and a status.

Actions are follow-through, so they change at every status of the appraisal, approved
included (the signed record keeps them as they stood at approval). Leads and contributors
add and change them; an action's owner may mark it in progress or done whatever their role.
The same services and change policy as the web pages decide."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from trustworthy.appraisals import actions
from trustworthy.appraisals.models import Action, Appraisal
from trustworthy.appraisals.policy import Change

from .. import scope
from ..fields import CursorQuery, LimitQuery, Note, ObjectId, PathId, ShortLine, Version, check_personal_data
from ..pagination import DEFAULT_LIMIT, page
from ..schemas import Confirmable, Page

router = Router(tags=["Actions"])  # the organisation's list
by_project = Router(tags=["Actions"])
by_appraisal = Router(tags=["Actions"])

Source = Literal["risk", "enabler", "decision", "lessons", "other"]
StatusName = Literal["open", "in-progress", "done", "dropped"]
VERSION_HELP = "The version you started from; a stale one gets 409 with the action as it is now."


class ActionOut(Schema):
    id: int
    appraisal_id: int
    project_id: int
    what: str
    source: str = Field(description="risk, enabler, decision, lessons or other")
    row_id: int | None = Field(description="The risk or enabler register row it came from.")
    owner_id: int | None = Field(description="The member who owns it (null: a role named in `owner`).")
    owner: str
    due_on: datetime.date
    status: str
    overdue: bool
    evidence: str
    dropped_reason: str
    closed_on: datetime.date | None
    carried_from_id: int | None = Field(description="The same action at an earlier stage.")
    carried_to_id: int | None = Field(description="Carried forward to a later stage since: change it there.")
    version: int


class ActionPage(Page):
    items: list[ActionOut]


class ActionIn(Confirmable):
    what: Annotated[Note, Field(min_length=1)]
    owner_id: ObjectId | None = Field(None, description="A member of your organisation.")
    owner_name: ShortLine = Field("", description="A role or person, if no member owns it.")
    due_on: datetime.date


class NewAction(ActionIn):
    source: Source = "other"
    row_id: ObjectId | None = Field(None, description="For a risk or an enabler: its register row.")


class ActionUpdate(ActionIn):
    version: Version | None = Field(None, description=VERSION_HELP)


class ActionMove(Confirmable):
    status: StatusName
    evidence: Note = Field("", description="What shows it is done (needed for done).")
    dropped_reason: Note = Field("", description="Why it is dropped (needed for dropped).")
    version: Version | None = Field(None, description=VERSION_HELP)


def action_out(action: Action) -> dict[str, Any]:
    later = getattr(action, "carried_to", None)
    return {
        "id": action.pk, "appraisal_id": action.appraisal_id, "project_id": action.appraisal.project_id,
        "what": action.what, "source": action.source, "row_id": action.row_id, "owner_id": action.owner_id,
        "owner": action.owner_label, "due_on": action.due_on, "status": action.status,
        "overdue": later is None and actions.is_overdue(action), "evidence": action.evidence,
        "dropped_reason": action.dropped_reason, "closed_on": action.closed_on,
        "carried_from_id": action.carried_from_id, "carried_to_id": later.pk if later is not None else None,
        "version": action.lock_version,
    }  # fmt: skip


def _listed(found: Any) -> Any:
    return found.select_related("owner", "appraisal", "carried_to")


def _action(appraisal: Appraisal, action_id: int) -> Action:
    found = actions.action_in(appraisal, action_id)
    if found is None:
        raise Http404
    return found


@router.get("", response=ActionPage, summary="List your organisation's actions")
def list_actions(
    request: HttpRequest,
    mine: Annotated[bool, Query(description="Only actions you own.")] = False,
    overdue: Annotated[bool, Query(description="Only actions still to do whose date has passed.")] = False,
    status: Annotated[
        Literal["to-do", "open", "in-progress", "done", "dropped", "all"],
        Query(description="to-do: open or in progress"),
    ] = "to-do",
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Actions not carried forward to a later stage since, in the organisation of your token."""
    membership = scope.membership(request)
    chosen = actions.Filters(mine=mine, overdue=overdue, status=status)
    found = actions.actions_in_organisation(membership.organisation_id, request.user, chosen)
    return page(found, cursor, limit, action_out)


@by_project.get("/{project_id}/actions", response=ActionPage, summary="List a project's actions")
def project_actions(
    request: HttpRequest, project_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Its actions at every stage, each where it is now (not where it was carried forward from)."""
    project, _ = scope.project(request, project_id)
    return page(
        _listed(actions.current_actions().filter(appraisal__project=project)), cursor, limit, action_out
    )


@by_appraisal.get("/{appraisal_id}/actions", response=ActionPage, summary="List an appraisal's actions")
def appraisal_actions(
    request: HttpRequest, appraisal_id: PathId, cursor: CursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Every action of the appraisal, those carried forward since included (`carried_to_id`)."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    return page(_listed(Action.objects.filter(appraisal=appraisal)), cursor, limit, action_out)


@by_appraisal.post("/{appraisal_id}/actions", response={201: ActionOut}, summary="Add an action")
def add_action(request: HttpRequest, appraisal_id: PathId, data: NewAction) -> Any:
    """Leads and contributors, at any status. A risk's or an enabler's action may name its row."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.ACTION)
    check_personal_data(data.confirm_personal_data, {"what": data.what, "owner_name": data.owner_name})
    made = actions.add_action(
        appraisal=appraisal, user=request.user, what=data.what, due_on=data.due_on, owner_id=data.owner_id,
        owner_name=data.owner_name, source=data.source, row_id=data.row_id,
    )  # fmt: skip
    return Status(201, action_out(_action(appraisal, made.pk)))


@by_appraisal.put("/{appraisal_id}/actions/{action_id}", response=ActionOut, summary="Change an action")
def change_action(request: HttpRequest, appraisal_id: PathId, action_id: PathId, data: ActionUpdate) -> Any:
    """What it is, who owns it and when it is due (leads and contributors)."""
    appraisal, _ = scope.appraisal(request, appraisal_id, Change.ACTION)
    action = _action(appraisal, action_id)
    check_personal_data(data.confirm_personal_data, {"what": data.what, "owner_name": data.owner_name})
    actions.change_action(
        action=action, user=request.user, what=data.what, due_on=data.due_on, owner_id=data.owner_id,
        owner_name=data.owner_name, expected_version=data.version,
    )  # fmt: skip
    return action_out(_action(appraisal, action_id))


@by_appraisal.post(
    "/{appraisal_id}/actions/{action_id}/status", response=ActionOut, summary="Move an action on"
)
def move_action(request: HttpRequest, appraisal_id: PathId, action_id: PathId, data: ActionMove) -> Any:
    """In progress, or done with what shows it: its owner, a lead or a contributor. Dropped
    (with the reason) or open again: leads and contributors."""
    appraisal, _ = scope.appraisal(request, appraisal_id)
    action = _action(appraisal, action_id)
    check_personal_data(
        data.confirm_personal_data, {"evidence": data.evidence, "dropped_reason": data.dropped_reason}
    )
    actions.move_action(
        action=action, user=request.user, status=data.status, evidence=data.evidence,
        dropped_reason=data.dropped_reason, expected_version=data.version,
    )  # fmt: skip
    return action_out(_action(appraisal, action_id))
