"""The canonical decision record of an appraisal, and its hash, as signed at approval.

Kept deliberately plain (ids and values, no wording) so the hash depends only on what
was decided and on what basis, not on how pages or exports present it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.selectors import criterion_ratings, load_appraisal
from trustworthy.core.audit import canonical_json


def canonical_record(appraisal: Appraisal) -> dict[str, Any]:
    data = load_appraisal(appraisal)
    decision = data.decision
    return {
        "appraisal": appraisal.pk,
        "project": appraisal.project_id,
        "stage": appraisal.stage,
        "version": appraisal.version,
        "framework": appraisal.framework_key,
        "answers": {k: [a.value, a.rationale, a.evidence] for k, a in sorted(data.answers.items())},
        "registers": {r: [row.data for row in rows] for r, rows in sorted(data.rows.items())},
        "ratings": {f"{a}:{p}": [r.rating, r.note] for (a, p), r in sorted(data.ratings.items())},
        "participation": {s: [p.mode, p.reason, p.summary] for s, p in sorted(data.participation.items())},
        "criteria": {r.criterion_id: [r.rating, r.note] for r in criterion_ratings(appraisal)},
        "decision": None
        if decision is None
        else {
            "decision": decision.decision,
            "reasoning": decision.reasoning,
            "departure_reason": decision.departure_reason,
            "is_departure": decision.is_departure,
            "route_allowed": decision.route_allowed,
            "accountable_person": decision.accountable_person,
            "decided_on": str(decision.decided_on),
            "recorded_by": decision.recorded_by_id,
        },
    }


def record_hash(appraisal: Appraisal) -> str:
    return hashlib.sha256(canonical_json(canonical_record(appraisal)).encode()).hexdigest()
