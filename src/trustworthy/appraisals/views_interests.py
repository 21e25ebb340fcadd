"""Pages for declared interests: a reviewer or approver declares theirs; an admin requires a
different approver. Thin: the rules are in policy.py and interests.py, the writes in declaring.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from trustworthy.core.auth import login_required
from trustworthy.core.editing import form_data, handle_edit

from . import declaring, interests, policy
from .access import appraisal_for
from .interest_pages import YES, InterestsForm, OtherApproverForm, initial
from .models import InterestDeclaration
from .policy import Change

GET_POST = require_http_methods(["GET", "POST"])


@login_required
@GET_POST
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal, membership = appraisal_for(request, pk, Change.INTEREST)
    found = interests.declaration_of(appraisal, request.user)
    form = InterestsForm(form_data(request), initial=initial(found))
    edit = handle_edit(
        request,
        form,
        lambda fields: declaring.declare_interests(
            appraisal=appraisal,
            user=request.user,
            has_interest=fields["has_interest"] == YES,
            interest=fields["interest"],
        ),
    )
    if edit.saved:
        messages.success(request, "Your declaration of interests is saved.")
        # Back to where they give their verdict or decide.
        deciding = policy.may(membership.role, appraisal.status, Change.DECISION)
        return redirect("appraisal-decision" if deciding else "appraisal-review", pk=appraisal.pk)
    return render(
        request,
        "appraisals/interests_declare.html",
        {"appraisal": appraisal, "form": form, "declared": found, "title": "Declare your interests"},
    )


@login_required
@GET_POST
def other_approver(request: HttpRequest, pk: int, declaration_id: int) -> HttpResponse:
    appraisal, _ = appraisal_for(request, pk, Change.OTHER_APPROVER)
    declaration = get_object_or_404(InterestDeclaration, pk=declaration_id, appraisal=appraisal)
    form = OtherApproverForm(form_data(request))
    edit = handle_edit(
        request,
        form,
        lambda fields: declaring.require_other_approver(
            declaration=declaration, user=request.user, reason=fields["reason"]
        ),
    )
    if edit.saved:
        messages.success(
            request, f"A different approver is now required: {declaration.person_name} may not decide."
        )
        return redirect("appraisal-review", pk=appraisal.pk)
    return render(
        request,
        "appraisals/interests_other_approver.html",
        {
            "appraisal": appraisal,
            "form": form,
            "declaration": declaration,
            "title": "Require a different approver",
        },
    )
