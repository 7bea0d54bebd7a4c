from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from muling.cases import hotline_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("muling.api.urls")),
    path("api/tokens/", include("muling.api.web_urls")),
    path("open311/v2/", include("muling.open311.urls")),
    path("places/", include("muling.places.urls")),
    path("people/", include("muling.people.urls")),
    path("cases/hotline/", hotline_views.import_page, name="hotline_import"),
    path("cases/", include("muling.cases.urls")),
    path("stats/", include("muling.stats.urls")),
    path("privacy/", include("muling.privacy.urls")),
    path("account/", include("muling.trust.urls")),
    path("bench/", include("muling.benchmark.urls")),
    path("", include("muling.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
