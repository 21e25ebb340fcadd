from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not(client: Client) -> None:
    with mock.patch("trustworthy.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"
