"""Record, summary and voices pages make the same number of queries however large the appraisal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trustworthy.appraisals import services
from trustworthy.organisations.models import Organisation, User

from ..appraisals.factories import fill_appraisal, make_project

pytestmark = pytest.mark.django_db

PAGES = (
    "record/",
    "record/summary/",
    "record/decision-record.json",
    "voices/",
    "history/",
    "comments/",
    "review/",
)


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_record_pages_do_not_grow_with_the_appraisal(organisation: Organisation, client_as) -> None:
    lead = User.objects.get(email="lead@council.test")
    small = fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    big_project = make_project(organisation, lead, title="Big")
    large = fill_appraisal(
        services.start_appraisal(project=big_project, stage="inception", user=lead), lead, rows_each=30
    )
    client = client_as("lead")
    for page in PAGES:
        assert count(client, f"/appraisals/{large.pk}/{page}") == count(
            client, f"/appraisals/{small.pk}/{page}"
        ), page
