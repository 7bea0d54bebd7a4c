"""kill -9 the background worker in the middle of an escalation sweep, restart it: every overdue case
is escalated exactly once (item 5 of issue 7). Real PostgreSQL, real Redis, real subprocesses.

To be sure the kill lands mid-sweep, the test holds a row lock on a case two thirds of the way down
the sweep's order; the worker escalates the cases before it (each in its own transaction), and is
killed once at least LOCK_AT // 3 of them are committed — usually while it is inside an escalation's
transaction, always before the sweep can finish."""

import subprocess
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from muling import celery_app
from muling.cases import services, tasks
from muling.cases.enums import Channel, EventKind
from muling.cases.models import Case, CaseEvent

from .conftest import BIN, ROOT, kill9, raw_connection, redis_url, subprocess_env, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

N_CASES = 300
LOCK_AT = 200


def make_overdue_cases(world, categories, n=N_CASES) -> list[int]:
    """One case through the real service, then n - 1 copies of it and of its timeline (the service
    takes ~0.1 s a case; 300 of them would dominate the test), each with a distinct past deadline."""
    resident = world.users["resident"]
    first = services.case_submit(
        category=categories["sanitation"],
        text="楼道灯坏了",
        channel=Channel.WEB,
        reporter=resident,
        household=resident.person.household,
    )
    events = list(CaseEvent.objects.filter(case=first))
    copies = []
    for i in range(1, n):
        c = Case.objects.get(pk=first.pk)
        c.pk, c.number, c.text = None, f"{first.number}{i:04d}", f"楼道灯坏了 #{i}"
        copies.append(c)
    Case.objects.bulk_create(copies)
    CaseEvent.objects.bulk_create(
        CaseEvent(
            **{
                **{f.attname: getattr(e, f.attname) for f in CaseEvent._meta.concrete_fields},
                "id": None,
                "case_id": c.pk,
            }
        )
        for c in copies
        for e in events
    )
    ids = [first.pk] + [c.pk for c in copies]
    base = timezone.now() - timedelta(days=2)
    for i, pk in enumerate(ids):  # a distinct deadline each: the sweep's order is the creation order
        Case.objects.filter(pk=pk).update(deadline=base + timedelta(seconds=i))
    return ids


def escalated_count(ids) -> int:
    return Case.objects.filter(pk__in=ids, escalation_count__gt=0).count()


def assert_escalated_exactly_once(ids) -> None:
    cases = Case.objects.filter(pk__in=ids).annotate(
        overdue_escalations=Count(
            "events", filter=Q(events__kind=EventKind.ESCALATED, events__data__reason="overdue")
        )
    )
    counts = {c.pk: (c.escalation_count, c.overdue_escalations) for c in cases}
    assert len(counts) == len(ids)
    wrong = {pk: v for pk, v in counts.items() if v != (1, 1)}
    assert not wrong, f"{len(wrong)} cases not escalated exactly once: {list(wrong.items())[:10]}"


def kill_mid_sweep(start, ids) -> int:
    """Start a worker with start(), hold case LOCK_AT so it cannot finish, kill -9 it mid-sweep.
    Returns how many cases had been escalated when it died."""
    raw = raw_connection()
    try:
        with raw.cursor() as cur:  # a transaction stays open until rollback: the row stays locked
            cur.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", (ids[LOCK_AT],))
        proc = start()
        try:
            assert wait_for(
                lambda: escalated_count(ids) >= LOCK_AT // 3 or proc.poll() is not None, seconds=60
            )
            assert proc.poll() is None, f"the worker exited early ({proc.returncode})"
            assert escalated_count(ids) >= LOCK_AT // 3, f"the worker escalated {escalated_count(ids)}"
        finally:
            kill9(proc)
        done = escalated_count(ids)
    finally:
        raw.rollback()
        raw.close()
    assert 0 < done <= LOCK_AT < len(ids), done
    return done


# `manage.py run_background --once`, started so that its command line does not name it: other
# sessions sharing this machine may stop their own workers by name.
RUN_BACKGROUND_ONCE = """
import django
django.setup()
from django.core.management import call_command
call_command("run_background", once=True)
"""


def test_run_background_killed_mid_sweep_escalates_every_case_exactly_once(world, categories):
    ids = make_overdue_cases(world, categories)
    # Notifications delivered in-process (no broker), as `make run` does.
    env = subprocess_env(CELERY_BROKER_URL="")
    cmd = [str(BIN / "python"), "-c", RUN_BACKGROUND_ONCE]

    done = kill_mid_sweep(lambda: subprocess.Popen(cmd, cwd=ROOT, env=env), ids)
    print(f"run_background killed after {done}/{len(ids)} escalations")

    finished = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert_escalated_exactly_once(ids)
    # A third run finds nothing left to do.
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "escalated 0" in again.stdout
    assert_escalated_exactly_once(ids)


# The worker runs with a short Redis visibility timeout so that the message of the killed worker
# (acks_late: never acknowledged) is handed out again within seconds instead of the default hour.
CELERY_WORKER = """
import sys
from muling.celery import app
app.conf.broker_transport_options = {"visibility_timeout": 3}
app.worker_main(["worker", "-P", "solo", "--without-heartbeat", "--without-gossip",
                 "--without-mingle", "-l", "WARNING", "-n", sys.argv[1]])
"""


@pytest.fixture
def broker(settings):
    url = redis_url()
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # no stale messages from an earlier run
    yield url
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    celery_app.conf.update(**saved)


def test_celery_worker_killed_mid_sweep_redelivers_and_escalates_exactly_once(world, categories, broker):
    ids = make_overdue_cases(world, categories)
    env = subprocess_env(CELERY_BROKER_URL=broker)

    def worker(name):
        return subprocess.Popen(
            [str(BIN / "python"), "-c", CELERY_WORKER, f"{name}@crash"], cwd=ROOT, env=env
        )

    def start():
        proc = worker("first")
        tasks.escalate_overdue.delay()
        return proc

    done = kill_mid_sweep(start, ids)
    print(f"celery worker killed after {done}/{len(ids)} escalations")
    # Nothing acknowledged the task: a new worker gets it again and finishes the sweep.
    second = worker("second")
    try:
        assert wait_for(lambda: escalated_count(ids) == len(ids), seconds=90, step=0.2), (
            f"only {escalated_count(ids)}/{len(ids)} escalated after the restart"
        )
        # Let a possible duplicate delivery run too before counting.
        tasks.escalate_overdue.delay()
        wait_for(lambda: False, seconds=4, step=0.5)
    finally:
        second.terminate()
        try:
            second.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill9(second)
    assert_escalated_exactly_once(ids)
