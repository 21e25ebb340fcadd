"""Rendered records cached by the hash of the record document (reports/files.py, filestore.py).

Every test here points the record cache at its own temporary folder. No timing: concurrency
is shown by counting renders, with threads (and processes) held at the lock until all of them
have asked for the same missing file.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.template.loader import get_template
from django.test import Client
from docx import Document

from trustworthy.appraisals import services as appraisal_services
from trustworthy.appraisals.models import Appraisal
from trustworthy.organisations.models import User
from trustworthy.reports import charts, files, render_docx, render_json, render_pdf
from trustworthy.reports.filestore import RecordFileCache
from trustworthy.reports.services import record_for

from .conftest import approve
from .test_formats import pdf_text

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"


def cache_settings(location: Path, **options: Any) -> dict[str, Any]:
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "records": {
            "BACKEND": "trustworthy.reports.filestore.RecordFileCache",
            "LOCATION": str(location),
            "TIMEOUT": 3600,
            "OPTIONS": options,
        },
    }


@pytest.fixture
def folder(settings: Any, tmp_path: Path) -> Path:
    """The record cache in a folder of this test's own."""
    location = tmp_path / "records"
    settings.CACHES = cache_settings(location)
    return location


class Counter:
    """Wraps a function and counts its calls (thread-safe)."""

    def __init__(self, function: Callable[..., Any], before: Callable[[], None] | None = None) -> None:
        self.function, self.before, self.calls = function, before, 0
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.calls += 1
        if self.before:
            self.before()
        return self.function(*args, **kwargs)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> dict[str, Counter]:
    """Count every render the cache may save: charts drawn, PDF, Word, the page body."""
    counters = {
        "charts": Counter(charts.all_charts),
        "pdf": Counter(render_pdf.render),
        "docx": Counter(render_docx.render),
        "html_to_pdf": Counter(render_pdf.html_to_pdf),
    }
    monkeypatch.setattr(charts, "all_charts", _drawn_only(counters["charts"], charts.all_charts))
    monkeypatch.setattr(render_pdf, "render", counters["pdf"])
    monkeypatch.setattr(render_docx, "render", counters["docx"])
    monkeypatch.setattr(render_pdf, "html_to_pdf", counters["html_to_pdf"])
    return counters


def _drawn_only(counter: Counter, real: Callable[..., Any]) -> Callable[..., Any]:
    """Count only the calls that draw (the tables alone, `draw=False`, cost nothing)."""

    def all_charts(record: Any, *, draw: bool = True) -> Any:
        return counter(record) if draw else real(record, draw=False)

    return all_charts


def restart(settings: Any) -> None:
    """What a new worker process starts without: every cache object (setting CACHES again
    makes Django drop them) and the renderer's fingerprint."""
    before = caches["records"]
    settings.CACHES = {**settings.CACHES}
    files.renderer_id.cache_clear()
    assert caches["records"] is not before


