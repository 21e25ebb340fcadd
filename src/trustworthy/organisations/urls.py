from django.urls import URLPattern, path

from . import edition_views, oidc_views, views

urlpatterns: list[URLPattern] = [
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("accounts/organisation-sign-in/", oidc_views.choose, name="oidc-choose"),
    path("accounts/organisation-sign-in/callback/", oidc_views.callback, name="oidc-callback"),
    path(
        "accounts/organisation-sign-in/<int:organisation_id>/",
        oidc_views.continue_to_provider,
        name="oidc-continue",
    ),
    path("accounts/organisation-sign-in/<int:organisation_id>/start/", oidc_views.start, name="oidc-start"),
    path("accounts/set-password/<str:uidb64>/<str:token>/", views.set_password, name="set-password"),
    path("accounts/password-reset/", views.password_reset, name="password-reset"),
    path("accounts/password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path(
        "accounts/password-reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
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
    path("organisation/framework/", edition_views.edition, name="organisation-edition"),
    path(
        "organisation/framework/local-questions/add/",
        edition_views.add_local_question,
        name="organisation-local-question-add",
    ),
    path("organisation/commitments/", views.commitments, name="organisation-commitments"),
    path("organisation/commitments/edit/", views.edit_commitments, name="organisation-commitments-edit"),
    path(
        "organisation/commitments/<int:version>/",
        views.commitments_version,
        name="organisation-commitments-version",
    ),
]
