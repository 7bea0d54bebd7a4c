"""A lost database answers 503 "try again shortly", not a 500 (issue 7, item 5).

Django turns an exception raised anywhere inside the middleware stack into a 500 response before an
outer middleware sees it, so the exception is noted from the `got_request_exception` signal (sent
with the request while that 500 is built) and this middleware, first in MIDDLEWARE, swaps the 500 for
a 503: JSON {"code", "message", "fields"} under /api/, a small self-contained page elsewhere (no
base template: its context processors would ask the database again). Nothing is cached, so the next
request after the database comes back is served normally.
"""

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30
_MARK = "_muling_database_down"


def _note_database_error(sender, request=None, **kwargs):
    import sys

    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, OperationalError | InterfaceError):
        setattr(request, _MARK, True)


got_request_exception.connect(_note_database_error, dispatch_uid="muling.web.dbdown")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return database_unavailable(request)
        return response


def database_unavailable(request):
    message = _("系统暂时无法访问数据库，请稍后再试")
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "database_unavailable", "message": message, "fields": {}}, status=503
        )
    else:
        html = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
