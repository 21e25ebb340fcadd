"""Where higher layers plug into this one.

Approval signs the decision record, which the reports app builds; the appraisal pages show
comments, which the reviews app keeps. Both sit above this app, so they register their
functions here when Django starts (in their `AppConfig.ready`), and this app never imports
them. Nothing else is registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .models import Appraisal

Signer = Callable[[Appraisal], dict[str, Any]]
Threads = Callable[[Appraisal, Sequence[str]], dict[str, list[Any]]]

_signer: Signer | None = None
_threads: Threads | None = None


def register_signer(signer: Signer) -> None:
    global _signer
    _signer = signer


def register_comment_threads(threads: Threads) -> None:
    global _threads
    _threads = threads


def signed_content(appraisal: Appraisal) -> dict[str, Any]:
    """What approval signs, as it now stands: `audit verify` rebuilds it the same way."""
    if _signer is None:
        raise RuntimeError("No record signer is registered: is the reports app installed?")
    return _signer(appraisal)


def comment_threads(appraisal: Appraisal, targets: Sequence[str]) -> dict[str, list[Any]]:
    """Comment threads on each target (a question id, 'row:<id>' or 'decision')."""
    if _threads is None:
        return {target: [] for target in targets}
    return _threads(appraisal, targets)
