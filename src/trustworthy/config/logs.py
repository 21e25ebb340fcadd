"""Logs never hold a consultation link: its token lets anyone answer as a participant.

`hide_links` replaces the token in any text with `[link]`; `HideLinks` is a logging filter
that does so for every record (message, arguments and traceback). The access log itself is
written by gunicorn with `config.gunicorn.PrivateLogger`, which uses the same rule. Nothing
here imports Django: gunicorn's master process loads it before the application.
"""

from __future__ import annotations

import logging
import re

# The participant's pages are /v/<token>/ and /v/<token>/thanks/ (voices/urls.py), here
# also when they are part of a full address or a Referer. Anything in that place is hidden,
# a mistyped token too.
PARTICIPANT_PREFIX = "/v/"
_LINK = re.compile(r"/v/[^/?#\s\"']+")
HIDDEN = "/v/[link]"


def hide_links(text: str) -> str:
    return _LINK.sub(HIDDEN, text)


class HideLinks(logging.Filter):
    """Hide consultation links in a record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a badly formed record: leave it to logging's own error report
            return True
        record.msg, record.args = hide_links(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = hide_links(record.exc_text)
        if record.stack_info:
            record.stack_info = hide_links(record.stack_info)
        return True
