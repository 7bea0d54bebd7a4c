"""SubtreeRollup: the daily rows summed per community, street, district and city, kept in the same
transaction as the daily rows and read by every page about an area at community level or above."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum

from muling.cases import services
from muling.stats import rollups, selectors
from muling.stats.facts import ALL_COUNTERS
from muling.stats.models import DailyRollup, SubtreeRollup
from muling.stats.services import StatsQuery

pytestmark = pytest.mark.django_db

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def q_for(area, category=None) -> StatsQuery:
    return StatsQuery(area=area, date_from=NOVEMBER[0], date_to=NOVEMBER[1], category=category)


def test_every_event_updates_the_subtree_rows_of_all_four_levels(world, month):
    assert SubtreeRollup.objects.exists()
    assert rollups.subtree_mismatches() == 0
    depths = set(SubtreeRollup.objects.values_list("depth", flat=True))
    assert depths == {1, 2, 3, 4}
    # The community's row and the city's row both hold every November case of this data set.
    for key in ("city", "county", "street", "community"):
        area = world.area(key)
        daily = DailyRollup.objects.filter(area_path__startswith=area.path).aggregate(n=Sum("received"))
        assert selectors.totals(q_for(area))["received"] == daily["n"] > 0


def test_area_pages_read_the_same_numbers_as_the_timeline(world, month):
    for key in ("city", "county", "street", "community", "grid", "building"):
        q = q_for(world.area(key))
        assert selectors.totals(q) == selectors.totals_direct(q), key


def test_children_of_a_street_come_from_subtree_rows_and_add_up(world, month):
    street = world.area("street")
    q = q_for(street)
    rows = dict((a.code, c) for a, c in selectors.children(q))
    whole = selectors.totals(q)
    assert sum(c["received"] for c in rows.values()) == whole["received"]
    community = world.area("community")
    assert rows[community.code] == selectors.totals(q_for(community))


def test_cases_at_the_area_itself_form_their_own_row(world, categories, when):
    community = world.area("community")
    with when(2026, 11, 3, 9):
        services.case_submit(
            category=categories["sanitation"], text="社区广场路灯坏了", channel="web",
            reporter=world.users["resident"], area=community,
        )  # fmt: skip
    rows = selectors.children(q_for(world.area("street")))
    # The case lies in the community, not in any of its grids: the street's children row for the
    # community holds it, and the community's own children list shows it as the community's own row.
    assert dict((a.code, c["received"]) for a, c in rows)[community.code] == 1
    own = [c for a, c in selectors.children(q_for(community)) if a.pk == community.pk]
    assert own and own[0]["received"] == 1


def test_check_finds_a_wrong_subtree_row_and_rebuild_puts_it_right(world, month):
    call_command("rebuild_rollups", "--check", verbosity=0)
    SubtreeRollup.objects.filter(depth=3).update(received=F("received") + 1)
    with pytest.raises(CommandError, match="area rollup rows differ"):
        call_command("rebuild_rollups", "--check", verbosity=0)
    call_command("rebuild_rollups", verbosity=0)
    call_command("rebuild_rollups", "--check", verbosity=0)
    assert rollups.subtree_mismatches() == 0


def test_partial_rebuild_leaves_other_days_alone(world, month):
    before = {
        (r.day, r.area_path, r.category_id, r.channel): [getattr(r, c) for c in ALL_COUNTERS]
        for r in SubtreeRollup.objects.all()
    }
    rollups.rebuild(since=date(2026, 11, 3), until=date(2026, 11, 30))
    after = {
        (r.day, r.area_path, r.category_id, r.channel): [getattr(r, c) for c in ALL_COUNTERS]
        for r in SubtreeRollup.objects.all()
    }
    assert after == before


def test_subtree_paths_are_outermost_first():
    assert rollups.subtree_paths("0001000200030004000500060") == [
        (1, "0001"),
        (2, "00010002"),
        (3, "000100020003"),
        (4, "0001000200030004"),
    ]
    assert rollups.subtree_paths("00010002") == [(1, "0001"), (2, "00010002")]
