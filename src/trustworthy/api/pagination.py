"""Cursor pagination: lists come in pages ordered by id, each with the cursor of the next."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja.errors import HttpError

M = TypeVar("M", bound=Model)
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        pk = int(value)
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "The cursor is not one this API gave out.") from None
    if kind != "id" or not 0 <= pk < 2**63:
        raise HttpError(400, "The cursor is not one this API gave out.")
    return pk


def page(queryset: QuerySet[M], cursor: str | None, limit: int, item: Callable[[M], Any]) -> dict[str, Any]:
    """One page of `queryset` after `cursor`, as {"items": [...], "next_cursor": str | None}."""
    if cursor:
        queryset = queryset.filter(pk__gt=decode(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [item(row) for row in rows],
        "next_cursor": encode(rows[-1].pk) if more and rows else None,
    }
