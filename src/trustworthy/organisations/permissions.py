"""What each role may do: the one place these rules live.

Roles are not a ladder. Each does what its name says: viewers read; contributors answer;
leads manage projects and appraisals (and answer); reviewers comment; approvers record
decisions; admins manage members and the organisation's commitments. Everyone who
belongs to an organisation can read its projects.
"""

from __future__ import annotations

from enum import Enum

from .models import Role


class Action(Enum):
    VIEW = "view"
    ANSWER = "answer"
    MANAGE_PROJECTS = "manage-projects"
    COMMENT = "comment"
    REVIEW = "review"
    DECIDE = "decide"
    MANAGE_MEMBERS = "manage-members"


ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role.values),
    Action.ANSWER: frozenset({"lead", "contributor"}),
    Action.MANAGE_PROJECTS: frozenset({"lead"}),
    Action.COMMENT: frozenset(Role.values),  # anyone who can see the appraisal
    Action.REVIEW: frozenset({"reviewer"}),
    Action.DECIDE: frozenset({"approver"}),
    Action.MANAGE_MEMBERS: frozenset({"admin"}),
}


def role_may(role: str | None, action: Action) -> bool:
    return role is not None and role in ALLOWED[action]
