from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    name = "trustworthy.appraisals"
    default_auto_field = "django.db.models.BigAutoField"
