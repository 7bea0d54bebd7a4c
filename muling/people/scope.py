"""Which areas a user covers, and for what. The one place that answers it.

Coverage is "the object's area path starts with the path of an area I hold a post over". Paths come
from treebeard's materialized path, so each check is a string prefix test and each list filter one
indexed `LIKE 'prefix%'` per post.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from muling.places.models import Area, Household

from .models import Person, Post
from .roles import ORGANISATION_ROLES, RESIDENT_CARE_ROLES, Role

ALL = ("",)  # the empty prefix covers every path: what a superuser gets


def active_posts(user) -> list[Post]:
    """The user's current posts, cached on the user object for the length of one request."""
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return []
    cached = getattr(user, "_muling_active_posts", None)
    if cached is None:
        cached = list(Post.objects.active().filter(person_id=user.person_id).select_related("area"))
        user._muling_active_posts = cached
    return cached


def roles_of(user) -> set[str]:
    return {p.role for p in active_posts(user)}


def has_any_role(user, roles: Iterable[str]) -> bool:
    roles = set(roles)
    return any(p.role in roles for p in active_posts(user))


def area_paths(user, roles: Iterable[str] = ORGANISATION_ROLES) -> tuple[str, ...]:
    """Paths of the subtrees this user covers through posts with one of `roles`, outermost first."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return ALL
    roles = set(roles)
    paths = sorted({p.area.path for p in active_posts(user) if p.role in roles}, key=len)
    # Drop paths already inside another covered subtree: fewer OR terms, same answer.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def covers(user, area: Area | None, roles: Iterable[str] = ORGANISATION_ROLES) -> bool:
    if area is None:
        return False
    return any(area.path.startswith(p) for p in area_paths(user, roles))


def under_paths_q(paths: tuple[str, ...], field: str) -> Q:
    """Q for "`field`'s path lies under one of `paths`"; matches nothing for no paths."""
    if paths == ALL:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def areas_q(user, *, field: str = "area__path", roles: Iterable[str] = ORGANISATION_ROLES) -> Q:
    return under_paths_q(area_paths(user, roles), field)


# ---- scoped querysets every list goes through ------------------------------------------------------


def visible_areas(user) -> QuerySet[Area]:
    return Area.objects.filter(areas_q(user, field="path"))


def visible_households(user) -> QuerySet[Household]:
    """Staff caring for residents see their subtree's households; a resident sees their own."""
    paths = area_paths(user, RESIDENT_CARE_ROLES)
    if paths == ALL:
        return Household.objects.all()
    q = under_paths_q(paths, "building__path")
    own = own_household_id(user)
    if own:
        q |= Q(pk=own)
    return Household.objects.filter(q)


def visible_persons(user) -> QuerySet[Person]:
    """Residents of the households a user may see, the user themself, and (for staff) the staff
    holding posts in their subtree — a staff directory, not residents' records."""
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    paths = area_paths(user, RESIDENT_CARE_ROLES)
    if paths == ALL:  # `Q() | …` would drop the empty Q that stands for "everything"
        return Person.objects.all()
    q = under_paths_q(paths, "household__building__path")
    own = own_household_id(user)
    if own:
        q |= Q(household_id=own)
    if user.person_id:
        q |= Q(pk=user.person_id)
    org_paths = area_paths(user, ORGANISATION_ROLES)
    if org_paths:
        staff_ids = Post.objects.active().filter(under_paths_q(org_paths, "area__path")).values("person_id")
        q |= Q(pk__in=staff_ids)
    return Person.objects.filter(q)


def visible_posts(user) -> QuerySet[Post]:
    q = areas_q(user, field="area__path", roles=ORGANISATION_ROLES)
    if user.is_authenticated and user.person_id:
        q |= Q(person_id=user.person_id)
    return Post.objects.filter(q) if user.is_authenticated else Post.objects.none()


def own_household_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return None
    return user.person.household_id


def can_see_residents_of(user, area: Area) -> bool:
    return covers(user, area, RESIDENT_CARE_ROLES)


def is_staff_member(user) -> bool:
    """Holds any organisation post (as opposed to residents and volunteers only)."""
    return getattr(user, "is_superuser", False) or has_any_role(user, ORGANISATION_ROLES)


# Roles that see full ID-card numbers of residents in their subtree (for registration and visits).
ID_NUMBER_ROLES = {
    Role.GRID_WORKER,
    Role.GRID_CHIEF,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_SECRETARY,
    Role.COUNTY_SECRETARY,
}
