"""Every read of cases, scoped by the caller's posts."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from rapidfuzz import fuzz

from muling.people import scope
from muling.places.models import Area

from .enums import OPEN_STATUSES, Status
from .models import Case, Category, ExtensionRequest, MeToo, Notification, Summons
from .rules import CASE_VIEW_ROLES, SUPERVISOR_ROLES, department_ids

LIST_RELATED = ("category", "area", "owner_person", "owner_department")


def case_visible(*, user) -> QuerySet[Case]:
    """Cases the user may open: own and followed, handled, in scope, summoned to their department."""
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    # No joins and no DISTINCT: at city scale each branch must stay an index scan the planner can
    # OR together (a join to followers would turn a resident's list into a scan of every case).
    q = _own_q(user)
    if user.person_id:
        q |= Q(owner_person_id=user.person_id)
    depts = department_ids(user)
    if depts:
        summoned = Summons.objects.filter(department_id__in=depts).values("case_id")
        q |= Q(owner_department_id__in=depts) | Q(pk__in=summoned)
    paths = scope.area_paths(user, CASE_VIEW_ROLES)
    if paths:
        q |= scope.under_paths_q(paths, "area_path")
    return Case.objects.filter(q)


def _own_q(user) -> Q:
    """Reported by the user, or followed (附议) — the followed ids are read first: a person follows a
    handful of cases, and a short id list keeps the whole condition index-friendly."""
    followed = list(MeToo.objects.filter(user=user).values_list("case_id", flat=True))
    return Q(reporter=user) | Q(pk__in=followed) if followed else Q(reporter=user)


def case_get(*, user, pk: int) -> Case | None:
    return case_visible(user=user).filter(pk=pk).select_related(*LIST_RELATED, "grid", "reporter").first()


def case_get_by_number(*, user, number: str) -> Case | None:
    return (
        case_visible(user=user)
        .filter(number=number)
        .select_related(*LIST_RELATED, "grid", "reporter")
        .first()
    )


def my_reports(*, user) -> QuerySet[Case]:
    return Case.objects.filter(_own_q(user)).select_related(*LIST_RELATED).order_by("-created_at")


def handler_queue(*, user) -> QuerySet[Case]:
    """What the user must work on: cases owned by them, by their department, or by their queue area."""
    if not user.is_authenticated:
        return Case.objects.none()
    q = Q(pk__in=[])
    if user.person_id:
        q |= Q(owner_person_id=user.person_id)
    depts = department_ids(user)
    if depts:
        q |= Q(owner_department_id__in=depts)
    queue_areas = [p.area_id for p in scope.active_posts(user) if p.role in SUPERVISOR_ROLES]
    if queue_areas:
        q |= Q(owner_area_id__in=queue_areas, owner_person__isnull=True, owner_department__isnull=True)
    return (
        Case.objects.filter(q, status__in=(*OPEN_STATUSES, Status.RESOLVED))
        .select_related(*LIST_RELATED)
        .order_by("deadline")
    )


def deadline_counts(cases: QuerySet[Case], *, now, soon: timedelta) -> dict[str, int]:
    """How many of `cases` there are, how many are open and past their deadline, and how many are
    open and due within `soon` — one aggregate, so a page can show the whole queue's figures while
    it lists one screenful."""
    open_q = Q(status__in=OPEN_STATUSES)
    return cases.order_by().aggregate(
        total=Count("id"),
        overdue=Count("id", filter=open_q & Q(deadline__lt=now)),
        due_soon=Count("id", filter=open_q & Q(deadline__gte=now, deadline__lt=now + soon)),
    )


def public_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """Total, still open and closed among `cases` (a community's public list), in one aggregate."""
    return cases.order_by().aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
    )


def department_summonses(*, user, open_only: bool = True) -> QuerySet[Summons]:
    qs = Summons.objects.filter(department_id__in=department_ids(user)).select_related(
        "case", "department", "case__category"
    )
    if open_only:
        qs = qs.filter(answered_at__isnull=True)
    return qs.order_by("deadline")


