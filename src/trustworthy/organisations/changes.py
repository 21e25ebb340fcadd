"""The one gate for changes at the level of an organisation.

Members and roles, commitments, the safeguarding line, projects' own details: each change
runs inside `changing_organisation()`, which locks the organisation row, checks the
actor's role against the permissions table and insists on exactly one audit event in the
organisation's chain. (Changes to an appraisal go through `appraisals.policy.changing`,
which builds on the same pieces.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from trustworthy.core import audit, text
from trustworthy.core.errors import NotPermitted, Refused

from .models import Membership, Organisation
from .permissions import Action, role_may

__all__ = ["AuditedChange", "NotPermitted", "Refused", "as_operator", "changing_organisation", "role_in"]


def role_in(user: Any, organisation_id: int) -> str | None:
    """The user's role in the organisation, or None if they are not a member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(user=user, organisation_id=organisation_id)
        .values_list("role", flat=True)
        .first()
    )


# Set by operator commands (import): the named person is recorded as the actor, but the
# role check is the operator's, who already holds the machine. Status rules still apply.
_operator: ContextVar[bool] = ContextVar("operator", default=False)


@contextmanager
def as_operator() -> Iterator[None]:
    token = _operator.set(True)
    try:
        yield
    finally:
        _operator.reset(token)


def acting_as_operator() -> bool:
    return _operator.get()


class AuditedChange:
    """One change in progress and its one audit event, in its organisation's chain (and, for
    an appraisal's gate, the appraisal's chain as well: see `appraisals.policy.Gate`)."""

    def __init__(self, organisation_id: int, actor: Any, what: str) -> None:
        self.organisation_id = organisation_id
        self.actor = actor
        self.what = what  # named in the errors that catch a change audited twice or not at all
        self.event: Any = None

    def record(
        self, action: str, *, target: str = "", before: Any = None, after: Any = None, reason: str = ""
    ) -> None:
        if self.event is not None:
            raise AssertionError(f"{self.what} was already audited: one change, one event")
        # Whichever way the change arrived (page, API, import, command), the text it writes
        # is bounded and clean; refusing here rolls the whole change back.
        text.check_written(after, reason)
        self.event = audit.append(
            organisation_id=self.organisation_id,
            actor=self.actor,
            action=action,
            target=target,
            before=before,
            after=after,
            reason=reason,
            appraisal=self.appraisal_link(),
        )
        self.recorded(self.event)

    def appraisal_link(self) -> audit.AppraisalLink | None:
        return None

    def recorded(self, event: Any) -> None:
        """Called once the event is written."""

    def check_audited(self) -> None:
        if self.event is None:
            raise AssertionError(f"{self.what} changed without an audit event")


class OrganisationGate(AuditedChange):
    """One organisation-level change in progress: the locked organisation, and its event."""

    def __init__(self, organisation: Organisation, actor: Any) -> None:
        super().__init__(organisation.pk, actor, "an organisation")
        self.organisation = organisation


@contextmanager
def changing_organisation(
    organisation: Organisation | int, action: Action | None, *, actor: Any
) -> Iterator[OrganisationGate]:
    """Lock the organisation, check the actor's role (`action=None`: an operator's command,
    or a step that has its own proof, such as an invitation link), and audit once."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation_id)
        if (
            action is not None
            and not acting_as_operator()
            and not role_may(role_in(actor, organisation_id), action)
        ):
            raise NotPermitted("Your role does not allow this change.")
        gate = OrganisationGate(locked, actor)
        yield gate
        gate.check_audited()
