"""The framework package must not import Django: an import-linter contract enforces it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_framework_package_keeps_its_contract() -> None:
    result = subprocess.run([LINT_IMPORTS], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The framework package is pure Python: no Django KEPT" in result.stdout


def test_the_contract_fails_when_a_framework_module_imports_django(tmp_path: Path) -> None:
    package = tmp_path / "impure" / "framework"
    package.mkdir(parents=True)
    (tmp_path / "impure" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from django.db import models  # noqa\n")
    config = tmp_path / ".importlinter"
    config.write_text(
        textwrap.dedent(
            """\
            [importlinter]
            root_package = impure
            include_external_packages = true

            [importlinter:contract:pure]
            name = pure
            type = forbidden
            source_modules = impure.framework
            forbidden_modules = django
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [LINT_IMPORTS, str(config)], cwd=tmp_path, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 1, result.stdout
    assert "pure BROKEN" in result.stdout
