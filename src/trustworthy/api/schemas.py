"""Shapes shared by every area of the API."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class Problem(Schema):
    """An error, as application/problem+json (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str


class Page(Schema):
    """One page of a list; pass `next_cursor` as `cursor` for the next page (null: the last)."""

    items: list[Any]
    next_cursor: str | None


class Confirmable(Schema):
    """Free text is checked for personal data (names, dates of birth, NHS numbers,
    postcodes, phone numbers, email addresses) before it is saved; a 422 lists what was
    found. Send the same text again with `confirm_personal_data: true` if it is not about a
    real person."""

    confirm_personal_data: bool = False
