import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muling.settings")
application = get_wsgi_application()

# Import every view and build the API (ninja builds its routers when the URLconf is imported) now,
# in the process start, instead of on a worker's first requests — which otherwise take seconds each.
from django.urls import get_resolver  # noqa: E402

warm_url_patterns = get_resolver().url_patterns

# Then move everything imported so far out of the garbage collector's sight: these objects live as long
# as the process, and scanning them in every full collection cost a request 100–200 ms now and then
# (measured on the dashboard at 10 M cases: p95 spikes gone with the freeze; bench/RESULTS.md).
gc.collect()
gc.freeze()
