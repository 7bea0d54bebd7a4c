import json

import pytest
from django.core.cache import cache
from django.test import Client

from muling.api import services as api_services
from muling.cases import services
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Category


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def categories(db) -> dict[str, Category]:
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def report(world, categories):
    """Submit a case as the resident of 1号楼 101 (or as `user`) through the real service."""

    def submit(text="楼道灯坏了，晚上看不见", category="sanitation", user="resident", **kw):
        reporter = world.users[user] if isinstance(user, str) else user
        kw.setdefault("household", reporter.person.household if reporter.person_id else None)
        return services.case_submit(
            category=categories[category],
            text=text,
            channel=kw.pop("channel", Channel.WEB),
            reporter=reporter,
            **kw,
        )

    return submit


class ApiClient:
    """A JSON client acting as one user through a personal token (no session, no CSRF)."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, **headers):
        return self.client.get(f"/api/v1{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path, body=None, *, raw: str | bytes | None = None, **headers):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def api_as(world):
    """api_as("grid_worker").post("/cases/1/accept") — a client holding that user's token."""
    tokens = {}

    def make(user) -> ApiClient:
        user = world.users[user] if isinstance(user, str) else user
        if user.pk not in tokens:
            tokens[user.pk] = api_services.token_create(user=user, name="tests").secret
        return ApiClient(tokens[user.pk])

    return make


@pytest.fixture
def anonymous_api() -> ApiClient:
    return ApiClient(None)
