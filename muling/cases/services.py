"""Every write to a case. One transaction each; each writes its CaseEvent in that transaction and
schedules notifications on commit. Permission checks go through rules.require, so the screens and
the API refuse exactly the same things; an illegal move raises before anything is written."""

import uuid
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.people import scope
from muling.people.models import Department, Person
from muling.places.models import Area, Household

from . import deadlines, events, photos, reference, routing, transitions
from .enums import OPEN_STATUSES, Action, Channel, EventKind, Level, Satisfaction, Status
from .errors import CaseError, CaseNotFound
from .models import Case, CasePhoto, Category, ExtensionRequest, MeToo, Summons
from .recipients import department_user_ids, follower_user_ids, handler_user_ids, users_of_people
from .rules import require

MAX_TEXT = 4000
STAFF_CHANNELS = {Channel.PATROL, Channel.VISIT, Channel.MEETING, Channel.HOTLINE, Channel.WALK_IN}


# ---- helpers -------------------------------------------------------------------------------------


def _lock(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound("case_not_found", _("诉求不存在"))
    return case


def _notify(case: Case, kind: str, user_ids, *, to_handlers: bool = False) -> None:
    """Tell `user_ids` (and, with `to_handlers`, whoever handles the case when the message goes out —
    worked out by the worker, which keeps intake's request short) after commit."""
    _notify_all(case, [(kind, user_ids, to_handlers)])


def _notify_all(case: Case, messages, *, check_repeats: bool = False) -> None:
    """Several (kind, user ids, to_handlers) messages about `case` — and, for a new case, the look
    for its reporter's repeats — queued as one task after commit."""
    messages = [(kind, sorted(set(ids)), to_handlers) for kind, ids, to_handlers in messages]
    messages = [m for m in messages if m[1] or m[2]]
    if not messages and not check_repeats:
        return
    from .tasks import send_notifications

    transaction.on_commit(
        lambda: send_notifications(case_id=case.pk, messages=messages, check_repeats=check_repeats)
    )


def _move(
    case: Case, action: Action, *, actor, kind: EventKind, note: str = "", data=None, fields=()
) -> Case:
    """Apply `action` through the transition table, save `fields` and write the event."""
    before = case.status
    case.status = transitions.target(before, action)
    case.save(update_fields=["status", "updated_at", *fields])
    events.record(case, kind, actor=actor, from_status=before, note=note, data=data)
    return case


def _set_owner(case: Case, owner: routing.Owner) -> None:
    case.owner_area = owner.area
    case.owner_person = owner.person
    case.owner_department = owner.department


def _clean_text(text: str, *, field: str = "text", required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if required and not text:
        raise CaseError("text_required", _("请填写内容"), field=field)
    if len(text) > limit:
        raise CaseError("text_too_long", _("内容不能超过 %(n)d 字") % {"n": limit}, field=field)
    return text


# ---- intake --------------------------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *,
    category: Category | None,
    text: str,
    channel: str,
    reporter=None,
    actor=None,
    household: Household | None = None,
    area: Area | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    hide_name: bool = True,
    is_public: bool = True,
    answers: dict | None = None,
    photo_uploads=(),
    idempotency_key: str | None = None,
    external_id: str = "",
    now: datetime | None = None,
    check_repeats: bool = False,
) -> Case:
    """Record a problem from any channel and route it. Later modules (visits, meetings, fund needs)
    call this too. A retry with the same idempotency key (or the same external ticket number for a
    channel) returns the first case and creates nothing. `check_repeats` (the residents' own doors:
    web form and API) has the reporter's near-identical repeats looked for after commit, off the
    request (abuse.flag_if_repeated); staff channels are never checked."""
    existing = _existing_submission(idempotency_key, channel, external_id)
    if existing is not None:
        return existing
    text = _clean_text(text)
    if category is None or not category.is_active:
        raise CaseError("unknown_category", _("请选择有效的事项分类"), field="category")
    if channel not in Channel.values:
        raise CaseError("unknown_channel", _("未知的来源渠道"), field="channel")
    if lat is not None and not (-90 <= lat <= 90) or lon is not None and not (-180 <= lon <= 180):
        raise CaseError("bad_coordinates", _("坐标超出范围"), field="lat")
    place = routing.locate(household=household, area=area, lat=lat, lon=lon, find_grid=reference.grid_of)
    if place is None:
        raise CaseError("location_required", _("请选择问题发生的位置"), field="area")
    actor = actor or reporter
    if channel in STAFF_CHANNELS and actor is not None and not scope.covers(actor, place.area):
        raise CaseError("place_out_of_scope", _("该位置不在您负责的范围内"), field="area")
    cleaned_photos = photos.clean_photos(photo_uploads)
    now = now or timezone.now()
    level, owner = reference.route(category, place)
    case = Case(
        number=f"tmp-{uuid.uuid4().hex}",
        text=text,
        category=category,
        channel=channel,
        reporter=reporter,
        contact_name=(contact_name or "").strip()[:50],
        contact_phone=(contact_phone or "").strip()[:20],
        hide_name=hide_name,
        is_public=is_public,
        area=place.area,
        area_path=place.area.path,
        grid=place.grid,
        household=place.household,
        lat=lat,
        lon=lon,
        address=(address or reference.full_name(place.area))[:200],
        level=level,
        created_at=now,
        dispatch_deadline=deadlines.dispatch_deadline(category, start=now),
        deadline=deadlines.resolve_deadline(category, start=now),
        answers=answers or {},
        external_id=external_id or "",
        idempotency_key=idempotency_key or None,
    )
    _set_owner(case, owner)
    opening = [
        events.Spec(EventKind.CREATED, to_status=Status.SUBMITTED, data={"channel": channel}, actor=actor)
    ]
    if case.owner_person_id or case.owner_department_id:
        # A named handler: dispatched at once, in the same INSERT (no second write of the case row).
        case.status = transitions.target(Status.SUBMITTED, Action.DISPATCH)
        opening.append(events.Spec(EventKind.DISPATCHED, from_status=Status.SUBMITTED, data={"auto": True}))
    saved = _insert_new_case(case, now=now, idempotency_key=idempotency_key, external_id=external_id)
    if saved is not case:
        return saved  # a concurrent retry with the same key won the race: answer with its case
    for content in cleaned_photos:
        CasePhoto.objects.create(case=case, kind=CasePhoto.Kind.REPORT, image=content, uploaded_by=reporter)
    events.record_opening(case, opening, at=now)
    # The reporter's receipt; the handler, or the queue's secretaries when nobody is named.
    _notify_all(
        case,
        [(EventKind.CREATED, [reporter.pk] if reporter else [], False), (EventKind.DISPATCHED, [], True)],
        check_repeats=check_repeats and channel not in STAFF_CHANNELS and reporter is not None,
    )
    return case


def _insert_new_case(case: Case, *, now: datetime, idempotency_key, external_id) -> Case:
    """Insert the case with its number (date + id). On PostgreSQL the id is drawn from the sequence
    first, so the row is written once; elsewhere the number is set after the insert."""
    if connection.vendor == "postgresql":
        case.pk = _next_case_id()
        case.number = _case_number(now, case.pk)
    if idempotency_key or external_id:
        try:
            with transaction.atomic():
                case.save(force_insert=True)
        except IntegrityError:
            existing = _existing_submission(idempotency_key, case.channel, external_id)
            if existing is None:
                raise
            return existing
    else:
        case.save(force_insert=True)
    if connection.vendor != "postgresql":
        case.number = _case_number(now, case.pk)
        case.save(update_fields=["number"])
    return case


def _case_number(now: datetime, pk: int) -> str:
    return f"{timezone.localtime(now):%Y%m%d}{pk:06d}"


def _next_case_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Case._meta.db_table])
        return cursor.fetchone()[0]


