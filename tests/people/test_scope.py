"""Scoping for every role, allowed and refused."""

import pytest

from muling.people import scope

AREA_CASES = [
    # (user, area it must cover, area it must not cover)
    ("building_head", "building", "other_building"),
    ("part_time_grid_worker", "building", "other_building"),
    ("grid_worker", "grid", "other_grid"),
    ("grid_chief", "building", "far_grid"),
    ("community_secretary", "other_grid", "other_community"),
    ("street_secretary", "far_building", "other_street"),
    ("county_secretary", "other_street", "other_county"),
    ("department_staff", "far_grid", "other_county"),
    ("professional_grid_worker", "other_grid", "far_grid"),
    ("property_staff", "other_building", "far_building"),
]


@pytest.mark.parametrize(("user_key", "inside", "outside"), AREA_CASES)
def test_each_role_covers_its_subtree_and_nothing_else(world, user_key, inside, outside):
    user = world.users[user_key]
    assert scope.covers(user, world.area(inside))
    assert not scope.covers(user, world.area(outside))
    visible = set(scope.visible_areas(user).values_list("pk", flat=True))
    assert world.area(inside).pk in visible
    assert world.area(outside).pk not in visible


@pytest.mark.parametrize("user_key", ["resident", "nobody"])
def test_residents_cover_no_area(world, user_key):
    assert scope.area_paths(world.users[user_key]) == ()
    assert not scope.visible_areas(world.users[user_key]).exists()


def test_superuser_covers_everything(world):
    assert scope.visible_areas(world.users["admin"]).count() == len(world.areas)


@pytest.mark.parametrize(
    ("user_key", "sees", "does_not_see"),
    [
        ("resident", {"王秀兰", "李建国"}, {"赵敏", "钱伟"}),
        ("grid_worker", {"王秀兰", "赵敏"}, {"钱伟", "孙丽"}),
        ("community_secretary", {"王秀兰", "钱伟"}, {"孙丽"}),
        ("street_secretary", {"孙丽"}, set()),
        # Departments and property staff see the staff directory of their area, not residents' records.
        ("department_staff", {"郑网格"}, {"王秀兰"}),
        ("property_staff", {"郑网格"}, {"王秀兰"}),
        ("nobody", set(), {"王秀兰", "郑网格"}),
    ],
)
def test_visible_persons_follow_posts(world, user_key, sees, does_not_see):
    names = set(scope.visible_persons(world.users[user_key]).values_list("name", flat=True))
    assert sees <= names
    assert not (does_not_see & names)


def test_an_ended_post_gives_no_scope(world):
    from datetime import timedelta

    from django.utils import timezone

    from muling.people.models import Post

    user = world.users["grid_worker"]
    Post.objects.filter(person=user.person).update(
        start_date=timezone.localdate() - timedelta(days=30),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    user = type(user).objects.get(pk=user.pk)
    assert not scope.covers(user, world.area("grid"))


def test_nested_posts_collapse_to_the_outer_path(world):
    from muling.people import services
    from muling.people.roles import Role

    user = world.users["community_secretary"]
    services.post_create(person=user.person, role=Role.GRID_CHIEF, area=world.area("grid"))
    user = type(user).objects.get(pk=user.pk)
    assert scope.area_paths(user) == (world.area("community").path,)


def test_superuser_sees_every_household_and_person(world):
    from muling.people.models import Person
    from muling.places.models import Household

    admin = world.users["admin"]
    assert scope.visible_households(admin).count() == Household.objects.count()
    assert scope.visible_persons(admin).count() == Person.objects.count()
