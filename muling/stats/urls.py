from django.urls import path

from . import hot_views, views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.drill, name="cases"),
    path("table/<slug:key>/", views.table_export, name="table"),
    path("formulas/", views.formulas, name="formulas"),
    path("report/<str:code>/", views.report_card, name="report"),
    path("public/<str:code>/", views.public_community, name="public"),
    path("hot/", hot_views.hot_problems, name="hot"),
    path("themes/", hot_views.theme_list, name="themes"),
    path("themes/new/", hot_views.theme_new, name="theme_new"),
    path("themes/<int:pk>/", hot_views.theme_detail, name="theme"),
]