def _board_sections(now, soon_hours: int) -> dict[str, tuple[Q, tuple[str, ...]]]:
    """Each board section as (filter on open cases, order)."""
    pending = Exists(
        ExtensionRequest.objects.filter(case=OuterRef("pk"), state=ExtensionRequest.State.PENDING)
    )
    return {
        "new": (Q(status=Status.SUBMITTED), ("created_at",)),
        "overdue": (Q(deadline__lt=now), ("deadline",)),
        "due_soon": (Q(deadline__gte=now, deadline__lt=now + timedelta(hours=soon_hours)), ("deadline",)),
        "escalated": (Q(escalation_count__gt=0), ("-updated_at",)),
        "pending_extensions": (Q(pending), ("deadline",)),
    }


def _board_open_cases(user):
    paths = scope.area_paths(user, SUPERVISOR_ROLES)
    return Case.objects.filter(scope.under_paths_q(paths, "area_path"), status__in=OPEN_STATUSES)


def supervision_board(*, user, now=None, soon_hours: int = 24) -> dict[str, QuerySet[Case]]:
    """New, overdue, nearly due and escalated cases in the supervisor's subtree (督办), and those with
    an extension to decide."""
    now = now or timezone.now()
    open_cases = _board_open_cases(user).select_related(*LIST_RELATED)
    return {
        key: open_cases.filter(q).order_by(*order)
        for key, (q, order) in _board_sections(now, soon_hours).items()
    }


def supervision_counts(*, user, now=None, soon_hours: int = 24) -> dict[str, int]:
    """How many cases each board section holds, in one aggregate over the subtree's open cases."""
    now = now or timezone.now()
    sections = _board_sections(now, soon_hours)
    return _board_open_cases(user).aggregate(
        **{key: Count("id", filter=q) for key, (q, _o) in sections.items()}
    )


def public_cases(*, community: Area | None = None) -> QuerySet[Case]:
    """Cases anyone may see (without identity): public, not rejected or merged."""
    qs = Case.objects.filter(is_public=True).exclude(status__in=[Status.REJECTED, Status.MERGED])
    if community is not None:
        qs = qs.filter(area_path__startswith=community.path)
    return qs.select_related("category", "area").order_by("-created_at")


def similar_open_cases(
    *,
    category: Category | None,
    area: Area | None,
    text: str,
    days: int = 30,
    limit: int = 5,
    threshold: int = 55,
) -> list[tuple[Case, int]]:
    """Open cases like the one being typed — same category, same grid or building, recent — with a
    rapidfuzz similarity score, best first. Offered to the resident as "me too" (附议)."""
    if category is None or area is None:
        return []
    place = area
    if area.level == 6:  # a building: compare within its grid
        place = Area.objects.get_parent(area)
    candidates = (
        public_cases()
        .filter(
            category=category,
            status__in=OPEN_STATUSES,
            area_path__startswith=place.path,
            created_at__gte=timezone.now() - timedelta(days=days),
        )
        .only("id", "number", "text", "status", "created_at", "area", "category", "me_too_count")[:200]
    )
    text = (text or "").strip()
    scored = [(c, int(fuzz.partial_ratio(text, c.text)) if text else 60) for c in candidates]
    scored = [(c, s) for c, s in scored if s >= threshold]
    scored.sort(key=lambda cs: (-cs[1], -cs[0].created_at.timestamp()))
    return scored[:limit]


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("case")


def reporter_contact(case: Case, *, viewer, path: str = "") -> dict | None:
    """Name and phone of whoever reported the case (the caller for hotline cases), as `viewer` may
    see them: nothing without `cases.see_reporter`, a masked phone without `cases.see_reporter_phone`.

    A full phone shown to anyone but the reporter is written to the personal-data access log first
    (once per viewer, case and day), so there is no way to show it without the row."""
    from muling.people.crypto import mask_phone
    from muling.privacy.services import log_reporter_phone_view

    if not viewer.has_perm("cases.see_reporter", case):
        return None
    person = getattr(case.reporter, "person", None) if case.reporter_id else None
    name = case.contact_name or (person.name if person else "") or ""
    phone = case.contact_phone or (person.phone if person else "") or ""
    if phone and not viewer.has_perm("cases.see_reporter_phone", case):
        phone = mask_phone(phone)
    elif phone and viewer.pk != case.reporter_id:
        log_reporter_phone_view(viewer=viewer, case=case, person=person, path=path)
    return {"user_id": case.reporter_id, "name": name, "phone": phone}