def _existing_submission(idempotency_key, channel, external_id) -> Case | None:
    if idempotency_key:
        found = Case.objects.filter(idempotency_key=idempotency_key).first()
        if found:
            return found
    if external_id:
        return Case.objects.filter(channel=channel, external_id=external_id).first()
    return None


@transaction.atomic
def case_me_too(*, case_id: int, actor) -> Case:
    case = _lock(case_id)
    require(actor, "cases.me_too", case)
    transitions.target(case.status, Action.ME_TOO)
    _follow, created = MeToo.objects.get_or_create(case=case, user=actor)
    if created:
        Case.objects.filter(pk=case.pk).update(me_too_count=F("me_too_count") + 1)
        case.refresh_from_db()
        events.record(case, EventKind.ME_TOO, actor=actor)
    return case


# ---- dispatch and handling -----------------------------------------------------------------------


@transaction.atomic
def case_dispatch(
    *, case_id: int, actor, person: Person | None = None, department: Department | None = None, note: str = ""
) -> Case:
    """A supervisor or the queue's holder sends a submitted case to a handler."""
    case = _lock(case_id)
    require(actor, "cases.dispatch_case", case)
    owner = _chosen_owner(case, person, department)
    transitions.target(case.status, Action.DISPATCH)
    _set_owner(case, owner)
    _move(
        case,
        Action.DISPATCH,
        actor=actor,
        kind=EventKind.DISPATCHED,
        note=_clean_text(note, required=False),
        fields=["owner_area", "owner_person", "owner_department"],
    )
    _notify(case, EventKind.DISPATCHED, handler_user_ids(case))
    return case


