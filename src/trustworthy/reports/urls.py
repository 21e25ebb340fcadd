from django.urls import path

from . import views

urlpatterns = [
    path("appraisals/<int:pk>/record/", views.record_page, name="record"),
    path(
        "appraisals/<int:pk>/record/decision-record.pdf",
        views.record_download,
        {"fmt": "pdf"},
        name="record-pdf",
    ),
    path(
        "appraisals/<int:pk>/record/decision-record.docx",
        views.record_download,
        {"fmt": "docx"},
        name="record-docx",
    ),
    path(
        "appraisals/<int:pk>/record/decision-record.json",
        views.record_download,
        {"fmt": "json"},
        name="record-json",
    ),
    path("appraisals/<int:pk>/record/summary/", views.summary_page, name="record-summary"),
    path("appraisals/<int:pk>/record/summary.pdf", views.summary_pdf, name="record-summary-pdf"),
    path("appraisals/<int:pk>/record/publish/", views.publish_page, name="record-publish"),
    path("register/", views.register, name="public-register"),
    path(
        "register/organisations/<int:organisation_id>/",
        views.register_organisation,
        name="public-register-organisation",
    ),
    path("register/records/<int:appraisal_id>/", views.public_record, name="public-record"),
    path(
        "register/records/<int:appraisal_id>/decision-record.json",
        views.public_record_json,
        name="public-record-json",
    ),
    path("register/feed.json", views.register_feed, name="public-register-feed"),
    path("schemas/decision-record-1.json", views.schema, name="record-schema"),
]
