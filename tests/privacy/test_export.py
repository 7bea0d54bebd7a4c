"""A resident downloads their own data; staff export a person in their scope on a logged reason."""

import json

import pytest
from django.urls import reverse

from muling.privacy.models import DataField, PersonalDataAccess

from .conftest import ID_NUMBER

EXPORT = reverse("privacy:export")


def export_url(person) -> str:
    return reverse("privacy:export_person", kwargs={"pk": person.pk})


def test_a_resident_downloads_their_person_household_and_cases(client_as, world, resident, report):
    case = report(contact_phone="13800000001")
    services_note = "楼道灯坏了"
    response = client_as(world.users["resident"]).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["name"] == "王秀兰"
    assert data["person"]["id_number"] == ID_NUMBER and data["person"]["phone"] == "13800000001"
    assert data["household"] == {"building": world.area("building").full_name(), "unit": "1", "room": "101"}
    [exported] = data["cases"]
    assert exported["number"] == case.number and services_note in exported["text"]
    assert [e["kind"] for e in exported["timeline"]] == list(
        case.events.order_by("at", "pk").values_list("kind", flat=True)
    )
    assert not PersonalDataAccess.objects.exists()  # one's own data: nothing to log


def test_the_export_holds_only_the_residents_own_cases(client_as, world, resident, report):
    report(user="neighbour", text="邻居反映的噪音问题")
    data = json.loads(client_as(world.users["resident"]).get(EXPORT).content)
    assert data["cases"] == []
    assert "赵敏" not in json.dumps(data, ensure_ascii=False)


def test_an_account_without_a_person_has_nothing_to_export(client_as, world):
    assert client_as(world.users["nobody"]).get(EXPORT).status_code == 404


def test_staff_export_needs_a_reason_and_is_logged(client_as, world, resident, report):
    report()
    client = client_as(world.users["grid_worker"])
    assert client.get(export_url(resident)).status_code == 200
    refused = client.post(export_url(resident), {"reason": ""})
    assert refused.status_code == 200 and not PersonalDataAccess.objects.exists()
    response = client.post(export_url(resident), {"reason": "business"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    # Staff get the record with the ID number and phone masked: the full values have their own reveal.
    assert data["person"]["id_number"] == resident.id_number_masked
    assert data["person"]["phone"] == "138****0001"
    assert ID_NUMBER not in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person, access.field) == (
        world.users["grid_worker"],
        resident,
        DataField.EXPORT,
    )


@pytest.mark.parametrize(
    ("user_key", "status"),
    [("other_grid_worker", 404), ("department_staff", 404), ("neighbour", 404), ("housemate", 403)],
)
def test_staff_export_only_in_scope(client_as, world, resident, user_key, status):
    response = client_as(world.users[user_key]).post(export_url(resident), {"reason": "business"})
    assert response.status_code == status
    assert not PersonalDataAccess.objects.exists()


def test_the_admin_person_export_never_has_the_full_id_number(world, resident):
    from muling.people.models import Person
    from muling.people.resources import PersonResource

    dataset = PersonResource().export(Person.objects.all())
    text = dataset.csv
    assert ID_NUMBER not in text
    assert resident.id_number_masked in text
