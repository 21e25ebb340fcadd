"""A throwaway copy of the service for benchmarks: demo data in a temporary folder, served
by gunicorn with production settings on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

CLI = [sys.executable, "-m", "trustworthy.cli"]


def prepare_demo(prefix: str) -> dict[str, str]:
    """Load the demo into a new data folder; point this process's Django at it too.

    Returns the environment for the server process.
    """
    env = {
        **os.environ,
        "TRUSTWORTHY_DATA_DIR": tempfile.mkdtemp(prefix=prefix),
        "TRUSTWORTHY_ENV": "production",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-use",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("TRUSTWORTHY_", "DJANGO_"))})
    os.environ.pop("DATABASE_URL", None)
    subprocess.run(
        [*CLI, "demo", "--password", "bench-password-123"], env=env, check=True, capture_output=True
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


@contextmanager
def serving(env: dict[str, str], workers: int = 2) -> Iterator[int]:
    """`trustworthy serve` on a free port until the block ends; yields the port."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
