"""Reads of the area tree, households and grid contacts.

Everything a user browses goes through `muling.people.scope`; the only unscoped reads are the grid
contacts of a building, which are public by design: they are printed on the service card in the
stairwell (M20) and shown to anyone who scans its QR code.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr

from muling.people import scope
from muling.people.models import Person, Post
from muling.people.roles import Role

from .levels import Level
from .models import Area, Household

# The posts printed on a service card and shown to residents, in the order residents need them.
CONTACT_ROLES = (Role.GRID_WORKER, Role.BUILDING_HEAD, Role.GRID_CHIEF)

TAG_FILTER = (
    Q(is_elderly=True)
    | Q(lives_alone=True)
    | Q(is_disabled=True)
    | Q(is_infant=True)
    | Q(is_party_member=True)
    | Q(reports_to_community__isnull=False)
    | ~Q(new_employment="")
)


# ---- single areas ------------------------------------------------------------------------------------


def visible_area(user, code: str) -> Area | None:
    """The area with this code if the user's posts cover it, else None (the caller answers 404)."""
    return scope.visible_areas(user).filter(code=code).first()


def building_by_code(code: str) -> Area | None:
    """A building by its code, for the public QR entry page."""
    return Area.objects.filter(code=code, level=Level.BUILDING).first()


def scope_roots(user) -> list[Area]:
    """The outermost areas of the user's scope: where their area tree starts."""
    paths = scope.area_paths(user)
    if paths == scope.ALL:
        return list(Area.objects.get_root_nodes())
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def breadcrumb(user, area: Area) -> list[tuple[Area, bool]]:
    """Ancestors of `area` from the district down, each with whether the user may open it."""
    ancestors = [a for a in Area.objects.get_ancestors(area) if a.level >= Level.DISTRICT]
    return [(a, scope.covers(user, a)) for a in ancestors]


def grid_of(area: Area) -> Area | None:
    """The grid an area belongs to (itself if it is one); None above grid level."""
    if area.level == Level.GRID:
        return area
    if area.level < Level.GRID:
        return None
    return Area.objects.get_ancestors(area).filter(level=Level.GRID).first()


def community_of(area: Area) -> Area | None:
    if area.level == Level.COMMUNITY:
        return area
    if area.level < Level.COMMUNITY:
        return None
    return Area.objects.get_ancestors(area).filter(level=Level.COMMUNITY).first()


# ---- children and counts -------------------------------------------------------------------------------


@dataclass
class AreaCounts:
    area: Area
    households: int = 0
    residents: int = 0
    staff: int = 0
    children: int = 0
    # False for departments and other staff who see the organisation but not residents' records:
    # their household and resident counts are not shown (they would always read 0).
    shows_residents: bool = False


def _counts_by_prefix(qs, path_field: str, prefix_len: int, *, distinct: str | None = None) -> dict[str, int]:
    """Count rows of `qs` grouped by the first `prefix_len` characters of `path_field`: one query for
    all the children of an area, since children's paths all have the same length."""
    agg = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = qs.annotate(prefix=Substr(path_field, 1, prefix_len)).values("prefix").annotate(n=agg)
    return {r["prefix"]: r["n"] for r in rows}


def area_children_with_counts(user, area: Area) -> list[AreaCounts]:
    """Children of `area` the user covers, with households, residents and active staff under each.

    Household and resident counts are given only to staff who care for residents there; departments
    see the organisation, not residents' records (scope.RESIDENT_CARE_ROLES)."""
    children = list(scope.visible_areas(user).filter(path__startswith=area.path, depth=area.depth + 1))
    if not children:
        return []
    n = len(children[0].path)
    households = _counts_by_prefix(
        scope.visible_households(user).filter(building__path__startswith=area.path), "building__path", n
    )
    residents = _counts_by_prefix(
        Person.objects.filter(
            household__in=scope.visible_households(user).filter(building__path__startswith=area.path)
        ),
        "household__building__path",
        n,
    )
    staff = _counts_by_prefix(
        Post.objects.active().filter(area__path__startswith=area.path, area__depth__gt=area.depth),
        "area__path",
        n,
        distinct="person_id",
    )
    return [
        AreaCounts(
            area=c,
            households=households.get(c.path, 0),
            residents=residents.get(c.path, 0),
            staff=staff.get(c.path, 0),
            children=c.numchild,
            shows_residents=scope.can_see_residents_of(user, c),
        )
        for c in children
    ]


def area_totals(user, area: Area) -> AreaCounts:
    households = scope.visible_households(user).filter(building__path__startswith=area.path)
    return AreaCounts(
        area=area,
        households=households.count(),
        residents=Person.objects.filter(household__in=households).count(),
        staff=Post.objects.active()
        .filter(area__path__startswith=area.path)
        .values("person_id")
        .distinct()
        .count(),
        children=area.numchild,
        shows_residents=scope.can_see_residents_of(user, area),
    )


def area_staff_posts(user, area: Area, *, max_depth_below: int = 1) -> list[Post]:
    """Active posts on `area` and down to `max_depth_below` levels under it, that the user may see.

    A county has thousands of building heads; the area page lists the people responsible for this
    area and its children, and each child's page lists its own."""
    return list(
        scope.visible_posts(user)
        .active()
        .filter(area__path__startswith=area.path, area__depth__lte=area.depth + max_depth_below)
        .select_related("person", "area", "department")
        .order_by("area__path", "role", "person__name")
    )


