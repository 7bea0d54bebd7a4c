"""Resident search and the person page: scoped by posts, ID numbers masked unless the rule allows."""

import pytest
from django.urls import reverse

from muling.people import services
from muling.people.models import Person

SEARCH = reverse("people:search")
ID_NUMBER = services.id_number_with_check("37083219500101002")


@pytest.fixture
def resident_with_id(world):
    person = Person.objects.get(name="王秀兰")
    person.set_id_number(ID_NUMBER)
    person.save(update_fields=["id_number_encrypted", "id_number_hash"])
    return person


def names(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("user_key", "found", "not_found"),
    [
        ("grid_worker", {"王秀兰", "赵敏"}, {"钱伟", "孙丽"}),
        ("other_grid_worker", {"钱伟"}, {"王秀兰", "孙丽"}),
        ("community_secretary", {"王秀兰", "钱伟"}, {"孙丽"}),
        ("street_secretary", {"王秀兰", "钱伟", "孙丽"}, set()),
        ("department_staff", set(), {"王秀兰", "钱伟", "孙丽"}),
        ("property_staff", set(), {"王秀兰", "钱伟"}),
    ],
)
def test_search_is_scoped_by_role(client_as, world, user_key, found, not_found):
    # "1380000" matches every resident's phone: what comes back is exactly what the posts allow.
    html = names(client_as(world.users[user_key]).get(SEARCH, {"q": "1380000"}))
    assert all(name in html for name in found)
    assert not any(name in html for name in not_found)


def test_search_returns_residents_not_staff(client_as, world):
    html = names(client_as(world.users["community_secretary"]).get(SEARCH, {"q": "网格"}))
    assert "郑网格" not in html


def test_search_by_name_shows_masked_phone_and_id(client_as, world, resident_with_id):
    html = names(client_as(world.users["grid_worker"]).get(SEARCH, {"q": "秀兰"}))
    assert "王秀兰" in html
    assert "138****0001" in html and "13800000001" not in html
    assert resident_with_id.id_number_masked in html and ID_NUMBER not in html


def test_search_by_exact_id_number(client_as, world, resident_with_id):
    html = names(client_as(world.users["grid_worker"]).get(SEARCH, {"q": ID_NUMBER.lower()}))
    assert "王秀兰" in html
    html = names(client_as(world.users["other_grid_worker"]).get(SEARCH, {"q": ID_NUMBER}))
    assert "王秀兰" not in html


def test_search_by_tag(client_as, world):
    html = names(client_as(world.users["grid_worker"]).get(SEARCH, {"tag": "elderly"}))
    assert "王秀兰" in html and "赵敏" not in html and "李建国" not in html


def test_htmx_search_returns_the_results_fragment(client_as, world):
    response = client_as(world.users["grid_worker"]).get(SEARCH, {"q": "王"}, HTTP_HX_REQUEST="true")
    html = names(response)
    assert "王秀兰" in html and "<html" not in html


@pytest.mark.parametrize("user_key", ["resident", "nobody"])
def test_search_is_for_staff_only(client_as, world, user_key):
    assert client_as(world.users[user_key]).get(SEARCH, {"q": "王"}).status_code == 403


def test_anonymous_search_redirects_to_login(client, world):
    response = client.get(SEARCH, {"q": "王"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- person page ----------------------------------------------------------------------------------------------


def person_url(person) -> str:
    return reverse("people:person", kwargs={"pk": person.pk})


@pytest.mark.parametrize(
    ("user_key", "status"),
    [
        ("resident", 200),  # themself
        ("housemate", 200),  # same household
        ("neighbour", 404),
        ("grid_worker", 200),
        ("building_head", 200),
        ("other_grid_worker", 404),
        ("department_staff", 404),
        ("community_secretary", 200),
        ("far_resident", 404),
    ],
)
def test_person_page_in_scope_only(client_as, world, resident_with_id, user_key, status):
    assert client_as(world.users[user_key]).get(person_url(resident_with_id)).status_code == status


@pytest.mark.parametrize(
    ("user_key", "full"),
    [
        ("resident", True),  # their own number
        ("grid_worker", False),  # staff reveal it with a logged reason (tests/privacy)
        ("community_secretary", False),
        ("building_head", False),
        ("part_time_grid_worker", False),
        ("housemate", False),
    ],
)
def test_full_id_number_is_shown_directly_to_its_owner_only(
    client_as, world, resident_with_id, user_key, full
):
    html = names(client_as(world.users[user_key]).get(person_url(resident_with_id)))
    assert (ID_NUMBER in html) is full
    assert resident_with_id.id_number_masked in html or full


@pytest.mark.parametrize(
    ("user_key", "status"),
    [
        ("grid_worker", 200),
        ("community_secretary", 200),
        ("building_head", 403),
        ("part_time_grid_worker", 403),
    ],
)
def test_full_id_number_revealed_with_a_reason_only_with_the_permission(
    client_as, world, resident_with_id, user_key, status
):
    response = client_as(world.users[user_key]).post(
        person_url(resident_with_id), {"field": "id_number", "id_number-reason": "visit"}
    )
    assert response.status_code == status
    assert (ID_NUMBER in response.content.decode()) is (status == 200)


def test_person_page_shows_tags_and_household(client_as, world, resident_with_id):
    html = names(client_as(world.users["grid_worker"]).get(person_url(resident_with_id)))
    assert "老年人" in html
    assert reverse("places:household", kwargs={"pk": world.households["home"].pk}) in html
    assert "138****0001" in html


def test_anonymous_person_page_redirects_to_login(client, world, resident_with_id):
    response = client.get(person_url(resident_with_id))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_superuser_search_covers_every_resident(client_as, world):
    html = names(client_as(world.users["admin"]).get(SEARCH, {"q": "1380000"}))
    assert all(name in html for name in ["王秀兰", "赵敏", "钱伟", "孙丽"])


def test_htmx_history_restore_gets_the_whole_page(client_as, world):
    response = client_as(world.users["grid_worker"]).get(
        SEARCH, {"q": "王"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in names(response)
