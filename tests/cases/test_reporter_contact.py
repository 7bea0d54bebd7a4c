"""The reporter's phone: full for the handler who calls back and the reporter, masked for other staff;
the handler's view of the full phone is written to the access log (once per viewer, case and day)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from muling.cases import selectors, services
from muling.cases.enums import Channel
from muling.privacy.models import AccessReason, DataField, PersonalDataAccess


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


# ---- the handler's view of the full phone is written to the access log ----------------------------


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_handlers_view_of_the_full_phone_is_logged_with_who_whose_and_why(world, report):
    case = report()
    handler = as_user(world.users["grid_worker"])
    assert "13800000001" in handler.get(f"/cases/{case.number}/").content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person, access.case, access.field, access.reason) == (
        world.users["grid_worker"],
        world.users["resident"].person,
        case,
        DataField.PHONE,
        AccessReason.CALLBACK,
    )
    assert access.viewer_name == "郑网格" and access.note == case.number
    assert access.reason_text == f"回访/办理诉求：{case.number}"
    assert access.path == f"/cases/{case.number}/"


def test_the_api_view_of_the_full_phone_is_logged_too(world, report):
    case = report()
    response = as_user(world.users["grid_worker"]).get(f"/api/v1/cases/{case.pk}")
    assert response.json()["reporter"]["phone"] == "13800000001"
    assert PersonalDataAccess.objects.filter(case=case, viewer=world.users["grid_worker"]).count() == 1


def test_refreshing_the_page_logs_once_per_viewer_case_and_day(world, report):
    case = report()
    handler = as_user(world.users["grid_worker"])
    for _ in range(3):
        handler.get(f"/cases/{case.number}/")
    handler.get(f"/api/v1/cases/{case.pk}")
    assert PersonalDataAccess.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        handler.get(f"/cases/{case.number}/")
    assert PersonalDataAccess.objects.count() == 2
    other = report(text="另一件：单元门坏了")
    handler.get(f"/cases/{other.number}/")
    assert PersonalDataAccess.objects.count() == 3


@pytest.mark.parametrize("user", ["community_secretary", "street_secretary", "resident", "department_staff"])
def test_a_masked_view_or_the_reporters_own_view_is_not_logged(world, report, user):
    case = report()
    client = as_user(world.users[user])
    client.get(f"/cases/{case.number}/")
    client.get(f"/api/v1/cases/{case.pk}")
    assert not PersonalDataAccess.objects.exists()


def test_the_reporter_sees_the_handlers_view_on_who_viewed_my_data(world, report):
    case = report()
    as_user(world.users["grid_worker"]).get(f"/cases/{case.number}/")
    page = as_user(world.users["resident"]).get(reverse("privacy:mine")).content.decode()
    assert 'id="accesses"' in page
    assert "郑网格" in page and "回访/办理诉求" in page and case.number in page
    # Nobody else sees it: not the housemate, not the handler.
    for key in ("housemate", "grid_worker"):
        assert case.number not in as_user(world.users[key]).get(reverse("privacy:mine")).content.decode()


def test_a_hotline_callers_phone_is_logged_against_the_case(world, categories):
    case = services.case_submit(
        category=categories["sanitation"],
        text="来电反映楼道灯坏了",
        channel=Channel.HOTLINE,
        area=world.area("building"),
        contact_name="来电人",
        contact_phone="13700000077",
        actor=world.users["grid_worker"],
    )
    page = as_user(world.users["grid_worker"]).get(f"/cases/{case.number}/").content.decode()
    assert "13700000077" in page
    access = PersonalDataAccess.objects.get()
    assert access.person is None and access.case == case and access.field == DataField.PHONE
