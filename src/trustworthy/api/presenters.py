"""What the API's pages show: the tokens page and the reference page built from the
OpenAPI description."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from .models import ApiToken
from .tokens import tokens_of

METHODS = ("get", "post", "put", "patch", "delete")


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M") if moment else ""


def token_rows(user: Any) -> list[dict[str, Any]]:
    rows = []
    for token in tokens_of(user):
        state = "Revoked" if token.revoked_at else "Expired" if token.is_expired else "Active"
        rows.append(
            {"token": token, "state": state, "active": state == "Active",
             "used": _when(token.last_used_at) or "Never", "expires": _when(token.expires_at)}
        )  # fmt: skip
    return rows


def tokens_page(
    user: Any, form: Any, secret: str | None = None, new: ApiToken | None = None
) -> dict[str, Any]:
    return {"title": "API tokens", "form": form, "rows": token_rows(user), "secret": secret, "new": new}


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_schema_name(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items', {}))}"
    return str(schema.get("type", "object"))


def _fields(spec: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    """The request body's fields, from its schema in the description."""
    content: dict[str, Any] = operation.get("requestBody", {}).get("content", {})
    first: dict[str, Any] = next(iter(content.values()), {})
    schema: dict[str, Any] = first.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][_schema_name(schema)]
    required = set(schema.get("required", []))
    return [
        {"name": name, "type": _schema_name(prop), "required": name in required,
         "description": prop.get("description", "")}
        for name, prop in schema.get("properties", {}).items()
    ]  # fmt: skip


def reference(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The operations grouped by tag, in the order the description lists them."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in spec["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            groups.setdefault((operation.get("tags") or ["General"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                        for p in operation.get("parameters", [])
                    ],
                    "fields": _fields(spec, operation),
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return [{"tag": tag, "operations": ops} for tag, ops in groups.items()]
