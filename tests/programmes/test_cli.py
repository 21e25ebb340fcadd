"""`trustworthy programme ...` and `trustworthy export research`, beside `export APPRAISAL_ID`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import Organisation, User
from trustworthy.programmes.models import Programme, ProgrammeEvent, ProgrammeOrganisation
from trustworthy.reports.integrity import verify_everything

from .conftest import PASSWORD, Portfolio

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(__import__("trustworthy.cli", fromlist=["main"]).main, list(args))
    return result.exit_code, result.output


def test_create_a_programme_and_add_organisations_and_people(organisation: Organisation) -> None:
    code, output = run("programme", "create", "Northern Partnership")
    assert code == 0, output
    assert "/programmes/northern-partnership/" in output
    programme = Programme.objects.get(slug="northern-partnership")
    assert run("programme", "create", "Northern Partnership")[0] == 1  # not twice

    code, output = run("programme", "add-organisation", "--programme", "northern-partnership",
                       "--organisation", "Northshire Council")  # fmt: skip
    assert code == 0, output
    assert ProgrammeOrganisation.objects.filter(programme=programme, organisation=organisation).exists()
    assert AuditEvent.objects.filter(organisation=organisation, action="programme.joined").count() == 1

    User.objects.create_user("watcher@national.test", PASSWORD, full_name="Sam Watcher")
    code, output = run("programme", "add-member", "--programme", "northern-partnership",
                       "--email", "Watcher@national.test", "--role", "overseer")  # fmt: skip
    assert code == 0, output
    assert programme.members.get().role == "overseer"
    code, output = run("programme", "add-member", "--programme", "northern-partnership",
                       "--email", "watcher@national.test", "--role", "researcher")  # fmt: skip
    assert programme.members.get().role == "researcher"
    actions = list(ProgrammeEvent.objects.filter(programme=programme).values_list("action", flat=True))
    assert actions == ["programme.created", "organisation.added", "member.added", "member.role-changed"]
    assert verify_everything() == []


def test_mistakes_are_named(organisation: Organisation) -> None:
    run("programme", "create", "Northern Partnership")
    code, output = run("programme", "add-member", "--programme", "northern-partnership",
                       "--email", "nobody@nowhere.test", "--role", "overseer")  # fmt: skip
    assert code == 1
    assert "There is no account for nobody@nowhere.test" in output
    code, output = run("programme", "add-organisation", "--programme", "nothing", "--organisation", "X")
    assert code == 1
    assert "There is no programme “nothing”" in output
    code, output = run("programme", "add-member", "--programme", "northern-partnership",
                       "--email", "lead@council.test", "--role", "admin")  # fmt: skip
    assert code == 2  # not a programme role


def test_export_still_writes_a_decision_record(portfolio: Portfolio, tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    code, output = run(
        "export", str(portfolio.signed["kinship"].pk), "--format", "json", "--output", str(target)
    )
    assert code == 0, output
    assert json.loads(target.read_text())["project"]["title"] == "Kinship care network"
    code, output = run("export", "research", "--programme", "national-innovation-fund", "--salt", "s",
                       "--output", str(tmp_path / "research"))  # fmt: skip
    assert code == 0, output
    assert (tmp_path / "research" / "appraisals.csv").exists()
    code, output = run("export", "research", "--programme", "national-innovation-fund")
    assert code == 2  # the salt and the folder are required
