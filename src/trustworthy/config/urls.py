from django.urls import include, path
from django.views.generic import RedirectView

from trustworthy.core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="project-list", permanent=False), name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("trustworthy.organisations.urls")),
    path("", include("trustworthy.appraisals.urls")),
    path("", include("trustworthy.reviews.urls")),
    path("", include("trustworthy.reports.urls")),
    path("", include("trustworthy.voices.urls")),
    path("", include("trustworthy.programmes.urls")),
    path("", include("trustworthy.api.urls")),
]

handler404 = "trustworthy.core.views.not_found"
handler403 = "trustworthy.core.views.forbidden"
handler500 = "trustworthy.core.views.server_error"
