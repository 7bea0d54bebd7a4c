from django.contrib import admin

from .models import ProactiveTheme


@admin.register(ProactiveTheme)
class ProactiveThemeAdmin(admin.ModelAdmin):
    list_display = ("title", "area", "owner", "deadline", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("title", "area__name")
    raw_id_fields = ("area", "owner", "cases", "created_by")
