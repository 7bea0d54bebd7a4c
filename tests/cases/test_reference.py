"""Intake's in-memory reference data (muling/cases/reference.py): the same answers as the database, and
never older than a change someone committed."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from muling.cases import reference, routing
from muling.cases.enums import Level
from muling.cases.models import Category, RoutingRule
from muling.people import services as people
from muling.people.models import Department, Post
from muling.people.roles import Role
from muling.places.models import Area


def _decision(decision) -> tuple:
    level, owner = decision
    return (
        int(level),
        owner.area.pk,
        owner.person.pk if owner.person else None,
        owner.department.pk if owner.department else None,
    )


@pytest.fixture
def busy_world(world, categories):
    """The test world plus what makes routing interesting: rules on a street and a community, a second water
    company nearer the place, a property company elsewhere, a second professional grid worker who
    started later, and an ended grid-worker post."""
    street_water = Department.objects.create(
        code="XF-WATER2", name="街道供水站", kind="utility", utility="water", area=world.area("street")
    )
    xh_property = Department.objects.create(
        code="XH-PROP", name="杏花物业", kind="property", area=world.area("other_community")
    )
    # Two rules for one category on nested areas: the inner one wins inside it.
    RoutingRule.objects.create(
        category=categories["sanitation"], area=world.area("street"), department=xh_property
    )
    RoutingRule.objects.create(
        category=categories["sanitation"],
        area=world.area("other_community"),
        department=world.departments["property"],
    )
    later = world.users["resident"].person
    Post.objects.create(
        person=later,
        role=Role.PROFESSIONAL_GRID_WORKER,
        area=world.area("grid"),
        department=street_water,
        start_date=timezone.localdate() - timedelta(days=1),
    )
    Post.objects.create(
        person=world.users["neighbour"].person,
        role=Role.GRID_WORKER,
        area=world.area("far_grid"),
        start_date=timezone.localdate() - timedelta(days=30),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    return world


def test_the_snapshot_routes_every_category_at_every_place_as_the_database_does(busy_world):
    reference.forget()
    snapshot = reference.snapshot()
    places = Area.objects.filter(level__gte=3)
    compared = 0
    for category in Category.objects.all():
        for area in places:
            place = routing.locate(area=area)
            assert _decision(routing.route(category, place, snapshot)) == _decision(
                routing.route(category, place)
            ), (
                category.code,
                area.code,
            )
            compared += 1
    assert compared >= 10 * places.count()


def test_the_snapshot_answers_addresses_grids_and_codes_as_the_database_does(busy_world):
    for area in Area.objects.all():
        assert reference.full_name(area) == area.full_name()
        assert reference.grid_of(area) == routing.grid_of(area)
        assert reference.area(area.code) == area
    assert reference.area("999999") is None
    assert reference.category("no-such-category") is None


def test_an_inactive_category_is_not_offered(world, categories):
    assert reference.category("sanitation") is not None
    Category.objects.filter(code="sanitation").update(is_active=False)  # a raw update: no signal
    reference.forget()
    assert reference.category("sanitation") is None


def test_a_new_post_routes_the_next_case_to_its_holder(world, report, django_capture_on_commit_callbacks):
    far = world.households["far"]
    assert report(household=far).level == Level.COMMUNITY  # 杏花村第一网格 has no grid worker yet
    with django_capture_on_commit_callbacks(execute=True):
        people.post_create(
            person=world.users["neighbour"].person, role=Role.GRID_WORKER, area=world.area("far_grid")
        )
    case = report(household=far)
    assert case.owner_person == world.users["neighbour"].person
    assert case.level == Level.GRID


def _not_yet_started(user) -> None:
    """Move the user's grid-worker post to tomorrow with a raw update (no signal), as another process
    would appear to this one."""
    Post.objects.filter(person=user.person, role=Role.GRID_WORKER).update(
        start_date=timezone.localdate() + timedelta(days=1)
    )


def test_a_change_committed_elsewhere_reaches_this_process(world, report):
    assert report().owner_person == world.users["grid_worker"].person
    _not_yet_started(world.users["grid_worker"])
    assert report().owner_person == world.users["grid_worker"].person  # still within the same second
    cache.set(reference.GENERATION_KEY, "changed-by-another-process", None)
    reference._store.shared_read_at -= 1.0  # a second later
    assert report().owner_person is None


def test_a_change_replaces_the_shared_token_on_commit(world, django_capture_on_commit_callbacks):
    before = cache.get(reference.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Category.objects.filter(code="sanitation").first().save()
    assert callbacks, "the token must be replaced again after commit"
    after_save = cache.get(reference.GENERATION_KEY)
    assert after_save != before
    callbacks[0]()
    assert cache.get(reference.GENERATION_KEY) not in (before, after_save)


def test_copies_older_than_the_limit_are_read_again(world, report, settings, monkeypatch):
    assert report().owner_person == world.users["grid_worker"].person
    _not_yet_started(world.users["grid_worker"])
    later = reference.time.monotonic() + settings.REFERENCE_CACHE_SECONDS + 1
    monkeypatch.setattr(reference.time, "monotonic", lambda: later)
    assert report().owner_person is None


def test_a_post_starting_tomorrow_routes_from_tomorrow(world, report, time_machine):
    _not_yet_started(world.users["grid_worker"])
    reference.forget()
    assert report().owner_person is None
    time_machine.move_to(timezone.now() + timedelta(days=1), tick=True)
    assert report().owner_person == world.users["grid_worker"].person
