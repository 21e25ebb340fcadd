from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("accounts/set-password/<str:uidb64>/<str:token>/", views.set_password, name="set-password"),
    path("organisations/switch/", views.switch_organisation, name="switch-organisation"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/members/", views.members, name="organisation-members"),
    path("organisation/members/invite/", views.invite_member, name="organisation-member-invite"),
    path("organisation/members/<int:membership_id>/", views.member, name="organisation-member"),
    path(
        "organisation/members/<int:membership_id>/remove/",
        views.remove_member,
        name="organisation-member-remove",
    ),
    path(
        "organisation/members/<int:membership_id>/resend-invitation/",
        views.resend_invitation,
        name="organisation-member-resend-invitation",
    ),
    path("organisation/commitments/", views.commitments, name="organisation-commitments"),
    path("organisation/commitments/edit/", views.edit_commitments, name="organisation-commitments-edit"),
    path(
        "organisation/commitments/<int:version>/",
        views.commitments_version,
        name="organisation-commitments-version",
    ),
]
