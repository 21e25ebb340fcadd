"""The help pages: the framework, how an appraisal runs, roles and a glossary.

Whatever the service itself decides is read from where it is decided, so the help cannot
drift from it: the framework's wording from the framework file, who may do what from the
permissions table and the change policy, the workflow's steps and statuses from the
policy, the review period from the review services. Only plain descriptions are written
here, one for each thing those tables name (tests/core/test_help.py checks every one has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import Status
from trustworthy.appraisals.policy import RULES, TRANSITIONS, Change
from trustworthy.framework import HIGH_RISK_SCORE, Framework
from trustworthy.organisations.models import Role
from trustworthy.organisations.permissions import ALLOWED, Action

from .models import Verdict
from .services import REVIEW_PERIOD
from .work import REVIEW_NOTICE

# The help pages: URL name, title, what it covers.
PAGES = (
    ("help-framework", "The framework", "Its sections and questions, as published."),
    ("help-appraisal", "How an appraisal runs", "Stages, review, sign-off and new versions."),
    ("help-roles", "Roles: who can do what", "What each role in an organisation can do."),
    ("help-glossary", "Glossary", "The words this service uses, in plain English."),
)


def _page(name: str, **context: Any) -> dict[str, Any]:
    title = next(title for url_name, title, _ in PAGES if url_name == name) if name else "Help"
    return {"help_name": name, "help_pages": PAGES, "title": title, **context}


# What each action of the permissions table lets someone do, when no change names it.
ACTION_TEXT: dict[Action, str] = {
    Action.VIEW: "Read every project and appraisal of the organisation, its decision records, "
    "voices and history",
    Action.ANSWER: "Answer the questions of an appraisal",
    Action.MANAGE_PROJECTS: "Create projects and change their details",
    Action.COMMENT: "Comment on questions, register rows and the decision",
    Action.REVIEW: "Review appraisals",
    Action.DECIDE: "Record decisions",
    Action.MANAGE_MEMBERS: "Add and remove members, change their roles, and keep the organisation’s "
    "ethical commitments and safeguarding contact up to date",
}

# What each change of the change policy is, in plain words (keyed by the change's value).
CHANGE_TEXT: dict[str, str] = {
    Change.START: "Start an appraisal for a stage",
    Change.ANSWER: "Answer questions, with the reasons",
    Change.REGISTER: "Add, change and remove benefits, enablers and barriers, resources and risks",
    Change.RATINGS: "Rate how the innovation and its process uphold each principle",
    Change.PARTICIPATION: "Record how each group took part and what they said",
    Change.CRITERIA: "Rate the project against the criteria of trustworthy innovation",
    Change.OUTCOME: "Record what happened to each expected benefit and risk (post hoc evaluation)",
    Change.UNFORESEEN: "Record harms and benefits nobody expected (post hoc evaluation)",
    Change.LESSONS: "Write lessons for others (post hoc evaluation)",
    Change.READINESS: "Assess readiness for innovation: resources, culture, permissions and capabilities",
    Change.DECISION: "Record the decision and the reasons for it",
    Change.SUMMARY: "Edit the summary for young people and families",
    Change.RECORD_SETTINGS: "Choose what the public version of the decision record leaves out",
    Change.PUBLICATION: "Publish a signed decision record, or take it down",
    Change.CONSULTATION: "Open and close consultations",
    Change.RESPONSE: "Enter responses gathered at workshops, on paper or in conversation",
    Change.ONLINE_RESPONSE: "Answer a consultation through its link",
    Change.THEME: "Group what people said into themes, and say how each shaped the decision",
    Change.COMMENT: "Comment on questions, register rows and the decision, reply, and mark comments resolved",
    Change.REVIEW: "Give each section of an appraisal a verdict",
    Change.NEW_VERSION: "Start a new version of an approved appraisal, saying why",
    Change.SUBMIT: "Send an appraisal for review",
    Change.SCREENING: "Answer the screening and choose the light or the full appraisal",
    Change.REQUIRE_FULL_ROUTE: "Require the full appraisal of a light one, saying why",
    Change.REQUEST_CHANGES: "Ask for changes, saying why",
    Change.APPROVE: "Approve and sign the decision",
    Change.WITHDRAW: "Withdraw an appraisal, saying why",
    Change.MOVE_EDITION: "Move an appraisal on to your organisation’s newer edition of the framework",
    Change.INTEREST: "Declare any interest you have in an appraisal, before giving a verdict or deciding",
    Change.OTHER_APPROVER: "Require a different approver when the approver has declared an interest",
    "action": "Add an action (a mitigation, an enabler, a condition of the decision or a lesson), "
    "change its owner or due date, drop it or reopen it",
    "action-progress": "Mark an action in progress, or done with the evidence",
}

# What each status means for the people working on the appraisal.
STATUS_TEXT: dict[str, str] = {
    str(Status.DRAFT): "Being written. Leads and contributors answer the questions; anyone in the "
    "organisation can read it and comment.",
    str(Status.IN_REVIEW): "Sent for review. The answers cannot change; reviewers give each section a "
    "verdict and the approver records the decision.",
    str(Status.CHANGES_REQUESTED): "A reviewer asked for changes. The reason shows on the task list and on "
    "the lead’s “Your work” page; the answers can change again, then the lead sends it back for review.",
    str(Status.APPROVED): "Signed by the approver. It is locked everywhere: a change means a new version.",
    str(Status.WITHDRAWN): "Stopped, with a reason. It can no longer be changed, and its consultations are "
    "closed.",
}

VERDICT_TEXT: dict[str, str] = {
    str(Verdict.ACCEPTABLE): "the section is good enough to decide on",
    str(Verdict.NEEDS_WORK): "something must change first: the reviewer says what",
    str(Verdict.NOT_ACCEPTABLE): "the section cannot support a decision as it is: the reviewer says why",
}


def _names(roles: list[str]) -> str:
    labels = [str(Role(r).label) for r in roles]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _when(statuses: frozenset[str]) -> str:
    labels = [str(label).lower() for value, label in Status.choices if value in statuses]
    if set(statuses) == set(Status.values):
        return "at any time"
    return "while it is " + (labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1])


def review_period() -> str:
    years = REVIEW_PERIOD.days // 365
    return "a year" if years == 1 else f"{years} years"


def _change_text(change: Change) -> str:
    return CHANGE_TEXT.get(change) or change.value.replace("-", " ").capitalize()


@dataclass(frozen=True)
class Can:
    text: str
    when: str = ""


@dataclass(frozen=True)
class RoleHelp:
    id: str
    name: str
    can: list[Can]


def roles() -> list[RoleHelp]:
    """What each role may do, from the permissions table and the change policy."""
    out = []
    for role, name in Role.choices:
        can: list[Can] = []
        for action in Action:
            if role not in ALLOWED[action]:
                continue
            changes = [c for c, rule in RULES.items() if rule.action is action]
            if not changes or action is Action.MANAGE_PROJECTS:
                can.append(Can(ACTION_TEXT.get(action, action.value)))
            can += [Can(_change_text(c), _when(RULES[c].statuses)) for c in changes]
        out.append(RoleHelp(role, str(name), can))
    return out


def who_may(change: Change) -> str:
    action = RULES[change].action
    if action is None:
        return "Anyone with the consultation link"
    allowed = [r for r in Role.values if r in ALLOWED[action]]
    return _names(allowed) if allowed else "Nobody"


def steps() -> list[dict[str, str]]:
    """The workflow's steps, who takes them, from which statuses and to which."""
    statuses = dict(Status.choices)
    return [
        {
            "label": t.label,
            "who": who_may(t.change),
            "from": ", ".join(str(statuses[s]) for s in Status.values if s in t.sources),
            "to": str(statuses[t.target]),
            "reason": "Yes" if t.reason_required else "No",
        }
        for t in TRANSITIONS.values()
    ]


