"""The web tier under crashes and retries (item 5 of issue 7), with gunicorn, PostgreSQL and Redis:
a worker killed inside a submission's transaction leaves no half-written case; workers killed while
requests are in flight lose nothing that was answered 2xx; retried submissions with an
Idempotency-Key never duplicate a case; an unreachable database answers 503 and recovers."""

import itertools
import json
import os
import queue
import random
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from muling.api import services as api_services
from muling.cases import services
from muling.cases.enums import Channel
from muling.cases.models import Case

from .conftest import (
    Gunicorn,
    assert_cases_whole,
    blocked_backends,
    children_of,
    free_port,
    raw_connection,
    subprocess_env,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def submit_body(world, text="楼道灯坏了，晚上看不见") -> str:
    household = world.users["resident"].person.household_id
    return json.dumps({"category": "sanitation", "text": text, "household_id": household})


def post_case(base_url, token, body, key, timeout=30):
    return requests.post(
        base_url + "/api/v1/cases",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
        timeout=timeout,
    )


def tokens_for(user, n):
    return [api_services.token_create(user=user, name=f"crash {i}").secret for i in range(n)]


def idle_transactions(raw) -> int:
    with raw.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]


@pytest.fixture
def gunicorn():
    started = []

    def start(env=None, workers=2):
        server = Gunicorn(env or subprocess_env(), workers=workers)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


def test_worker_killed_inside_the_submit_transaction_leaves_no_half_written_case(world, categories, gunicorn):
    server = gunicorn(workers=1)
    (token,) = tokens_for(world.users["resident"], 1)
    body = submit_body(world)
    raw = raw_connection()
    # pg_stat_activity is read once per transaction: watch from a connection in autocommit mode.
    monitor = raw_connection()
    monitor.autocommit = True
    outcome = {}

    def submit():
        try:
            outcome["response"] = post_case(server.url, token, body, "crash-inside-tx")
        except requests.RequestException as exc:
            outcome["error"] = exc

    try:
        # The case row is inserted and numbered; the CREATED event's INSERT then waits on this lock.
        with raw.cursor() as cur:
            cur.execute("LOCK TABLE cases_caseevent IN SHARE MODE")
        thread = threading.Thread(target=submit)
        thread.start()
        if not wait_for(lambda: blocked_backends(monitor, 'INSERT INTO "cases_caseevent"') >= 1, seconds=20):
            with monitor.cursor() as cur:
                cur.execute(
                    "SELECT state, wait_event_type, left(query, 120) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                pytest.fail(f"the submission never reached the event insert: {cur.fetchall()} {outcome}")
        for pid in children_of(server.proc.pid):
            os.kill(pid, signal.SIGKILL)
        thread.join(timeout=30)
    finally:
        raw.rollback()
    assert "error" in outcome or outcome["response"].status_code >= 500, outcome
    # The orphaned backend finishes its INSERT, finds its client gone and rolls everything back.
    raw.close()
    assert wait_for(
        lambda: idle_transactions(monitor) == 0 and blocked_backends(monitor, "INSERT") == 0, seconds=20
    )
    monitor.close()
    assert Case.objects.count() == 0
    # gunicorn replaced the worker; the client's retry with the same key creates the case, once.
    server.wait_ready()
    for _ in range(3):
        response = post_case(server.url, token, body, "crash-inside-tx")
        assert response.status_code == 201, response.text
    assert Case.objects.count() == 1
    assert_cases_whole()


def test_workers_killed_while_requests_are_in_flight_lose_nothing_answered(world, categories, gunicorn):
    server = gunicorn(workers=2)
    threads = 8
    per_thread = 25
    tokens = tokens_for(world.users["resident"], threads)
    body = submit_body(world)
    answered: dict[str, int] = {}  # key -> case id, for every 201
    failed: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n):
        for i in range(per_thread):
            key = f"inflight-{n}-{i}"
            try:
                r = post_case(server.url, tokens[n], body, key, timeout=20)
                ok = r.status_code == 201
            except requests.RequestException:
                ok = False
            with lock:
                if ok:
                    answered[key] = r.json()["id"]
                else:
                    failed.append(key)

    kills = []

    def killer():
        while not stop.is_set() and len(kills) < 6:
            time.sleep(random.uniform(0.2, 0.6))
            pids = children_of(server.proc.pid)
            if pids:
                pid = random.choice(pids)
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills.append(pid)
                except ProcessLookupError:
                    pass

    k = threading.Thread(target=killer)
    k.start()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(client, range(threads)))
    stop.set()
    k.join()
    print(f"in flight: {len(answered)} answered 201, {len(failed)} cut off by {len(kills)} kill -9")
    assert kills
    # Every 201 is in the database, whole.
    ids = set(Case.objects.values_list("pk", flat=True))
    assert set(answered.values()) <= ids
    assert_cases_whole()
    # Clients retry what failed, with the same keys: every submission ends as exactly one case.
    server.wait_ready()
    for key in failed:
        n = int(key.split("-")[1])
        r = post_case(server.url, tokens[n], body, key)
        assert r.status_code == 201, r.text
    assert Case.objects.count() == threads * per_thread
    assert Case.objects.filter(idempotency_key__isnull=True).count() == 0
    assert_cases_whole()


