from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/<slug:programme>/", views.dashboard, name="programme-dashboard"),
    path(
        "programmes/<slug:programme>/appraisals/<int:appraisal_id>/",
        views.record,
        name="programme-record",
    ),
    path("programmes/<slug:programme>/research.zip", views.research_download, name="programme-research"),
    path("organisation/portfolio/", views.organisation_portfolio, name="organisation-portfolio"),
    path("organisation/programmes/", views.sharing, name="organisation-programmes"),
]
