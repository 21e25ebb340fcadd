"""Load a framework file: parse, validate against the JSON Schema, check consistency, build.

Every problem is reported with the file, the line where the parser knows it, and a path
such as ``sections[1].questions[2].id``. Checks run in three passes, each only when the
one before found nothing, so that one fault does not cause a cascade of confusing ones:

1. YAML syntax and duplicate keys;
2. the JSON Schema (shape, types, allowed values);
3. consistency: duplicate ids, references to ids that do not exist, and the questions,
   answers and decisions the product's decision logic relies on.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from .errors import FrameworkError, Problem
from .model import (
    Choice,
    ContextDimension,
    Criterion,
    Decision,
    Field,
    Framework,
    Guidance,
    Lens,
    LightRoute,
    Principle,
    PrincipleCluster,
    Question,
    Register,
    Screening,
    ScreeningOption,
    ScreeningQuestion,
    Section,
    Source,
    Stage,
)

__all__ = [
    "DEFAULT_FRAMEWORK_FILE",
    "REQUIRED_QUESTIONS",
    "default_framework",
    "framework_to_dict",
    "load_framework",
    "load_framework_text",
    "schema",
]

DEFAULT_FRAMEWORK_FILE = "hgl-2021-1.0.0.yaml"
# The built-in edition is 25 kB; a file forty times that is not a framework.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # the built-in edition is seven levels deep

# Every edition must keep the published questions under their ids, because appraisals,
# exports and the decision logic refer to them. Editions may add questions of their own.
REQUIRED_QUESTIONS: Mapping[str, tuple[str, ...]] = {
    "parameters": ("P1", "P2", "P3", "P4", "P5", "P6", "P7"),
    "principles": ("E1", "E2", "E3"),
    "tests": ("T1", "T2", "T3", "T4", "T5", "T6"),
}
REQUIRED_ANSWERS = ("yes", "partly", "no", "unsure")
REQUIRED_DECISIONS = (
    "proceed",
    "proceed-with-mitigations",
    "proceed-despite-concerns",
    "reframe",
    "do-not-proceed",
)
RISK_FIELDS = ("likelihood", "severity", "status")

PathT = tuple[str | int, ...]


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{_shown(part)}" if out else _shown(part))
    return out


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _shown(key: str) -> str:
    """A key from the file as it can be printed: control characters escaped, not run by a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(key))


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema every framework file is checked against."""
    text = resources.files(__package__).joinpath("schema/framework-1.schema.json").read_text()
    return cast(dict[str, Any], json.loads(text))


@cache
def default_framework() -> Framework:
    """The edition the product ships with: hgl-2021 version 1.0.0."""
    ref = resources.files(__package__).joinpath("data", DEFAULT_FRAMEWORK_FILE)
    return load_framework_text(ref.read_text(encoding="utf-8"), DEFAULT_FRAMEWORK_FILE)


def load_framework(path: str | Path) -> Framework:
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # never more, whatever the file claims to be
        if len(data) > MAX_FILE_BYTES:
            raise FrameworkError([_too_big(str(path))])
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError([Problem(str(path), "", f"cannot read the file: {exc}")]) from exc
    return load_framework_text(text, str(path))


def _too_big(filename: str) -> Problem:
    return Problem(
        filename, "", f"the file is larger than {MAX_FILE_BYTES:,} bytes; a framework is far smaller"
    )


class _AliasRefused(yaml.composer.ComposerError):
    pass


class _Loader(yaml.SafeLoader):
    """YAML without anchors and aliases (`&name`, `*name`): a framework file never needs
    them, and aliases let a file of a few lines expand to gigabytes ("billion laughs")."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = cast(Any, self).peek_event()  # (untyped in the stubs)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused(
                None,
                None,
                "anchors and aliases (& and *) are not allowed in a framework file",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def load_framework_text(text: str, filename: str = "<string>") -> Framework:
    """Parse and check a framework (YAML or JSON text); raise FrameworkError listing all faults."""
    if len(text) > MAX_FILE_BYTES:
        raise FrameworkError([_too_big(filename)])
    lines, problems = _line_map(text, filename)
    if problems:
        raise FrameworkError(problems)
    data = yaml.load(text, Loader=_Loader)  # a SafeLoader, without aliases

    def problem(path: PathT, message: str) -> Problem:
        return Problem(filename, format_path(path), message, _nearest_line(lines, path))

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        raise FrameworkError([problem(tuple(e.absolute_path), _schema_message(e)) for e in errors])

    found = [problem(path, message) for path, message in _consistency(data)]
    if found:
        raise FrameworkError(found)
    return _build(data)


