"""Projects and their stage-by-stage appraisals against a framework edition.

Framework content (question wording, principles, registers) is never copied into the
database: rows hold framework ids, and the appraisal records which edition it uses. No
field takes its `choices` from an edition, so no edition's wording reaches a migration;
services check ids against the appraisal's own edition, and pages take the wording
from it (`Framework.label`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trustworthy.framework import Framework, risk_score
from trustworthy.organisations.models import Organisation

from .frameworks import current_framework, framework_for


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_organisations(self, organisation_ids: list[int]) -> ProjectQuerySet:
        return self.filter(organisation_id__in=organisation_ids)


class Project(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    problem = models.TextField()
    target_cohort = models.TextField()
    context_organisational = models.TextField(blank=True)
    context_local = models.TextField(blank=True)
    context_national = models.TextField(blank=True)
    funding_source = models.CharField(max_length=200, blank=True)
    funding_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    current_stage = models.CharField(max_length=20, default="inception")
    accountable_person = models.CharField(max_length=200, help_text="Name and role")
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def current_stage_name(self) -> str:
        return current_framework().label("stages", self.current_stage)


class ProjectMotivation(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="motivations")
    motivation = models.CharField(max_length=40)
    explanation = models.TextField()
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "motivation"], name="motivation_once_per_project"),
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(is_primary=True), name="one_primary_motivation"
            ),
        ]

    @property
    def label(self) -> str:
        return current_framework().label("motivations", self.motivation)


class Status(models.TextChoices):
    """Where an appraisal is in review and sign-off (the rules live in appraisals/policy.py)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in-review", "In review"
    CHANGES_REQUESTED = "changes-requested", "Changes requested"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Appraisal(models.Model):
    """The framework applied to one project at one stage."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="appraisals")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="appraisals")
    stage = models.CharField(max_length=20)
    version = models.PositiveIntegerField(default=1)
    framework_id = models.CharField(max_length=60)
    framework_version = models.CharField(max_length=20)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The appraisal this one carried answers forward from.",
    )  # fmt: skip
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version_reason = models.TextField(
        blank=True, help_text="Why this new version of an approved appraisal was started"
    )
    stage_reason = models.TextField(
        blank=True, help_text="Why this stage was started before the stage before it was signed"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Tamper evidence: the newest audit event's seal and how many events there are; at
    # approval, the hash of the decision record as signed and the chain head it was
    # signed against, and what the record shows from outside the appraisal (the project,
    # the organisation's name, people's names) as it stood, so later edits cannot reach it.
    audit_head = models.CharField(max_length=64, blank=True)
    audit_count = models.PositiveIntegerField(default=0)
    approved_snapshot = models.JSONField(null=True, blank=True)
    # The content signed at approval, kept so verification can name what has changed since.
    signed_content = models.JSONField(null=True, blank=True)
    record_hash = models.CharField(max_length=64, blank=True)
    approved_audit_head = models.CharField(max_length=64, blank=True)
    review_date = models.DateField(null=True, blank=True)
    # The route in force: "full", or "light" after a screening recommended it (see Screening).
    # Kept on the row so that completeness needs no extra query.
    route = models.CharField(max_length=10, default="full")
    # The version of the criteria ratings (saved all at once): moved by every save, so a save
    # made from an older page or API read is refused with what is there now (ConflictError).
    criteria_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage", "version"], name="one_appraisal_per_stage_version"
            )
        ]
        ordering = ["project", "created_at"]

    def __str__(self) -> str:
        return f"{self.project}: {self.stage_name}"

    @property
    def edition(self) -> Framework:
        """The framework edition this appraisal was started on (LookupError if not installed)."""
        return framework_for(self.framework_id, self.framework_version)

    @property
    def stage_name(self) -> str:
        try:
            edition = self.edition
        except LookupError:
            edition = current_framework()
        return edition.label("stages", self.stage)

    @property
    def is_locked(self) -> bool:
        """Approved appraisals are read-only everywhere; a change means a new version."""
        return self.status == Status.APPROVED

    @property
    def framework_key(self) -> str:
        return f"{self.framework_id}@{self.framework_version}"


class Answer(models.Model):
    """An answer and its rationale. E questions have one per aspect (process, innovation)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=20)
    aspect = models.CharField(max_length=20, blank=True)
    value = models.CharField(max_length=20, blank=True)
    rationale = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="Links to evidence, one per line")
    lock_version = models.PositiveIntegerField(default=0)
    carried_forward = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "question_id", "aspect"], name="one_answer_per_part")
        ]

    @property
    def key(self) -> str:
        return f"{self.question_id}:{self.aspect}" if self.aspect else self.question_id


