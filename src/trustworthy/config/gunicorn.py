"""gunicorn's settings for `trustworthy serve` (`--config python:trustworthy.config.gunicorn`).

The access log keeps what an operator needs (time, method, path, status, size, duration) but
never a consultation link's token, which would let anyone reading the log answer as a
participant, and nothing about a participant's device: for a request to a participant's page,
or one made from it (its styles and scripts, whose Referer is that page), the address, user
agent and request headers are left out. Staff requests are logged as usual, links hidden.
The error log hides links too (gunicorn names the request that failed).
"""

from __future__ import annotations

import datetime
from typing import Any

from gunicorn.glogging import Logger

from trustworthy.config.logs import PARTICIPANT_PREFIX, HideLinks, hide_links

# Apache's combined format, gunicorn's default, written out so that it is seen to be the one
# `PrivateLogger` is checked against (tests/test_access_log.py).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
logger_class = "trustworthy.config.gunicorn.PrivateLogger"


def _from_participant(environ: dict[str, Any]) -> bool:
    if str(environ.get("PATH_INFO", "")).startswith(PARTICIPANT_PREFIX):
        return True
    referer = str(environ.get("HTTP_REFERER", ""))
    return hide_links(referer) != referer


class PrivateLogger(Logger):
    """gunicorn's logger, with consultation links hidden and participants left anonymous."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(HideLinks())

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if _from_participant(environ):
            # Only what the request was and how it went: no address, user agent, request
            # headers or environment (these can carry the address, the device or the link).
            atoms = {k: v for k, v in atoms.items() if not k.endswith(("}i", "}e"))}
            atoms.update({"h": "-", "a": "-", "u": "-", "q": ""})
            atoms["f"] = str(atoms.get("f", "-")).split("?", 1)[0]
            atoms["r"] = (
                f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} {environ.get('SERVER_PROTOCOL')}"
            )
        return {k: hide_links(v) if isinstance(v, str) else v for k, v in atoms.items()}
