"""Rules other parts of the service ask of the voices app.

`submission_blockers` is called before an appraisal is sent for review: what people said
must have been heard in full (no consultation still open) and answered (every theme
carries the lead's note on how it shaped the decision).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from trustworthy.appraisals.models import Appraisal

from .models import Consultation, Theme

__all__ = ["submission_blockers"]


def submission_blockers(appraisal: Appraisal) -> list[str]:
    """Plain-English reasons the appraisal cannot be sent for review yet; empty if none."""
    reasons: list[str] = []
    open_consultations = Consultation.objects.filter(
        appraisal=appraisal, closed_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("created_at")
    for consultation in open_consultations:
        reasons.append(
            f"The consultation “{consultation.title}” is still open. "
            "Close it before sending the appraisal for review."
        )
    unnoted = Theme.objects.filter(appraisal=appraisal).filter(Q(decision_note="")).order_by("created_at")
    for theme in unnoted:
        reasons.append(
            f"The theme “{theme.name}” has no note on how it shaped the decision. Add one to the theme."
        )
    return reasons
