"""Celery app: Redis broker in production (REDIS_URL), workers scale out horizontally.

`celery -A muling worker -B` runs a worker with the periodic sweeps; without REDIS_URL the demo runs
the same sweeps in-process with `manage.py run_background`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muling.settings")

app = Celery("muling")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
