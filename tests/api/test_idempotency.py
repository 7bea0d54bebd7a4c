"""A POST retried with the same Idempotency-Key answers the first response and creates nothing new —
also when the retries arrive at the same time."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from muling.api import services as api_services
from muling.api.models import IdempotentRequest
from muling.cases.models import Case, CaseEvent

SUBMIT = {"category": "other", "text": "楼下路灯不亮", "area_code": "370832001001001"}


def test_same_key_twice_is_one_case_and_the_same_response(world, categories, api_as):
    api = api_as("resident")
    first = api.post("/cases", SUBMIT, **{"Idempotency-Key": "k-1"})
    again = api.post("/cases", SUBMIT, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1
    other = api.post("/cases", SUBMIT, **{"Idempotency-Key": "k-2"})
    assert other.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 2


def test_keys_are_per_user(world, categories, api_as):
    mine = api_as("resident").post("/cases", SUBMIT, **{"Idempotency-Key": "same"})
    theirs = api_as("neighbour").post("/cases", SUBMIT, **{"Idempotency-Key": "same"})
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["reporter"]["name"] == "赵敏"


def test_action_retry_replays_the_stored_response(world, report, api_as):
    case = report()
    api = api_as("community_secretary")
    first = api.post(f"/cases/{case.pk}/urge", {"note": "请今天处理"}, **{"Idempotency-Key": "urge-1"})
    again = api.post(f"/cases/{case.pk}/urge", {"note": "请今天处理"}, **{"Idempotency-Key": "urge-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Case.objects.get(pk=case.pk).urge_count == 1
    assert CaseEvent.objects.filter(case=case, kind="urged").count() == 1
    assert IdempotentRequest.objects.count() == 1


def test_a_refused_request_is_not_remembered(world, report, api_as):
    case = report()
    refused = api_as("grid_worker").post(
        f"/cases/{case.pk}/resolve", {"result": "x"}, **{"Idempotency-Key": "r"}
    )
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()


def test_key_reused_for_another_request_is_a_conflict(world, report, api_as):
    case = report()
    api = api_as("community_secretary")
    api.post(f"/cases/{case.pk}/urge", {}, **{"Idempotency-Key": "dup"})
    r = api.post(f"/cases/{case.pk}/note", {"note": "x"}, **{"Idempotency-Key": "dup"})
    assert (r.status_code, r.json()["code"]) == (409, "idempotency_key_reused")


def test_malformed_key_is_refused(world, categories, api_as):
    r = api_as("resident").post("/cases", SUBMIT, **{"Idempotency-Key": "x" * 65})
    assert (r.status_code, r.json()["code"]) == (400, "bad_idempotency_key")
    assert not Case.objects.exists()


def _concurrently(n: int, send) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = send()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_with_one_key_make_one_case(world, categories):
    secret = api_services.token_create(user=world.users["resident"], name="t").secret
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "storm"}

    def send():
        r = Client().post(
            "/api/v1/cases", json.dumps(SUBMIT), content_type="application/json", headers=headers
        )
        return r.status_code, r.json().get("id")

    results = _concurrently(6, send)
    assert {status for status, _ in results} == {201}
    assert len({case_id for _, case_id in results}) == 1
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_action_retries_act_once(world, categories):
    from muling.cases import services
    from muling.cases.enums import Channel

    case = services.case_submit(
        category=categories["sanitation"],
        text="垃圾未清运",
        channel=Channel.WEB,
        reporter=world.users["resident"],
        household=world.households["home"],
    )
    secret = api_services.token_create(user=world.users["community_secretary"], name="t").secret
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "urge-storm"}

    def send():
        r = Client().post(
            f"/api/v1/cases/{case.pk}/urge",
            json.dumps({"note": "快"}),
            content_type="application/json",
            headers=headers,
        )
        return r.status_code, r.content

    results = _concurrently(5, send)
    assert {status for status, _ in results} == {200}
    assert len({body for _, body in results}) == 1
    assert Case.objects.get(pk=case.pk).urge_count == 1


def test_session_requests_are_idempotent_too(world, report, client):
    case = report()
    client.force_login(world.users["community_secretary"])
    send = lambda: client.post(  # noqa: E731
        f"/api/v1/cases/{case.pk}/urge",
        "{}",
        content_type="application/json",
        headers={"Idempotency-Key": "s-1"},
    )
    assert send().json() == send().json()
    assert Case.objects.get(pk=case.pk).urge_count == 1
