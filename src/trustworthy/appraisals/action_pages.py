"""What the pages about actions show: each action with what this person may do to it, what an
appraisal holds that can become an action, and where a new action comes from."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone

from trustworthy.core.pagination import pagination
from trustworthy.core.urls import reverse
from trustworthy.framework import risk_register, risk_score
from trustworthy.organisations.models import Membership, User

from . import actions, policy
from .forms import ActionFilterForm
from .models import (
    Action,
    ActionSource,
    ActionStatus,
    Appraisal,
    Decision,
    Project,
    ReadinessAssessment,
    RegisterRow,
)
from .policy import Change

PER_PAGE = 50
TAGS = {
    actions.OPEN: "govuk-tag--blue",
    actions.IN_PROGRESS: "govuk-tag--light-blue",
    actions.DONE: "govuk-tag--green",
    actions.DROPPED: "govuk-tag--grey",
}


def _date(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


@dataclass(frozen=True)
class ActionRow:
    """One action as a list shows it, with the links this person may follow."""

    action: Action
    owner: str
    due: str
    overdue: bool
    status: str
    tag: str
    source: str
    stage: str
    appraisal_url: str
    carried_to: str  # the later stage it was carried forward to ("" if it was not)
    carried_to_url: str
    change_url: str  # "" when this person may not change it
    progress_url: str  # "" when this person may not move it on


def action_row(action: Action, user: User, role: str | None, today: datetime.date) -> ActionRow:
    appraisal = action.appraisal
    later = getattr(action, "carried_to", None)
    status = appraisal.status
    is_owner = action.owner_id is not None and action.owner_id == user.pk
    can_change = later is None and policy.may(role, status, Change.ACTION)
    can_move = later is None and (
        can_change or policy.may(role, status, Change.ACTION_PROGRESS, is_owner=is_owner)
    )
    args = [appraisal.pk, action.pk]
    return ActionRow(
        action=action,
        owner=action.owner_label,
        due=_date(action.due_on),
        overdue=later is None and actions.is_overdue(action, today),
        status=action.get_status_display(),
        tag=TAGS.get(action.status, ""),
        source=action.get_source_display(),
        stage=appraisal.stage_name,
        appraisal_url=reverse("appraisal-actions", args=[appraisal.pk]),
        carried_to=later.appraisal.stage_name if later is not None else "",
        carried_to_url=reverse("appraisal-actions", args=[later.appraisal_id]) if later is not None else "",
        change_url=reverse("action-change", args=args) if can_change else "",
        progress_url=reverse("action-progress", args=args) if can_move else "",
    )


def rows(found: Sequence[Action], user: User, role: str | None) -> list[ActionRow]:
    today = timezone.localdate()
    return [action_row(a, user, role, today) for a in found]


# --- what an appraisal holds that can become an action ----------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A risk, an enabler still needed, the decision or the lessons, offered as an action."""

    heading: str
    details: list[tuple[str, str]]
    add_url: str
    taken: bool = False  # an action was made from it already


@dataclass
class Candidates:
    risks: list[Candidate] = field(default_factory=list)
    enablers: list[Candidate] = field(default_factory=list)
    decision: Candidate | None = None
    lessons: Candidate | None = None
    readiness: list[Candidate] = field(default_factory=list)  # dimensions partly or not in place

    @property
    def any(self) -> bool:
        return bool(self.risks or self.enablers or self.decision or self.lessons or self.readiness)


def _add_url(appraisal: Appraisal, source: str, row: RegisterRow | None = None) -> str:
    query = f"?source={source}" + (f"&row={row.pk}" if row is not None else "")
    return reverse("action-add", args=[appraisal.pk]) + query


def _risk(appraisal: Appraisal, row: RegisterRow, taken: set[int]) -> Candidate:
    data = row.data
    score = risk_score(data)
    return Candidate(
        heading=str(data.get("description", "")),
        details=[
            ("Mitigation", str(data.get("mitigation", ""))),
            ("Owner", str(data.get("owner", ""))),
            ("Score", f"{score} (likelihood times severity)" if score is not None else "Not scored"),
        ],
        add_url=_add_url(appraisal, actions.RISK, row),
        taken=row.pk in taken,
    )


def _gap(appraisal: Appraisal, gap: ReadinessAssessment, taken: set[int]) -> Candidate:
    """A readiness dimension partly or not in place; the form's `row` carries the assessment."""
    label = appraisal.edition.label("readiness_dimensions", gap.dimension)
    return Candidate(
        heading=f"{label}: {gap.get_status_display().lower()}",
        details=[("Evidence", gap.evidence)],
        add_url=reverse("action-add", args=[appraisal.pk]) + f"?source={actions.READINESS}&row={gap.pk}",
        taken=gap.pk in taken,
    )


