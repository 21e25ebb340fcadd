"""What the decision record adds to an appraisal: the plain-language summary, what the
lead keeps out of the public version, and publication on the public register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation


class RecordSettings(models.Model):
    appraisal = models.OneToOneField(Appraisal, on_delete=models.CASCADE, related_name="record_settings")
    summary = models.TextField(
        blank=True, help_text="What we decided and why, for young people and families; blank for the draft"
    )
    summary_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    not_for_publication = models.JSONField(
        default=list, help_text="Keys of items left out of the public record"
    )


class Publication(models.Model):
    """A decision record on the public register: the public document exactly as published.

    The public page and the open-data feed both show `document`, so they cannot disagree,
    and nothing changed afterwards reaches either. Withdrawing or replacing a publication
    keeps it here, marked withdrawn, with who did it and why.
    """

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="publications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="publications")
    title = models.CharField(max_length=300)
    decision = models.CharField(max_length=40, blank=True)
    document = models.JSONField(help_text="The public record (decision-record-1 JSON) as published")
    document_hash = models.CharField(max_length=64, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_live_publication",
            )
        ]

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
