"""The escalation sweep and notification delivery run by a real Celery worker over the real Redis."""

import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker

from muling import celery_app
from muling.cases import tasks
from muling.cases.enums import Level
from muling.cases.models import Case, Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_worker(settings):
    url = os.environ.get("REDIS_URL")
    assert url and url.startswith("redis://"), "these tests need the real Redis (REDIS_URL)"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    celery_app.conf.update(
        broker_url=url, task_always_eager=False, result_backend=None, broker_connection_retry_on_startup=True
    )
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # no stale messages from an earlier run
    with start_worker(celery_app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        yield


def wait_for(predicate, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_escalates_overdue_cases_once(world, categories, redis_worker):
    from muling.cases import services

    resident = world.users["resident"]
    case = services.case_submit(
        category=categories["sanitation"],
        text="楼道灯坏了",
        channel="web",
        reporter=resident,
        household=resident.person.household,
    )
    Case.objects.filter(pk=case.pk).update(deadline=case.created_at - timedelta(minutes=5))
    tasks.escalate_overdue.delay()
    tasks.escalate_overdue.delay()  # a duplicate delivery must not escalate twice
    assert wait_for(lambda: Case.objects.get(pk=case.pk).level == Level.COMMUNITY)
    time.sleep(1)
    case = Case.objects.get(pk=case.pk)
    assert case.escalation_count == 1
    # The escalation's notification went through the same queue and reached the secretary's inbox.
    assert wait_for(
        lambda: Notification.objects.filter(
            user=world.users["community_secretary"], case=case, kind="escalated"
        ).exists()
    )