def _chosen_owner(case: Case, person: Person | None, department: Department | None) -> routing.Owner:
    if person is None and department is None:
        raise CaseError("handler_required", _("请选择承办人或承办部门"), field="person")
    if (
        person is not None
        and not person.posts.active().filter(area__path__in=_ancestor_paths(case.area)).exists()
        and not person.posts.active().filter(area__path__startswith=case.area_path).exists()
    ):
        raise CaseError("handler_out_of_area", _("承办人不在该诉求所在区域任职"), field="person")
    area = case.grid or case.owner_area
    return routing.Owner(area=area, person=person, department=department)


def _ancestor_paths(area: Area) -> list[str]:
    return [area.path[: i * Area.steplen] for i in range(1, area.depth + 1)]


@transaction.atomic
def case_accept(*, case_id: int, actor) -> Case:
    case = _lock(case_id)
    require(actor, "cases.accept_case", case)
    transitions.target(case.status, Action.ACCEPT)
    if case.owner_person_id is None and actor is not None and actor.person_id:
        case.owner_person_id = actor.person_id  # the queue's holder who accepts becomes the handler
    case.accepted_at = timezone.now()
    _move(case, Action.ACCEPT, actor=actor, kind=EventKind.ACCEPTED, fields=["accepted_at", "owner_person"])
    _notify(case, EventKind.ACCEPTED, follower_user_ids(case))
    return case


@transaction.atomic
def case_note(*, case_id: int, actor, note: str) -> Case:
    case = _lock(case_id)
    require(actor, "cases.note_case", case)
    note = _clean_text(note, field="note")
    _move(case, Action.NOTE, actor=actor, kind=EventKind.NOTE, note=note)
    return case


@transaction.atomic
def case_resolve(*, case_id: int, actor, result: str, photo_uploads=()) -> Case:
    case = _lock(case_id)
    require(actor, "cases.resolve_case", case)
    transitions.target(case.status, Action.RESOLVE)
    case.result = _clean_text(result, field="result")
    cleaned = photos.clean_photos(photo_uploads)
    case.resolved_at = timezone.now()
    _move(
        case,
        Action.RESOLVE,
        actor=actor,
        kind=EventKind.RESOLVED,
        note=case.result,
        fields=["result", "resolved_at"],
    )
    for content in cleaned:
        CasePhoto.objects.create(case=case, kind=CasePhoto.Kind.RESULT, image=content, uploaded_by=actor)
    _notify(case, EventKind.RESOLVED, follower_user_ids(case))
    return case


