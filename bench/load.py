"""A small, bounded HTTP load generator for benchmarks on 127.0.0.1 (standard library only)."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    def line(self) -> str:
        return (
            f"{self.path:<40} {self.rps:8.0f} req/s  p50 {self.percentile(0.5):6.1f} ms  "
            f"p95 {self.percentile(0.95):6.1f} ms  errors {self.errors}"
        )


def run_load(
    port: int, path: str, *, requests: int, concurrency: int = 4, cookie: str = "", expect: int = 200
) -> LoadResult:
    """Send `requests` GETs with `concurrency` threads; count any other status as an error."""
    per_thread = requests // concurrency
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        for _ in range(per_thread):
            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status != expect:
                    bad += 1
            except OSError:
                bad += 1
            finally:
                conn.close()
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return LoadResult(path, per_thread * concurrency, errors, elapsed, tuple(latencies))


def median_ms(result: LoadResult) -> float:
    return statistics.median(result.latencies_ms)
