"""Cases over REST (/api/v1/). Thin handlers: parse, look up, call the service (which checks the rule
through rules.require), render. No rule is decided here; the only reads are the scoped selectors."""

import base64
import binascii
from datetime import date, datetime, time, timedelta
from typing import Literal

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from muling.api.idempotency import key_of, replayable
from muling.people import scope
from muling.people.models import Department, Person
from muling.places.models import Area

from . import abuse, reference, selectors, services
from .answers import clean_answers
from .enums import OPEN_STATUSES
from .errors import CaseError, CaseNotFound
from .models import Case, CasePhoto, Category, ExtensionRequest
from .schemas import (
    MAX_ID,
    AnswerIn,
    AssignIn,
    CallbackIn,
    CaseOut,
    CasePage,
    CaseSubmitIn,
    CategoryOut,
    EscalateIn,
    EventOut,
    ExtensionDecisionIn,
    ExtensionOut,
    ExtensionRequestIn,
    MergeIn,
    NoteIn,
    OptionalNoteIn,
    RateIn,
    RejectIn,
    ResolveIn,
    StatusCode,
    SummonIn,
    SummonsOut,
    case_out,
    case_summary,
    category_out,
    event_out,
    extension_out,
    summons_out,
)

router = Router(tags=["cases"])

DETAIL_RELATED = (
    *selectors.LIST_RELATED,
    "grid",
    "reporter",
    "reporter__person",
    "owner_area",
    "duplicate_of",
)


# ---- helpers -------------------------------------------------------------------------------------


def _check_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise CaseNotFound("case_not_found", _("诉求不存在"))
    return value


def _visible(user, case_id: int) -> Case:
    case = selectors.case_get(user=user, pk=_check_id(case_id))
    if case is None:
        raise CaseNotFound("case_not_found", _("诉求不存在"))
    return case


def _full(case_id: int) -> Case:
    """The case after a write. The actor was allowed to act, so they may see the result."""
    return Case.objects.select_related(*DETAIL_RELATED).prefetch_related("photos").get(pk=case_id)


def _case_json(case_id: int, user) -> dict:
    return CaseOut.model_validate(case_out(_full(case_id), user=user)).model_dump(mode="json")


def _act(request, case_id: int, call) -> Status:
    """Run a lifecycle service once per Idempotency-Key and answer with the case as it now is."""
    _check_id(case_id)

    def run():
        call(request.auth)
        return 200, _case_json(case_id, request.auth)

    return Status(*replayable(request, run))


