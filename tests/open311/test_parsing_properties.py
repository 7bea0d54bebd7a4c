"""Hypothesis on Open311 parameter parsing: any input either parses or is refused with a 400 — never
another exception — and the whole endpoint never answers 5xx to arbitrary form fields."""

from datetime import datetime

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muling.open311 import parsing
from muling.open311.parsing import Open311Error

text = st.text(max_size=60)
keys = st.one_of(
    st.sampled_from(
        ["lat", "long", "service_code", "description", "page", "page_size", "start_date", "status"]
    ),
    st.builds(
        lambda c, multi: f"attribute[{c}]" + ("[]" if multi else ""),
        st.text(min_size=0, max_size=8),
        st.booleans(),
    ),
    text,
)


def querydict(pairs) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in pairs:
        q.appendlist(key, value)
    return q


@given(st.lists(st.tuples(keys, text), max_size=12))
def test_params_and_attributes_never_crash(pairs):
    q = querydict(pairs)
    try:
        values = parsing.params(q)
    except Open311Error as exc:
        assert exc.status == 400
    else:
        assert all(v and v == v.strip() for v in values.values())  # empty parameters are absent
        assert not any(parsing.ATTRIBUTE_RE.match(k) for k in values)
    attributes = parsing.attributes(q)
    for value in attributes.values():
        assert value and (isinstance(value, str) or all(isinstance(v, str) and v for v in value))


@given(text)
def test_coordinates_parse_or_refuse(value):
    try:
        number = parsing.coordinate(value, "lat", 90)
    except Open311Error as exc:
        assert exc.status == 400
    else:
        assert -90 <= number <= 90


@given(st.one_of(text, st.datetimes().map(datetime.isoformat), st.dates().map(str)))
def test_moments_parse_or_refuse_and_always_carry_a_zone(value):
    try:
        moment = parsing.moment(value, "start_date")
    except Open311Error as exc:
        assert exc.status == 400
    else:
        assert moment.tzinfo is not None


@given(st.one_of(st.none(), text))
def test_positive_ints_parse_or_refuse(value):
    try:
        number = parsing.positive_int(value, "page", default=1, maximum=100)
    except Open311Error as exc:
        assert exc.status == 400
    else:
        assert 1 <= number <= 100


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(keys, text), max_size=10), st.sampled_from(["json", "xml"]))
def test_requests_endpoint_never_answers_5xx(client, pairs, fmt):
    data = querydict(pairs)
    posted = client.post(
        f"/open311/v2/requests.{fmt}", data.urlencode(), content_type="application/x-www-form-urlencoded"
    )
    assert posted.status_code < 500
    listed = client.get(f"/open311/v2/requests.{fmt}?{data.urlencode()}")
    assert listed.status_code < 500


@pytest.mark.django_db
def test_a_nul_byte_in_a_parameter_is_a_clear_400(client):
    # Found by the property above: PostgreSQL text cannot hold NUL, and the list query answered 500.
    for fmt in ("json", "xml"):
        listed = client.get(f"/open311/v2/requests.{fmt}?service_request_id=2026%00")
        assert listed.status_code == 400
        posted = client.post(
            f"/open311/v2/requests.{fmt}", {"service_code": "other", "description": "a\x00b"}
        )
        assert posted.status_code == 400
