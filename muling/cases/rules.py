"""Who may do what with a case. Services call `require` with these permission names, so the web
screens and the API enforce exactly the same rules."""

import rules
from django.utils.translation import gettext as _

from muling.people import scope
from muling.people.models import Post
from muling.people.roles import ORGANISATION_ROLES, SECRETARY_ROLES, Role

from .errors import CaseForbidden, CaseNotFound
from .models import Case, MeToo, Summons

SUPERVISOR_ROLES = SECRETARY_ROLES | {Role.GRID_CHIEF}
DEPARTMENT_POST_ROLES = {Role.DEPARTMENT_STAFF, Role.PROFESSIONAL_GRID_WORKER, Role.PROPERTY_STAFF}


def department_ids(user) -> set[int]:
    return {
        p.department_id
        for p in scope.active_posts(user)
        if p.role in DEPARTMENT_POST_ROLES and p.department_id
    }


def about_a_case(fn):
    """A predicate over (user, case) that is False when asked without a case: Django's admin asks
    `has_perm("cases.view_case")` about the model as a whole, which must not be taken as a yes."""

    def check(user, obj=None) -> bool:
        return obj is not None and fn(user, obj)

    check.__name__ = fn.__name__
    return rules.predicate(check)


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user.is_active and user.is_superuser)


@about_a_case
def is_reporter(user, case: Case) -> bool:
    return user.is_authenticated and case.reporter_id == user.pk


@about_a_case
def is_follower(user, case: Case) -> bool:
    return user.is_authenticated and MeToo.objects.filter(case=case, user=user).exists()


@about_a_case
def owns_personally(user, case: Case) -> bool:
    return bool(
        user.is_authenticated
        and user.person_id
        and case.owner_person_id == user.person_id
        and scope.active_posts(user)
    )


@about_a_case
def works_for_owner_department(user, case: Case) -> bool:
    return case.owner_department_id is not None and case.owner_department_id in department_ids(user)


@about_a_case
def holds_the_queue(user, case: Case) -> bool:
    """A case without a named handler belongs to the secretaries of its queue area (首接负责)."""
    return (
        case.owner_person_id is None
        and case.owner_department_id is None
        and any(
            p.area_id == case.owner_area_id and p.role in SUPERVISOR_ROLES | {Role.GRID_WORKER}
            for p in scope.active_posts(user)
        )
    )


@about_a_case
def supervises(user, case: Case) -> bool:
    return scope.covers(user, case.area, SUPERVISOR_ROLES)


@about_a_case
def is_secretary_over(user, case: Case) -> bool:
    return scope.covers(user, case.area, SECRETARY_ROLES)


# Department staff see what is sent or summoned to their department, not every case of their district.
CASE_VIEW_ROLES = ORGANISATION_ROLES - DEPARTMENT_POST_ROLES


@about_a_case
def covers_case(user, case: Case) -> bool:
    return scope.covers(user, case.area, CASE_VIEW_ROLES)


@about_a_case
def is_summoned(user, case: Case) -> bool:
    ids = department_ids(user)
    return bool(ids) and Summons.objects.filter(case=case, department_id__in=ids).exists()


@rules.predicate
def is_authenticated(user) -> bool:
    return user.is_authenticated


is_handler = owns_personally | works_for_owner_department | holds_the_queue

may_view = is_superuser | is_reporter | is_follower | is_handler | covers_case | is_summoned


@about_a_case
def is_public_case(user, case: Case) -> bool:
    return case.is_public and case.status not in ("rejected", "merged")


rules.add_perm("cases.view_case", may_view)
rules.add_perm("cases.see_reporter", is_superuser | is_reporter | is_handler | covers_case)
# The full phone goes to whoever must call the resident back (the handler) and to the reporter;
# everyone else who may see the reporter sees it masked.
rules.add_perm("cases.see_reporter_phone", is_reporter | is_handler)
rules.add_perm("cases.accept_case", is_superuser | is_handler)
rules.add_perm("cases.note_case", is_superuser | is_handler | supervises)
rules.add_perm("cases.resolve_case", is_superuser | is_handler)
rules.add_perm("cases.rate_case", is_reporter)
rules.add_perm("cases.add_report_photos", is_reporter)
rules.add_perm("cases.ask_next_level", is_reporter)
rules.add_perm("cases.dispatch_case", is_superuser | supervises | holds_the_queue)
rules.add_perm("cases.reassign_case", is_superuser | supervises)
rules.add_perm("cases.reject_case", is_superuser | supervises | holds_the_queue)
rules.add_perm("cases.merge_case", is_superuser | supervises)
rules.add_perm("cases.urge_case", is_superuser | supervises)
rules.add_perm("cases.take_over_case", is_superuser | is_secretary_over)
rules.add_perm("cases.escalate_case", is_superuser | supervises | is_handler)
rules.add_perm("cases.request_extension", is_handler)
rules.add_perm("cases.decide_extension", is_superuser | supervises)
rules.add_perm("cases.summon_departments", is_superuser | supervises | is_handler)
rules.add_perm("cases.callback_case", is_superuser | supervises | is_handler)
rules.add_perm("cases.me_too", is_authenticated & ~is_reporter & (may_view | is_public_case))
rules.add_perm(
    "cases.import_hotline",
    is_superuser | rules.predicate(lambda u: scope.has_any_role(u, SECRETARY_ROLES)),
)
rules.add_perm("cases.report_for_others", is_superuser | rules.predicate(lambda u: scope.is_staff_member(u)))
# Which screens a user has: the supervision board (督办) and a department's queue.
rules.add_perm(
    "cases.view_board", is_superuser | rules.predicate(lambda u: scope.has_any_role(u, SUPERVISOR_ROLES))
)
rules.add_perm("cases.view_department_queue", rules.predicate(lambda u: bool(department_ids(u))))


@about_a_case
def answers_for_department(user, summons: Summons) -> bool:
    return summons.department_id in department_ids(user)


rules.add_perm("cases.answer_summons", is_superuser | answers_for_department)


def require(user, perm: str, obj=None) -> None:
    """Refuse with 404 when the user may not even see the case (never reveal it exists), else 403."""
    if user is None:  # the system itself (sweeps, imports) acts without a user
        return
    if user.has_perm(perm, obj):
        return
    case = obj if isinstance(obj, Case) else getattr(obj, "case", None)
    if case is not None and not user.has_perm("cases.view_case", case):
        raise CaseNotFound("case_not_found", _("诉求不存在"))
    raise CaseForbidden("forbidden", _("您无权进行此操作"))


def posts_of_department(department_id: int):
    return Post.objects.active().filter(department_id=department_id, role__in=DEPARTMENT_POST_ROLES)
