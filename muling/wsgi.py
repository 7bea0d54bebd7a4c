import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muling.settings")
application = get_wsgi_application()

# Import every view and build the API (ninja builds its routers when the URLconf is imported) now,
# in the process start, instead of on a worker's first requests — which otherwise take seconds each.
from django.urls import get_resolver  # noqa: E402

warm_url_patterns = get_resolver().url_patterns
