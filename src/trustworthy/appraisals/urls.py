from django.urls import path

from . import edition_views, views, views_actions, views_interests, views_readiness, views_screening

urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/appraisals/new/", views.appraisal_start, name="appraisal-start"),
    path("appraisals/<int:pk>/", views.appraisal_tasks, name="appraisal-tasks"),
    path("appraisals/<int:pk>/edition/", edition_views.move_edition, name="appraisal-move-edition"),
    path("appraisals/<int:pk>/questions/<str:question_id>/", views.question, name="appraisal-question"),
    path(
        "appraisals/<int:pk>/questions/<str:question_id>/<slug:aspect>/",
        views.principles_aspect,
        name="appraisal-principles",
    ),
    path(
        "appraisals/<int:pk>/participation/<slug:stakeholder>/",
        views.participation_group,
        name="appraisal-participation",
    ),
    path("appraisals/<int:pk>/registers/<slug:register_id>/add/", views.register_row, name="register-add"),
    path(
        "appraisals/<int:pk>/registers/<slug:register_id>/<int:row_id>/",
        views.register_row,
        name="register-change",
    ),
    path(
        "appraisals/<int:pk>/registers/<slug:register_id>/<int:row_id>/remove/",
        views.register_row_remove,
        name="register-remove",
    ),
    path("appraisals/<int:pk>/route/", views.route, name="appraisal-route"),
    path("appraisals/<int:pk>/screening/", views_screening.screening_page, name="appraisal-screening"),
    path(
        "appraisals/<int:pk>/screening/full/",
        views_screening.require_full_route,
        name="appraisal-require-full",
    ),
    path("appraisals/<int:pk>/check/", views.check_answers, name="appraisal-check"),
    path("appraisals/<int:pk>/decision/", views.decision, name="appraisal-decision"),
    path("appraisals/<int:pk>/criteria/", views.criteria, name="appraisal-criteria"),
    path("appraisals/<int:pk>/readiness/", views_readiness.readiness_page, name="appraisal-readiness"),
    path("appraisals/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path(
        "appraisals/<int:pk>/evaluation/outcomes/<int:row_id>/",
        views.evaluation_outcome,
        name="evaluation-outcome",
    ),
    path(
        "appraisals/<int:pk>/evaluation/unforeseen/add/",
        views.evaluation_unforeseen,
        name="evaluation-unforeseen-add",
    ),
    path(
        "appraisals/<int:pk>/evaluation/unforeseen/<int:item_id>/",
        views.evaluation_unforeseen,
        name="evaluation-unforeseen-change",
    ),
    path(
        "appraisals/<int:pk>/evaluation/unforeseen/<int:item_id>/remove/",
        views.evaluation_unforeseen_remove,
        name="evaluation-unforeseen-remove",
    ),
    path("appraisals/<int:pk>/evaluation/lessons/", views.evaluation_lessons, name="evaluation-lessons"),
    path(
        "appraisals/<int:pk>/expected-against-realised/", views.evaluation_compare, name="evaluation-compare"
    ),
    # Actions with owners: mitigations, enablers, conditions of the decision, lessons.
    path("actions/", views_actions.action_list, name="action-list"),
    path("projects/<int:pk>/actions/", views_actions.project_actions, name="project-actions"),
    path("appraisals/<int:pk>/actions/", views_actions.appraisal_actions, name="appraisal-actions"),
    # Declared interests: before a verdict or a decision; an admin can require a different approver.
    path("appraisals/<int:pk>/interests/", views_interests.declare, name="appraisal-interests"),
    path(
        "appraisals/<int:pk>/interests/<int:declaration_id>/other-approver/",
        views_interests.other_approver,
        name="appraisal-other-approver",
    ),
    path("appraisals/<int:pk>/actions/new/", views_actions.action_add, name="action-add"),
    path("appraisals/<int:pk>/actions/<int:action_id>/", views_actions.action_change, name="action-change"),
    path(
        "appraisals/<int:pk>/actions/<int:action_id>/progress/",
        views_actions.action_progress,
        name="action-progress",
    ),
]
