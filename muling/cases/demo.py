"""Demo cases for `make run`: cases in every state across the Jining demo, so a newcomer sees the loop.

Deterministic (seeded) and idempotent: every demo case is submitted with the idempotency key
"demo-<n>", so a second load finds them and creates nothing. Timelines are driven through the real
services (actors are the demo logins where the case is theirs, else the system), then finished cases
are moved back in time by a few weeks so dashboards have history. A handful of open cases are left
just past their deadline: the background sweep escalates them while the demo runs.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from muling.people.models import Department
from muling.places.models import Area, Household

from . import services
from .enums import Channel, Status
from .models import Case, CaseEvent, Category

DEMO_KEY = "demo-"

TEXTS = {
    "heating": ["暖气不热，室内只有十四五度", "暖气片漏水，地板都湿了", "整栋楼暖气都不热，老人受不了"],
    "water_supply": ["家里停水一天了，没有通知", "自来水发黄有异味", "水压太低，楼上用不了水"],
    "power": ["楼道总闸跳闸，整个单元停电", "小区路灯不亮，晚上出行不安全"],
    "gas": ["楼道里有燃气味，担心泄漏", "燃气表显示异常"],
    "drainage": ["下水道堵了，污水返到院子里", "雨水井盖松动，雨天积水严重"],
    "property": ["物业不及时清运垃圾", "电梯经常停运，物业不修", "单元门禁坏了一个月"],
    "neighbour_dispute": ["楼上装修噪音太大，晚上十点还在施工", "邻居在楼道堆放杂物，影响通行"],
    "sanitation": ["楼道灯坏了，晚上看不见", "小区门口垃圾堆积没人清理", "绿化带里有大量建筑垃圾"],
    "facilities": ["车棚顶棚破损，下雨漏水", "小区围墙有裂缝，存在倒塌风险", "路面坑洼，电动车容易摔倒"],
    "safety_hazard": ["电动车在楼道里充电，有火灾隐患", "楼顶广告牌松动"],
    "elderly_help": ["独居老人需要帮忙代买药品", "希望社区食堂增加送餐服务"],
    "policy": ["咨询新就业群体参加医保的政策", "咨询老旧小区改造加装电梯怎么申请"],
    "other": ["建议在小区增加快递柜", "希望增设儿童活动场地"],
}

# The state each demo case ends in, with its weight.
ENDINGS = [
    ("closed_rated", 34),
    ("closed_unrated", 4),
    ("resolved", 10),
    ("in_progress", 14),
    ("dispatched", 10),
    ("queued", 5),
    ("rejected", 3),
    ("merged", 2),
    ("escalated", 8),
    ("summoned", 4),
    ("extension", 3),
    ("overdue", 3),
]


def load_demo_cases(*, seed: int = 370800, count: int = 160, progress=None) -> int:
    """Create the demo cases unless they exist; returns how many were created."""
    if Case.objects.filter(idempotency_key__startswith=DEMO_KEY).exists():
        return 0
    rng = random.Random(seed)
    households = list(Household.objects.select_related("building").order_by("id"))
    if not households:
        return 0
    users = {
        u.username: u for u in get_user_model().objects.filter(person__isnull=False).select_related("person")
    }
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    resident = users.get("resident")
    created = 0
    for n, ending in enumerate(_endings(count, rng)):
        category = categories[rng.choice(sorted(TEXTS))]
        # The demo resident reports every eighth case, so their "my cases" page has a history.
        reporter = resident if resident and n % 8 == 0 else None
        household = reporter.person.household if reporter else rng.choice(households)
        with transaction.atomic():
            case = _submit(n, category, household, reporter, rng, ending)
            _drive(case, ending, users, rng)
            if ending not in {"overdue"}:
                _move_back_in_time(
                    case, days=rng.randint(0, 40) if ending.startswith("closed") else rng.randint(0, 2)
                )
        created += 1
        if progress:
            progress.update(1)
    return created


def _endings(count: int, rng: random.Random) -> list[str]:
    """Every ending at least once, the rest in proportion to the weights, in a seeded order."""
    total = sum(w for _e, w in ENDINGS)
    endings = [e for e, w in ENDINGS for _ in range(max(1, round(w * count / total)))]
    endings = (endings + ["closed_rated"] * count)[:count]
    rng.shuffle(endings)
    return endings


def _submit(n, category, household, reporter, rng, ending):
    channel = (
        Channel.WEB
        if reporter
        else rng.choice(
            [
                Channel.HOTLINE,
                Channel.PATROL,
                Channel.SERVICE_CARD,
                Channel.VISIT,
                Channel.WALK_IN,
                Channel.WEB,
            ]
        )
    )
    now = timezone.now()
    place = {"household": household}
    if ending == "queued":
        # A problem of the whole community (no building): nobody below can take it, so it waits in
        # the community's queue for the secretary to dispatch (首接负责).
        community = Area.objects.get_ancestors(household.building).filter(level=4).first()
        place = {"area": community}
    if ending == "overdue":
        # Submitted long enough ago that its deadline has just passed: the sweep escalates it.
        now = now - timedelta(days=category.resolve_days * 2 + 5)
    return services.case_submit(
        category=category,
        text=rng.choice(TEXTS[category.code]),
        channel=channel,
        reporter=reporter,
        actor=None,
        **place,
        contact_name="" if reporter else "居民",
        hide_name=True,
        is_public=rng.random() > 0.1,
        idempotency_key=f"{DEMO_KEY}{n}",
        now=now,
    )


def _actor_for(case: Case, users):
    """The demo login holding the case, if there is one (so the timeline shows a name); else the system."""
    for user in users.values():
        if case.owner_person_id and user.person_id == case.owner_person_id:
            return user
    return None


def _drive(case: Case, ending: str, users, rng) -> None:
    if ending in {"queued", "overdue"}:
        return
    if ending == "rejected":
        services.case_reject(case_id=case.pk, actor=None, reason="属于私人纠纷，建议通过司法途径解决")
        return
    if ending == "merged":
        target = Case.objects.filter(
            status__in=[Status.DISPATCHED, Status.IN_PROGRESS], category=case.category
        )
        target = target.exclude(pk=case.pk).order_by("id").first()
        if target:
            services.case_merge(case_id=case.pk, into_id=target.pk, actor=None)
        return
    if case.status == Status.SUBMITTED:
        _dispatch_from_queue(case)
        case.refresh_from_db()
    actor = _actor_for(case, users)
    if ending == "dispatched":
        return
    if ending == "escalated":
        services.case_escalate(
            case_id=case.pk,
            actor=None,
            reason="overdue",
            now=Case.objects.get(pk=case.pk).deadline + timedelta(minutes=1),
        )
        return
    services.case_accept(case_id=case.pk, actor=actor)
    if ending == "summoned":
        department = Department.objects.filter(
            kind=Department.Kind.FUNCTIONAL, area__path__in=_ancestors(case.area)
        )
        department = department.order_by("id").first()
        if department:
            services.case_summon(
                case_id=case.pk, actor=None, departments=[department], note="需要部门到场协调"
            )
        return
    if ending == "extension":
        if actor is not None:
            services.case_request_extension(case_id=case.pk, actor=actor, days=5, reason="需要等待配件到货")
        return
    if ending == "in_progress":
        services.case_note(case_id=case.pk, actor=actor, note="已到现场查看，正在协调处理")
        return
    services.case_resolve(case_id=case.pk, actor=actor, result="已到现场处理完毕，问题已解决")
    if ending == "closed_rated" and case.reporter_id:
        services.case_rate(
            case_id=case.pk,
            actor=case.reporter,
            satisfaction=rng.choice(["satisfied", "satisfied", "satisfied", "basically", "unsatisfied"]),
            comment="",
        )
    elif ending == "closed_rated":
        _rate_by_callback(case, rng)
    elif ending == "closed_unrated":
        _close_unrated_a_week_later(case)


def _rate_by_callback(case: Case, rng) -> None:
    """Reporters without an account are asked by a staff call-back (回访); the case then closes unrated."""
    satisfaction = rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"])
    services.case_callback(case_id=case.pk, actor=None, note="电话回访", satisfaction=satisfaction)
    _close_unrated_a_week_later(case)


def _close_unrated_a_week_later(case: Case) -> None:
    # Move the whole timeline back first, so the auto-close happens a consistent ten days after the answer.
    _move_back_in_time(case, days=10)
    services.case_close_unrated(case_id=case.pk)


def _dispatch_from_queue(case: Case) -> None:
    """The community secretary sends a queued case to the grid worker or the right department."""
    from muling.people.models import Post

    grid = case.grid
    post = Post.objects.active().filter(area=grid, role="grid_worker").first() if grid else None
    if post:
        services.case_dispatch(case_id=case.pk, actor=None, person=post.person, note="社区派给网格员办理")


def _ancestors(area: Area) -> list[str]:
    return [area.path[: i * Area.steplen] for i in range(1, area.depth + 1)]


def _move_back_in_time(case: Case, *, days: int) -> None:
    if not days:
        return
    delta = timedelta(days=days, minutes=random.Random(case.pk).randint(0, 600))
    status = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
    # Open cases keep their deadline: moving it back would make them all overdue at once.
    still_open = status in {Status.SUBMITTED, Status.DISPATCHED, Status.IN_PROGRESS}
    Case.objects.filter(pk=case.pk).update(
        created_at=F("created_at") - delta,
        dispatch_deadline=F("dispatch_deadline") - delta,
        deadline=F("deadline") if still_open else F("deadline") - delta,
    )
    for field in ("accepted_at", "resolved_at", "closed_at"):
        Case.objects.filter(pk=case.pk, **{f"{field}__isnull": False}).update(**{field: F(field) - delta})
    CaseEvent.objects.filter(case=case).update(at=F("at") - delta)
