"""Pages for projects and the stage-by-stage appraisal.

Each view finds the object through a selector scoped to the user's organisations (404
otherwise), checks the role for writes, validates a form, calls one service and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.core.auth import kept_work, login_required
from trustworthy.core.forms import clear_of_personal_data
from trustworthy.organisations.access import membership_for, require
from trustworthy.organisations.models import Membership
from trustworthy.organisations.permissions import Action, role_may

from . import extensions, policy, selectors, services
from .forms import (
    AnswerForm,
    CriteriaForm,
    DecisionForm,
    ParticipationForm,
    PrinciplesForm,
    ProjectForm,
    RegisterRowForm,
    StartAppraisalForm,
)
from .frameworks import current_framework, framework_for
from .models import Appraisal, Project, RegisterRow
from .policy import Change
from .presenters import money, next_question_url, progress, row_summary, task_groups

KEPT_MESSAGE = "You were signed out. We kept what you typed: check it and save again."
GET_POST = require_http_methods(["GET", "POST"])


def _org_ids(request: HttpRequest) -> list[int]:
    return [m.organisation_id for m in request.memberships]


def _form_data(request: HttpRequest) -> QueryDict | None:
    """POST data, or work kept from before the session expired (shown once, unsaved)."""
    if request.method == "POST":
        return request.POST
    kept = kept_work(request)
    if kept is not None:
        messages.warning(request, KEPT_MESSAGE)
    return kept


def _appraisal(request: HttpRequest, pk: int) -> tuple[Appraisal, Membership]:
    appraisal = selectors.appraisal_in(organisation_ids=_org_ids(request), appraisal_id=pk)
    return appraisal, membership_for(request, appraisal.organisation_id)


def _context(
    request: HttpRequest, data: selectors.AppraisalData, membership: Membership, **extra: Any
) -> dict[str, Any]:
    status = data.appraisal.status
    return {
        "appraisal": data.appraisal,
        "project": data.appraisal.project,
        "data": data,
        "framework": data.framework,
        "can_answer": policy.may(membership.role, status, Change.ANSWER),
        "can_decide": policy.may(membership.role, status, Change.DECISION),
        "comments_open": policy.may(membership.role, status, Change.COMMENT),
        **extra,
    }


def _require_answer(membership: Membership, appraisal: Appraisal) -> None:
    """Pages that only change answers: the role first (403), then the status (409)."""
    policy.check(appraisal, Change.ANSWER, membership.role)


def _with_version(form: Any, version: int) -> None:
    """After a conflict: keep what the person typed, but base the next save on the newest version."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data


def _comments(appraisal: Appraisal, target: str) -> dict[str, Any]:
    return {
        "comment_threads": extensions.comment_threads(appraisal, [target])[target],
        "comment_target": target,
    }


# --- projects ---------------------------------------------------------------------------


@login_required
@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    projects = selectors.projects_for(organisation=membership.organisation) if membership else []
    due = (
        {a.project_id for a in selectors.due_for_review(organisation_id=membership.organisation_id)}
        if membership
        else set()
    )
    return render(
        request,
        "appraisals/project_list.html",
        {
            "projects": projects,
            "review_due": due,
            "can_manage": membership is not None and role_may(membership.role, Action.MANAGE_PROJECTS),
            "title": "Projects",
        },
    )


def _project_form_initial(project: Project) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
    initial["version"] = project.lock_version
    motivations = list(project.motivations.all())
    initial["motivations"] = [m.motivation for m in motivations]
    initial["primary_motivation"] = next((m.motivation for m in motivations if m.is_primary), None)
    for m in motivations:
        initial[f"explain_{m.motivation}"] = m.explanation
    return initial


def _motivation_inputs(form: ProjectForm) -> list[services.MotivationInput]:
    return [services.MotivationInput(m, e) for m, e in form.motivation_inputs()]


@login_required
@GET_POST
def project_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        raise Http404
    require(membership, Action.MANAGE_PROJECTS)
    form = ProjectForm(
        _form_data(request), framework=current_framework(), initial={"current_stage": "inception"}
    )
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        try:
            project = services.create_project(
                organisation=membership.organisation,
                user=request.user,
                fields=form.cleaned_data,
                motivations=_motivation_inputs(form),
                primary_motivation=form.cleaned_data["primary_motivation"],
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Project “{project.title}” created. Start its first appraisal when you are ready."
            )
            return redirect(f"/projects/{project.pk}/")
    return render(
        request, "appraisals/project_form.html", {"form": form, "title": "Create a project", "project": None}
    )


