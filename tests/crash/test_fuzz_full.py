"""`make fuzz` (issue 7, item 6): schemathesis over the whole /api/v1/openapi.json with at least 1,000
calls (MULING_FUZZ_EXAMPLES per operation, default 100), zero 5xx, every response valid against its
schema. Skipped unless MULING_FUZZ=1: the suite's bounded run is tests/api/test_schemathesis.py, which
is never skipped."""

import os
from pathlib import Path

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
from muling.cases import services
from muling.cases.enums import Channel

pytestmark = pytest.mark.skipif(
    os.environ.get("MULING_FUZZ") != "1", reason="the full fuzz run is `make fuzz`"
)

EXAMPLES = int(os.environ.get("MULING_FUZZ_EXAMPLES", "100"))
MIN_CALLS = int(os.environ.get("MULING_FUZZ_MIN_CALLS", "1000"))
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz-calls.txt"
CALLS = {"n": 0, "operations": set()}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(scope="module", autouse=True)
def _count_calls():
    yield
    if os.environ.get("MULING_FUZZ") == "1" and CALLS["operations"]:
        line = f"fuzz: {CALLS['n']} calls over {len(CALLS['operations'])} operations, no 5xx, schema-valid"
        print(line)
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(line + "\n")
        assert CALLS["n"] >= MIN_CALLS, f"only {CALLS['n']} calls; raise MULING_FUZZ_EXAMPLES"


@pytest.fixture
def staff_token(world, categories, settings):
    settings.API_TOKEN_RATE_LIMIT_PER_MINUTE = 0  # the fuzzer is not a client to be throttled
    settings.REPORT_LIMIT_PER_USER_PER_HOUR = 0
    settings.REPORT_LIMIT_PER_ADDRESS_PER_HOUR = 0
    resident = world.users["resident"]
    for code in ("sanitation", "gas"):
        services.case_submit(
            category=categories[code],
            text="楼道灯坏了，晚上看不见",
            channel=Channel.WEB,
            reporter=resident,
            household=resident.person.household,
        )
    # The raw WSGI app closes the connection after each request, which would end the test's
    # transaction; Django's test client disconnects the same signal for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_services.token_create(user=world.users["community_secretary"], name="fuzz").secret
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_full_fuzz_never_answers_5xx_and_matches_its_schema(case, staff_token):
    CALLS["n"] += 1
    CALLS["operations"].add(f"{case.operation.method.upper()} {case.operation.path}")
    case.call_and_validate(
        headers={"Authorization": f"Bearer {staff_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
