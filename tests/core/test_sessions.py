"""Sessions are Django's database sessions, read with a query built once (core.sessions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trustworthy.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_session_engine() -> None:
    assert settings.SESSION_ENGINE == "trustworthy.core.sessions"


def test_a_session_is_read_in_one_query_and_shared_with_djangos_store() -> None:
    saved = DjangoStore()
    saved["colour"] = "green"
    saved.create()
    store = SessionStore(saved.session_key)
    with CaptureQueriesContext(connection) as queries:
        assert store["colour"] == "green"
    assert len(queries) == 1
    assert store.session_key == saved.session_key


def test_an_expired_or_unknown_session_is_empty_and_forgotten() -> None:
    saved = SessionStore()
    saved["colour"] = "green"
    saved.create()
    Session.objects.filter(session_key=saved.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (saved.session_key, "no-such-session-key-at-all"):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None


def test_writing_is_djangos_own() -> None:
    store = SessionStore()
    store["colour"] = "blue"
    store.save()
    assert DjangoStore(store.session_key)["colour"] == "blue"
    store.flush()
    assert not Session.objects.exists()
