"""The route engine is called on every section-3 page view: keep it cheap.

Prints the cost of computing a route for every T1-T6 combination as a ratio to building
the same answer dictionaries without computing anything, measured in the same run.
"""

from __future__ import annotations

import itertools
import timeit

from trustworthy.framework import compute_route

VALUES = (None, "yes", "partly", "no", "unsure")
IDS = ("T1", "T2", "T3", "T4", "T5", "T6")
COMBOS = [dict(zip(IDS, c, strict=True)) for c in itertools.product(VALUES, repeat=6)]


def baseline() -> None:
    for answers in COMBOS:
        dict(answers)


def routes() -> None:
    for answers in COMBOS:
        compute_route(answers, 12)


def main() -> None:
    base = min(timeit.repeat(baseline, number=3, repeat=5)) / 3
    cost = min(timeit.repeat(routes, number=3, repeat=5)) / 3
    per_route_us = cost / len(COMBOS) * 1e6
    print(f"routes for {len(COMBOS)} answer sets: {cost * 1e3:.1f} ms ({per_route_us:.1f} us each)")
    print(f"ratio to copying the answers alone: {cost / base:.1f}x")


if __name__ == "__main__":
    main()
