"""The 12345 hotline import page: upload a file, see what became a case and what was sent back."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from .hotline import hotline_import

MAX_UPLOAD = 20 * 1024 * 1024


@login_required
def import_page(request):
    if not request.user.has_perm("cases.import_hotline"):
        raise PermissionDenied
    report, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择要导入的文件")
        elif upload.size > MAX_UPLOAD:
            error = _("文件不能超过 20 MB")
        else:
            report = hotline_import(file_obj=upload, file_name=upload.name, actor=request.user)
    status = 400 if error else 200
    return render(request, "cases/hotline_import.html", {"report": report, "error": error}, status=status)
