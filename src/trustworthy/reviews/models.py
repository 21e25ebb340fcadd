"""Review rounds, comments and the attributed history of an appraisal's status."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trustworthy.appraisals.models import Appraisal, Status


class StatusChange(models.Model):
    """Append-only: who moved the appraisal from one status to another, when and why."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    round = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]


class Verdict(models.TextChoices):
    ACCEPTABLE = "acceptable", "Acceptable"
    NEEDS_WORK = "needs-work", "Needs work"
    NOT_ACCEPTABLE = "not-acceptable", "Not acceptable"


class SectionReview(models.Model):
    """A reviewer's verdict on one section of the appraisal in one review round."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="section_reviews")
    round = models.PositiveIntegerField()
    section_id = models.CharField(max_length=40)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "round", "section_id", "reviewer"],
                name="one_verdict_per_reviewer_section_round",
            )
        ]
        ordering = ["round", "section_id", "at"]


class Comment(models.Model):
    """A threaded comment on a question, a register row or the decision."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="comments")
    target = models.CharField(max_length=80, help_text="A question id, 'row:<id>' or 'decision'")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
