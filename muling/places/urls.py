from django.urls import path

from muling.web import converters  # noqa: F401  (importing it registers <areacode:…>)

from . import views

app_name = "places"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("household/<int:pk>/", views.household_detail, name="household"),
    path("<areacode:code>/", views.area_detail, name="area"),
    path("<areacode:code>/children/", views.children, name="children"),
    path("<areacode:code>/grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("<areacode:code>/card/", views.service_card, name="card"),
    path("<areacode:code>/cards/", views.service_cards_of_grid, name="cards"),
]
