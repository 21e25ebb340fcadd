"""Every change to a programme, its people, its organisations and what is shared with it.

Programme-side changes write one event in the programme's chain (`audit.py`); sharing and
stopping are the organisation's own decisions and go through the organisation's gate
(`changing_organisation`, which checks the person's role and writes one event in the
organisation's chain). Adding an organisation is recorded in both chains.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from trustworthy.appraisals.models import Project
from trustworthy.core.errors import Invalid
from trustworthy.organisations.changes import changing_organisation
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.permissions import Action

from . import audit
from .models import Programme, ProgrammeMember, ProgrammeOrganisation, ProgrammeRole, SharedProject

__all__ = [
    "ServiceError",
    "add_member",
    "add_organisation",
    "create_programme",
    "share_project",
    "stop_sharing",
]


class ServiceError(Invalid):
    """What was asked cannot be done; the message is for the person who asked."""


def create_programme(*, name: str, actor: Any = None, slug: str = "") -> Programme:
    name = name.strip()
    slug = slug or slugify(name)
    if not name or not slug:
        raise ServiceError("Give the programme a name.")
    if Programme.objects.filter(name=name).exists() or Programme.objects.filter(slug=slug).exists():
        raise ServiceError(f"There is already a programme called “{name}”.")
    with transaction.atomic():
        programme = Programme.objects.create(name=name, slug=slug)
        audit.append(programme, actor=actor, action="programme.created", after={"name": name, "slug": slug})
    return programme


def add_member(*, programme: Programme, user: User, role: str, actor: Any = None) -> ProgrammeMember:
    if role not in ProgrammeRole.values:
        raise ServiceError(f"A programme member is an overseer or a researcher, not “{role}”.")
    with transaction.atomic():
        member, created = ProgrammeMember.objects.get_or_create(
            programme=programme, user=user, defaults={"role": role}
        )
        if not created and member.role == role:
            return member
        if not created:
            member.role = role
            member.save(update_fields=["role"])
        audit.append(
            programme, actor=actor, action="member.added" if created else "member.role-changed",
            target=f"user {user.pk}", after={"role": role},
        )  # fmt: skip
    return member


def add_organisation(*, programme: Programme, organisation: Organisation, actor: Any = None) -> None:
    """An operator's step: the organisation joins the programme (in both chains)."""
    if ProgrammeOrganisation.objects.filter(programme=programme, organisation=organisation).exists():
        return
    with changing_organisation(organisation, None, actor=actor) as change:
        ProgrammeOrganisation.objects.create(programme=programme, organisation=organisation)
        change.record(
            "programme.joined", target=f"programme {programme.pk}", after={"programme": programme.slug}
        )
        audit.append(
            programme, actor=actor, action="organisation.added", target=f"organisation {organisation.pk}"
        )


def _check_member(programme: Programme, project: Project) -> None:
    if not ProgrammeOrganisation.objects.filter(
        programme=programme, organisation=project.organisation_id
    ).exists():
        raise ServiceError("Your organisation is not a member of this programme.")


def share_project(*, programme: Programme, project: Project, user: Any) -> SharedProject:
    """The organisation's lead shares a project's signed appraisals with the programme."""
    _check_member(programme, project)
    with changing_organisation(project.organisation_id, Action.MANAGE_PROJECTS, actor=user) as change:
        current = SharedProject.objects.active().filter(programme=programme, project=project).first()
        if current is not None:
            raise ServiceError("This project is already shared with the programme.")
        shared = SharedProject.objects.create(
            programme=programme, project=project, organisation_id=project.organisation_id,
            shared_at=datetime.datetime.now(tz=datetime.UTC),
            shared_by=user if getattr(user, "pk", None) else None,
        )  # fmt: skip
        change.record(
            "programme.project-shared", target=f"project {project.pk}", after={"programme": programme.slug}
        )
    return shared


def stop_sharing(*, programme: Programme, project: Project, user: Any) -> None:
    """Stop sharing: the programme sees nothing of the project from now on; the period of
    sharing stays on record."""
    with changing_organisation(project.organisation_id, Action.MANAGE_PROJECTS, actor=user) as change:
        current = SharedProject.objects.active().filter(programme=programme, project=project).first()
        if current is None:
            raise ServiceError("This project is not shared with the programme.")
        current.stopped_at = datetime.datetime.now(tz=datetime.UTC)
        current.stopped_by = user if getattr(user, "pk", None) else None
        current.save(update_fields=["stopped_at", "stopped_by"])
        change.record(
            "programme.project-unshared", target=f"project {project.pk}", before={"programme": programme.slug}
        )


def record_export(*, programme: Programme, actor: Any, files: dict[str, str]) -> None:
    """A research dataset left the service: which files, and their SHA-256 (never the salt)."""
    with transaction.atomic():
        audit.append(programme, actor=actor, action="research.exported", after=files)