@transaction.atomic
def case_rate(
    *, case_id: int, actor, satisfaction: str, comment: str = "", if_unsatisfied: str = "reopen"
) -> Case:
    """The resident confirms and rates. "Not satisfied" reopens the case or asks the next level."""
    case = _lock(case_id)
    require(actor, "cases.rate_case", case)
    if satisfaction not in Satisfaction.values:
        raise CaseError("bad_satisfaction", _("请选择满意、基本满意或不满意"), field="satisfaction")
    if case.status != Status.RESOLVED:
        raise CaseError("not_resolved", _("诉求尚未办结，暂不能评价"))
    if if_unsatisfied not in {"reopen", "escalate"}:
        raise CaseError("bad_choice", _("请选择返工或提交上级"), field="if_unsatisfied")
    case.satisfaction = satisfaction
    case.rating_comment = _clean_text(comment, field="comment", required=False, limit=500)
    case.save(update_fields=["satisfaction", "rating_comment", "updated_at"])
    events.record(
        case,
        EventKind.RATED,
        actor=actor,
        from_status=case.status,
        note=case.rating_comment,
        data={"satisfaction": satisfaction},
    )
    if satisfaction != Satisfaction.UNSATISFIED:
        case.closed_at = timezone.now()
        _move(case, Action.CONFIRM, actor=actor, kind=EventKind.CLOSED, fields=["closed_at"])
        _notify(case, EventKind.CLOSED, handler_user_ids(case))
        return case
    if if_unsatisfied == "escalate" and case.level < Level.COUNTY:
        return _escalate(case, actor=actor, reason="resident")
    case.reopen_count += 1
    _move(case, Action.REOPEN, actor=actor, kind=EventKind.REOPENED, fields=["reopen_count"])
    _notify(case, EventKind.REOPENED, handler_user_ids(case))
    return case


@transaction.atomic
def case_add_photos(*, case_id: int, actor, kind: str, photo_uploads) -> list[CasePhoto]:
    """Add photos after the fact: the reporter to their problem while it is being handled, the handler
    to the result while working on it or once resolved. The photos are noted on the timeline."""
    case = _lock(case_id)
    if kind == CasePhoto.Kind.REPORT:
        require(actor, "cases.add_report_photos", case)
        allowed = set(OPEN_STATUSES)
    elif kind == CasePhoto.Kind.RESULT:
        require(actor, "cases.resolve_case", case)  # the handler
        allowed = {Status.IN_PROGRESS, Status.RESOLVED}
    else:
        raise CaseError("bad_photo_kind", _("照片类型应为 report 或 result"), field="kind")
    if case.status not in allowed:
        transitions.target(case.status, "add_photos")  # raises the usual "illegal transition" error
    cleaned = photos.clean_photos(photo_uploads)
    if not cleaned:
        raise CaseError("photos_required", _("请选择照片"), field="photos")
    if case.photos.filter(kind=kind).count() + len(cleaned) > photos.MAX_PHOTOS:
        raise CaseError(
            "too_many_photos", _("最多上传 %(n)d 张照片") % {"n": photos.MAX_PHOTOS}, field="photos"
        )
    added = [CasePhoto.objects.create(case=case, kind=kind, image=c, uploaded_by=actor) for c in cleaned]
    _move(
        case,
        Action.NOTE,
        actor=actor,
        kind=EventKind.NOTE,
        note=_("补充照片 %(n)d 张") % {"n": len(added)},
        data={"photos": len(added), "kind": kind},
    )
    return added


@transaction.atomic
def case_reopen(*, case_id: int, actor, note: str) -> Case:
    """A supervisor sends a resolved case back (返工) before the resident has rated it."""
    case = _lock(case_id)
    require(actor, "cases.urge_case", case)
    transitions.target(case.status, Action.REOPEN)
    case.reopen_count += 1
    _move(
        case,
        Action.REOPEN,
        actor=actor,
        kind=EventKind.REOPENED,
        note=_clean_text(note, field="note"),
        fields=["reopen_count"],
    )
    _notify(case, EventKind.REOPENED, handler_user_ids(case))
    return case


