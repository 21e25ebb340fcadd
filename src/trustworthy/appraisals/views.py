"""Pages for projects and the stage-by-stage appraisal.

Each view finds its object through `access` (scoped to the person's organisations, with
the role and the status checked together for a change), runs the one edit flow
(`core.editing.handle_edit`: kept work, personal-data check, conflicts, one service call)
and renders what `presenters` builds. Services and the change policy decide what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from trustworthy.core.auth import login_required
from trustworthy.core.editing import Edit, form_data, handle_edit
from trustworthy.framework import Question, Register
from trustworthy.organisations.access import require
from trustworthy.organisations.models import Membership
from trustworthy.organisations.permissions import Action, role_may

from . import extensions, overview, presenters, selectors, services
from .access import appraisal_for, project_for
from .evaluation import UNFORESEEN_KINDS
from .forms import (
    AnswerForm,
    CriteriaForm,
    DecisionForm,
    LessonsForm,
    OutcomeForm,
    ParticipationForm,
    PrinciplesForm,
    ProjectForm,
    RegisterRowForm,
    StartAppraisalForm,
    UnforeseenForm,
)
from .frameworks import current_framework, framework_for
from .interest_pages import decision_page_parts
from .models import Appraisal, Project, RegisterRow, UnforeseenItem
from .policy import Change
from .presenters import appraisal_page, next_question_url, row_summary
from .selectors import AppraisalData, EvaluationData, Expectation

GET_POST = require_http_methods(["GET", "POST"])
Fields = dict[str, Any]
Save = Callable[[Fields], Any]


def _page(
    request: HttpRequest,
    template: str,
    data: AppraisalData,
    role: str | None,
    page: dict[str, Any],
    edit: Edit[Any] | None = None,
) -> HttpResponse:
    """An appraisal page; after an edit that was not saved, with the conflict if there was one."""
    context = appraisal_page(data, role, **page)
    if edit is None:
        return render(request, template, context)
    return render(request, template, {**context, "conflict": edit.conflict}, status=edit.status)


def _comments(
    data: AppraisalData, target: str, rows: Sequence[tuple[RegisterRow, Any]] = ()
) -> dict[str, Any]:
    """The comments on a page's subject and on each of its register rows, in one query, once
    for each state of the appraisal (adding or resolving a comment is a change to it)."""
    targets = (target, *(f"row:{row.pk}" for row, _ in rows))
    threads = data.once(("comments", targets), lambda: extensions.comment_threads(data.appraisal, targets))
    return {"comment_threads": threads[target], "comment_target": target, "row_threads": threads}


def _question(appraisal: Appraisal, question_id: str) -> Question:
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    if not framework.has_question(question_id):
        raise Http404
    return framework.question(question_id)


def _principles_question(appraisal: Appraisal, question_id: str, aspect: str) -> Question:
    question = _question(appraisal, question_id)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    if question.kind != "principles" or aspect not in {a.id for a in framework.aspects}:
        raise Http404
    return question


def _register(appraisal: Appraisal, register_id: str) -> Register:
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    register = next((r for r in framework.registers if r.id == register_id), None)
    if register is None:
        raise Http404
    return register


def _row(appraisal: Appraisal, register_id: str, row_id: int) -> RegisterRow:
    return get_object_or_404(RegisterRow, pk=row_id, appraisal=appraisal, register=register_id)


# --- how each form reaches its service -----------------------------------------------------


def _project_input(form: ProjectForm, fields: Fields) -> Fields:
    return {
        "fields": fields,
        "motivations": [services.MotivationInput(m, e) for m, e in form.motivation_inputs()],
        "primary_motivation": fields["primary_motivation"],
    }


def _create_project(request: HttpRequest, membership: Membership, form: ProjectForm) -> Save:
    return lambda fields: services.create_project(
        organisation=membership.organisation, user=request.user, **_project_input(form, fields)
    )


def _update_project(request: HttpRequest, project: Project, form: ProjectForm) -> Save:
    return lambda fields: services.update_project(
        project=project,
        user=request.user,
        expected_version=fields["version"],
        **_project_input(form, fields),
    )


def _start_appraisal(request: HttpRequest, project: Project) -> Save:
    return lambda fields: services.start_appraisal(
        project=project, stage=fields["stage"], user=request.user, reason=fields["reason"]
    )


def _save_answer(request: HttpRequest, appraisal: Appraisal, question: Question) -> Save:
    return lambda fields: services.save_answer(
        appraisal=appraisal,
        question_id=question.id,
        user=request.user,
        value=fields.get("value", ""),
        rationale=fields["rationale"],
        evidence=fields["evidence"],
        expected_version=fields["version"],
    )


def _save_principles(
    request: HttpRequest, appraisal: Appraisal, question: Question, aspect: str, form: PrinciplesForm
) -> Save:
    return lambda fields: services.save_principles(
        appraisal=appraisal,
        question_id=question.id,
        aspect=aspect,
        user=request.user,
        value=fields["value"],
        rationale=fields["rationale"],
        ratings=form.ratings(),
        expected_version=fields["version"],
    )


def _save_participation(request: HttpRequest, appraisal: Appraisal, stakeholder: str) -> Save:
    return lambda fields: services.save_participation(
        appraisal=appraisal,
        stakeholder=stakeholder,
        mode=fields["mode"],
        reason=fields["reason"],
        summary=fields["summary"],
        user=request.user,
        expected_version=fields["version"],
    )


def _save_row(
    request: HttpRequest, appraisal: Appraisal, register: Register, row: RegisterRow | None
) -> Save:
    if row is None:
        return lambda fields: services.add_register_row(
            appraisal=appraisal, register_id=register.id, data=fields, user=request.user
        )
    return lambda fields: services.change_register_row(
        row=row, data=fields, user=request.user, expected_version=fields["version"]
    )


def _save_decision(request: HttpRequest, appraisal: Appraisal) -> Save:
    def save(fields: Fields) -> Any:
        expected = fields.pop("version")
        return services.record_decision(
            appraisal=appraisal, user=request.user, expected_version=expected, **fields
        )

    return save


def _save_criteria(request: HttpRequest, appraisal: Appraisal, form: CriteriaForm) -> Save:
    return lambda fields: services.save_criteria(
        appraisal=appraisal, user=request.user, ratings=form.ratings(), expected_version=fields["version"]
    )


# --- projects ---------------------------------------------------------------------------


@login_required
@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        return render(request, "appraisals/project_list.html", {"projects": [], "title": "Projects"})
    if request.GET.get("format") == "csv":
        site = request.build_absolute_uri("/").rstrip("/")
        response = HttpResponse(
            overview.download(membership.organisation_id, request.GET, site),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="projects.csv"'
        return response
    page = overview.page(membership.organisation_id, request.GET)
    can_manage = role_may(membership.role, Action.MANAGE_PROJECTS)
    return render(
        request, "appraisals/project_list.html", {**page, "can_manage": can_manage, "title": "Projects"}
    )


@login_required
@GET_POST
def project_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        raise Http404
    require(membership, Action.MANAGE_PROJECTS)
    form = ProjectForm(
        form_data(request), framework=current_framework(), initial={"current_stage": "inception"}
    )
    edit = handle_edit(request, form, _create_project(request, membership, form))
    if (project := edit.result) is not None:
        messages.success(
            request, f"Project “{project.title}” created. Start its first appraisal when you are ready."
        )
        return redirect("project-detail", pk=project.pk)
    return render(
        request, "appraisals/project_form.html", {"form": form, "title": "Create a project", "project": None}
    )


@login_required
@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project, membership = project_for(request, pk)
    return render(
        request,
        "appraisals/project_detail.html",
        {
            "project": project,
            "appraisals": selectors.appraisals_of(project),
            "motivations": sorted(project.motivations.all(), key=lambda m: not m.is_primary),
            "framework": current_framework(),
            "funding": presenters.money(project.funding_amount),
            "can_manage": role_may(membership.role, Action.MANAGE_PROJECTS),
            "title": project.title,
        },
    )


@login_required
@GET_POST
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project, _ = project_for(request, pk, Action.MANAGE_PROJECTS)
    initial = presenters.project_initial(project)
    form = ProjectForm(form_data(request), framework=current_framework(), initial=initial)
    edit = handle_edit(request, form, _update_project(request, project, form))
    if edit.saved:
        messages.success(request, "Project details saved.")
        return redirect("project-detail", pk=project.pk)
    return render(
        request,
        "appraisals/project_form.html",
        {"form": form, "title": "Change project details", "project": project, "conflict": edit.conflict},
        status=edit.status,
    )


def _stages_left(project: Project) -> list[tuple[str, str]]:
    done = set(project.appraisals.values_list("stage", flat=True))
    return [(s.id, s.name) for s in current_framework().stages if s.id not in done]


@login_required
@GET_POST
def appraisal_start(request: HttpRequest, pk: int) -> HttpResponse:
    project, _ = project_for(request, pk, Action.MANAGE_PROJECTS)
    stages = _stages_left(project)
    framework = current_framework()
    initial = {"stage": presenters.stage_to_start(project, stages, framework)}
    form = StartAppraisalForm(form_data(request), stages=stages, initial=initial)
    edit = handle_edit(request, form, _start_appraisal(request, project))
    if (appraisal := edit.result) is not None:
        if appraisal.previous_id:
            messages.success(
                request, "Answers from the last stage have been carried forward. Confirm or change each one."
            )
        return redirect("appraisal-tasks", pk=appraisal.pk)
    return render(
        request,
        "appraisals/appraisal_start.html",
        {
            "form": form,
            "project": project,
            "stages_left": stages,
            "stage_hints": presenters.stage_hints(project, stages, framework),
            "title": "Start an appraisal",
        },
    )


# --- the appraisal ------------------------------------------------------------------------


@login_required
@require_safe
def appraisal_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk)
    data = selectors.page_data(appraisal)
    return render(request, "appraisals/task_list.html", presenters.tasks_page(data, membership.role))


@login_required
@GET_POST
def question(request: HttpRequest, pk: int, question_id: str) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.ANSWER, read="open")
    q = _question(appraisal, question_id)
    data = selectors.page_data(appraisal)
    page: dict[str, Any] = {"question": q, "title": q.label}
    if q.kind == "principles":
        page |= _comments(data, q.id)
        return _page(request, "appraisals/question_principles.html", data, membership.role, page)
    answer = data.answers.get(q.id)
    initial = presenters.answer_initial(answer)
    form = AnswerForm(form_data(request), framework=data.framework, question=q, initial=initial)
    edit = handle_edit(request, form, _save_answer(request, appraisal, q))
    if edit.saved:
        if q.section_id == "tests":
            messages.success(request, f"{q.id} saved.")
        return redirect(next_question_url(selectors.page_data(appraisal), q.id))
    rows = presenters.register_cards(data, q)
    page |= {"answer": answer, "form": form, "rows": rows, **_comments(data, q.id, rows)}
    return _page(request, "appraisals/question.html", data, membership.role, page, edit)


@login_required
@GET_POST
def principles_aspect(request: HttpRequest, pk: int, question_id: str, aspect: str) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.RATINGS)
    q = _principles_question(appraisal, question_id, aspect)
    data = selectors.page_data(appraisal)
    initial = presenters.principles_initial(data, q, aspect)
    form = PrinciplesForm(form_data(request), framework=data.framework, question=q, initial=initial)
    edit = handle_edit(request, form, _save_principles(request, appraisal, q, aspect, form))
    if edit.saved:
        return redirect(
            presenters.other_aspect_url(data, q.id, aspect)
            or next_question_url(selectors.page_data(appraisal), q.id)
        )
    page = presenters.aspect_page(data.framework, q, aspect) | {"form": form}
    return _page(request, "appraisals/principles_aspect.html", data, membership.role, page, edit)


@login_required
@GET_POST
def participation_group(request: HttpRequest, pk: int, stakeholder: str) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.PARTICIPATION)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    group = next((s for s in framework.stakeholders if s.id == stakeholder), None)
    if group is None:
        raise Http404
    data = selectors.page_data(appraisal)
    initial = presenters.participation_initial(data.participation.get(stakeholder))
    form = ParticipationForm(form_data(request), framework=framework, initial=initial)
    edit = handle_edit(request, form, _save_participation(request, appraisal, stakeholder))
    back_url = presenters.participation_url(appraisal.pk, framework)
    if edit.saved:
        return redirect(back_url)
    page = {"group": group, "form": form, "title": f"Participation: {group.label}", "back_url": back_url}
    return _page(request, "appraisals/participation_form.html", data, membership.role, page, edit)


@login_required
@GET_POST
def register_row(request: HttpRequest, pk: int, register_id: str, row_id: int | None = None) -> HttpResponse:
    """Add a register row (no row_id) or change one."""
    appraisal, membership = appraisal_for(request, pk, Change.REGISTER)
    register = _register(appraisal, register_id)
    row = _row(appraisal, register_id, row_id) if row_id is not None else None
    data = selectors.page_data(appraisal)
    form = RegisterRowForm(form_data(request), register=register, initial=presenters.row_initial(row))
    edit = handle_edit(
        request,
        form,
        _save_row(request, appraisal, register, row),
        show_conflict=lambda exc: dict(row_summary(data, register_id, exc.current)),
    )
    if edit.saved:
        messages.success(request, f"{register.name}: row {'added' if row is None else 'changed'}.")
        return redirect("appraisal-question", pk=appraisal.pk, question_id=register.question)
    page = {"register": register, "row": row, "form": form, "title": presenters.register_title(register, row)}
    return _page(request, "appraisals/register_row_form.html", data, membership.role, page, edit)


@login_required
@GET_POST
def register_row_remove(request: HttpRequest, pk: int, register_id: str, row_id: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.REGISTER)
    register = _register(appraisal, register_id)
    row = _row(appraisal, register_id, row_id)
    if request.method == "POST":
        services.remove_register_row(row=row, user=request.user)
        messages.success(request, f"{register.name}: row removed.")
        return redirect("appraisal-question", pk=appraisal.pk, question_id=register.question)
    data = selectors.page_data(appraisal)
    summary = row_summary(data, register_id, row.data)
    page = {
        "register": register,
        "row": row,
        "summary": summary,
        "title": f"Remove from {register.name.lower()}",
    }
    return _page(request, "appraisals/register_row_remove.html", data, membership.role, page)


@login_required
@require_safe
def route(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk)
    data = selectors.page_data(appraisal)
    return _page(
        request, "appraisals/route.html", data, membership.role, {"title": "What the framework allows"}
    )


@login_required
@require_safe
def check_answers(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk)
    data = selectors.page_data(appraisal)
    page = {"content": presenters.check_answers_content(data), "title": "Check your answers"}
    return _page(request, "appraisals/check_answers.html", data, membership.role, page)


@login_required
@GET_POST
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.DECISION, read="open")
    data = selectors.page_data(appraisal)
    initial = presenters.decision_initial(
        data.decision, appraisal.project.accountable_person, timezone.localdate()
    )
    # Declared interests and the commitments in force (appraisals/interest_pages.py).
    declared = decision_page_parts(data, membership.role, request.user)
    form = DecisionForm(
        form_data(request), framework=data.framework, route=data.route, initial=initial,
        commitments=declared["commitments"],
    )  # fmt: skip
    edit = handle_edit(request, form, _save_decision(request, appraisal))
    if edit.saved:
        messages.success(request, "Decision recorded.")
        return redirect("appraisal-tasks", pk=appraisal.pk)
    page = {"form": form, **presenters.decision_parts(data, membership.role), **_comments(data, "decision")}
    page |= declared
    return _page(request, "appraisals/decision.html", data, membership.role, page, edit)


@login_required
@GET_POST
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate the project against the paper's definition of trustworthy innovation (D1 to D5)."""
    appraisal, _ = appraisal_for(request, pk, Change.CRITERIA)
    framework = framework_for(appraisal.framework_id, appraisal.framework_version)
    initial = presenters.criteria_initial(selectors.criterion_ratings(appraisal))
    initial["version"] = appraisal.criteria_version
    form = CriteriaForm(form_data(request), framework=framework, initial=initial)
    edit = handle_edit(
        request,
        form,
        _save_criteria(request, appraisal, form),
        show_conflict=lambda exc: form.saved_by_someone_else(exc.current),
    )
    if edit.saved:
        messages.success(request, "Ratings against the criteria of trustworthy innovation saved.")
        return redirect("appraisal-tasks", pk=appraisal.pk)
    page = {"appraisal": appraisal, "framework": framework, "form": form, "conflict": edit.conflict}
    return render(
        request, "appraisals/criteria.html", page | {"title": "Trustworthy innovation"}, status=edit.status
    )


