import pytest

from muling.people import services
from muling.people.models import Post
from muling.people.roles import Role
from muling.people.services import PeopleError


def test_post_over_wrong_level_is_refused(world):
    person = world.users["resident"].person
    with pytest.raises(PeopleError) as exc:
        services.post_create(person=person, role=Role.GRID_WORKER, area=world.area("community"))
    assert exc.value.code == "wrong_area_level"
    assert not Post.objects.filter(person=person).exists()


def test_post_over_missing_area_is_refused(world):
    from muling.places.models import Area

    ghost = Area(pk=999999, code="370832001001009", name="不存在", level=5, path="zzzz", depth=5)
    with pytest.raises(PeopleError) as exc:
        services.post_create(person=world.users["resident"].person, role=Role.GRID_WORKER, area=ghost)
    assert exc.value.code == "area_not_found"


def test_overlapping_duplicate_post_is_refused(world):
    person = world.users["grid_worker"].person
    with pytest.raises(PeopleError) as exc:
        services.post_create(person=person, role=Role.GRID_WORKER, area=world.area("grid"))
    assert exc.value.code == "overlapping_post"
    assert Post.objects.filter(person=person).count() == 1


def test_a_later_non_overlapping_post_is_allowed(world):
    from datetime import timedelta

    from django.utils import timezone

    person = world.users["grid_worker"].person
    post = Post.objects.get(person=person)
    services.post_end(post=post, end_date=timezone.localdate() + timedelta(days=10))
    services.post_create(
        person=person,
        role=Role.GRID_WORKER,
        area=world.area("grid"),
        start_date=timezone.localdate() + timedelta(days=11),
    )
    assert Post.objects.filter(person=person).count() == 2


def test_department_roles_need_a_department(world):
    with pytest.raises(PeopleError) as exc:
        services.post_create(
            person=world.users["resident"].person, role=Role.PROFESSIONAL_GRID_WORKER, area=world.area("grid")
        )
    assert exc.value.code == "department_required"


def _wrong_check_digit() -> str:
    good = services.id_number_with_check("37083219800101001")
    return good[:17] + ("1" if good[17] != "1" else "2")


@pytest.mark.parametrize("id_number", ["37083219800101001", "3708321980010100AB", _wrong_check_digit()])
def test_bad_id_numbers_are_refused(db, id_number):
    with pytest.raises(PeopleError) as exc:
        services.person_create(name="测试", id_number=id_number)
    assert exc.value.code == "invalid_id_number"


def test_id_number_is_stored_encrypted_and_shown_masked(db):
    number = services.id_number_with_check("37083219800101001")
    person = services.person_create(name="测试", id_number=number)
    assert number not in person.id_number_encrypted
    assert person.id_number_full() == number
    assert person.id_number_masked == number[:3] + "*" * 11 + number[-4:]
    with pytest.raises(PeopleError) as exc:
        services.person_create(name="重复", id_number=number)
    assert exc.value.code == "duplicate_id_number"


def test_phone_or_username_login(world, client):
    assert client.login(username="13800000001", password="pw-Muling-123")
    client.logout()
    assert client.login(username="resident", password="pw-Muling-123")
    assert not client.login(username="13800000001", password="wrong")
