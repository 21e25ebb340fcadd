"""Browser tests: Playwright driving Debian's chromium against pytest-django's live_server.

Every page fixture opens a fresh browser context whose `base_url` is the live server, so
tests can `page.goto("/projects/")`. Use `visit(page, url)` to go to a page and check it
with axe-core in one step, or call `assert_accessible(page)` after any other navigation
or change to the page (after submitting a form, opening a details element and so on).
Both also check that the page fits a 375 px phone without scrolling sideways, whatever size
the test's page is (see `assert_fits_small_screen`).

When a test ends, the harness also fails it if any page it opened
- asked for anything outside the live server (no CDN, fonts or analytics),
- had a request refused by the Content Security Policy, or
- threw an uncaught JavaScript error.

Fixtures: `browser` (session), `new_page(...)` (a factory), `page` (1280x800, or the size
given by `@pytest.mark.viewport(width, height)`), `mobile_page` (375x812), `no_js_page`
(JavaScript off), `page_as(role)` (signed in as a member of the `organisation` fixture).
Helpers: `visit(page, url, status=200)`, `assert_accessible(page)`, `requests_made(page)`,
`sign_in(page, live_server.url, user)`. Tests in this folder are marked `browser`:
`pytest -m "not browser"` leaves them out.

axe-core runs in the page, so on pages with JavaScript off it checks a script-free copy
of the page instead. It lets through one thing only: `aria-expanded` on GOV.UK radios
with a conditional question, which GOV.UK Frontend sets on purpose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    ViewportSize,
    sync_playwright,
)

CHROMIUM = os.environ.get("TRUSTWORTHY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 375, "height": 812}
# WCAG 2.2 level AA, with the levels A and AA of 2.0 and 2.1 it builds on.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()
_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# --- checks ---------------------------------------------------------------------------


def assert_accessible(
    page: Page,
    *,
    context: str | list[Any] | dict[str, Any] | None = None,
    disable_rules: tuple[str, ...] = (),
) -> None:
    """Run axe-core on the page as it is now; fail listing every WCAG 2.2 AA violation.

    `context` limits the check to part of the page (a CSS selector, or axe's context
    object). `disable_rules` turns rules off by id: say why wherever you use it.
    """
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
    }
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    record = _records.get(id(page))
    if record is not None and not record.javascript:
        violations = _axe_without_javascript(page, context, options)
    else:
        violations = _axe.run(page, context=context, options=options).response["violations"]
    violations = _without_known_exceptions(violations)
    if violations:
        pytest.fail(
            f"Accessibility violations on {page.url}:\n{format_violations(violations)}", pytrace=False
        )
    assert_fits_small_screen(page)


# What stands out past the right edge: the innermost elements wider than the window, so the
# failure names the table or word to fix rather than every box around it.
_OVERFLOW = """() => {
  const limit = window.innerWidth;
  const width = (document.scrollingElement || document.documentElement).scrollWidth;
  const out = [];
  if (width > limit + 1) {
    const over = (el) => el.getBoundingClientRect().right > limit + 1;
    for (const el of document.body.querySelectorAll("*")) {
      if (out.length >= 5) break;
      if (over(el) && ![...el.children].some(over)) {
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
          + [...el.classList].map((c) => "." + c).join("");
        out.push(name + " (" + Math.round(el.getBoundingClientRect().right) + " px): "
          + (el.textContent || "").trim().slice(0, 60));
      }
    }
  }
  return {width, limit, out};
}"""


def assert_fits_small_screen(page: Page) -> None:
    """Fail if the page, shown 375 px wide, scrolls sideways (1 px is let through for rounding).

    The window is made 375 px wide for the check and then put back as it was, so every page
    a test checks is checked on a small phone too, and the test carries on at its own size.
    """
    viewport = page.viewport_size or DESKTOP
    narrow = viewport["width"] != MOBILE["width"]
    if narrow:
        page.set_viewport_size({"width": MOBILE["width"], "height": viewport["height"]})
    try:
        found = page.evaluate(_OVERFLOW)
    finally:
        if narrow:
            page.set_viewport_size(viewport)
    if found["width"] > found["limit"] + 1:
        wide = "\n".join(f"    {line}" for line in found["out"])
        pytest.fail(
            f"{page.url} scrolls sideways on a {found['limit']} px screen: it is {found['width']} px "
            f"wide.\n  Past the edge:\n{wide}",
            pytrace=False,
        )


def _is_conditional_reveal_radio(node: dict[str, Any]) -> bool:
    """GOV.UK Frontend's conditional reveal sets `aria-expanded` on radios, on purpose.

    ARIA does not list `aria-expanded` for radios, so axe reports it, but GOV.UK's
    research found screen readers announce it usefully and no harm from it: see
    https://github.com/alphagov/govuk-frontend/issues/979. Only that is let through.
    """
    html = node.get("html", "")
    messages = [check.get("message", "") for check in node.get("all", []) + node.get("any", [])]
    return (
        'type="radio"' in html
        and "govuk-radios__input" in html
        and "aria-controls=" in html
        and bool(messages)
        and all(
            re.fullmatch(r'ARIA attributes? (is|are) not allowed: aria-expanded="(true|false)"', m)
            for m in messages
        )
    )


def _without_known_exceptions(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    for violation in violations:
        if violation["id"] == "aria-allowed-attr":
            nodes = [n for n in violation["nodes"] if not _is_conditional_reveal_radio(n)]
            if not nodes:
                continue
            violation = {**violation, "nodes": nodes}
        kept.append(violation)
    return kept


def _axe_without_javascript(page: Page, context: Any, options: dict[str, Any]) -> list[dict[str, Any]]:
    """axe-core needs JavaScript, so check a copy of the page, without its scripts, elsewhere.

    The copy is the page's DOM as the browser built it with JavaScript off (so <noscript>
    content and no `js-enabled` class), shown at the same size with the same stylesheets.
    """
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.IGNORECASE | re.DOTALL)
    browser = page.context.browser
    assert browser is not None
    viewport = page.viewport_size or DESKTOP
    copy_context = browser.new_context(viewport=viewport, locale="en-GB")
    try:
        copy = copy_context.new_page()
        copy.route(page.url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        copy.goto(page.url)
        return list(_axe.run(copy, context=context, options=options).response["violations"])
    finally:
        copy_context.close()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


def visit(page: Page, url: str, *, status: int | None = 200, accessible: bool = True) -> Response:
    """Go to `url` (relative to the live server), check the status and then axe-core.

    Pass `status=None` to accept any status, `accessible=False` to skip the axe check
    (then check the page later with `assert_accessible`).
    """
    response = page.goto(url)
    assert response is not None, f"No response for {url}"
    if status is not None:
        assert response.status == status, f"{url} answered {response.status}, not {status}"
    if accessible:
        assert_accessible(page)
    return response


def sign_in(page: Page, live_server_url: str, user: Any) -> None:
    """Give the page's browser context a session signed in as `user` (no login form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


