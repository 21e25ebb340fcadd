"""Every URL, requested as every role, as a member of another organisation and signed out.

The URLs come from the URL configuration itself, so a new view that is not listed in
EXPECTED fails this test until someone decides who may use it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from trustworthy.appraisals import actions, declaring, services
from trustworthy.organisations.models import Membership, Organisation, User
from trustworthy.organisations.services import record_commitments
from trustworthy.reviews import services as review_services

from .appraisals.evaluation_factories import start_evaluation
from .appraisals.factories import ROWS, fill_appraisal, make_project
from .conftest import ROLES
from .voices.factories import voices_object

pytestmark = pytest.mark.django_db

ALL = dict.fromkeys(ROLES, 200)


def only(*roles: str, others: int = 403) -> dict[str, int]:
    return {role: (200 if role in roles else others) for role in ROLES}


# GET status for each role. Object URLs answer 404 to members of other organisations.
EXPECTED: dict[str, dict[str, int]] = {
    "home": ALL,  # "Your work"
    "project-list": ALL,
    "project-create": only("lead"),
    "project-detail": ALL,
    "project-edit": only("lead"),
    "appraisal-start": only("lead"),
    "appraisal-tasks": ALL,
    "appraisal-question": ALL,
    "appraisal-principles": only("lead", "contributor"),
    "appraisal-participation": only("lead", "contributor"),
    "register-add": only("lead", "contributor"),
    "register-change": only("lead", "contributor"),
    "register-remove": only("lead", "contributor"),
    "appraisal-route": ALL,
    "appraisal-check": ALL,
    "appraisal-decision": ALL,
    "appraisal-criteria": only("lead", "contributor"),
    "appraisal-readiness": ALL,  # all read it; leads and contributors save it (appraisals/test_readiness.py)
    "appraisal-screening": only("lead"),
    "appraisal-require-full": only("approver"),
    "appraisal-review": ALL,
    "appraisal-interests": only("reviewer", "approver"),
    "appraisal-other-approver": only("admin"),
    "appraisal-step": only("lead"),  # tested with the "submit" step, which is the lead's
    "appraisal-comments": ALL,
    "comment-resolve": ALL,
    "appraisal-history": ALL,
    "appraisal-new-version": only("lead"),
    "appraisal-changes": ALL,
    "record": ALL,
    "record-pdf": ALL,
    "record-docx": ALL,
    "record-json": ALL,
    "record-summary": ALL,
    "record-summary-pdf": ALL,
    "record-publish": only("lead"),
    "evaluation": ALL,
    "evaluation-outcome": only("lead", "contributor"),
    "evaluation-unforeseen-add": only("lead", "contributor"),
    "evaluation-unforeseen-change": only("lead", "contributor"),
    "evaluation-unforeseen-remove": only("lead", "contributor"),
    "evaluation-lessons": only("lead", "contributor"),
    "evaluation-compare": ALL,
    "action-list": ALL,
    "project-actions": ALL,
    "appraisal-actions": ALL,
    "action-add": only("lead", "contributor"),
    "action-change": only("lead", "contributor"),
    "action-progress": only(
        "lead", "contributor"
    ),  # and the action's owner (tests/appraisals/test_actions.py)
    "switch-organisation": ALL,
    "organisation": ALL,
    "organisation-commitments": ALL,
    "organisation-commitments-version": ALL,
    "organisation-commitments-edit": only("admin"),
    "organisation-edition": ALL,
    "organisation-local-question-add": only("admin"),
    "appraisal-move-edition": only("lead"),
    "organisation-members": only("admin"),
    "organisation-member-invite": only("admin"),
    "organisation-member": only("admin"),
    "organisation-member-remove": only("admin"),
    "organisation-member-resend-invitation": only("admin"),
    "voices-list": ALL,
    "voices-summary": ALL,
    "voices-consultation-create": only("lead"),
    "voices-consultation-link": only("lead"),
    "voices-consultation-new-link": only("lead"),
    "voices-consultation-close": only("lead"),
    "voices-response-create": only("lead", "contributor"),
    "voices-response": ALL,
    "voices-theme-create": only("lead"),
    "voices-theme": only("lead"),
    "voices-safeguarding": only("admin"),
    "api-tokens": ALL,
    # Two-factor authentication, for someone who has not turned it on: the pages that need
    # it on (or new codes to show) send them to the page about it.
    "two-factor": ALL,
    "two-factor-set-up": ALL,
    "two-factor-code": dict.fromkeys(ROLES, 302),
    "two-factor-recovery-codes": dict.fromkeys(ROLES, 302),
    "two-factor-new-recovery-codes": dict.fromkeys(ROLES, 302),
    "two-factor-turn-off": dict.fromkeys(ROLES, 302),
    # Programmes: members of organisations are not the programme's overseers or researchers
    # (tests/programmes covers those); an organisation's own portfolio is for every member.
    "programme-list": ALL,
    "programme-dashboard": only(others=404),
    "programme-record": only(others=404),
    "programme-research": only(others=404),
    "organisation-portfolio": ALL,
    "organisation-programmes": ALL,
}
# Pages anyone may see signed out, and their status.
# The test appraisal is not published, so its public record and its JSON are not found.
PUBLIC = {"healthz": 200, "login": 200, "logout": 302, "set-password": 200,
          "public-register": 200, "public-register-organisation": 200, "public-record": 404,
          "public-record-json": 404, "public-register-feed": 200, "record-schema": 200,
          "voices-participate": 200, "voices-thanks": 200, "api-docs": 200,
          "password-reset": 200, "password-reset-sent": 200, "password-reset-confirm": 200,
          # Signing in with an organisation's account: the test organisation has no provider.
          "oidc-choose": 200, "oidc-continue": 404, "oidc-start": 404, "oidc-callback": 400,
          "help": 200, "help-framework": 200, "help-appraisal": 200, "help-roles": 200,
          "help-glossary": 200}  # fmt: skip
# URLs that name no object of an organisation: outsiders get what their own role gives.
NOT_OBJECT_URLS = {
    "home", "voices-list", "project-list", "project-create", "switch-organisation", "organisation",
    "organisation-commitments", "organisation-edition", "organisation-local-question-add",
    "organisation-commitments-edit", "organisation-members", "organisation-member-invite",
    "voices-safeguarding", "programme-list", "organisation-portfolio", "organisation-programmes",
    "action-list",
}  # fmt: skip


def named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            continue  # the API's operations, each tested per role and organisation in tests/api
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            continue  # staff superusers only, 404 to everyone else: tests/organisations/test_admin.py
        if isinstance(entry, URLResolver):
            yield from named_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, prefix + str(entry.pattern)


@pytest.fixture
def objects(organisation: Organisation) -> dict[str, Any]:
    lead = User.objects.get(email="lead@council.test")
    project = make_project(organisation, lead)
    appraisal = fill_appraisal(services.start_appraisal(project=project, stage="inception", user=lead), lead)
    row = appraisal.register_rows.get(register="risks")
    admin = User.objects.get(email="admin@council.test")
    record_commitments(organisation=organisation, text="We put children first.", change_note="", user=admin)
    later = services.start_appraisal(
        project=project, stage="development", user=lead, reason="Design began early."
    )
    comment = review_services.add_comment(appraisal=appraisal, user=lead, target="P1", text="Is this right?")
    declaration = declaring.declare_interests(
        appraisal=appraisal, user=User.objects.get(email="approver@council.test"), has_interest=True,
        interest="A partner.",
    )  # fmt: skip
    evaluation = start_evaluation(organisation)  # post hoc evaluation pages need that stage
    action = actions.add_action(  # after the next stage started, so it stays with this appraisal
        appraisal=appraisal, user=lead, what="Urgent cases bypass the wait.",
        due_on=datetime.date(2027, 3, 27), owner_name="Team manager",
    )  # fmt: skip
    unforeseen = services.add_unforeseen(
        appraisal=evaluation.appraisal, user=lead, kind="harm", description="Waits grew."
    )
    return {
        "evaluation": evaluation.appraisal.pk,
        "evaluated_row": evaluation.benefits[0].pk,
        "unforeseen": unforeseen.pk,
        "project": project.pk,
        "appraisal": appraisal.pk,
        "row": row.pk,
        "membership": Membership.objects.get(organisation=organisation, role="viewer").pk,
        "later": later.pk,
        "comment": comment.pk,
        "organisation": organisation.pk,
        "action": action.pk,
        "declaration": declaration.pk,
    }


def url_for(pattern: str, objects: dict[str, Any]) -> str:
    values = {
        "<int:pk>": (objects["later"] if pattern.endswith("changes/") else objects["appraisal"])
        if pattern.startswith("appraisals/")
        else objects["project"],
        "<slug:name>": "submit",
        "<int:comment_id>": objects["comment"],
        "<str:question_id>": "E1" if "<slug:aspect>" in pattern else "P1",
        "<slug:aspect>": "process",
        "<slug:stakeholder>": "young-people",
        "<slug:register_id>": "risks",
        "<int:row_id>": objects["row"],
        "<int:membership_id>": objects["membership"],
        "<int:organisation_id>": objects["organisation"],
        "<int:appraisal_id>": objects["appraisal"],
        "<int:version>": 1,
        "<uidb64>": "MQ",
        "<str:uidb64>": "MQ",
        "<token>": "set-password",
        "<str:token>": "set-password",
        "<int:consultation_id>": voices_object(objects, "consultation"),
        "<int:response_id>": voices_object(objects, "response"),
        "<int:theme_id>": voices_object(objects, "theme"),
        "<str:link_token>": voices_object(objects, "token"),
        "<slug:programme>": "national-innovation-fund",
        "<int:action_id>": objects["action"],
        "<int:declaration_id>": objects["declaration"],
    }
    if "/evaluation/" in pattern or "expected-against-realised" in pattern:
        values |= {"<int:pk>": objects["evaluation"], "<int:row_id>": objects["evaluated_row"]}
    values["<int:item_id>"] = objects["unforeseen"]
    url = "/" + pattern
    for key, value in values.items():
        url = url.replace(key, str(value))
    assert "<" not in url, f"no test value for a parameter in {pattern}"
    return url


def test_every_named_url_is_listed() -> None:
    names = {name for name, _ in named_patterns()}
    unlisted = names - EXPECTED.keys() - PUBLIC.keys()
    assert not unlisted, f"decide who may use these URLs and add them to EXPECTED: {sorted(unlisted)}"


def _client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_each_role(objects: dict[str, Any], role: str) -> None:
    client = _client(f"{role}@council.test")
    failures = []
    for name, pattern in named_patterns():
        if name in PUBLIC:
            continue
        url = url_for(pattern, objects)
        status = client.get(url).status_code
        if status != EXPECTED[name][role]:
            failures.append(f"GET {url} as {role}: {status}, expected {EXPECTED[name][role]}")
        if EXPECTED[name][role] == 403:
            status = client.post(url, {}).status_code
            if status != 403:
                failures.append(f"POST {url} as {role}: {status}, expected 403")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_other_organisations_objects_answer_404(
    objects: dict[str, Any], other_organisation: object, role: str
) -> None:
    client = _client(f"{role}@trust.test")
    failures = []
    for name, pattern in named_patterns():
        if name in PUBLIC or name in NOT_OBJECT_URLS or "<" not in pattern:
            continue
        url = url_for(pattern, objects)
        for method in ("get", "post"):
            status = getattr(client, method)(url, {}).status_code
            # Read-only pages answer POST with 405 whatever the id, which reveals nothing.
            if status != 404 and not (method == "post" and status == 405):
                failures.append(f"{method.upper()} {url} as {role} of another organisation: {status}")
    assert not failures, "\n".join(failures)


def test_signed_out_requests_go_to_sign_in(objects: dict[str, Any]) -> None:
    client = Client()
    for name, pattern in named_patterns():
        url = url_for(pattern, objects)
        response = client.get(url)
        if name in PUBLIC:
            assert response.status_code == PUBLIC[name], url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/?next="), url


def test_missing_objects_answer_404_like_other_organisations(client_as: Any, objects: dict[str, Any]) -> None:
    client = client_as("lead")
    for url in (
        "/projects/999999/",
        "/appraisals/999999/",
        f"/appraisals/{objects['appraisal']}/questions/X9/",
        f"/appraisals/{objects['appraisal']}/registers/risks/999999/",
        f"/appraisals/{objects['appraisal']}/registers/nothing/add/",
    ):
        assert client.get(url).status_code == 404, url


def test_rows_cannot_be_reached_through_another_appraisal(
    client_as: Any, objects: dict[str, Any], organisation
) -> None:
    lead = User.objects.get(email="lead@council.test")
    other = services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead)
    url = f"/appraisals/{other.pk}/registers/risks/{objects['row']}/"
    assert client_as("lead").post(url, ROWS["risks"]).status_code == 404