@transaction.atomic
def case_reject(*, case_id: int, actor, reason: str) -> Case:
    case = _lock(case_id)
    require(actor, "cases.reject_case", case)
    transitions.target(case.status, Action.REJECT)
    case.reject_reason = _clean_text(reason, field="reason", limit=200)
    case.closed_at = timezone.now()
    _move(
        case,
        Action.REJECT,
        actor=actor,
        kind=EventKind.REJECTED,
        note=case.reject_reason,
        fields=["reject_reason", "closed_at"],
    )
    _notify(case, EventKind.REJECTED, follower_user_ids(case))
    return case


@transaction.atomic
def case_merge(*, case_id: int, into_id: int, actor) -> Case:
    """Merge a duplicate into another open case; its reporter and followers follow the target."""
    if case_id == into_id:
        raise CaseError("merge_into_self", _("不能与自身合并"), field="into")
    first, second = sorted([case_id, into_id])  # lock in id order: two opposite merges cannot deadlock
    locked = {first: _lock(first), second: _lock(second)}
    case, target = locked[case_id], locked[into_id]
    require(actor, "cases.merge_case", case)
    require(actor, "cases.merge_case", target)
    if target.status not in OPEN_STATUSES:
        raise CaseError("merge_target_closed", _("只能并入尚在办理的诉求"), field="into")
    case.duplicate_of = target
    case.closed_at = timezone.now()
    _move(
        case,
        Action.MERGE,
        actor=actor,
        kind=EventKind.MERGED,
        data={"into": target.number},
        fields=["duplicate_of", "closed_at"],
    )
    followers = set(follower_user_ids(case)) - {target.reporter_id}
    for user_id in followers:
        _follow, created = MeToo.objects.get_or_create(case=target, user_id=user_id)
        if created:
            target.me_too_count += 1
    target.save(update_fields=["me_too_count", "updated_at"])
    events.record(
        target,
        EventKind.NOTE,
        actor=actor,
        from_status=target.status,
        note=_("并入重复诉求 %(number)s") % {"number": case.number},
        data={"merged": case.number},
    )
    _notify(case, EventKind.MERGED, followers)
    return case


# ---- supervision ---------------------------------------------------------------------------------


@transaction.atomic
def case_urge(*, case_id: int, actor, note: str = "") -> Case:
    case = _lock(case_id)
    require(actor, "cases.urge_case", case)
    transitions.target(case.status, Action.URGE)
    case.urge_count += 1
    _move(
        case,
        Action.URGE,
        actor=actor,
        kind=EventKind.URGED,
        note=_clean_text(note, required=False),
        fields=["urge_count"],
    )
    _notify(case, EventKind.URGED, handler_user_ids(case))
    return case


@transaction.atomic
def case_reassign(
    *, case_id: int, actor, person: Person | None = None, department: Department | None = None, note: str = ""
) -> Case:
    case = _lock(case_id)
    require(actor, "cases.reassign_case", case)
    owner = _chosen_owner(case, person, department)
    transitions.target(case.status, Action.REASSIGN)
    _set_owner(case, owner)
    _move(
        case,
        Action.REASSIGN,
        actor=actor,
        kind=EventKind.REASSIGNED,
        note=_clean_text(note, required=False),
        fields=["owner_area", "owner_person", "owner_department"],
    )
    _notify(case, EventKind.REASSIGNED, handler_user_ids(case))
    return case


@transaction.atomic
def case_take_over(*, case_id: int, actor, note: str = "") -> Case:
    """A secretary takes the case on personally (书记领办); it is handled at the secretary's level."""
    case = _lock(case_id)
    require(actor, "cases.take_over_case", case)
    transitions.target(case.status, Action.TAKE_OVER)
    post = _secretary_post_over(actor, case)
    case.owner_area, case.owner_person, case.owner_department = post.area, actor.person, None
    case.level = max(case.level, _LEVEL_OF_AREA.get(post.area.level, case.level))
    case.accepted_at = case.accepted_at or timezone.now()
    _move(
        case,
        Action.TAKE_OVER,
        actor=actor,
        kind=EventKind.TAKEN_OVER,
        note=_clean_text(note, required=False),
        fields=["owner_area", "owner_person", "owner_department", "level", "accepted_at"],
    )
    _notify(case, EventKind.TAKEN_OVER, follower_user_ids(case))
    return case


