"""A consultation link shared widely: 200 submissions a minute for two minutes, no errors.

Serves the demo with `trustworthy serve` on 127.0.0.1, opens a consultation, then sends
answers at a steady 200 a minute, each one as a phone would: load the page for its form
token, then post. The service sits behind a TLS proxy in production, so every request carries
the `X-Forwarded-Proto: https` the proxy adds, and the X-Forwarded-For naming a phone of its
own (from 198.18.0.0/15, the range kept for benchmarks: each sender has its own share of the
rate limit), and the post the Origin and Referer a browser sends. Bounded in time and count:
400 submissions, stopping after three minutes whatever happens. Prints the achieved rate,
errors (and what they were) and p50/p95 of the posts, and fails if any submission was refused
(the rate limits must not trip at this rate).
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from bench.server import call_in_django, prepare_demo, proxy_headers, serving

RATE_PER_MINUTE = 200
MINUTES = 2
TOTAL = RATE_PER_MINUTE * MINUTES
DEADLINE_SECONDS = 180
ANSWERS = {
    "good": "I could say what I think before anything is decided.",
    "worries": "It might take longer to sort things out.",
    "who_else": "My foster carer and my teacher.",
    "understand": "Yes, mostly.",
    "anything_else": "",
    "group": "young-people",
}


def open_consultation() -> str:
    """(Run in a Django child process.) Open a consultation on a demo appraisal that is not
    approved; return its link token."""
    import datetime

    from django.utils import timezone

    from trustworthy.appraisals.models import Appraisal
    from trustworthy.voices import services

    editable = Appraisal.objects.filter(status__in=["draft", "changes-requested"])
    appraisal = editable.select_related("organisation").first()
    assert appraisal is not None, "the demo data has an appraisal still being written"
    new = services.open_consultation(
        appraisal=appraisal, user=appraisal.created_by, title="Family meetings",
        description="We want to try a family meeting before big decisions.",
        groups=["young-people", "carers"], expires_on=timezone.localdate() + datetime.timedelta(days=7),
    )  # fmt: skip
    return new.token


def _submit(port: int, path: str, index: int) -> tuple[str, float]:
    """One participant (the index-th): GET the page (its form token), POST the answers.

    Returns ("ok", post ms) or (what went wrong, 0).
    """
    proxy = proxy_headers(port)
    phone = {"X-Forwarded-Proto": "https", "X-Forwarded-For": f"198.18.{index // 256}.{index % 256}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=phone)
        page = conn.getresponse()
        body = page.read().decode()
        field = re.search(r'name="form_token" value="([^"]+)"', body)
        if page.status != 200 or not field:
            return f"page {page.status}{'' if field else ' without a form token'}", 0.0
        data = urlencode({**ANSWERS, "form_token": field.group(1)})
        start = time.perf_counter()
        headers = {
            **proxy,
            **phone,
            "Referer": f"{proxy['Origin']}{path}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status == 302 and response.getheader("Location", "").endswith("/thanks/"):
            return "ok", elapsed
        return f"post {response.status}", 0.0
    except OSError as exc:
        return type(exc).__name__, 0.0
    finally:
        conn.close()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def main() -> None:
    env = prepare_demo("trustworthy-bench-voices-")
    path = f"/v/{call_in_django(env, 'bench.bench_voices:open_consultation')}/"

    results: list[tuple[str, float]] = []
    lock = threading.Lock()
    with serving(env) as server:
        interval = 60 / RATE_PER_MINUTE
        start = time.perf_counter()

        def one(index: int) -> None:
            outcome = _submit(server.port, path, index)
            with lock:
                results.append(outcome)

        with ThreadPoolExecutor(max_workers=16) as pool:
            for i in range(TOTAL):
                due = start + i * interval
                now = time.perf_counter()
                if now - start > DEADLINE_SECONDS:
                    break
                if due > now:
                    time.sleep(due - now)
                pool.submit(one, i)
        elapsed = time.perf_counter() - start

    ok = [ms for outcome, ms in results if outcome == "ok"]
    failures = Counter(outcome for outcome, _ in results if outcome != "ok")
    errors = len(results) - len(ok)
    rate = len(results) / elapsed * 60
    print(
        f"gunicorn, 2 sync workers, SQLite, one consultation link on 127.0.0.1 behind a (simulated) TLS "
        f"proxy: {len(results)} submissions in {elapsed:.0f} s"
    )
    print(
        f"achieved {rate:.0f} a minute (target {RATE_PER_MINUTE}), errors {errors}"
        f"{' (' + ', '.join(f'{n} {what}' for what, n in failures.most_common()) + ')' if failures else ''}, "
        f"post p50 {_percentile(ok, 0.5):.1f} ms, p95 {_percentile(ok, 0.95):.1f} ms"
    )
    if errors or len(results) < TOTAL or rate < RATE_PER_MINUTE * 0.95:
        print("NOT MET")
        raise SystemExit(1)
    print("met")


if __name__ == "__main__":
    main()
