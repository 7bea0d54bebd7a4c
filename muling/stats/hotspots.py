"""Hot problems (热点难点): clusters of similar recent cases in one place.

A cluster is cases of one category, in one grid, received within the window, whose texts are alike
(rapidfuzz partial-ratio similarity against the cluster's first case); it is a hot problem when it has at
least `min_cases` cases. Its place is the building when every case is in the same building, else the
grid. The trend compares with the same category and place in the window before. The scan is bounded
by the user's scope and two windows of time, so it never reads the whole cases table.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from rapidfuzz import fuzz

from muling.cases.enums import Status
from muling.cases.models import Case, Category
from muling.cases.selectors import case_visible
from muling.places.levels import Level
from muling.places.models import Area

DEFAULT_DAYS = 7
DEFAULT_MIN_CASES = 3
# partial_ratio, not token-based: Chinese has no spaces. Short complaints about the same thing score
# 70–100; unrelated ones that share a word such as "坏了" about 55.
SIMILARITY = 65
MAX_DAYS = 92


@dataclass
class Hotspot:
    category: Category
    place: Area
    cases: list[Case] = field(default_factory=list)
    previous_count: int = 0

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def trend(self) -> int:
        return self.count - self.previous_count

    @property
    def key(self) -> str:
        return f"{self.category.code}:{self.place.code}:{min(c.pk for c in self.cases)}"

    @property
    def sample(self) -> str:
        return self.cases[0].text


def _recent(user, area: Area, start: datetime, end: datetime) -> QuerySet[Case]:
    return (
        case_visible(user=user)
        .filter(area_path__startswith=area.path, created_at__gte=start, created_at__lt=end)
        .exclude(status__in=[Status.REJECTED, Status.MERGED])
        .select_related("category", "area", "grid")
        .order_by("created_at", "id")
    )


def _place_key(case: Case) -> int:
    return case.grid_id or case.area_id


def _clusters(cases: list[Case]) -> list[list[Case]]:
    clusters: list[list[Case]] = []
    for case in cases:
        for cluster in clusters:
            if fuzz.partial_ratio(case.text, cluster[0].text) >= SIMILARITY:
                cluster.append(case)
                break
        else:
            clusters.append([case])
    return clusters


def _place_of(cluster: list[Case]) -> Area:
    buildings = {c.area_id for c in cluster if c.area.level == Level.BUILDING}
    if len(buildings) == 1 and all(c.area.level == Level.BUILDING for c in cluster):
        return cluster[0].area
    return cluster[0].grid or cluster[0].area


def hotspots(
    *,
    user,
    area: Area,
    days: int = DEFAULT_DAYS,
    min_cases: int = DEFAULT_MIN_CASES,
    now: datetime | None = None,
) -> list[Hotspot]:
    """Hot problems under `area` in the last `days`, biggest first."""
    now = now or timezone.now()
    start, previous_start = now - timedelta(days=days), now - timedelta(days=2 * days)
    groups: dict[tuple[int, int], list[Case]] = defaultdict(list)
    for case in _recent(user, area, start, now):
        groups[(case.category_id, _place_key(case))].append(case)
    found = [
        Hotspot(category=cluster[0].category, place=_place_of(cluster), cases=cluster)
        for group in groups.values()
        for cluster in _clusters(group)
        if len(cluster) >= min_cases
    ]
    if found:
        before = defaultdict(int)
        for case in _recent(user, area, previous_start, start):
            before[(case.category_id, case.area_id)] += 1
            if case.grid_id and case.grid_id != case.area_id:
                before[(case.category_id, case.grid_id)] += 1
        for spot in found:
            spot.previous_count = before[(spot.category.pk, spot.place.pk)]
    found.sort(key=lambda s: (-s.count, -s.trend, s.place.code))
    return found
