"""The audit trail: append-only events, chained twice over and sealed with a keyed hash.

Every event belongs to its organisation's chain (`org_sequence`, `org_prev_hash`, with the
head kept in `OrganisationChain`); an event about an appraisal also belongs to that
appraisal's chain (`sequence`, `prev_hash`, with the head and count kept on the
appraisal). Each event's `hash` is an HMAC over everything it holds and shows, both links
included, under a key kept outside the database. So an event cannot be edited, inserted,
reordered or re-hashed without the key, and removing an appraisal's newest events leaves a
gap in the organisation's chain. `trustworthy audit verify` checks all of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change: who, when (UTC), what, and the values before and after."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="audit_events"
    )
    org_sequence = models.PositiveIntegerField()
    org_prev_hash = models.CharField(max_length=64, blank=True)
    # No database constraint: an appraisal deleted behind the service's back leaves its
    # events behind, so verification can name it.
    appraisal = models.ForeignKey(
        "appraisals.Appraisal",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    sequence = models.PositiveIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
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
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "sequence"],
                condition=models.Q(appraisal__isnull=False),
                name="one_event_per_sequence",
            ),
            models.UniqueConstraint(
                fields=["organisation", "org_sequence"], name="one_event_per_org_sequence"
            ),
        ]
        ordering = ["organisation", "org_sequence"]

    def __str__(self) -> str:
        where = f"appraisal {self.appraisal_id} #{self.sequence}" if self.appraisal_id else "organisation"
        return f"{where} {self.action} {self.target}".rstrip()


class OrganisationChain(models.Model):
    """The head and length of an organisation's chain of events."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="audit_chain"
    )
    head = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField(default=0)
