"""Run the test provider: `python -m tests.oidc_provider.serve SPEC.json`.

SPEC names the SQLite file to use and the users and clients to create. The provider
listens on a free port of 127.0.0.1, makes a fresh RSA key for signing ID tokens, and
prints `READY <port>` once it answers requests. It runs until it is terminated.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # requests are not logged
        pass


def _new_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _seed(spec: dict[str, Any]) -> None:
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    for person in spec["users"]:
        User.objects.create_user(
            username=person["email"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("name", ""),
            last_name="" if person.get("email_verified", True) else "unverified",
        )
    for client in spec["clients"]:
        Application.objects.create(
            name=client.get("fault", "") or client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    server = _Server(("127.0.0.1", 0), _QuietHandler)
    port = server.server_address[1]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.oidc_provider.settings",
        PROVIDER_PORT=str(port),
        PROVIDER_DB=spec["database"],
        PROVIDER_ISSUER=f"http://127.0.0.1:{port}/o",
        PROVIDER_RSA_KEY=_new_key(),
        PROVIDER_OTHER_RSA_KEY=_new_key(),
    )
    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    _seed(spec)
    server.set_app(get_wsgi_application())
    print(f"READY {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
