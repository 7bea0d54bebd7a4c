"""Who may see which numbers. Area numbers follow the case-view scope (organisation posts other than
department posts); a department's numbers belong to its staff and to leaders over the cases' areas; a
post holder's own numbers to them and to the leaders above their posts."""

import rules

from muling.cases.rules import CASE_VIEW_ROLES, department_ids
from muling.people import scope
from muling.people.models import Post
from muling.people.roles import SECRETARY_ROLES, Role

# Who gets the leader's dashboard (their subtree) by default.
LEADER_ROLES = SECRETARY_ROLES | {Role.GRID_CHIEF, Role.COMMUNITY_CADRE, Role.PARTY_INSTRUCTOR}
# Who gets "my own numbers" by default: people who handle cases personally.
HANDLER_ROLES = {Role.GRID_WORKER, Role.PART_TIME_GRID_WORKER, Role.PROFESSIONAL_GRID_WORKER}


def area_paths(user) -> tuple[str, ...]:
    return scope.area_paths(user, CASE_VIEW_ROLES)


def covers_area(user, area) -> bool:
    return area is not None and any(area.path.startswith(p) for p in area_paths(user))


def may_see_department(user, department) -> bool:
    return bool(user.is_superuser or department.pk in department_ids(user) or area_paths(user))


def may_see_person(user, person) -> bool:
    if user.is_superuser or (user.person_id and user.person_id == person.pk):
        return True
    paths = scope.area_paths(user, LEADER_ROLES)
    if not paths:
        return False
    return (
        Post.objects.active().filter(person=person).filter(scope.under_paths_q(paths, "area__path")).exists()
    )


@rules.predicate
def sees_any_numbers(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or area_paths(user) or department_ids(user)))


rules.add_perm("stats.view_dashboard", sees_any_numbers)


def has_leader_post(user) -> bool:
    return bool(user.is_superuser or scope.has_any_role(user, LEADER_ROLES))


def has_handler_post(user) -> bool:
    return scope.has_any_role(user, HANDLER_ROLES)
