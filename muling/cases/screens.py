"""Reads the case screens need beyond selectors.py: choices for the forms, a case's timeline as the
viewer may see it, map data for public pages, and which screens a user has any use for.

Nothing here decides what a user may *do*: that is rules.py, asked through `user.has_perm`, and the
services, which refuse on their own. The screen checks below only decide which pages to offer.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muling.people import scope
from muling.people.models import Department, Person, Post
from muling.people.roles import ORGANISATION_ROLES
from muling.places import selectors as places
from muling.places.levels import Level as AreaLevel
from muling.places.models import Area

from . import reference, selectors
from .enums import OPEN_STATUSES, Channel, EventKind, Level, Satisfaction
from .models import Case, CaseEvent, ExtensionRequest
from .schemas import event_out

DUE_SOON = timedelta(hours=24)
MAX_CHOICES = 500


# ---- which screens a user has a use for ----------------------------------------------------------


class CaseNav:
    """What the top navigation offers; evaluated lazily so pages that don't show it pay nothing."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return selectors.unread_count(user=self.user)

    @cached_property
    def has_queue(self) -> bool:
        return is_case_worker(self.user)

    @cached_property
    def has_board(self) -> bool:
        return is_supervisor(self.user)

    @cached_property
    def has_department(self) -> bool:
        return bool(self.user.is_authenticated and self.user.has_perm("cases.view_department_queue"))


def is_case_worker(user) -> bool:
    """Holds an organisation post (or is a superuser): has a queue, may report for others."""
    return bool(user.is_authenticated and user.has_perm("cases.report_for_others"))


def is_supervisor(user) -> bool:
    return bool(user.is_authenticated and user.has_perm("cases.view_board"))


# ---- places --------------------------------------------------------------------------------------


def ancestor_paths(area: Area) -> list[str]:
    return [area.path[: i * Area.steplen] for i in range(1, area.depth + 1)]


def buildings_of_community(community: Area | None) -> list[Area]:
    if community is None:
        return []
    return list(
        Area.objects.filter(level=AreaLevel.BUILDING, path__startswith=community.path).order_by("path")[
            :MAX_CHOICES
        ]
    )


def staff_places(user) -> list[Area]:
    """Grids and buildings in the user's subtree: where a patrol or intake report may be placed."""
    return list(
        scope.visible_areas(user)
        .filter(level__in=[AreaLevel.GRID, AreaLevel.BUILDING])
        .order_by("path")[:MAX_CHOICES]
    )


def map_community(user, building: Area | None = None) -> Area | None:
    """The community whose grids the report map shows: the scanned building's, else the household's,
    else the first community in the user's posts."""
    if building is not None:
        return places.community_of(building)
    household = getattr(getattr(user, "person", None), "household", None)
    if household is not None:
        return places.community_of(household.building)
    for post in scope.active_posts(user):
        community = places.community_of(post.area)
        if community is not None:
            return community
    return None


def grids_geojson(community: Area) -> dict:
    """The grid polygons of a community. Public: grid boundaries are posted on every notice board."""
    grids = Area.objects.filter(
        path__startswith=community.path, level=AreaLevel.GRID, polygon__isnull=False
    ).order_by("path")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": g.code,
                "geometry": g.polygon,
                "properties": {"code": g.code, "name": g.name},
            }
            for g in grids
        ],
    }


def area_point(area: Area, cache: dict) -> tuple[float, float] | None:
    """A point for a case without coordinates: its area's centroid, else the nearest ancestor's."""
    if area.pk in cache:
        return cache[area.pk]
    point = None
    node = area
    while node is not None and point is None:
        if node.centroid_lat is not None and node.centroid_lon is not None:
            point = (node.centroid_lat, node.centroid_lon)
        elif node.level > AreaLevel.COMMUNITY:
            node = reference.snapshot().ancestor_at(node, node.level - 1)  # from memory, not a query per row
        else:
            node = None
    cache[area.pk] = point
    return point


def public_markers(cases) -> list[dict]:
    """Map markers of public cases. Only what the public list shows: never reporter, contact, room."""
    cache: dict = {}
    stacked: dict[tuple[float, float], int] = {}
    markers = []
    for case in cases:
        exact = case.lat is not None and case.lon is not None
        point = (case.lat, case.lon) if exact else area_point(case.area, cache)
        if point is None:
            continue
        # Cases placed at their area's centroid would all sit on one spot: fan them out a little
        # (a golden-angle spiral, a few metres apart) so each can be seen and tapped.
        k = stacked.get(point, 0)
        stacked[point] = k + 1
        lat, lon = point
        if k:
            lat += 0.00012 * math.sqrt(k) * math.sin(k * 2.39996)
            lon += 0.00015 * math.sqrt(k) * math.cos(k * 2.39996)
        markers.append(
            {
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "approx": not exact,
                "number": case.number,
                "category": case.category.name,
                "status": case.get_status_display(),
                "open": case.status in OPEN_STATUSES,
                "text": case.short_text,
                "place": case.area.name,
            }
        )
    return markers


# ---- choices for the action forms ----------------------------------------------------------------