def stored(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- a burst costs one render ---------------------------------------------------------------


def test_a_burst_of_pdf_downloads_costs_one_render(
    folder: Path, decided: Appraisal, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads_count = 8
    record = record_for(decided)
    arrived = threading.Condition()
    at_lock = 0
    real_lock = RecordFileCache._lock

    def counting_lock(self: RecordFileCache, path: Path) -> int:
        nonlocal at_lock
        if path.name.endswith(".pdf.lock"):  # (drawing the charts takes a lock of its own)
            with arrived:
                at_lock += 1
                arrived.notify_all()
        return real_lock(self, path)

    def hold_until_everyone_is_at_the_lock() -> None:
        # The one render waits until every thread has found the PDF missing and asked for
        # the lock, so all of them really do want it at once. (A safety timeout, not timing.)
        with arrived:
            arrived.wait_for(lambda: at_lock >= threads_count, timeout=120)

    pdf = Counter(render_pdf.render, before=hold_until_everyone_is_at_the_lock)
    monkeypatch.setattr(RecordFileCache, "_lock", counting_lock)
    monkeypatch.setattr(render_pdf, "render", pdf)
    results: list[bytes] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def download() -> None:
        try:
            start.wait(timeout=120)
            results.append(files.download(record, "pdf"))
        except BaseException as exc:  # pragma: no cover (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=download) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert at_lock == threads_count  # every one of them missed the file and waited
    assert pdf.calls == 1
    assert len(results) == threads_count
    assert len(set(results)) == 1
    assert "We weighed it all." in pdf_text(results[0])
    assert not list(folder.rglob("*.lock"))  # the lock file goes once the PDF is there


CHILD = """
import sys
from trustworthy.reports.filestore import RecordFileCache
location, key, counter = sys.argv[1:4]
store = RecordFileCache(location, {"TIMEOUT": 3600})
def build():
    with open(counter, "a") as f:
        f.write("built\\n")
    return b"%PDF the one render"
print("ready", flush=True)
sys.stdin.readline()  # go
sys.stdout.write(store.get_or_build(key, build, version="v1").decode())
"""


def waiting_for(lock: Path) -> int:
    """How many processes wait for this flock lock (Linux lists them in /proc/locks, "->")."""
    inode = f":{lock.stat().st_ino} "
    return sum("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_processes_share_the_lock_and_the_file(tmp_path: Path) -> None:
    """The same across worker processes: while the test holds the lock, every process that
    asks finds the file missing and waits for the lock; let go, exactly one builds it."""
    location, key, counter = tmp_path / "records", "a" * 64 + ".pdf", tmp_path / "built.txt"
    store = RecordFileCache(str(location), {"TIMEOUT": 3600})
    lock = store._path(key, 3600, "v1").with_name(key + ".lock")
    held = store._lock(lock)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-c", CHILD, str(location), key, str(counter)]
    count = 6
    children = [
        subprocess.Popen(command, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for _ in range(count)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        # Wait (a condition, with a generous bound) until every child is blocked on the lock.
        deadline = time.monotonic() + 120
        while waiting_for(lock) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiting_for(lock) == count
    finally:
        os.close(held)  # let them in
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert outputs == ["%PDF the one render"] * count
    assert counter.read_text() == "built\n"


# --- never stale ------------------------------------------------------------------------------


def test_a_changed_draft_is_never_served_stale(
    folder: Path, client_as: Callable[[str], Client], decided: Appraisal, renders: dict[str, Counter]
) -> None:
    lead = client_as("lead")
    page = f"/appraisals/{decided.pk}/record/"
    assert "Our reasons for P1." in lead.get(page).content.decode()
    assert "Our reasons for P1." in pdf_text(lead.get(page + "decision-record.pdf").content)
    lead.get(page)
    lead.get(page + "decision-record.pdf")
    assert (renders["charts"].calls, renders["pdf"].calls) == (1, 1)  # the second time, from the cache

    appraisal_services.save_answer(
        appraisal=decided,
        question_id="P1",
        user=User.objects.get(email="lead@council.test"),
        value="yes",
        rationale="We changed our minds about P1.",
    )
    shown = lead.get(page).content.decode()
    assert "We changed our minds about P1." in shown
    assert "Our reasons for P1." not in shown
    text = pdf_text(lead.get(page + "decision-record.pdf").content)
    assert "We changed our minds about P1." in text
    assert "Our reasons for P1." not in text
    docx = Document(io.BytesIO(lead.get(page + "decision-record.docx").content))
    assert any("We changed our minds about P1." in p.text for p in docx.paragraphs)
    assert (renders["charts"].calls, renders["pdf"].calls, renders["docx"].calls) == (2, 2, 1)


def test_the_key_is_the_document_hash_with_format_visibility_and_renderer(
    folder: Path, decided: Appraisal, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = files.rendered(record_for(decided))
    later = files.rendered(dataclasses.replace(first.record, generated_at="2030-01-01T00:00:00+00:00"))
    assert first.key("pdf") == later.key("pdf")  # when it was produced is not part of it
    assert re.fullmatch(r"[0-9a-f]{64}\.pdf", first.key("pdf"))
    assert len({first.key("pdf"), first.key("docx"), first.key("body.html")}) == 3
    public = files.rendered(record_for(decided, public=True))
    assert public.key("pdf") != first.key("pdf")
    changed = files.rendered(dataclasses.replace(first.record, review_date="2027-01-01"))
    assert changed.key("pdf") != first.key("pdf")
    before = first.key("pdf")
    monkeypatch.setattr(files, "RENDERER", files.RENDERER + 1)
    files.renderer_id.cache_clear()
    assert files.rendered(first.record).key("pdf") != before


# --- approved records: once, ever -------------------------------------------------------------


def test_an_approved_records_files_are_reused_after_a_restart(
    folder: Path, decided: Appraisal, renders: dict[str, Counter], settings: Any
) -> None:
    approve(decided)
    record = record_for(decided)
    made = {
        "pdf": files.download(record, "pdf"),
        "docx": files.download(record, "docx"),
        "body": files.page_body(record).encode(),
        "summary": files.summary_pdf(record),
    }
    counts = {name: counter.calls for name, counter in renders.items()}
    assert counts == {"charts": 1, "pdf": 1, "docx": 1, "html_to_pdf": 2}  # the record's PDF, the summary's
    kept = [p for p in stored(folder) if p.parent.name == "kept"]
    assert sorted(p.name.split(".", 1)[1] for p in kept) == [
        "body.html",
        "charts.json",
        "docx",
        "pdf",
        "summary.pdf",
    ]

    restart(settings)  # same folder, nothing in memory
    record = record_for(decided)  # built anew, produced a moment later
    again = {
        "pdf": files.download(record, "pdf"),
        "docx": files.download(record, "docx"),
        "body": files.page_body(record).encode(),
        "summary": files.summary_pdf(record),
    }
    assert again == made
    assert {name: counter.calls for name, counter in renders.items()} == counts


def test_drafts_expire_and_are_capped_while_approved_entries_stay(tmp_path: Path) -> None:
    store = RecordFileCache(str(tmp_path), {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 4}})
    keys = [f"{n:064x}.pdf" for n in range(12)]
    for key in keys[:3]:
        store.set(key, b"approved", timeout=None, version="v1")
    for key in keys[3:]:
        store.set(key, b"draft", version="v1")
    assert [store.get(k, version="v1") for k in keys[:3]] == [b"approved"] * 3
    recent = [k for k in keys[3:] if store.has_key(k, version="v1")]
    assert 0 < len(recent) <= 4
    assert keys[-1] in recent  # the newest are kept, the least recently used go
    store.set("f" * 64 + ".pdf", b"gone", timeout=0, version="v1")  # expired at once
    assert store.get("f" * 64 + ".pdf", version="v1") is None
    assert store.get_or_build("f" * 64 + ".pdf", lambda: b"again", version="v1") == b"again"


def test_another_renderers_folder_is_removed_once_unused(tmp_path: Path) -> None:
    store = RecordFileCache(str(tmp_path), {"TIMEOUT": 3600})
    store.set("a" * 64 + ".pdf", b"old", timeout=None, version="old")
    store.set("b" * 64 + ".pdf", b"recent", timeout=None, version="recent")
    day_ago = (tmp_path / "old" / "kept").stat().st_mtime - 2 * 24 * 60 * 60
    for path in (tmp_path / "old", tmp_path / "old" / "kept"):
        os.utime(path, (day_ago, day_ago))
    store.set("c" * 64 + ".pdf", b"new", timeout=None, version="new")  # a new renderer starts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "recent"]


def test_a_cache_that_cannot_be_written_still_serves(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    store = RecordFileCache(str(tmp_path / "not-a-folder" / "records"), {})
    assert store.get_or_build("a" * 64 + ".pdf", lambda: b"built", version="v1") == b"built"


# --- where, and what ----------------------------------------------------------------------


def test_the_cache_lives_under_the_configured_folder(
    folder: Path, client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    base = f"/appraisals/{decided.pk}/record/"
    lead = client_as("lead")
    for suffix in ("", "decision-record.pdf", "decision-record.docx", "summary.pdf"):
        assert lead.get(base + suffix).status_code == 200
    names = [p.relative_to(folder) for p in stored(folder)]
    assert {n.parts[0] for n in names} == {files.renderer_id()}
    assert {n.parts[1] for n in names} == {"recent"}  # a draft
    assert {n.name.split(".", 1)[1] for n in names} == {
        "charts.json",
        "body.html",
        "pdf",
        "docx",
        "summary.pdf",
    }
    assert all(re.fullmatch(r"[0-9a-f]{64}\..+", n.name) for n in names)


def test_by_default_the_cache_is_in_the_data_folder_and_tests_use_a_throwaway_one(tmp_path: Path) -> None:
    def location(env: dict[str, str]) -> str:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTWORTHY_"))}
        code = "from trustworthy.config import settings; print(settings.CACHES['records']['LOCATION'])"
        done = subprocess.run(
            [sys.executable, "-c", code], env={**keep, **env}, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    production = {
        "TRUSTWORTHY_ENV": "production", "DJANGO_SECRET_KEY": "caching-test-key-" + "Vb8r2Lq" * 6,
        "DJANGO_ALLOWED_HOSTS": "x",
        "TRUSTWORTHY_DATA_DIR": str(tmp_path),
    }  # fmt: skip
    assert location(production) == str(tmp_path.resolve() / "cache" / "records")
    assert location({"TRUSTWORTHY_ENV": "test", "TRUSTWORTHY_DATA_DIR": str(tmp_path)}) == ""
    ours = caches["records"]
    assert isinstance(ours, RecordFileCache)
    assert ours.root.name.startswith("trustworthy-records-")


def test_cached_files_are_byte_identical_to_rendering_uncached(folder: Path, decided: Appraisal) -> None:
    record = record_for(decided)
    drawn = charts.all_charts(record)
    uncached = {
        "charts": drawn,
        "body": get_template("reports/record_content.html").render({"record": record, "charts": drawn}),
        "pdf": render_pdf.render(record),
        "docx": render_docx.render(record),
        "summary": render_pdf.html_to_pdf(
            get_template("reports/summary_document.html").render(
                {"record": record, "paragraphs": record.summary.text.split("\n\n") if record.summary else []}
            )
        ),
        "json": render_json.render(record),
    }
    for _ in range(2):  # built, then read back
        assert files.charts(record) == uncached["charts"]
        assert str(files.page_body(record)) == uncached["body"]
        assert files.download(record, "pdf") == uncached["pdf"]
        assert files.download(record, "docx") == uncached["docx"]
        assert files.summary_pdf(record) == uncached["summary"]
        assert files.download(record, "json") == uncached["json"]


def test_a_pdf_is_the_same_bytes_whatever_the_time_of_the_render(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fonts embedded in a PDF carry a time stamp; it must not be the moment of the render, or
    # the same record would give different files from one second to the next.
    html = "<html lang='en'><body><h1>Decision record</h1><p>Proceed with mitigations.</p></body></html>"
    renders = []
    for clock in (1_800_000_000.0, 1_800_086_400.0):  # a day apart
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)
        renders.append(render_pdf.html_to_pdf(html))
    assert renders[0] == renders[1]


def test_the_cached_page_body_holds_nothing_per_person_or_request(
    folder: Path, client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    page = f"/appraisals/{decided.pk}/record/"
    seen = []
    for role in ("lead", "viewer", "lead"):
        response = client_as(role).get(page)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce
        seen += [nonce.group(1), *re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)]
        assert str(files.page_body(record_for(decided))) in response.text
    (body,) = [p for p in stored(folder) if p.name.endswith(".body.html")]
    text = body.read_text()
    assert len(seen) >= 6
    assert not [secret for secret in seen if secret in text]
    assert "Sign out" not in text


def test_record_pages_and_downloads_are_not_kept_by_browsers_or_proxies(
    folder: Path, client_as: Callable[[str], Client], decided: Appraisal
) -> None:
    base = f"/appraisals/{decided.pk}/record/"
    lead = client_as("lead")
    for suffix in (
        "", "decision-record.pdf", "decision-record.docx", "decision-record.json", "summary/", "summary.pdf",
        "publish/",
    ):  # fmt: skip
        response = lead.get(base + suffix)
        assert response.status_code == 200, suffix
        assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}, suffix


def test_the_public_record_page_draws_its_charts_once(
    folder: Path, client_as: Callable[[str], Client], decided: Appraisal, renders: dict[str, Counter]
) -> None:
    approve(decided)
    assert (
        client_as("lead").post(f"/appraisals/{decided.pk}/record/publish/", {"action": "publish"}).status_code
        == 302
    )
    public = Client()
    pages = [public.get(f"/register/records/{decided.pk}/").content.decode() for _ in range(3)]
    assert "Proceed with mitigations" in pages[0]
    assert renders["charts"].calls == 1
    assert [p for p in stored(folder) if p.parent.name == "kept"]  # published records are approved


@pytest.fixture(autouse=True)
def _fresh_fingerprint() -> Iterator[None]:
    yield
    files.renderer_id.cache_clear()
