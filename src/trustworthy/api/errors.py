"""Every refusal as application/problem+json (RFC 9457), with a clear `detail`.

Exceptions raised by the services and access rules map as on the web: not found (or
another organisation's) 404, a role that does not allow it 403, a locked appraisal 409, a
version conflict 409 with the current record, what was sent cannot be saved 422.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from trustworthy.core.errors import Conflict, Invalid, Locked, Unavailable

if TYPE_CHECKING:
    from ninja import NinjaAPI

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Cannot be saved as sent",
    429: "Too many requests",
    500: "Something went wrong",
}
logger = logging.getLogger(__name__)


class RateLimited(HttpError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, f"Too many requests for this token. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


class PersonalData(Invalid):
    """Free text that looks like personal data, sent without confirming it is not."""

    def __init__(self, findings: list[dict[str, str]]) -> None:
        super().__init__(
            "Some of the text looks like it could identify a person. Do not record names or other "
            "details of children, families or staff. If it is not about a real person, send it "
            "again with confirm_personal_data set to true."
        )
        self.findings = findings


def problem(status: int, detail: str, **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=PROBLEM
    )


def _validation(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors without the input echoed back (it may be huge or binary)."""
    return [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))[:500]} for e in errors
    ]


def install(api: NinjaAPI) -> None:
    def handler(exc_class: type[Exception]) -> Any:
        return api.exception_handler(exc_class)

    @handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(404, "Not found: it does not exist, or it is not in your organisation.")

    @handler(PermissionDenied)
    def not_permitted(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(403, str(exc) or "Your role does not allow this.")

    @handler(Conflict)
    def conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, Conflict)
        return problem(409, str(exc), current=exc.current, version=exc.version)

    @handler(Locked)
    def locked(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(409, str(exc))

    @handler(PersonalData)
    def personal_data(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, PersonalData)
        return problem(422, str(exc), personal_data=exc.findings)

    @handler(Invalid)
    def invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(422, str(exc))

    @handler(DjangoValidationError)
    def model_invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        return problem(422, " ".join(exc.messages) or "What was sent cannot be saved.")

    @handler(ValidationError)
    def schema_invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        errors = _validation(exc.errors)
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        where, message = ".".join(first["loc"]), str(first["msg"])
        return problem(422, f"{where}: {message}" if where else message, errors=errors)

    @handler(Unavailable)
    def unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, Unavailable)
        response = problem(503, str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, RateLimited)
        response = problem(429, str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = problem(
            401, "Send a valid API token (Authorization: Bearer <token>) or sign in to the service."
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @handler(HttpError)
    def http_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, HttpError)
        return problem(exc.status_code, str(exc))

    @handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(500, "Something went wrong on our side. It has been logged.")
