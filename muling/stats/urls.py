from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.drill, name="cases"),
    path("table/<slug:key>/", views.table_export, name="table"),
    path("formulas/", views.formulas, name="formulas"),
    path("report/<str:code>/", views.report_card, name="report"),
    path("public/<str:code>/", views.public_community, name="public"),
]
