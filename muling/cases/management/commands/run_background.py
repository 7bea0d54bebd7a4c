"""Embedded background worker for `make run`: runs the periodic sweeps in this process, no broker.

Production runs Celery workers with beat instead (`celery -A muling worker -B`), which call the same
service functions; both are safe to run side by side because every escalation re-checks under a lock.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from muling.cases.services import close_unrated_cases, escalate_overdue_cases


class Command(BaseCommand):
    help = "Run the escalation and auto-close sweeps every SWEEP_INTERVAL_SECONDS (embedded mode)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run each sweep once and exit")
        parser.add_argument("--interval", type=int, default=settings.SWEEP_INTERVAL_SECONDS)

    def handle(self, *args, once=False, interval=60, **options):
        while True:
            escalated = escalate_overdue_cases()
            closed = close_unrated_cases()
            if escalated or closed or once:
                self.stdout.write(f"sweep: escalated {escalated}, closed unrated {closed}")
            if once:
                return
            time.sleep(interval)
