"""Reads about people: the per-role home page, resident search, one person. Always scoped (scope.py)."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from muling.places import selectors as places
from muling.places.levels import Level
from muling.places.models import Area, Household

from . import crypto, scope
from .models import Department, Person, Post
from .roles import SECRETARY_ROLES, VOLUNTEER_ROLES, Role

# Which home-page section a post contributes to. A person with several posts gets each section once
# per area; a post in none of these groups (volunteer posts) is listed under "my posts" only.
GRID_CARE_ROLES = {
    Role.GRID_WORKER,
    Role.PART_TIME_GRID_WORKER,
    Role.BUILDING_HEAD,
    Role.COMMUNITY_CADRE,
}
SUPERVISOR_ROLES = SECRETARY_ROLES | {Role.GRID_CHIEF, Role.PARTY_INSTRUCTOR}
DEPARTMENT_SECTION_ROLES = {
    Role.DEPARTMENT_STAFF,
    Role.PROFESSIONAL_GRID_WORKER,
    Role.PROPERTY_STAFF,
    Role.JUDGE,
    Role.PROSECUTOR,
    Role.POLICE,
    Role.LAWYER,
}

# Search filters residents may be narrowed by: URL value → (label, Q).
RESIDENT_TAGS: dict[str, tuple[object, Q]] = {
    "elderly": (_("老年人"), Q(is_elderly=True)),
    "alone": (_("独居"), Q(lives_alone=True)),
    "disabled": (_("残疾人"), Q(is_disabled=True)),
    "infant": (_("婴幼儿（0–3岁）"), Q(is_infant=True)),
    "party": (_("党员"), Q(is_party_member=True)),
    "dual_report": (_("双报到"), Q(reports_to_community__isnull=False)),
    "new_employment": (_("新就业群体"), ~Q(new_employment="")),
}


# ---- home page -----------------------------------------------------------------------------------------


@dataclass
class HouseholdSection:
    household: Household
    members: list[Person]
    contacts: places.GridContacts


@dataclass
class GridSection:
    area: Area
    roles: list[str]
    totals: places.AreaCounts
    buildings: list[places.BuildingRow]
    tagged: list[Person]


@dataclass
class SubtreeSection:
    area: Area
    roles: list[str]
    totals: places.AreaCounts
    children: list[places.AreaCounts]
    staff: list[Post]


@dataclass
class DepartmentSection:
    department: Department | None
    roles: list[str]
    areas: list[Area]
    grid_count: int


@dataclass
class HomeSections:
    posts: list[Post] = field(default_factory=list)
    household: HouseholdSection | None = None
    grids: list[GridSection] = field(default_factory=list)
    subtrees: list[SubtreeSection] = field(default_factory=list)
    departments: list[DepartmentSection] = field(default_factory=list)
    everything: list[Area] = field(default_factory=list)  # superusers without posts

    @property
    def is_empty(self) -> bool:
        return not (self.posts or self.household or self.everything)


def _group_posts_by_area(posts, roles) -> dict[int, tuple[Area, list[str]]]:
    grouped: dict[int, tuple[Area, list[str]]] = {}
    for post in posts:
        if post.role in roles:
            area, labels = grouped.setdefault(post.area_id, (post.area, []))
            label = str(post.get_role_display())
            if label not in labels:
                labels.append(label)
    return grouped


def _without_nested(grouped: dict[int, tuple[Area, list[str]]]) -> list[tuple[Area, list[str]]]:
    """Drop areas inside another area of the same section: the outer one already shows them."""
    items = sorted(grouped.values(), key=lambda item: item[0].path)
    kept: list[tuple[Area, list[str]]] = []
    for area, labels in items:
        if any(area.path.startswith(k.path) for k, _ in kept):
            continue
        kept.append((area, labels))
    return kept


def household_section(user) -> HouseholdSection | None:
    household_id = scope.own_household_id(user)
    if not household_id:
        return None
    household = Household.objects.select_related("building").get(pk=household_id)
    return HouseholdSection(
        household=household,
        members=places.household_members(household),
        contacts=places.building_contacts(household.building),
    )


def home_sections(user) -> HomeSections:
    """What the home page shows this user: one section per kind of post they hold (see the role groups
    above), plus their own household if they live in one."""
    sections = HomeSections()
    if not getattr(user, "is_authenticated", False):
        return sections
    posts = sorted(scope.active_posts(user), key=lambda p: (p.area.path, p.role))
    sections.posts = posts
    sections.household = household_section(user)

    for area, roles in _without_nested(_group_posts_by_area(posts, SUPERVISOR_ROLES)):
        sections.subtrees.append(
            SubtreeSection(
                area=area,
                roles=roles,
                totals=places.area_totals(user, area),
                children=places.area_children_with_counts(user, area),
                staff=places.area_staff_posts(user, area),
            )
        )
    supervised = [s.area.path for s in sections.subtrees]
    for area, roles in _without_nested(_group_posts_by_area(posts, GRID_CARE_ROLES)):
        if any(area.path.startswith(p) for p in supervised):
            continue  # a grid chief who is also the grid worker gets one view of the grid
        sections.grids.append(
            GridSection(
                area=area,
                roles=roles,
                totals=places.area_totals(user, area),
                buildings=places.buildings_with_counts(user, area),
                tagged=places.tagged_residents(user, area),
            )
        )

    by_department: dict[int | None, DepartmentSection] = {}
    for post in posts:
        if post.role not in DEPARTMENT_SECTION_ROLES:
            continue
        section = by_department.setdefault(
            post.department_id,
            DepartmentSection(department=post.department, roles=[], areas=[], grid_count=0),
        )
        label = str(post.get_role_display())
        if label not in section.roles:
            section.roles.append(label)
        if post.area not in section.areas:
            section.areas.append(post.area)
    for section in by_department.values():
        paths = tuple(a.path for a in section.areas)
        section.grid_count = Area.objects.filter(scope.under_paths_q(paths, "path"), level=Level.GRID).count()
        section.areas.sort(key=lambda a: a.path)
    sections.departments = list(by_department.values())

    if user.is_superuser and not posts:
        sections.everything = places.scope_roots(user)
    return sections


def is_volunteer_post(post: Post) -> bool:
    return post.role in VOLUNTEER_ROLES


# ---- resident search -------------------------------------------------------------------------------------


def _looks_like_id_number(q: str) -> bool:
    return len(q) == 18 and q.isascii() and q[:17].isdigit() and (q[17].isdigit() or q[17] in "xX")


def residents_search(
    user, q: str = "", tags: list[str] | None = None, *, limit: int = 200
) -> QuerySet[Person]:
    """Residents (people living in a household) the user may see, matching name or phone, or exactly
    an ID-card number (compared by keyed hash: the number itself is never queried), and all `tags`."""
    qs = scope.visible_persons(user).filter(household__isnull=False)
    q = (q or "").strip()
    if q:
        match = Q(name__icontains=q)
        digits = q.replace(" ", "").replace("-", "")
        if digits.isascii() and digits.isdigit() and len(digits) >= 3:
            match |= Q(phone__contains=digits)
        if _looks_like_id_number(q):
            match |= Q(id_number_hash=crypto.lookup_hash(q.upper()))
        qs = qs.filter(match)
    for tag in tags or []:
        if tag in RESIDENT_TAGS:
            qs = qs.filter(RESIDENT_TAGS[tag][1])
    return qs.select_related("household__building", "reports_to_community").order_by(
        "household__building__path", "household__unit", "household__room", "name"
    )[:limit]


def visible_person(user, pk: int) -> Person | None:
    """A person the user may look at (the rule `people.view_person_in_scope` decides), else None."""
    person = (
        Person.objects.select_related("household__building", "reports_to_community").filter(pk=pk).first()
    )
    if person is None or not user.has_perm("people.view_person_in_scope", person):
        return None
    return person


def person_posts(person: Person) -> list[Post]:
    return list(person.posts.active().select_related("area", "department").order_by("area__path"))
