"""The API itself: its routers, its errors and its OpenAPI 3.1 description."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.operation import Operation

from . import errors
from .routers import (
    actions,
    appraisals,
    evaluation,
    general,
    organisation,
    projects,
    records,
    reviews,
    voices,
)
from .schemas import Problem
from .security import AUTH

DESCRIPTION = """\
Everything a person can do on the web pages, with the same rules: the same roles, the same
statuses, the same audit trail. Another organisation's objects answer 404, as if they did
not exist.

**Authentication.** Send a personal API token as `Authorization: Bearer <token>`. Make one
on your account page (“API tokens”) or with `trustworthy token create`. A token acts as
you, in one organisation, with your role there or as a viewer; it stops working when it is
revoked or expires, when you leave the organisation or when your role changes. Calls from
a signed-in browser session also work, and need Django's CSRF token on unsafe methods.

**Errors** are `application/problem+json` (RFC 9457) with a `detail` that says what to do.
409 means the appraisal's status does not allow the change now, or (with `current` and
`version`) that someone saved the same thing since the version you sent.

**Free text** is checked for personal data; see `confirm_personal_data`.

**Lists** come in pages: pass `next_cursor` back as `cursor`. **Rate limits** apply per
token; a 429 says when to try again (`Retry-After`, in seconds).
"""
ERROR_STATUSES = {
    "400": "The request cannot be read (for example a cursor this API did not give out)",
    "401": "No valid token or session",
    "403": "Your role does not allow this",
    "404": "Not found, or not in your organisation",
    "409": "Not allowed in the appraisal's current status, or a newer version was saved",
    "422": "What was sent cannot be saved as it is",
    "429": "Too many requests; try again after Retry-After seconds",
}
FILES = {
    "record_pdf": "application/pdf",
    "summary_pdf": "application/pdf",
    "record_docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
                for status, description in ERROR_STATUSES.items():
                    responses[status] = {"description": description, "content": problem}
                responses["429"]["headers"] = {
                    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
                }
                name = operation.get("operationId", "")
                if name in FILES:
                    content = {FILES[name]: {"schema": {"type": "string", "format": "binary"}}}
                    responses["200"] = {"description": "The file", "content": content}
                if name == "record_json":
                    content = {"application/json": {"schema": {"type": "object"}}}
                    responses["200"] = {"description": "The decision record", "content": content}
        return schema


api = Api(
    title="Trustworthy Innovation API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    auth=AUTH,
)
errors.install(api)
api.add_router("", general.router)
api.add_router("projects", projects.router)
api.add_router("appraisals", appraisals.router)
api.add_router("appraisals", reviews.router)
api.add_router("appraisals", evaluation.router)
api.add_router("appraisals", records.router)
api.add_router("appraisals", actions.by_appraisal)
api.add_router("appraisals", voices.by_appraisal)
api.add_router("", voices.router)
api.add_router("organisation", organisation.router)
api.add_router("actions", actions.router)
api.add_router("projects", actions.by_project)
