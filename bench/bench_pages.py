"""Serve a full demo appraisal with gunicorn and measure its pages against a trivial view.

Targets (ratios of requests per second to /healthz, measured in the same run):
task list and a question page at least 1/4; "check your answers" at least 1/8.
"""

from __future__ import annotations

from bench.load import run_load
from bench.server import prepare_demo, serving

TARGETS = {"task list": 4, "question page": 4, "register page": 4, "check your answers": 8}


def _session_cookie(email: str) -> tuple[str, int]:
    """A signed-in session for `email`, and the id of the demo's approved appraisal."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from trustworthy.appraisals.models import Decision
    from trustworthy.organisations.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    decision = Decision.objects.filter(
        appraisal__organisation__memberships__user=user, is_departure=False
    ).first()
    assert decision is not None, "the demo data has an approved appraisal"
    return f"sessionid={session.session_key}", decision.appraisal_id


def main() -> None:
    env = prepare_demo("trustworthy-bench-")
    cookie, appraisal = _session_cookie("lead@council.example.org")

    with serving(env) as port:
        pages = {
            "trivial view": "/healthz",
            "task list": f"/appraisals/{appraisal}/",
            "question page": f"/appraisals/{appraisal}/questions/P1/",
            "register page": f"/appraisals/{appraisal}/questions/P7/",
            "check your answers": f"/appraisals/{appraisal}/check/",
        }
        for path in pages.values():  # warm up both workers
            run_load(port, path, requests=40, cookie=cookie)
        results = {name: run_load(port, path, requests=800, cookie=cookie) for name, path in pages.items()}

    base = results["trivial view"]
    print("gunicorn, 2 sync workers, 4 client threads, 800 requests per page, on 127.0.0.1")
    for name, result in results.items():
        print(f"{name:<20} {result.line()}")
    failed = False
    for name, divisor in TARGETS.items():
        ratio = results[name].rps / base.rps
        ok = ratio >= 1 / divisor and results[name].errors == 0
        failed |= not ok
        verdict = "met" if ok else "NOT MET"
        print(f"{name:<20} {ratio:5.2f} of the trivial view (target at least 1/{divisor}): {verdict}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
