"""Where higher layers plug into this one.

Approval signs the decision record, which the reports app builds; the appraisal pages show
comments, which the reviews app keeps, and what the review asks for (the latest request for
changes, the comments nobody has resolved, what stands in the way of each step of the
workflow). Both apps sit above this one, so they register their functions here when Django
starts (in their `AppConfig.ready`), and this app never imports them. Nothing else is
registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import Appraisal
from .weighing import ChangesRequest, OpenComment

if TYPE_CHECKING:
    from .selectors import AppraisalData

Signer = Callable[[Appraisal], dict[str, Any]]
Threads = Callable[[Appraisal, Sequence[str]], dict[str, list[Any]]]


@dataclass(frozen=True)
class ReviewSide:
    """What the reviews app tells the appraisal pages about an appraisal's review."""

    # The latest request for changes, while the appraisal waits for them (else None).
    changes_request: Callable[[Appraisal], ChangesRequest | None]
    # Comments nobody has marked as resolved (not replies), oldest first.
    open_comments: Callable[[Appraisal], list[OpenComment]]
    # What stands in the way of a step of the workflow (by its name), given the page's data.
    step_problems: Callable[[Appraisal, str, AppraisalData], list[str]]


_signer: Signer | None = None
_threads: Threads | None = None
_review: ReviewSide | None = None


def register_signer(signer: Signer) -> None:
    global _signer
    _signer = signer


def register_comment_threads(threads: Threads) -> None:
    global _threads
    _threads = threads


def register_review_side(side: ReviewSide) -> None:
    global _review
    _review = side


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


def changes_request(appraisal: Appraisal) -> ChangesRequest | None:
    return None if _review is None else _review.changes_request(appraisal)


def open_comments(appraisal: Appraisal) -> list[OpenComment]:
    return [] if _review is None else _review.open_comments(appraisal)


def step_problems(appraisal: Appraisal, step: str, data: AppraisalData) -> list[str]:
    return [] if _review is None else _review.step_problems(appraisal, step, data)
