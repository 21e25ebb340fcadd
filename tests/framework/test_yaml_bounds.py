"""Loading a framework file is bounded: no anchors or aliases (a "billion laughs" file of a
few lines once took 3 GB and died), no file over 1 MB, no nesting deeper than a framework's."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from trustworthy.framework import FrameworkError, default_framework, framework_to_dict, load_framework, loader

LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)


def _limited() -> None:
    # Without the bound this file needs gigabytes: fail fast instead of taking the machine.
    resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))


def test_a_billion_laughs_file_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "trustworthy.cli", "framework", "validate", str(path)],
        capture_output=True, text=True, timeout=60, preexec_fn=_limited, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr == (
        f"1 problem in framework file:\n  {path}:1: (top level): "
        "anchors and aliases (& and *) are not allowed in a framework file\n"
    )


def test_an_alias_is_refused_even_where_it_would_be_harmless() -> None:
    text = "defaults: &d {kind: open}\nother: *d\n"
    with pytest.raises(FrameworkError, match="anchors and aliases"):
        loader.load_framework_text(text, "alias.yaml")


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as file:
        file.truncate(loader.MAX_FILE_BYTES + 1)
    with pytest.raises(FrameworkError, match="the file is larger than 1,000,000 bytes"):
        load_framework(path)


@pytest.mark.parametrize("depth", [30, 5_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(FrameworkError, match="nested too deeply to be a framework file"):
        loader.load_framework_text("x: " + "[" * depth + "]" * depth, "deep.yaml")


def test_the_built_in_edition_and_its_json_still_load() -> None:
    fw = default_framework()
    assert loader.load_framework_text(json.dumps(framework_to_dict(fw)), "dumped.json") == fw


def test_keys_from_the_file_are_shown_without_their_control_characters() -> None:
    with pytest.raises(FrameworkError) as caught:
        loader.load_framework_text('id: x\n"a\\e[31mb": 1\n"a\\e[31mb": 2\n', "escape.yaml")
    assert str(caught.value.problems[0]) == (
        "escape.yaml:3: a\\x1b[31mb: the key 'a\\x1b[31mb' appears more than once"
    )
    assert "\x1b" not in str(caught.value)