def assignable_people(case: Case) -> tuple:
    """People holding a post over the case's place — its grid, buildings in it, its community and the
    levels between — and a label for each ("name (post · area)"). The service re-checks the choice."""
    paths = [p for p in ancestor_paths(case.area) if len(p) >= Area.steplen * 4]  # community and below
    below = (case.grid or case.area).path
    posts = Post.objects.active().filter(
        Q(area__path__in=paths) | Q(area__path__startswith=below), role__in=ORGANISATION_ROLES
    )
    labels: dict[int, list[str]] = {}
    for post in posts.select_related("area").order_by("area__path", "role"):
        labels.setdefault(post.person_id, []).append(f"{post.get_role_display()}·{post.area.name}")
    people = Person.objects.filter(pk__in=labels).order_by("name", "pk")
    return people, {pk: "、".join(parts) for pk, parts in labels.items()}


def assignable_departments(case: Case):
    """Departments and utilities whose service area covers the case's place."""
    return Department.objects.filter(area__path__in=ancestor_paths(case.area)).order_by("kind", "name")


# ---- the case page -------------------------------------------------------------------------------


@dataclass
class Deadline:
    at: object
    overdue: bool
    due_soon: bool


def deadline_of(case: Case, now=None) -> Deadline:
    now = now or timezone.now()
    overdue = case.is_overdue(now=now)
    return Deadline(
        at=case.deadline,
        overdue=overdue,
        due_soon=case.is_open and not overdue and case.deadline < now + DUE_SOON,
    )


def timeline(case: Case, user) -> list[dict]:
    """Every event, oldest first, with actors named only as the API names them (see schemas.event_out):
    a resident's name appears only to those allowed to see the reporter. Each row gets a short
    `detail` (where it went, how long, how rated) and the owner after the event."""
    may_see_reporter = user.has_perm("cases.see_reporter", case)
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "actor__person", "owner_person", "owner_department", "owner_area")
        .order_by("at", "id")
    )
    rows = []
    for event in events:
        row = event_out(event, case=case, may_see_reporter=may_see_reporter)
        row["detail"] = event_detail(event)
        row["by_system"] = event.actor_id is None
        if event.kind in OWNER_EVENTS:
            row["owner"] = owner_label(event)
        rows.append(row)
    return rows


OWNER_EVENTS = {
    EventKind.DISPATCHED,
    EventKind.REASSIGNED,
    EventKind.ESCALATED,
    EventKind.TAKEN_OVER,
}
ESCALATION_REASONS = {
    "overdue": gettext_lazy("超期自动升级"),
    "resident": gettext_lazy("居民请上级处理"),
    "manual": gettext_lazy("承办方上报"),
}


def owner_label(event_or_case) -> str:
    """ "person · department · area" of whoever holds the case (staff names are public: service cards)."""
    parts = []
    if event_or_case.owner_person_id:
        parts.append(event_or_case.owner_person.name)
    if event_or_case.owner_department_id:
        parts.append(event_or_case.owner_department.name)
    if not parts:
        parts.append(event_or_case.owner_area.name)
    return " · ".join(parts)


def _satisfaction(code) -> str:
    return str(Satisfaction(code).label) if code in Satisfaction.values else ""


def event_detail(event: CaseEvent) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.CREATED:
        return _("来源：%(channel)s") % {"channel": channel_label(data.get("channel", ""))}
    if kind == EventKind.DISPATCHED and data.get("auto"):
        return _("按分拨规则自动派遣")
    if kind == EventKind.ESCALATED:
        levels = dict(Level.choices)
        return _("%(from)s → %(to)s（%(why)s）") % {
            "from": levels.get(data.get("from"), ""),
            "to": levels.get(data.get("to"), ""),
            "why": ESCALATION_REASONS.get(data.get("reason"), data.get("reason", "")),
        }
    if kind in (EventKind.RATED, EventKind.CALLBACK) and data.get("satisfaction"):
        return _satisfaction(data["satisfaction"])
    if kind == EventKind.SUMMONED:
        return _("召集：%(names)s，%(hours)s 小时内答复") % {
            "names": "、".join(data.get("names") or []),
            "hours": data.get("hours", ""),
        }
    if kind == EventKind.SUMMONS_ANSWERED:
        late = "" if data.get("on_time", True) else _("（超时）")
        return f"{data.get('name', '')}{late}"
    if kind in (
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_APPROVED,
        EventKind.EXTENSION_REFUSED,
    ):
        return _("延期 %(days)s 天") % {"days": data.get("days", "")}
    if kind == EventKind.MERGED:
        return _("并入 %(number)s") % {"number": data.get("into", "")}
    if kind == EventKind.CLOSED and data.get("unrated"):
        return _("超期未评价，自动结案（不计为满意）")
    return ""


def reporter_of(case: Case, viewer, path: str = "") -> dict | None:
    """Name and phone of whoever reported the case, as the viewer may see them (selectors)."""
    contact = selectors.reporter_contact(case, viewer=viewer, path=path)
    if not contact or not (contact["name"] or contact["phone"]):
        return None
    return contact


def pending_extension(case: Case) -> ExtensionRequest | None:
    return (
        case.extension_requests.filter(state=ExtensionRequest.State.PENDING)
        .select_related("requested_by", "requested_by__person")
        .first()
    )


@dataclass
class QueueRow:
    case: Case
    deadline: Deadline
    can_accept: bool = False
    can_urge: bool = False
    extra: dict = field(default_factory=dict)


def channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code
