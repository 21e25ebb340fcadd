from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "trustworthy.organisations"
    default_auto_field = "django.db.models.BigAutoField"
