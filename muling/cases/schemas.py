"""Shapes of the cases API (ninja/pydantic). Output is built by the functions at the bottom, which decide
what a given user may see — the reporter's identity only with `cases.see_reporter`."""

from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from muling.places.models import Area

from .enums import Channel, EventKind, Level, Satisfaction, Status
from .models import Case, CaseEvent, Category, ExtensionRequest, Notification, Summons

MAX_ID = 2**63 - 1
Id = Field(..., ge=1, le=MAX_ID)

# Channels a caller of the REST API may name; staff channels are checked against the caller's scope by
# case_submit. Open311 and hotline tickets come in through their own doors.
ApiChannel = Literal["api", "web", "service_card", "patrol", "visit", "meeting", "walk_in"]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]
SatisfactionCode = Literal[tuple(Satisfaction.values)]  # type: ignore[valid-type]


# ---- input ---------------------------------------------------------------------------------------


class CaseSubmitIn(Schema):
    category: str = Field(..., max_length=40, description="Category.code (see GET /categories)")
    text: str = Field(..., max_length=20000)
    household_id: int | None = Field(None, ge=1, le=MAX_ID)
    area_code: str | None = Field(None, max_length=18)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    hide_name: bool = True
    is_public: bool = True
    answers: dict[str, Any] = Field(default_factory=dict)
    channel: ApiChannel = "api"
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class NoteIn(Schema):
    note: str = Field(..., max_length=20000)


class OptionalNoteIn(Schema):
    note: str = Field("", max_length=20000)


class ResolveIn(Schema):
    result: str = Field(..., max_length=20000)


class RateIn(Schema):
    satisfaction: SatisfactionCode
    comment: str = Field("", max_length=2000)
    if_unsatisfied: Literal["reopen", "escalate"] = "reopen"


class EscalateIn(Schema):
    reason: Literal["manual", "resident"] = "manual"


class AssignIn(Schema):
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    department_id: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=20000)


class RejectIn(Schema):
    reason: str = Field(..., max_length=2000)


class MergeIn(Schema):
    into_id: int = Field(..., ge=1, le=MAX_ID)


class SummonIn(Schema):
    department_ids: list[int] = Field(..., min_length=1, max_length=50)
    note: str = Field("", max_length=20000)
    hours: int = Field(24, ge=1, le=24 * 15)


class ExtensionRequestIn(Schema):
    days: int = Field(..., ge=1, le=30)
    reason: str = Field(..., max_length=2000)


class ExtensionDecisionIn(Schema):
    approve: bool
    request_id: int | None = Field(None, ge=1, le=MAX_ID, description="defaults to the pending one")
    note: str = Field("", max_length=20000)


class CallbackIn(Schema):
    note: str = Field(..., max_length=20000)
    satisfaction: SatisfactionCode | Literal[""] = ""


class AnswerIn(Schema):
    answer: str = Field(..., max_length=20000)


# ---- output --------------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name: str


class AreaRef(Ref):
    level: int


class CategoryOut(Schema):
    code: str
    name: str
    description: str
    dispatch_hours: int
    resolve_days: int
    extra_questions: list[dict[str, Any]]


class ReporterOut(Schema):
    user_id: int | None
    name: str
    phone: str


class OwnerOut(Schema):
    area: AreaRef
    person: str | None
    department: str | None


class CaseSummaryOut(Schema):
    id: int
    number: str
    short_text: str
    category: Ref
    status: str
    status_label: str
    level: int
    area: AreaRef
    created_at: datetime
    deadline: datetime
    is_overdue: bool


class CaseOut(CaseSummaryOut):
    text: str
    channel: str
    channel_label: str
    level_label: str
    grid: AreaRef | None
    address: str
    lat: float | None
    lon: float | None
    owner: OwnerOut
    updated_at: datetime
    dispatch_deadline: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    result: str
    reject_reason: str
    satisfaction: str
    rating_comment: str
    duplicate_of: str | None
    urge_count: int
    escalation_count: int
    reopen_count: int
    me_too_count: int
    extended: bool
    is_public: bool
    hide_name: bool
    answers: dict[str, Any]
    photos: list[str]
    reporter: ReporterOut | None = Field(None, description="only for users allowed to see the reporter")


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next: str | None


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    at: datetime
    from_status: str
    to_status: str
    level: int
    actor: str | None
    note: str
    data: dict[str, Any]


