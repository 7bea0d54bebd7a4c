import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import World

# Browser tests wait for htmx swaps and maps; on a loaded 2-core CI machine 5 s (Playwright's default)
# is not always enough, and a flaky wait is worth nothing.
expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for building test worlds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _deliver_in_process(settings):
    # Notifications are delivered in-process unless a test starts a real Celery worker on Redis.
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _no_report_limits(settings):
    # Every test client reports from 127.0.0.1 into one shared cache; tests/trust turns the limits on.
    settings.REPORT_LIMIT_PER_USER_PER_HOUR = 0
    settings.REPORT_LIMIT_PER_ADDRESS_PER_HOUR = 0


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The per-process copy of the calendar corrections must not outlive a test's rolled-back rows.
    from muling.cases.deadlines import forget_overrides

    forget_overrides()
    yield
    forget_overrides()


@pytest.fixture(autouse=True)
def _fresh_reference():
    # Intake's per-process copies of categories, areas and routes (muling/cases/reference.py) must not
    # outlive a test's rolled-back rows, whose ids the next test reuses.
    from muling.cases import reference

    reference.forget()
    yield
    reference.forget()


@pytest.fixture(autouse=True)
def _fresh_tokens():
    # Tokens remembered by this process (muling/api/services.py) belong to the test that made them.
    from muling.api import services

    services._tokens.clear()
    yield
    services._tokens.clear()


@pytest.fixture(autouse=True)
def _fresh_numbers(settings):
    # Tests read dashboards right after writing cases; tests/stats/test_cache.py turns the cache on.
    settings.STATS_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _chinese_by_default():
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def world(db) -> World:
    """Two communities in one street, two grids in the first, people in every role (see factories)."""
    return World.build()


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login
