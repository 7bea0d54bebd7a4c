"""Full ID numbers and phones are revealed one at a time, with a reason, and every reveal is logged;
the resident can read the log."""

import pytest
from django.urls import reverse

from muling.privacy.models import DataField, PersonalDataAccess

from .conftest import ID_NUMBER

MINE = reverse("privacy:mine")


def person_url(person) -> str:
    return reverse("people:person", kwargs={"pk": person.pk})


def reveal(client, person, field, reason="visit", note=""):
    return client.post(person_url(person), {"field": field, f"{field}-reason": reason, f"{field}-note": note})


def test_staff_page_shows_masked_values_and_the_reveal_buttons(client_as, world, resident):
    html = client_as(world.users["grid_worker"]).get(person_url(resident)).content.decode()
    assert ID_NUMBER not in html and "13800000001" not in html
    assert resident.id_number_masked in html and "138****0001" in html
    assert "查看完整身份证号" in html and "查看完整手机号" in html
    assert not PersonalDataAccess.objects.exists()  # looking at the page is not a reveal


def test_revealing_the_id_number_logs_who_whose_why_and_shows_it(client_as, world, resident):
    response = reveal(client_as(world.users["grid_worker"]), resident, "id_number", "visit")
    assert response.status_code == 200
    assert f'<span id="id-number">{ID_NUMBER}</span>' in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person, access.field, access.reason) == (
        world.users["grid_worker"],
        resident,
        DataField.ID_NUMBER,
        "visit",
    )
    assert access.viewer_name == "郑网格" and access.path == person_url(resident)


def test_revealing_the_phone_is_logged_too(client_as, world, resident):
    response = reveal(client_as(world.users["building_head"]), resident, "phone", "business")
    assert 'href="tel:13800000001"' in response.content.decode()
    assert PersonalDataAccess.objects.get().field == DataField.PHONE


@pytest.mark.parametrize(("reason", "note"), [("", ""), ("other", ""), ("nonsense", "")])
def test_no_reveal_without_a_reason(client_as, world, resident, reason, note):
    response = reveal(client_as(world.users["grid_worker"]), resident, "id_number", reason, note)
    assert response.status_code == 200
    assert ID_NUMBER not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_other_with_a_note_is_a_reason(client_as, world, resident):
    reveal(client_as(world.users["grid_worker"]), resident, "id_number", "other", "核对低保申请")
    assert PersonalDataAccess.objects.get().reason_text == "其他：核对低保申请"


@pytest.mark.parametrize(
    ("user_key", "field", "status"),
    [
        ("building_head", "id_number", 403),  # sees the resident, not the full ID number
        ("housemate", "id_number", 403),
        ("housemate", "phone", 403),
        ("other_grid_worker", "id_number", 404),  # outside the scope: the person does not exist
        ("department_staff", "phone", 404),
        ("grid_worker", "birth_date", 403),
    ],
)
def test_reveal_refused_without_the_permission(client_as, world, resident, user_key, field, status):
    response = reveal(client_as(world.users[user_key]), resident, field)
    assert response.status_code == status
    assert ID_NUMBER not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_person_sees_their_own_values_without_a_log(client_as, world, resident):
    html = client_as(world.users["resident"]).get(person_url(resident)).content.decode()
    assert ID_NUMBER in html and "13800000001" in html
    assert not PersonalDataAccess.objects.exists()


def test_the_resident_sees_who_viewed_their_data(client_as, world, resident):
    reveal(client_as(world.users["grid_worker"]), resident, "id_number", "visit")
    reveal(client_as(world.users["community_secretary"]), resident, "phone", "other", "通知开会")
    html = client_as(world.users["resident"]).get(MINE).content.decode()
    assert "郑网格" in html and "褚书记" in html
    assert "走访核实" in html and "其他：通知开会" in html
    assert "身份证号" in html and "手机号" in html


def test_the_log_is_private_to_the_person(client_as, world, resident):
    reveal(client_as(world.users["grid_worker"]), resident, "id_number", "visit")
    for key in ("housemate", "neighbour", "grid_worker"):
        assert 'id="accesses"' not in client_as(world.users[key]).get(MINE).content.decode()


def test_the_log_page_needs_a_login(client, world):
    response = client.get(MINE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_log_is_read_only_in_the_admin(client_as, world, resident):
    reveal(client_as(world.users["grid_worker"]), resident, "id_number", "visit")
    access = PersonalDataAccess.objects.get()
    admin = client_as(world.users["admin"])
    assert admin.get(reverse("admin:privacy_personaldataaccess_changelist")).status_code == 200
    assert (
        admin.post(
            reverse("admin:privacy_personaldataaccess_delete", args=[access.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert PersonalDataAccess.objects.filter(pk=access.pk).exists()