# --- pass 1: syntax, duplicate keys and line numbers ------------------------------------


def _line_map(text: str, filename: str) -> tuple[dict[PathT, int], list[Problem]]:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        return {}, [Problem(filename, "", "nested too deeply to be a framework file")]
    except _AliasRefused as exc:
        mark = exc.problem_mark
        return {}, [Problem(filename, "", str(exc.problem), mark.line + 1 if mark else None)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return {}, [Problem(filename, "", f"not valid YAML or JSON: {reason}", line)]
    if root is None:
        return {}, [Problem(filename, "", "the file is empty", 1)]
    lines: dict[PathT, int] = {}
    problems: list[Problem] = []

    def walk(node: yaml.Node, path: PathT) -> None:
        lines[path] = node.start_mark.line + 1
        if len(path) > MAX_DEPTH:
            problems.append(Problem(filename, format_path(path), "nested too deeply to be a framework file"))
            return
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    problems.append(
                        Problem(
                            filename,
                            format_path((*path, key)),
                            f"the key '{_shown(key)}' appears more than once",
                            key_node.start_mark.line + 1,
                        )
                    )
                seen.add(key)
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    walk(root, ())
    return lines, problems


def _nearest_line(lines: Mapping[PathT, int], path: PathT) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return f"unexpected field: {error.message.split('(')[-1].rstrip(')')}"
    if error.validator == "required":
        return f"missing required field: {error.message.split(' is a required')[0]}"
    if error.validator == "pattern":
        return f"{error.instance!r} is not in the expected form (pattern {error.validator_value})"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in cast(list[object], error.validator_value))
        return f"{error.instance!r} is not one of: {allowed}"
    return error.message


# --- pass 3: consistency ------------------------------------------------------------------


def _ids(items: list[dict[str, Any]], path: PathT) -> Iterator[tuple[PathT, str]]:
    for index, item in enumerate(items):
        yield (*path, index, "id"), item["id"]


def _duplicates(pairs: Iterable[tuple[PathT, str]], what: str) -> Iterator[tuple[PathT, str]]:
    first: dict[str, PathT] = {}
    for path, value in pairs:
        if value in first:
            yield path, f"duplicate {what} id '{value}' (first used at {format_path(first[value])})"
        else:
            first[value] = path


