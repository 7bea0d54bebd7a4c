"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) with the page/page_size extension and
FixMyStreet's servicerequestupdates. Requests go in through case_submit like any other channel and are
read from public cases only; no reporter or contact detail is ever written out."""

import functools
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from muling.api import ratelimit
from muling.api.models import ClientApiKey
from muling.api.services import client_key_authenticate
from muling.cases import services
from muling.cases.answers import clean_answers, questions_of
from muling.cases.enums import OPEN_STATUSES, Channel, EventKind, Status
from muling.cases.errors import CaseError
from muling.cases.models import Case, CaseEvent, CasePhoto, Category
from muling.places.models import Area
from muling.places.selectors import area_named_in

from . import parsing, render
from .parsing import Open311Error, bad

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00+08:00"
MAX_DESCRIPTION = services.MAX_TEXT
DEFAULT_DAYS = 90
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

# FixMyStreet's update statuses, by our status.
UPDATE_STATUS = {
    Status.SUBMITTED: "OPEN",
    Status.DISPATCHED: "ACTION_SCHEDULED",
    Status.IN_PROGRESS: "IN_PROGRESS",
    Status.RESOLVED: "FIXED",
    Status.CLOSED: "CLOSED",
    Status.REJECTED: "NO_FURTHER_ACTION",
    Status.MERGED: "DUPLICATE",
}
# Timeline entries an outside system may read. Staff notes stay inside, except those written by
# systems through servicerequestupdates (recorded without a user).
PUBLIC_EVENT_KINDS = {
    EventKind.DISPATCHED,
    EventKind.ACCEPTED,
    EventKind.RESOLVED,
    EventKind.REOPENED,
    EventKind.CLOSED,
    EventKind.REJECTED,
    EventKind.MERGED,
    EventKind.ESCALATED,
    EventKind.EXTENSION_APPROVED,
}
NOTES_SHOWN = {EventKind.RESOLVED, EventKind.REJECTED, EventKind.NOTE}


def endpoint(methods=("GET",)):
    """Format from the URL suffix, method check, and every refusal rendered as the spec's error list."""

    def wrap(view):
        @functools.wraps(view)
        def inner(request, fmt: str = "json", **kwargs):
            fmt = fmt if fmt in render.CONTENT_TYPES else "json"
            if request.method not in methods:
                response = render.errors(fmt, 405, _("不支持该请求方法"))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render.errors(fmt, exc.status, exc.description)
            except ratelimit.RateLimited as exc:
                response = render.errors(fmt, 429, exc.message)
                response["Retry-After"] = str(exc.retry_after)
                return response
            except CaseError as exc:
                return render.errors(fmt, exc.status, exc.message)

        return csrf_exempt(inner)

    return wrap


def _client_key(request, values: dict, *, required: bool) -> ClientApiKey | None:
    secret = values.get("api_key")
    if secret is None and not required:
        return None
    key = client_key_authenticate(secret or "")
    if key is None:
        raise Open311Error(403, _("api_key 无效或缺失"))
    ratelimit.hit(f"client:{key.pk}", limit=key.rate_limit_per_minute)
    return key


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


# ---- discovery and services ----------------------------------------------------------------------


@endpoint()
def discovery(request, fmt):
    base = _absolute(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0] + "/"
    return render.respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": getattr(settings, "OPEN311_CONTACT", "") or settings.DEFAULT_FROM_EMAIL,
            "key_service": _absolute(reverse("api_tokens:list")),
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(questions_of(category)),
        "type": "realtime",
        "keywords": "",
        "group": category.get_handler_kind_display(),
    }


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, _("service_code %(code)s 不存在") % {"code": code[:40]})
    return category


@endpoint()
def service_list(request, fmt):
    return render.respond(fmt, "services", [_service(c) for c in Category.objects.filter(is_active=True)])


