"""The research dataset of a programme: signed appraisals of shared projects, as CSV files.

No free text, no names of people or organisations, no email addresses. Organisations,
projects and appraisals appear under pseudonyms made for this export with its salt (the
first 16 hex digits of an HMAC-SHA256), so one export's rows link up and two exports with
different salts cannot be joined. Where a region and organisation-type pair holds fewer
than `SMALL_CELL` organisations in the export, both fields read `suppressed`. The same data
and salt give byte-identical files: rows in a fixed order, nothing about when it was made.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, F, QuerySet

from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    Participation,
    PrincipleRating,
    ProjectMotivation,
    RegisterRow,
)
from trustworthy.framework import Framework
from trustworthy.voices.models import Response

from . import selectors
from .models import Programme

SMALL_CELL = 5
SUPPRESSED = "suppressed"
STRUCTURED = ("choice", "multichoice", "integer")


def pseudonym(salt: str, kind: str, pk: int) -> str:
    """This export's name for an organisation, project or appraisal."""
    message = str(pk) if kind == "organisation" else f"{kind}:{pk}"
    return hmac.new(salt.encode(), message.encode(), hashlib.sha256).hexdigest()[:16]


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _small_cells(appraisals: QuerySet[Appraisal]) -> set[tuple[str, str]]:
    """Region and organisation-type pairs with fewer than SMALL_CELL organisations."""
    groups = (
        appraisals.values(region=F("organisation__region"), kind=F("organisation__type"))
        .annotate(organisations=Count("organisation", distinct=True))
        .filter(organisations__lt=SMALL_CELL)
    )
    return {(g["region"], g["kind"]) for g in groups}


def _register_columns(fw: Framework) -> list[str]:
    columns: list[str] = []
    for register in fw.registers:
        columns += [f.id for f in register.fields if f.type in STRUCTURED and f.id not in columns]
    return columns


def _structured(fw: Framework, register_id: str, data: dict[str, Any]) -> dict[str, str]:
    """Only values the framework defines (ids and whole numbers in range): never free text."""
    try:
        register = fw.register(register_id)
    except (KeyError, LookupError):
        return {}
    values: dict[str, str] = {}
    for f in register.fields:
        value = data.get(f.id)
        ids = {c.id for c in f.choices}
        if f.type == "choice" and value in ids:
            values[f.id] = str(value)
        elif f.type == "multichoice" and isinstance(value, list):
            values[f.id] = ";".join(sorted(str(v) for v in value if v in ids))
        elif (
            f.type == "integer"
            and isinstance(value, int)
            and not isinstance(value, bool)
            and (f.minimum is None or value >= f.minimum)
            and (f.maximum is None or value <= f.maximum)
        ):
            values[f.id] = str(value)
    if register_id == "risks" and values.get("likelihood") and values.get("severity"):
        values["risk_score"] = str(int(values["likelihood"]) * int(values["severity"]))
    return values


