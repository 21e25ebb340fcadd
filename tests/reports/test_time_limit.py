"""Producing a record's files is bounded in time (reports/files.py `time_limit`).

The slow render here waits on an event nobody sets: only the time limit can end it, so the
tests show the limit stops it, not that anything is fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trustworthy.appraisals.models import Appraisal
from trustworthy.reports import files, render_docx, render_pdf
from trustworthy.reports.services import record_for

from .test_caching import cache_settings

pytestmark = pytest.mark.django_db


def never_finishes(*args: Any, **kwargs: Any) -> bytes:
    threading.Event().wait(120)  # interrupted by the time limit's alarm
    raise AssertionError("The time limit did not stop the render.")


@pytest.fixture
def limited(settings: Any, tmp_path: Path, decided: Appraisal) -> None:
    settings.CACHES = {**settings.CACHES, "records": cache_settings(tmp_path / "records")["records"]}
    files.charts(record_for(decided))  # drawn (and cached) before the short limit applies
    settings.RECORD_RENDER_SECONDS = 0.3


@pytest.mark.parametrize(("module", "name"), [(render_pdf, "record-pdf"), (render_docx, "record-docx")])
def test_a_file_that_takes_too_long_is_stopped_with_a_page_saying_try_again(
    limited: None,
    settings: Any,
    decided: Appraisal,
    client_as: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    name: str,
) -> None:
    real = module.render
    monkeypatch.setattr(module, "render", never_finishes)
    client = client_as("viewer")

    response = client.get(reverse(name, args=[decided.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "took longer than 0.3 seconds" in response.content.decode()
    # Nothing half-made was kept, and the lock was let go: the next request renders.
    monkeypatch.setattr(module, "render", real)
    settings.RECORD_RENDER_SECONDS = 60
    again = client.get(reverse(name, args=[decided.pk]))
    assert again.status_code == 200
    assert len(b"".join(again)) > 1000


def test_the_api_says_503_as_problem_json(
    limited: None,
    decided: Appraisal,
    client_as: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(render_pdf, "render", never_finishes)

    response = client_as("viewer").get(f"/api/v1/appraisals/{decided.pk}/record.pdf")

    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "60"


def test_the_limit_leaves_the_alarm_as_it_found_it(limited: None) -> None:
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with files.time_limit(5):
        pass
    assert signal.getsignal(signal.SIGALRM) == before
    # A limit inside a limit (the charts drawn for a PDF) leaves the outer one running.

    def nested() -> None:
        with files.time_limit(0.05):
            with files.time_limit(10):
                pass
            never_finishes()

    with pytest.raises(files.TakingTooLong):
        nested()
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with pytest.raises(files.TakingTooLong), files.time_limit(0.05):
        never_finishes()
    assert signal.getsignal(signal.SIGALRM) == before
