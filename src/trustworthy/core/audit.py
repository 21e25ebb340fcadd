"""Write and verify the audit trail (see `models.py` for its shape).

`append` is called by the one change gate of each layer (appraisals, organisations), in
the change's own transaction, so a change and its event are saved together or not at all.
Nothing here knows what an appraisal is: callers pass the appraisal's link in its chain.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from .models import AuditEvent, OrganisationChain

GENESIS = ""


def canonical_json(value: Any) -> str:
    """One stable text for a value: sorted keys, no spaces, dates as ISO 8601."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: Any) -> str:
    """The SHA-256 of a value's canonical JSON (for documents anyone may check)."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _key() -> bytes:
    return str(settings.AUDIT_KEY).encode()


def content_of(event: AuditEvent) -> dict[str, Any]:
    """Everything an event holds and any page shows of it, both chain links included."""
    return {
        "organisation": event.organisation_id,
        "org_sequence": event.org_sequence,
        "org_prev": event.org_prev_hash,
        "appraisal": event.appraisal_id,
        "sequence": event.sequence,
        "prev": event.prev_hash,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "action": event.action,
        "target": event.target,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }


def seal(event: AuditEvent) -> str:
    """The event's keyed hash: without the key, a changed event cannot be re-sealed."""
    return hmac.new(_key(), canonical_json(content_of(event)).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AppraisalLink:
    """Where a new event goes in its appraisal's chain (read under the appraisal's row lock)."""

    appraisal_id: int
    sequence: int
    prev_hash: str


def _locked_chain(organisation_id: int) -> OrganisationChain:
    # Insert-if-missing without a race, then lock: events of one organisation queue here.
    OrganisationChain.objects.bulk_create(
        [OrganisationChain(organisation_id=organisation_id)], ignore_conflicts=True
    )
    return OrganisationChain.objects.select_for_update().get(organisation_id=organisation_id)


def _plain(value: Any) -> Any:
    # Round-trip through JSON so what is sealed is exactly what is stored.
    return None if value is None else json.loads(canonical_json(value))


def append(
    *,
    organisation_id: int,
    actor: Any,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    appraisal: AppraisalLink | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain (and the appraisal's, when linked)."""
    assert transaction.get_connection().in_atomic_block, "events are written in the change's transaction"
    chain = _locked_chain(organisation_id)
    event = AuditEvent(
        organisation_id=organisation_id,
        org_sequence=chain.count + 1,
        org_prev_hash=chain.head,
        appraisal_id=appraisal.appraisal_id if appraisal else None,
        sequence=appraisal.sequence if appraisal else None,
        prev_hash=appraisal.prev_hash if appraisal else "",
        actor_id=getattr(actor, "pk", None),
        actor_name=str(actor or ""),
        at=datetime.datetime.now(tz=datetime.UTC),
        action=action,
        target=target,
        before=_plain(before),
        after=_plain(after),
        reason=reason,
    )
    event.hash = seal(event)
    event.save()
    chain.head, chain.count = event.hash, chain.count + 1
    chain.save(update_fields=["head", "count"])
    return event


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditProblem:
    """The first thing found not to hold, named for the person checking."""

    scope: str  # "appraisal 12" or "organisation 3 (Name)"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.scope}, {self.where}: {self.message}"


def _describe(event: AuditEvent, sequence: int | None) -> str:
    return f"event {sequence} ({f'{event.action} {event.target}'.strip()})"


def verify_links(
    scope: str,
    events: Iterable[AuditEvent],
    *,
    head: str,
    count: int,
    sequence_of: str,
    prev_of: str,
) -> AuditProblem | None:
    """Walk one chain in order: unbroken numbering, each event sealed and following the last,
    ending at the recorded head after the recorded number of events."""
    expected_prev, expected = GENESIS, 1
    for event in events:
        sequence = getattr(event, sequence_of)
        where = _describe(event, sequence)
        if sequence != expected:
            return AuditProblem(
                scope, where, f"expected event {expected} here: events are missing, added or out of order"
            )
        if getattr(event, prev_of) != expected_prev:
            return AuditProblem(scope, where, "does not follow on from the event before it")
        if not hmac.compare_digest(seal(event), event.hash):
            return AuditProblem(scope, where, "its content does not match its seal: it has been changed")
        expected_prev, expected = event.hash, expected + 1
    if expected - 1 != count or head != expected_prev:
        return AuditProblem(
            scope,
            "the end of the trail",
            f"the trail holds {expected - 1} events ending at {expected_prev[:12] or 'nothing'}, but "
            f"{count} ending at {head[:12] or 'nothing'} were recorded: events have been removed or added",
        )
    return None


def verify_organisation_chains() -> list[AuditProblem]:
    """Every organisation's chain, from its first event to its recorded head."""
    problems: list[AuditProblem] = []
    heads = {c.organisation_id: c for c in OrganisationChain.objects.all()}
    with_events = set(AuditEvent.objects.values_list("organisation_id", flat=True).distinct())
    for organisation_id in sorted(set(heads) | with_events):
        chain = heads.get(organisation_id)
        events = AuditEvent.objects.filter(organisation_id=organisation_id).order_by("org_sequence", "pk")
        problem = verify_links(
            f"organisation {organisation_id}",
            events.iterator(),
            head=chain.head if chain else "",
            count=chain.count if chain else 0,
            sequence_of="org_sequence",
            prev_of="org_prev_hash",
        )
        if problem:
            problems.append(problem)
    return problems


def verify_appraisal_chain(appraisal_id: int, *, head: str, count: int) -> AuditProblem | None:
    events = AuditEvent.objects.filter(appraisal_id=appraisal_id).order_by("sequence", "pk")
    return verify_links(
        f"appraisal {appraisal_id}",
        events.iterator(),
        head=head,
        count=count,
        sequence_of="sequence",
        prev_of="prev_hash",
    )
