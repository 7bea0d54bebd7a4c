"""The reporter's phone: full for the handler who calls back and the reporter, masked for other staff."""

import pytest
from django.test import Client

from muling.cases import selectors


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("grid_worker", "13800000001"),
        ("resident", "13800000001"),
        ("community_secretary", "138****0001"),
        ("street_secretary", "138****0001"),
        ("other_grid_worker", None),
        ("department_staff", None),
    ],
)
def test_phone_by_role_on_the_page_and_in_the_api(world, report, user, expected):
    case = report()
    contact = selectors.reporter_contact(case, viewer=world.users[user])
    assert (contact["phone"] if contact else None) == expected
    client = Client()
    client.force_login(world.users[user])
    response = client.get(f"/api/v1/cases/{case.pk}")
    if expected is None:
        assert response.status_code == 404 or response.json()["reporter"] is None
        return
    assert response.json()["reporter"]["phone"] == expected
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert expected in page
    if expected != "13800000001":
        assert "13800000001" not in page
