import pytest

from muling.cases import services
from muling.cases.enums import Channel, Level, Status
from muling.cases.errors import CaseError
from muling.cases.models import Case, RoutingRule
from muling.people.models import Department


def test_household_case_goes_to_the_grid_worker(world, report):
    case = report()
    assert case.grid == world.area("grid")
    assert case.owner_person == world.users["grid_worker"].person
    assert case.status == Status.DISPATCHED
    assert case.level == Level.GRID


def test_point_in_polygon_finds_the_grid(world, report, categories):
    case = services.case_submit(
        category=categories["sanitation"],
        text="垃圾桶满了",
        channel=Channel.WEB,
        reporter=world.users["resident"],
        household=None,
        lat=35.805,
        lon=116.095,
    )
    assert case.grid == world.area("other_grid")
    assert case.owner_person == world.users["other_grid_worker"].person


def test_utility_category_goes_to_the_department_and_its_professional_grid_worker(world, report):
    case = report(text="家里停水了", category="water_supply")
    assert case.owner_department == world.departments["water"]
    assert case.owner_person == world.users["professional_grid_worker"].person


def test_routing_rule_overrides_the_default_department(world, report, categories):
    other = Department.objects.create(
        code="XF-WATER",
        name="幸福街供水站",
        kind=Department.Kind.UTILITY,
        utility="water",
        area=world.area("street"),
    )
    RoutingRule.objects.create(
        category=categories["water_supply"], area=world.area("community"), department=other
    )
    case = report(text="水压太低", category="water_supply")
    assert case.owner_department == other
    assert case.owner_person is None  # no professional grid worker of that unit on this grid
    assert case.status == Status.DISPATCHED


def test_unroutable_case_is_owned_by_the_community_queue(world, report):
    # gas: a utility category, and no gas company is registered anywhere
    case = report(text="楼道有燃气味", category="gas")
    assert case.owner_area == world.area("community")
    assert case.owner_person is None and case.owner_department is None
    assert case.level == Level.COMMUNITY
    assert case.status == Status.SUBMITTED
    from muling.cases.selectors import handler_queue

    assert case in handler_queue(user=world.users["community_secretary"])
    assert case not in handler_queue(user=world.users["grid_worker"])


def test_a_grid_without_grid_worker_falls_to_the_community(world, report):
    from muling.people.models import Post

    Post.objects.filter(role="grid_worker", area=world.area("grid")).delete()
    case = report()
    assert case.owner_area == world.area("community")


def test_a_point_outside_every_grid_without_area_is_refused(world, categories):
    with pytest.raises(CaseError) as exc:
        services.case_submit(
            category=categories["other"],
            text="x",
            channel=Channel.WEB,
            reporter=world.users["resident"],
            lat=1.0,
            lon=1.0,
        )
    assert exc.value.code == "location_required"
    assert not Case.objects.exists()
