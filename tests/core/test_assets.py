"""The compiled front end: GOV.UK Frontend without the GOV.UK brand, ready to deploy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ASSETS_DIR = Path(settings.ASSETS_DIR)

pytestmark = pytest.mark.skipif(
    not (ASSETS_DIR / "css" / "application.css").exists(),
    reason=f"No compiled assets in {ASSETS_DIR}: run `make assets` (`make pytest` does)",
)


def test_stylesheet_has_no_gov_uk_font_or_images() -> None:
    css = (ASSETS_DIR / "css" / "application.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert re.findall(r"url\([^)]*\)", css) == [], "the stylesheet refers to files the service does not ship"
    assert "system-ui" in css
    assert ".app-link-button" in css
    assert ".app-inline-form{display:inline}" in css


def test_javascript_starts_gov_uk_frontend() -> None:
    script = (ASSETS_DIR / "js" / "application.js").read_text()
    assert 'from "./govuk-frontend.min.js"' in script
    assert "initAll()" in script
    assert (ASSETS_DIR / "js" / "govuk-frontend.min.js").stat().st_size > 10_000


def test_collectstatic_hashes_names_and_rewrites_the_module_import(tmp_path: Path) -> None:
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "trustworthy.core.storage.StaticStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_frontend = manifest["js/govuk-frontend.min.js"]
    assert hashed_frontend != "js/govuk-frontend.min.js"
    application = (tmp_path / manifest["js/application.js"]).read_text()
    assert f'from "./{Path(hashed_frontend).name}"' in application
    assert (tmp_path / (manifest["css/application.css"] + ".gz")).exists()
