from django.contrib import admin

from .models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, so nobody edits or deletes it from the admin."""

    list_display = ("at", "viewer_name", "person", "field", "reason", "note", "path")
    list_filter = ("field", "reason")
    search_fields = ("viewer_name", "person__name", "note")
    date_hierarchy = "at"
    list_select_related = ("person",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