def _enabler(appraisal: Appraisal, row: RegisterRow, taken: set[int]) -> Candidate:
    return Candidate(
        heading=str(row.data.get("description", "")),
        details=[("Owner", str(row.data.get("owner", "")))],
        add_url=_add_url(appraisal, actions.ENABLER, row),
        taken=row.pk in taken,
    )


def candidates(appraisal: Appraisal) -> Candidates:
    """Risks (highest score first), enablers still needed, the decision and the lessons."""
    framework = appraisal.edition
    found = Candidates()
    taken = actions.taken_rows(appraisal)
    risks = risk_register(framework)
    enablers = actions.enabler_register(framework)
    rows_here = RegisterRow.objects.filter(appraisal=appraisal, register__in=[risks, enablers or ""])
    ordered = sorted(rows_here.order_by("created_at", "id"), key=lambda r: -(risk_score(r.data) or 0))
    found.risks = [_risk(appraisal, r, taken) for r in ordered if r.register == risks]
    found.enablers = [
        _enabler(appraisal, r, taken)
        for r in ordered
        if r.register == enablers and actions.is_needed_enabler(r)
    ]
    decision = Decision.objects.filter(appraisal=appraisal).first()
    if decision is not None:
        chosen = framework.decision(decision.decision)
        found.decision = Candidate(
            heading=chosen.name,
            details=[("Reasons", decision.reasoning)],
            add_url=_add_url(appraisal, actions.DECISION),
        )
    from .readiness import GAPS

    gaps = ReadinessAssessment.objects.filter(appraisal=appraisal, status__in=GAPS).order_by("id")
    taken_gaps = actions.taken_gaps(appraisal)
    found.readiness = [_gap(appraisal, gap, taken_gaps) for gap in gaps]
    lessons = actions.lessons_of(appraisal)
    if lessons is not None and lessons.text:
        found.lessons = Candidate(
            heading="Lessons for others",
            details=[("Lessons", lessons.text)],
            add_url=_add_url(appraisal, actions.LESSONS),
        )
    return found


def appraisal_actions_page(appraisal: Appraisal, user: User, role: str | None) -> dict[str, Any]:
    found = actions.actions_of(appraisal)
    can_add = policy.may(role, appraisal.status, Change.ACTION)
    return {
        "appraisal": appraisal,
        "project": appraisal.project,
        "rows": rows(found, user, role),
        "counts": actions.counts(a for a in found if getattr(a, "carried_to", None) is None),
        "can_add": can_add,
        "candidates": candidates(appraisal) if can_add else Candidates(),
        "add_url": _add_url(appraisal, actions.OTHER),
        "title": "Actions",
    }


# --- where a new action comes from ------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    source: str
    row: RegisterRow | None
    heading: str  # what the page says it comes from
    details: list[tuple[str, str]]
    initial: dict[str, Any]


def _member_called(organisation_id: int, name: str) -> int | None:
    """The member whose name is `name` (a register's owner is written in words), if one is."""
    if not name.strip():
        return None
    found = Membership.objects.filter(
        organisation_id=organisation_id, user__full_name__iexact=name.strip(), user__is_active=True
    ).values_list("user_id", flat=True)
    return found[0] if len(found) == 1 else None


def _owner_initial(appraisal: Appraisal, named: str) -> dict[str, Any]:
    member = _member_called(appraisal.organisation_id, named)
    return {"owner": member, "owner_name": ""} if member else {"owner_name": named}


