from django.contrib import admin

from .models import SubmissionFlag


@admin.register(SubmissionFlag)
class SubmissionFlagAdmin(admin.ModelAdmin):
    list_display = ["case_number", "reason", "detail", "reporter", "created_at"]
    list_filter = ["reason", "created_at"]
    search_fields = ["case__number", "case__reporter__username"]
    list_select_related = ["case", "case__reporter"]
    readonly_fields = ["case", "reason", "detail", "created_at"]
    date_hierarchy = "created_at"

    @admin.display(description="编号", ordering="case__number")
    def case_number(self, flag):
        return flag.case.number

    @admin.display(description="提交人")
    def reporter(self, flag):
        return flag.case.reporter

    def has_add_permission(self, request):
        return False  # flags come from the submission check, not by hand
