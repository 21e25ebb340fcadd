from django.urls import path

from . import views, views_overview

urlpatterns = [
    path("voices/", views_overview.voices, name="voices-list"),
    path("appraisals/<int:pk>/voices/", views.summary, name="voices-summary"),
    path(
        "appraisals/<int:pk>/voices/consultations/new/",
        views.consultation_create,
        name="voices-consultation-create",
    ),
    path("appraisals/<int:pk>/voices/responses/new/", views.response_create, name="voices-response-create"),
    path("appraisals/<int:pk>/voices/themes/new/", views.theme_create, name="voices-theme-create"),
    path(
        "voices/consultations/<int:consultation_id>/link/",
        views.consultation_link,
        name="voices-consultation-link",
    ),
    path(
        "voices/consultations/<int:consultation_id>/new-link/",
        views.consultation_new_link,
        name="voices-consultation-new-link",
    ),
    path(
        "voices/consultations/<int:consultation_id>/close/",
        views.consultation_close,
        name="voices-consultation-close",
    ),
    path("voices/responses/<int:response_id>/", views.response_detail, name="voices-response"),
    path("voices/themes/<int:theme_id>/", views.theme_edit, name="voices-theme"),
    path("organisation/safeguarding/", views.safeguarding, name="voices-safeguarding"),
    # The participant's pages: public, no account.
    path("v/<str:link_token>/", views.participate, name="voices-participate"),
    path("v/<str:link_token>/thanks/", views.thanks, name="voices-thanks"),
]
