from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "trustworthy.reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Approval (a lower layer) signs the record this app builds.
        from trustworthy.appraisals.extensions import register_signer

        from .signing import signed_content

        register_signer(signed_content)
