"""Pages for the framework edition an organisation's new appraisals use, and its local
questions. Thin, like views.py: the services in editions.py check and write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit

from . import editions
from .access import require
from .edition_forms import ChooseEditionForm, LocalQuestionForm
from .permissions import role_may
from .presenters import MANAGE_ORGANISATION
from .views import _admin, _current

GET_POST = require_http_methods(["GET", "POST"])


def _choices(organisation: Any) -> list[tuple[str, str]]:
    return [(f"{i}@{v}", f"{title} ({i}@{v})") for i, v, title in editions.available(organisation)]


@login_required
@GET_POST
def edition(request: HttpRequest) -> HttpResponse:
    """The edition new appraisals use, its local questions, and (admins) choosing another."""
    membership = _current(request)
    organisation = membership.organisation
    if request.method == "POST":
        require(membership, MANAGE_ORGANISATION)
    current = editions.current_edition(organisation)
    form = ChooseEditionForm(
        form_data(request), choices=_choices(organisation), initial={"edition": current.key}
    )
    edit = handle_edit(
        request,
        form,
        lambda data: editions.choose_edition(
            organisation=organisation, key=data["edition"], user=request.user
        ),
        check_text=False,
    )
    if edit.saved:
        messages.success(request, _("New appraisals will use %(key)s.") % {"key": edit.result})
        return redirect("organisation-edition")
    context = {
        "organisation": organisation,
        "edition": current,
        "local_questions": editions.local_questions(current),
        "answer_scale": ", ".join(a.label for a in current.answer_scale),
        "is_admin": role_may(membership.role, MANAGE_ORGANISATION),
        "form": form,
    }
    return render(request, "organisations/edition.html", context, status=edit.status)


@login_required
@GET_POST
def add_local_question(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    current = editions.current_edition(admin.organisation)
    form = LocalQuestionForm(form_data(request))
    edit = handle_edit(
        request,
        form,
        lambda data: editions.add_local_question(
            organisation=admin.organisation, question=editions.LocalQuestion(**data), user=request.user
        ),
    )
    if edit.saved and edit.result is not None:
        messages.success(
            request,
            _("Question added. New appraisals will use %(key)s; those already started keep theirs.")
            % {"key": edit.result.key},
        )
        return redirect("organisation-edition")
    scale = ", ".join(a.label for a in current.answer_scale)
    context = {
        "organisation": admin.organisation,
        "edition": current,
        "local_questions": editions.local_questions(current),
        "form": form,
        "kind_hints": {"closed": scale},
        "cancel_url": reverse("organisation-edition"),
    }
    return render(request, "organisations/local_question.html", context, status=edit.status)
