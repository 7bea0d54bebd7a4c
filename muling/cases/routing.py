"""Place → grid → handler. Nothing is ever unowned: an unroutable case lands in a community queue.

The handler of a grid case is the grid's full-time grid worker when the category is admitted to grids
(事项准入); otherwise the responsible department — by an explicit RoutingRule (most specific area wins),
else the department of the right kind whose service area covers the place — and, if it has one on this
grid, its professional grid worker.
"""

from dataclasses import dataclass

from muling.people.models import Department, Person, Post
from muling.people.roles import Role
from muling.places.geometry import area_containing_point
from muling.places.levels import Level as AreaLevel
from muling.places.models import Area, Household

from .enums import HandlerKind
from .enums import Level as CaseLevel

# The area level that owns a case at each rung of the ladder, and the secretary who answers for it.
LADDER = {
    CaseLevel.GRID: (AreaLevel.GRID, Role.GRID_WORKER),
    CaseLevel.COMMUNITY: (AreaLevel.COMMUNITY, Role.COMMUNITY_SECRETARY),
    CaseLevel.STREET: (AreaLevel.STREET, Role.STREET_SECRETARY),
    CaseLevel.COUNTY: (AreaLevel.DISTRICT, Role.COUNTY_SECRETARY),
}


@dataclass
class Place:
    area: Area  # the most precise known area
    grid: Area | None
    household: Household | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class Owner:
    area: Area
    person: Person | None = None
    department: Department | None = None


def locate(
    *,
    household: Household | None = None,
    area: Area | None = None,
    lat: float | None = None,
    lon: float | None = None,
    find_grid=None,
) -> Place | None:
    """Find the place and its grid from whatever the reporter gave, most precise first. `find_grid`
    replaces grid_of (intake passes reference.grid_of, which remembers)."""
    find_grid = find_grid or grid_of
    if household is not None:
        building = household.building
        return Place(area=building, grid=find_grid(building), household=household, lat=lat, lon=lon)
    if lat is not None and lon is not None:
        grid = grid_at_point(lat=lat, lon=lon, within=area)
        if grid is not None:
            return Place(area=grid, grid=grid, lat=lat, lon=lon)
    if area is not None:
        return Place(area=area, grid=find_grid(area), lat=lat, lon=lon)
    return None


def grid_of(area: Area) -> Area | None:
    if area.level == AreaLevel.GRID:
        return area
    if area.level == AreaLevel.BUILDING:
        return Area.objects.get_parent(area)
    return None


def grid_at_point(*, lat: float, lon: float, within: Area | None = None, margin: float = 0.05) -> Area | None:
    """Point-in-polygon over the grids near the point (a centroid box narrows the candidates)."""
    grids = Area.objects.filter(
        level=AreaLevel.GRID,
        polygon__isnull=False,
        centroid_lat__range=(lat - margin, lat + margin),
        centroid_lon__range=(lon - margin, lon + margin),
    )
    if within is not None:
        grids = grids.filter(path__startswith=within.path)
    return area_containing_point(
        grids.only("id", "path", "polygon", "name", "code", "level", "depth"), lat=lat, lon=lon
    )


class Directory:
    """Where routing reads the tree, the posts and the departments: the database, one query per
    question. Intake passes reference.Snapshot, which answers the same three questions from memory
    (tests/cases/test_reference.py holds the two to the same answers)."""

    def ancestor_at(self, area: Area, level: int) -> Area | None:
        if area.level == level:
            return area
        if area.level < level:
            return None
        return Area.objects.get_ancestors(area).filter(level=level).first()

    def post_holder(self, area: Area, role: str, department: Department | None = None) -> Person | None:
        """The person in the earliest-started active post of `role` on `area` (of `department`)."""
        posts = Post.objects.active().filter(area=area, role=role)
        if department is not None:
            posts = posts.filter(department=department)
        post = posts.select_related("person").order_by("start_date", "id").first()
        return post.person if post else None

    def department_for(self, category, area: Area) -> Department | None:
        """The category's routing rule on the nearest of the area's ancestors; else, unless grids handle
        the category, the nearest department of the category's kind (and utility) covering the area."""
        paths = ancestor_paths(area)
        rule = (
            category.routing_rules.filter(area__path__in=paths)
            .select_related("department")
            .order_by("-area__depth")
            .first()
        )
        if rule:
            return rule.department
        if category.handler_kind == HandlerKind.GRID:
            return None
        kind = category.handler_kind
        departments = Department.objects.filter(kind=kind, area__path__in=paths)
        if kind == HandlerKind.UTILITY and category.utility:
            departments = departments.filter(utility=category.utility)
        return departments.order_by("-area__depth", "id").first()


DATABASE = Directory()


def ancestor_paths(area: Area) -> list[str]:
    """The paths of the area and all its ancestors, outermost first."""
    return [area.path[: i * Area.steplen] for i in range(1, area.depth + 1)]


def owner_at_level(place: Place, level: int, directory: Directory = DATABASE) -> Owner | None:
    """The secretary's queue at `level` above the place (community, street, county)."""
    area_level, role = LADDER[CaseLevel(level)]
    area = directory.ancestor_at(place.area, area_level)
    if area is None:
        return None
    return Owner(area=area, person=directory.post_holder(area, role))


def route(category, place: Place, directory: Directory = DATABASE) -> tuple[int, Owner]:
    """(case level, owner) for a new case."""
    grid = place.grid
    if grid is not None:
        department = directory.department_for(category, grid)
        if department is not None:
            person = directory.post_holder(grid, Role.PROFESSIONAL_GRID_WORKER, department)
            return CaseLevel.GRID, Owner(area=grid, person=person, department=department)
        if category.grid_admitted and category.handler_kind == HandlerKind.GRID:
            person = directory.post_holder(grid, Role.GRID_WORKER)
            if person is not None:
                return CaseLevel.GRID, Owner(area=grid, person=person)
    return CaseLevel.COMMUNITY, community_queue(place, directory)


def community_queue(place: Place, directory: Directory = DATABASE) -> Owner:
    """首接负责: the community's queue owns what nobody below can take; failing that, the nearest area."""
    community = directory.ancestor_at(place.area, AreaLevel.COMMUNITY)
    return Owner(area=community or place.area)