def build(programme: Programme, salt: str) -> dict[str, bytes]:
    """Every file of the dataset, by name."""
    if not salt:
        raise ValueError("a research export needs a salt")
    fw = current_framework()
    appraisals = selectors.signed_appraisals(selectors.shared_projects(programme))
    small = _small_cells(appraisals)
    rows = list(
        appraisals.values(
            "pk",
            "organisation_id",
            "project_id",
            "stage",
            "version",
            "framework_id",
            "framework_version",
            "decision__decision",
            "decision__route_allowed",
            "decision__is_departure",
            "decision__decided_on",
            region=F("organisation__region"),
            kind=F("organisation__type"),
        ).order_by("organisation_id", "project_id", "created_at", "pk")
    )
    refs = {r["pk"]: pseudonym(salt, "appraisal", r["pk"]) for r in rows}
    ids = list(refs)
    modes: dict[int, dict[str, str]] = {}
    for p in Participation.objects.filter(appraisal_id__in=ids).values("appraisal_id", "stakeholder", "mode"):
        modes.setdefault(p["appraisal_id"], {})[p["stakeholder"]] = p["mode"]
    responses = dict(
        Response.objects.filter(appraisal_id__in=ids)
        .values("appraisal_id")
        .annotate(n=Count("pk"))
        .values_list("appraisal_id", "n")
    )
    motivations = _motivations([r["project_id"] for r in rows])
    stakeholders = [s.id for s in fw.stakeholders]
    return {
        "appraisals.csv": _csv(
            [
                "appraisal",
                "organisation",
                "project",
                "organisation_type",
                "region",
                "framework",
                "framework_version",
                "stage",
                "version",
                "main_motivation",
                "other_motivations",
                "decision",
                "route_allowed",
                "is_departure",
                "decided_in",
                *[f"participation_{s}" for s in stakeholders],
                "groups_taking_part",
                "responses_gathered",
            ],
            (_appraisal_row(r, salt, refs, small, modes, responses, motivations, stakeholders) for r in rows),
        ),
        "answers.csv": _csv(
            ["appraisal", "question", "aspect", "answer", "carried_forward"],
            (
                [refs[a], q, aspect, value if value in {c.id for c in fw.answer_scale} else "", int(cf)]
                for a, q, aspect, value, cf in _chunked(
                    Answer.objects.filter(appraisal_id__in=ids)
                    .order_by("appraisal_id", "question_id", "aspect")
                    .values_list("appraisal_id", "question_id", "aspect", "value", "carried_forward")
                )
            ),
        ),
        "principle_ratings.csv": _csv(
            ["appraisal", "aspect", "principle", "rating", "carried_forward"],
            (
                [refs[a], aspect, principle, rating, int(cf)]
                for a, aspect, principle, rating, cf in _chunked(
                    PrincipleRating.objects.filter(appraisal_id__in=ids)
                    .order_by("appraisal_id", "aspect", "principle_id")
                    .values_list("appraisal_id", "aspect", "principle_id", "rating", "carried_forward")
                )
            ),
        ),
        "register_rows.csv": _register_file(fw, ids, refs),
        "data_dictionary.csv": _dictionary(fw),
    }


def _chunked(values: QuerySet[Any, Any]) -> Iterator[Any]:
    return values.iterator(chunk_size=5000)


def _motivations(project_ids: list[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, list[str]]] = {}
    for m in (
        ProjectMotivation.objects.filter(project_id__in=set(project_ids))
        .order_by("project_id", "motivation")
        .values("project_id", "motivation", "is_primary")
    ):
        _, others = found.setdefault(m["project_id"], ("", []))
        if m["is_primary"]:
            found[m["project_id"]] = (m["motivation"], others)
        else:
            others.append(m["motivation"])
    return {pk: (main, ";".join(others)) for pk, (main, others) in found.items()}


def _appraisal_row(
    r: dict[str, Any],
    salt: str,
    refs: dict[int, str],
    small: set[tuple[str, str]],
    modes: dict[int, dict[str, str]],
    responses: dict[int, int],
    motivations: dict[int, tuple[str, str]],
    stakeholders: list[str],
) -> list[Any]:
    suppressed = (r["region"], r["kind"]) in small
    taking_part = modes.get(r["pk"], {})
    decided = r["decision__decided_on"]
    main, others = motivations.get(r["project_id"], ("", ""))
    return [
        refs[r["pk"]],
        pseudonym(salt, "organisation", r["organisation_id"]),
        pseudonym(salt, "project", r["project_id"]),
        SUPPRESSED if suppressed else r["kind"],
        SUPPRESSED if suppressed else r["region"],
        r["framework_id"],
        r["framework_version"],
        r["stage"],
        r["version"],
        main,
        others,
        r["decision__decision"] or "",
        ";".join(r["decision__route_allowed"] or []),
        int(bool(r["decision__is_departure"])),
        decided.strftime("%Y-%m") if decided else "",
        *[taking_part.get(s, "") for s in stakeholders],
        sum(1 for mode in taking_part.values() if mode != "not-involved"),
        responses.get(r["pk"], 0),
    ]


def _register_file(fw: Framework, ids: list[int], refs: dict[int, str]) -> bytes:
    columns = _register_columns(fw)

    def rows() -> Iterator[list[Any]]:
        last, number = None, 0
        for a, register, data in _chunked(
            RegisterRow.objects.filter(appraisal_id__in=ids)
            .order_by("appraisal_id", "register", "created_at", "id")
            .values_list("appraisal_id", "register", "data")
        ):
            number = number + 1 if last == (a, register) else 1
            last = (a, register)
            values = _structured(fw, register, data if isinstance(data, dict) else {})
            yield [
                refs[a],
                register,
                number,
                *[values.get(c, "") for c in columns],
                values.get("risk_score", ""),
            ]

    return _csv(["appraisal", "register", "row", *columns, "risk_score"], rows())