class RegisterRow(models.Model):
    """A row of a P3/P5/P6/P7 register; fields as defined by the framework edition."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="register_rows")
    register = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    lock_version = models.PositiveIntegerField(default=0)
    carried_forward = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["register", "created_at", "id"]

    @property
    def risk_score(self) -> int | None:
        """Likelihood times severity for a risk (see `trustworthy.framework.risk_score`)."""
        return risk_score(self.data)


class PrincipleRating(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="principle_ratings")
    aspect = models.CharField(max_length=20)
    principle_id = models.CharField(max_length=10)
    rating = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    carried_forward = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "aspect", "principle_id"], name="one_rating_per_principle"
            )
        ]


class Participation(models.Model):
    """How one stakeholder group took part in this stage, and what they said."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="participation")
    stakeholder = models.CharField(max_length=40)
    mode = models.CharField(max_length=20)
    reason = models.TextField(blank=True, help_text="Why this group was not involved")
    summary = models.TextField(blank=True, help_text="What they said")
    carried_forward = models.BooleanField(default=False)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "stakeholder"], name="one_record_per_stakeholder")
        ]


class CriterionRating(models.Model):
    """How far the project meets one criterion of trustworthy innovation (D1-D5, D3a-D3c)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="criterion_ratings")
    criterion_id = models.CharField(max_length=10)
    rating = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "criterion_id"], name="one_rating_per_criterion")
        ]


class Decision(models.Model):
    """The decision an approver records, with the route as it stood when it was made."""

    appraisal = models.OneToOneField(Appraisal, on_delete=models.CASCADE, related_name="decision")
    decision = models.CharField(max_length=40)
    reasoning = models.TextField()
    departure_reason = models.TextField(blank=True)
    is_departure = models.BooleanField(default=False)
    route_allowed = models.JSONField(default=list)
    accountable_person = models.CharField(max_length=200)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0)
    # The organisation's ethical commitments in force when the decision was recorded (its
    # version; None if it had written none) and how the decision is consistent with them.
    commitments_version = models.PositiveIntegerField(null=True, blank=True)
    commitments_answer = models.TextField(blank=True)


class InterestDeclaration(models.Model):
    """What a reviewer or approver declared about their interests in one appraisal, before
    giving a verdict or deciding (the rule: policy.py). The name is kept as it was declared,
    since the signed record shows it."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)
    has_interest = models.BooleanField(default=False)
    interest = models.TextField(blank=True)
    declared_at = models.DateTimeField(auto_now=True)
    # An admin required a different approver: this person may not decide the appraisal.
    stand_aside = models.BooleanField(default=False)
    stand_aside_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "person"], name="one_declaration_per_person")
        ]
        ordering = ["declared_at", "id"]


# --- post hoc evaluation: what happened, against what was expected ------------------------------


class Outcome(models.Model):
    """What happened to one benefit (P3) or risk (P7) of an earlier approved stage, recorded at
    the post hoc evaluation stage. `row` is that stage's register row: approved rows never
    change, so the expectation it holds is the one that was signed."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="outcomes")
    row = models.ForeignKey(RegisterRow, on_delete=models.CASCADE, related_name="+")
    register = models.CharField(max_length=40)
    result = models.CharField(max_length=20)
    evidence = models.TextField(blank=True)
    handling = models.TextField(blank=True, help_text="For a risk: how it was handled")
    lock_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appraisal", "row"], name="one_outcome_per_row")]
        ordering = ["register", "row_id"]


class UnforeseenItem(models.Model):
    """A harm or a benefit nobody expected, found at the post hoc evaluation stage."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="unforeseen")
    kind = models.CharField(max_length=20)
    description = models.TextField()
    who_affected = models.TextField(blank=True)
    handling = models.TextField(blank=True, help_text="What was done about it")
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Lessons(models.Model):
    """Lessons for others, from the post hoc evaluation."""

    appraisal = models.OneToOneField(Appraisal, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


# --- actions: what was agreed, who owns it and by when -----------------------------------------


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionSource(models.TextChoices):
    """Where an action came from: the framework's mitigations, enablers and decisions."""

    RISK = "risk", "Mitigation of a risk"
    ENABLER = "enabler", "Enabler to put in place"
    DECISION = "decision", "Condition of the decision"
    LESSONS = "lessons", "Lesson from the evaluation"
    READINESS = "readiness", "Gap in readiness for innovation"
    OTHER = "other", "Other"


class Action(models.Model):
    """Something agreed to be done, with an owner, a due date and a status: a risk's
    mitigation, an enabler still needed, a condition of the decision or a lesson.

    Follow-through goes on after sign-off, so actions change once the appraisal is approved;
    the signed record keeps them as they stood at approval (see `selectors.context_snapshot`).
    When the next stage starts, open actions are carried forward to it: the new one points
    back to this one (`carried_from`), and this one is then kept as it was."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="actions")
    source = models.CharField(max_length=20, choices=ActionSource.choices, default=ActionSource.OTHER)
    row = models.ForeignKey(
        RegisterRow, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
        help_text="The risk or enabler it came from.",
    )  # fmt: skip
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to",
        help_text="The same action in an earlier stage, still open when this stage started.",
    )  # fmt: skip
    what = models.TextField()
    # A member (who can be reminded by email), or a role or person named in words.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    evidence = models.TextField(blank=True, help_text="What shows it was done")
    dropped_reason = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    # The readiness dimension not (fully) in place that it came from (see appraisals/readiness.py).
    readiness = models.ForeignKey(
        "ReadinessAssessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]

    def __str__(self) -> str:
        return self.what

    @property
    def owner_label(self) -> str:
        if self.owner_id is not None and self.owner is not None:
            return str(self.owner)
        return self.owner_name


# --- a proportionate route: the screening and the route it recommends ---------------------------


class Screening(models.Model):
    """The lead's answers to the edition's screening, the route it recommended and why, the
    route the lead chose, and whether an approver later required the full route (and why).
    The route in force is `Appraisal.route`."""

    appraisal = models.OneToOneField(Appraisal, on_delete=models.CASCADE, related_name="screening")
    answers = models.JSONField(default=dict, help_text="Screening question id to option id")
    recommended_route = models.CharField(max_length=10)
    reasons = models.JSONField(default=list)
    chosen_route = models.CharField(max_length=10)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    screened_at = models.DateTimeField()
    full_required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_required_reason = models.TextField(blank=True)
    full_required_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)


# --- readiness for innovation: resources, culture, permissions, capabilities --------------------


class ReadinessStatus(models.TextChoices):
    IN_PLACE = "in-place", "In place"
    PARTLY = "partly", "Partly in place"
    NOT_IN_PLACE = "not-in-place", "Not in place"


class ReadinessAssessment(models.Model):
    """An honest assessment of one readiness dimension of the appraisal's edition (resources,
    culture, permissions, capabilities): whether it is in place, and what shows it."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="readiness")
    dimension = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=ReadinessStatus.choices)
    evidence = models.TextField(blank=True)
    carried_forward = models.BooleanField(default=False)
    # The same on every dimension of an appraisal: all four are saved together.
    lock_version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "dimension"], name="one_assessment_per_dimension")
        ]
        ordering = ["appraisal", "id"]
