"""The demo's programmes: the small one in `trustworthy demo`, and the national portfolio
generated in bulk, which keeps `trustworthy audit verify` passing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustworthy.appraisals.models import Answer, Appraisal, Outcome, Project
from trustworthy.appraisals.selectors import context_snapshot
from trustworthy.cli import main
from trustworthy.core.audit import digest
from trustworthy.demo import PASSWORD_ENV, load_demo, national
from trustworthy.demo.national import NATIONAL, OVERSEER, RESEARCHER, SMALL, NationalResult, build_national
from trustworthy.organisations.models import Organisation
from trustworthy.programmes.models import Programme, SharedProject
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.signing import signed_content, signed_contents
from trustworthy.reviews.models import Comment, SectionReview, StatusChange
from trustworthy.voices import services as voices
from trustworthy.voices.models import Response

from ..voices.factories import ANSWERS, lead_of, open_for
from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_the_national_portfolio_is_signed_shared_and_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(national, "PROJECTS_AT_A_TIME", 8)  # one organisation at a time
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


def test_many_records_are_signed_exactly_as_one_at_a_time() -> None:
    """`signed_contents` (the national demo's way) gives, appraisal by appraisal, what
    `signed_content` gives: over the plain demo (reviews, comments, consultations, drafts)
    and a small national portfolio (evaluations looking back on a signed stage)."""
    load_demo("demo password")
    build_national(organisations=2, projects_each=6, password="national demo")
    for appraisal in Appraisal.objects.filter(status="draft").order_by("pk")[:3]:  # the demo has no comments
        question = Comment.objects.create(
            appraisal=appraisal, target="P1", author=appraisal.created_by, text="Why?"
        )
        Comment.objects.create(
            appraisal=appraisal, target="P1", parent=question, author=appraisal.created_by, text="Because.",
            resolved_at=question.created_at, resolved_by=appraisal.created_by,
        )  # fmt: skip
    heard = Appraisal.objects.filter(status="draft").exclude(organisation__name__endswith="(national demo)")
    heard = heard.order_by("pk").first()  # what young people told a demo organisation
    new = open_for(heard)
    voices.submit_online(consultation_id=new.consultation.pk, group="young-people", answers=ANSWERS)
    voices.save_theme(
        appraisal=heard, user=lead_of(heard.organisation), name="Waiting", description="Too long.",
        question_ids=["P1"], decision_note="We will shorten it.",
    )  # fmt: skip
    appraisals = list(Appraisal.objects.order_by("pk"))
    assert {a.status for a in appraisals} >= {"approved", "draft"}
    for model in (StatusChange, SectionReview, Comment, Response):
        assert model.objects.exists(), model
    assert any(a.stage == "evaluation" and a.status == "approved" for a in appraisals)
    with CaptureQueriesContext(connection) as many:
        batch = signed_contents(appraisals)
    with CaptureQueriesContext(connection) as one_by_one:
        singly = {a.pk: signed_content(a) for a in Appraisal.objects.order_by("pk")}
    assert batch == singly
    for appraisal in appraisals:
        if appraisal.status == "approved":
            assert digest(batch[appraisal.pk]) == appraisal.record_hash, appraisal.pk
    # A fixed number for the lot, beside what each record reads for itself: its D1-D5
    # profile, and a few more for an evaluation or where people were heard.
    evaluations = sum(a.stage == "evaluation" for a in appraisals)
    assert len(many) <= 30 + len(appraisals) + 8 * (evaluations + 1)
    assert len(many) * 3 < len(one_by_one)


def test_the_national_portfolio_freezes_what_approval_freezes() -> None:
    build_national(organisations=2, projects_each=5, password="national demo")
    signed = Appraisal.objects.filter(status="approved").select_related(
        "project", "organisation", "approved_by"
    )
    assert signed.exists()
    for appraisal in signed:
        assert appraisal.approved_snapshot == context_snapshot(appraisal)
        assert appraisal.signed_content == signed_content(appraisal)
        assert appraisal.review_date is not None
        assert appraisal.decision.decided_on <= appraisal.review_date


@pytest.fixture
def beside_an_event_loop(transactional_db: None) -> Iterator[None]:
    """This thread as the browser tests leave it for the tests after them: a database
    connection opened before any event loop ran here, still open in the thread's own store,
    and an event loop marked as running (Playwright's sync API marks its loop so between
    calls), so that Django keeps the connections the test uses in a store of the loop's
    context. A process forked now has no running loop: it sees the first connection."""
    before = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    connection.ensure_connection()  # in the thread's own store
    loop = asyncio.new_event_loop()
    asyncio._set_running_loop(loop)
    try:
        yield
    finally:
        connections.close_all()  # those of the loop's context
        asyncio._set_running_loop(None)
        # The thread's own, even if a worker used it and left it in a transaction: that would
        # keep its locks, and the flush after a transactional test would wait on them for ever.
        connections.close_all()
        asyncio._set_running_loop(before)
        loop.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="built side by side on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("beside_an_event_loop")
def test_two_processes_build_it_side_by_side_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker uses connections of its own, even where the parent still holds one that
    `close_all()` cannot see (after the browser tests, as in the full suite)."""
    monkeypatch.setattr(national, "PROJECTS_AT_A_TIME", 10)  # two organisations at a time
    monkeypatch.setattr(national, "BATCH_TIMEOUT_SECONDS", 180)  # a batch here takes seconds
    steps: list[str] = []
    result = build_national(
        organisations=4, projects_each=5, password="national demo", workers=2, progress=steps.append
    )
    assert (result.organisations, result.projects) == (4, 20)
    assert result.appraisals == Appraisal.objects.count()
    assert result.answers == Answer.objects.count()
    assert result.signed == Appraisal.objects.filter(status="approved").count() > 0
    assert any("2 organisations at a time, in 2 process(es)" in step for step in steps)
    assert any(step.startswith("4 of 4 organisations built") for step in steps)
    assert verify_everything() == []


def _dies(batch: national._Batch) -> NationalResult:
    """A worker killed while it builds (as the kernel kills one when memory runs out)."""
    os._exit(1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="built side by side on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_stops_the_build_instead_of_hanging_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(national, "PROJECTS_AT_A_TIME", 5)  # one organisation at a time
    monkeypatch.setattr(national, "BATCH_TIMEOUT_SECONDS", 5)
    monkeypatch.setattr(national, "_build_batch", _dies)  # its batch is lost with it
    with pytest.raises(RuntimeError, match="No batch of organisations was built in 5 s"):
        build_national(organisations=2, projects_each=5, password="national demo", workers=2)
    assert not Project.objects.exists()