def _secretary_post_over(actor, case: Case):
    from muling.people.roles import SECRETARY_ROLES

    posts = [
        p
        for p in scope.active_posts(actor)
        if p.role in SECRETARY_ROLES and case.area_path.startswith(p.area.path)
    ]
    if not posts:
        raise CaseError("not_a_secretary_here", _("只有该区域的书记可以领办"))
    return max(posts, key=lambda p: p.area.depth)  # the nearest level


_LEVEL_OF_AREA = {lvl_area: case_level for case_level, (lvl_area, _role) in routing.LADDER.items()}


@transaction.atomic
def case_escalate(*, case_id: int, actor, reason: str = "manual", now: datetime | None = None) -> Case:
    """Move a case one rung up the ladder.

    For reason="overdue" (the sweep) it is safe to call twice for the same missed deadline: the row lock
    plus the deadline check make the second call a no-op, which lets the sweep retry after a crash.
    """
    case = _lock_with_place(case_id)
    now = now or timezone.now()
    if reason == "overdue":
        if _due_for_escalation(case, now):
            _escalate(case, actor=actor, reason=reason, now=now)
        return case
    require(actor, "cases.ask_next_level" if reason == "resident" else "cases.escalate_case", case)
    return _escalate(case, actor=actor, reason=reason, now=now)


@transaction.atomic
def escalate_if_overdue(*, case_id: int, now: datetime) -> bool:
    """The sweep's step: escalate one case if, under its row lock, it is still past its deadline.
    True when it moved."""
    case = _lock_with_place(case_id)
    if not _due_for_escalation(case, now):
        return False
    _escalate(case, actor=None, reason="overdue", now=now)
    return True


def _due_for_escalation(case: Case, now: datetime) -> bool:
    return case.is_overdue(now=now) and case.level < Level.COUNTY