# --- post hoc evaluation: what happened, against what was expected ----------------------------


def _evaluation(appraisal: Appraisal) -> EvaluationData:
    """The evaluation of an appraisal at the `evaluation` stage; any other stage has none (404)."""
    evaluation = selectors.evaluation_of(appraisal)
    if evaluation is None:
        raise Http404
    return evaluation


def _expectation(evaluation: EvaluationData, row_id: int) -> Expectation:
    expectation = evaluation.expectation(row_id)
    if expectation is None:
        raise Http404
    return expectation


def _unforeseen_item(appraisal: Appraisal, item_id: int) -> UnforeseenItem:
    return get_object_or_404(UnforeseenItem, pk=item_id, appraisal=appraisal)


def _save_outcome(request: HttpRequest, appraisal: Appraisal, row_id: int) -> Save:
    return lambda fields: services.save_outcome(
        appraisal=appraisal,
        row_id=row_id,
        user=request.user,
        result=fields["result"],
        evidence=fields.get("evidence", ""),
        handling=fields.get("handling", ""),
        expected_version=fields["version"],
    )


def _save_unforeseen(request: HttpRequest, appraisal: Appraisal, item: UnforeseenItem | None) -> Save:
    def save(fields: Fields) -> Any:
        expected = fields.pop("version")
        if item is None:
            return services.add_unforeseen(appraisal=appraisal, user=request.user, **fields)
        return services.change_unforeseen(item=item, user=request.user, expected_version=expected, **fields)

    return save


