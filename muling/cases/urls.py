from django.urls import path, register_converter

from muling.web import converters  # noqa: F401  (importing it registers <areacode:…>)

from . import views


class CaseNumberConverter:
    """A case number: the submission date and the case id, digits only (see services.case_submit)."""

    regex = r"[0-9]{8,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(CaseNumberConverter, "casenumber")

app_name = "cases"

urlpatterns = [
    path("new/", views.report, name="new"),
    path("questions/", views.questions, name="questions"),
    path("similar/", views.similar, name="similar"),
    path("patrol/", views.patrol, name="patrol"),
    path("intake/", views.intake, name="intake"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("department/", views.department, name="department"),
    path("board/", views.board, name="board"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("public/<areacode:code>/", views.public_cases, name="public"),
    path("public/<areacode:code>/grids.geojson", views.public_grids, name="public_grids"),
    path("<casenumber:number>/", views.case_detail, name="detail"),
    path("<casenumber:number>/photos/<int:pk>/", views.case_photo, name="photo"),
    path("<casenumber:number>/<slug:action>/", views.case_action, name="action"),
]