class ExtensionOut(Schema):
    id: int
    case_id: int
    days: int
    reason: str
    state: str
    requested_at: datetime
    decided_at: datetime | None


class SummonsOut(Schema):
    id: int
    case_id: int
    department: str
    summoned_at: datetime
    deadline: datetime
    note: str
    answered_at: datetime | None
    answer: str


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    case_id: int | None
    case_number: str | None
    created_at: datetime
    read_at: datetime | None


# ---- building output -----------------------------------------------------------------------------


def area_ref(area: Area | None) -> dict | None:
    if area is None:
        return None
    return {"code": area.code, "name": area.name, "level": area.level}


def category_out(category: Category) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "dispatch_hours": category.dispatch_hours,
        "resolve_days": category.resolve_days,
        "extra_questions": list(category.extra_questions or []),
    }


def case_summary(case: Case, *, now=None) -> dict:
    now = now or timezone.now()
    return {
        "id": case.pk,
        "number": case.number,
        "short_text": case.short_text,
        "category": {"code": case.category.code, "name": case.category.name},
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "level": case.level,
        "area": area_ref(case.area),
        "created_at": case.created_at,
        "deadline": case.deadline,
        "is_overdue": case.is_overdue(now=now),
    }


def case_out(case: Case, *, user) -> dict:
    """The full case as `user` may see it."""
    data = case_summary(case)
    from .selectors import reporter_contact

    reporter = reporter_contact(case, viewer=user)
    data.update(
        text=case.text,
        channel=case.channel,
        channel_label=str(Channel(case.channel).label) if case.channel in Channel.values else case.channel,
        level_label=str(Level(case.level).label),
        grid=area_ref(case.grid),
        address=case.address,
        lat=case.lat,
        lon=case.lon,
        owner={
            "area": area_ref(case.owner_area),
            "person": case.owner_person.name if case.owner_person_id else None,
            "department": case.owner_department.name if case.owner_department_id else None,
        },
        updated_at=case.updated_at,
        dispatch_deadline=case.dispatch_deadline,
        accepted_at=case.accepted_at,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        result=case.result,
        reject_reason=case.reject_reason,
        satisfaction=case.satisfaction,
        rating_comment=case.rating_comment,
        duplicate_of=case.duplicate_of.number if case.duplicate_of_id else None,
        urge_count=case.urge_count,
        escalation_count=case.escalation_count,
        reopen_count=case.reopen_count,
        me_too_count=case.me_too_count,
        extended=case.extended,
        is_public=case.is_public,
        hide_name=case.hide_name,
        answers=dict(case.answers or {}),
        photos=[p.image.url for p in case.photos.all()],
        reporter=reporter,
    )
    return data


# Events whose actor is the reporter or another resident: their name is identity.
_RESIDENT_EVENT_KINDS = {EventKind.CREATED, EventKind.RATED, EventKind.ME_TOO}


def event_out(event: CaseEvent, *, case: Case, may_see_reporter: bool) -> dict:
    actor = None
    if event.actor_id and (
        may_see_reporter or (event.kind not in _RESIDENT_EVENT_KINDS and event.actor_id != case.reporter_id)
    ):
        person = getattr(event.actor, "person", None)
        actor = person.name if person else event.actor.get_username()
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind,
        "at": event.at,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "level": event.level,
        "actor": actor,
        "note": event.note,
        "data": dict(event.data or {}),
    }


def extension_out(request: ExtensionRequest) -> dict:
    return {
        "id": request.pk,
        "case_id": request.case_id,
        "days": request.days,
        "reason": request.reason,
        "state": request.state,
        "requested_at": request.requested_at,
        "decided_at": request.decided_at,
    }


def summons_out(summons: Summons) -> dict:
    return {
        "id": summons.pk,
        "case_id": summons.case_id,
        "department": summons.department.name,
        "summoned_at": summons.summoned_at,
        "deadline": summons.deadline,
        "note": summons.note,
        "answered_at": summons.answered_at,
        "answer": summons.answer,
    }


def notification_out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "message": n.message,
        "case_id": n.case_id,
        "case_number": n.case.number if n.case_id else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }
