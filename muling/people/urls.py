from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.person_detail, name="person"),
]
