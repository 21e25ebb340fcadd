from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "trustworthy.programmes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # `trustworthy audit verify` also walks every programme's own chain of events.
        from trustworthy.reports.integrity import organisation_checks

        from .audit import verify_programme_chains

        if verify_programme_chains not in organisation_checks:
            organisation_checks.append(verify_programme_chains)
