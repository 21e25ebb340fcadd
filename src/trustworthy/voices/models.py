"""Consultations, the responses people give, and the themes a lead draws from them.

A consultation's link carries a random token; only its SHA-256 hash is stored, so the
database alone cannot be used to answer as someone else. Responses hold what people
wrote and which group they said they belong to: never an IP address, a user agent or
anything else about the device they used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustworthy.appraisals import policy
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import Organisation


class Consultation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consultations")
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="consultations")
    title = models.CharField(max_length=120, help_text="What people will see at the top of the page")
    description = models.TextField(help_text="The idea in plain words")
    groups = models.JSONField(default=list, help_text="Stakeholder ids the consultation is for")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Per-link rate limit: a token bucket kept on the row, so every server process shares it.
    bucket_tokens = models.FloatField(default=0.0)
    bucket_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def appraisal_takes_responses(self) -> bool:
        """False once the appraisal is in review, approved or withdrawn: nothing more can
        reach its record, whatever the link's own closing date."""
        return policy.status_allows(self.appraisal.status, policy.Change.ONLINE_RESPONSE)

    @property
    def is_open(self) -> bool:
        """Whether the link takes answers now (what the participant's and the lead's pages show)."""
        return not self.is_closed and not self.is_expired and self.appraisal_takes_responses


class ClientBucket(models.Model):
    """One participant's share of a link's rate limit (ADR 0007).

    `key` is a keyed hash of the link and the sender's address, under a secret that changes
    every day, cut to 24 bits: each key stands for hundreds of addresses, so the row cannot
    be turned back into one, even by someone holding the service's secret key. A bucket
    that has refilled is the same as no bucket, so rows are deleted once idle that long.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=8)
    tokens = models.FloatField()
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "key"], name="one_bucket_per_client_and_link")
        ]


class Source(models.TextChoices):
    """How a response was gathered."""

    ONLINE = "online", "Online link"
    WORKSHOP = "workshop", "Workshop or group session"
    PAPER = "paper", "Paper form"
    ADVOCATE = "advocate", "An advocate's notes"
    CONVERSATION = "conversation", "One-to-one conversation"
    OTHER = "other", "Another way"


class ResponseQuerySet(models.QuerySet["Response"]):
    def count_rows(self) -> tuple[object, ...]:
        """Counts per group and way of gathering, labelled (see records.CountRow)."""
        from .records import count_rows

        return count_rows(self)


class Response(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="voice_responses")
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    # A stakeholder id of the appraisal's framework edition, or blank if they did not say.
    group = models.CharField(max_length=40, blank=True)
    good = models.TextField(blank=True)
    worries = models.TextField(blank=True)
    who_else = models.TextField(blank=True)
    understand = models.TextField(blank=True)
    anything_else = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ONLINE)
    gathered_how = models.TextField(blank=True, help_text="For offline responses: how they were gathered")
    gathered_on = models.DateField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question_ids = models.JSONField(
        default=list, blank=True, help_text="Framework questions this response bears on"
    )
    themes = models.ManyToManyField("Theme", blank=True, related_name="responses")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    ANSWER_FIELDS = ("good", "worries", "who_else", "understand", "anything_else")


class Theme(models.Model):
    """Something several people said, named by the lead, and what the decision made of it."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="voice_themes")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    question_ids = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(blank=True, help_text="How this shaped the decision")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "name"], name="theme_name_once_per_appraisal")
        ]

    def __str__(self) -> str:
        return self.name
