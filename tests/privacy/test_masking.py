"""Masked by default: what the API and Open311 write out about people."""

import pytest
from django.test import Client

from muling.api import services as api_services
from muling.cases.enums import Channel

from .conftest import ID_NUMBER


def api_get(user, path):
    token = api_services.token_create(user=user, name="tests").secret
    return Client().get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("user_key", ["resident", "grid_worker", "county_secretary", "admin"])
def test_me_carries_no_phone_and_no_id_number(world, resident, user_key):
    response = api_get(world.users[user_key], "/me")
    assert response.status_code == 200
    text = response.content.decode()
    assert ID_NUMBER not in text and resident.id_number_masked not in text
    assert "13800000001" not in text and "13900000003" not in text
    assert not {"phone", "id_number"} & set(response.json())


@pytest.mark.parametrize(
    "user_key", ["grid_worker", "resident", "neighbour", "other_grid_worker", "department_staff"]
)
def test_case_output_never_carries_an_id_number(world, resident, report, user_key):
    case = report(hide_name=True)
    response = api_get(world.users[user_key], f"/cases/{case.pk}")
    assert response.status_code in (200, 404)
    assert ID_NUMBER not in response.content.decode()
    assert resident.id_number_masked not in response.content.decode()


@pytest.mark.parametrize("user_key", ["neighbour", "other_grid_worker", "department_staff"])
def test_case_output_hides_the_reporter_from_those_without_the_rule(world, report, user_key):
    case = report(hide_name=True, is_public=True)
    response = api_get(world.users[user_key], f"/cases/{case.pk}")
    text = response.content.decode()
    assert "13800000001" not in text and "王秀兰" not in text
    if response.status_code == 200:
        assert response.json()["reporter"] is None


def test_open311_writes_no_reporter_fields_at_all(world, report):
    case = report(contact_name="王秀兰", contact_phone="13800000001", is_public=True, channel=Channel.WEB)
    for path in ("/open311/v2/requests.json", f"/open311/v2/requests/{case.number}.json"):
        response = Client().get(path)
        assert response.status_code == 200
        text = response.content.decode()
        assert "13800000001" not in text and "王秀兰" not in text and ID_NUMBER not in text
        for row in response.json():
            assert not {"phone", "email", "first_name", "last_name", "contact_name", "reporter"} & set(row)
    xml = Client().get(f"/open311/v2/requests/{case.number}.xml").content.decode()
    assert "13800000001" not in xml and "<phone>" not in xml


def test_staff_search_results_and_household_pages_show_masked_phones(client_as, world, resident):
    client = client_as(world.users["grid_worker"])
    html = client.get("/people/search/", {"q": "王秀兰"}).content.decode()
    assert "138****0001" in html and "13800000001" not in html and ID_NUMBER not in html
    html = client.get(f"/places/household/{world.households['home'].pk}/").content.decode()
    assert "13800000001" not in html
