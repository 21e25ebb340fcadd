"""An approved appraisal is read-only through every write URL and every service."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.core.models import AuditEvent
from trustworthy.reports.signing import record_hash
from trustworthy.reviews import services as reviews
from trustworthy.reviews.models import Comment

from ..appraisals.factories import ROWS
from .helpers import approved, person

pytestmark = pytest.mark.django_db

# Writes to an appraisal live in these URL modules; starting a new version is the one
# write that is meant to work on an approved appraisal (it creates another appraisal).
WRITE_MODULES = ("trustworthy.appraisals.urls", "trustworthy.reviews.urls")
ALLOWED_ON_APPROVED = {"appraisal-new-version"}

PAYLOAD = {
    "value": "no",
    "rationale": "Changed after approval",
    "evidence": "",
    "version": "1",
    "mode": "consulted",
    "reason": "Because",
    "summary": "Changed",
    "decision": "reframe",
    "reasoning": "Changed",
    "departure_reason": "",
    "accountable_person": "Someone else",
    "decided_on": "2026-11-26",
    "target": "P1",
    "text": "A late comment",
    "verdict_parameters": "acceptable",
    "verdict_principles": "acceptable",
    "verdict_tests": "acceptable",
    "rating_HR1": "supports",
    "rating_HR2": "supports",
    "rating_HR3": "supports",
    "rating_HR4": "supports",
    "rating_HR5": "supports",
    **ROWS["risks"],
}


def appraisal_write_urls(appraisal: Appraisal) -> list[tuple[str, str]]:
    urls = []
    for module in WRITE_MODULES:
        for pattern in get_resolver(module).url_patterns:
            assert isinstance(pattern, URLPattern)
            route = str(pattern.pattern)
            if not route.startswith("appraisals/") or pattern.name in ALLOWED_ON_APPROVED:
                continue
            row = appraisal.register_rows.filter(register="risks").first()
            comment = Comment.objects.filter(appraisal=appraisal).first()
            values = {
                "<int:pk>": appraisal.pk,
                "<str:question_id>": "E1" if "aspect" in route else "P1",
                "<slug:aspect>": "process",
                "<slug:stakeholder>": "carers",
                "<slug:register_id>": "risks",
                "<int:row_id>": row.pk if row else 0,
                "<int:comment_id>": comment.pk if comment else 0,
            }
            url = "/" + route
            for key, value in values.items():
                url = url.replace(key, str(value))
            names = ("submit", "request-changes", "approve", "withdraw") if "<slug:name>" in route else ("",)
            urls += [(pattern.name or "", url.replace("<slug:name>", n)) for n in names]
    return urls


def snapshot(appraisal: Appraisal) -> tuple[object, ...]:
    appraisal.refresh_from_db()
    return (
        appraisal.status,
        record_hash(appraisal),
        appraisal.audit_head,
        AuditEvent.objects.filter(appraisal=appraisal).count(),
        Comment.objects.filter(appraisal=appraisal).count(),
        appraisal.register_rows.count(),
    )


def test_every_write_url_refuses_an_approved_appraisal(organisation) -> None:
    appraisal = approved(organisation)
    reviews_comment = Comment.objects.create(
        appraisal=appraisal, target="P1", author=person("reviewer"), text="Old"
    )
    assert reviews_comment.pk
    before = snapshot(appraisal)
    urls = appraisal_write_urls(appraisal)
    assert len(urls) >= 14
    failures = []
    for role in ("lead", "contributor", "reviewer", "approver"):
        client = Client()
        client.force_login(person(role))
        for name, url in urls:
            response = client.post(url, PAYLOAD)
            if response.status_code not in (403, 404, 405, 409):
                failures.append(f"POST {url} ({name}) as {role}: {response.status_code}")
            if snapshot(appraisal) != before:
                failures.append(f"POST {url} ({name}) as {role} changed the approved appraisal")
                break
    assert not failures, "\n".join(failures)


def test_the_services_refuse_an_approved_appraisal_whatever_calls_them(organisation) -> None:
    appraisal = approved(organisation)
    before = snapshot(appraisal)
    lead, approver = person("lead"), person("approver")
    row = appraisal.register_rows.filter(register="risks").first()
    assert row is not None
    attempts = [
        lambda: services.save_answer(
            appraisal=appraisal, question_id="P1", user=lead, value="no", rationale="x"
        ),
        lambda: services.add_register_row(
            appraisal=appraisal, register_id="risks", data=ROWS["risks"], user=lead
        ),
        lambda: services.change_register_row(row=row, data=ROWS["risks"], user=lead),
        lambda: services.remove_register_row(row=row, user=lead),
        lambda: services.save_participation(
            appraisal=appraisal, stakeholder="carers", mode="informed", reason="", summary="", user=lead
        ),
        lambda: reviews.add_comment(appraisal=appraisal, user=lead, target="P1", text="late"),
        lambda: reviews.transition(appraisal=appraisal, name="withdraw", user=lead, reason="late"),
    ]
    for attempt in attempts:
        with pytest.raises(services.LockedError):
            attempt()
    from ..appraisals.factories import decide

    with pytest.raises(services.LockedError):
        decide(appraisal, approver, "reframe")
    assert snapshot(appraisal) == before


def test_the_locked_page_says_what_to_do(client_as, organisation) -> None:
    appraisal = approved(organisation)
    response = client_as("lead").get(f"/appraisals/{appraisal.pk}/registers/risks/add/")
    assert response.status_code == 409
    assert "approved and locked. To change it, start a new version." in response.content.decode()
    page = client_as("lead").get(f"/appraisals/{appraisal.pk}/questions/P1/").content.decode()
    assert 'name="rationale"' not in page, "an approved appraisal shows answers, not forms"
