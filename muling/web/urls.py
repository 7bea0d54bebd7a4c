from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import converters, views  # noqa: F401  (importing converters registers <areacode:…>)
from .forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            # LoginView puts the host name in `site_name`; the page title should say Muling.
            extra_context={"site_name": settings.MULING_SITE_NAME},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("b/<areacode:code>/", views.building_entry, name="building_entry"),
]
