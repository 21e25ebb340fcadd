from django.urls import path

from . import views, views_help

urlpatterns = [
    path("appraisals/<int:pk>/review/", views.review, name="appraisal-review"),
    path("appraisals/<int:pk>/steps/<slug:name>/", views.step, name="appraisal-step"),
    path("appraisals/<int:pk>/comments/", views.comments, name="appraisal-comments"),
    path("appraisals/<int:pk>/comments/<int:comment_id>/resolve/", views.resolve, name="comment-resolve"),
    path("appraisals/<int:pk>/history/", views.history, name="appraisal-history"),
    path("appraisals/<int:pk>/new-version/", views.new_version, name="appraisal-new-version"),
    path("appraisals/<int:pk>/changes/", views.changes, name="appraisal-changes"),
    # Help: open to everyone, signed in or not.
    path("help/", views_help.index, name="help"),
    path("help/framework/", views_help.framework, name="help-framework"),
    path("help/how-an-appraisal-runs/", views_help.appraisal, name="help-appraisal"),
    path("help/roles/", views_help.roles, name="help-roles"),
    path("help/glossary/", views_help.glossary, name="help-glossary"),
]
