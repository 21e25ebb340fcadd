from django.urls import include, path

from trustworthy.core import views as core_views
from trustworthy.organisations.admin import site as admin_site
from trustworthy.reviews import views_work as work_views

urlpatterns = [
    path("", work_views.your_work, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Staff superusers only, read-only (organisations/admin.py); programmes/admin.py adds programmes.
    path("admin/", admin_site.urls),
    path("", include("trustworthy.organisations.urls")),
    path("", include("trustworthy.organisations.twofactor_urls")),
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