def _lock_with_place(case_id: int) -> Case:
    """The case under its row lock, with the area, grid and category an escalation reads (fetched in
    the same query; only the case row is locked)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "grid", "category")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise CaseNotFound("case_not_found", _("诉求不存在"))
    return case


def _escalate(case: Case, *, actor, reason: str, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    if case.level >= Level.COUNTY:
        raise CaseError("top_of_ladder", _("已在县级党委办理，不能再升级"))
    transitions.target(case.status, Action.ESCALATE)
    place = routing.Place(area=case.area, grid=case.grid)
    next_level = case.level + 1
    owner = routing.owner_at_level(place, next_level)
    while owner is None and next_level < Level.COUNTY:  # a missing rung (no street above) is skipped
        next_level += 1
        owner = routing.owner_at_level(place, next_level)
    if owner is None:
        raise CaseError("top_of_ladder", _("没有更高一级可以升级"))
    from_level = case.level
    case.level = next_level
    _set_owner(case, owner)
    case.escalation_count += 1
    case.deadline = deadlines.resolve_deadline(case.category, start=now)
    case.accepted_at = None
    _move(
        case,
        Action.ESCALATE,
        actor=actor,
        kind=EventKind.ESCALATED,
        data={"from": from_level, "to": next_level, "reason": reason},
        fields=[
            "level",
            "owner_area",
            "owner_person",
            "owner_department",
            "escalation_count",
            "deadline",
            "accepted_at",
        ],
    )
    _notify(case, EventKind.ESCALATED, handler_user_ids(case) + follower_user_ids(case))
    return case


@transaction.atomic
def case_request_extension(*, case_id: int, actor, days: int, reason: str) -> ExtensionRequest:
    case = _lock(case_id)
    require(actor, "cases.request_extension", case)
    transitions.target(case.status, Action.REQUEST_EXTENSION)
    if not isinstance(days, int) or not 1 <= days <= 30:
        raise CaseError("bad_days", _("延期天数应在 1 到 30 天之间"), field="days")
    reason = _clean_text(reason, field="reason", limit=300)
    if case.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise CaseError("extension_pending", _("已有待审批的延期申请"))
    request = ExtensionRequest.objects.create(
        case=case, requested_by=actor, requested_at=timezone.now(), days=days, reason=reason
    )
    _move(
        case,
        Action.REQUEST_EXTENSION,
        actor=actor,
        kind=EventKind.EXTENSION_REQUESTED,
        note=reason,
        data={"days": days, "request": request.pk},
    )
    supervisors = _supervisor_user_ids(case)
    _notify(case, EventKind.EXTENSION_REQUESTED, supervisors)
    return request


def _supervisor_user_ids(case: Case) -> list[int]:
    from muling.people.models import Post

    from .rules import SUPERVISOR_ROLES

    posts = Post.objects.active().filter(role__in=SUPERVISOR_ROLES, area__path__in=_ancestor_paths(case.area))
    return users_of_people(posts.values_list("person_id", flat=True))


@transaction.atomic
def case_decide_extension(*, request_id: int, actor, approve: bool, note: str = "") -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise CaseNotFound("extension_not_found", _("延期申请不存在"))
    case = _lock(request.case_id)
    require(actor, "cases.decide_extension", case)
    if request.state != ExtensionRequest.State.PENDING:
        raise CaseError("extension_decided", _("该延期申请已审批"))
    if actor is not None and request.requested_by_id == actor.pk:
        raise CaseError("own_extension", _("不能审批自己的延期申请"))
    transitions.target(case.status, Action.DECIDE_EXTENSION)
    request.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    fields = []
    if approve:
        case.deadline = deadlines.add_days(case.category, start=case.deadline, days=request.days)
        case.extended = True
        fields = ["deadline", "extended"]
    kind = EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED
    _move(
        case,
        Action.DECIDE_EXTENSION,
        actor=actor,
        kind=kind,
        note=_clean_text(note, required=False),
        data={"days": request.days, "request": request.pk},
        fields=fields,
    )
    _notify(case, kind, handler_user_ids(case))
    return request


# ---- 吹哨报到 ------------------------------------------------------------------------------------

SUMMONS_HOURS = 24


@transaction.atomic
def case_summon(
    *, case_id: int, actor, departments: list[Department], note: str = "", hours: int = SUMMONS_HOURS
) -> list[Summons]:
    case = _lock(case_id)
    require(actor, "cases.summon_departments", case)
    transitions.target(case.status, Action.SUMMON)
    departments = list({d.pk: d for d in departments or []}.values())
    if not departments:
        raise CaseError("departments_required", _("请选择要吹哨的部门或单位"), field="departments")
    if not 1 <= int(hours) <= 24 * 15:
        raise CaseError("bad_hours", _("答复时限应在 1 小时到 15 天之间"), field="hours")
    open_ids = set(case.summonses.filter(answered_at__isnull=True).values_list("department_id", flat=True))
    already = [d.name for d in departments if d.pk in open_ids]
    if already:
        raise CaseError(
            "already_summoned",
            _("已吹哨待答复：%(names)s") % {"names": "、".join(already)},
            field="departments",
        )
    now = timezone.now()
    summonses = [
        Summons.objects.create(
            case=case,
            department=d,
            summoned_by=actor,
            summoned_at=now,
            deadline=now + timezone.timedelta(hours=int(hours)),
            note=_clean_text(note, required=False),
        )
        for d in departments
    ]
    _move(
        case,
        Action.SUMMON,
        actor=actor,
        kind=EventKind.SUMMONED,
        note=note,
        data={
            "departments": [d.pk for d in departments],
            "names": [d.name for d in departments],
            "hours": int(hours),
        },
    )
    for d in departments:
        _notify(case, EventKind.SUMMONED, department_user_ids(d.pk))
    return summonses


@transaction.atomic
def summons_answer(*, summons_id: int, actor, answer: str) -> Summons:
    summons = Summons.objects.select_for_update().filter(pk=summons_id).first()
    if summons is None:
        raise CaseNotFound("summons_not_found", _("吹哨记录不存在"))
    case = _lock(summons.case_id)
    require(actor, "cases.answer_summons", summons)
    if summons.answered_at is not None:
        raise CaseError("summons_answered", _("该单位已报到答复"))
    transitions.target(case.status, Action.ANSWER_SUMMONS)
    summons.answer = _clean_text(answer, field="answer")
    summons.answered_at, summons.answered_by = timezone.now(), actor
    summons.save(update_fields=["answer", "answered_at", "answered_by"])
    _move(
        case,
        Action.ANSWER_SUMMONS,
        actor=actor,
        kind=EventKind.SUMMONS_ANSWERED,
        note=summons.answer,
        data={
            "department": summons.department_id,
            "name": summons.department.name,
            "on_time": summons.answered_on_time,
        },
    )
    _notify(
        case,
        EventKind.SUMMONS_ANSWERED,
        handler_user_ids(case) + ([summons.summoned_by_id] if summons.summoned_by_id else []),
    )
    return summons


@transaction.atomic
def case_callback(*, case_id: int, actor, note: str, satisfaction: str = "") -> Case:
    """A staff call-back (回访) to the resident, recorded on the timeline."""
    case = _lock(case_id)
    require(actor, "cases.callback_case", case)
    transitions.target(case.status, Action.CALLBACK)
    if satisfaction and satisfaction not in Satisfaction.values:
        raise CaseError("bad_satisfaction", _("请选择满意、基本满意或不满意"), field="satisfaction")
    _move(
        case,
        Action.CALLBACK,
        actor=actor,
        kind=EventKind.CALLBACK,
        note=_clean_text(note, field="note"),
        data={"satisfaction": satisfaction} if satisfaction else {},
    )
    return case


# ---- sweeps (run by tasks.py) --------------------------------------------------------------------


def escalate_overdue_cases(*, now: datetime | None = None, batch: int = 500) -> int:
    """Escalate every open case past its deadline, one transaction per case. Exactly once per missed
    deadline: the escalation sets a new deadline in the future, and case_escalate re-checks under the
    row lock, so a crash or a second worker running the same sweep does no harm."""
    now = now or timezone.now()
    ids = list(
        Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now, level__lt=Level.COUNTY)
        .order_by("deadline")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(escalate_if_overdue(case_id=case_id, now=now) for case_id in ids)


UNRATED_CLOSE_DAYS = 7


def close_unrated_cases(*, now: datetime | None = None, days: int | None = None, batch: int = 500) -> int:
    """Close cases resolved more than `days` ago that nobody rated — as "not rated", never satisfied."""
    now = now or timezone.now()
    days = _unrated_days(days)
    cutoff = now - timezone.timedelta(days=days)
    ids = list(
        Case.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).values_list("pk", flat=True)[
            :batch
        ]
    )
    return sum(case_close_unrated(case_id=case_id, now=now, days=days) is not None for case_id in ids)


def _unrated_days(days: int | None) -> int:
    from django.conf import settings

    return days if days is not None else getattr(settings, "CASE_UNRATED_CLOSE_DAYS", UNRATED_CLOSE_DAYS)


@transaction.atomic
def case_close_unrated(*, case_id: int, now: datetime | None = None, days: int | None = None) -> Case | None:
    """Close one resolved case nobody rated within `days`; None (and no change) if it no longer qualifies,
    which makes a retried or concurrent sweep harmless."""
    now = now or timezone.now()
    case = _lock(case_id)
    if case.status != Status.RESOLVED or case.resolved_at >= now - timezone.timedelta(
        days=_unrated_days(days)
    ):
        return None
    case.closed_at = now
    return _move(
        case,
        Action.CLOSE_UNRATED,
        actor=None,
        kind=EventKind.CLOSED,
        data={"unrated": True},
        fields=["closed_at"],
    )
