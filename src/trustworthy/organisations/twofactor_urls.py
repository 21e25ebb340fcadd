from django.urls import URLPattern, path

from . import twofactor_views as views

urlpatterns: list[URLPattern] = [
    path("accounts/login/code/", views.code, name="two-factor-code"),
    path("account/two-factor/", views.manage, name="two-factor"),
    path("account/two-factor/set-up/", views.set_up, name="two-factor-set-up"),
    path("account/two-factor/recovery-codes/", views.recovery_codes, name="two-factor-recovery-codes"),
    path(
        "account/two-factor/new-recovery-codes/",
        views.new_recovery_codes,
        name="two-factor-new-recovery-codes",
    ),
    path("account/two-factor/turn-off/", views.turn_off, name="two-factor-turn-off"),
]
