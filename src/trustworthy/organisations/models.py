"""People, organisations, who belongs where and in which role, and what each commits to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password (invited, not yet set)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in with their email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.email


class Organisation(models.Model):
    class Type(models.TextChoices):
        LOCAL_AUTHORITY = "local-authority", "Local authority"
        TRUST = "childrens-services-trust", "Children's services trust"
        CHARITY = "charity", "Charity"
        PRIVATE_PROVIDER = "private-provider", "Private provider"
        NATIONAL_BODY = "national-body", "National body"

    class Region(models.TextChoices):
        NORTH_EAST = "north-east", "North East"
        NORTH_WEST = "north-west", "North West"
        YORKSHIRE = "yorkshire-and-the-humber", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east-midlands", "East Midlands"
        WEST_MIDLANDS = "west-midlands", "West Midlands"
        EAST = "east-of-england", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south-east", "South East"
        SOUTH_WEST = "south-west", "South West"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"

    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=40, choices=Type.choices)
    region = models.CharField(max_length=40, choices=Region.choices)
    safeguarding_contact = models.TextField(
        blank=True,
        max_length=500,
        help_text="Shown to people answering a consultation: who to contact if they are worried about safety",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEAD = "lead", "Lead"
    CONTRIBUTOR = "contributor", "Contributor"
    REVIEWER = "reviewer", "Reviewer"
    APPROVER = "approver", "Approver"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_organisation")
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class CommitmentStatement(models.Model):
    """One version of an organisation's ethical commitments. Never edited: a change is a new row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="commitments")
    version = models.PositiveIntegerField()
    text = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="one_commitment_per_version")
        ]
        ordering = ["-version"]
        get_latest_by = "version"

    def __str__(self) -> str:
        return f"{self.organisation} commitments v{self.version}"


class SignInProvider(models.Model):
    """An organisation's own identity provider, for signing in over OpenID Connect.

    The client secret is not stored: `client_secret_env` names the environment variable
    that holds it, so a copy of the database (a backup, an export) gives nobody a way to
    act as this service at the council's provider. Set by an operator (`trustworthy
    organisation sign-in set`); see oidc.py for what a sign-in checks.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sign_in_provider"
    )
    issuer = models.URLField(
        max_length=500, help_text="The provider's issuer identifier, exactly as it gives it"
    )
    client_id = models.CharField(max_length=255)
    client_secret_env = models.CharField(
        max_length=100, help_text="Name of the environment variable that holds the client secret"
    )
    email_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="Space-separated: only addresses at these domains may sign in this way (empty: any)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Sign-in for {self.organisation} at {self.issuer}"

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()


class Edition(models.Model):
    """An installed framework edition: the validated file, exactly as it was installed.

    Never edited: a change is a new edition with a new version (appraisals name the edition
    they were started on, so its wording must not move under them). `organisation` empty:
    offered to every organisation; set: that organisation's own (its local questions are an
    edition derived from `base_id`@`base_version`). See organisations/editions.py.
    """

    framework_id = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    content = models.TextField()
    digest = models.CharField(max_length=64)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="editions"
    )
    base_id = models.CharField(max_length=100, blank=True)
    base_version = models.CharField(max_length=40, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework_id", "version"], name="one_edition_per_version")
        ]
        ordering = ["framework_id", "installed_at"]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.framework_id}@{self.version}"


class ChosenEdition(models.Model):
    """The edition an organisation's new appraisals use (none: the built-in edition)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="chosen_edition")
    framework_id = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.framework_id}@{self.version}"
