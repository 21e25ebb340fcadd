"""GOV.UK's pagination component for a page of results, keeping the filters in each link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode


def _numbers(current: int, last: int) -> list[int | None]:
    """Page numbers as GOV.UK shows them: first, last, and those next to the current one,
    with None for each gap."""
    shown = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def pagination(page: Any, filters: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The parameters of GOV.UK's pagination component, keeping the filters in each link."""
    if page.paginator.num_pages <= 1:
        return None

    def href(number: int) -> str:
        return "?" + urlencode({**(filters or {}), "page": number})

    return {
        "previous": {"href": href(page.number - 1)} if page.has_previous() else None,
        "next": {"href": href(page.number + 1)} if page.has_next() else None,
        "items": [
            {"number": n, "href": href(n), "current": n == page.number}
            if n is not None
            else {"ellipsis": True}
            for n in _numbers(page.number, page.paginator.num_pages)
        ],
    }
