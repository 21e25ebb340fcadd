"""The demo's programmes: the small one in `trustworthy demo`, and the national portfolio
generated in bulk, which keeps `trustworthy audit verify` passing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.urls import reverse

from trustworthy.appraisals.models import Answer, Appraisal, Outcome, Project
from trustworthy.cli import main
from trustworthy.demo import PASSWORD_ENV, load_demo
from trustworthy.demo.national import NATIONAL, OVERSEER, RESEARCHER, SMALL, build_national
from trustworthy.organisations.models import Organisation
from trustworthy.programmes.models import Programme, SharedProject
from trustworthy.reports.integrity import verify_everything

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_the_national_portfolio_is_signed_shared_and_verified() -> None:
    result = build_national(organisations=3, projects_each=8, password="national demo")
    assert (result.organisations, result.projects) == (3, 24)
    assert result.appraisals == Appraisal.objects.count()
    assert result.answers == Answer.objects.count()
    assert Answer.objects.count() >= 24 * 17  # every project appraised at least once, fully
    signed = Appraisal.objects.filter(status="approved")
    assert signed.count() == result.signed > 0
    assert set(Appraisal.objects.values_list("status", flat=True)) <= {"approved", "draft"}
    programme = Programme.objects.get(name=NATIONAL)
    assert SharedProject.objects.active().filter(programme=programme).count() == Project.objects.count()
    assert {m.user.email: m.role for m in programme.members.select_related("user")} == {
        OVERSEER: "overseer", RESEARCHER: "researcher",
    }  # fmt: skip
    evaluated = signed.filter(stage="evaluation")
    assert evaluated.exists()
    assert Outcome.objects.filter(appraisal__in=evaluated).count() > 0
    assert verify_everything() == []
    page = signed_in(OVERSEER).get(reverse("programme-dashboard", args=[programme.slug]))
    assert page.status_code == 200
    projects = signed.values("project").distinct().count()
    assert (
        f"In view: {signed.count()} signed appraisals of {projects} projects from 3 organisations"
        in " ".join(page.content.decode().split())
    )
    with pytest.raises(Exception, match="already there"):
        build_national(organisations=1, projects_each=1, password="again")


def test_the_command_builds_it_with_a_few_organisations(tmp_path, settings) -> None:
    settings.DATA_DIR = tmp_path
    result = CliRunner().invoke(
        main, ["demo", "--scale", "national", "--organisations", "2", "--password", "national demo"]
    )
    assert result.exit_code == 0, result.output
    assert "National portfolio: 2 organisations, 100 projects" in result.output
    assert Organisation.objects.filter(name__endswith="(national demo)").count() == 2
    assert verify_everything() == []


def test_the_plain_demo_has_a_small_programme_with_both_people() -> None:
    result = load_demo("demo password")
    assert sorted(result.programme_people) == [OVERSEER, RESEARCHER]
    programme = Programme.objects.get(name=SMALL)
    shared = SharedProject.objects.active().filter(programme=programme)
    assert shared.count() == Project.objects.count() > 0
    assert programme.members.count() == 2
    assert load_demo("demo password").programme_people == []  # nothing made twice
    assert Programme.objects.filter(name=SMALL).count() == 1
    page = signed_in(OVERSEER).get(reverse("programme-dashboard", args=[programme.slug]))
    assert page.status_code == 200
    assert verify_everything() == []
