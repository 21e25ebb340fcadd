"""The audit trail: append-only, hash-chained events per appraisal."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change to an appraisal: who, when (UTC), what, and the values before and after.

    Events of an appraisal form a chain: each stores the hash of the one before, and the
    appraisal keeps the newest hash, so editing, removing, inserting or reordering events
    is detected by `trustworthy audit verify`.
    """

    appraisal = models.ForeignKey(
        "appraisals.Appraisal", on_delete=models.PROTECT, related_name="audit_events"
    )
    sequence = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=80, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "sequence"], name="one_event_per_sequence"),
        ]
        ordering = ["appraisal", "sequence"]

    def __str__(self) -> str:
        return f"{self.appraisal_id}#{self.sequence} {self.action} {self.target}"
