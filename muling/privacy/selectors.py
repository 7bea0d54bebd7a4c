"""Reads about personal data: the resident's own log, persons a privacy action may be taken on."""

from django.db.models import Q, QuerySet

from muling.people import crypto, scope
from muling.people import selectors as people
from muling.people import services as people_services
from muling.people.models import Person
from muling.people.roles import Role

from .models import PersonalDataAccess

SEARCH_LIMIT = 50


def accesses_of(user) -> QuerySet[PersonalDataAccess]:
    """Every log row about the user's data by someone else: rows about their person, and rows about
    cases they reported (a callback view of the phone they gave, also when they have no person)."""
    if not user.is_authenticated:
        return PersonalDataAccess.objects.none()
    whose = Q(case__reporter=user)
    if user.person_id:
        whose |= Q(person_id=user.person_id)
    return PersonalDataAccess.objects.filter(whose).exclude(viewer=user).select_related("case")


def _unrestricted(user) -> bool:
    return user.has_perm("privacy.see_full_values")


def person_for_privacy(user, pk: int) -> Person | None:
    """The person `pk` if `user` may take a privacy action on them: anyone for the superuser and the
    privacy officer, else a person their posts let them see (None: "not found", never "forbidden")."""
    if _unrestricted(user):
        return Person.objects.select_related("household__building").filter(pk=pk).first()
    return people.visible_person(user, pk)


def anonymisable_persons(user) -> QuerySet[Person]:
    """Persons `user` may anonymise: all for the superuser and the privacy officer; for a county
    secretary the residents of their county (the rule `privacy.anonymise_person`)."""
    if _unrestricted(user):
        return Person.objects.all()
    paths = scope.area_paths(user, {Role.COUNTY_SECRETARY})
    if not paths:
        return Person.objects.none()
    return Person.objects.filter(scope.under_paths_q(paths, "household__building__path"))


def find_persons(user, query: str) -> list[Person]:
    """Up to SEARCH_LIMIT persons `user` may anonymise, by exact ID number, exact phone or part of
    the name. An empty query finds nobody (this is a lookup for one request, not a list)."""
    term = (query or "").strip()
    if not term:
        return []
    qs = anonymisable_persons(user).select_related("household__building")
    upper = term.upper()
    if people_services.ID_RE.match(upper):
        qs = qs.filter(id_number_hash=crypto.lookup_hash(upper))
    elif people_services.PHONE_RE.match(term):
        qs = qs.filter(phone=term)
    else:
        qs = qs.filter(name__contains=term[:50])
    return list(qs.order_by("name", "pk")[:SEARCH_LIMIT])
