"""Who is calling, and the framework itself."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from trustworthy.appraisals.frameworks import current_framework
from trustworthy.framework import framework_to_dict

router = Router(tags=["General"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str


class TokenInfo(Schema):
    name: str
    prefix: str
    role: str
    expires_at: datetime.datetime | None


class MeOut(Schema):
    email: str
    name: str
    memberships: list[MembershipOut]
    token: TokenInfo | None


@router.get("/me", response=MeOut, summary="Who you are calling as")
def me(request: HttpRequest) -> dict[str, Any]:
    """Your organisations and roles as this request sees them (a token sees only its own)."""
    token = getattr(request, "api_token", None)
    return {
        "email": request.user.email,
        "name": request.user.full_name,
        "memberships": [
            {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role}
            for m in getattr(request, "memberships", [])
        ],
        "token": None
        if token is None
        else {"name": token.name, "prefix": token.prefix, "role": token.role, "expires_at": token.expires_at},
    }


@router.get("/framework", response=dict[str, Any], summary="The current edition of the framework")
def framework(request: HttpRequest) -> dict[str, Any]:
    """Every stage, section, question, register, principle, decision and rating, with ids."""
    return framework_to_dict(current_framework())