SERVICE_KEYS, SERVICE_RETRIES = 200, 50
HTTP_KEYS, HTTP_RETRIES = 30, 10


def test_ten_thousand_concurrent_retries_create_each_case_once(world, categories, gunicorn):
    """10,000 submissions (200 keys × 50 retries) through the service in 16 threads, and 300 more
    (30 keys × 10 retries) over HTTP through gunicorn: 10,000 requests over HTTP take minutes on a
    two-core CI machine, so the bulk goes through case_submit, the code path the API calls with the
    key; 1,000 distinct new cases would take ~100 s alone, hence 200 keys retried 50 times."""
    resident = world.users["resident"]
    household = resident.person.household
    category = categories["sanitation"]
    # Adjacent retries of a key land on different threads at the same moment: they race.
    calls = [f"svc-{k}" for k in range(SERVICE_KEYS) for _ in range(SERVICE_RETRIES)]
    results: dict[str, set[int]] = {}
    lock = threading.Lock()

    def call(key):
        case = services.case_submit(
            category=category,
            text="楼道灯坏了",
            channel=Channel.API,
            reporter=resident,
            household=household,
            idempotency_key=f"api:{resident.pk}:{key}",
        )
        with lock:
            results.setdefault(key, set()).add(case.pk)

    work_queue = queue.SimpleQueue()
    for key in calls:
        work_queue.put(key)
    errors = []

    def worker():
        try:
            while True:
                try:
                    key = work_queue.get_nowait()
                except queue.Empty:
                    return
                call(key)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    service_seconds = time.monotonic() - started
    assert len(results) == SERVICE_KEYS
    assert all(len(pks) == 1 for pks in results.values())
    assert Case.objects.count() == SERVICE_KEYS

    server = gunicorn(env=subprocess_env(DB_CONN_MAX_AGE="60"), workers=3)
    tokens = tokens_for(resident, 20)  # each token has its own per-minute limit
    body = submit_body(world)
    http_calls = [f"http-{k}" for k in range(HTTP_KEYS) for _ in range(HTTP_RETRIES)]
    token_cycle = itertools.cycle(tokens)
    work = [(key, next(token_cycle)) for key in http_calls]
    answers: dict[str, set[int]] = {}

    def http(item):
        key, token = item
        r = post_case(server.url, token, body, key)
        assert r.status_code == 201, r.text
        with lock:
            answers.setdefault(key, set()).add(r.json()["id"])

    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(http, work))
    http_seconds = time.monotonic() - started
    print(
        f"idempotency: {len(calls)} service calls in {service_seconds:.1f}s, "
        f"{len(work)} HTTP requests in {http_seconds:.1f}s -> {Case.objects.count()} cases"
    )
    assert all(len(pks) == 1 for pks in answers.values()) and len(answers) == HTTP_KEYS
    assert Case.objects.count() == SERVICE_KEYS + HTTP_KEYS
    assert_cases_whole()


class TcpProxy:
    """127.0.0.1:<port> → PostgreSQL; stop() makes the database unreachable, start() brings it back."""

    def __init__(self, target_port: int):
        self.port = free_port()
        self.target = ("127.0.0.1", target_port)
        self.listener = None
        self.sockets: list[socket.socket] = []

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the other thread (Linux)
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets.clear()


def test_database_unreachable_answers_503_and_recovers(world, categories, gunicorn):
    (token,) = tokens_for(world.users["resident"], 1)
    proxy = TcpProxy(int(connection.settings_dict.get("PORT") or 5432))
    proxy.start()
    url = subprocess_env()["DATABASE_URL"].replace(
        f":{connection.settings_dict.get('PORT') or 5432}/", f":{proxy.port}/"
    )
    server = gunicorn(env=subprocess_env(DATABASE_URL=url, DB_CONN_MAX_AGE="0"), workers=1)
    api = {"Authorization": f"Bearer {token}"}
    # Pages and API calls that need the database (the home page of a visitor does not).
    public = f"/cases/public/{world.areas['community'].code}/"  # a page that reads the database
    pages = [("/api/v1/cases", api), ("/api/v1/categories", {}), (public, {})]
    try:
        for path, headers in pages:
            assert requests.get(server.url + path, headers=headers, timeout=10).status_code == 200, path
        proxy.stop()
        for path, headers in pages:
            r = requests.get(server.url + path, headers=headers, timeout=10)
            assert r.status_code == 503, (path, r.status_code)
            assert "Retry-After" in r.headers
            if path.startswith("/api/"):
                assert r.json()["code"] == "database_unavailable"
            else:
                assert "暂时无法访问" in r.text
        proxy.start()
        for path, headers in pages:
            assert requests.get(server.url + path, headers=headers, timeout=10).status_code == 200, path
    finally:
        proxy.stop()
