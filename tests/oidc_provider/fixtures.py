"""Fixtures for tests that sign in through a real OpenID provider.

`oidc_providers(callback_url)` (session-scoped) starts, once per callback URL, two
providers in subprocesses on 127.0.0.1: Northshire Council's and Southvale Children's
Trust's, matching the `organisation` and `other_organisation` fixtures. Each has the
people in PEOPLE, the password PASSWORD, and clients that may send back to the callback:
one that behaves, and one for each deliberate fault (validators.FAULTS).

Import the fixture into a test module (`from tests.oidc_provider.fixtures import
oidc_providers`), then `configure(organisation, provider)` to point an organisation at one.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from . import FAULTS

ROOT = Path(__file__).resolve().parent.parent.parent
CALLBACK_PATH = "/accounts/organisation-sign-in/callback/"
PASSWORD = "a provider password"

# Who each provider knows. Members here (tests/conftest.py): lead@council.test of Northshire,
# admin@trust.test of Southvale. The others have no account on the service, or are
# accounts the provider has not verified.
PEOPLE: dict[str, list[dict[str, Any]]] = {
    "northshire": [
        {"email": "lead@council.test", "name": "Lead of Northshire"},
        {"email": "viewer@council.test", "name": "Viewer of Northshire", "email_verified": False},
        {"email": "admin@trust.test", "name": "Admin of Southvale, at Northshire's provider"},
        {"email": "stranger@council.test", "name": "Nobody here"},
    ],
    "southvale": [
        {"email": "admin@trust.test", "name": "Admin of Southvale"},
        {"email": "lead@council.test", "name": "Lead of Northshire, at Southvale's provider"},
    ],
}


@dataclass
class Provider:
    name: str
    url: str
    secret: str
    process: subprocess.Popen[bytes]

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    @property
    def secret_env(self) -> str:
        return f"TEST_OIDC_{self.name.upper()}_SECRET"

    def client_id(self, fault: str = "") -> str:
        return f"{self.name}-{fault}" if fault else self.name


@dataclass
class Providers:
    northshire: Provider
    southvale: Provider


def _launch(folder: Path, name: str, callback_url: str) -> tuple[subprocess.Popen[bytes], str]:
    secret = secrets.token_urlsafe(24)
    spec = {
        "database": str(folder / f"{name}.sqlite3"),
        "users": [{**person, "password": PASSWORD} for person in PEOPLE[name]],
        "clients": [
            {
                "client_id": f"{name}-{fault}" if fault else name,
                "client_secret": secret,
                "redirect_uris": [callback_url],
                "fault": fault,
            }
            for fault in ("", *FAULTS)
        ],
    }
    spec_file = folder / f"{name}.json"
    spec_file.write_text(json.dumps(spec))
    with (folder / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(spec_file)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    return process, secret


def _ready(folder: Path, name: str, process: subprocess.Popen[bytes], secret: str) -> Provider:
    """The provider once it answers: its first line is READY <port> (none if it failed)."""
    assert process.stdout is not None
    match = re.fullmatch(r"READY (\d+)\n", process.stdout.readline().decode())
    if match is None:
        process.kill()
        process.wait()
        pytest.fail(f"The test provider {name} did not start: {(folder / f'{name}.log').read_text()}")
    return Provider(name=name, url=f"http://127.0.0.1:{match[1]}", secret=secret, process=process)


def _stop(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()


@pytest.fixture(scope="session")
def oidc_providers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Providers]]:
    started: dict[str, Providers] = {}

    def get(callback_url: str) -> Providers:
        if callback_url not in started:
            folder = tmp_path_factory.mktemp("oidc-providers")
            # Both start at once; each makes its database while the other does.
            launched = {name: _launch(folder, name, callback_url) for name in PEOPLE}
            try:
                ready = {name: _ready(folder, name, *launched[name]) for name in PEOPLE}
            except BaseException:
                for process, _ in launched.values():
                    process.kill()
                    process.wait()
                raise
            started[callback_url] = Providers(**ready)
        return started[callback_url]

    yield get
    for pair in started.values():
        _stop(pair.northshire)
        _stop(pair.southvale)


def configure(organisation: Any, provider: Provider, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Any:
    """Point the organisation at the provider, as an operator would, with its secret set.
    Options: `fault` (a client that misbehaves), `email_domains`, `issuer`."""
    from trustworthy.organisations import oidc

    monkeypatch.setenv(provider.secret_env, provider.secret)
    return oidc.set_provider(
        organisation=organisation,
        issuer=options.get("issuer", provider.issuer),
        client_id=provider.client_id(options.get("fault", "")),
        client_secret_env=provider.secret_env,
        email_domains=options.get("email_domains", ""),
    )


def sign_in_at_provider(authorize_url: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Do at the provider what a person does in a browser: open the authorization URL, sign
    in on its login form, and return the query the provider sends back to the callback."""
    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, whatever proxy the machine names
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    url = authorize_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'name="password"' in response.text:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
            assert token is not None
            response = session.post(
                response.url,
                data={"csrfmiddlewaretoken": token[1], "username": email, "password": password},
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code == 302, f"{url}: {response.status_code} {response.text[:500]}"
        url = urljoin(response.url, response.headers["Location"])
        if not url.startswith(origin):  # back to the service: what it would receive
            return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}
    raise AssertionError("The provider never sent the person back")
