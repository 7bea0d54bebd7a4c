import pytest

from muling.places import services
from muling.places.levels import Level
from muling.places.models import Area, Household
from muling.places.services import PlaceError


def test_levels_nest_in_order(world):
    with pytest.raises(PlaceError) as exc:
        services.area_create(
            parent=world.area("street"), code="370832001001009", name="跳级网格", level=Level.GRID
        )
    assert exc.value.code == "invalid_level"
    assert not Area.objects.filter(code="370832001001009").exists()


@pytest.mark.parametrize(
    ("parent", "code", "why"),
    [
        ("community", "37083200100100X", "invalid_code"),  # not digits
        ("community", "370832001001", "invalid_code"),  # wrong length
        ("community", "370832001002003", "invalid_code"),  # not under the parent's code
        ("community", "370832001001000", "invalid_code"),  # 000 is no sequence number
        ("community", "370832001001001", "duplicate_code"),  # already exists
    ],
)
def test_codes_are_hierarchical_and_unique(world, parent, code, why):
    before = Area.objects.count()
    with pytest.raises(PlaceError) as exc:
        services.area_create(parent=world.area(parent), code=code, name="新网格")
    assert exc.value.code == why
    assert Area.objects.count() == before


def test_district_code_shares_the_city_prefix(db):
    city = services.area_create(parent=None, code="370800", name="济宁市")
    with pytest.raises(PlaceError):
        services.area_create(parent=city, code="370932", name="错的县")
    assert (
        services.area_create(parent=Area.objects.get(pk=city.pk), code="370832", name="梁山县").level
        == Level.DISTRICT
    )


def test_household_only_in_a_building(world):
    with pytest.raises(PlaceError) as exc:
        services.household_create(building=world.area("grid"), room="101")
    assert exc.value.code == "household_not_in_building"
    assert not Household.objects.filter(building=world.area("grid")).exists()


def test_subtree_is_a_prefix_query(world):
    street = world.area("street")
    under = set(Area.objects.filter(path__startswith=street.path).values_list("name", flat=True))
    assert {"梁山街道", "幸福街社区", "杏花村社区", "1号楼", "9号楼"} <= under
    assert "水泊街道" not in under


def test_grid_polygon_gets_a_centroid_and_locates_points(world):
    from muling.places.geometry import area_containing_point

    grid = world.area("grid")
    assert grid.centroid_lat == pytest.approx(35.805)
    grids = Area.objects.filter(level=Level.GRID)
    assert area_containing_point(grids, lat=35.805, lon=116.095).name == "幸福街第二网格"
    assert area_containing_point(grids, lat=10, lon=10) is None


def test_invalid_polygon_is_refused(world):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(PlaceError) as exc:
        services.area_create(
            parent=world.area("community"), code="370832001001007", name="坏网格", polygon=bowtie
        )
    assert exc.value.code == "invalid_polygon"
