"""Programmes on the operators' admin site (organisations/admin.py): read-only, like
everything there; programmes change through the `trustworthy programme` commands."""

from __future__ import annotations

from django.contrib import admin

from trustworthy.organisations.admin import ReadOnly, ReadOnlyInline, site

from .models import Programme, ProgrammeMember, ProgrammeOrganisation


class MemberInline(ReadOnlyInline):
    model = ProgrammeMember
    fields = ("user", "role", "created_at")


class OrganisationInline(ReadOnlyInline):
    model = ProgrammeOrganisation
    fields = ("organisation", "created_at")


@admin.register(Programme, site=site)
class ProgrammeAdmin(ReadOnly):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    fields = ("name", "slug", "created_at")
    inlines = [OrganisationInline, MemberInline]