def _dictionary(fw: Framework) -> bytes:
    stakeholders = [s.id for s in fw.stakeholders]
    entries = [
        (
            "appraisals.csv",
            "appraisal",
            "This export's pseudonym for a signed appraisal (links the other files)",
        ),
        (
            "appraisals.csv",
            "organisation",
            "This export's pseudonym for the organisation: first 16 hex digits of "
            "HMAC-SHA256 of its id, keyed with the export's salt; "
            "it links one organisation's rows in this export only",
        ),
        ("appraisals.csv", "project", "This export's pseudonym for the project"),
        (
            "appraisals.csv",
            "organisation_type",
            "Type of organisation; `suppressed` where fewer than 5 organisations "
            "in the export share its region and type",
        ),
        ("appraisals.csv", "region", "Region of the organisation; `suppressed` as for organisation_type"),
        ("appraisals.csv", "framework", "Framework id"),
        ("appraisals.csv", "framework_version", "Framework edition's version"),
        ("appraisals.csv", "stage", "Stage id: " + ", ".join(s.id for s in fw.stages)),
        (
            "appraisals.csv",
            "version",
            "Version of the appraisal at this stage (1, or later after a reasoned change)",
        ),
        (
            "appraisals.csv",
            "main_motivation",
            "The project's main motivation id: " + ", ".join(m.id for m in fw.motivations),
        ),
        ("appraisals.csv", "other_motivations", "Its other motivation ids, separated by ;"),
        ("appraisals.csv", "decision", "The signed decision id: " + ", ".join(d.id for d in fw.decisions)),
        (
            "appraisals.csv",
            "route_allowed",
            "Decision ids the framework allowed for the answers, separated by ;",
        ),
        (
            "appraisals.csv",
            "is_departure",
            "1 if the decision departs from what the framework allowed, else 0",
        ),
        ("appraisals.csv", "decided_in", "Year and month of the decision, YYYY-MM"),
        *[
            (
                "appraisals.csv",
                f"participation_{s}",
                "How this group took part (mode id: "
                + ", ".join(m.id for m in fw.participation_modes)
                + "); empty if not recorded",
            )
            for s in stakeholders
        ],
        (
            "appraisals.csv",
            "groups_taking_part",
            "Number of groups recorded as taking part (any mode but not-involved)",
        ),
        ("appraisals.csv", "responses_gathered", "Number of views from young people and families gathered"),
        ("answers.csv", "appraisal", "Pseudonym of the appraisal"),
        ("answers.csv", "question", "Framework question id (P1-P7, E1-E3, T1-T6)"),
        ("answers.csv", "aspect", "For E questions: process or innovation; empty otherwise"),
        (
            "answers.csv",
            "answer",
            "Answer id: " + ", ".join(a.id for a in fw.answer_scale) + "; empty if none",
        ),
        ("answers.csv", "carried_forward", "1 if carried forward from the previous stage"),
        ("principle_ratings.csv", "appraisal", "Pseudonym of the appraisal"),
        ("principle_ratings.csv", "aspect", "process or innovation"),
        ("principle_ratings.csv", "principle", "Principle id: " + ", ".join(p.id for p in fw.principles)),
        ("principle_ratings.csv", "rating", "Rating id: " + ", ".join(r.id for r in fw.principle_ratings)),
        ("principle_ratings.csv", "carried_forward", "1 if carried forward from the previous stage"),
        ("register_rows.csv", "appraisal", "Pseudonym of the appraisal"),
        ("register_rows.csv", "register", "Register id: " + ", ".join(r.id for r in fw.registers)),
        ("register_rows.csv", "row", "Row number within the appraisal's register"),
        *[
            (
                "register_rows.csv",
                column,
                "Structured field of the register (ids or whole numbers); empty where "
                "the register has no such field",
            )
            for column in _register_columns(fw)
        ],
        ("register_rows.csv", "risk_score", "For risks: likelihood x severity"),
    ]
    return _csv(["file", "column", "meaning"], [list(e) for e in entries])


def zipped(files: dict[str, bytes]) -> bytes:
    """The files in one ZIP archive, byte-identical for the same files (fixed dates and order)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return out.getvalue()


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}