def _save_lessons(request: HttpRequest, appraisal: Appraisal) -> Save:
    return lambda fields: services.save_lessons(
        appraisal=appraisal, user=request.user, text=fields["text"], expected_version=fields["version"]
    )


@login_required
@require_safe
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """Every benefit and risk of the approved stage, what happened to each, and what nobody expected."""
    appraisal, membership = appraisal_for(request, pk)
    evaluation = _evaluation(appraisal)
    page = presenters.evaluation_page(evaluation, membership.role, title="What happened")
    return render(request, "appraisals/evaluation.html", page)


@login_required
@GET_POST
def evaluation_outcome(request: HttpRequest, pk: int, row_id: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.OUTCOME)
    evaluation = _evaluation(appraisal)
    expectation = _expectation(evaluation, row_id)
    card = presenters.expectation_card(evaluation, expectation)
    initial = presenters.outcome_initial(expectation.outcome)
    form = OutcomeForm(form_data(request), kind=card.kind.id, results=card.kind.results, initial=initial)
    edit = handle_edit(request, form, _save_outcome(request, appraisal, row_id))
    if edit.saved:
        messages.success(request, f"Saved what happened: {card.headline}")
        return redirect("evaluation", pk=appraisal.pk)
    page = presenters.evaluation_page(evaluation, membership.role, card=card, form=form, title=card.headline)
    page |= {"conflict": edit.conflict}
    return render(request, "appraisals/evaluation_outcome.html", page, status=edit.status)


