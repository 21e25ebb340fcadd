"""Schemathesis against `trustworthy serve`, from a fresh database of the suite's kind.

The demo data is loaded, tokens are made with `trustworthy token create` for members in
four roles of the two demo organisations, and schemathesis's CLI generates requests from
the API's own OpenAPI description for each token in turn (its coverage and fuzzing
phases, with a fixed seed so a failure can be repeated). Every response must be
documented (status code, content type, headers and body schema) and none may be a server
error. Before that, the charity's members ask for each of the council's appraisals and
projects by id on the same server: every one is a 404. The server's access log counts
the requests and shows that none answered 5xx.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.api.endpoints import PROJECT
from tests.test_serve import _free_port, _start, server_env  # noqa: F401 - server_env is a fixture

CLI = [sys.executable, "-m", "trustworthy.cli"]
SCHEMATHESIS = [str(Path(sys.executable).parent / "schemathesis"), "run"]
PASSWORD = "fuzz-test-password-123"
COUNCIL, CHARITY = "Northshire County Council", "Brightpath Families"
# Who the requests come from: three roles across the two organisations.
CALLERS = [
    ("lead@council.example.org", COUNCIL),
    ("approver@charity.example.org", CHARITY),
    ("viewer@charity.example.org", CHARITY),
]
MIN_REQUESTS = 5000
MAX_EXAMPLES = 4
SEED = 20261202
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
API_LINE = re.compile(r'"(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (/api/v1/[^ ]*) HTTP/1\.[01]" (\d{3})')


def _token(env: dict[str, str], email: str, organisation: str) -> str:
    made = subprocess.run(
        [*CLI, "token", "create", "--email", email, "--organisation", organisation, "--name", "fuzz"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def _call(port: int, token: str, method: str, path: str, sent: object = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = None if sent is None else json.dumps(sent)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, f"/api/v1{path}", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _other_organisations_objects_are_404(port: int, tokens: list[str]) -> None:
    """Every appraisal and project of the council, asked for by the charity's members, on
    the running server: 404 for reads and writes alike."""
    council = tokens[0]
    status, body = _call(port, council, "GET", "/appraisals?limit=100")
    appraisals = [a["id"] for a in json.loads(body)["items"]]
    projects = {a["project_id"] for a in json.loads(body)["items"]}
    assert status == 200
    assert appraisals, "the demo council has appraisals"
    comment = {"target": "P1", "text": "Hello"}
    for token in tokens[1:]:
        for pk in appraisals:
            for method, path, sent in (
                ("GET", f"/appraisals/{pk}", None),
                ("GET", f"/appraisals/{pk}/record", None),
                ("PUT", f"/appraisals/{pk}/criteria", {"ratings": {}}),
                ("POST", f"/appraisals/{pk}/comments", comment),
            ):
                status = _call(port, token, method, path, sent)[0]
                assert status == 404, (method, path, status)
        for pk in projects:
            assert _call(port, token, "GET", f"/projects/{pk}")[0] == 404
            assert _call(port, token, "PUT", f"/projects/{pk}", PROJECT)[0] == 404


def test_schemathesis_finds_no_server_error_and_no_undocumented_response(
    server_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    # Plain HTTP straight to gunicorn, without the TLS proxy's X-Forwarded-Proto: not sent to HTTPS.
    env = {**server_env, "TRUSTWORTHY_API_RATE_LIMIT": "1000000", "DJANGO_SECURE_SSL_REDIRECT": "false"}
    demo = subprocess.run(
        [*CLI, "demo", "--password", PASSWORD], env=env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    tokens = [_token(env, email, organisation) for email, organisation in CALLERS]

    port = _free_port()
    log = tmp_path / "serve.log"
    server = _start(env, port, log)
    started = time.monotonic()
    try:
        _other_organisations_objects_are_404(port, tokens)
        for (email, _), token in zip(CALLERS, tokens, strict=True):
            run = subprocess.run(
                [
                    *SCHEMATHESIS, f"http://127.0.0.1:{port}/api/v1/openapi.json",
                    "--header", f"Authorization: Bearer {token}",
                    "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
                    "--phases", "coverage,fuzzing", "--workers", "1", "--no-shrink",
                    "--wait-for-schema", "30",
                    "--request-timeout", "60", "--max-failures", "5", "--output-truncate", "true",
                    "--suppress-health-check", "all",
                ],
                # In this test's own folder: schemathesis keeps a cache where it runs.
                env={**env, "SCHEMATHESIS_HOOKS": ""}, capture_output=True, text=True, timeout=600,
                cwd=tmp_path,
            )  # fmt: skip
            print(f"schemathesis as {email}:\n{run.stdout[-1500:]}")
            assert run.returncode == 0, f"as {email}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    seconds = time.monotonic() - started
    requests = [m.groups() for m in API_LINE.finditer(log.read_text())]
    fuzzed = [r for r in requests if not r[1].startswith("/api/v1/openapi.json")]
    errors = [r for r in fuzzed if r[2].startswith("5")]
    statuses: dict[str, int] = {}
    for _, _, status in fuzzed:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"{len(fuzzed)} API requests in {seconds:.0f} s; statuses {dict(sorted(statuses.items()))}")
    assert not errors, f"server errors: {errors[:20]}"
    assert len(fuzzed) >= MIN_REQUESTS, f"only {len(fuzzed)} requests were generated"
    assert {"200", "201"} & set(statuses), "some requests succeeded"
