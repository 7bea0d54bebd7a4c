import pytest

from muling.api import services as api_services
from tests.api.conftest import _fresh_rate_limits, categories, report  # noqa: F401  (shared fixtures)


@pytest.fixture
def api_key(db) -> str:
    return api_services.client_key_create(name="市级平台", channel="open311").secret