# ---- buildings and households ----------------------------------------------------------------------------


@dataclass
class BuildingRow:
    building: Area
    households: int
    residents: int


def buildings_with_counts(user, area: Area) -> list[BuildingRow]:
    """Buildings under `area` that the user covers, with the households and residents they may see."""
    buildings = list(
        scope.visible_areas(user).filter(path__startswith=area.path, level=Level.BUILDING).order_by("path")
    )
    if not buildings:
        return []
    households = dict(
        scope.visible_households(user)
        .filter(building__in=buildings)
        .values_list("building_id")
        .annotate(n=Count("pk"))
    )
    residents = dict(
        Person.objects.filter(household__in=scope.visible_households(user).filter(building__in=buildings))
        .values_list("household__building_id")
        .annotate(n=Count("pk"))
    )
    return [BuildingRow(b, households.get(b.pk, 0), residents.get(b.pk, 0)) for b in buildings]


def building_households(user, building: Area) -> list[Household]:
    """Households of a building the user may see, each with `n_members`."""
    return list(
        scope.visible_households(user)
        .filter(building=building)
        .annotate(n_members=Count("members"))
        .order_by("unit", "room")
    )


def visible_household(user, pk: int) -> Household | None:
    return scope.visible_households(user).filter(pk=pk).select_related("building").first()


def household_members(household: Household) -> list[Person]:
    return list(household.members.order_by("pk"))


def tagged_residents(user, area: Area, *, limit: int = 100) -> list[Person]:
    """Residents under `area` with a care tag (elderly, living alone, disabled …) that the user may see."""
    return list(
        Person.objects.filter(
            household__in=scope.visible_households(user).filter(building__path__startswith=area.path)
        )
        .filter(TAG_FILTER)
        .select_related("household__building", "reports_to_community")
        .order_by("household__building__path", "household__unit", "household__room", "name")[:limit]
    )


# ---- map ---------------------------------------------------------------------------------------------------


def grids_geojson(user, area: Area) -> dict:
    """A GeoJSON FeatureCollection of the grids under (or equal to) `area` that the user covers."""
    grids = (
        scope.visible_areas(user)
        .filter(path__startswith=area.path, level=Level.GRID, polygon__isnull=False)
        .order_by("path")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": g.code,
                "geometry": g.polygon,
                "properties": {"code": g.code, "name": g.name},
            }
            for g in grids
        ],
    }


# ---- contacts (public by design) -----------------------------------------------------------------------------


@dataclass
class Contact:
    role: str
    role_label: str
    name: str
    phone: str


@dataclass
class GridContacts:
    grid: Area | None
    building: Area | None
    contacts: list[Contact] = field(default_factory=list)
    community: Area | None = None
    hotline: str = ""

    def __bool__(self) -> bool:
        return bool(self.contacts or self.hotline)


def grid_contacts(grid: Area | None, building: Area | None = None) -> GridContacts:
    """Grid worker, building head (of `building`) and grid chief, with full phones.

    Not scoped: these are the people a resident is meant to call, printed on the building's card."""
    result = GridContacts(grid=grid, building=building)
    if grid is None:
        return result
    q = Q(area=grid, role__in=[Role.GRID_WORKER, Role.GRID_CHIEF])
    if building is not None:
        q |= Q(area=building, role=Role.BUILDING_HEAD)
    posts = Post.objects.active().filter(q).select_related("person").order_by("person__name")
    order = {role: i for i, role in enumerate(CONTACT_ROLES)}
    for post in sorted(posts, key=lambda p: order[p.role]):
        result.contacts.append(
            Contact(
                role=post.role,
                role_label=str(post.get_role_display()),
                name=post.person.name,
                phone=post.person.phone,
            )
        )
    result.community = community_of(grid)
    # Areas carry no phone number yet; a community hotline appears here once the model has one.
    result.hotline = getattr(result.community, "hotline", "") or ""
    return result


def building_contacts(building: Area) -> GridContacts:
    return grid_contacts(grid_of(building), building)


def grid_buildings(grid: Area) -> list[Area]:
    """All buildings of a grid, for printing every card of it (the caller checked the grid's scope)."""
    return list(Area.objects.filter(path__startswith=grid.path, level=Level.BUILDING).order_by("path"))


def area_named_in(address: str) -> Area | None:
    """The most precise area whose name appears in a free-text address, when the names found form one
    chain (e.g. "梁山街道幸福街社区 1号楼" → that 1号楼). Anything ambiguous gives None rather than a
    guess: a case sent to the wrong grid is worse than one that asks for a better address."""
    from django.db.models import F, Value

    address = (address or "")[:200]
    if not address:
        return None
    found = list(
        Area.objects.filter(level__gte=Level.STREET)
        .annotate(haystack=Value(address))
        .filter(haystack__contains=F("name"))
        .exclude(name="")
        .only("id", "path", "name", "code", "level", "depth")[:50]
    )
    found.sort(key=lambda a: a.depth)
    if not found or not all(found[-1].path.startswith(a.path) for a in found):
        return None
    deepest = [a for a in found if a.depth == found[-1].depth]
    if len(deepest) != 1:
        return None
    return Area.objects.get(pk=found[-1].pk)
