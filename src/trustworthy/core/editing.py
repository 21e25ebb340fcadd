"""The one way an edit form is handled, on every page of every app.

    data = form_data(request)             # POST, or work kept when the session expired
    form = SomeForm(data, initial=...)
    edit = handle_edit(request, form, lambda cleaned: services.save_something(..., **cleaned))
    if edit.saved:
        return redirect(...)
    return render(request, template, {"form": form, "conflict": edit.conflict, ...}, status=edit.status)

`handle_edit` runs the steps in order: validate the form; check the free text for personal
data (`check_personal_data`), re-run on exactly the text being saved; call the service;
show a version conflict (the other person's saved text beside the person's own, which is
kept, with the form now based on the newest version) or a refusal the person can fix.
A refusal they cannot fix here (their role, or a locked appraisal) is raised, for the 403
and 409 pages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, QueryDict

from .auth import NOT_SENT, take_kept_work
from .errors import Conflict, Invalid
from .personal_data import find_personal_data

T = TypeVar("T")

KEPT_MESSAGE = "You were signed out. We kept what you typed: check it and save again."
NOT_SENT_MESSAGE = (
    "Your form could not be sent because a security check failed: this browser’s cookie for "
    "the service was missing or out of date. Nothing was saved. We kept what you typed: check "
    "it and send it again."
)
# Sent with the next save after a personal-data warning: the digest of the text the person
# was warned about and chose to keep. Any other text is checked again.
CHECKED_FIELD = "personal_data_checked"


def form_data(request: HttpRequest) -> QueryDict | None:
    """POST data, or the work kept from before the session expired or from a form that could
    not be sent (shown once, unsaved)."""
    if request.method == "POST":
        return request.POST
    kept = take_kept_work(request)
    if kept is None:
        return None
    messages.warning(request, NOT_SENT_MESSAGE if kept.reason == NOT_SENT else KEPT_MESSAGE)
    return kept.data


def text_digest(texts: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(texts), sort_keys=True).encode()).hexdigest()[:32]


def _free_text(form: Any) -> dict[str, str]:
    """The text being sent: every text field (a choice from a list carries no free text)."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if isinstance(value, str) and value and isinstance(form.fields.get(name), forms.CharField)
    }


def check_personal_data(request: HttpRequest, form: Any) -> bool:
    """True when the form's text may be saved. Otherwise the form carries the findings
    (`form.personal_data`) and the digest to send back if the person keeps the text
    (`form.personal_data_digest`). Keeping it saves only that same text."""
    form.personal_data = []
    texts = _free_text(form)
    digest = text_digest(texts)
    form.personal_data_digest = digest
    if request.POST.get(CHECKED_FIELD) == digest:
        return True
    for name in texts:
        for finding in find_personal_data(texts[name]):
            form.personal_data.append((form[name].label, finding.text, finding.message, form[name].auto_id))
    return not form.personal_data


def with_version(form: Any, version: int) -> None:
    """After a conflict: keep what the person typed, but base the next save on the newest version."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data


@dataclass
class Edit(Generic[T]):
    saved: bool = False
    result: T | None = None
    conflict: dict[str, object] | None = None

    @property
    def status(self) -> int:
        return 409 if self.conflict is not None else 200


def handle_edit(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], T],
    *,
    check_text: bool = True,
    show_conflict: Callable[[Conflict], dict[str, object]] | None = None,
) -> Edit[T]:
    """Validate, check for personal data, save through the service, and show what went wrong."""
    edit: Edit[T] = Edit()
    if request.method != "POST" or not form.is_valid():
        return edit
    if check_text and not check_personal_data(request, form):
        return edit
    try:
        edit.result = save(dict(form.cleaned_data))
    except Conflict as exc:
        edit.conflict = show_conflict(exc) if show_conflict else exc.current
        with_version(form, exc.version)
    except Invalid as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    else:
        edit.saved = True
    return edit
