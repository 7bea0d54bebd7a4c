"""The case screens: report, my cases, the case page with its action forms, queues, the supervision
board, the inbox and the public view.

Views are thin. A case the user may not see is a 404 (selectors.case_get_by_number); every action
calls its one service, which checks the permission and the transition itself — the page only *offers*
an action when `has_perm` and the transition table both allow it. A DomainError from a service is
shown at the field it names (status 400); NotFound and Forbidden become 404 and 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from muling.errors import DomainError, Forbidden, NotFound
from muling.numbers import is_plain_number
from muling.places import selectors as places
from muling.places.levels import Level as AreaLevel
from muling.places.models import Area

from . import abuse, forms, routing, screens, selectors, services
from .actions import ACTIONS_BY_SLUG, action_form, offered
from .answers import allowed_keys, clean_answers, questions_of
from .enums import Action, Channel, Status
from .models import Case, CasePhoto, Category, MeToo, Notification
from .rules import department_ids
from .transitions import allowed_actions

# ---- helpers -------------------------------------------------------------------------------------


def _visible_case(request, number: str, *, or_public: bool = False) -> Case:
    case = selectors.case_get_by_number(user=request.user, number=number)
    if case is None and or_public:
        case = selectors.public_cases().filter(number=number).first()
    if case is None:
        raise Http404
    return case


def _next_url(request) -> str | None:
    url = request.POST.get("next") or request.GET.get("next")
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    ):
        return url
    return None


def _own_household(user):
    person = getattr(user, "person", None) if user.person_id else None
    return person.household if person is not None and person.household_id else None


def _category_from(value) -> Category | None:
    value = str(value or "").strip()
    if not value:
        return None
    qs = Category.objects.filter(is_active=True)
    return (qs.filter(pk=int(value)) if is_plain_number(value) else qs.filter(code=value[:40])).first()


def _raise_http(error: DomainError) -> None:
    """NotFound and Forbidden are answered as the pages 404 and 403; other refusals go to the form."""
    if isinstance(error, NotFound):
        raise Http404 from error
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error.message)) from error


def _answers_shown(case: Case) -> list[tuple[str, str]]:
    rows = []
    answers = case.answers or {}
    for question in questions_of(case.category):
        value = answers.get(question["code"])
        if value in (None, "", []):
            continue
        names = {
            str(v.get("key")): v.get("name") for v in question.get("values") or [] if isinstance(v, dict)
        }
        if allowed_keys(question):
            values = value if isinstance(value, list) else [value]
            value = "、".join(str(names.get(str(v), v)) for v in values)
        rows.append((question.get("label") or question["code"], value))
    return rows


def _render_case(request, case: Case, *, failed: tuple[str, object] | None = None, status: int = 200):
    user = request.user
    case = Case.objects.select_related(
        "category",
        "area",
        "grid",
        "owner_area",
        "owner_person",
        "owner_department",
        "reporter",
        "reporter__person",
        "duplicate_of",
    ).get(pk=case.pk)
    failed_slug, failed_form = failed or (None, None)
    offers = offered(user, case)
    handling = user.has_perm("cases.note_case", case)
    following = MeToo.objects.filter(case=case, user=user).exists()
    pending = screens.pending_extension(case)
    actions = []
    for action in offers:
        if action.slug == "me-too" and (following or handling):
            continue  # staff handle the case; a follower already follows it
        if action.slug == "request-extension" and pending is not None:
            continue  # the pending request is shown with its state instead
        form = failed_form if action.slug == failed_slug else action_form(action, case)
        actions.append({"action": action, "form": form, "open": action.slug == failed_slug})
    # Accept and "me too" are one tap; an action that needs words, or explanation, opens a small form.
    quick = [a for a in actions if not a["form"].fields and not a["action"].hint]
    actions = [a for a in actions if a not in quick]
    if actions and not any(a["open"] for a in actions) and actions[0]["action"].tone == "primary":
        actions[0]["open"] = True

    decide = None
    if (
        pending is not None
        and Action.DECIDE_EXTENSION in allowed_actions(case.status)
        and user.has_perm("cases.decide_extension", case)
    ):
        action = ACTIONS_BY_SLUG["decide-extension"]
        decide = (
            failed_form
            if failed_slug == action.slug
            else action_form(action, case, initial={"request": pending.pk})
        )

    summonses = []
    for summons in case.summonses.select_related("department").order_by("summoned_at", "id"):
        form = None
        if (
            summons.answered_at is None
            and Action.ANSWER_SUMMONS in allowed_actions(case.status)
            and user.has_perm("cases.answer_summons", summons)
        ):
            action = ACTIONS_BY_SLUG["answer-summons"]
            posted = failed_form if failed_slug == action.slug else None
            if posted is not None and str(posted.data.get("summons")) == str(summons.pk):
                form = posted
            else:
                form = forms.AnswerSummonsForm(
                    auto_id=f"summons-{summons.pk}-%s", initial={"summons": summons.pk}
                )
        summonses.append({"summons": summons, "form": form})

    placed = {a["action"].slug for a in actions + quick}
    if decide is not None:
        placed.add("decide-extension")
    if any(row["form"] is failed_form for row in summonses if failed_form is not None):
        placed.add("answer-summons")
    # A refusal of an action the page does not offer right now (the case moved on, or a forged post)
    # is shown above everything rather than lost.
    unplaced_errors = (
        [str(e) for errors in failed_form.errors.values() for e in errors]
        if failed_form is not None and failed_slug not in placed
        else []
    )

    photos = list(case.photos.order_by("created_at", "id"))
    context = {
        "case": case,
        "deadline": screens.deadline_of(case),
        "report_photos": [p for p in photos if p.kind == CasePhoto.Kind.REPORT],
        "result_photos": [p for p in photos if p.kind == CasePhoto.Kind.RESULT],
        "events": screens.timeline(case, user),
        "reporter": screens.reporter_of(case, user, path=request.path),
        "answers": _answers_shown(case),
        "channel_label": screens.channel_label(case.channel),
        "actions": actions,
        "quick_actions": quick,
        "pending_extension": pending,
        "decide_form": decide,
        "summonses": summonses,
        "following": following,
        "failed": failed_slug,
        "unplaced_errors": unplaced_errors,
        "is_reporter": case.reporter_id == user.pk,
        "community": places.community_of(case.area),
    }
    return render(request, "cases/case_detail.html", context, status=status)


# ---- intake --------------------------------------------------------------------------------------


def _building(code) -> Area | None:
    code = str(code or "").strip()
    return places.building_by_code(code) if is_plain_number(code) else None


@login_required
def report(request):
    """A resident's report: phone-first, under a minute. `?building=<code>` comes from the QR code of
    the building's service card: the place is that building and the channel "service_card"."""
    user = request.user
    household = _own_household(user)
    data = request.POST if request.method == "POST" else None
    card_building = _building(request.GET.get("building")) if data is None else None
    category = _category_from(data.get("category") if data else request.GET.get("category"))
    if data is None:
        if household:
            place = forms.PlaceChoice.HOME
        elif card_building or screens.map_community(user) is None:
            place = forms.PlaceChoice.BUILDING  # the scanned building, or the advice to scan one
        else:
            place = forms.PlaceChoice.MAP
        initial = {
            "key": forms.new_form_key(),
            "source": "card" if card_building else "web",
            "place": forms.PlaceChoice.BUILDING if card_building else place,
            "building": card_building.code if card_building else "",
            "category": category,
        }
        form = forms.ReportForm(initial=initial, category=category)
    else:
        form = forms.ReportForm(data, request.FILES, category=category)
    status = 200
    retry_after = None
    if data is not None:
        status = 400
        if form.is_valid():
            try:
                case = abuse.submit_limited(
                    request, request.user, lambda: _submit_report(request, form, category, household)
                )
            except abuse.ReportRateLimited as error:
                form.add_domain_error(error)
                case, status, retry_after = None, error.status, error.retry_after
            if case is not None:
                messages.success(
                    request, _("已提交，编号 %(number)s。办理进展会通知您。") % {"number": case.number}
                )
                return redirect("cases:detail", number=case.number)
    chosen_building = _building(form["building"].value())
    community = screens.map_community(user, chosen_building or card_building)
    context = {
        "form": form,
        "household": household,
        "card_building": card_building or (chosen_building if form["source"].value() == "card" else None),
        "buildings": screens.buildings_of_community(community),
        "chosen_building": chosen_building,
        "community": community,
        "map_tile_url": _map_tiles()[0],
        "map_tile_attribution": _map_tiles()[1],
    }
    response = render(request, "cases/report.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _map_tiles() -> tuple[str, str]:
    from django.conf import settings

    return settings.MAP_TILE_URL, settings.MAP_TILE_ATTRIBUTION


def _submit_report(request, form: forms.ReportForm, category, household) -> Case | None:
    cd = form.cleaned_data
    place = cd["place"] or (forms.PlaceChoice.HOME if household else forms.PlaceChoice.MAP)
    where: dict = {}
    if place == forms.PlaceChoice.HOME:
        where["household"] = household
    elif place == forms.PlaceChoice.BUILDING:
        where["area"] = _building(cd["building"])
    else:
        where.update(lat=cd["lat"], lon=cd["lon"])
    key = form.idempotency_key()
    try:
        answers = clean_answers(category, form.raw_answers(), ignore_unknown=True) if category else {}
        return services.case_submit(
            category=category,
            text=cd["text"],
            channel=form.channel(),
            reporter=request.user,
            hide_name=cd["hide_name"],
            answers=answers,
            photo_uploads=request.FILES.getlist("photos"),
            # Keys are per user: one user's key can never return another user's case.
            idempotency_key=f"web:{request.user.pk}:{key}" if key else None,
            check_repeats=True,
            **where,
        )
    except DomainError as error:
        form.add_domain_error(error)
        return None


@login_required
def questions(request):
    """The extra questions of a category, swapped into the report form by htmx when it changes."""
    category = _category_from(request.GET.get("category"))
    form = forms.ReportForm(category=category)
    return render(request, "cases/_questions.html", {"form": form})


def _similar_area(request) -> Area | None:
    params = request.GET
    code = (params.get("area") or "").strip()
    if code:
        return Area.objects.filter(code=code[:18]).first()
    place = params.get("place")
    if place == forms.PlaceChoice.HOME:
        household = _own_household(request.user)
        return household.building if household else None
    if place == forms.PlaceChoice.BUILDING:
        return _building(params.get("building"))
    try:
        lat, lon = float(params.get("lat", "")), float(params.get("lon", ""))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return routing.grid_at_point(lat=lat, lon=lon)


@login_required
def similar(request):
    """Open cases like the one being typed, nearby, offered for "me too" (附议) instead of a new report."""
    category = _category_from(request.GET.get("category"))
    area = _similar_area(request)
    text = (request.GET.get("text") or "")[:500]
    found = selectors.similar_open_cases(category=category, area=area, text=text) if text.strip() else []
    followed = set(
        MeToo.objects.filter(user=request.user, case__in=[c for c, _s in found]).values_list(
            "case_id", flat=True
        )
    )
    rows = [
        {"case": c, "score": s, "mine": c.reporter_id == request.user.pk, "following": c.pk in followed}
        for c, s in found
    ]
    return render(request, "cases/_similar.html", {"rows": rows})


def _staff_report(request, *, intake: bool):
    user = request.user
    if not screens.is_case_worker(user):
        raise PermissionDenied
    channels = [Channel.HOTLINE, Channel.WALK_IN] if intake else [Channel.PATROL]
    areas = screens.staff_places(user)
    data = request.POST if request.method == "POST" else None
    category = _category_from(data.get("category") if data else request.GET.get("category"))
    kwargs = {"channels": channels, "areas": areas, "intake": intake, "category": category}
    if data is None:
        form = forms.StaffReportForm(initial={"key": forms.new_form_key()}, **kwargs)
    else:
        form = forms.StaffReportForm(data, request.FILES, **kwargs)
    status = 200
    if data is not None:
        if form.is_valid():
            cd = form.cleaned_data
            key = form.idempotency_key()
            code = cd["area"]
            area = Area.objects.filter(code=code, level__in=[AreaLevel.GRID, AreaLevel.BUILDING]).first()
            try:
                answers = clean_answers(category, form.raw_answers(), ignore_unknown=True) if category else {}
                case = services.case_submit(
                    category=category,
                    text=cd["text"],
                    channel=(cd.get("channel") or Channel.HOTLINE) if intake else Channel.PATROL,
                    # A patrol's finder is its reporter; a caller has no account, only a name and phone.
                    reporter=None if intake else user,
                    actor=user,
                    area=area,
                    address=cd["address"],
                    contact_name=cd.get("contact_name", ""),
                    contact_phone=cd.get("contact_phone", ""),
                    hide_name=cd.get("hide_name", True),
                    answers=answers,
                    photo_uploads=request.FILES.getlist("photos"),
                    idempotency_key=f"web:{user.pk}:{key}" if key else None,
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("已登记，编号 %(number)s") % {"number": case.number})
                return redirect("cases:detail", number=case.number)
        status = 400
    template_context = {"form": form, "intake": intake}
    return render(request, "cases/staff_report.html", template_context, status=status)


@login_required
def patrol(request):
    return _staff_report(request, intake=False)


@login_required
def intake(request):
    return _staff_report(request, intake=True)


# ---- the case page and its actions ---------------------------------------------------------------


@login_required
def case_detail(request, number: str):
    return _render_case(request, _visible_case(request, number))


@login_required
@require_POST
def case_action(request, number: str, action: str):
    act = ACTIONS_BY_SLUG.get(action)
    if act is None:
        raise Http404
    # Anyone may follow a public case ("me too") found among the similar ones while reporting.
    case = _visible_case(request, number, or_public=act.slug == "me-too")
    form = action_form(act, case, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            act.run(request, case, form)
        except DomainError as error:
            _raise_http(error)
            form.add_domain_error(error)
        else:
            if request.htmx and act.slug == "me-too":
                return render(request, "cases/_me_too_done.html", {"case": case})
            messages.success(request, act.done)
            return redirect(_next_url(request) or reverse("cases:detail", args=[case.number]))
    if request.htmx and act.slug == "me-too":
        # htmx swaps only 2xx answers: the refusal is shown in place of the button.
        return render(request, "cases/_me_too_done.html", {"case": case, "form": form})
    if not selectors.case_visible(user=request.user).filter(pk=case.pk).exists():
        raise Http404  # a refused "me too" on a public case must not open the case page
    return _render_case(request, case, failed=(act.slug, form), status=400)


@login_required
def case_photo(request, number: str, pk: int):
    """A case's photo, only to those who may open the case (media files are not public)."""
    case = _visible_case(request, number)
    photo = case.photos.filter(pk=pk).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---- lists ---------------------------------------------------------------------------------------


@login_required
def mine(request):
    user = request.user
    cases = list(selectors.my_reports(user=user)[:200])
    now = timezone.now()
    rows = [
        {"case": c, "deadline": screens.deadline_of(c, now), "to_rate": c.status == Status.RESOLVED}
        for c in cases
    ]
    household = _own_household(user)
    community = places.community_of(household.building) if household else None
    return render(request, "cases/mine.html", {"rows": rows, "community": community})


def _queue_rows(user, cases, now) -> list[screens.QueueRow]:
    rows = []
    for case in cases:
        allowed = allowed_actions(case.status)
        rows.append(
            screens.QueueRow(
                case=case,
                deadline=screens.deadline_of(case, now),
                can_accept=Action.ACCEPT in allowed and user.has_perm("cases.accept_case", case),
            )
        )
    return rows


def _summons_rows(user) -> list[dict]:
    rows = []
    for summons in selectors.department_summonses(user=user)[:100]:
        rows.append(
            {
                "summons": summons,
                "overdue": summons.deadline < timezone.now(),
                "form": forms.AnswerSummonsForm(
                    auto_id=f"summons-{summons.pk}-%s", initial={"summons": summons.pk}
                ),
            }
        )
    return rows


@login_required
def queue(request):
    """The handler's to-do list, most urgent first: overdue, then nearly due."""
    user = request.user
    if not screens.is_case_worker(user):
        raise PermissionDenied
    now = timezone.now()
    queue = selectors.handler_queue(user=user)
    working = queue.exclude(status=Status.RESOLVED)
    counts = selectors.deadline_counts(working, now=now, soon=screens.DUE_SOON)
    page = _page(request, working, counts["total"])
    waiting = queue.filter(status=Status.RESOLVED)
    context = {
        "rows": _queue_rows(user, page.object_list, now),
        "page": page,
        "open_count": counts["total"],
        "waiting": list(waiting[:PAGE_SIZE]),
        "waiting_count": waiting.count(),
        "summonses": _summons_rows(user) if department_ids(user) else [],
        "overdue_count": counts["overdue"],
        "due_soon_count": counts["due_soon"],
    }
    return render(request, "cases/queue.html", context)


# One phone screenful of a list, the most urgent (or newest) first, the rest a page away: a grid
# worker reads the queue on a phone, and rendering hundreds of rows cost more than the query.
PAGE_SIZE = 20


# The board is an overview of five lists: the ten most pressing of each, the rest a page away.
BOARD_PAGE_SIZE = 10


def _page(request, cases, count: int, *, size: int = PAGE_SIZE, param: str = "page"):
    """Page `?<param>=` of `cases`, whose length the caller already counted (no second COUNT)."""
    paginator = Paginator(cases, size)
    paginator.count = count  # a cached_property: the aggregate the page shows already counted them
    return paginator.get_page(request.GET.get(param))


@login_required
def department(request):
    """A department's queue: cases it owns and the summonses (吹哨) it must answer."""
    user = request.user
    if not user.has_perm("cases.view_department_queue"):
        raise PermissionDenied
    ids = department_ids(user)
    now = timezone.now()
    cases = list(selectors.handler_queue(user=user).filter(owner_department_id__in=ids)[:300])
    context = {
        "rows": _queue_rows(user, [c for c in cases if c.status != Status.RESOLVED], now),
        "waiting": [c for c in cases if c.status == Status.RESOLVED],
        "summonses": _summons_rows(user),
        "departments": sorted({p.department.name for p in _department_posts(user)}),
    }
    return render(request, "cases/department.html", context)


def _department_posts(user):
    from muling.people import scope

    return [p for p in scope.active_posts(user) if p.department_id in department_ids(user)]


BOARD_SECTIONS = [
    ("overdue", gettext_lazy("已超期"), "overdue"),
    ("due_soon", gettext_lazy("即将到期（24 小时内）"), "due-soon"),
    ("new", gettext_lazy("新诉求待受理"), ""),
    ("escalated", gettext_lazy("已升级"), ""),
    ("pending_extensions", gettext_lazy("延期待审批"), ""),
]


@login_required
def board(request):
    """督办: the supervisor's subtree — overdue, nearly due, new, escalated, extensions to decide."""
    user = request.user
    if not screens.is_supervisor(user):
        raise PermissionDenied
    now = timezone.now()
    board = selectors.supervision_board(user=user, now=now)
    counts = selectors.supervision_counts(user=user, now=now)
    sections = []
    for key, title, tone in BOARD_SECTIONS:
        page = _page(request, board[key], counts[key], size=BOARD_PAGE_SIZE, param=f"{key}-page")
        rows = []
        for case in page.object_list:
            allowed = allowed_actions(case.status)
            rows.append(
                screens.QueueRow(
                    case=case,
                    deadline=screens.deadline_of(case, now),
                    can_urge=Action.URGE in allowed and user.has_perm("cases.urge_case", case),
                )
            )
        sections.append(
            {
                "key": key,
                "title": title,
                "tone": tone,
                "rows": rows,
                "count": page.paginator.count,
                "page": page,
            }
        )
    return render(request, "cases/board.html", {"sections": sections})


# ---- notifications -------------------------------------------------------------------------------


@login_required
def inbox(request):
    items = list(selectors.inbox(user=request.user)[:100])
    return render(
        request, "cases/inbox.html", {"items": items, "unread": sum(1 for n in items if n.read_at is None)}
    )


@login_required
def inbox_open(request, pk: int):
    """Open a notification: mark it read and go to its case."""
    from muling.api.services import notifications_mark_read

    notification = Notification.objects.filter(pk=pk, user=request.user).select_related("case").first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[notification.pk])
    case = notification.case
    if case is not None and selectors.case_visible(user=request.user).filter(pk=case.pk).exists():
        return redirect("cases:detail", number=case.number)
    return redirect("cases:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    from muling.api.services import notifications_mark_read

    marked = notifications_mark_read(user=request.user)
    messages.success(request, _("已将 %(n)d 条消息标为已读") % {"n": marked})
    return redirect("cases:inbox")


# ---- public --------------------------------------------------------------------------------------


def _community(code: str) -> Area:
    community = Area.objects.filter(code=code, level=AreaLevel.COMMUNITY).first()
    if community is None:
        raise Http404
    return community


def public_cases(request, code: str):
    """A community's public cases, as a list and on the map, with nothing that identifies a reporter."""
    community = _community(code)
    public = selectors.public_cases(community=community)
    counts = selectors.public_counts(public)
    page = _page(request, public, counts["total"])
    cases = list(page.object_list)
    tiles = _map_tiles()
    context = {
        "community": community,
        "cases": cases,
        "page": page,
        "markers": screens.public_markers(cases),
        "total_count": counts["total"],
        "open_count": counts["open"],
        "closed_count": counts["closed"],
        "map_tile_url": tiles[0],
        "map_tile_attribution": tiles[1],
    }
    return render(request, "cases/public.html", context)


def public_grids(request, code: str):
    return JsonResponse(screens.grids_geojson(_community(code)))
