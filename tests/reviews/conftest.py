from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def emails_are_sent_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run inside a transaction that never commits; send what would go on commit now."""

    def now(func: Callable[[], Any], using: str | None = None, robust: bool = False) -> None:
        func()

    monkeypatch.setattr("trustworthy.reviews.services.transaction.on_commit", now)