@login_required
@GET_POST
def evaluation_unforeseen(request: HttpRequest, pk: int, item_id: int | None = None) -> HttpResponse:
    """Add a harm or benefit nobody expected (no item_id), or change one."""
    appraisal, membership = appraisal_for(request, pk, Change.UNFORESEEN)
    evaluation = _evaluation(appraisal)
    item = _unforeseen_item(appraisal, item_id) if item_id is not None else None
    initial = presenters.unforeseen_initial(item)
    form = UnforeseenForm(form_data(request), kinds=UNFORESEEN_KINDS, initial=initial)
    edit = handle_edit(request, form, _save_unforeseen(request, appraisal, item))
    if edit.saved:
        messages.success(request, f"Something nobody expected: {'added' if item is None else 'changed'}.")
        return redirect("evaluation", pk=appraisal.pk)
    title = "Add something nobody expected" if item is None else "Change something nobody expected"
    page = presenters.evaluation_page(evaluation, membership.role, item=item, form=form, title=title)
    page |= {"conflict": edit.conflict}
    return render(request, "appraisals/evaluation_unforeseen.html", page, status=edit.status)


@login_required
@GET_POST
def evaluation_unforeseen_remove(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.UNFORESEEN)
    evaluation = _evaluation(appraisal)
    item = _unforeseen_item(appraisal, item_id)
    if request.method == "POST":
        services.remove_unforeseen(item=item, user=request.user)
        messages.success(request, "Something nobody expected: removed.")
        return redirect("evaluation", pk=appraisal.pk)
    page = presenters.evaluation_page(
        evaluation, membership.role, item=item, kind_label=presenters.unforeseen_label(item.kind),
        title="Remove something nobody expected",
    )  # fmt: skip
    return render(request, "appraisals/evaluation_unforeseen_remove.html", page)


@login_required
@GET_POST
def evaluation_lessons(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.LESSONS)
    evaluation = _evaluation(appraisal)
    initial = presenters.lessons_initial(evaluation.lessons)
    form = LessonsForm(form_data(request), initial=initial)
    edit = handle_edit(request, form, _save_lessons(request, appraisal))
    if edit.saved:
        messages.success(request, "Lessons for others saved.")
        return redirect("evaluation", pk=appraisal.pk)
    page = presenters.evaluation_page(evaluation, membership.role, form=form, title="Lessons for others")
    page |= {"conflict": edit.conflict}
    return render(request, "appraisals/evaluation_lessons.html", page, status=edit.status)


@login_required
@require_safe
def evaluation_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What was expected at the approved stage beside what happened."""
    appraisal, membership = appraisal_for(request, pk)
    evaluation = _evaluation(appraisal)
    page = presenters.evaluation_page(evaluation, membership.role, title="Expected against realised")
    return render(request, "appraisals/evaluation_compare.html", page)
