"""Each role's home page shows its own section and nothing of anyone else's."""

import pytest
from django.urls import reverse


def home_html(client_as, world, user_key) -> str:
    response = client_as(world.users[user_key]).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_see_the_landing_page_with_a_login_link(client, world):
    html = client.get(reverse("home")).content.decode()
    assert 'href="/login/"' in html
    assert "网格" in html
    assert "王秀兰" not in html


def test_resident_sees_own_household_and_grid_contacts(client_as, world):
    html = home_html(client_as, world, "resident")
    assert 'id="section-household"' in html
    assert "王秀兰" in html and "李建国" in html  # the household's members …
    assert "138****0002" in html  # … with masked phones
    assert "13800000002" not in html
    # The grid's contacts, with full phones: that is what they are for.
    for name, phone in [("郑网格", "13900000003"), ("周楼长", "13900000001"), ("陈网格长", "13900000005")]:
        assert name in html
        assert f'href="tel:{phone}"' in html


def test_resident_does_not_see_neighbours_or_staff_sections(client_as, world):
    html = home_html(client_as, world, "resident")
    assert "赵敏" not in html  # the neighbour across the landing
    assert "钱伟" not in html
    assert "冯网格" not in html  # the other grid's worker is not this household's contact
    assert 'id="section-grid-' not in html
    assert 'id="section-area-' not in html


def test_grid_worker_sees_own_grid_households_not_other_grids(client_as, world):
    html = home_html(client_as, world, "grid_worker")
    assert f'id="section-grid-{world.areas["grid"].code}"' in html
    assert "1号楼" in html
    assert "王秀兰" in html  # elderly: listed among residents to look after
    assert "5号楼" not in html
    assert "钱伟" not in html
    assert 'id="section-household"' not in html


def test_building_head_sees_own_building_only(client_as, world):
    html = home_html(client_as, world, "building_head")
    assert f'id="section-grid-{world.areas["building"].code}"' in html
    assert "1号楼" in html
    assert "5号楼" not in html


def test_community_secretary_sees_both_grids_and_staff(client_as, world):
    html = home_html(client_as, world, "community_secretary")
    assert f'id="section-area-{world.areas["community"].code}"' in html
    assert "幸福街第一网格" in html and "幸福街第二网格" in html
    assert "郑网格" in html and "冯网格" in html  # staff of the subtree
    assert "杏花村第一网格" not in html
    assert "孙丽" not in html


def test_grid_chief_sees_subtree_of_the_grid(client_as, world):
    html = home_html(client_as, world, "grid_chief")
    assert f'id="section-area-{world.areas["grid"].code}"' in html
    assert "1号楼" in html
    assert "幸福街第二网格" not in html


@pytest.mark.parametrize("user_key", ["department_staff", "professional_grid_worker", "property_staff"])
def test_department_staff_see_their_unit_and_no_resident_names(client_as, world, user_key):
    html = home_html(client_as, world, user_key)
    assert 'id="section-department"' in html
    for resident in ["王秀兰", "李建国", "赵敏", "钱伟", "孙丽"]:
        assert resident not in html


def test_professional_grid_worker_sees_each_grid_covered(client_as, world):
    html = home_html(client_as, world, "professional_grid_worker")
    assert "梁山县供水公司" in html
    assert "幸福街第一网格" in html and "幸福街第二网格" in html
    assert "杏花村第一网格" not in html


def test_a_user_with_two_kinds_of_posts_sees_both_sections(client_as, world):
    from muling.people import services
    from muling.people.roles import Role

    # The resident is also the building head of the building next door.
    resident = world.users["resident"]
    services.post_create(person=resident.person, role=Role.BUILDING_HEAD, area=world.area("other_building"))
    html = home_html(client_as, world, "resident")
    assert 'id="section-household"' in html
    assert f'id="section-grid-{world.areas["other_building"].code}"' in html
    assert "5号楼" in html  # the building they now look after


def test_account_without_person_or_posts_gets_an_explanation(client_as, world):
    html = home_html(client_as, world, "nobody")
    assert "尚未关联" in html


def test_navigation_follows_permissions(client_as, world):
    staff_html = home_html(client_as, world, "grid_worker")
    assert 'href="/places/"' in staff_html and 'href="/people/search/"' in staff_html
    resident_html = home_html(client_as, world, "resident")
    assert 'href="/places/"' not in resident_html and 'href="/people/search/"' not in resident_html


def test_logout_is_a_post_form(client_as, world):
    html = home_html(client_as, world, "resident")
    assert 'method="post" action="/logout/"' in html
