from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("export/", views.export_mine, name="export"),
    path("person/<int:pk>/export/", views.export_person, name="export_person"),
    path("anonymise/", views.anonymise, name="anonymise"),
    path("anonymise/<int:pk>/", views.anonymise_person, name="anonymise_person"),
]
