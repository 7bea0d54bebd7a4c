"""Who may call the API: session with CSRF, personal tokens (hashed, revocable), rate limits."""

import hashlib
import json
from datetime import timedelta

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from muling.api import services as api_services
from muling.api.models import ApiToken


def test_anonymous_gets_401_json(world, anonymous_api):
    r = anonymous_api.get("/me")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


def test_session_get_works_and_post_needs_csrf(world, categories):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["resident"])
    assert client.get("/api/v1/me").json()["username"] == "resident"
    body = json.dumps({"category": "other", "text": "x", "area_code": "370832001001001"})
    refused = client.post("/api/v1/cases", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    client.get("/api/tokens/")  # a page with a form sets the CSRF cookie; the token goes in a header
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/cases", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.json()


def test_bearer_token_acts_as_its_owner_without_csrf(world):
    created = api_services.token_create(user=world.users["grid_worker"], name="手机应用")
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "grid_worker"
    r = client.post("/api/v1/notifications/read-all", headers=headers, content_type="application/json")
    assert r.status_code == 200
    assert ApiToken.objects.get(pk=created.row.pk).last_used_at is not None


def test_token_is_stored_hashed_never_in_clear(world):
    created = api_services.token_create(user=world.users["resident"], name="脚本")
    row = ApiToken.objects.get(pk=created.row.pk)
    assert row.token_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in {row.token_hash, row.prefix, row.name}
    assert created.secret.startswith(row.prefix) and len(row.prefix) < len(created.secret) // 2
    for field in ApiToken._meta.concrete_fields:
        assert getattr(row, field.attname) != created.secret


def test_revoked_or_wrong_token_is_401(world):
    created = api_services.token_create(user=world.users["resident"], name="旧手机")
    client = Client()
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    api_services.token_revoke(user=world.users["resident"], token_id=created.row.pk)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mlt_nonsense"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 401


def test_only_the_owner_revokes_a_token(world):
    created = api_services.token_create(user=world.users["resident"], name="x")
    client = Client()
    client.force_login(world.users["housemate"])
    r = client.post(f"/api/tokens/{created.row.pk}/revoke/")
    assert r.status_code == 404
    assert ApiToken.objects.get(pk=created.row.pk).revoked_at is None


def test_rate_limit_answers_429_with_code(world, settings):
    settings.API_TOKEN_RATE_LIMIT_PER_MINUTE = 3
    created = api_services.token_create(user=world.users["resident"], name="x")
    client = Client()
    headers = {"Authorization": f"Bearer {created.secret}"}
    statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = client.get("/api/v1/me", headers=headers)
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 0
    # Another token of another user is counted separately.
    other = api_services.token_create(user=world.users["housemate"], name="y")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other.secret}"}).status_code == 200


def test_token_page_creates_shows_once_and_revokes(world):
    client = Client()
    client.force_login(world.users["resident"])
    assert client.get("/api/tokens/").status_code == 200
    created = client.post("/api/tokens/", {"name": "我的脚本"})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=world.users["resident"])
    page = created.content.decode()
    secret = next(w for w in page.replace("<", " ").replace(">", " ").split() if w.startswith("mlt_"))
    assert hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
    assert secret not in client.get("/api/tokens/").content.decode()  # shown once
    client.post(f"/api/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_token_page_needs_login(db):
    r = Client().get("/api/tokens/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_openapi_and_docs_are_served(db):
    client = Client()
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/cases" in paths and "/api/v1/cases/{case_id}/accept" in paths
    assert client.get("/api/v1/docs").status_code == 200


# ---- remembered tokens (muling/api/services.py) --------------------------------------------------


def _token_client(user):
    created = api_services.token_create(user=user, name="常用")
    return Client(headers={"Authorization": f"Bearer {created.secret}"}), created


def test_a_token_met_before_is_answered_without_a_database_lookup(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _created = _token_client(world.users["grid_worker"])
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/me").status_code == 200  # looked up, remembered
    with CaptureQueriesContext(connection) as second:
        assert client.get("/api/v1/me").status_code == 200
    assert any("api_apitoken" in q["sql"] for q in first.captured_queries)
    assert not any("api_apitoken" in q["sql"] for q in second.captured_queries)


def test_revoking_a_remembered_token_refuses_it_at_once(world):
    client, created = _token_client(world.users["resident"])
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200  # remembered
    api_services.token_revoke(user=world.users["resident"], token_id=created.row.pk)
    assert client.get("/api/v1/me").status_code == 401


def test_a_change_made_by_another_process_is_seen(world):
    client, created = _token_client(world.users["resident"])
    assert client.get("/api/v1/me").status_code == 200
    # Another process revokes it: the row changes and the shared generation is replaced, but this
    # process's memory is not told directly.
    ApiToken.objects.filter(pk=created.row.pk).update(revoked_at=timezone.now())
    cache.set(api_services.AUTH_GENERATION_KEY, "changed-by-another-process", None)
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_account_loses_its_remembered_token(world):
    client, _created = _token_client(world.users["resident"])
    assert client.get("/api/v1/me").status_code == 200
    user = world.users["resident"]
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me").status_code == 401


def test_what_one_request_learns_about_the_account_does_not_reach_the_next(world):
    """Posts are read once per request and kept on the request's user object; a remembered token must
    hand each request a fresh user, or a post ended since would still grant its rights."""
    from muling.people.models import Post
    from muling.people.roles import Role

    client, _created = _token_client(world.users["grid_worker"])
    assert client.get("/api/v1/cases?view=queue").status_code == 200
    me = client.get("/api/v1/me").json()
    assert any(p["role"] == Role.GRID_WORKER for p in me["posts"])
    # A raw update: no signal, so the remembered token stays remembered.
    Post.objects.filter(person=world.users["grid_worker"].person).update(
        start_date=timezone.localdate() + timedelta(days=1)
    )
    assert not client.get("/api/v1/me").json()["posts"]