@login_required
@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_in(organisation_ids=_org_ids(request), project_id=pk)
    membership = membership_for(request, project.organisation_id)
    return render(
        request,
        "appraisals/project_detail.html",
        {
            "project": project,
            "appraisals": selectors.appraisals_of(project),
            "motivations": sorted(project.motivations.all(), key=lambda m: not m.is_primary),
            "framework": current_framework(),
            "funding": money(project.funding_amount),
            "can_manage": role_may(membership.role, Action.MANAGE_PROJECTS),
            "title": project.title,
        },
    )


@login_required
@GET_POST
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_in(organisation_ids=_org_ids(request), project_id=pk)
    require(membership_for(request, project.organisation_id), Action.MANAGE_PROJECTS)
    form = ProjectForm(
        _form_data(request), framework=current_framework(), initial=_project_form_initial(project)
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        try:
            services.update_project(
                project=project,
                user=request.user,
                fields=form.cleaned_data,
                motivations=_motivation_inputs(form),
                primary_motivation=form.cleaned_data["primary_motivation"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ConflictError as exc:
            conflict = exc.current
            _with_version(form, exc.version)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Project details saved.")
            return redirect(f"/projects/{project.pk}/")
    return render(
        request,
        "appraisals/project_form.html",
        {"form": form, "title": "Change project details", "project": project, "conflict": conflict},
        status=409 if conflict is not None else 200,
    )


@login_required
@GET_POST
def appraisal_start(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_in(organisation_ids=_org_ids(request), project_id=pk)
    require(membership_for(request, project.organisation_id), Action.MANAGE_PROJECTS)
    done = set(project.appraisals.values_list("stage", flat=True))
    stages = [(s.id, s.name) for s in current_framework().stages if s.id not in done]
    form = StartAppraisalForm(_form_data(request), stages=stages)
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = services.start_appraisal(
                project=project, stage=form.cleaned_data["stage"], user=request.user
            )
        except services.ServiceError as exc:
            form.add_error("stage", str(exc))
        else:
            if appraisal.previous_id:
                messages.success(
                    request,
                    "Answers from the last stage have been carried forward. Confirm or change each one.",
                )
            return redirect(f"/appraisals/{appraisal.pk}/")
    return render(
        request,
        "appraisals/appraisal_start.html",
        {"form": form, "project": project, "stages_left": stages, "title": "Start an appraisal"},
    )


# --- the appraisal ------------------------------------------------------------------------


@login_required
@require_safe
def appraisal_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    data = selectors.load_appraisal(appraisal)
    groups = task_groups(data)
    done, total = progress(groups)
    title = f"{appraisal.project.title}: {appraisal.stage_name}"
    return render(
        request,
        "appraisals/task_list.html",
        _context(
            request,
            data,
            membership,
            groups=groups,
            done=done,
            total=total,
            title=title,
            steps=policy.available_transitions(appraisal.status, membership.role),
            can_new_version=policy.may(membership.role, appraisal.status, Change.NEW_VERSION),
            can_review=policy.may(membership.role, appraisal.status, Change.REVIEW),
        ),
    )


@login_required
@GET_POST
def question(request: HttpRequest, pk: int, question_id: str) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    if not framework.has_question(question_id):
        raise Http404
    q = framework.question(question_id)
    data = selectors.load_appraisal(appraisal, for_question=q)
    if request.method == "POST" and not role_may(membership.role, Action.ANSWER):
        raise PermissionDenied
    if q.kind == "principles":
        return render(
            request,
            "appraisals/question_principles.html",
            _context(request, data, membership, question=q, title=q.label, **_comments(appraisal, q.id)),
        )
    answer = data.answers.get(q.id)
    initial: dict[str, Any] = {"version": answer.lock_version if answer else 0}
    if answer:
        initial |= {"value": answer.value, "rationale": answer.rationale, "evidence": answer.evidence}
    form = AnswerForm(
        _form_data(request), framework=data.framework, question=q, closed=q.has_closed_answer, initial=initial
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        try:
            services.save_answer(
                appraisal=appraisal,
                question_id=q.id,
                user=request.user,
                value=form.cleaned_data.get("value", ""),
                rationale=form.cleaned_data["rationale"],
                evidence=form.cleaned_data["evidence"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ConflictError as exc:
            conflict = exc.current
            _with_version(form, exc.version)
        else:
            if q.section_id == "tests":
                messages.success(request, f"{q.id} saved.")
            return redirect(next_question_url(selectors.load_appraisal(appraisal), q.id))
    rows = (
        [(row, row_summary(data, q.register, row.data)) for row in data.rows_for_question(q.id)]
        if q.register
        else []
    )
    row_threads = extensions.comment_threads(appraisal, [f"row:{row.pk}" for row, _ in rows]) if rows else {}
    return render(
        request,
        "appraisals/question.html",
        _context(
            request,
            data,
            membership,
            question=q,
            answer=answer,
            form=form,
            rows=rows,
            title=q.label,
            conflict=conflict,
            row_threads=row_threads,
            **_comments(appraisal, q.id),
        ),
        status=409 if conflict is not None else 200,
    )


@login_required
@GET_POST
def principles_aspect(request: HttpRequest, pk: int, question_id: str, aspect: str) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    if not framework.has_question(question_id) or aspect not in {a.id for a in framework.aspects}:
        raise Http404
    q = framework.question(question_id)
    if q.kind != "principles":
        raise Http404
    _require_answer(membership, appraisal)
    data = selectors.load_appraisal(appraisal, for_question=q)
    answer = data.answers.get(f"{q.id}:{aspect}")
    initial: dict[str, Any] = {"version": answer.lock_version if answer else 0}
    if answer:
        initial |= {"value": answer.value, "rationale": answer.rationale}
    for principle in data.framework.principles_in(q.cluster or ""):
        rating = data.ratings.get((aspect, principle.id))
        if rating:
            initial |= {f"rating_{principle.id}": rating.rating, f"note_{principle.id}": rating.note}
    form = PrinciplesForm(_form_data(request), framework=data.framework, question=q, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        try:
            services.save_principles(
                appraisal=appraisal,
                question_id=q.id,
                aspect=aspect,
                user=request.user,
                value=form.cleaned_data["value"],
                rationale=form.cleaned_data["rationale"],
                ratings=form.ratings(),
                expected_version=form.cleaned_data["version"],
            )
        except services.ConflictError as exc:
            conflict = exc.current
            _with_version(form, exc.version)
        else:
            others = [
                a.id
                for a in data.framework.aspects
                if a.id != aspect and f"{q.id}:{a.id}" not in data.answers
            ]
            if others:
                return redirect(f"/appraisals/{appraisal.pk}/questions/{q.id}/{others[0]}/")
            return redirect(next_question_url(selectors.load_appraisal(appraisal), q.id))
    aspect_label = next(a.label for a in data.framework.aspects if a.id == aspect)
    return render(
        request,
        "appraisals/principles_aspect.html",
        _context(
            request,
            data,
            membership,
            question=q,
            aspect=aspect,
            aspect_label=aspect_label,
            form=form,
            title=f"{q.label}: {aspect_label.lower()}",
            conflict=conflict,
        ),
        status=409 if conflict is not None else 200,
    )


@login_required
@GET_POST
def participation_group(request: HttpRequest, pk: int, stakeholder: str) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    group = next((s for s in framework.stakeholders if s.id == stakeholder), None)
    if group is None:
        raise Http404
    _require_answer(membership, appraisal)
    data = selectors.load_appraisal(appraisal, for_question=framework.question("P4"))
    record = data.participation.get(stakeholder)
    initial: dict[str, Any] = {"version": record.lock_version if record else 0}
    if record:
        initial |= {"mode": record.mode, "reason": record.reason, "summary": record.summary}
    form = ParticipationForm(_form_data(request), framework=data.framework, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        fields = form.cleaned_data
        try:
            services.save_participation(
                appraisal=appraisal,
                stakeholder=stakeholder,
                mode=fields["mode"],
                reason=fields["reason"],
                summary=fields["summary"],
                user=request.user,
                expected_version=fields["version"],
            )
        except services.ConflictError as exc:
            conflict = exc.current
            _with_version(form, exc.version)
        else:
            return redirect(f"/appraisals/{appraisal.pk}/questions/P4/#participation")
    return render(
        request,
        "appraisals/participation_form.html",
        _context(
            request,
            data,
            membership,
            group=group,
            form=form,
            title=f"Participation: {group.label}",
            conflict=conflict,
        ),
        status=409 if conflict is not None else 200,
    )


def _register(data: selectors.AppraisalData, register_id: str) -> Any:
    register = next((r for r in data.framework.registers if r.id == register_id), None)
    if register is None:
        raise Http404
    return register


def _row(appraisal: Appraisal, register_id: str, row_id: int) -> RegisterRow:
    return get_object_or_404(RegisterRow, pk=row_id, appraisal=appraisal, register=register_id)


@login_required
@GET_POST
def register_row(request: HttpRequest, pk: int, register_id: str, row_id: int | None = None) -> HttpResponse:
    """Add a register row (no row_id) or change one."""
    appraisal, membership = _appraisal(request, pk)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    register = next((r for r in framework.registers if r.id == register_id), None)
    if register is None:
        raise Http404
    row = _row(appraisal, register_id, row_id) if row_id is not None else None
    _require_answer(membership, appraisal)
    data = selectors.load_appraisal(appraisal, for_question=framework.question(register.question))
    initial: dict[str, Any] = (
        {k: (str(v) if isinstance(v, int) else v) for k, v in row.data.items()} if row else {}
    )
    initial["version"] = row.lock_version if row else 0
    form = RegisterRowForm(_form_data(request), register=register, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        try:
            if row is None:
                services.add_register_row(
                    appraisal=appraisal,
                    register_id=register_id,
                    data=form.cleaned_data,
                    user=request.user,
                )
            else:
                services.change_register_row(
                    row=row,
                    data=form.cleaned_data,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
        except services.ConflictError as exc:
            conflict = row_summary(data, register_id, exc.current)
            _with_version(form, exc.version)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{register.name}: row {'added' if row is None else 'changed'}.")
            return redirect(f"/appraisals/{appraisal.pk}/questions/{register.question}/")
    title = f"{'Change' if row else 'Add to'} {register.name.lower()}"
    return render(
        request,
        "appraisals/register_row_form.html",
        _context(
            request, data, membership, register=register, row=row, form=form, title=title, conflict=conflict
        ),
        status=409 if conflict is not None else 200,
    )


@login_required
@GET_POST
def register_row_remove(request: HttpRequest, pk: int, register_id: str, row_id: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    register = next((r for r in framework.registers if r.id == register_id), None)
    if register is None:
        raise Http404
    row = _row(appraisal, register_id, row_id)
    _require_answer(membership, appraisal)
    data = selectors.load_appraisal(appraisal, for_question=framework.question(register.question))
    if request.method == "POST":
        services.remove_register_row(row=row, user=request.user)
        messages.success(request, f"{register.name}: row removed.")
        return redirect(f"/appraisals/{appraisal.pk}/questions/{register.question}/")
    return render(
        request,
        "appraisals/register_row_remove.html",
        _context(
            request,
            data,
            membership,
            register=register,
            row=row,
            summary=row_summary(data, register_id, row.data),
            title=f"Remove from {register.name.lower()}",
        ),
    )


@login_required
@require_safe
def route(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    data = selectors.load_appraisal(appraisal)
    return render(
        request,
        "appraisals/route.html",
        _context(request, data, membership, title="What the framework allows"),
    )


@login_required
@require_safe
def check_answers(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    data = selectors.load_appraisal(appraisal)
    registers = {
        r.id: [(row, row_summary(data, r.id, row.data)) for row in data.rows.get(r.id, [])]
        for r in data.framework.registers
    }
    return render(
        request,
        "appraisals/check_answers.html",
        _context(request, data, membership, registers=registers, title="Check your answers"),
    )


@login_required
@GET_POST
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = _appraisal(request, pk)
    data = selectors.load_appraisal(appraisal)
    if request.method == "POST" and not role_may(membership.role, Action.DECIDE):
        raise PermissionDenied
    existing = data.decision
    initial: dict[str, Any] = {
        "accountable_person": appraisal.project.accountable_person,
        "decided_on": timezone.localdate(),
        "version": 0,
    }
    if existing:
        initial = {
            "decision": existing.decision,
            "reasoning": existing.reasoning,
            "departure_reason": existing.departure_reason,
            "accountable_person": existing.accountable_person,
            "decided_on": existing.decided_on,
            "version": existing.lock_version,
        }
    form = DecisionForm(_form_data(request), framework=data.framework, route=data.route, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        fields = dict(form.cleaned_data)
        expected = fields.pop("version")
        try:
            services.record_decision(
                appraisal=appraisal, user=request.user, expected_version=expected, **fields
            )
        except services.ConflictError as exc:
            conflict = exc.current
            _with_version(form, exc.version)
        except services.LockedError:
            raise
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Decision recorded.")
            return redirect(f"/appraisals/{appraisal.pk}/")
    return render(
        request,
        "appraisals/decision.html",
        _context(
            request,
            data,
            membership,
            form=form,
            title="Record the decision",
            conflict=conflict,
            **_comments(appraisal, "decision"),
        ),
        status=409 if conflict is not None else 200,
    )


@login_required
@GET_POST
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate the project against the paper's definition of trustworthy innovation (D1 to D5)."""
    appraisal, membership = _appraisal(request, pk)
    _require_answer(membership, appraisal)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    initial: dict[str, Any] = {}
    for rating in selectors.criterion_ratings(appraisal):
        initial |= {
            f"rating_{rating.criterion_id}": rating.rating,
            f"note_{rating.criterion_id}": rating.note,
        }
    form = CriteriaForm(_form_data(request), framework=framework, initial=initial)
    if request.method == "POST" and form.is_valid() and clear_of_personal_data(request, form):
        services.save_criteria(appraisal=appraisal, user=request.user, ratings=form.ratings())
        messages.success(request, "Ratings against the criteria of trustworthy innovation saved.")
        return redirect(f"/appraisals/{appraisal.pk}/")
    return render(
        request,
        "appraisals/criteria.html",
        {"appraisal": appraisal, "framework": framework, "form": form, "title": "Trustworthy innovation"},
    )
