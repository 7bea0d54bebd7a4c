import itertools
import json

import pytest
from django.core.cache import cache
from django.test import Client

from muling.api import services as api_services
from muling.cases import services
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Category

_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit windows and counters from other tests
    yield
    cache.clear()


@pytest.fixture
def address() -> str:
    """A client address of this test's own, so counters never leak between tests."""
    n = next(_addresses)
    return f"10.77.{n // 250}.{n % 250 + 1}"


@pytest.fixture
def categories(db) -> dict[str, Category]:
    install_default_categories(Category)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def report(world, categories):
    """Submit a case through the real service (no limits: the service itself is never limited)."""

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
    """JSON over a personal token, from one client address."""

    def __init__(self, token: str, address: str):
        self.client = Client(REMOTE_ADDR=address)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path):
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path, body, **headers):
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api_as(world, address):
    def make(user, *, from_address: str | None = None) -> ApiClient:
        user = world.users[user] if isinstance(user, str) else user
        token = api_services.token_create(user=user, name="trust tests").secret
        return ApiClient(token, from_address or address)

    return make
