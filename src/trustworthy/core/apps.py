from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trustworthy.core"
    default_auto_field = "django.db.models.BigAutoField"
