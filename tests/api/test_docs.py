"""The OpenAPI 3.1 description and the reference page built from it, served by us."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_description_is_openapi_3_1_with_problem_responses_everywhere() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"TokenAuth", "SignedIn"} <= spec["components"]["securitySchemes"].keys()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "409", "422", "429"):
                assert "application/problem+json" in operation["responses"][status]["content"], (path, method)
    # Every string that can be sent has a maximum length, a pattern or a list of values.
    schemas = spec["components"]["schemas"]
    refs = re.compile(r'"#/components/schemas/([A-Za-z]+)"')
    sent = set(
        refs.findall(
            json.dumps([op.get("requestBody") for ops in spec["paths"].values() for op in ops.values()])
        )
    )
    while True:
        more = set(refs.findall(json.dumps([schemas[n] for n in sent]))) - sent
        if not more:
            break
        sent |= more
    assert {"ProjectIn", "AnswerIn", "RatingIn", "MotivationIn"} <= sent
    strings = re.findall(r'\{[^{}]*"type": "string"[^{}]*\}', json.dumps([schemas[n] for n in sent]))
    assert strings
    for string in strings:
        assert any(k in string for k in ('"maxLength"', '"pattern"', '"enum"', '"format"')), string


def test_the_reference_page_lists_every_operation_and_loads_nothing_from_elsewhere() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    page = Client().get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    for path, operations in spec["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in html, (method, path)
    sources = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert sources
    assert all(s.startswith("/") for s in sources), sources
