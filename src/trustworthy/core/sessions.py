"""Sessions in the database, as Django keeps them, read with a query built once.

Every signed-in request reads its session first. Django's database store builds that
query afresh each time; this store runs the same lookup through `core.prepared` (by key,
then the expiry checked here rather than in SQL: the same rows are found). Writing,
creating and deleting sessions are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import Prepared

_session_by_key: Prepared[Session] = Prepared(lambda key: Session.objects.filter(session_key=key))


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _session_by_key(self.session_key) if self.session_key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