# --- what each page did -----------------------------------------------------------------


@dataclass
class PageRecord:
    """What a page asked for and what went wrong, checked when the test ends."""

    origin: str
    javascript: bool = True
    requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        def outside(url: str) -> bool:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                return False
            return f"{parts.scheme}://{parts.netloc}" != self.origin

        return [url for url in self.requests if outside(url)]

    def problems(self) -> list[str]:
        found = [f"request outside the service: {url}" for url in self.external_requests()]
        found += [f"blocked by the Content Security Policy: {text}" for text in self.csp_violations]
        found += [f"JavaScript error: {text}" for text in self.errors]
        return found


def _watch(page: Page, origin: str, javascript: bool) -> PageRecord:
    record = PageRecord(origin=origin, javascript=javascript)

    def on_request(request: Request) -> None:
        record.requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            record.csp_violations.append(message.text)

    def on_page_error(error: Exception) -> None:
        record.errors.append(str(error))

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return record


def requests_made(page: Page) -> list[str]:
    """Every URL the page has requested so far (documents, CSS, JavaScript, images...)."""
    return list(_records[id(page)].requests)


_records: dict[int, PageRecord] = {}


# --- fixtures ---------------------------------------------------------------------------


class _Chromium:
    """One Chromium for the whole run. Test folders other than this one import the fixtures
    below, and each import is a fixture of its own to pytest; a second Playwright started
    while the first runs fails, so every `browser` fixture hands out this one."""

    playwright: Playwright | None = None
    browser: Browser | None = None


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No chromium at {CHROMIUM}: install Debian's with "
            "`apt-get install -y --no-install-recommends chromium` (make test does), "
            "or set TRUSTWORTHY_CHROMIUM to another build.",
            pytrace=False,
        )
    if _Chromium.browser is None:
        _Chromium.playwright = sync_playwright().start()
        _Chromium.browser = _Chromium.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return _Chromium.browser


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _Chromium.browser is not None:
        _Chromium.browser.close()
    if _Chromium.playwright is not None:
        _Chromium.playwright.stop()
    _Chromium.browser = _Chromium.playwright = None


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[NewPage]:
    """A factory: `new_page(viewport={"width": 375, "height": 812}, java_script_enabled=False)`.

    Each call opens a new browser context (its own cookies) with `base_url` set to the
    live server; any other keyword goes to `browser.new_context`.
    """
    opened: list[tuple[Page, PageRecord]] = []

    def make(viewport: ViewportSize | None = None, **context_options: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            locale="en-GB",
            **context_options,
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        record = _watch(page, live_server.url, context_options.get("java_script_enabled", True))
        _records[id(page)] = record
        opened.append((page, record))
        return page

    yield make

    problems: list[str] = []
    for page, record in opened:
        problems += record.problems()
        _records.pop(id(page), None)
        page.context.close()
    if problems:
        pytest.fail("Problems in the browser:\n" + "\n".join(f"- {p}" for p in problems), pytrace=False)


@pytest.fixture
def page(new_page: NewPage, request: pytest.FixtureRequest) -> Page:
    """A desktop page (1280x800); `@pytest.mark.viewport(width, height)` changes the size."""
    marker = request.node.get_closest_marker("viewport")
    viewport: ViewportSize | None = {"width": marker.args[0], "height": marker.args[1]} if marker else None
    return new_page(viewport=viewport)


@pytest.fixture
def mobile_page(new_page: NewPage) -> Page:
    """A page 375 pixels wide, the size of a small phone."""
    return new_page(viewport=MOBILE, is_mobile=True, has_touch=True)


@pytest.fixture
def no_js_page(new_page: NewPage) -> Page:
    """A desktop page with JavaScript turned off: every journey must work like this too."""
    return new_page(java_script_enabled=False)


@pytest.fixture
def page_as(new_page: NewPage, live_server: Any, organisation: Any) -> Callable[..., Page]:
    """`page_as("lead")`: a new page signed in as that role's member of `organisation`.

    Keyword arguments go to `new_page` (for example `viewport=MOBILE`).
    """
    from trustworthy.organisations.models import User

    def make(role: str, slug: str = "council", **options: Any) -> Page:
        page = new_page(**options)
        sign_in(page, live_server.url, User.objects.get(email=f"{role}@{slug}.test"))
        return page

    return make
