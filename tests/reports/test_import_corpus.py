# ruff: noqa: E501  (the table of expected problems reads best one case to a line)
"""The import fuzz corpus: every malformed file is refused with a clear message, exit code 1,
no traceback, nothing echoed that a terminal would act on, and nothing written.

The files are in import_corpus/ (README.md there says what each one is). `valid.json` is
the control: the record every content-level case was made from, which imports. Files too
big to keep in the repository (over the size limit, a 1 MB family summary) are made here.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustworthy.appraisals.models import Answer, Appraisal, Decision, Project
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation
from trustworthy.reports import importer
from trustworthy.reports.models import RecordSettings

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).with_name("import_corpus")
HIDDEN = "Remove the hidden characters from this text"

# Each malformed file, and what its (first) problem says.
EXPECTED = {
    "answers-not-a-list.json": "answers: 'yes' is not of type 'array'",
    "c1-control-in-note.json": f"principles[0].note: {HIDDEN} (the first is U+009B, at character 1)",
    "control-character-in-key.json": "the file: a field name: Remove the hidden characters",
    "data-link.json": "answers[1].evidence: “data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==” is not a web link",
    "duplicate-decision-key.json": "the file gives “decision” twice in the same object; give each field once",
    "duplicate-key-in-project.json": "the file gives “title” twice in the same object",
    "empty.json": "the file is empty",
    "family-summary-over-its-limit.json": "summary.text: This text must be 5,000 characters or fewer (it has 6,000)",
    "form-feed-in-answer.json": f"answers[0].rationale: {HIDDEN} (the first is U+000C, at character 10)",
    "impossible-date.json": "decision.decided_on: '2026-02-30' is not a 'date'",
    "infinity.json": "the file has -Infinity, which is not a JSON number",
    "integer-5000-digits.json": "the file has a number 5,000 digits long",
    "invalid-utf-8-byte.json": "the file is not UTF-8 text (byte",
    "javascript-link.json": "answers[0].evidence: “javascript:alert(document.cookie)” is not a web link",
    "latin-1.json": "the file is not UTF-8 text",
    "list-of-1001-answers.json": "answers: more than 1,000 items",
    "lone-surrogate.json": f"project.title: {HIDDEN} (the first is U+D800, at character 1)",
    "nan.json": "the file has NaN, which is not a JSON number",
    "nested-10000-levels.json": "the file is nested more than 20 levels deep",
    "nested-30-levels-in-a-field.json": "the file is nested more than 20 levels deep",
    "nul-byte.json": "the file: it contains NUL characters",
    "nul-escaped.json": f"project.title: {HIDDEN} (the first is U+0000, at character 1)",
    "only-spaces.json": "the file is empty",
    "public-version.json": "public: this is the public version",
    "string-of-20000-characters.json": "project.summary: This text must be 5,000 characters or fewer (it has 20,000)",
    "summary-over-its-limit.json": "project.summary: This text must be 5,000 characters or fewer (it has 6,000)",
    "terminal-escape-codes.json": f"project.title: {HIDDEN} (the first is U+001B, at character 1)",
    "title-over-its-limit.json": "project.title: 'TTTTT",
    "top-level-array.json": "the file: [",
    "top-level-null.json": "the file: None is not of type 'object'",
    "top-level-string.json": "the file: 'a decision record' is not of type 'object'",
    "truncated.json": "the file is not valid JSON",
    "unknown-field.json": "the file: Additional properties are not allowed ('admin' was unexpected)",
    "unknown-framework.json": "framework: made-up-framework@1.0.0 is not installed here",
    "unknown-question.json": "answers[0].question_id: “Q99” is not a question of hgl-2021@1.0.0",
    "utf-16-with-bom.json": "the file is not UTF-8 text (byte 1 cannot be read)",
    "wrong-types.json": "decision.decided_on: 20260101 is not of type 'string'",
}  # fmt: skip
# What a terminal would act on: escape sequences, bell, NUL, the C1 "CSI".
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x00", "\x9b", "\x0c", "\r")


def _counts() -> dict[str, int]:
    models = (Organisation, Project, Appraisal, Answer, Decision, RecordSettings, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def _import(path: Path) -> tuple[int, list[str], BaseException | None]:
    result = CliRunner().invoke(main, ["import", str(path)])
    return result.exit_code, result.output.splitlines(), result.exception


def test_the_corpus_has_every_case_and_each_has_its_expected_problem() -> None:
    files = {p.name for p in CORPUS.glob("*.json")}
    assert files - {"valid.json"} == set(EXPECTED)
    assert len(EXPECTED) >= 25


def test_the_control_file_imports(organisation: Organisation) -> None:
    """So each malformed file, made from it, is refused for what was done to it."""
    code, lines, _ = _import(CORPUS / "valid.json")
    assert code == 0, lines
    assert lines[0].startswith(
        "Imported “Family group conferencing for every family” into Northshire Council"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_file_is_refused_with_a_message_and_nothing_written(
    organisation: Organisation, name: str
) -> None:
    before = _counts()
    path = CORPUS / name
    code, lines, exception = _import(path)
    assert code == 1, lines
    assert isinstance(exception, SystemExit), exception  # refused, not crashed
    output = "\n".join(lines)
    assert "Traceback" not in output
    assert not any(c in output for c in TERMINAL_CONTROLS), repr(output[:500])
    assert lines[0] == f"{path} cannot be imported. Nothing was written. Problems:"
    problems = [line.removeprefix("  - ") for line in lines[1:]]
    assert problems
    assert all(line.startswith("  - ") for line in lines[1:])
    assert EXPECTED[name] in problems[0], problems
    assert all(len(p) <= importer.MAX_PROBLEM_CHARS for p in problems)
    assert _counts() == before


def _valid() -> dict[str, object]:
    return json.loads((CORPUS / "valid.json").read_text("utf-8"))


def test_a_one_megabyte_family_summary_is_refused(organisation: Organisation, tmp_path: Path) -> None:
    doc = _valid() | {"summary": {"text": "We decided to go ahead. " * 45_000, "edited": True}}
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(doc), "utf-8")
    before = _counts()
    code, lines, _ = _import(path)
    assert code == 1
    assert "  - summary.text: This text must be 5,000 characters or fewer (it has 1,080,000)" in lines
    assert _counts() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    organisation: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "fifty-megabytes.json"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    tracemalloc.start()
    try:
        code, lines, _ = _import(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 1
    assert lines[1] == "  - the file is larger than 5 MB; a decision record is much smaller"
    assert peak < 2 * 1024 * 1024, peak  # not read: the 50 MB file cost 504 MB before


def test_a_stream_with_no_size_is_read_no_further_than_the_limit() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(importer.ImportRefused) as refused:
            importer.read_file("/dev/zero")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.problems == [importer.TOO_BIG]
    assert peak < 3 * importer.MAX_FILE_BYTES


def test_a_file_just_under_the_size_limit_costs_at_most_a_few_times_its_size() -> None:
    # Short strings: what makes Python hold the most for the size of a file.
    text = json.dumps({"colour": ["ab"] * 850_000})
    assert len(text) < importer.MAX_FILE_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(importer.ImportRefused) as refused:
            importer.parse(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.problems == ["colour: more than 1,000 items; a record has far fewer"]
    assert peak < 20 * len(text), peak


def test_a_file_with_too_many_values_is_refused() -> None:
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse(json.dumps(_valid() | {"colour": [["ab"] * 900 for _ in range(60)]}))
    assert refused.value.problems == [
        "the file holds more than 50,000 values; a decision record holds far fewer"
    ]


def test_a_byte_order_mark_is_allowed(organisation: Organisation, tmp_path: Path) -> None:
    """RFC 8259 lets a reader ignore it; some editors add it on saving."""
    path = tmp_path / "with-bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (CORPUS / "valid.json").read_bytes())
    code, lines, _ = _import(path)
    assert code == 0, lines


def test_every_problem_is_listed_but_never_more_than_fifty(
    organisation: Organisation, tmp_path: Path
) -> None:
    doc = _valid()
    doc["answers"] = [{"question_id": f"Q{i}"} for i in range(200)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(doc), "utf-8")
    code, lines, _ = _import(path)
    assert code == 1
    assert len(lines) == 1 + importer.MAX_PROBLEMS + 1
    assert lines[-1].startswith("  - and ")
    assert lines[-1].endswith(" more problems")
