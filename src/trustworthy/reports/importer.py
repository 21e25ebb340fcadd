"""Import a decision record (JSON, format decision-record-1) as a new project and appraisal.

The file is checked against the JSON Schema and then against the framework edition it
names; every problem is listed, and nothing is written unless there are none. The
project and appraisal are then recreated through the appraisal services, in one
transaction, so the same rules apply as on the web. Sign-off is not imported: an imported
appraisal starts as a draft, to be reviewed and signed again.

Actions come in with their status, dates and evidence. Their owners come in as named in the
record (in words: a record holds people's names, not their accounts here), and an action
carried forward from an earlier stage comes in without that link, since the earlier stage
is not imported with it.
"""

from __future__ import annotations

import datetime
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DataError, transaction

from trustworthy.appraisals import actions, declaring, services
from trustworthy.appraisals.evaluation import kinds
from trustworthy.appraisals.frameworks import framework_for
from trustworthy.appraisals.models import Appraisal
from trustworthy.core import text as texts
from trustworthy.core.errors import Invalid, Refused
from trustworthy.framework import (
    Framework,
    RegisterRowError,
    clean_register_row,
    compute_route,
    departure_problem,
    open_risk_score,
    risk_register,
)
from trustworthy.organisations.changes import as_operator
from trustworthy.organisations.models import Membership, Organisation, User

from . import readiness as readiness_part
from . import screening_record
from .render_json import schema_problems
from .services import save_summary

# Bounds checked before anything else, so that no file, however made, costs more than a
# real record: a record is tens of kilobytes, six levels deep, with numbers of a few digits.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 20
MAX_ITEMS = 1_000  # in any one list or object (a register of a thousand rows is already a lot)
MAX_VALUES = 50_000  # in the whole file (a full record holds a few thousand)
MAX_DIGITS = 18  # in a whole number
MAX_PROBLEMS = 50  # listed; the rest are counted
MAX_PROBLEM_CHARS = 300


def _shown(problem: str) -> str:
    """A problem as it can be shown anywhere: short, and with no control characters a
    terminal would act on (problems quote the file)."""
    problem = texts.printable(problem)
    return problem if len(problem) <= MAX_PROBLEM_CHARS else problem[: MAX_PROBLEM_CHARS - 1] + "…"


class ImportRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        shown = [_shown(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"and {len(problems) - MAX_PROBLEMS:,} more problems")
        super().__init__("\n".join(shown))
        self.problems = shown


@dataclass(frozen=True)
class Imported:
    appraisal: Appraisal
    organisation: Organisation


TOO_BIG = f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; a decision record is much smaller"


def read_file(path: str | Path) -> str:
    """The text of a file to import, refused before it is read in full if it is too big."""
    try:
        with Path(path).open("rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_FILE_BYTES:
                raise ImportRefused([TOO_BIG])
            data = file.read(MAX_FILE_BYTES + 1)  # a pipe or device has no size to check first
    except OSError as exc:
        raise ImportRefused([f"the file cannot be read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused([TOO_BIG])
    return decode(data)


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            [f"the file is not UTF-8 text (byte {exc.start + 1:,} cannot be read); save it as UTF-8"]
        ) from None
    return text.removeprefix("\ufeff")  # a byte order mark, as some editors add (RFC 8259 allows ignoring it)


class _Unreadable(Exception):
    """Raised while parsing: the message is the problem."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # The last would win silently: a second "decision" could drop the decision.
            raise _Unreadable(f"the file gives “{key}” twice in the same object; give each field once")
        out[key] = value
    return out


def _whole_number(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Unreadable(f"the file has a number {len(digits):,} digits long; no number in a record is")
    return int(digits)


def _no_constant(name: str) -> Any:
    raise _Unreadable(f"the file has {name}, which is not a JSON number")


def parse(text: str) -> Any:
    """The JSON document in `text`, within the bounds above, with every string clean."""
    if len(text) > MAX_FILE_BYTES:
        raise ImportRefused([TOO_BIG])
    if "\x00" in text:
        raise ImportRefused(["the file: it contains NUL characters, which a decision record cannot hold"])
    if not text.strip():
        raise ImportRefused(["the file is empty"])
    try:
        doc = json.loads(
            text, object_pairs_hook=_unique_keys, parse_int=_whole_number, parse_constant=_no_constant
        )
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [f"the file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    except _Unreadable as exc:
        raise ImportRefused([str(exc)]) from None
    except RecursionError:
        raise ImportRefused(
            [f"the file is nested more than {MAX_DEPTH} levels deep; a record is not"]
        ) from None
    problems = _shape_problems(doc)
    if problems:
        raise ImportRefused(problems)
    return doc


def _shape_problems(doc: Any) -> list[str]:
    """Depth, size, and every string (keys too) without hidden characters. Each problem
    names where it is, as the schema's problems do. (Lengths are checked field by field,
    once the document has the schema's shape: `_text_problems`.) Paths are worked out only
    when there is a problem to place."""
    problems = _walk(doc, locate=False)
    return _walk(doc, locate=True) if problems == [""] else problems


def _walk(doc: Any, *, locate: bool) -> list[str]:
    problems: list[str] = []
    values = 0
    stack: list[tuple[str, Any, int]] = [("", doc, 0)]
    while stack and len(problems) < MAX_PROBLEMS:
        where, node, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            return [f"the file holds more than {MAX_VALUES:,} values; a decision record holds far fewer"]
        if depth > MAX_DEPTH:
            return [f"the file is nested more than {MAX_DEPTH} levels deep; a record is not"]
        message: str | None = None
        if isinstance(node, str):
            message = texts.hidden_characters(node)
        elif isinstance(node, dict | list) and len(node) > MAX_ITEMS:
            message = f"more than {MAX_ITEMS:,} items; a record has far fewer"
        elif isinstance(node, dict):
            bad = next((k for k in node if texts.problem(k, texts.SHORT, one_line=True)), None)
            if bad is not None:
                message = f"a field name: {texts.problem(bad, texts.SHORT, one_line=True)}"
            if locate:
                stack.extend(
                    (f"{where}.{k}" if where else k, v, depth + 1) for k, v in reversed(node.items())
                )
            else:
                stack.extend(("", v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            if locate:
                stack.extend((f"{where}[{i}]", node[i], depth + 1) for i in range(len(node) - 1, -1, -1))
            else:
                stack.extend(("", v, depth + 1) for v in node)
        if message:
            if not locate:
                return [""]  # found one: walk again, placing each
            problems.append(f"{where or 'the file'}: {message}")
    return problems


def _typed_text(doc: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """Each piece of text the import writes, where it is, and its limit (as on the forms)."""
    p = doc["project"]
    yield "project.title", p["title"], texts.SHORT
    for key in ("summary", "problem", "target_cohort"):
        yield f"project.{key}", p[key], texts.LONG
    for key in ("organisational", "local", "national"):
        yield f"project.context.{key}", p["context"][key], texts.LONG
    yield "project.funding_source", p["funding_source"], texts.SHORT
    yield "project.accountable_person", p["accountable_person"] or "", texts.SHORT
    yield "appraisal.stage_reason", doc["appraisal"].get("stage_reason") or "", texts.LONG
    for i, m in enumerate(p["motivations"]):
        yield f"project.motivations[{i}].explanation", m["explanation"], texts.LONG
    for i, a in enumerate(doc["answers"]):
        yield f"answers[{i}].rationale", a["rationale"], texts.LONG
        yield f"answers[{i}].evidence", a["evidence"], texts.NOTE
    for i, reg in enumerate(doc["registers"]):
        for j, row in enumerate(reg["rows"]):
            for key, value in row.items():
                if isinstance(value, str):
                    yield f"registers[{i}].rows[{j}].{key}", value, texts.NOTE
    for i, r in enumerate(doc["principles"]):
        yield f"principles[{i}].note", r["note"], texts.NOTE
    for i, part in enumerate(doc["participation"]):
        yield f"participation[{i}].reason", part["reason"], texts.NOTE
        yield f"participation[{i}].summary", part["summary"], texts.LONG
    for i, c in enumerate(doc.get("profile") or []):
        yield f"profile[{i}].note", c["note"], texts.NOTE
    if (d := doc["decision"]) is not None:
        yield "decision.reasoning", d["reasoning"], texts.LONG
        yield "decision.departure_reason", d["departure_reason"], texts.LONG
        yield "decision.accountable_person", d["accountable_person"] or "", texts.SHORT
    if (summary := doc["summary"]) and summary["edited"]:
        yield "summary.text", summary["text"], texts.FAMILY_SUMMARY
    if evaluation := doc.get("evaluation"):
        for i, item in enumerate(evaluation["unforeseen"]):
            yield f"evaluation.unforeseen[{i}].description", item["description"], texts.NOTE
            yield f"evaluation.unforeseen[{i}].who_affected", item["who_affected"], texts.SHORT
            yield f"evaluation.unforeseen[{i}].handling", item["handling"], texts.NOTE
        yield "evaluation.lessons", evaluation["lessons"] or "", texts.LONG
    for i, a in enumerate(doc.get("actions") or []):
        yield f"actions[{i}].what", a["what"], texts.NOTE
        yield f"actions[{i}].owner", a["owner"] or "", texts.SHORT
        yield f"actions[{i}].evidence", a["evidence"], texts.NOTE
        yield f"actions[{i}].dropped_reason", a["dropped_reason"], texts.NOTE
    yield from screening_record.import_texts(doc)
    yield from readiness_part.import_texts(doc)


def _text_problems(doc: dict[str, Any]) -> list[str]:
    """Text over its limit, and evidence that is not web links (only http and https links
    are ever shown as links, so nothing else may come in as one)."""
    problems = [
        f"{where}: {message}"
        for where, value, limit in _typed_text(doc)
        if (message := texts.too_long(value, limit))
    ]
    for i, a in enumerate(doc["answers"]):
        if (line := texts.not_web_link(a["evidence"])) is not None:
            problems.append(
                f"answers[{i}].evidence: “{line[:80]}” is not a web link; each line must start with https://"
            )
    return problems


def _framework_problems(doc: dict[str, Any], fw: Framework) -> list[str]:
    problems: list[str] = []
    if doc["appraisal"]["stage"] not in {s.id for s in fw.stages}:
        problems.append(f"appraisal.stage: “{doc['appraisal']['stage']}” is not a stage of {fw.key}")
    motivations = doc["project"]["motivations"]
    known = {m.id for m in fw.motivations}
    for i, m in enumerate(motivations):
        if m["id"] not in known:
            problems.append(f"project.motivations[{i}].id: “{m['id']}” is not a motivation of {fw.key}")
    ids = [m["id"] for m in motivations]
    if len(set(ids)) != len(ids):
        problems.append("project.motivations: each motivation can be given once")
    if sum(1 for m in motivations if m["primary"]) != 1:
        problems.append("project.motivations: exactly one motivation must be the primary one")
    aspects = {a.id for a in fw.aspects}
    scale = {a.id for a in fw.answer_scale}
    seen: set[tuple[str, str]] = set()
    for i, a in enumerate(doc["answers"]):
        where = f"answers[{i}]"
        if not fw.has_question(a["question_id"]):
            problems.append(f"{where}.question_id: “{a['question_id']}” is not a question of {fw.key}")
            continue
        q = fw.question(a["question_id"])
        if q.kind == "principles" and a["aspect"] not in aspects:
            problems.append(
                f"{where}.aspect: {q.id} is answered for the process or the innovation, not “{a['aspect']}”"
            )
        if q.kind != "principles" and a["aspect"]:
            problems.append(f"{where}.aspect: {q.id} has no aspects; leave it empty")
        if a["value"] and a["value"] not in scale:
            problems.append(
                f"{where}.value: “{a['value']}” is not on the answer scale ({', '.join(sorted(scale))})"
            )
        if a["value"] and not q.has_closed_answer:
            problems.append(f"{where}.value: {q.id} is answered in words only")
        if (q.id, a["aspect"]) in seen:
            problems.append(f"{where}: {q.id} {a['aspect']} is answered twice".replace("  ", " "))
        seen.add((q.id, a["aspect"]))
    registers = {r.id: r for r in fw.registers}
    for i, reg in enumerate(doc["registers"]):
        if reg["id"] not in registers:
            problems.append(f"registers[{i}].id: “{reg['id']}” is not a register of {fw.key}")
            continue
        for j, row in enumerate(reg["rows"]):
            extra = set(row) - {f.id for f in registers[reg["id"]].fields}
            if extra:
                problems.append(f"registers[{i}].rows[{j}]: unknown fields {', '.join(sorted(extra))}")
            try:
                clean_register_row(registers[reg["id"]], row)
            except RegisterRowError as exc:
                problems.append(f"registers[{i}].rows[{j}]: {exc}")
    principles = {p.id: p for p in fw.principles}
    ratings = {r.id: r for r in fw.principle_ratings}
    for i, r in enumerate(doc["principles"]):
        where = f"principles[{i}]"
        if r["principle_id"] not in principles:
            problems.append(f"{where}.principle_id: “{r['principle_id']}” is not a principle of {fw.key}")
        if r["aspect"] not in aspects:
            problems.append(f"{where}.aspect: “{r['aspect']}” is not an aspect of {fw.key}")
        if r["rating"] not in ratings:
            problems.append(f"{where}.rating: “{r['rating']}” is not a rating of {fw.key}")
        elif ratings[r["rating"]].note_required and not r["note"].strip():
            problems.append(f"{where}.note: explain why {r['principle_id']} is at risk")
    rated: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in doc["principles"]:
        if r["principle_id"] in principles:
            rated[(r["aspect"], principles[r["principle_id"]].cluster)].add(r["principle_id"])
    for q in fw.questions():
        if q.kind != "principles":
            continue
        expected = {p.id for p in fw.principles_in(q.cluster or "")}
        for aspect in (a.id for a in fw.aspects):
            got = rated.get((aspect, q.cluster or ""), set())
            if got and got != expected:
                missing = ", ".join(sorted(expected - got))
                problems.append(
                    f"principles: {q.id} ({aspect}) must rate every principle of its group; missing {missing}"
                )
    stakeholders = {s.id for s in fw.stakeholders}
    modes = {m.id: m for m in fw.participation_modes}
    for i, p in enumerate(doc["participation"]):
        if p["stakeholder"] not in stakeholders:
            problems.append(
                f"participation[{i}].stakeholder: “{p['stakeholder']}” is not a group of {fw.key}"
            )
        if p["mode"] not in modes:
            problems.append(f"participation[{i}].mode: “{p['mode']}” is not a way of taking part in {fw.key}")
        elif modes[p["mode"]].reason_required and not p["reason"].strip():
            problems.append(f"participation[{i}].reason: explain why this group was not involved")
    decision = doc["decision"]
    if decision is not None:
        if decision["decision"] not in {d.id for d in fw.decisions}:
            problems.append(f"decision.decision: “{decision['decision']}” is not a decision of {fw.key}")
        # Values off the scale are listed above; here they count as unanswered.
        answers = {
            a["question_id"]: a["value"] if a["value"] in scale else None
            for a in doc["answers"]
            if not a["aspect"]
        }
        risks = (row for reg in doc["registers"] if reg["id"] == risk_register(fw) for row in reg["rows"])
        route = compute_route(answers, open_risk_score(risks))
        if departure_problem(decision["decision"], route, decision["departure_reason"]):
            problems.append(
                "decision.departure_reason: the decision departs from the framework, so it needs a reason"
            )
        if not (decision["accountable_person"] or "").strip():
            problems.append("decision.accountable_person: name the accountable person")
    if not (doc["project"]["accountable_person"] or "").strip():
        problems.append("project.accountable_person: name the accountable person")
    return problems


def check(doc: Any) -> tuple[list[str], Framework | None]:
    """Every problem with the document, and its framework edition when it is installed."""
    problems = schema_problems(doc)
    if problems:
        return problems, None
    if doc["public"]:
        return [
            "public: this is the public version, with names left out; import the full record instead"
        ], None
    try:
        fw = framework_for(doc["framework"]["id"], doc["framework"]["version"])
    except LookupError:
        return [
            f"framework: {doc['framework']['id']}@{doc['framework']['version']} is not installed here"
        ], None
    problems = _framework_problems(doc, fw) + _evaluation_problems(doc) + _action_problems(doc, fw)
    problems += readiness_part.import_problems(doc, fw)
    return problems + screening_record.import_problems(doc, fw), fw


def _action_problems(doc: dict[str, Any], fw: Framework) -> list[str]:
    """The actions, checked as the services would check them."""
    problems: list[str] = []
    rows = {reg["id"]: len(reg["rows"]) for reg in doc["registers"]}
    for i, a in enumerate(doc.get("actions") or []):
        where = f"actions[{i}]"
        if not a["what"].strip():
            problems.append(f"{where}.what: say what needs to be done")
        if not (a["owner"] or "").strip():
            problems.append(f"{where}.owner: name who owns it")
        if a["status"] == "done" and not a["evidence"].strip():
            problems.append(f"{where}.evidence: say what shows it is done")
        if a["status"] == "dropped" and not a["dropped_reason"].strip():
            problems.append(f"{where}.dropped_reason: say why it was dropped")
        if a["source"] == "decision" and doc["decision"] is None:
            problems.append(f"{where}.source: the record has no decision for it to be a condition of")
        if a["source"] == "lessons" and doc["appraisal"]["stage"] != "evaluation":
            problems.append(f"{where}.source: only a post hoc evaluation has lessons")
        register = actions.register_for(fw, a["source"])
        place = a["register_row"]
        if place is not None and (register is None or place > rows.get(register, 0)):
            problems.append(
                f"{where}.register_row: there is no row {place} in the record's {register or 'registers'}"
            )
    return problems


def _evaluation_problems(doc: dict[str, Any]) -> list[str]:
    """The evaluation section, checked as the services would check it. An imported project
    has no approved earlier stage here: what happened is recorded against the record's own
    benefits and risks (its carried-forward copies), so each one given a result must be
    among them."""
    evaluation = doc.get("evaluation")
    if evaluation is None:
        return []
    if doc["appraisal"]["stage"] != "evaluation":
        return ["evaluation: only the record of a post hoc evaluation has this section"]
    fw = framework_for(doc["framework"]["id"], doc["framework"]["version"])  # check() found it
    return _looked_back_on(doc, fw)[1]


def _looked_back_on(doc: dict[str, Any], fw: Framework) -> tuple[dict[tuple[str, int], int], list[str]]:
    """For each benefit and risk of the evaluation with a result, the place of the record's
    own register row it was carried forward as (among that register's rows, in the record's
    order), keyed by ("benefits" or "risks", its place); and every problem found. Items not
    recorded yet (no result) carry nothing: their rows come in with the registers."""
    evaluation = doc["evaluation"]
    problems: list[str] = []
    matched: dict[tuple[str, int], int] = {}
    own: dict[str, list[dict[str, Any] | None]] = defaultdict(list)
    for reg in doc["registers"]:
        for row in reg["rows"]:
            own[reg["id"]].append(_cleaned(fw, reg["id"], row))
    for part, kind in zip(("benefits", "risks"), kinds(fw), strict=True):
        taken: set[int] = set()
        for i, item in enumerate(evaluation[part]):
            where = f"evaluation.{part}[{i}]"
            if item["result"] is None:
                continue
            if item["result"] not in dict(kind.results):
                allowed = ", ".join(r for r, _ in kind.results)
                problems.append(f"{where}.result: “{item['result']}” is not one of {allowed}")
            detail, ask = (
                ("evidence", "give the evidence for what happened")
                if kind.id == "benefit"
                else ("handling", "say how it was handled")
            )
            if not (item.get(detail) or "").strip():
                problems.append(f"{where}.{detail}: {ask}")
            for key in ("evidence", "handling"):
                if message := texts.too_long(item.get(key) or "", texts.NOTE):
                    problems.append(f"{where}.{key}: {message}")
            expected = _cleaned(fw, kind.register, item["expected"])
            place = next(
                (
                    j
                    for j, row in enumerate(own[kind.register])
                    if j not in taken and expected is not None and row == expected
                ),
                None,
            )
            if place is None:
                problems.append(
                    f"{where}.expected: it is not among the record's own {kind.register} (registers); "
                    "an evaluation carries forward each benefit and risk it looks back on"
                )
                continue
            taken.add(place)
            matched[(part, i)] = place
    return matched, problems


def _cleaned(fw: Framework, register_id: str, row: dict[str, Any]) -> dict[str, Any] | None:
    """A register row as it would be saved (None if it could not be), to compare rows by."""
    try:
        return clean_register_row(fw.register(register_id), row)
    except (RegisterRowError, LookupError):
        return None


def _user_for(organisation: Organisation, email: str | None) -> User:
    if email:
        user = User.objects.filter(email__iexact=email, memberships__organisation=organisation).first()
        if user is None:
            raise ImportRefused([f"--user: {email} is not a member of {organisation.name}"])
        return user
    membership = (
        Membership.objects.filter(organisation=organisation, role="lead")
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        raise ImportRefused([f"{organisation.name} has no lead to import as; name one with --user"])
    return membership.user


def import_record(
    text: str, *, organisation_name: str | None = None, user_email: str | None = None
) -> Imported:
    doc = parse(text)
    problems, fw = check(doc)
    if fw is not None:  # the document has the schema's shape
        problems = _text_problems(doc) + problems
    if problems:
        raise ImportRefused(problems)
    assert fw is not None
    name = organisation_name or doc["organisation"]["name"]
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        raise ImportRefused(
            [f"organisation: there is no organisation called “{name}” here; choose one with --organisation"]
        )
    user = _user_for(organisation, user_email)
    try:
        # The operator running the command acts for the named person, through the same
        # services and status rules as the web (the role check is the operator's).
        with transaction.atomic(), as_operator():
            appraisal = _create(doc, fw, organisation, user)
    except (Invalid, Refused) as exc:  # a service's refusal, with its message
        raise ImportRefused([str(exc)]) from None
    except DataError as exc:  # a value the database cannot hold that no check above foresaw
        raise ImportRefused(
            [f"the database cannot hold a value in the file: {str(exc).splitlines()[0]}"]
        ) from None
    return Imported(appraisal, organisation)


def _create(doc: dict[str, Any], fw: Framework, organisation: Organisation, user: User) -> Appraisal:
    p = doc["project"]
    fields = {
        "title": p["title"],
        "summary": p["summary"],
        "problem": p["problem"],
        "target_cohort": p["target_cohort"],
        "context_organisational": p["context"]["organisational"],
        "context_local": p["context"]["local"],
        "context_national": p["context"]["national"],
        "funding_source": p["funding_source"],
        "funding_amount": p["funding_amount"],
        "current_stage": doc["appraisal"]["stage"],
        "accountable_person": p["accountable_person"],
    }
    project = services.create_project(
        organisation=organisation,
        user=user,
        fields=fields,
        motivations=[services.MotivationInput(m["id"], m["explanation"]) for m in p["motivations"]],
        primary_motivation=next(m["id"] for m in p["motivations"] if m["primary"]),
    )
    appraisal = services.start_appraisal(
        project=project, stage=doc["appraisal"]["stage"], user=user, framework=fw,
        reason=doc["appraisal"].get("stage_reason", ""), imported=True,
    )  # fmt: skip
    screening_record.import_screening(doc, appraisal, user)  # first: the route applies to the answers
    answers = {(a["question_id"], a["aspect"]): a for a in doc["answers"]}
    for a in doc["answers"]:
        if fw.question(a["question_id"]).kind == "principles":
            continue
        services.save_answer(
            appraisal=appraisal, question_id=a["question_id"], user=user, value=a["value"],
            rationale=a["rationale"], evidence=a["evidence"],
        )  # fmt: skip
    for reg in doc["registers"]:
        for row in reg["rows"]:
            services.add_register_row(appraisal=appraisal, register_id=reg["id"], data=row, user=user)
    for part in doc["participation"]:
        services.save_participation(
            appraisal=appraisal, stakeholder=part["stakeholder"], mode=part["mode"], reason=part["reason"],
            summary=part["summary"], user=user,
        )  # fmt: skip
    principles = {pr.id: pr for pr in fw.principles}
    for q in fw.questions():
        if q.kind != "principles":
            continue
        for aspect in fw.aspects:
            ratings = {
                r["principle_id"]: (r["rating"], r["note"])
                for r in doc["principles"]
                if r["aspect"] == aspect.id and principles[r["principle_id"]].cluster == q.cluster
            }
            answer = answers.get((q.id, aspect.id))
            if not ratings and answer is None:
                continue
            if not ratings:
                assert answer is not None
                services.save_answer(
                    appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user,
                    value=answer["value"], rationale=answer["rationale"], evidence=answer["evidence"],
                )  # fmt: skip
                continue
            services.save_principles(
                appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user,
                value=answer["value"] if answer else "", rationale=answer["rationale"] if answer else "",
                ratings=ratings,
            )  # fmt: skip
            if answer and answer["evidence"]:
                services.save_answer(
                    appraisal=appraisal, question_id=q.id, aspect=aspect.id, user=user, value=answer["value"],
                    rationale=answer["rationale"], evidence=answer["evidence"],
                )  # fmt: skip
    if profile := doc.get("profile"):
        services.save_criteria(
            appraisal=appraisal,
            user=user,
            ratings={c["criterion"]: (c["rating"], c["note"]) for c in profile},
        )
    # Declarations come before the decision, as they did (appraisals/declaring.py).
    declaring.import_declarations(appraisal=appraisal, items=doc.get("interests") or [], user=user)
    decision = doc["decision"]
    if decision is not None:
        services.record_decision(
            appraisal=appraisal, user=user, decision=decision["decision"], reasoning=decision["reasoning"],
            departure_reason=decision["departure_reason"], accountable_person=decision["accountable_person"],
            decided_on=datetime.date.fromisoformat(decision["decided_on"]),
            commitments_answer=(doc.get("commitments") or {}).get("answer", ""),
        )  # fmt: skip
    summary = doc["summary"]
    if summary and summary["edited"]:
        save_summary(appraisal=appraisal, user=user, text=summary["text"])
    if evaluation := doc.get("evaluation"):
        _carry_outcomes(doc, fw, appraisal, user)
        for item in evaluation["unforeseen"]:
            services.add_unforeseen(
                appraisal=appraisal, user=user, kind=item["kind"], description=item["description"],
                who_affected=item["who_affected"], handling=item["handling"],
            )  # fmt: skip
        if evaluation["lessons"]:
            services.save_lessons(appraisal=appraisal, user=user, text=evaluation["lessons"])
    readiness_part.import_readiness(doc, appraisal, user)
    _add_actions(doc, fw, appraisal, user)
    screening_record.import_full_required(doc, appraisal, user)
    return appraisal


def _add_actions(doc: dict[str, Any], fw: Framework, appraisal: Appraisal, user: User) -> None:
    """Each action, with its status, linked to its register row by the row's place."""
    for a in doc.get("actions") or []:
        register = actions.register_for(fw, a["source"])
        row_id = None
        if register is not None and a["register_row"] is not None:
            made = appraisal.register_rows.filter(register=register).order_by("pk")
            row_id = list(made.values_list("pk", flat=True))[a["register_row"] - 1]
        actions.add_action(
            appraisal=appraisal, user=user, what=a["what"], due_on=datetime.date.fromisoformat(a["due_on"]),
            owner_name=a["owner"] or "", source=a["source"], row_id=row_id, status=a["status"],
            evidence=a["evidence"], dropped_reason=a["dropped_reason"],
            closed_on=datetime.date.fromisoformat(a["closed_on"]) if a["closed_on"] else None,
        )  # fmt: skip


def _carry_outcomes(doc: dict[str, Any], fw: Framework, appraisal: Appraisal, user: User) -> None:
    """What happened to each benefit and risk, recorded against the appraisal's own rows that
    carried it forward, in the order the record gives them (each write one audited change)."""
    matched, _ = _looked_back_on(doc, fw)
    rows: dict[str, list[int]] = {}
    for part, kind in zip(("benefits", "risks"), kinds(fw), strict=True):
        for i, item in enumerate(doc["evaluation"][part]):
            if (part, i) not in matched:
                continue
            if kind.register not in rows:  # the rows made from the record, in its order
                made = appraisal.register_rows.filter(register=kind.register).order_by("pk")
                rows[kind.register] = list(made.values_list("pk", flat=True))
            services.carry_outcome(
                appraisal=appraisal, row_id=rows[kind.register][matched[(part, i)]], user=user,
                result=item["result"], evidence=item["evidence"], handling=item.get("handling", ""),
            )  # fmt: skip