@endpoint()
def service_definition(request, fmt, code: str):
    category = _category(code)
    attributes = [
        {
            "variable": True,
            "code": q["code"],
            "datatype": q.get("datatype", "string"),
            "required": bool(q.get("required")),
            "datatype_description": "",
            "order": order,
            "description": q.get("label", q["code"]),
            "values": [
                {"key": str(v.get("key")), "name": str(v.get("name", v.get("key")))}
                for v in q.get("values") or []
                if isinstance(v, dict)
            ],
        }
        for order, q in enumerate(questions_of(category), start=1)
    ]
    return render.respond(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


# ---- requests ------------------------------------------------------------------------------------


# What a service request shows, and only that: a list of 100 requests builds six model objects per
# row, and every column read is a column decoded (the areas' polygons among them).
_REQUEST_FIELDS = (
    *("number", "status", "result", "reject_reason", "text", "created_at", "updated_at", "deadline"),
    *("address", "lat", "lon", "answers", "category__name", "category__code", "area__code"),
    *("area__centroid_lat", "area__centroid_lon", "grid__centroid_lat", "grid__centroid_lon"),
    *("owner_area__name", "owner_department__name"),
)


def _public_cases():
    return (
        Case.objects.filter(is_public=True)
        .select_related("category", "area", "grid", "owner_area", "owner_department")
        .only(*_REQUEST_FIELDS)
    )


def _first_photos(cases: list[Case]) -> dict[int, str]:
    """case id → the file name of its first photo, for all `cases` in one query."""
    first: dict[int, str] = {}
    rows = CasePhoto.objects.filter(case_id__in=[c.pk for c in cases]).order_by("case_id", "id")
    for case_id, name in rows.values_list("case_id", "image"):
        first.setdefault(case_id, name)
    return first


def _media_url(case: Case, photos: dict[int, str]) -> str:
    name = photos.get(case.pk)
    if name:
        return _absolute(CasePhoto._meta.get_field("image").storage.url(name))
    return str((case.answers or {}).get("_media_url", ""))


def _requests_out(cases) -> list[dict]:
    cases = list(cases)
    photos = _first_photos(cases)
    return [_request_out(case, photos) for case in cases]


def _request_out(case: Case, photos: dict[int, str]) -> dict:
    lat, lon = case.lat, case.lon
    if lat is None or lon is None:
        place = case.grid or case.area
        lat, lon = place.centroid_lat, place.centroid_lon
    notes = case.result or case.reject_reason
    return {
        "service_request_id": case.number,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "detailed_status": case.status,
        "status_notes": notes,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.text,
        "agency_responsible": case.owner_department.name
        if case.owner_department_id
        else case.owner_area.name,
        "service_notice": "",
        "requested_datetime": render.when(case.created_at),
        "updated_datetime": render.when(case.updated_at),
        "expected_datetime": render.when(case.deadline),
        "address": case.address,
        "address_id": case.area.code,
        "zipcode": "",
        "lat": lat,
        "long": lon,
        "media_url": _media_url(case, photos),
    }


@endpoint(methods=("GET", "POST"))
def requests(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    values = parsing.params(request.GET)
    cases = _public_cases()
    numbers = parsing.csv(values.get("service_request_id"))
    if numbers:  # the spec: other parameters are ignored when ids are given
        cases = cases.filter(number__in=numbers[:MAX_PAGE_SIZE])
    else:
        codes = parsing.csv(values.get("service_code"))
        if codes:
            cases = cases.filter(category__code__in=codes)
        start = parsing.moment(values["start_date"], "start_date") if "start_date" in values else None
        end = parsing.moment(values["end_date"], "end_date") if "end_date" in values else None
        if start is None and end is None:
            start = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start:
            cases = cases.filter(created_at__gte=start)
        if end:
            cases = cases.filter(created_at__lte=end)
        statuses = parsing.csv(values.get("status"))
        if any(s not in {"open", "closed"} for s in statuses):
            raise bad(_("status 只能是 open 或 closed"))
        if statuses and set(statuses) != {"open", "closed"}:
            open_q = Q(status__in=OPEN_STATUSES)
            cases = cases.filter(open_q if statuses[0] == "open" else ~open_q)
    page = parsing.positive_int(values.get("page"), "page", default=1, maximum=100_000)
    size = parsing.positive_int(
        values.get("page_size"), "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE
    )
    cases = cases.order_by("-created_at", "-id")[(page - 1) * size : page * size]
    return render.respond(fmt, "service_requests", _requests_out(cases))


@endpoint()
def request_detail(request, fmt, request_id: str):
    case = _public_cases().filter(number=request_id[:40]).first()
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s 不存在") % {"id": request_id[:40]})
    return render.respond(fmt, "service_requests", _requests_out([case]))


@endpoint()
def token(request, fmt, token: str):
    """We answer POST requests with the id at once; a token is that id, so this only confirms it."""
    case = _public_cases().filter(number=token[:40]).first()
    if case is None:
        raise Open311Error(404, _("token %(token)s 不存在") % {"token": token[:40]})
    return render.respond(fmt, "service_requests", [{"service_request_id": case.number, "token": token}])


def _place(values: dict) -> dict:
    """case_submit's location arguments from lat/long, address_id or address_string."""
    has_lat, has_long = "lat" in values, "long" in values
    if has_lat != has_long:
        raise bad(_("lat 与 long 须同时提供"))
    if has_lat:
        return {
            "lat": parsing.coordinate(values["lat"], "lat", 90),
            "lon": parsing.coordinate(values["long"], "long", 180),
        }
    if "address_id" in values:
        area = Area.objects.filter(code=values["address_id"][:18]).first()
        if area is None:
            raise bad(_("address_id 不存在"))
        return {"area": area}
    if "address_string" in values:
        return {"area": _area_named_in(values["address_string"])}
    raise bad(_("请提供位置：lat 与 long、address_string 或 address_id"))


def _area_named_in(address: str) -> Area:
    area = area_named_in(address)
    if area is None:
        raise bad(_("无法根据 address_string 确定位置，请提供 lat/long 或 address_id"))
    return area


def _media(values: dict) -> dict:
    url = values.get("media_url")
    if not url:
        return {}
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise bad(_("media_url 不是有效的网址")) from None
    if len(url) > 500:
        raise bad(_("media_url 过长"))
    return {"_media_url": url}


def _create_request(request, fmt):
    values = parsing.params(request.POST)
    key = _client_key(request, values, required=True)
    if "service_code" not in values:
        raise bad(_("缺少 service_code"))
    category = _category(values["service_code"])
    place = _place(values)
    description = values.get("description", "")
    if not description:
        raise bad(_("缺少 description"))
    if len(description) > MAX_DESCRIPTION:
        raise bad(_("description 不能超过 %(n)d 字") % {"n": MAX_DESCRIPTION})
    try:
        answers = clean_answers(category, parsing.attributes(request.POST), ignore_unknown=True)
    except CaseError as exc:
        raise bad(
            "; ".join(f"{field.removeprefix('answers.')}: {msg}" for field, msg in exc.fields.items())
        ) from None
    answers.update(_media(values))
    idempotency = request.headers.get("Idempotency-Key", "")[:64]
    contact_name = (values.get("last_name", "") + values.get("first_name", "")).strip()
    case = services.case_submit(
        category=category,
        text=description,
        channel=Channel.OPEN311,
        reporter=None,
        address=values.get("address_string", ""),
        contact_name=contact_name,
        contact_phone=values.get("phone", ""),
        answers=answers,
        idempotency_key=f"o311:{key.pk}:{idempotency}" if idempotency else None,
        **place,
    )
    return render.respond(
        fmt,
        "service_requests",
        [{"service_request_id": case.number, "service_notice": "", "account_id": None}],
    )


# ---- FixMyStreet's servicerequestupdates ---------------------------------------------------------


def _update_out(event: CaseEvent) -> dict:
    if event.kind in NOTES_SHOWN and event.note:
        description = event.note
    else:
        description = str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind
    status = event.to_status or event.case.status
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": UPDATE_STATUS.get(status, "OPEN"),
        "detailed_status": status,
        "updated_datetime": render.when(event.at),
        "description": description,
        "media_url": "",
    }


@endpoint(methods=("GET", "POST"))
def request_updates(request, fmt):
    if request.method == "POST":
        return _post_update(request, fmt)
    values = parsing.params(request.GET)
    events = CaseEvent.objects.filter(case__is_public=True).filter(
        Q(kind__in=PUBLIC_EVENT_KINDS) | Q(kind=EventKind.NOTE, actor__isnull=True)
    )
    numbers = parsing.csv(values.get("service_request_id"))
    if numbers:
        events = events.filter(case__number__in=numbers[:MAX_PAGE_SIZE])
    start = parsing.moment(values["start_date"], "start_date") if "start_date" in values else None
    end = parsing.moment(values["end_date"], "end_date") if "end_date" in values else None
    if start is None and end is None and not numbers:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lte=end)
    page = parsing.positive_int(values.get("page"), "page", default=1, maximum=100_000)
    size = parsing.positive_int(
        values.get("page_size"), "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE
    )
    events = events.select_related("case").order_by("at", "id")[(page - 1) * size : page * size]
    return render.respond(fmt, "service_request_updates", [_update_out(e) for e in events])


def _post_update(request, fmt):
    """An outside system adds to the timeline of a case that came in through its own channel. It acts
    as the system (no user): the key is the authority, and it reaches only its channel's cases."""
    values = parsing.params(request.POST)
    key = _client_key(request, values, required=True)
    number = values.get("service_request_id")
    if not number:
        raise bad(_("缺少 service_request_id"))
    description = values.get("description", "")
    if not description:
        raise bad(_("缺少 description"))
    if len(description) > MAX_DESCRIPTION:
        raise bad(_("description 不能超过 %(n)d 字") % {"n": MAX_DESCRIPTION})
    if "updated_datetime" in values:
        parsing.moment(values["updated_datetime"], "updated_datetime")
    case = Case.objects.filter(number=number[:40], channel=key.channel).first()
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s 不存在") % {"id": number[:40]})
    services.case_note(case_id=case.pk, actor=None, note=description)
    event = case.events.filter(kind=EventKind.NOTE, actor__isnull=True).order_by("-at", "-id").first()
    return render.respond(fmt, "service_request_updates", [{"update_id": str(event.pk)}])


@csrf_exempt
def not_found(request):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return render.errors(fmt, 404, _("没有这个接口；请在地址末尾使用 .json 或 .xml"))
