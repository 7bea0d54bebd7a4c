"""Who may do what with places and people: predicates over posts and areas (see scope.py)."""

import rules

from muling.places.models import Area, Household

from . import scope
from .models import Person, Post
from .roles import ORGANISATION_ROLES, RESIDENT_CARE_ROLES, STAFF_MANAGER_ROLES


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user.is_active and user.is_superuser)


@rules.predicate
def covers_area(user, area: Area | None) -> bool:
    return area is not None and scope.covers(user, area, ORGANISATION_ROLES)


@rules.predicate
def cares_for_area(user, area: Area | None) -> bool:
    return area is not None and scope.covers(user, area, RESIDENT_CARE_ROLES)


@rules.predicate
def manages_staff_of_area(user, area: Area | None) -> bool:
    return area is not None and scope.covers(user, area, STAFF_MANAGER_ROLES)


def _area_of_person(person: Person) -> Area | None:
    return person.household.building if person.household_id else None


@rules.predicate
def is_self(user, person: Person | None) -> bool:
    return person is not None and user.is_authenticated and user.person_id == person.pk


@rules.predicate
def same_household(user, person: Person | None) -> bool:
    own = scope.own_household_id(user)
    return person is not None and own is not None and person.household_id == own


@rules.predicate
def cares_for_person(user, person: Person | None) -> bool:
    return person is not None and scope.covers(user, _area_of_person(person), RESIDENT_CARE_ROLES)


@rules.predicate
def may_see_full_id_number(user, person: Person | None) -> bool:
    return person is not None and scope.covers(user, _area_of_person(person), scope.ID_NUMBER_ROLES)


@rules.predicate
def cares_for_household(user, household: Household | None) -> bool:
    return household is not None and scope.covers(user, household.building, RESIDENT_CARE_ROLES)


@rules.predicate
def lives_in_household(user, household: Household | None) -> bool:
    return household is not None and scope.own_household_id(user) == household.pk


@rules.predicate
def manages_post(user, post: Post | None) -> bool:
    return post is not None and scope.covers(user, post.area, STAFF_MANAGER_ROLES)


@rules.predicate
def is_staff_member(user) -> bool:
    return scope.is_staff_member(user)


rules.add_perm("places.browse_areas", is_superuser | is_staff_member)
rules.add_perm("places.view_area_in_scope", is_superuser | covers_area)
rules.add_perm("places.print_service_card", is_superuser | covers_area)
rules.add_perm("places.view_household_in_scope", is_superuser | cares_for_household | lives_in_household)
rules.add_perm("people.search_residents", is_superuser | is_staff_member)
rules.add_perm("people.view_person_in_scope", is_superuser | is_self | same_household | cares_for_person)
rules.add_perm("people.view_full_id_number", is_superuser | is_self | may_see_full_id_number)
rules.add_perm("people.manage_post", is_superuser | manages_post)
rules.add_perm("people.create_post_in_area", is_superuser | manages_staff_of_area)
