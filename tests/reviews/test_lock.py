"""An approved appraisal is read-only, whichever way a write arrives: every write URL (with a
clear 409 page), every service (called by a person or by an operator's command), every
command-line verb, and import. What is allowed once approved (publishing, what is left out
of the public version, a new version, the next stage, the project's own details) leaves the
signed record exactly as it was signed.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from trustworthy.appraisals import declaring, policy, readiness
from trustworthy.appraisals import editions as moves
from trustworthy.appraisals import services as appraisals
from trustworthy.appraisals.frameworks import current_framework
from trustworthy.appraisals.models import (
    Answer,
    Appraisal,
    CriterionRating,
    Decision,
    InterestDeclaration,
    Lessons,
    Outcome,
    Participation,
    PrincipleRating,
    Project,
    ReadinessAssessment,
    RegisterRow,
    Screening,
    UnforeseenItem,
)
from trustworthy.appraisals.screening import require_full_route, save_screening
from trustworthy.cli import main
from trustworthy.core.models import AuditEvent, OrganisationChain
from trustworthy.organisations.changes import as_operator
from trustworthy.organisations.models import Organisation, User
from trustworthy.reports import importer, screening_record
from trustworthy.reports import services as reports
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.models import Publication, RecordSettings
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews
from trustworthy.reviews.models import Comment, SectionReview, StatusChange
from trustworthy.voices import services as voices
from trustworthy.voices.models import Consultation, Response, Theme

from ..appraisals.factories import FW, PROJECT_FIELDS, ROWS, decide
from ..conftest import ROLES
from ..voices.factories import ANSWERS
from .helpers import SECTIONS, accept_all, complete_appraisal, person
from .test_state_machine import ALLOWED_ON_APPROVED as MAY_CHANGE_ONCE_APPROVED
from .test_state_machine import KINDS, SCREENING_ANSWERS, offer_another_edition

pytestmark = pytest.mark.django_db

LOCKED = "This appraisal is approved and locked. To change it, start a new version."
TODAY = timezone.localdate()


@dataclass
class Signed:
    """An approved appraisal with something in every part of its record, and its objects."""

    appraisal: Appraisal
    row: RegisterRow
    comment: Comment
    consultation: Consultation
    token: str
    response: Response
    theme: Theme
    publication: Publication


def signed_record(organisation: Organisation) -> Signed:
    lead, contributor, reviewer = person("lead"), person("contributor"), person("reviewer")
    appraisal = complete_appraisal(organisation)
    appraisals.save_criteria(
        appraisal=appraisal,
        user=lead,
        ratings={c.id: ("partly", f"On {c.id}.") for c in FW.rateable_criteria()},
    )
    reports.save_summary(appraisal=appraisal, user=lead, text="We said yes, with care.")
    new = voices.open_consultation(
        appraisal=appraisal,
        user=lead,
        title="Family meetings",
        description="A family meeting first.",
        groups=["young-people", "carers"],
        expires_on=TODAY + datetime.timedelta(days=14),
    )
    response = voices.submit_online(
        consultation_id=new.consultation.pk, group="young-people", answers=ANSWERS
    )
    voices.enter_offline(
        appraisal=appraisal,
        user=contributor,
        group="carers",
        source="workshop",
        gathered_how="A session run by the participation team.",
        gathered_on=TODAY,
        answers=ANSWERS,
    )
    theme = voices.save_theme(
        appraisal=appraisal,
        user=lead,
        name="Waiting",
        description="Several said so.",
        question_ids=["P4"],
        decision_note="We shortened the wait.",
    )
    voices.link_response(response=response, user=lead, question_ids=["P4"], theme_ids=[theme.pk])
    voices.close_consultation(consultation=new.consultation, user=lead)
    reviews.transition(appraisal=appraisal, name="submit", user=lead)
    comment = reviews.add_comment(appraisal=appraisal, user=reviewer, target="P1", text="Is this right?")
    accept_all(appraisal)
    decide(appraisal, person("approver"))
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    publication = reports.publish(appraisal=appraisal, user=lead)
    appraisal.refresh_from_db()
    assert appraisal.status == policy.APPROVED
    assert record_hash(appraisal) == appraisal.record_hash
    return Signed(
        appraisal,
        appraisal.register_rows.get(register="risks"),
        comment,
        new.consultation,
        new.token,
        response,
        theme,
        publication,
    )


def record_of(appraisal: Appraisal) -> dict[str, object]:
    """What the signed record is made of: the record rebuilt now and every row it shows."""
    appraisal.refresh_from_db()
    mine = {"appraisal": appraisal}
    return {
        "status": appraisal.status,
        "signature": (appraisal.record_hash, digest_of(appraisal), appraisal.approved_audit_head),
        "record": record_hash(appraisal),
        **{
            model.__name__: sorted(map(str, model.objects.filter(**mine).values_list()))
            for model in (
                Answer,
                RegisterRow,
                PrincipleRating,
                Participation,
                CriterionRating,
                Decision,
                Comment,
                SectionReview,
                StatusChange,
                Consultation,
                Response,
                Theme,
                Outcome,
                UnforeseenItem,
                Lessons,
            )
        },
        "links": sorted(
            Response.themes.through.objects.filter(response__appraisal=appraisal).values_list(
                "response_id", "theme_id"
            )
        ),
        "summary": list(RecordSettings.objects.filter(**mine).values_list("summary", flat=True)),
    }


def digest_of(appraisal: Appraisal) -> str:
    from trustworthy.core.audit import digest

    return digest(appraisal.signed_content)


def snapshot(appraisal: Appraisal) -> dict[str, object]:
    """The record, and everything else a write could change: the trails, publications,
    what is left out of the public version, the project, and how many appraisals there are."""
    chain = OrganisationChain.objects.get(organisation_id=appraisal.organisation_id)
    return {
        **record_of(appraisal),
        "trail": (
            appraisal.audit_head,
            appraisal.audit_count,
            AuditEvent.objects.filter(appraisal=appraisal).count(),
        ),
        "organisation trail": (
            chain.head,
            chain.count,
            AuditEvent.objects.filter(organisation=chain.organisation_id).count(),
        ),
        "publications": sorted(map(str, Publication.objects.filter(appraisal=appraisal).values_list())),
        "left out": list(
            RecordSettings.objects.filter(appraisal=appraisal).values_list("not_for_publication")
        ),
        "project": sorted(map(str, Project.objects.filter(pk=appraisal.project_id).values_list())),
        "appraisals": Appraisal.objects.count(),
    }


def differences(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return [key for key in before if before[key] != after[key]]


# --- the web ---------------------------------------------------------------------------------

# Every URL that names an appraisal, something in it, or its project, classified. A new URL
# fails the test below until it is put in one of these.
#
# Writes refused once approved, and the role that could make them before: that role gets
# the 409 page; everyone else a 403, 404 or 409.
REFUSED: dict[str, str | None] = {
    "appraisal-question": "contributor",
    "appraisal-principles": "contributor",
    "appraisal-participation": "contributor",
    "register-add": "contributor",
    "register-change": "contributor",
    "register-remove": "contributor",
    "appraisal-decision": "approver",
    "appraisal-criteria": "contributor",
    "appraisal-readiness": "contributor",
    "appraisal-screening": "lead",
    "appraisal-require-full": "approver",
    "appraisal-move-edition": "lead",
    "evaluation-outcome": "contributor",
    "evaluation-unforeseen-add": "contributor",
    "evaluation-unforeseen-change": "contributor",
    "evaluation-unforeseen-remove": "contributor",
    "evaluation-lessons": "contributor",
    "appraisal-review": "reviewer",
    "appraisal-interests": "reviewer",
    "appraisal-other-approver": "admin",
    "appraisal-step": None,  # each step by its own role (see STEP_ROLES)
    "appraisal-comments": "reviewer",
    "comment-resolve": "reviewer",
    "record-summary": "lead",
    "voices-consultation-create": "lead",
    "voices-consultation-new-link": "lead",
    "voices-consultation-close": "lead",
    "voices-response-create": "contributor",
    "voices-response": "lead",
    "voices-theme-create": "lead",
    "voices-theme": "lead",
}
STEP_ROLES = {
    name: next(r for r in ("lead", "reviewer", "approver") if policy.role_allows(r, t.change))
    for name, t in policy.TRANSITIONS.items()
}
# Allowed once approved, by the lead (actions: by leads and contributors, and their owners):
# none may change the signed record.
ALLOWED_ON_APPROVED = {
    "record-publish", "appraisal-new-version", "project-edit", "appraisal-start",
    "action-add", "action-change", "action-progress",
}  # fmt: skip
# Pages that only show things (a POST changes nothing), and the participant's pages.
READ_ONLY = {
    "project-detail",
    "appraisal-tasks",
    "appraisal-route",
    "appraisal-check",
    "appraisal-history",
    "appraisal-changes",
    "evaluation",
    "evaluation-compare",
    "appraisal-actions",
    "project-actions",
    "record",
    "record-pdf",
    "record-docx",
    "record-json",
    "record-summary-pdf",
    "voices-summary",
    "voices-consultation-link",
    "voices-thanks",
    "public-record",
    "public-record-json",
    "programme-record",
}
PARTICIPANT = "voices-participate"

PAYLOAD: dict[str, Any] = {
    "value": "no",
    "rationale": "Changed after approval",
    "evidence": "",
    "version": "1",
    "mode": "consulted",
    "reason": "Because it changed",
    "summary": "Changed",
    "decision": "reframe",
    "reasoning": "Changed",
    "departure_reason": "",
    "accountable_person": "Someone else",
    "decided_on": "2026-11-26",
    "target": "P1",
    "text": "A late comment",
    **{f"verdict_{s}": "acceptable" for s in SECTIONS},
    **{f"rating_{p.id}": "supports" for p in FW.principles},
    **{f"rating_{c.id}": "met" for c in FW.rateable_criteria()},
    **ROWS["risks"],
    "title": "Late consultation",
    "description": "Something new.",
    "groups": ["young-people"],
    "expires_on": (TODAY + datetime.timedelta(days=10)).isoformat(),
    "source": "paper",
    "gathered_how": "On paper at the youth club.",
    "gathered_on": TODAY.isoformat(),
    "group": "",
    "question_ids": ["P1"],
    "name": "A late theme",
    "decision_note": "Too late.",
    **dict.fromkeys(ANSWERS, "Late words."),
}


def named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from named_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, prefix + str(entry.pattern)


# URL parameters that name an appraisal, something in one, or its project.
def url_values(signed: Signed) -> dict[str, object]:
    appraisal = signed.appraisal
    return {
        "<int:pk>": appraisal.pk,
        "<int:appraisal_id>": appraisal.pk,
        "<str:question_id>": "P1",
        "<slug:aspect>": "process",
        "<slug:stakeholder>": "carers",
        "<slug:register_id>": "risks",
        "<int:row_id>": signed.row.pk,
        # The signed record is an inception appraisal: the gate refuses before the stage matters.
        "<int:item_id>": signed.row.pk,
        "<int:comment_id>": signed.comment.pk,
        "<int:consultation_id>": signed.consultation.pk,
        "<int:response_id>": signed.response.pk,
        "<int:theme_id>": signed.theme.pk,
        "<int:publication_id>": signed.publication.pk,
        "<int:declaration_id>": InterestDeclaration.objects.filter(appraisal=appraisal).order_by("pk")[0].pk,
        "<str:link_token>": signed.token,
    }


def appraisal_urls(signed: Signed) -> dict[str, list[str]]:
    """Each URL (by name) that names the signed appraisal, something in it or its project."""
    values = url_values(signed)
    urls: dict[str, list[str]] = {}
    for name, route in named_patterns():
        if not any(key in route for key in values):
            continue
        url = "/" + route
        for key, value in values.items():
            if key == "<int:pk>" and route.startswith("projects/"):
                value = signed.appraisal.project_id
            if key == "<str:question_id>" and "<slug:aspect>" in route:
                value = "E1"
            url = url.replace(key, str(value))
        url = url.replace("<slug:programme>", "a-programme")  # (a programme's page of the appraisal)
        names = policy.TRANSITIONS if "<slug:name>" in url else [""]
        urls[name] = [url.replace("<slug:name>", n) for n in names]
    return urls


def test_every_url_that_names_an_appraisal_is_classified_here(organisation) -> None:
    urls = appraisal_urls(signed_record(organisation))
    classified = set(REFUSED) | ALLOWED_ON_APPROVED | READ_ONLY | {PARTICIPANT}
    assert not set(urls) - classified, f"say what these do to an approved appraisal: {set(urls) - classified}"
    assert not classified - set(urls), f"no longer in the URL configuration: {classified - set(urls)}"


def test_every_write_url_refuses_an_approved_appraisal_with_a_clear_page(
    organisation, other_organisation
) -> None:
    signed = signed_record(organisation)
    appraisal = signed.appraisal
    before = snapshot(appraisal)
    urls = appraisal_urls(signed)
    clients = {role: Client() for role in ROLES}
    for role, client in clients.items():
        client.force_login(person(role))
    clients["outsider"] = Client()
    clients["outsider"].force_login(person("lead", "trust"))
    failures: list[str] = []
    tried = 0
    for name, right_role in REFUSED.items():
        for url in urls[name]:
            right = right_role or STEP_ROLES[url.rstrip("/").rsplit("/", 1)[-1]]
            for who, client in clients.items():
                response = client.post(url, PAYLOAD)
                tried += 1
                page = response.content.decode()
                if who == right and (response.status_code != 409 or LOCKED not in page):
                    failures.append(f"POST {url} as {who}: {response.status_code}, not the locked page")
                elif response.status_code not in (403, 404, 409):
                    failures.append(f"POST {url} as {who}: {response.status_code}")
                if response.status_code == 409:
                    assert "This appraisal cannot be changed" in page
                if changed := differences(before, snapshot(appraisal)):
                    pytest.fail(f"POST {url} as {who} changed the approved appraisal: {changed}")
    assert tried >= len(REFUSED) * len(clients)
    assert not failures, "\n".join(failures)


def test_the_participants_page_of_an_approved_appraisal_has_finished(organisation) -> None:
    signed = signed_record(organisation)
    before = snapshot(signed.appraisal)
    response = Client().post(f"/v/{signed.token}/", {**ANSWERS, "group": "young-people", "website": ""})
    assert response.status_code == 410
    assert "This has finished" in response.content.decode()
    assert differences(before, snapshot(signed.appraisal)) == []


def test_pages_that_only_show_things_change_nothing_when_posted_to(organisation) -> None:
    signed = signed_record(organisation)
    before = snapshot(signed.appraisal)
    urls = appraisal_urls(signed)
    for role in ROLES:
        client = Client()
        client.force_login(person(role))
        for name in sorted(READ_ONLY):
            for url in urls[name]:
                response = client.post(url, PAYLOAD)
                assert response.status_code in (403, 404, 405, 409), (
                    f"POST {url} as {role}: {response.status_code}"
                )
                assert differences(before, snapshot(signed.appraisal)) == [], f"POST {url} as {role}"


def test_what_may_be_done_once_approved_leaves_the_signed_record_as_it_was(client_as, organisation) -> None:
    signed = signed_record(organisation)
    appraisal = signed.appraisal
    signed_as = record_of(appraisal)
    lead = client_as("lead")
    project_form = {
        **{k: v for k, v in PROJECT_FIELDS.items() if v is not None},
        "title": "Family meetings, renamed after approval",
        "summary": "A new summary, written after approval.",
        "motivations": ["improve-outcomes"],
        "primary_motivation": "improve-outcomes",
        "explain_improve-outcomes": "Families do better.",
    }
    publish = f"/appraisals/{appraisal.pk}/record/publish/"
    posts = [
        (publish, {"action": "exclusions", "not_for_publication": ["project.summary"]}),
        (publish, {"action": "replace", "replace-reason": "Less is shown now."}),
        (publish, {"action": "withdraw", "withdraw-reason": "Published too soon."}),
        (publish, {"action": "publish"}),
        (f"/projects/{appraisal.project_id}/edit/", project_form),
        (f"/projects/{appraisal.project_id}/appraisals/new/", {"stage": "development"}),
        (f"/appraisals/{appraisal.pk}/new-version/", {"reason": "The funding changed."}),
    ]
    assert {name for name, _ in named_patterns() if name in ALLOWED_ON_APPROVED} == ALLOWED_ON_APPROVED
    for url, data in posts:
        events = AuditEvent.objects.count()
        response = lead.post(url, data)
        assert response.status_code == 302, f"POST {url}: {response.status_code}"
        assert AuditEvent.objects.count() == events + 1, f"POST {url}: one change, one event"
        assert record_of(appraisal) == signed_as, f"POST {url} changed the signed record"
    # Actions are follow-through: added, changed and finished after approval, and the signed
    # record (which shows them as they stood at approval) stays as it was.
    actions_url = f"/appraisals/{appraisal.pk}/actions/"
    action = {"source": "other", "what": "Sign the agreement", "owner_name": "Head of service",
              "due_on": "27/03/2027", "version": 0}  # fmt: skip
    assert lead.post(actions_url + "new/", action).status_code == 302
    made = appraisal.actions.get()
    for url, data in (
        (f"{actions_url}{made.pk}/", action | {"what": "Sign the agreement by March", "version": 1}),
        (f"{actions_url}{made.pk}/progress/", {"status": "done", "evidence": "Signed.", "version": 2}),
    ):
        events = AuditEvent.objects.count()
        response = lead.post(url, data)
        assert response.status_code == 302, f"POST {url}: {response.status_code}"
        assert AuditEvent.objects.count() == events + 1, f"POST {url}: one change, one event"
        assert record_of(appraisal) == signed_as, f"POST {url} changed the signed record"
    renamed = "Family meetings, renamed after approval"
    assert reports.record_for(appraisal).project.title == PROJECT_FIELDS["title"], "as it was signed"
    later = Appraisal.objects.filter(project_id=appraisal.project_id).exclude(pk=appraisal.pk)
    assert sorted(later.values_list("stage", "version")) == [("development", 1), ("inception", 2)]
    assert {reports.record_for(a).project.title for a in later} == {renamed}, "later versions show the edit"
    publications = Publication.objects.filter(appraisal=appraisal)
    assert publications.count() == 3, "the first, its replacement and the one published again"
    assert publications.filter(withdrawn_at__isnull=True).count() == 1
    assert verify_everything() == []


# --- every service, called by a person or by an operator's command ---------------------------


def attempts(signed: Signed) -> dict[str, Callable[[], object]]:
    """Every write to an appraisal that its approval refuses, by someone whose role allows it."""
    a = signed.appraisal
    lead, contributor, reviewer, approver = (
        person(r) for r in ("lead", "contributor", "reviewer", "approver")
    )
    ratings = {p.id: ("supports", "") for p in FW.principles_in(FW.question("E1").cluster or "")}
    return {
        "answer": lambda: appraisals.save_answer(
            appraisal=a, question_id="P1", user=contributor, value="no", rationale="x"
        ),
        "principles": lambda: appraisals.save_principles(
            appraisal=a,
            question_id="E1",
            aspect="process",
            user=contributor,
            value="no",
            rationale="x",
            ratings=ratings,
        ),
        "register-add": lambda: appraisals.add_register_row(
            appraisal=a, register_id="risks", data=ROWS["risks"], user=contributor
        ),
        "register-change": lambda: appraisals.change_register_row(
            row=signed.row, data=ROWS["risks"], user=contributor
        ),
        "register-remove": lambda: appraisals.remove_register_row(row=signed.row, user=contributor),
        "participation": lambda: appraisals.save_participation(
            appraisal=a, stakeholder="carers", mode="informed", reason="", summary="", user=contributor
        ),
        "criteria": lambda: appraisals.save_criteria(
            appraisal=a, user=contributor, ratings={c.id: ("met", "") for c in FW.rateable_criteria()}
        ),
        "readiness": lambda: readiness.save_readiness(
            appraisal=a,
            user=contributor,
            entries={d.id: ("not-in-place", "Changed.") for d in FW.readiness_dimensions},
        ),
        "screening": lambda: save_screening(appraisal=a, user=lead, answers=SCREENING_ANSWERS, route="light"),
        "require-full-route": lambda: require_full_route(appraisal=a, user=approver, reason="Late."),
        # The organisation uses another edition now (see the test): moving to it is refused.
        "move-edition": lambda: moves.move_to_edition(
            appraisal=a, target_key=current_framework(a.organisation_id).key, user=lead
        ),
        "outcome": lambda: appraisals.save_outcome(
            appraisal=a, row_id=signed.row.pk, user=contributor, result="yes", handling="x"
        ),
        "unforeseen-add": lambda: appraisals.add_unforeseen(
            appraisal=a, user=contributor, kind="harm", description="x"
        ),
        "unforeseen-change": lambda: appraisals.change_unforeseen(
            item=UnforeseenItem(appraisal=a, kind="harm", description="x"),
            user=contributor,
            kind="harm",
            description="y",
        ),
        "unforeseen-remove": lambda: appraisals.remove_unforeseen(
            item=UnforeseenItem(appraisal=a, kind="harm", description="x"), user=contributor
        ),
        "lessons": lambda: appraisals.save_lessons(appraisal=a, user=contributor, text="x"),
        "decision": lambda: decide(a, approver, "reframe"),
        "summary": lambda: reports.save_summary(appraisal=a, user=lead, text="Changed."),
        "open-consultation": lambda: voices.open_consultation(
            appraisal=a,
            user=lead,
            title="Late",
            description="Late.",
            groups=["carers"],
            expires_on=TODAY + datetime.timedelta(days=5),
        ),
        "new-link": lambda: voices.new_link(consultation=signed.consultation, user=lead),
        "online-response": lambda: voices.submit_online(
            consultation_id=signed.consultation.pk, group="", answers=ANSWERS
        ),
        "offline-response": lambda: voices.enter_offline(
            appraisal=a,
            user=contributor,
            group="",
            source="paper",
            gathered_how="Paper.",
            gathered_on=None,
            answers=ANSWERS,
        ),
        "theme": lambda: voices.save_theme(
            appraisal=a,
            user=lead,
            name="Waiting",
            description="",
            question_ids=[],
            decision_note="Changed.",
            theme=signed.theme,
        ),
        "link-response": lambda: voices.link_response(
            response=signed.response, user=lead, question_ids=[], theme_ids=[]
        ),
        "comment": lambda: reviews.add_comment(appraisal=a, user=reviewer, target="P1", text="late"),
        "resolve-comment": lambda: reviews.resolve_comment(comment=signed.comment, user=reviewer),
        "review": lambda: reviews.review_sections(
            appraisal=a, user=reviewer, verdicts=dict.fromkeys(SECTIONS, ("needs-work", "Late."))
        ),
        "interest": lambda: declaring.declare_interests(
            appraisal=a, user=reviewer, has_interest=True, interest="Late."
        ),
        "other-approver": lambda: declaring.require_other_approver(
            declaration=InterestDeclaration.objects.filter(appraisal=a).order_by("pk")[0],
            user=person("admin"),
        ),
        **{
            f"step {name}": functools.partial(
                reviews.transition, appraisal=a, name=name, user=person(role), reason="late"
            )
            for name, role in STEP_ROLES.items()
        },
    }


@pytest.mark.parametrize("operator", [False, True], ids=["by a person", "by an operator's command"])
def test_every_service_refuses_an_approved_appraisal_whatever_calls_it(organisation, operator: bool) -> None:
    """The command line's operator mode skips the role check, never the status rule."""
    signed = signed_record(organisation)
    # Its organisation's new appraisals use another edition, which a draft could move to.
    offer_another_edition(organisation, person("admin"), than=signed.appraisal.framework_key)
    assert moves.newer_edition(signed.appraisal) is not None
    before = snapshot(signed.appraisal)
    mode = as_operator if operator else contextlib.nullcontext
    for kind, attempt in attempts(signed).items():
        with mode(), pytest.raises(policy.LockedError) as refused:
            attempt()
        assert str(refused.value) == LOCKED, kind
        assert differences(before, snapshot(signed.appraisal)) == [], kind
    # Closing a consultation that is already closed is tested below.
    kinds = {kind.removeprefix("step ") for kind in attempts(signed)} | {"close-consultation"}
    assert kinds == set(KINDS) - MAY_CHANGE_ONCE_APPROVED, "an attempt for every kind of write"


