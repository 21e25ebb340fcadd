"""Helpers the Jinja2 templates call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup


def choice_items(
    field: Any, hints: Mapping[str, str] | None = None, conditionals: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """GOV.UK radio/checkbox items for a bound choice field, keeping what the user chose."""
    current = field.value()
    if isinstance(current, list | tuple):
        selected = {str(v) for v in current}
    else:
        selected = {"" if current is None else str(current)}
    items: list[dict[str, Any]] = []
    for value, text in field.field.choices:
        if value == "":
            continue
        item: dict[str, Any] = {"value": value, "text": text, "checked": str(value) in selected}
        if hints and hints.get(value):
            item["hint"] = {"text": hints[value]}
        if conditionals and conditionals.get(value):
            item["conditional"] = {"html": Markup(conditionals[value])}
        items.append(item)
    return items
