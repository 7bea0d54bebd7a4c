"""Area slices are kept STATS_CACHE_SECONDS in the shared cache (Redis); department and person slices
never are, because they depend on who asks."""

from datetime import date

import pytest
from django.core.cache import cache

from muling.stats import selectors
from muling.stats.services import StatsQuery

pytestmark = pytest.mark.django_db

NOVEMBER = dict(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))


@pytest.fixture
def caching(settings):
    settings.STATS_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_an_area_slice_is_served_from_the_cache_until_it_expires(world, report, when, caching):
    q = StatsQuery(area=world.area("street"), **NOVEMBER)
    with when(2026, 11, 3, 9):
        report(text="楼道灯坏了")
    assert selectors.totals(q)["received"] == 1
    with when(2026, 11, 3, 10):
        report(text="垃圾没人清运")
    assert selectors.totals(q)["received"] == 1  # the cached copy, up to a minute old
    cache.clear()
    assert selectors.totals(q)["received"] == 2


def test_nothing_is_cached_when_switched_off(world, report, when, settings):
    settings.STATS_CACHE_SECONDS = 0
    q = StatsQuery(area=world.area("street"), **NOVEMBER)
    with when(2026, 11, 3, 9):
        report(text="楼道灯坏了")
    assert selectors.totals(q)["received"] == 1
    with when(2026, 11, 3, 10):
        report(text="垃圾没人清运")
    assert selectors.totals(q)["received"] == 2


def test_a_person_slice_is_never_cached(world, report, when, caching):
    worker = world.users["grid_worker"].person
    q = StatsQuery(area=None, person=worker, **NOVEMBER)
    with when(2026, 11, 3, 9):
        report(text="楼道灯坏了")
    first = selectors.totals(q, world.users["grid_worker"])["received"]
    with when(2026, 11, 3, 10):
        report(text="垃圾没人清运")
    assert selectors.totals(q, world.users["grid_worker"])["received"] == first + 1


def test_the_dashboard_says_how_fresh_its_numbers_are(world, client, caching):
    client.force_login(world.users["street_secretary"])
    page = client.get("/stats/", {"area": world.area("street").code})
    assert page.status_code == 200
    assert "统计数据每 1 分钟更新" in page.content.decode()
    assert client.get("/stats/", {"area": world.area("street").code}).status_code == 200  # from the cache
