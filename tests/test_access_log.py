"""The real `trustworthy serve`: its logs never hold a consultation link, nor a participant's
address or device, while ordinary requests are logged as before.

A link's token lets anyone answer as a participant, so a log that holds it is a way in. This
answers a consultation through gunicorn as a phone behind the TLS proxy would (its page, its
styles, a refused post, the answers, the thanks page, a mistyped link), stops the server so
everything is written, and reads both logs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.servers import Browser, fresh_environment, hidden, in_django, load_demo, serving
from trustworthy.config.gunicorn import PrivateLogger, access_log_format

PHONE = "Mozilla/5.0 (Linux; Android 14; ParticipantPhone-77)"
PHONE_ADDRESS = "198.51.100.23"
STAFF = "StaffBrowser/9.1"
STAFF_ADDRESS = "192.0.2.44"
ANSWERS = {
    "good": "I could say what I think.",
    "worries": "",
    "who_else": "",
    "understand": "",
    "anything_else": "",
}


@pytest.fixture
def server_env(tmp_path: Path):
    with fresh_environment(tmp_path / "data") as env:
        yield env


def test_the_logs_hold_no_link_and_nothing_about_participants(server_env, tmp_path: Path) -> None:
    load_demo(server_env)
    token = in_django(server_env, "tests.servers:open_demo_consultation")["token"]
    mistyped = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    access, errors = tmp_path / "access.log", tmp_path / "errors.log"

    with serving(server_env, access, errors=errors) as port:
        phone = Browser(port, {"User-Agent": PHONE, "X-Forwarded-For": PHONE_ADDRESS})
        link = f"/v/{token}/"
        status, _, page = phone.request("GET", link)
        assert status == 200
        assert not phone.cookies
        styles = next(
            part for part in page.split('"') if part.startswith("/static/") and part.endswith(".css")
        )
        assert phone.request("GET", styles, headers={"Referer": f"{phone.origin}{link}"})[0] == 200
        # Refused (no form token): Django logs the path of every 4xx.
        assert phone.request("POST", link, ANSWERS)[0] == 403
        status, location, _ = phone.request(
            "POST", link, {**ANSWERS, "form_token": hidden(page, "form_token")}
        )
        assert status == 302, "the answers are sent"
        assert phone.request("GET", location)[0] == 200
        assert phone.request("GET", f"{link}?from=qr")[0] == 200
        assert phone.request("GET", f"/v/{mistyped}/")[0] == 404

        staff = Browser(port, {"User-Agent": STAFF, "X-Forwarded-For": STAFF_ADDRESS})
        assert staff.request("GET", "/healthz")[0] == 200
        assert staff.request("GET", "/accounts/login/")[0] == 200

    logged = access.read_text()
    written = logged + errors.read_text()
    for secret in (token, mistyped, token[:20]):
        assert secret not in written, "no consultation link in any log"
    for trace in (PHONE_ADDRESS, "ParticipantPhone", "Android"):
        assert trace not in written, "nothing about the participant's address or device"
    lines = logged.splitlines()
    participant = [line for line in lines if "/v/[link]" in line]
    # The page, the refused post, the answers, the thanks page, the page again, the mistyped link,
    # and the styles asked for by the page (logged, but anonymous: its Referer was the link).
    assert len(participant) >= 6, logged
    assert any('"POST /v/[link]/ HTTP/1.1" 302' in line for line in participant)
    assert any('"GET /v/[link]/thanks/ HTTP/1.1" 200' in line for line in participant)
    assert not any("?from=qr" in line for line in lines)
    assert any(f"GET {styles} " in line and '/v/[link]/" "-"' in line for line in lines), (
        "the styles' request is logged, without the device"
    )
    assert all(line.startswith("- ") for line in participant), "no address"
    # Ordinary requests are logged as they always were.
    health = [line for line in lines if '"GET /healthz HTTP/1.1" 200' in line]
    assert health
    assert STAFF in health[0]
    assert any('"GET /accounts/login/ HTTP/1.1" 200' in line for line in lines)


class _Request:
    headers = [("USER-AGENT", PHONE), ("X-FORWARDED-FOR", PHONE_ADDRESS), ("REFERER", "https://x/v/abc/")]


class _Response:
    status = "200 OK"
    sent = 10
    headers = [("Location", "/v/secret-token-123/thanks/")]


def test_every_field_an_operator_could_log_is_covered() -> None:
    # Whatever format an operator chooses: request and response headers and the environment too.
    import datetime

    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    logger = PrivateLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/v/secret-token-123/?a=b",
        "PATH_INFO": "/v/secret-token-123/",
        "QUERY_STRING": "a=b",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.200",
        "HTTP_USER_AGENT": PHONE,
        "HTTP_REFERER": "https://x/v/secret-token-123/?a=b",
    }
    atoms = logger.atoms(_Response(), _Request(), environ, datetime.timedelta(seconds=1))
    text = " ".join(str(v) for v in atoms.values())
    for secret in ("secret-token-123", "203.0.113.200", PHONE_ADDRESS, "ParticipantPhone", "a=b"):
        assert secret not in text
    assert atoms["r"] == "GET /v/[link]/ HTTP/1.1"
    assert atoms["{location}o"] == "/v/[link]/thanks/"
    assert "%(h)s" in access_log_format
    assert "%(a)s" in access_log_format


def test_the_error_log_hides_links_too() -> None:
    # gunicorn names the request that failed ("Error handling request /v/...").
    import io
    import logging

    from gunicorn.config import Config

    cfg = Config()
    cfg.set("errorlog", os.devnull)  # its own handler: only the one added here is read
    logger = PrivateLogger(cfg)
    written = io.StringIO()
    logger.error_log.addHandler(logging.StreamHandler(written))
    try:
        raise RuntimeError("while answering /v/secret-token-123/")
    except RuntimeError:
        logger.exception("Error handling request %s", "/v/secret-token-123/?a=b")
    text = written.getvalue()
    assert "Error handling request /v/[link]" in text
    assert "RuntimeError: while answering /v/[link]/" in text
    assert "secret-token-123" not in text