def test_closing_a_closed_consultation_of_an_approved_appraisal_changes_nothing(organisation) -> None:
    """Its consultations were closed before it went for review; closing one again changes
    nothing (the page refuses it with the locked page, above)."""
    signed = signed_record(organisation)
    before = snapshot(signed.appraisal)
    with contextlib.suppress(policy.LockedError):
        voices.close_consultation(consultation=signed.consultation, user=person("lead"))
    assert differences(before, snapshot(signed.appraisal)) == []


# --- the command line ------------------------------------------------------------------------

# Every verb, and what it does to appraisals that exist. None writes to one: import makes a
# new project and appraisal, demo makes its own organisations (and leaves existing ones).
VERBS = {
    "framework": "reads a framework file",
    "route": "computes a route from answers given on the command line",
    "manage": "Django's own commands, for maintainers",
    "migrate": "changes tables, not records",
    "serve": "serves the web pages, tested above",
    "createuser": "adds a person to an organisation (the organisation's chain)",
    "audit": "reads",
    "reminders": "sends emails; notes each overdue action's reminder (the organisation's chain)",
    "export": "reads",
    "import": "makes a new project and appraisal (below)",
    "demo": "makes its own organisations (and, at national scale, their signed appraisals)",
    "programme": "programmes, their people and organisations (the programme's chain)",
    "token": "API tokens (the organisation's chain)",
    "backup": "reads (a copy of the whole database)",
    "restore": "loads a backup into an empty database only (refused over any tables)",
    "organisation": "organisations' names, types and sign-in providers (the organisation's chain)",
    "user": "people's accounts: add, deactivate, reset (each of their organisations' chains)",
    "check-text": "reads text given to it; stores nothing",
}


