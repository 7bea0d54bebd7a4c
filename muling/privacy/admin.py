from django.contrib import admin

from .models import AdminExport, PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, so nobody edits or deletes it from the admin."""

    list_display = ("at", "viewer_name", "person", "case", "field", "reason", "note", "path")
    list_filter = ("field", "reason")
    search_fields = ("viewer_name", "person__name", "note", "case__number")
    date_hierarchy = "at"
    list_select_related = ("person", "case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdminExport)
class AdminExportAdmin(admin.ModelAdmin):
    """Read-only, like the access log: every roster export from the back office."""

    list_display = ("at", "actor_name", "model", "rows", "persons", "full", "reason", "note", "filters")
    list_filter = ("model", "full", "reason")
    search_fields = ("actor_name", "note", "filters")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
