"""Checking free text for personal data before it is saved.

Nothing about children or families should be stored as personal data. When free text looks
as if it holds some (a name with a title, a date of birth, an NHS number...), the page is
shown again with a warning pointing at each field; the person changes it, or saves again
if it is not personal data (the second save carries `personal_data_checked`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .personal_data import find_personal_data

CHECKED_FLAG = "personal_data_checked"


def clear_of_personal_data(request: HttpRequest, form: Any) -> bool:
    """True when the form's text may be saved; otherwise the form carries the findings."""
    form.personal_data = []
    if request.POST.get(CHECKED_FLAG):
        return True
    for name, value in form.cleaned_data.items():
        if isinstance(value, str) and value:
            for finding in find_personal_data(value):
                form.personal_data.append(
                    (form[name].label, finding.text, finding.message, form[name].auto_id)
                )
    return not form.personal_data
