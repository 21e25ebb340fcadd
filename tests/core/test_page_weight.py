"""Pages stay light: people use the service on old phones and slow council networks."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

BUDGET = 60 * 1024  # bytes, gzip-compressed: the page and everything it loads
ASSETS_DIR = Path(settings.ASSETS_DIR)

pytestmark = pytest.mark.skipif(
    not (ASSETS_DIR / "css" / "application.css").exists(),
    reason=f"No compiled assets in {ASSETS_DIR}: run `make assets` (`make pytest` does)",
)

LINKED = re.compile(r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="(?P<url>/static/[^"]+)"')
IMPORTED = re.compile(r"""\bimport\b[^"';]*?\bfrom\s*["'](?P<url>\./[^"']+)["']""")


def _static_file(url: str) -> Path:
    found = finders.find(url.removeprefix(settings.STATIC_URL))
    assert found, f"{url} is linked from the page but is not in the static files"
    return Path(found)


def _with_imports(url: str, seen: dict[str, bytes]) -> None:
    if url in seen:
        return
    content = _static_file(url).read_bytes()
    seen[url] = content
    if url.endswith(".js"):
        for match in IMPORTED.finditer(content.decode()):
            _with_imports(url.rsplit("/", 1)[0] + "/" + match["url"].removeprefix("./"), seen)


def _gzipped(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=9))


def test_not_found_page_and_its_assets_are_under_60_kb_gzipped(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()

    files: dict[str, bytes] = {}
    for match in LINKED.finditer(html):
        _with_imports(match["url"], files)

    assert "/static/css/application.css" in files
    assert "/static/js/application.js" in files
    assert "/static/js/govuk-frontend.min.js" in files, "application.js should import GOV.UK Frontend"
    sizes = {"page": _gzipped(response.content)} | {url: _gzipped(content) for url, content in files.items()}
    total = sum(sizes.values())
    report = ", ".join(f"{name} {size / 1024:.1f} kB" for name, size in sizes.items())
    assert total < BUDGET, f"{total / 1024:.1f} kB gzipped is over the {BUDGET // 1024} kB budget: {report}"