def test_every_command_line_verb_is_accounted_for() -> None:
    assert set(main.commands) == set(VERBS)


def test_no_command_line_verb_changes_an_approved_appraisal(
    organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_record(organisation)
    appraisal = signed.appraisal
    signed_as = record_of(appraisal)
    runner = CliRunner()
    exported = tmp_path / "record.json"
    runs = [
        ["audit", "verify"],
        ["export", str(appraisal.pk), "--format", "json", "--output", str(exported)],
        ["export", str(appraisal.pk), "--format", "html"],
        ["reminders"],
        ["import", str(exported), "--user", "lead@council.test"],
        [
            "createuser",
            "--email",
            "new@council.test",
            "--name",
            "New Member",
            "--organisation",
            organisation.name,
            "--role",
            "contributor",
            "--password",
            "a long enough passphrase",
        ],
        ["audit", "verify"],
    ]
    # A year on, the decision is due for review: the reminder is sent, and nothing written.
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY + datetime.timedelta(days=400))
    for args in runs:
        trail = (appraisal.audit_head, appraisal.audit_count)
        result = runner.invoke(main, args)
        assert result.exit_code == 0, f"{args}: {result.output}"
        assert record_of(appraisal) == signed_as, f"trustworthy {' '.join(args)} changed the signed record"
        assert (appraisal.audit_head, appraisal.audit_count) == trail, f"trustworthy {' '.join(args)}"
    assert any(appraisal.project.title in m.subject for m in mail.outbox), "the reminder was sent"
    assert Appraisal.objects.count() == 2


