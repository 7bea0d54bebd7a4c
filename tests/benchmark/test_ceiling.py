"""The benchmark's ceiling view: closed unless a benchmark server turns it on, one row per POST when on."""

import pytest
from django.test import Client

from muling.benchmark.models import CeilingRow

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_ceiling_is_not_found_when_the_setting_is_off(settings, method):
    settings.BENCH_CEILING = False
    response = getattr(Client(), method)("/bench/ceiling/")
    assert response.status_code == 404
    assert CeilingRow.objects.count() == 0


def test_the_ceiling_inserts_one_row_per_anonymous_post_without_a_csrf_token(settings):
    settings.BENCH_CEILING = True
    client = Client(enforce_csrf_checks=True)
    first = client.post("/bench/ceiling/", {"note": "x" * 100})
    second = client.post("/bench/ceiling/")
    assert (first.status_code, second.status_code) == (201, 201)
    assert CeilingRow.objects.count() == 2
    assert first.json()["id"] != second.json()["id"]
    assert CeilingRow.objects.get(pk=first.json()["id"]).note == "x" * 40


def test_the_ceiling_refuses_other_methods_when_on(settings):
    settings.BENCH_CEILING = True
    assert Client().get("/bench/ceiling/").status_code == 405
    assert CeilingRow.objects.count() == 0
