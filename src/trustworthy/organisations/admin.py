"""The admin site at /admin/: for staff superusers only (operators, made with `trustworthy
user add --superuser`), and read-only.

Everything written to an organisation goes through its services, which check the rules
and audit each change, so nothing here adds, edits or deletes a row. The one change the
site makes is switching accounts off and on again, through `services.deactivate_user` and
`services.reactivate_user`, which end the person's sessions and record the change in each
of their organisations' chains.

Anyone else never sees the site: signed out, they are sent to the service's own sign-in
page (so the same lockout guards both); signed in without being a staff superuser, every
address under /admin/ is not found.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from trustworthy.core.models import AuditEvent

from . import services
from .models import CommitmentStatement, Membership, Organisation, User


def is_operator(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.is_superuser)


class OperatorSite(admin.AdminSite):
    site_header = "Trustworthy Innovation: operators"
    site_title = "Trustworthy Innovation operators"
    index_title = "Organisations, people and the audit trail"
    site_url = None  # no "view site" link into another part of the service

    def has_permission(self, request: HttpRequest) -> bool:
        return is_operator(request.user)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def only_operators(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise Http404
            return guarded(request, *args, **kwargs)

        return only_operators

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One way in: the service's sign-in page."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


site = OperatorSite(name="admin")


def _shown(admin_class: Any) -> list[str]:
    """Every field shown is shown as text (`fields`, or else every field of the model)."""
    return list(admin_class.fields or [field.name for field in admin_class.model._meta.fields])


class ReadOnly(admin.ModelAdmin):
    """Operators look here; changes are made through the services, which audit them."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _shown(self)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _shown(self)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "organisation", "role", "created_at")


@admin.register(Organisation, site=site)
class OrganisationAdmin(ReadOnly):
    list_display = ("name", "type", "region", "members", "created_at")
    list_filter = ("type", "region")
    search_fields = ("name",)
    fields = ("name", "type", "region", "safeguarding_contact", "created_at")
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="Members", ordering="member_count")
    def members(self, organisation: Any) -> int:
        return int(organisation.member_count)


@admin.action(description="Deactivate the selected people (they can no longer sign in)")
def deactivate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]) -> None:
    changed = []
    for user in queryset.order_by("pk"):
        try:
            if services.deactivate_user(user=user, actor=request.user):
                changed.append(user.email)
        except services.ServiceError as exc:
            modeladmin.message_user(request, f"{user.email}: {exc.message}", messages.ERROR)
    if changed:
        modeladmin.message_user(request, f"Deactivated {', '.join(changed)}.", messages.SUCCESS)


@admin.action(description="Reactivate the selected people (they can sign in again)")
def reactivate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]) -> None:
    changed = [
        user.email
        for user in queryset.order_by("pk")
        if services.reactivate_user(user=user, actor=request.user)
    ]
    if changed:
        modeladmin.message_user(request, f"Reactivated {', '.join(changed)}.", messages.SUCCESS)


@admin.register(User, site=site)
class UserAdmin(ReadOnly):
    list_display = ("email", "full_name", "is_active", "is_superuser", "last_login", "date_joined")
    list_filter = ("is_active", "is_superuser")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    # Never the password's hash, nor Django's groups and permissions (roles live in memberships).
    fields = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login", "date_joined")
    inlines = [MembershipInline]
    actions = [deactivate, reactivate]


@admin.register(Membership, site=site)
class MembershipAdmin(ReadOnly):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation")
    search_fields = ("user__email", "user__full_name", "organisation__name")
    list_select_related = ("user", "organisation")


@admin.register(CommitmentStatement, site=site)
class CommitmentStatementAdmin(ReadOnly):
    list_display = ("organisation", "version", "created_by", "created_at")
    list_filter = ("organisation",)
    list_select_related = ("organisation", "created_by")


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(ReadOnly):
    list_display = ("at", "organisation", "org_sequence", "actor_name", "action", "target")
    list_filter = ("action", "organisation")
    search_fields = ("action", "target", "actor_name")
    list_select_related = ("organisation",)
    ordering = ("-at", "-pk")
