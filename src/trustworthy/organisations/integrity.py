"""Does each organisation's state match what its audit chain says happened to it?

The chain itself (sealed, unbroken, ending at its recorded head) is checked by
`core.audit.verify_organisation_chains`. Here the chain's organisation-level events are
replayed and compared with what the database holds and the pages show:

- members: everyone who is a member was added or invited by an event, in the role the
  newest event about them gave them, and nobody left without an event saying so;
- ethical commitments: every version the trail recorded is there, with the text whose
  SHA-256 was recorded, the same note and the same author, and there are no others;
- the safeguarding line shown to people answering a consultation is the one the newest
  "safeguarding.changed" event set (empty if there is none).

Every membership and commitment is expected to have its event: they are only ever made
through `services`, which writes one, in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trustworthy.core.audit import AuditProblem
from trustworthy.core.models import AuditEvent

from .models import CommitmentStatement, Membership, Organisation, Role
from .services import member_target, text_digest

__all__ = ["verify_organisation_state"]

MEMBER_JOINED = ("member.added", "member.invited")
MEMBER_ROLE_CHANGED = "member.role-changed"
MEMBER_REMOVED = "member.removed"
COMMITMENTS_RECORDED = "commitments.recorded"
SAFEGUARDING_CHANGED = "safeguarding.changed"
ACTIONS = (*MEMBER_JOINED, MEMBER_ROLE_CHANGED, MEMBER_REMOVED, COMMITMENTS_RECORDED, SAFEGUARDING_CHANGED)


@dataclass(frozen=True)
class RecordedMember:
    membership: int
    email: str
    role: str


@dataclass(frozen=True)
class RecordedCommitments:
    text_sha256: str
    change_note: str
    author: int | None


@dataclass
class Recorded:
    """An organisation's state as its events tell it."""

    members: dict[int, RecordedMember | None] = field(default_factory=dict)  # by user; None: removed
    commitments: dict[int, RecordedCommitments] = field(default_factory=dict)  # by version
    safeguarding: str = ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """The safeguarding line an event recorded: the text itself, or {"text": ...}."""
    if isinstance(value, dict):
        value = value.get("text")
    return value if isinstance(value, str) else ""


def _replay(event: AuditEvent, state: Recorded) -> None:
    """Apply one event to the state it describes (KeyError if it lacks what its kind holds)."""
    after = _dict(event.after)
    if event.action in MEMBER_JOINED or event.action == MEMBER_ROLE_CHANGED:
        state.members[after["user"]] = RecordedMember(
            after["membership"], after.get("email", ""), after["role"]
        )
    elif event.action == MEMBER_REMOVED:
        state.members[_dict(event.before)["user"]] = None
    elif event.action == COMMITMENTS_RECORDED:
        state.commitments[after["version"]] = RecordedCommitments(
            after["text_sha256"], after.get("change_note", ""), event.actor_id
        )
    elif event.action == SAFEGUARDING_CHANGED:
        state.safeguarding = _text(event.after)


def _recorded() -> tuple[dict[int, Recorded], dict[int, AuditProblem]]:
    """Each organisation's state as its events tell it, and the first event (if any) that
    could not be read, per organisation."""
    states: dict[int, Recorded] = defaultdict(Recorded)
    unreadable: dict[int, AuditProblem] = {}
    events = (
        AuditEvent.objects.filter(appraisal_id__isnull=True, action__in=ACTIONS)
        .select_related("organisation")
        .order_by("organisation_id", "org_sequence", "pk")
    )
    for event in events.iterator(chunk_size=500):
        try:
            _replay(event, states[event.organisation_id])
        except (KeyError, TypeError):
            unreadable.setdefault(
                event.organisation_id,
                AuditProblem(
                    _scope(event.organisation),
                    f"event {event.org_sequence} ({f'{event.action} {event.target}'.rstrip()})",
                    "it does not hold what an event of its kind holds",
                ),
            )
    return states, unreadable


def _scope(organisation: Organisation) -> str:
    return f"organisation {organisation.pk} ({organisation.name})"


def _role(role: str) -> str:
    return str(Role(role).label).lower() if role in Role.values else repr(role)


def _members(organisation: Organisation, recorded: Recorded, scope: str) -> Iterator[AuditProblem]:
    held = {
        m.user_id: m
        for m in Membership.objects.filter(organisation=organisation).select_related("user").order_by("pk")
    }
    for user_id in sorted(set(held) | set(recorded.members)):
        membership, event = held.get(user_id), recorded.members.get(user_id)
        if membership is None and event is None:
            continue  # removed, as the trail says
        if membership is None:
            assert event is not None
            yield AuditProblem(
                scope,
                f"member {event.email or member_target(user_id)}",
                f"the trail says they are {_role(event.role)}, but they are not a member: "
                "they were removed without an event",
            )
        elif event is None:
            yield AuditProblem(
                scope,
                f"member {membership.user.email}",
                f"they are {_role(membership.role)}, but the trail "
                + ("says they were removed" if user_id in recorded.members else "never added them")
                + ": they were added behind the service",
            )
        elif membership.role != event.role:
            yield AuditProblem(
                scope,
                f"member {membership.user.email}",
                f"they are {_role(membership.role)}, but the trail last made them {_role(event.role)}",
            )
        elif membership.pk != event.membership:
            yield AuditProblem(
                scope,
                f"member {membership.user.email}",
                "their membership is not the one the trail recorded: it was replaced behind the service",
            )


def _commitments(organisation: Organisation, recorded: Recorded, scope: str) -> Iterator[AuditProblem]:
    held = {c.version: c for c in CommitmentStatement.objects.filter(organisation=organisation)}
    for version in sorted(set(held) | set(recorded.commitments)):
        where = f"ethical commitments version {version}"
        statement, event = held.get(version), recorded.commitments.get(version)
        if statement is None:
            yield AuditProblem(scope, where, "it is in the trail but has been deleted")
        elif event is None:
            yield AuditProblem(scope, where, "it is not in the trail: it was added behind the service")
        elif text_digest(statement.text) != event.text_sha256:
            yield AuditProblem(scope, where, "its text is not the one that was recorded: it has been changed")
        elif statement.change_note != event.change_note:
            yield AuditProblem(scope, where, "the note of what changed is not the one that was recorded")
        elif statement.created_by_id != event.author:
            yield AuditProblem(scope, where, "it names someone other than the person who recorded it")


def _safeguarding(organisation: Organisation, recorded: Recorded, scope: str) -> Iterator[AuditProblem]:
    if organisation.safeguarding_contact != recorded.safeguarding:
        yield AuditProblem(
            scope,
            "the safeguarding line",
            "it is not the one the trail last recorded"
            if recorded.safeguarding
            else "it was set, but the trail has no event setting it",
        )


def verify_organisation_state() -> list[AuditProblem]:
    """Every organisation's members, commitments and safeguarding line against its events."""
    states, unreadable = _recorded()
    problems: list[AuditProblem] = []
    for organisation in Organisation.objects.order_by("pk"):
        if organisation.pk in unreadable:
            problems.append(unreadable[organisation.pk])
        recorded = states.get(organisation.pk, Recorded())
        scope = _scope(organisation)
        problems.extend(_members(organisation, recorded, scope))
        problems.extend(_commitments(organisation, recorded, scope))
        problems.extend(_safeguarding(organisation, recorded, scope))
    return problems
