"""Render a large decision record (50 risks, 50 benefits) to PDF and Word against HTML alone.

Targets on this machine: PDF under 2 s and Word under 1 s (the bench fails if either is
missed). Each format is built from the appraisal (the record, its charts and the renderer,
calling the renderers directly, so no cached file is ever measured), best of three; the
ratios are to the HTML alone, measured in the same run.

The targets are judged on the CPU time the build takes (rendering is single-threaded work in
this process, so on an idle machine it is the time a reader waits); the elapsed time is
printed beside it. On a shared machine the elapsed time also counts the time other work held
the processors, which says nothing about the renderers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

TARGET_SECONDS = {"pdf": 2.0, "docx": 1.0}


def _setup() -> int:
    """A fresh database with one full appraisal; returns its id."""
    data_dir = Path(tempfile.mkdtemp(prefix="trustworthy-bench-records-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ.update(
        {"TRUSTWORTHY_DATA_DIR": str(data_dir), "TRUSTWORTHY_ENV": "development",
         "DJANGO_SETTINGS_MODULE": "trustworthy.config.settings"}
    )  # fmt: skip
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", "--verbosity", "0")
    from tests.appraisals.factories import ROWS, decide, fill_appraisal, make_project

    from trustworthy.appraisals import services
    from trustworthy.organisations.models import Organisation, User
    from trustworthy.organisations.services import add_member

    organisation = Organisation.objects.create(
        name="Bench Council", type="local-authority", region="north-west"
    )
    lead = User.objects.create_user("lead@bench.example", "bench password long enough", full_name="Lead")
    approver = User.objects.create_user("approver@bench.example", "bench password long enough", full_name="A")
    add_member(organisation=organisation, user=lead, role="lead")
    add_member(organisation=organisation, user=approver, role="approver")
    appraisal = services.start_appraisal(
        project=make_project(organisation, lead), stage="inception", user=lead
    )
    fill_appraisal(appraisal, lead)
    for number in range(49):
        risk = dict(ROWS["risks"])
        risk.update(likelihood=number % 5 + 1, severity=(number // 5) % 5 + 1)
        risk["description"] = f"Risk {number + 2}: delay in urgent cases in area {number}"
        services.add_register_row(appraisal=appraisal, register_id="risks", data=risk, user=lead)
        benefit = dict(ROWS["benefits"])
        benefit["description"] = f"Benefit {number + 2}: more children stay safely at home"
        services.add_register_row(appraisal=appraisal, register_id="benefits", data=benefit, user=lead)
    decide(appraisal, approver)
    return appraisal.pk


def _best_of(runs: int, work: Callable[[], bytes]) -> tuple[float, float, int]:
    """The least CPU time and the least elapsed time of `runs` builds, and the size built."""
    cpu, elapsed, size = [], [], 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(work())
        cpu.append(time.process_time() - start_cpu)
        elapsed.append(time.perf_counter() - start)
    return min(cpu), min(elapsed), size


def _build(render: Callable[[Any], bytes], appraisal: Any) -> bytes:
    from trustworthy.reports.services import record_for

    return render(record_for(appraisal))


def main() -> None:
    appraisal_id = _setup()
    from trustworthy.appraisals.models import Appraisal
    from trustworthy.reports import render_docx, render_html, render_pdf
    from trustworthy.reports.services import record_for

    appraisal = Appraisal.objects.get(pk=appraisal_id)
    assert appraisal.register_rows.filter(register="risks").count() == 50
    assert appraisal.register_rows.filter(register="benefits").count() == 50
    renderers: dict[str, Callable[[Any], bytes]] = {
        "html": render_html.render, "pdf": render_pdf.render, "docx": render_docx.render
    }  # fmt: skip
    render_pdf.render(record_for(appraisal))  # warm up fonts and templates
    results: dict[str, tuple[float, float, int]] = {}
    for fmt, render in renderers.items():
        results[fmt] = _best_of(3, partial(_build, render, appraisal))
    html_seconds = results["html"][0]
    print(
        "Decision record with 50 risks and 50 benefits, built from the appraisal, best of 3 "
        "(CPU time, judged; elapsed time beside it):"
    )
    missed = False
    for fmt, (seconds, elapsed, size) in results.items():
        ratio = seconds / html_seconds
        target = TARGET_SECONDS.get(fmt)
        missed |= target is not None and seconds >= target
        verdict = (
            "" if target is None else f"  target < {target:.0f} s: {'met' if seconds < target else 'NOT MET'}"
        )
        print(
            f"  {fmt:<5} {seconds:6.3f} s CPU ({elapsed:6.3f} s elapsed)  {ratio:5.1f} x HTML  "
            f"{size / 1024:7.0f} kB{verdict}"
        )
    print(f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}.")
    if missed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
