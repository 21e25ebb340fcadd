"""Every endpoint, as every role: what each may do succeeds, what it may not is a 403;
another organisation's objects are 404 whatever the method; an approved appraisal refuses
every write with 409."""

from __future__ import annotations

import re
from typing import Any

import pytest

from trustworthy.api.api import api
from trustworthy.appraisals.models import Appraisal

from ..conftest import ROLES
from .conftest import ApiClient, make_token, world_in
from .endpoints import NEW_VERSION, READS, WRITES

pytestmark = pytest.mark.django_db


def _problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json", response.content[:300]
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["detail"]
    assert body["status"] == response.status_code
    return body


def test_the_tables_cover_every_operation_in_the_description() -> None:
    spec = api.get_openapi_schema()
    listed = {(e.method, e.path.split("?")[0]) for e in [*READS, *WRITES, NEW_VERSION]}
    missing = []
    for path, operations in spec["paths"].items():
        template = re.compile(
            "^" + re.sub(r"\\{[a-z_]+\\}", "[^/]+", re.escape(path.removeprefix("/api/v1"))) + "$"
        )
        for method in operations:
            if path.endswith("/openapi.json"):
                continue
            if not any(m == method and template.match(p) for m, p in listed):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"operations with no test in endpoints.py: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_as_each_role(organisation: Any, role: str) -> None:
    ids = world_in(organisation)
    client = ApiClient(make_token(role))
    failures = []
    for endpoint in READS:
        response = client.call(endpoint.method, endpoint.url(ids))
        expected = 200 if role in endpoint.roles else 403
        if response.status_code != expected:
            failures.append(
                f"{endpoint.method.upper()} {endpoint.url(ids)} as {role}: {response.status_code}, "
                f"expected {expected}"
            )
        elif expected == 403:
            _problem(response)
    for endpoint in [*WRITES, NEW_VERSION]:
        response = client.call(endpoint.method, endpoint.url(ids), endpoint.payload())
        expected = endpoint.success if role in endpoint.roles else 403
        if response.status_code != expected:
            failures.append(
                f"{endpoint.method.upper()} {endpoint.url(ids)} as {role}: {response.status_code}, "
                f"expected {expected}: {response.content[:300]!r}"
            )
        elif expected == 403:
            _problem(response)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["lead", "contributor", "reviewer", "approver"])
def test_an_approved_appraisal_refuses_every_write_with_409(organisation: Any, role: str) -> None:
    ids = world_in(organisation)
    client = ApiClient(make_token(role))
    before = Appraisal.objects.get(pk=ids["approved"])
    checked = 0
    for endpoint in WRITES:
        if endpoint.approved_path is None or role not in endpoint.roles:
            continue
        response = client.call(endpoint.method, endpoint.url(ids, approved=True), endpoint.payload())
        assert response.status_code == 409, (endpoint.url(ids, approved=True), response.content[:300])
        assert "approved" in _problem(response)["detail"] or "cannot" in _problem(response)["detail"]
        checked += 1
    after = Appraisal.objects.get(pk=ids["approved"])
    assert checked >= 3
    assert (after.status, after.audit_count, after.audit_head) == (
        before.status, before.audit_count, before.audit_head,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["lead", "contributor", "viewer", "approver"])
def test_another_organisations_objects_answer_404_whatever_the_method(
    organisation: Any, other_organisation: Any, role: str
) -> None:
    ids = world_in(organisation)
    outsider = ApiClient(make_token(role, "trust"))
    failures = []
    for endpoint in [*READS, *WRITES, NEW_VERSION]:
        if "{" not in endpoint.path:
            continue
        for approved in (False, True):
            url = endpoint.url(ids, approved)
            response = outsider.call(endpoint.method, url, endpoint.payload())
            if response.status_code != 404:
                failures.append(f"{endpoint.method.upper()} {url}: {response.status_code}")
            else:
                _problem(response)
    assert not failures, "\n".join(failures)
    # ... and the lists show none of them.
    assert outsider.get("/projects").json()["items"] == []
    assert outsider.get("/appraisals").json()["items"] == []


def test_nothing_is_readable_or_writable_without_authentication(world: dict[str, int]) -> None:
    anonymous = ApiClient(None)
    wrong = ApiClient("tw_not-a-real-token")
    for endpoint in [*READS, *WRITES]:
        for client in (anonymous, wrong):
            response = client.call(endpoint.method, endpoint.url(world), endpoint.payload())
            assert response.status_code == 401, endpoint.url(world)
            assert response["WWW-Authenticate"].startswith("Bearer")
            _problem(response)
