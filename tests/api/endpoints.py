"""Every operation of the API, with a request that its roles can make succeed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from tests.appraisals.factories import PROJECT_FIELDS, ROWS
from trustworthy.framework import default_framework

FW = default_framework()
ALL = frozenset({"admin", "lead", "contributor", "reviewer", "approver", "viewer"})
WRITERS = frozenset({"lead", "contributor"})
LEAD = frozenset({"lead"})
ADMIN = frozenset({"admin"})

PROJECT = {
    **{k: v for k, v in PROJECT_FIELDS.items() if v is not None},
    "funding_amount": "125000.50",
    "motivations": [{"motivation": "improve-outcomes", "explanation": "Families do better when they lead."}],
    "primary_motivation": "improve-outcomes",
}
PRINCIPLES = {
    "value": "yes",
    "rationale": "It respects people.",
    "ratings": {
        p.id: {"rating": "supports", "note": ""} for p in FW.principles_in(FW.question("E1").cluster or "")
    },
}
CRITERIA = {
    "ratings": {c.id: {"rating": "met", "note": "Shown in the pilot."} for c in FW.rateable_criteria()}
}
DECISION = {
    "decision": "proceed-with-mitigations",
    "reasoning": "We weighed it all.",
    "accountable_person": "Director",
    "decided_on": "2026-11-01",
    # The world's organisation has ethical commitments in force: the decision answers them.
    "commitments_answer": "It keeps to every commitment we have made.",
}
OUTCOME = {"result": "partly-achieved", "evidence": "Care entries fell in one of the two areas."}
UNFORESEEN = {"kind": "harm", "description": "Some families waited longer.", "who_affected": "Families"}
LESSONS = {"text": "Start with the areas that asked for it."}
ACTION = {"what": "Urgent cases bypass the wait.", "owner_name": "Team manager", "due_on": "2027-03-27"}
VERDICTS = {"verdicts": {s.id: {"verdict": "acceptable", "comment": ""} for s in FW.sections}}


def _consultation() -> dict[str, Any]:
    closes = datetime.date.today() + datetime.timedelta(days=14)
    return {"title": "Family meetings", "description": "We want to try family meetings.",
            "groups": ["young-people"], "expires_on": closes.isoformat()}  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {name} is replaced by the world's id of that name
    roles: frozenset[str] = ALL  # who may make it succeed
    body: Any = None
    success: int = 200
    # The same call on the approved appraisal (None: it does not name an appraisal's content).
    approved_path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, ids: dict[str, int], approved: bool = False) -> str:
        path = self.approved_path if approved and self.approved_path else self.path
        return path.format(**ids)

    def payload(self) -> Any:
        return self.body() if callable(self.body) else self.body


READS = [
    Endpoint("get", "/me"),
    Endpoint("get", "/framework"),
    Endpoint("get", "/projects"),
    Endpoint("get", "/projects/{project}"),
    Endpoint("get", "/appraisals?status=draft"),
    Endpoint("get", "/appraisals/{draft}"),
    Endpoint("get", "/appraisals/{draft}/answers"),
    Endpoint("get", "/appraisals/{draft}/principles"),
    Endpoint("get", "/appraisals/{draft}/registers/risks/rows"),
    Endpoint("get", "/appraisals/{draft}/participation"),
    Endpoint("get", "/appraisals/{draft}/criteria"),
    Endpoint("get", "/appraisals/{draft}/decision"),
    Endpoint("get", "/appraisals/{draft}/reviews"),
    Endpoint("get", "/appraisals/{draft}/comments"),
    Endpoint("get", "/appraisals/{draft}/consultations"),
    Endpoint("get", "/appraisals/{draft}/responses"),
    Endpoint("get", "/appraisals/{draft}/themes"),
    Endpoint("get", "/appraisals/{draft}/record"),
    Endpoint("get", "/appraisals/{draft}/record.pdf"),
    Endpoint("get", "/appraisals/{draft}/record.docx"),
    Endpoint("get", "/appraisals/{draft}/summary"),
    Endpoint("get", "/appraisals/{draft}/summary.pdf"),
    Endpoint("get", "/appraisals/{approved}/publication", LEAD),
    Endpoint("get", "/appraisals/{draft}/history"),
    Endpoint("get", "/appraisals/{draft}/voices"),
    Endpoint("get", "/appraisals/{evaluation}/evaluation"),
    Endpoint("get", "/appraisals/{draft}/actions"),
    Endpoint("get", "/projects/{project}/actions"),
    Endpoint("get", "/actions?mine=true&status=all"),
    Endpoint("get", "/organisation"),
    Endpoint("get", "/organisation/commitments"),
    Endpoint("get", "/organisation/commitments/current"),
    Endpoint("get", "/organisation/commitments/{commitments}"),
    Endpoint("get", "/organisation/members", ADMIN),
    Endpoint("get", "/organisation/members/{member}", ADMIN),
    Endpoint("get", "/organisation/safeguarding", ADMIN),
]

# In this order: each leaves the world as the next expects.
WRITES = [
    Endpoint("post", "/projects", LEAD, PROJECT, 201),
    Endpoint("put", "/projects/{project}", LEAD, PROJECT),
    Endpoint("post", "/projects/{project}/appraisals", LEAD,
             {"stage": "development", "reason": "Design began early."}, 201),
    Endpoint("put", "/appraisals/{draft}/answers/P1", WRITERS, {"value": "yes", "rationale": "Because."},
             200,
             "/appraisals/{approved}/answers/P1"),
    Endpoint("put", "/appraisals/{draft}/principles/E1/process", WRITERS, PRINCIPLES, 200,
             "/appraisals/{approved}/principles/E1/process"),
    Endpoint("post", "/appraisals/{draft}/registers/risks/rows", WRITERS, {"data": ROWS["risks"]}, 201,
             "/appraisals/{approved}/registers/risks/rows"),
    Endpoint("put", "/appraisals/{draft}/registers/risks/rows/{row}", WRITERS, {"data": ROWS["risks"]}, 200,
             "/appraisals/{approved}/registers/risks/rows/{approved_row}"),
    Endpoint("delete", "/appraisals/{draft}/registers/risks/rows/{row}", WRITERS, None, 204,
             "/appraisals/{approved}/registers/risks/rows/{approved_row}"),
    Endpoint("put", "/appraisals/{draft}/participation/young-people", WRITERS,
             {"mode": "consulted", "summary": "They liked it."}, 200,
             "/appraisals/{approved}/participation/young-people"),
    Endpoint("put", "/appraisals/{draft}/criteria", WRITERS, CRITERIA, 200,
             "/appraisals/{approved}/criteria"),
    Endpoint("post", "/appraisals/{draft}/comments", ALL, {"target": "P1", "text": "A question."}, 201,
             "/appraisals/{approved}/comments"),
    Endpoint("post", "/appraisals/{draft}/comments/{comment}/resolve", ALL, None, 200,
             "/appraisals/{approved}/comments/{approved_comment}/resolve"),
    Endpoint("post", "/appraisals/{draft}/responses", WRITERS,
             {"source": "paper", "gathered_how": "Paper forms at the centre.", "good": "Helpful."}, 201,
             "/appraisals/{approved}/responses"),
    Endpoint("put", "/responses/{response}/links", LEAD, {"question_ids": ["P1"], "theme_ids": []}, 200,
             "/responses/{approved_response}/links"),
    Endpoint("post", "/appraisals/{draft}/themes", LEAD,
             {"name": "Trust", "decision_note": "We changed the plan."}, 201,
             "/appraisals/{approved}/themes"),
    Endpoint("put", "/themes/{theme}", LEAD, {"name": "Being heard", "decision_note": "We kept it."}, 200,
             "/themes/{approved_theme}"),
    Endpoint("post", "/appraisals/{draft}/consultations", LEAD, _consultation, 201,
             "/appraisals/{approved}/consultations"),
    Endpoint("post", "/consultations/{consultation}/link", LEAD, None, 200,
             "/consultations/{approved_consultation}/link"),
    Endpoint("post", "/consultations/{consultation}/close", LEAD, None, 200,
             "/consultations/{approved_consultation}/close"),
    Endpoint("put", "/appraisals/{draft}/decision", frozenset({"approver"}), DECISION, 200,
             "/appraisals/{approved}/decision"),
    # Post hoc evaluation (an approved appraisal refuses it before asking its stage).
    Endpoint("put", "/appraisals/{evaluation}/evaluation/outcomes/{expectation}", WRITERS, OUTCOME, 200,
             "/appraisals/{approved}/evaluation/outcomes/{expectation}"),
    Endpoint("post", "/appraisals/{evaluation}/evaluation/unforeseen", WRITERS, UNFORESEEN, 201,
             "/appraisals/{approved}/evaluation/unforeseen"),
    Endpoint("put", "/appraisals/{evaluation}/evaluation/unforeseen/{unforeseen}", WRITERS, UNFORESEEN, 200,
             "/appraisals/{approved}/evaluation/unforeseen/{unforeseen}"),
    Endpoint("delete", "/appraisals/{evaluation}/evaluation/unforeseen/{unforeseen}", WRITERS, None, 204,
             "/appraisals/{approved}/evaluation/unforeseen/{unforeseen}"),
    Endpoint("put", "/appraisals/{evaluation}/evaluation/lessons", WRITERS, LESSONS, 200,
             "/appraisals/{approved}/evaluation/lessons"),
    Endpoint("put", "/appraisals/{draft}/summary", LEAD, {"text": "We decided to try family meetings."}, 200,
             "/appraisals/{approved}/summary"),
    # Actions are follow-through: allowed at every status, so they have no approved_path here.
    Endpoint("post", "/appraisals/{draft}/actions", WRITERS, ACTION, 201),
    Endpoint("put", "/appraisals/{evaluation}/actions/{action}", WRITERS, ACTION),
    Endpoint("post", "/appraisals/{evaluation}/actions/{action}/status", WRITERS, {"status": "in-progress"}),
    # Publishing needs an approved record; choosing what to leave out is allowed then too.
    Endpoint("put", "/appraisals/{approved}/publication/exclusions", LEAD,
             {"not_for_publication": ["project.problem"]}),
    Endpoint("post", "/appraisals/{approved}/publication", LEAD, {}, 201),
    Endpoint("post", "/appraisals/{approved}/publication/replace", LEAD, {"reason": "We left more out."}),
    Endpoint("post", "/appraisals/{approved}/publication/withdraw", LEAD, {"reason": "Published too early."}),
    Endpoint("post", "/appraisals/{to_submit}/transitions/submit", LEAD, {}, 200,
             "/appraisals/{approved}/transitions/submit"),
    Endpoint("post", "/appraisals/{in_review}/reviews", frozenset({"reviewer"}), VERDICTS, 200,
             "/appraisals/{approved}/reviews"),
    Endpoint("post", "/appraisals/{in_review}/transitions/request-changes", frozenset({"reviewer"}),
             {"reason": "Say more about the risks."}, 200,
             "/appraisals/{approved}/transitions/request-changes"),
    Endpoint("post", "/appraisals/{ready}/transitions/approve", frozenset({"approver"}), {}, 200,
             "/appraisals/{approved}/transitions/approve"),
    Endpoint("post", "/appraisals/{draft}/transitions/withdraw", LEAD, {"reason": "Stopped."}, 200,
             "/appraisals/{approved}/transitions/withdraw"),
    # The organisation: admins only.
    Endpoint("post", "/organisation/members", ADMIN,
             {"email": "new.person@council.test", "full_name": "New Person", "role": "contributor"}, 201),
    Endpoint("put", "/organisation/members/{member}", ADMIN, {"role": "reviewer"}),
    Endpoint("post", "/organisation/members/{member}/invitation", ADMIN, {}),
    Endpoint("delete", "/organisation/members/{member}", ADMIN, None, 204),
    Endpoint("post", "/organisation/commitments", ADMIN,
             {"text": "We put children first, and we say why.", "change_note": "Say why."}, 201),
    Endpoint("put", "/organisation/safeguarding", ADMIN,
             {"text": "If you are worried about your safety, talk to your social worker."}),
]  # fmt: skip
# Changes an approved appraisal still allows: a new version (leads).
NEW_VERSION = Endpoint("post", "/appraisals/{approved}/versions", LEAD, {"reason": "The law changed."}, 201)