def origin(appraisal: Appraisal, params: Mapping[str, str]) -> Origin:
    """Where the action being added comes from (from the link followed, or the form sent back),
    what the page shows of it and what the form starts with; 404 for a row not in the appraisal."""
    source = params.get("source") or actions.OTHER
    if source not in ActionSource.values:
        raise Http404
    base = {"source": source}
    register = actions.register_for(appraisal.edition, source)
    if register is not None:
        row_id = params.get("row", "")
        row = RegisterRow.objects.filter(
            pk=int(row_id) if row_id.isdigit() else 0, appraisal=appraisal, register=register
        ).first()
        if row is None:
            raise Http404
        data = row.data
        base["row"] = row.pk
        if source == actions.RISK:
            candidate = _risk(appraisal, row, set())
            what = str(data.get("mitigation", ""))
            heading = f"From a risk: {candidate.heading}"
        else:
            candidate = _enabler(appraisal, row, set())
            what = f"Put in place: {data.get('description', '')}"
            heading = f"From an enabler still needed: {candidate.heading}"
        initial = base | {"what": what} | _owner_initial(appraisal, str(data.get("owner", "")))
        return Origin(source, row, heading, candidate.details, initial)
    if source == actions.READINESS:
        from .readiness import GAPS

        row_id = params.get("row", "")
        gap = ReadinessAssessment.objects.filter(
            pk=int(row_id) if row_id.isdigit() else 0, appraisal=appraisal, status__in=GAPS
        ).first()
        if gap is None:
            raise Http404
        candidate = _gap(appraisal, gap, set())
        initial = base | {"row": gap.pk, "what": f"Put in place: {candidate.heading}"}
        return Origin(
            source, None, f"From a gap in readiness: {candidate.heading}", candidate.details, initial
        )
    found = candidates(appraisal)
    if source == actions.DECISION:
        if found.decision is None:
            raise Http404
        heading = f"From a condition of the decision: {found.decision.heading}"
        return Origin(source, None, heading, found.decision.details, base)
    if source == actions.LESSONS:
        if found.lessons is None:
            raise Http404
        return Origin(source, None, "From the lessons for others", found.lessons.details, base)
    return Origin(source, None, "", [], base)


def members(organisation_id: int) -> list[tuple[int, str]]:
    """The organisation's members, to choose an owner from."""
    found = (
        Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [(m.user_id, f"{m.user} ({m.get_role_display().lower()})") for m in found]


def action_initial(action: Action) -> dict[str, Any]:
    return {
        "version": action.lock_version,
        "what": action.what,
        "owner": action.owner_id,
        "owner_name": action.owner_name,
        "due_on": action.due_on.strftime("%d/%m/%Y"),
    }


def statuses_for(action: Action, role: str | None, user: User) -> list[tuple[str, str]]:
    """Where this person may move the action to: its owner may start or finish it; leads and
    contributors may also drop it or open it again."""
    status = action.appraisal.status
    is_owner = action.owner_id is not None and action.owner_id == user.pk
    offered = []
    for value, label in ActionStatus.choices:
        change = actions.PROGRESS[value]
        if value == action.status and value in actions.STILL_TO_DO:
            continue  # already there
        if policy.may(role, status, change, is_owner=is_owner):
            offered.append((value, "Open again" if value == actions.OPEN else label))
    return offered


def progress_initial(action: Action) -> dict[str, Any]:
    return {
        "version": action.lock_version,
        "evidence": action.evidence,
        "dropped_reason": action.dropped_reason,
    }


def action_page(
    appraisal: Appraisal, action: Action, user: User, role: str | None, **extra: Any
) -> dict[str, Any]:
    return {
        "appraisal": appraisal,
        "project": appraisal.project,
        "row": action_row(action, user, role, timezone.localdate()),
        **extra,
    }


# --- lists: a project's, and the organisation's -----------------------------------------------


def project_actions_page(project: Project, user: User, role: str | None) -> dict[str, Any]:
    found = actions.actions_of_project(project)
    return {
        "project": project,
        "rows": rows(found, user, role),
        "counts": actions.counts(found),
        "title": f"Actions: {project.title}",
    }


def _filters(form: ActionFilterForm) -> tuple[actions.Filters, dict[str, str]]:
    if not form.is_valid():
        return actions.Filters(), {}
    data = form.cleaned_data
    chosen = actions.Filters(mine=data["mine"], overdue=data["overdue"], status=data["status"] or "to-do")
    kept = {k: "on" for k in ("mine", "overdue") if data[k]}
    if data["status"]:
        kept["status"] = data["status"]
    return chosen, kept


def organisation_actions_page(
    membership: Membership, user: User, params: Mapping[str, str]
) -> dict[str, Any]:
    form = ActionFilterForm(params or None, initial={"status": "to-do"})
    chosen, kept = _filters(form)
    found = actions.actions_in_organisation(membership.organisation_id, user, chosen)
    paginator = Paginator(found, PER_PAGE)
    page = paginator.get_page(params.get("page"))
    return {
        "form": form,
        "filters": kept,
        "total": paginator.count,
        "page": page,
        "rows": rows(list(page.object_list), user, membership.role),
        "pagination": pagination(page, kept),
        "overdue_count": actions.actions_in_organisation(
            membership.organisation_id, user, actions.Filters(overdue=True)
        ).count(),
        "title": "Actions",
    }
