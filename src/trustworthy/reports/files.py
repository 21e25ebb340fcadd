"""A record's rendered forms, each built once per record state: charts, page body, PDF, Word.

Everything drawn from a decision record is cached (`CACHES["records"]`, reports/filestore.py)
under the SHA-256 of the record document: `render_json.to_dict(record)` without
`generated_at`, as canonical JSON, together with what is being built (its format), whether
the record is the public version and the renderer's fingerprint. Any change to what the
record shows changes the document and so the key, so nothing stale can be served; working
out the key costs the queries that build the record and one hash, never a render.

- The charts (matplotlib's SVGs) are cached as such; they are part of the page, the PDF and
  the HTML export.
- The record page's body (`record_content`: everything but the few lines saying what the
  record is and when this copy was produced) is cached whole. It is the same for everyone
  who may read the record: no CSP nonce, no CSRF token, nothing about the reader (the
  page's layout, which has those, is rendered on each request around it).
- The PDF, the Word file and the family summary's PDF are cached whole, bytes as served. A
  cached file shows when it was first produced ("Record produced"): the file is what it was
  then, and the record has not changed since, or the key would differ.

An approved record's files are kept (built once, ever, for a renderer); a draft's expire
unused and are capped in number (see the store). The JSON download is the document itself,
so it is not cached.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, cached_property
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files as package_files
from typing import Any, cast

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.template.loader import get_template
from markupsafe import Markup

from trustworthy.core.audit import digest
from trustworthy.core.errors import Unavailable
from trustworthy.core.language import DEFAULT, current

from . import charts as charts_module
from . import render_docx, render_json, render_pdf
from .charts import Chart
from .document import DecisionRecord
from .filestore import RecordFileCache
from .languages import in_language, language_context

# Raise by hand to rebuild every cached file when the output changes in a way the
# fingerprint below cannot see (it covers this package's renderers and templates and the
# versions of the libraries that draw).
RENDERER = 2
_SOURCES = (
    "charts.py",
    "document.py",
    "files.py",
    "languages.py",
    "render_docx.py",
    "render_html.py",
    "render_json.py",
    "render_pdf.py",
)
_LIBRARIES = ("django", "jinja2", "matplotlib", "weasyprint", "pydyf", "python-docx")


@cache
def renderer_id() -> str:
    """A fingerprint of what renders a record: this package's renderers and templates and
    the drawing libraries' versions. Computed once per process."""
    h = hashlib.sha256(f"renderer {RENDERER}\n".encode())
    package = package_files("trustworthy.reports")
    templates = package.joinpath("jinja2", "reports")
    sources = [package.joinpath(name) for name in _SOURCES]
    sources += sorted((t for t in templates.iterdir() if t.is_file()), key=lambda t: t.name)
    for source in sources:
        h.update(f"{source.name}\n".encode())
        h.update(source.read_bytes())
    for library in _LIBRARIES:
        try:
            h.update(f"{library} {version(library)}\n".encode())
        except PackageNotFoundError:  # pragma: no cover
            h.update(f"{library} -\n".encode())
    return h.hexdigest()[:16]


