"""Programmes: a national fund or a regional partnership that oversees shared projects.

A programme has overseers and researchers (people, who need not belong to any
organisation) and member organisations. An organisation chooses which of its projects to
share; sharing stops without losing the record that it happened (`stopped_at`).
Changes on the programme's side are events in the programme's own chain
(`ProgrammeEvent`), sealed like the organisations' audit events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trustworthy.appraisals.models import Project
from trustworthy.organisations.models import Organisation


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    # The head and length of the programme's chain of events.
    audit_head = models.CharField(max_length=64, blank=True)
    audit_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeRole(models.TextChoices):
    OVERSEER = "overseer", "Overseer"
    RESEARCHER = "researcher", "Researcher"


class ProgrammeMember(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programmes")
    role = models.CharField(max_length=20, choices=ProgrammeRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="one_role_per_programme_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.programme})"


class ProgrammeOrganisation(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="organisations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="programmes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="organisation_once_per_programme"
            )
        ]


class SharedProjectQuerySet(models.QuerySet["SharedProject"]):
    def active(self) -> SharedProjectQuerySet:
        return self.filter(stopped_at__isnull=True)


class SharedProject(models.Model):
    """One period during which an organisation shared a project with a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="shared")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="programme_shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SharedProjectQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "project"],
                condition=models.Q(stopped_at__isnull=True),
                name="project_shared_once_at_a_time",
            )
        ]
        indexes = [models.Index(fields=["programme", "stopped_at"], name="shared_by_programme")]
        ordering = ["shared_at", "id"]


class ProgrammeEvent(models.Model):
    """One change on the programme's side, chained and sealed (see `audit.py`)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=120, blank=True)
    after = models.JSONField(null=True, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "sequence"], name="one_programme_event_per_sequence")
        ]
        ordering = ["programme", "sequence"]