def _consistency(data: dict[str, Any]) -> Iterator[tuple[PathT, str]]:
    vocabularies = [
        "answer_scale",
        "stages",
        "sections",
        "registers",
        "aspects",
        "principle_clusters",
        "principles",
        "principle_ratings",
        "decisions",
        "motivations",
        "stakeholders",
        "participation_modes",
        "context_dimensions",
        "criterion_ratings",
        "readiness_dimensions",
        "lenses",
        "cultural_characteristics",
    ]
    for name in vocabularies:
        yield from _duplicates(_ids(data[name], (name,)), name.replace("_", " ").rstrip("s"))

    question_paths = [
        ((*path, "questions", q, "id"), question["id"])
        for s, section in enumerate(data["sections"])
        for path in [("sections", s)]
        for q, question in enumerate(section["questions"])
    ]
    yield from _duplicates(question_paths, "question")
    yield from _duplicates(_criterion_ids(data["criteria"], ("criteria",)), "criterion")
    for r, register in enumerate(data["registers"]):
        yield from _duplicates(_ids(register["fields"], ("registers", r, "fields")), "field")

    clusters = {c["id"] for c in data["principle_clusters"]}
    registers = {r["id"]: (("registers", i), r) for i, r in enumerate(data["registers"])}
    questions: dict[str, tuple[PathT, dict[str, Any]]] = {}
    for s, section in enumerate(data["sections"]):
        for q, question in enumerate(section["questions"]):
            path: PathT = ("sections", s, "questions", q)
            questions.setdefault(question["id"], (path, question))
            if "cluster" in question and question["cluster"] not in clusters:
                yield (*path, "cluster"), _unknown("principle cluster", question["cluster"], clusters)
            if "register" in question and question["register"] not in registers:
                yield (*path, "register"), _unknown("register", question["register"], registers)

    for i, principle in enumerate(data["principles"]):
        if principle["cluster"] not in clusters:
            yield ("principles", i, "cluster"), _unknown("principle cluster", principle["cluster"], clusters)
    used_clusters = {p["cluster"] for p in data["principles"]}
    for i, cluster in enumerate(data["principle_clusters"]):
        if cluster["id"] not in used_clusters:
            yield ("principle_clusters", i), f"cluster '{cluster['id']}' has no principles"

    for register_id, (path, register) in registers.items():
        owner = questions.get(register["question"])
        if owner is None:
            yield (*path, "question"), _unknown("question", register["question"], questions)
        elif owner[1].get("register") != register_id:
            yield (
                (*path, "question"),
                (f"question '{register['question']}' does not use register '{register_id}'"),
            )

    section_ids = {s["id"]: i for i, s in enumerate(data["sections"])}
    for section_id, required in REQUIRED_QUESTIONS.items():
        if section_id not in section_ids:
            yield ("sections",), f"missing section '{section_id}'"
            continue
        present = {q["id"] for q in data["sections"][section_ids[section_id]]["questions"]}
        for question_id in required:
            if question_id not in present:
                yield (
                    ("sections", section_ids[section_id], "questions"),
                    (f"missing question '{question_id}' in section '{section_id}'"),
                )
    for question_id in REQUIRED_QUESTIONS["tests"]:
        found = questions.get(question_id)
        if found and found[1]["kind"] != "closed":
            yield (
                (*found[0], "kind"),
                f"question '{question_id}' must be 'closed': the decision logic reads its answer",
            )
    p7 = questions.get("P7")
    if p7 and p7[1]["kind"] == "register" and p7[1]["register"] in registers:
        path, register = registers[p7[1]["register"]]
        fields = {f["id"] for f in register["fields"]}
        for name in RISK_FIELDS:
            if name not in fields:
                yield (*path, "fields"), f"the risk register needs a '{name}' field"
    elif p7:
        yield (*p7[0], "kind"), "question 'P7' must be a register of risks"

    yield from _missing_ids(data, "answer_scale", REQUIRED_ANSWERS, "answer")
    yield from _missing_ids(data, "decisions", REQUIRED_DECISIONS, "decision")
    if "translations" in data:
        yield from _translation_consistency(data)
    if "screening" in data:
        yield from _screening_consistency(data["screening"], questions)


# The light route must still answer what the decision logic reads: the tests, and P7's open risks.
LIGHT_ROUTE_REQUIRED = (*REQUIRED_QUESTIONS["tests"], "P7")


def _screening_consistency(
    screening: dict[str, Any], questions: Mapping[str, object]
) -> Iterator[tuple[PathT, str]]:
    yield from _duplicates(_ids(screening["questions"], ("screening", "questions")), "screening question")
    for i, question in enumerate(screening["questions"]):
        path: PathT = ("screening", "questions", i, "options")
        yield from _duplicates(_ids(question["options"], path), "screening option")
    light = screening["light_route"]["questions"]
    path = ("screening", "light_route", "questions")
    yield from _duplicates((((*path, i), q) for i, q in enumerate(light)), "light route question")
    for i, question_id in enumerate(light):
        if question_id not in questions:
            yield (*path, i), _unknown("question", question_id, questions)
    for question_id in LIGHT_ROUTE_REQUIRED:
        if question_id not in light:
            yield path, f"the light route must include '{question_id}': the decision logic reads its answer"


def _translation_consistency(data: dict[str, Any]) -> Iterator[tuple[PathT, str]]:
    """Every translated id is one the edition has."""
    question_ids = [q["id"] for s in data["sections"] for q in s["questions"]]
    for language, vocabularies in data["translations"].items():
        for vocabulary, items in vocabularies.items():
            known = question_ids if vocabulary == "questions" else [i["id"] for i in data[vocabulary]]
            for item_id in items:
                if item_id not in known:
                    path: PathT = ("translations", language, vocabulary, item_id)
                    yield path, _unknown(vocabulary.replace("_", " ").rstrip("s"), item_id, known)


def _criterion_ids(items: list[dict[str, Any]], path: PathT) -> Iterator[tuple[PathT, str]]:
    for index, item in enumerate(items):
        yield (*path, index, "id"), item["id"]
        yield from _criterion_ids(item.get("parts", []), (*path, index, "parts"))