def statuses() -> list[tuple[str, str]]:
    return [(str(label), STATUS_TEXT.get(value, "")) for value, label in Status.choices]


def framework_page(framework: Framework | None = None) -> dict[str, Any]:
    framework = framework or current_framework()
    return _page("help-framework", framework=framework)


def appraisal_page() -> dict[str, Any]:
    return _page(
        "help-appraisal",
        framework=current_framework(),
        statuses=statuses(),
        steps=steps(),
        verdicts=[(str(label), VERDICT_TEXT.get(value, "")) for value, label in Verdict.choices],
        review_period=review_period(),
        notice_days=REVIEW_NOTICE.days,
        edit_while=_when(RULES[Change.ANSWER].statuses),
    )


def owners_may() -> list[str]:
    """Changes the owner of the thing changed may make, whatever their role."""
    return [_change_text(c) for c, rule in RULES.items() if getattr(rule, "owner", False)]


def roles_page() -> dict[str, Any]:
    return _page("help-roles", roles=roles(), owners_may=owners_may())


def glossary(framework: Framework | None = None) -> list[tuple[str, str]]:
    """Plain definitions of the words the service uses, A to Z."""
    fw = framework or current_framework()
    stages = ", ".join(s.name.lower() for s in fw.stages)
    decisions = "; ".join(
        f"{d.name} ({d.meaning[0].lower()}{d.meaning[1:].rstrip('.')})" for d in fw.decisions
    )
    modes = ", ".join(m.label.lower() for m in fw.participation_modes)
    groups = ", ".join(s.label.lower() for s in fw.stakeholders)
    verdicts = ", ".join(str(label).lower() for _, label in Verdict.choices)
    terms = {
        "Action": "Something agreed to be done, such as a risk’s mitigation or a condition of the "
        "decision, with an owner, a due date and a status. Open actions carry on to the next stage.",
        "Appraisal": "The framework’s questions answered for one project at one stage, with the decision "
        "made on them.",
        "Approve and sign": "What the approver does last: the appraisal is locked and its decision record "
        "is signed, so any later change to it can be seen.",
        "Carried forward": "An answer copied from the last stage into the next. It is marked until someone "
        "confirms or changes it.",
        "Changes requested": "A reviewer has sent the appraisal back with a reason. The lead makes the "
        "changes and sends it for review again.",
        "Comment": "A note on a question, a register row or the decision. Anyone in the organisation can "
        "comment while the appraisal is open; comments can be replied to and marked resolved.",
        "Commitments": "The organisation’s own statement of its ethical commitments, kept by its admins. "
        "Each change is a new version.",
        "Consultation": "A link that asks young people, families or others what they think of an idea. "
        "They need no account, and nothing about them is kept beyond what they write.",
        "Contributor": "A member who answers questions but does not manage the project.",
        "Criteria of trustworthy innovation": "Five statements (D1 to D5) from the framework’s authors "
        "about what makes innovation trustworthy. The project can be rated against each.",
        "Decision": f"What the approver decides at the end of a stage. The choices are: {decisions}.",
        "Decision record": "Everything the decision rests on, in one document: a web page, PDF, Word "
        "document or data file.",
        "Departure": "A decision outside those the framework allows for the answers given. It needs a "
        "written reason and is shown as a warning wherever the decision appears.",
        "Family summary": "A short account of what was decided and why, written for young people and "
        "families.",
        "High risk": f"An open risk that scores {HIGH_RISK_SCORE} or more. While there is one, the "
        "framework does not allow “Proceed” (going ahead as planned) until the risk is mitigated, "
        "accepted or closed.",
        "History": "The record of every change to an appraisal: who, when, and what it was before and "
        "after. It cannot be edited.",
        "Mitigation": "What will be done to make a risk less likely or less harmful.",
        "New version": "A changed copy of an approved appraisal, started with a reason. The approved one "
        "stays as it was signed.",
        "Overarching tests": "The questions of section 3 (T1 to T6), which weigh everything before them "
        "and decide which decisions the framework allows.",
        "Participation": f"How each group ({groups}) took part: {modes}.",
        "Post hoc evaluation": "The last stage: what actually happened, against the benefits and risks "
        "that were expected.",
        "Principles": "The ethical principles of social work (from the BASW code of ethics), in three "
        "groups: human rights, social justice and professional integrity. Each is rated for the "
        "innovation and for the way it is being developed.",
        "Publish": "Put a signed decision record on the public register, where anyone can read it. The "
        "lead chooses what the public version leaves out.",
        "Register": "A list kept as part of an appraisal: benefits, enablers and barriers, resources, "
        "and risks.",
        "Review date": f"When a signed decision should be looked at again: {review_period()} after it "
        f"was signed. It shows on “Your work” {REVIEW_NOTICE.days} days before.",
        "Review round": "One turn of review: it starts each time the appraisal is sent for review.",
        "Risk score": "How likely a risk is (1 to 5) multiplied by how severe it would be (1 to 5).",
        "Route": "The decisions the framework allows, worked out from the answers to the overarching "
        "tests and the open risks.",
        "Stage": f"A point in a project’s life where the framework is applied again: {stages}.",
        "Theme": "Something several people said in a consultation, named by the lead, with how it "
        "shaped the decision.",
        "Verdict": f"A reviewer’s view of one section: {verdicts}.",
        "Voices": "What young people, families and others said about a project, from consultations and "
        "from sessions entered by staff.",
        "Your work": "The first page after signing in: what is waiting for you in your organisation, "
        "such as reviews to do, changes asked for and decisions due for review.",
        "Withdrawn": "An appraisal stopped before it was signed, with a reason. It can no longer be changed.",
    }
    return sorted(terms.items())


def glossary_page() -> dict[str, Any]:
    return _page("help-glossary", terms=glossary())


def index_page() -> dict[str, Any]:
    return _page("")
