"""Who may reveal, export and anonymise personal data (predicates from people.rules and scope.py)."""

import rules

from muling.people import scope
from muling.people.models import Person
from muling.people.roles import Role
from muling.people.rules import cares_for_person, is_superuser


@rules.predicate
def county_secretary_over(user, person: Person | None) -> bool:
    area = person.household.building if person is not None and person.household_id else None
    return scope.covers(user, area, {Role.COUNTY_SECRETARY})


# Revealing a resident's full phone: staff who look after the resident (each reveal is logged).
rules.add_perm("privacy.reveal_phone", is_superuser | cares_for_person)
# A staff export of one person's data, on a logged reason.
rules.add_perm("privacy.export_person", is_superuser | cares_for_person)
rules.add_perm("privacy.anonymise_person", is_superuser | county_secretary_over)
