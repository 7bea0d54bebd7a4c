"""Schemathesis over /api/v1/openapi.json: generated requests, both valid and not, must never get a
5xx, and every documented response must match its schema. Bounded to a few examples per operation so
the whole run stays well under two minutes."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from muling.api import services as api_services

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def staff_token(world, categories, report, settings):
    settings.API_TOKEN_RATE_LIMIT_PER_MINUTE = 0  # the fuzzer is not a client to be throttled
    report()
    report(category="gas")
    # The raw WSGI app closes the connection after each request, which would end the test's
    # transaction; Django's test client disconnects the same signal for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_services.token_create(user=world.users["community_secretary"], name="fuzz").secret
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_never_answers_5xx_and_matches_its_schema(case, staff_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {staff_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
