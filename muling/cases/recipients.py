"""Who hears about a case: its handlers, its department's staff, its reporter and followers."""

from django.contrib.auth import get_user_model

from .models import Case, MeToo
from .rules import DEPARTMENT_POST_ROLES


def users_of_people(person_ids) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(person_id__in=[p for p in person_ids if p])
        .values_list("pk", flat=True)
    )


def handler_user_ids(case: Case) -> list[int]:
    if case.owner_person_id:
        return users_of_people([case.owner_person_id])
    if case.owner_department_id:
        return department_user_ids(case.owner_department_id)
    # A queue without a named person: the secretaries of the queue area hear about it.
    from muling.people.models import Post

    return users_of_people(
        Post.objects.active().filter(area_id=case.owner_area_id).values_list("person_id", flat=True)
    )


def department_user_ids(department_id: int) -> list[int]:
    from muling.people.models import Post

    person_ids = Post.objects.active().filter(department_id=department_id, role__in=DEPARTMENT_POST_ROLES)
    return users_of_people(person_ids.values_list("person_id", flat=True))


def follower_user_ids(case: Case) -> list[int]:
    ids = list(MeToo.objects.filter(case=case).values_list("user_id", flat=True))
    if case.reporter_id:
        ids.append(case.reporter_id)
    return ids
