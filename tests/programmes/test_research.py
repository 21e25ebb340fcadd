"""The research dataset: no names, emails or free text; small cells suppressed; the same bytes
for the same salt and different pseudonyms for another."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.urls import reverse

from trustworthy.appraisals import services as appraisal_services
from trustworthy.cli import main
from trustworthy.organisations.models import Organisation, User
from trustworthy.organisations.services import add_member
from trustworthy.programmes import research, services
from trustworthy.programmes.models import ProgrammeEvent

from .conftest import PASSWORD, Portfolio, signed_in
from .factories import appraise, project, sign

pytestmark = pytest.mark.django_db

PLANTED_NAME = "Zebedee Quillfeather"
PLANTED_EMAIL = "zebedee.quillfeather@example.net"
PLANTED_TEXT = "Marmalade lighthouse procedure"


def export(tmp_path: Path, slug: str, salt: str, folder: str) -> dict[str, bytes]:
    result = CliRunner().invoke(
        main, ["export", "research", "--programme", slug, "--salt", salt, "--output", str(tmp_path / folder)]
    )
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted((tmp_path / folder).iterdir())}


def rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


@pytest.fixture
def planted(portfolio: Portfolio) -> Portfolio:
    """Names, an email address and free text planted wherever people write."""
    lead = User.objects.get(email="lead@trust.test")
    lead.full_name = PLANTED_NAME
    lead.save()
    planted_project = project(portfolio.trust, "trust", f"{PLANTED_TEXT} project", funding="1000")
    appraisal = appraise(planted_project, "trust")
    appraisal_services.save_answer(
        appraisal=appraisal, question_id="P1", user=lead, value="yes",
        rationale=f"{PLANTED_TEXT}: ask {PLANTED_NAME} at {PLANTED_EMAIL}.",
    )  # fmt: skip
    appraisal_services.add_register_row(
        appraisal=appraisal, register_id="risks", user=lead,
        data={"description": PLANTED_TEXT, "who_harmed": ["families"], "likelihood": 2, "severity": 2,
              "mitigation": f"Call {PLANTED_EMAIL}", "owner": PLANTED_NAME, "status": "open"},
    )  # fmt: skip
    sign(appraisal, "trust", "proceed-with-mitigations")
    services.share_project(programme=portfolio.programme, project=planted_project, user=lead)
    return portfolio


def test_the_files_and_what_they_hold(planted: Portfolio, tmp_path: Path) -> None:
    files = export(tmp_path, planted.programme.slug, "first salt", "a")
    assert sorted(files) == [
        "answers.csv", "appraisals.csv", "data_dictionary.csv", "principle_ratings.csv", "register_rows.csv"
    ]  # fmt: skip
    appraisals = rows(files, "appraisals.csv")
    assert len(appraisals) == 4  # the hub twice, the kinship network and the planted project; no draft
    assert {r["stage"] for r in appraisals} == {"inception", "development"}
    assert sorted(r["decision"] for r in appraisals) == [
        "proceed", "proceed-with-mitigations", "proceed-with-mitigations", "reframe"
    ]  # fmt: skip
    departure = next(r for r in appraisals if r["decision"] == "proceed")
    assert departure["is_departure"] == "1"
    assert "proceed" not in departure["route_allowed"].split(";")
    assert {r["main_motivation"] for r in appraisals} == {"improve-outcomes", "access-to-funding"}
    refs = {r["appraisal"] for r in appraisals}
    for name in ("answers.csv", "principle_ratings.csv", "register_rows.csv"):
        assert {r["appraisal"] for r in rows(files, name)} == refs, name
    answers = rows(files, "answers.csv")
    assert {r["answer"] for r in answers} <= {"yes", "partly", "no", "unsure", ""}
    risks = [r for r in rows(files, "register_rows.csv") if r["register"] == "risks"]
    assert {"16", "9", "15", "4"} <= {r["risk_score"] for r in risks}
    dictionary = rows(files, "data_dictionary.csv")
    described = {(r["file"], r["column"]) for r in dictionary}
    for name, content in files.items():
        if name != "data_dictionary.csv":
            header = next(csv.reader(io.StringIO(content.decode())))
            assert {(name, column) for column in header} <= described, name


def test_no_names_emails_or_free_text(planted: Portfolio, tmp_path: Path) -> None:
    files = export(tmp_path, planted.programme.slug, "first salt", "a")
    everything = b"".join(files.values()).decode("utf-8").lower()
    forbidden = [PLANTED_NAME, PLANTED_EMAIL, PLANTED_TEXT, "Quillfeather", "Marmalade", "@",
                 "Residential hub",
                 "Kinship care network", "Northshire", "Southvale", "We weighed it all", "Our reasons for",
                 "A concern we found", "Director", "Delay in urgent cases", "They were positive"]  # fmt: skip
    for text in forbidden:
        assert text.lower() not in everything, text


def test_byte_identical_with_one_salt_and_different_with_another(planted: Portfolio, tmp_path: Path) -> None:
    first = export(tmp_path, planted.programme.slug, "first salt", "a")
    again = export(tmp_path, planted.programme.slug, "first salt", "b")
    other = export(tmp_path, planted.programme.slug, "second salt", "c")
    assert first == again
    assert first["appraisals.csv"] != other["appraisals.csv"]
    assert first["data_dictionary.csv"] == other["data_dictionary.csv"]
    refs = {r["organisation"] for r in rows(first, "appraisals.csv")}
    assert refs.isdisjoint({r["organisation"] for r in rows(other, "appraisals.csv")})
    # The pseudonym is the salted HMAC-SHA256 of the organisation's id: it links its rows.
    council = hmac.new(b"first salt", str(planted.council.pk).encode(), hashlib.sha256).hexdigest()[:16]
    assert council in refs
    assert len(refs) == 2
    assert ProgrammeEvent.objects.filter(action="research.exported").count() == 3


def test_small_cells_are_suppressed(planted: Portfolio, tmp_path: Path, make_organisation) -> None:
    # Two organisations in the North West's local authorities: fewer than 5, so suppressed.
    files = export(tmp_path, planted.programme.slug, "salt", "a")
    assert {(r["region"], r["organisation_type"]) for r in rows(files, "appraisals.csv")} == {
        ("suppressed", "suppressed")
    }
    # Three more local authorities in the North West, each sharing a signed appraisal: 5 now.
    for number in range(3):
        slug = f"extra{number}"
        org = make_organisation(f"Extra Council {number}", slug)
        services.add_organisation(programme=planted.programme, organisation=org)
        extra = project(org, slug, f"Extra project {number}")
        sign(appraise(extra, slug), slug, "proceed-with-mitigations")
        services.share_project(
            programme=planted.programme, project=extra, user=User.objects.get(email=f"lead@{slug}.test")
        )
    # And one charity in London, on its own.
    charity = Organisation.objects.create(name="Small Charity", type="charity", region="london")
    for role in ("lead", "reviewer", "approver"):
        user = User.objects.create_user(f"{role}@charity.test", PASSWORD, full_name=role)
        add_member(organisation=charity, user=user, role=role)
    services.add_organisation(programme=planted.programme, organisation=charity)
    theirs = project(charity, "charity", "Charity project")
    sign(appraise(theirs, "charity"), "charity", "proceed-with-mitigations")
    services.share_project(
        programme=planted.programme, project=theirs, user=User.objects.get(email="lead@charity.test")
    )
    files = export(tmp_path, planted.programme.slug, "salt", "b")
    pairs = pairs_of(rows(files, "appraisals.csv"))
    assert pairs == {("north-west", "local-authority"): 7, ("suppressed", "suppressed"): 1}


def pairs_of(found: list[dict[str, str]]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for r in found:
        key = (r["region"], r["organisation_type"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_researchers_download_a_zip_of_the_same_files(planted: Portfolio) -> None:
    url = reverse("programme-research", args=[planted.programme.slug])
    response = signed_in("researcher@national.test").get(url)
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(research.build(planted.programme, "x"))
    assert PLANTED_NAME.encode() not in b"".join(archive.read(n) for n in archive.namelist())
    # Each download has its own salt: pseudonyms do not link two downloads.
    second = zipfile.ZipFile(io.BytesIO(signed_in("researcher@national.test").get(url).content))
    assert archive.read("appraisals.csv") != second.read("appraisals.csv")


def test_the_archive_is_byte_identical_for_the_same_files(planted: Portfolio) -> None:
    files = research.build(planted.programme, "salt")
    assert research.zipped(files) == research.zipped(research.build(planted.programme, "salt"))
