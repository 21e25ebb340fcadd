"""Helpers the Jinja2 templates call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup


def choice_items(
    field: Any, hints: Mapping[str, str] | None = None, conditionals: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """GOV.UK radio/checkbox items for a bound choice field, keeping what the user chose.

    `hints` and `conditionals` are keyed by the choice's value as a string; a conditional
    is HTML (usually another field rendered with these macros) shown when that item is
    chosen.
    """
    current = field.value()
    if isinstance(current, list | tuple):
        selected = {str(v) for v in current}
    else:
        selected = {"" if current is None else str(current)}
    items: list[dict[str, Any]] = []
    for value, text in field.field.choices:
        key = str(value)  # model choices give ModelChoiceIteratorValue, not str
        if key == "":
            continue
        item: dict[str, Any] = {"value": key, "text": text, "checked": key in selected}
        if hints and hints.get(key):
            item["hint"] = {"text": hints[key]}
        if conditionals and conditionals.get(key):
            # Trusted HTML from our own templates (a nested field), never user input.
            item["conditional"] = {"html": Markup(conditionals[key])}
        items.append(item)
    return items
