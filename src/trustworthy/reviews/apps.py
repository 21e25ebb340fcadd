from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "trustworthy.reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Appraisal pages (a lower layer) show the comments this app keeps, and what the
        # review asks for.
        from trustworthy.appraisals.extensions import register_comment_threads, register_review_side

        from .feedback import REVIEW_SIDE
        from .selectors import threads_by_target

        register_comment_threads(threads_by_target)
        register_review_side(REVIEW_SIDE)
