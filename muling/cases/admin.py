"""Back office for the closed loop.

Categories, routing rules and the holiday calendar are configuration (editable by administrators).
Cases, their timelines, summonses and extensions are shown read-only, scoped like every other list:
a case changes only through the services and their transition table, never by editing a row.
"""

from django.contrib import admin

from muling.people.admin_scope import ScopedAdminMixin
from muling.people.roles import SECRETARY_ROLES

from . import selectors
from .models import (
    CalendarDay,
    Case,
    CaseEvent,
    Category,
    ExtensionRequest,
    Notification,
    RoutingRule,
    Summons,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "handler_kind",
        "utility",
        "grid_admitted",
        "dispatch_hours",
        "resolve_days",
        "working_days",
        "is_active",
        "order",
    )
    list_editable = ("grid_admitted", "is_active", "order")
    list_filter = ("handler_kind", "grid_admitted", "working_days", "is_active")
    search_fields = ("name", "code")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "area", "department")
    list_filter = ("category",)
    search_fields = ("area__name", "area__code", "department__name")
    autocomplete_fields = ("area", "department")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


class ReadOnlyMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    fields = (
        "at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "level",
        "owner_area",
        "owner_person",
        "note",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    view_roles = SECRETARY_ROLES
    edit_roles = ()
    list_display = (
        "number",
        "category",
        "status",
        "level",
        "channel",
        "area",
        "owner_person",
        "owner_department",
        "deadline",
        "created_at",
    )
    list_filter = ("status", "level", "channel", "category")
    search_fields = ("number", "external_id")
    date_hierarchy = "created_at"
    exclude = ("idempotency_key",)
    inlines = [CaseEventInline]
    list_select_related = ("category", "area", "owner_person", "owner_department")

    def scope_queryset(self, request, qs):
        return qs.filter(pk__in=selectors.case_visible(user=request.user).values("pk"))


@admin.register(Summons)
class SummonsAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    view_roles = SECRETARY_ROLES
    edit_roles = ()
    list_display = ("case", "department", "summoned_at", "deadline", "answered_at")
    list_filter = ("department",)

    def scope_queryset(self, request, qs):
        return qs.filter(case__in=selectors.case_visible(user=request.user))


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    view_roles = SECRETARY_ROLES
    edit_roles = ()
    list_display = ("case", "days", "state", "requested_at", "decided_at")
    list_filter = ("state",)

    def scope_queryset(self, request, qs):
        return qs.filter(case__in=selectors.case_visible(user=request.user))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "kind", "message", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "message")