# --- import ----------------------------------------------------------------------------------


def export(appraisal: Appraisal, tmp_path: Path) -> Path:
    target = tmp_path / f"record-{appraisal.pk}.json"
    result = CliRunner().invoke(main, ["export", str(appraisal.pk), "--output", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_import_goes_through_the_gate_as_the_person_named(
    organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imported as a viewer, who may not write on the web: the operator's command may, and
    every write is audited, once, with the viewer as the actor."""
    signed = signed_record(organisation)
    path = export(signed.appraisal, tmp_path)
    writes: list[str] = []

    def counted(name: str, service: Callable[..., Any]) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            writes.append(name)
            return service(**kwargs)

        return call

    for name in (
        "create_project",
        "start_appraisal",
        "save_answer",
        "add_register_row",
        "save_participation",
        "save_principles",
        "save_criteria",
        "record_decision",
    ):
        monkeypatch.setattr(appraisals, name, counted(name, getattr(appraisals, name)))
    monkeypatch.setattr(importer, "save_summary", counted("save_summary", importer.save_summary))
    for module, name in (
        (declaring, "declare_interests"),
        (declaring, "require_other_approver"),
        (readiness, "save_readiness"),
        (screening_record, "save_screening"),
        (screening_record, "require_full_route"),
    ):
        monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
    events = AuditEvent.objects.count()
    result = CliRunner().invoke(main, ["import", str(path), "--user", "viewer@council.test"])
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=signed.appraisal.pk).get()
    new_events = AuditEvent.objects.filter(pk__gt=AuditEvent.objects.order_by("pk")[events - 1].pk)
    assert len(writes) == new_events.count() == events_expected(imported) > 0
    viewer = User.objects.get(email="viewer@council.test")
    assert set(new_events.values_list("actor_id", "actor_name")) == {(viewer.pk, str(viewer))}
    assert imported.audit_count == new_events.filter(appraisal=imported).count() == new_events.count() - 1
    # The declarations brought back are still the reviewer's and the approver's own; only an
    # operator's command may write one for someone else (not even an approver may).
    declared = InterestDeclaration.objects.filter(appraisal=imported)
    assert set(declared.values_list("person__email", flat=True)) == {
        "reviewer@council.test",
        "approver@council.test",
    }
    with pytest.raises(policy.NotPermitted):
        declaring.declare_interests(
            appraisal=imported, user=person("approver"), person=person("reviewer"), has_interest=False
        )
    assert verify_everything() == []


def events_expected(imported: Appraisal) -> int:
    """One event for each thing the import wrote, counted from what it wrote."""
    principle_questions = {q.id for q in FW.questions() if q.kind == "principles"}
    plain_answers = imported.answers.exclude(question_id__in=principle_questions).count()
    rated = PrincipleRating.objects.filter(appraisal=imported)
    rated_parts = {
        (q.id, aspect)
        for aspect, principle in rated.values_list("aspect", "principle_id")
        for q in FW.questions()
        if q.kind == "principles" and principle in {p.id for p in FW.principles_in(q.cluster or "")}
    }
    with_evidence = imported.answers.filter(question_id__in=principle_questions).exclude(evidence="").count()
    return (
        2  # the project, and the appraisal started
        + plain_answers
        + imported.register_rows.count()
        + imported.participation.count()
        + len(rated_parts)
        + with_evidence
        + (1 if CriterionRating.objects.filter(appraisal=imported).exists() else 0)
        + (1 if Decision.objects.filter(appraisal=imported).exists() else 0)
        + RecordSettings.objects.filter(appraisal=imported).exclude(summary="").count()
        + InterestDeclaration.objects.filter(appraisal=imported).count()
        + InterestDeclaration.objects.filter(appraisal=imported, stand_aside=True).count()
        + (1 if ReadinessAssessment.objects.filter(appraisal=imported).exists() else 0)
        + Screening.objects.filter(appraisal=imported).count()
        + Screening.objects.filter(appraisal=imported, full_required_by__isnull=False).count()
    )


def test_importing_cannot_touch_an_existing_approved_appraisal(organisation, tmp_path: Path) -> None:
    """Even a file that names the approved appraisal and its project makes a new draft."""
    signed = signed_record(organisation)
    appraisal = signed.appraisal
    before = snapshot(appraisal)
    doc = json.loads(export(appraisal, tmp_path).read_text("utf-8"))
    doc["appraisal"]["id"] = appraisal.pk
    doc["decision"]["reasoning"] = "Rewritten, to slip into the signed record."
    path = tmp_path / "aimed-at-the-approved.json"
    path.write_text(json.dumps(doc), "utf-8")
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 0, result.output
    imported = Appraisal.objects.exclude(pk=appraisal.pk).get()
    assert imported.status == policy.DRAFT
    assert imported.project_id != appraisal.project_id
    assert imported.decision.reasoning == "Rewritten, to slip into the signed record."
    after = snapshot(appraisal)
    assert differences(before, after) == ["organisation trail", "appraisals"], "only the new one was added"
    assert verify_everything() == []


def test_the_locked_page_says_what_to_do(client_as, organisation) -> None:
    appraisal = signed_record(organisation).appraisal
    response = client_as("lead").get(f"/appraisals/{appraisal.pk}/registers/risks/add/")
    assert response.status_code == 409
    assert LOCKED in response.content.decode()
    page = client_as("lead").get(f"/appraisals/{appraisal.pk}/questions/P1/").content.decode()
    assert 'name="rationale"' not in page, "an approved appraisal shows answers, not forms"
