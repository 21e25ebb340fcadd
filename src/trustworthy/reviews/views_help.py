"""The help pages (see `help`): open to everyone, signed in or not."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import help as content


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "help/index.html", content.index_page())


@require_safe
def framework(request: HttpRequest) -> HttpResponse:
    return render(request, "help/framework.html", content.framework_page())


@require_safe
def appraisal(request: HttpRequest) -> HttpResponse:
    return render(request, "help/appraisal.html", content.appraisal_page())


@require_safe
def roles(request: HttpRequest) -> HttpResponse:
    return render(request, "help/roles.html", content.roles_page())


@require_safe
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "help/glossary.html", content.glossary_page())
