from django.urls import path

from . import views

urlpatterns = [
    path("appraisals/<int:pk>/review/", views.review, name="appraisal-review"),
    path("appraisals/<int:pk>/steps/<slug:name>/", views.step, name="appraisal-step"),
    path("appraisals/<int:pk>/comments/", views.comments, name="appraisal-comments"),
    path("appraisals/<int:pk>/comments/<int:comment_id>/resolve/", views.resolve, name="comment-resolve"),
    path("appraisals/<int:pk>/history/", views.history, name="appraisal-history"),
    path("appraisals/<int:pk>/new-version/", views.new_version, name="appraisal-new-version"),
    path("appraisals/<int:pk>/changes/", views.changes, name="appraisal-changes"),
]
