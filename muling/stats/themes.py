"""Writes for proactive themes (每月一题). One transaction each; refusals change nothing."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.cases.models import Case, Category
from muling.cases.selectors import case_visible
from muling.people import scope
from muling.people.models import Person, Post
from muling.people.roles import SECRETARY_ROLES
from muling.places.models import Area

from .errors import StatsError, StatsForbidden, StatsNotFound
from .models import ProactiveTheme


def may_manage_themes(user, area: Area) -> bool:
    return bool(user.is_superuser or scope.covers(user, area, SECRETARY_ROLES))


@transaction.atomic
def theme_create(
    *,
    actor,
    title: str,
    area: Area,
    case_ids: list[int],
    owner: Person | None,
    deadline: date | None,
    category: Category | None = None,
) -> ProactiveTheme:
    """A secretary over `area` turns a cluster of its cases into a tracked theme."""
    if not may_manage_themes(actor, area):
        raise StatsForbidden("forbidden", _("只有该区域的书记可以设立每月一题"))
    title = (title or "").strip()
    if not title:
        raise StatsError("title_required", _("请填写题目"), field="title")
    if len(title) > 100:
        raise StatsError("title_too_long", _("题目不能超过 100 字"), field="title")
    if deadline is None or deadline < timezone.localdate():
        raise StatsError("bad_deadline", _("完成时限不能早于今天"), field="deadline")
    if owner is None or not (
        Post.objects.active().filter(person=owner, area__path__startswith=area.path).exists()
        or Post.objects.active().filter(person=owner, area__path__in=_ancestors(area)).exists()
    ):
        raise StatsError("bad_owner", _("牵头人须在该区域任职"), field="owner")
    ids = sorted({int(i) for i in case_ids or []})
    cases = list(case_visible(user=actor).filter(pk__in=ids, area_path__startswith=area.path))
    if not ids or len(cases) != len(ids):
        raise StatsError("bad_cases", _("请选择该区域内您能查看的诉求"), field="cases")
    theme = ProactiveTheme.objects.create(
        title=title, area=area, owner=owner, deadline=deadline, category=category, created_by=actor
    )
    theme.cases.set(cases)
    return theme


@transaction.atomic
def theme_close(*, actor, theme_id: int, result: str) -> ProactiveTheme:
    theme = ProactiveTheme.objects.select_for_update().filter(pk=theme_id).first()
    if theme is None or not (may_manage_themes(actor, theme.area) or actor.person_id == theme.owner_id):
        raise StatsNotFound("theme_not_found", _("每月一题不存在"))
    if theme.state == ProactiveTheme.State.DONE:
        raise StatsError("theme_done", _("该题目已完成"))
    result = (result or "").strip()
    if not result:
        raise StatsError("result_required", _("请填写办理结果"), field="result")
    theme.state, theme.result, theme.closed_at = ProactiveTheme.State.DONE, result[:4000], timezone.now()
    theme.save(update_fields=["state", "result", "closed_at"])
    return theme


def themes_visible(user):
    if user.is_superuser:
        return ProactiveTheme.objects.all()
    paths = scope.area_paths(user)
    q = scope.under_paths_q(paths, "area__path")
    if user.person_id:
        from django.db.models import Q

        q |= Q(owner_id=user.person_id)
    return ProactiveTheme.objects.filter(q)


def _ancestors(area: Area) -> list[str]:
    return [area.path[: i * Area.steplen] for i in range(1, area.depth + 1)]


def case_ids_of(theme: ProactiveTheme) -> list[int]:
    return list(Case.objects.filter(themes=theme).values_list("pk", flat=True))