def _person(person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise CaseError("unknown_person", _("承办人不存在"), field="person_id")
    return person


def _department(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise CaseError("unknown_department", _("部门或单位不存在"), field="department_id")
    return department


# ---- categories ----------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None, tags=["categories"])
def category_list(request):
    """Active categories with their extra questions (answer them in `answers` when submitting)."""
    return [category_out(c) for c in Category.objects.filter(is_active=True)]


# ---- intake --------------------------------------------------------------------------------------


@router.post("/cases", response={201: CaseOut})
def case_submit(request, body: CaseSubmitIn):
    """Report a problem. Give a household, an area code or a point. A retry with the same
    Idempotency-Key returns the first case."""
    user = request.auth
    key = key_of(request)
    category = reference.category(body.category)
    if category is None:
        raise CaseError("unknown_category", _("请选择有效的事项分类"), field="category")
    household = None
    if body.household_id is not None:
        household = (
            scope.visible_households(user).filter(pk=body.household_id).select_related("building").first()
        )
        if household is None:
            raise CaseError("unknown_household", _("住户不存在或不在您的范围内"), field="household_id")
    area = None
    if body.area_code:
        area = reference.area(body.area_code)
        if area is None:
            raise CaseError("unknown_area", _("区域编码不存在"), field="area_code")
    answers = clean_answers(category, body.answers)
    case = abuse.submit_limited(
        request,
        user,
        lambda: services.case_submit(
            category=category,
            text=body.text,
            channel=body.channel,
            reporter=user,
            household=household,
            area=area,
            lat=body.lat,
            lon=body.lon,
            address=body.address,
            contact_name=body.contact_name,
            contact_phone=body.contact_phone,
            hide_name=body.hide_name,
            is_public=body.is_public,
            answers=answers,
            # Keys are per user: one user's key can never return another user's case.
            idempotency_key=f"api:{user.pk}:{key}" if key else None,
            check_repeats=True,
        ),
        channel=body.channel,
    )
    # The service's own object already holds what the answer shows; reading it back would cost a
    # wide join on the busiest endpoint. A JSON submission has no photos (they come by multipart).
    case._prefetched_objects_cache = {"photos": CasePhoto.objects.none()}
    return Status(201, CaseOut.model_validate(case_out(case, user=user)).model_dump(mode="json"))


# ---- reading -------------------------------------------------------------------------------------


def _encode_cursor(case: Case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        created_at, pk = parse_datetime(stamp), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        created_at = None
    if created_at is None or timezone.is_naive(created_at) or not 1 <= pk <= MAX_ID:
        raise CaseError("bad_cursor", _("分页游标无效"), field="cursor")
    return created_at, pk


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@router.get("/cases", response=CasePage)
def case_list(
    request,
    view: Literal["visible", "mine", "queue"] = "visible",
    status: StatusCode | None = None,
    category: str | None = Query(None, max_length=40),
    area: str | None = Query(None, max_length=18, description="area code: the case lies in its subtree"),
    created_from: date | None = None,
    created_to: date | None = None,
    overdue: bool = False,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=100),
):
    """Cases the caller may see (`visible`), reported or followed (`mine`) or to work on (`queue`),
    newest first. Pass `next` back as `cursor` for the following page."""
    user = request.auth
    qs = {
        "visible": selectors.case_visible,
        "mine": selectors.my_reports,
        "queue": selectors.handler_queue,
    }[view](user=user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code=category)
    if area:
        node = Area.objects.filter(code=area).first()
        if node is None:
            raise CaseError("unknown_area", _("区域编码不存在"), field="area")
        qs = qs.filter(area_path__startswith=node.path)
    if created_from:
        qs = qs.filter(created_at__gte=_local_midnight(created_from))
    if created_to and created_to < date.max:
        qs = qs.filter(created_at__lt=_local_midnight(created_to + timedelta(days=1)))
    now = timezone.now()
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=now)
    if cursor:
        at, pk = _decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    page = list(qs.select_related(*selectors.LIST_RELATED).order_by("-created_at", "-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [case_summary(c, now=now) for c in page],
        "next": _encode_cursor(page[-1]) if more else None,
    }


@router.get("/cases/{case_id}", response=CaseOut)
def case_detail(request, case_id: int):
    case = _visible(request.auth, case_id)
    return case_out(_full(case.pk), user=request.auth)


@router.get("/cases/{case_id}/events", response=list[EventOut])
def case_timeline(request, case_id: int):
    user = request.auth
    case = _visible(user, case_id)
    may_see_reporter = user.has_perm("cases.see_reporter", case)
    events = case.events.select_related("actor", "actor__person").order_by("at", "id")
    return [event_out(e, case=case, may_see_reporter=may_see_reporter) for e in events]


@router.get("/cases/{case_id}/extensions", response=list[ExtensionOut])
def case_extensions(request, case_id: int):
    case = _visible(request.auth, case_id)
    return [extension_out(r) for r in case.extension_requests.order_by("-requested_at", "-id")]


@router.get("/cases/{case_id}/summonses", response=list[SummonsOut])
def case_summonses(request, case_id: int):
    case = _visible(request.auth, case_id)
    return [summons_out(s) for s in case.summonses.select_related("department").order_by("-summoned_at")]


@router.get("/summonses", response=list[SummonsOut], tags=["summonses"])
def my_department_summonses(request, open_only: bool = True):
    """Summonses (吹哨) addressed to the caller's departments."""
    return [summons_out(s) for s in selectors.department_summonses(user=request.auth, open_only=open_only)]


# ---- the lifecycle -------------------------------------------------------------------------------


@router.post("/cases/{case_id}/accept", response={200: CaseOut})
def case_accept(request, case_id: int):
    return _act(request, case_id, lambda u: services.case_accept(case_id=case_id, actor=u))


@router.post("/cases/{case_id}/note", response={200: CaseOut})
def case_note(request, case_id: int, body: NoteIn):
    return _act(request, case_id, lambda u: services.case_note(case_id=case_id, actor=u, note=body.note))


@router.post("/cases/{case_id}/resolve", response={200: CaseOut})
def case_resolve(request, case_id: int, body: ResolveIn):
    return _act(
        request, case_id, lambda u: services.case_resolve(case_id=case_id, actor=u, result=body.result)
    )


@router.post("/cases/{case_id}/rate", response={200: CaseOut})
def case_rate(request, case_id: int, body: RateIn):
    return _act(
        request,
        case_id,
        lambda u: services.case_rate(
            case_id=case_id,
            actor=u,
            satisfaction=body.satisfaction,
            comment=body.comment,
            if_unsatisfied=body.if_unsatisfied,
        ),
    )


@router.post("/cases/{case_id}/reopen", response={200: CaseOut})
def case_reopen(request, case_id: int, body: NoteIn):
    return _act(request, case_id, lambda u: services.case_reopen(case_id=case_id, actor=u, note=body.note))


@router.post("/cases/{case_id}/urge", response={200: CaseOut})
def case_urge(request, case_id: int, body: OptionalNoteIn):
    return _act(request, case_id, lambda u: services.case_urge(case_id=case_id, actor=u, note=body.note))


@router.post("/cases/{case_id}/escalate", response={200: CaseOut})
def case_escalate(request, case_id: int, body: EscalateIn):
    """`manual` for staff; `resident` when the reporter asks the next level. (The overdue sweep is
    not reachable from here: it skips the permission check.)"""
    return _act(
        request, case_id, lambda u: services.case_escalate(case_id=case_id, actor=u, reason=body.reason)
    )


@router.post("/cases/{case_id}/dispatch", response={200: CaseOut})
def case_dispatch(request, case_id: int, body: AssignIn):
    return _act(
        request,
        case_id,
        lambda u: services.case_dispatch(
            case_id=case_id,
            actor=u,
            person=_person(body.person_id),
            department=_department(body.department_id),
            note=body.note,
        ),
    )


@router.post("/cases/{case_id}/reassign", response={200: CaseOut})
def case_reassign(request, case_id: int, body: AssignIn):
    return _act(
        request,
        case_id,
        lambda u: services.case_reassign(
            case_id=case_id,
            actor=u,
            person=_person(body.person_id),
            department=_department(body.department_id),
            note=body.note,
        ),
    )


@router.post("/cases/{case_id}/take-over", response={200: CaseOut})
def case_take_over(request, case_id: int, body: OptionalNoteIn):
    return _act(request, case_id, lambda u: services.case_take_over(case_id=case_id, actor=u, note=body.note))


@router.post("/cases/{case_id}/reject", response={200: CaseOut})
def case_reject(request, case_id: int, body: RejectIn):
    return _act(
        request, case_id, lambda u: services.case_reject(case_id=case_id, actor=u, reason=body.reason)
    )


@router.post("/cases/{case_id}/merge", response={200: CaseOut})
def case_merge(request, case_id: int, body: MergeIn):
    """Merge this case (a duplicate) into `into_id`."""
    return _act(
        request, case_id, lambda u: services.case_merge(case_id=case_id, into_id=body.into_id, actor=u)
    )


@router.post("/cases/{case_id}/callback", response={200: CaseOut})
def case_callback(request, case_id: int, body: CallbackIn):
    return _act(
        request,
        case_id,
        lambda u: services.case_callback(
            case_id=case_id, actor=u, note=body.note, satisfaction=body.satisfaction
        ),
    )


@router.post("/cases/{case_id}/me-too", response={200: CaseOut})
def case_me_too(request, case_id: int):
    """附议: follow a case you can see (or a public one) instead of reporting it again."""
    user = request.auth
    _check_id(case_id)
    if not (
        selectors.case_visible(user=user).filter(pk=case_id).exists()
        or selectors.public_cases().filter(pk=case_id).exists()
    ):
        raise CaseNotFound("case_not_found", _("诉求不存在"))

    def run():
        services.case_me_too(case_id=case_id, actor=user)
        return 200, _case_json(case_id, user)

    return Status(*replayable(request, run))


@router.post("/cases/{case_id}/summon", response={201: list[SummonsOut]})
def case_summon(request, case_id: int, body: SummonIn):
    """吹哨: summon departments or utilities, each to answer within `hours`."""
    _check_id(case_id)
    departments = list(Department.objects.filter(pk__in=set(body.department_ids)))
    if len(departments) != len(set(body.department_ids)):
        raise CaseError("unknown_department", _("部门或单位不存在"), field="department_ids")

    def run():
        summonses = services.case_summon(
            case_id=case_id, actor=request.auth, departments=departments, note=body.note, hours=body.hours
        )
        return 201, [SummonsOut.model_validate(summons_out(s)).model_dump(mode="json") for s in summonses]

    return Status(*replayable(request, run))


@router.post("/summonses/{summons_id}/answer", response={200: SummonsOut}, tags=["summonses"])
def summons_answer(request, summons_id: int, body: AnswerIn):
    if not 1 <= summons_id <= MAX_ID:
        raise CaseNotFound("summons_not_found", _("吹哨记录不存在"))

    def run():
        summons = services.summons_answer(summons_id=summons_id, actor=request.auth, answer=body.answer)
        return 200, SummonsOut.model_validate(summons_out(summons)).model_dump(mode="json")

    return Status(*replayable(request, run))


@router.post("/cases/{case_id}/request-extension", response={201: ExtensionOut})
def case_request_extension(request, case_id: int, body: ExtensionRequestIn):
    _check_id(case_id)

    def run():
        ext = services.case_request_extension(
            case_id=case_id, actor=request.auth, days=body.days, reason=body.reason
        )
        return 201, ExtensionOut.model_validate(extension_out(ext)).model_dump(mode="json")

    return Status(*replayable(request, run))


@router.post("/cases/{case_id}/decide-extension", response={200: ExtensionOut})
def case_decide_extension(request, case_id: int, body: ExtensionDecisionIn):
    """Approve or refuse the case's pending extension request (or the one named by `request_id`)."""
    case = _visible(request.auth, case_id)
    pending = ExtensionRequest.objects.filter(case=case)
    pending = (
        pending.filter(pk=body.request_id)
        if body.request_id
        else pending.filter(state=ExtensionRequest.State.PENDING)
    )
    ext = pending.order_by("-requested_at").first()
    if ext is None:
        raise CaseNotFound("extension_not_found", _("延期申请不存在"))

    def run():
        decided = services.case_decide_extension(
            request_id=ext.pk, actor=request.auth, approve=body.approve, note=body.note
        )
        return 200, ExtensionOut.model_validate(extension_out(decided)).model_dump(mode="json")

    return Status(*replayable(request, run))


class HotlineRowOut(Schema):
    line: int | None
    reason: str


class HotlineReportOut(Schema):
    file_name: str
    rows: int
    created: list[str]
    repeated: list[str]
    rejected: list[HotlineRowOut]
    summary: str


@router.post("/hotline/import", response={200: HotlineReportOut}, tags=["hotline"])
def hotline_import(request, file: File[UploadedFile]):
    """Import a 12345 hotline export (.xlsx or .csv). Good rows become routed cases with channel
    "hotline"; rows whose ticket number was imported before create nothing; bad rows come back with
    their line and reason. Secretaries and administrators only."""
    from muling.errors import Forbidden

    from .hotline import hotline_import as run_import

    if not request.user.has_perm("cases.import_hotline"):
        raise Forbidden("forbidden", _("您无权导入热线工单"))
    report = run_import(file_obj=file, file_name=file.name or "", actor=request.user)
    return Status(
        200,
        {
            "file_name": report.file_name,
            "rows": report.rows,
            "created": report.created,
            "repeated": report.repeated,
            "summary": report.summary(),
            "rejected": [{"line": line, "reason": reason} for line, reason in report.rejected],
        },
    )