def _unknown(what: str, value: str, known: Iterable[str]) -> str:
    return f"unknown {what} '{value}' (known: {', '.join(sorted(known)) or 'none'})"


def _missing_ids(
    data: dict[str, Any], key: str, required: tuple[str, ...], what: str
) -> Iterator[tuple[PathT, str]]:
    present = {item["id"] for item in data[key]}
    for value in required:
        if value not in present:
            yield (key,), f"missing {what} '{value}', which the decision logic relies on"


# --- building the model and dumping it back -------------------------------------------------


def _choices(items: list[dict[str, Any]]) -> tuple[Choice, ...]:
    return tuple(Choice(**item) for item in items)


def _criterion(item: dict[str, Any]) -> Criterion:
    return Criterion(item["id"], item["text"], tuple(_criterion(p) for p in item.get("parts", [])))


def _question(item: dict[str, Any], section_id: str) -> Question:
    return Question(
        **{k: v for k, v in item.items() if k != "guidance"},
        guidance=Guidance(**item["guidance"]),
        section_id=section_id,
    )


def _build(data: dict[str, Any]) -> Framework:
    return Framework(
        schema_version=data["schema_version"],
        id=data["id"],
        version=data["version"],
        title=data["title"],
        source=Source(**data["source"]),
        answer_scale=_choices(data["answer_scale"]),
        stages=tuple(Stage(**s) for s in data["stages"]),
        sections=tuple(
            Section(
                id=s["id"],
                number=s["number"],
                title=s["title"],
                preamble=s.get("preamble"),
                questions=tuple(_question(q, s["id"]) for q in s["questions"]),
            )
            for s in data["sections"]
        ),
        registers=tuple(
            Register(
                id=r["id"],
                question=r["question"],
                name=r["name"],
                fields=tuple(Field(**{**f, "choices": _choices(f.get("choices", []))}) for f in r["fields"]),
            )
            for r in data["registers"]
        ),
        aspects=_choices(data["aspects"]),
        principle_clusters=tuple(PrincipleCluster(**c) for c in data["principle_clusters"]),
        principles=tuple(Principle(**p) for p in data["principles"]),
        principle_ratings=_choices(data["principle_ratings"]),
        decisions=tuple(Decision(**d) for d in data["decisions"]),
        motivations=_choices(data["motivations"]),
        stakeholders=_choices(data["stakeholders"]),
        participation_modes=_choices(data["participation_modes"]),
        context_dimensions=tuple(
            ContextDimension(c["id"], c["label"], tuple(c["covers"])) for c in data["context_dimensions"]
        ),
        criteria=tuple(_criterion(c) for c in data["criteria"]),
        criterion_ratings=_choices(data["criterion_ratings"]),
        readiness_dimensions=_choices(data["readiness_dimensions"]),
        lenses=tuple(Lens(**lens) for lens in data["lenses"]),
        cultural_characteristics=_choices(data["cultural_characteristics"]),
        principles_source=data.get("principles_source"),
        criteria_source=data.get("criteria_source"),
        screening=_screening(data["screening"]) if "screening" in data else None,
        translations=data.get("translations", {}),
    )


def _screening(item: dict[str, Any]) -> Screening:
    return Screening(
        intro=item["intro"],
        questions=tuple(
            ScreeningQuestion(
                id=q["id"],
                text=q["text"],
                hint=q.get("hint"),
                options=tuple(ScreeningOption(**o) for o in q["options"]),
            )
            for q in item["questions"]
        ),
        light_route=LightRoute(item["light_route"]["description"], tuple(item["light_route"]["questions"])),
    )


def framework_to_dict(framework: Framework) -> dict[str, Any]:
    """The framework in the file's own structure (so it loads back to an equal model)."""

    def convert(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out = {}
            for f in dataclasses.fields(value):
                item = getattr(value, f.name)
                if f.name.startswith("_") or f.name == "section_id" or item is None or item in ((), {}):
                    continue
                if item is False and f.name in ("note_required", "reason_required", "flags_risk"):
                    continue
                out[f.name] = convert(item)
            return out
        if isinstance(value, tuple):
            return [convert(v) for v in value]
        return value

    return cast(dict[str, Any], convert(framework))
