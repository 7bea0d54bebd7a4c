"""Who may reveal, export and anonymise personal data (predicates from people.rules and scope.py).

Besides posts, one Django permission matters here: `privacy.privacy_officer` (个人信息保护负责人), which a
superuser grants to a named person (a user or a group in the admin). It is not a post over an area
because the duty is not one: the officer answers residents' requests platform-wide, and the access
log records every use of it.
"""

import rules

from muling.people import scope
from muling.people.models import Person
from muling.people.roles import Role
from muling.people.rules import cares_for_person, is_superuser

OFFICER_PERMISSION = "privacy.privacy_officer"


@rules.predicate
def county_secretary_over(user, person: Person | None) -> bool:
    area = person.household.building if person is not None and person.household_id else None
    return scope.covers(user, area, {Role.COUNTY_SECRETARY})


@rules.predicate
def holds_county_secretary_post(user) -> bool:
    return scope.has_any_role(user, {Role.COUNTY_SECRETARY})


@rules.predicate
def is_privacy_officer(user) -> bool:
    # Django's model permission (ModelBackend), granted in the admin; rules has no entry by this name.
    return bool(user.is_authenticated and user.is_active and user.has_perm(OFFICER_PERMISSION))


# Revealing a resident's full phone: staff who look after the resident (each reveal is logged).
rules.add_perm("privacy.reveal_phone", is_superuser | cares_for_person)
# A staff export of one person's data, on a logged reason.
rules.add_perm("privacy.export_person", is_superuser | is_privacy_officer | cares_for_person)
# Full phones and ID numbers in the back office (lists, forms, roster exports) and in a staff export.
rules.add_perm("privacy.see_full_values", is_superuser | is_privacy_officer)
rules.add_perm("privacy.anonymise_person", is_superuser | is_privacy_officer | county_secretary_over)
# The page (and API) to find a person and anonymise them: whoever may anonymise someone.
rules.add_perm("privacy.open_anonymise_page", is_superuser | is_privacy_officer | holds_county_secretary_post)