class TakingTooLong(Unavailable):
    """A file took longer to produce than `RECORD_RENDER_SECONDS` allows."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"This file took longer than {seconds:g} seconds to produce, so we stopped. "
            "Try again in a minute; if it happens again, tell your organisation's admin."
        )


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the block with `TakingTooLong` once it has run `seconds`, so a record that is slow
    to draw cannot hold a worker until the server kills it. A real timer (SIGALRM) needs the
    main thread, where gunicorn's workers and the command line run; elsewhere (the test
    server's threads) there is no limit."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # inside a limit already (charts in a PDF)
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TakingTooLong(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    # Repeating: an exception raised where Python ignores it (a weakref callback during
    # garbage collection) is raised again a moment later.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _within_time_limit(build: Callable[[], bytes]) -> Callable[[], bytes]:
    def limited() -> bytes:
        with time_limit(settings.RECORD_RENDER_SECONDS):
            return build()

    return limited


def store() -> RecordFileCache:
    return cast(RecordFileCache, caches["records"])


@dataclass(frozen=True)
class Rendered:
    """A record, with the document its cache keys are computed from."""

    record: DecisionRecord
    document: dict[str, Any]  # the record's document (`render_json.to_dict`)

    @cached_property
    def document_hash(self) -> str:
        """SHA-256 of the document's canonical JSON, less the moment it was generated."""
        return digest({k: v for k, v in self.document.items() if k != "generated_at"})

    def produced(self, moment: datetime.datetime) -> Rendered:
        """The same record, produced at `moment`: what it shows, and so its keys, unchanged."""
        when = moment.astimezone(datetime.UTC).isoformat(timespec="seconds")  # as build_record
        again = Rendered(replace(self.record, generated_at=when), {**self.document, "generated_at": when})
        again.__dict__["document_hash"] = self.document_hash  # (a cached_property: not hashed again)
        return again

    @property
    def approved(self) -> bool:
        return bool(self.document["sign_off"]["approved"])

    def key(self, fmt: str) -> str:
        """The file name of this record's `fmt` (for example `pdf`): a SHA-256 of the document's,
        the format, public or not, and the renderer."""
        public = "public" if self.document["public"] else "private"
        basis = f"{self.document_hash}\n{fmt}\n{public}\n{renderer_id()}"
        if current() != DEFAULT:  # a Welsh page or file (English keys as they always were)
            basis = f"{basis}\n{current()}"
        return f"{hashlib.sha256(basis.encode()).hexdigest()}.{fmt}"

    def cached(self, fmt: str, build: Callable[[], bytes]) -> bytes:
        # Approved records never change: their files are kept. Drafts' expire (see the store).
        timeout = None if self.approved else DEFAULT_TIMEOUT
        return store().get_or_build(
            self.key(fmt), _within_time_limit(build), timeout=timeout, version=renderer_id()
        )


def rendered(record: DecisionRecord, document: dict[str, Any] | None = None) -> Rendered:
    """`document` when the caller has it already (a publication's stored document)."""
    return Rendered(record, render_json.to_dict(record) if document is None else document)


def _of(record: DecisionRecord | Rendered) -> Rendered:
    return record if isinstance(record, Rendered) else rendered(record)


def charts(record: DecisionRecord | Rendered) -> tuple[Chart, ...]:
    """The record's charts, their pictures drawn once per record state."""
    source = _of(record)
    tables = charts_module.all_charts(source.record, draw=False)

    def draw() -> bytes:
        return json.dumps([c.svg for c in charts_module.all_charts(source.record)]).encode()

    pictures = json.loads(source.cached("charts.json", draw))
    return tuple(replace(chart, svg=svg) for chart, svg in zip(tables, pictures, strict=True))


def page_body(record: DecisionRecord | Rendered) -> Markup:
    """The record page's body (`record_content`), rendered once per record state."""
    source = _of(record)

    def build() -> bytes:
        context = {"record": in_language(source.record, current()), "charts": charts(source)}
        return str(get_template("reports/record_content.html").render(context)).encode()

    return Markup(source.cached("body.html", build).decode())


def pdf(record: DecisionRecord | Rendered) -> bytes:
    source = _of(record)
    return source.cached(
        "pdf", lambda: render_pdf.render(in_language(source.record, current()), charts(source))
    )


def docx(record: DecisionRecord | Rendered) -> bytes:
    source = _of(record)
    return source.cached("docx", lambda: render_docx.render(in_language(source.record, current())))


def summary_pdf(record: DecisionRecord | Rendered) -> bytes:
    """The family summary ("What we decided and why") as PDF."""
    source = _of(record)
    summary = source.record.summary
    paragraphs = summary.paragraphs if summary else []  # as `presenters.paragraphs`

    def build() -> bytes:
        context = {"record": source.record, "paragraphs": paragraphs, **language_context()}
        return render_pdf.html_to_pdf(get_template("reports/summary_document.html").render(context))

    return source.cached("summary.pdf", build)


def download(record: DecisionRecord | Rendered, fmt: str) -> bytes:
    """The record as a file to download: `pdf`, `docx` or `json`."""
    if fmt == "json":  # the document itself: nothing to cache
        return render_json.render(record.record if isinstance(record, Rendered) else record)
    return {"pdf": pdf, "docx": docx}[fmt](record)
