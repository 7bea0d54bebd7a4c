"""Platform endpoints of the REST API: who am I, the area tree, my notifications."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from muling.cases import selectors as case_selectors
from muling.cases.models import Notification
from muling.cases.routing import grid_at_point
from muling.cases.schemas import MAX_ID, AreaRef, NotificationOut, area_ref, notification_out
from muling.errors import NotFound
from muling.people import scope
from muling.people.roles import Role
from muling.places.levels import Level
from muling.places.models import Area

from . import services
from .idempotency import replayable

router = Router()


# ---- me ------------------------------------------------------------------------------------------


class PostOut(Schema):
    id: int
    role: str
    role_label: str
    area: AreaRef
    department: str | None
    start_date: date
    end_date: date | None


class ScopeOut(Schema):
    path: str
    area: AreaRef | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_superuser: bool
    posts: list[PostOut]
    scope: list[ScopeOut] = Field(..., description="subtrees covered by the caller's posts")
    unread_notifications: int


@router.get("/me", response=MeOut, tags=["me"])
def me(request):
    user = request.auth
    posts = scope.active_posts(user)
    paths = scope.area_paths(user)
    areas = {a.path: a for a in Area.objects.filter(path__in=[p for p in paths if p])}
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.person.name if user.person_id else user.get_full_name() or user.get_username(),
        "is_superuser": user.is_superuser,
        "posts": [
            {
                "id": p.pk,
                "role": p.role,
                "role_label": str(Role(p.role).label),
                "area": area_ref(p.area),
                "department": p.department.name if p.department_id else None,
                "start_date": p.start_date,
                "end_date": p.end_date,
            }
            for p in posts
        ],
        "scope": [{"path": path, "area": area_ref(areas.get(path))} for path in paths],
        "unread_notifications": case_selectors.unread_count(user=user),
    }


# ---- areas ---------------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    address: str
    centroid_lat: float | None
    centroid_lon: float | None
    polygon: dict | None
    ancestors: list[AreaRef]
    children: list[AreaRef]


def _area_out(area: Area, *, children: bool = True) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "level_label": str(Level(area.level).label) if area.level in Level.values else "",
        "address": area.address,
        "centroid_lat": area.centroid_lat,
        "centroid_lon": area.centroid_lon,
        "polygon": area.polygon,
        "ancestors": [area_ref(a) for a in Area.objects.get_ancestors(area)] if area.depth > 1 else [],
        "children": [area_ref(c) for c in Area.objects.get_children(area)] if children else [],
    }


@router.get("/areas", response=list[AreaRef], tags=["areas"])
def area_roots(request):
    """The top of the tree (cities); walk down with GET /areas/{code}."""
    return [area_ref(a) for a in Area.objects.get_root_nodes()]


@router.get("/areas/locate", response=AreaOut, tags=["areas"])
def area_locate(request, lat: float = Query(..., ge=-90, le=90), lon: float = Query(..., ge=-180, le=180)):
    """The grid whose boundary contains the point."""
    grid = grid_at_point(lat=lat, lon=lon)
    if grid is None:
        raise NotFound("no_grid_here", _("该位置不在任何网格内"))
    return _area_out(Area.objects.get(pk=grid.pk))


@router.get("/areas/{code}", response=AreaOut, tags=["areas"])
def area_detail(request, code: str):
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound("area_not_found", _("区域不存在"))
    return _area_out(area)


# ---- notifications -------------------------------------------------------------------------------


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next: int | None = Field(None, description="pass as `before` for the next page")


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=NotificationPage, tags=["notifications"])
def notification_list(
    request,
    unread: bool = False,
    before: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(20, ge=1, le=100),
):
    user = request.auth
    qs = case_selectors.inbox(user=user).order_by("-id")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if before:
        qs = qs.filter(pk__lt=before)
    page = list(qs[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [notification_out(n) for n in page],
        "unread": case_selectors.unread_count(user=user),
        "next": page[-1].pk if more else None,
    }


@router.get("/notifications/unread-count", response=UnreadOut, tags=["notifications"])
def notification_unread_count(request):
    return {"unread": case_selectors.unread_count(user=request.auth)}


@router.post("/notifications/read-all", response={200: MarkedOut}, tags=["notifications"])
def notification_read_all(request):
    user = request.auth

    def run():
        marked = services.notifications_mark_read(user=user)
        return 200, {"marked": marked, "unread": case_selectors.unread_count(user=user)}

    return Status(*replayable(request, run))


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut}, tags=["notifications"])
def notification_read(request, notification_id: int):
    user = request.auth
    if (
        not 1 <= notification_id <= MAX_ID
        or not Notification.objects.filter(pk=notification_id, user=user).exists()
    ):
        raise NotFound("notification_not_found", _("通知不存在"))
    services.notifications_mark_read(user=user, ids=[notification_id])
    n = Notification.objects.select_related("case").get(pk=notification_id)
    return Status(200, notification_out(n))
