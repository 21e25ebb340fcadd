from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "trustworthy.organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the sign-in signal that notes whether the person has an authenticator app.
        from . import twofactor  # noqa: F401
