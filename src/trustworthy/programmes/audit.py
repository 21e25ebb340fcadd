"""The programme's own chain of events: each sealed with the audit key and linked to the last.

Organisation-side changes (sharing a project, stopping) are in the organisation's chain,
through `organisations.changes.changing_organisation`. What happens on the programme's side
(it is created, an organisation or a person joins, a research dataset is exported) is
here. `trustworthy audit verify` walks every programme's chain (see `apps.py`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction

from trustworthy.core.audit import AuditProblem, canonical_json

from .models import Programme, ProgrammeEvent


def content_of(event: ProgrammeEvent) -> dict[str, Any]:
    return {
        "programme": event.programme_id,
        "sequence": event.sequence,
        "prev": event.prev_hash,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "action": event.action,
        "target": event.target,
        "after": event.after,
    }


def seal(event: ProgrammeEvent) -> str:
    key = str(settings.AUDIT_KEY).encode()
    return hmac.new(key, canonical_json(content_of(event)).encode(), hashlib.sha256).hexdigest()


def append(programme: Programme, *, actor: Any, action: str, target: str = "", after: Any = None) -> None:
    """Append one event to the programme's chain, in the change's own transaction."""
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        event = ProgrammeEvent(
            programme=locked,
            sequence=locked.audit_count + 1,
            prev_hash=locked.audit_head,
            actor_id=getattr(actor, "pk", None),
            actor_name=str(actor or ""),
            at=datetime.datetime.now(tz=datetime.UTC),
            action=action,
            target=target,
            after=after,
        )
        event.hash = seal(event)
        event.save()
        locked.audit_head, locked.audit_count = event.hash, locked.audit_count + 1
        locked.save(update_fields=["audit_head", "audit_count"])
        programme.audit_head, programme.audit_count = locked.audit_head, locked.audit_count


def verify_programme_chains() -> list[AuditProblem]:
    """Every programme's chain: numbered without gaps, each event sealed and following the
    last, ending at the recorded head after the recorded number of events."""
    problems: list[AuditProblem] = []
    for programme in Programme.objects.order_by("pk"):
        scope = f"programme {programme.pk} ({programme.name})"
        expected_prev, expected = "", 1
        problem = None
        for event in programme.events.order_by("sequence", "pk").iterator():
            where = f"event {event.sequence} ({event.action})"
            if event.sequence != expected:
                problem = AuditProblem(scope, where, f"expected event {expected} here: events are missing")
            elif event.prev_hash != expected_prev:
                problem = AuditProblem(scope, where, "does not follow on from the event before it")
            elif not hmac.compare_digest(seal(event), event.hash):
                problem = AuditProblem(
                    scope, where, "its content does not match its seal: it has been changed"
                )
            if problem:
                break
            expected_prev, expected = event.hash, expected + 1
        if problem is None and (
            expected - 1 != programme.audit_count or expected_prev != programme.audit_head
        ):
            problem = AuditProblem(
                scope, "the end of the trail", "the trail does not end where it was recorded to end"
            )
        if problem:
            problems.append(problem)
    return problems
