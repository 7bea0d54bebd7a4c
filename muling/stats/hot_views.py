"""Hot problems and proactive themes (每月一题): list the clusters, turn one into a tracked theme."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from muling.cases.models import Category
from muling.errors import DomainError
from muling.numbers import is_plain_number
from muling.people.models import Person

from . import hotspots, rules, services, themes
from .errors import StatsError, StatsForbidden
from .views import _require_stats, refusing


def _bounded_int(value: str, field: str, *, default: int, low: int, high: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise StatsError(f"bad_{field}", _("请输入整数"), field=field) from None
    if not low <= number <= high:
        raise StatsError(
            f"bad_{field}", _("应在 %(low)d 到 %(high)d 之间") % {"low": low, "high": high}, field=field
        )
    return number


def _area_param(request):
    code = (request.GET.get("area") or request.POST.get("area") or "").strip()
    area = services.area_by_code(code) if code else services.default_area(request.user)
    if area is None or not rules.covers_area(request.user, area):
        raise StatsForbidden("area_out_of_scope", _("该区域不在您的统计范围内"), field="area")
    return area


@login_required
@refusing
def hot_problems(request):
    user = request.user
    _require_stats(user)
    area = _area_param(request)
    days = _bounded_int(
        request.GET.get("days", ""), "days", default=hotspots.DEFAULT_DAYS, low=1, high=hotspots.MAX_DAYS
    )
    min_cases = _bounded_int(
        request.GET.get("min", ""), "min", default=hotspots.DEFAULT_MIN_CASES, low=2, high=50
    )
    spots = hotspots.hotspots(user=user, area=area, days=days, min_cases=min_cases)
    return render(
        request,
        "stats/hot.html",
        {
            "area": area,
            "days": days,
            "min_cases": min_cases,
            "spots": spots,
            "may_create": themes.may_manage_themes(user, area),
            "default_deadline": timezone.localdate() + timedelta(days=30),
            "themes": themes.themes_visible(user).filter(area__path__startswith=area.path)[:20],
        },
    )


@login_required
@require_POST
def theme_new(request):
    user = request.user
    post = request.POST
    try:
        area = _area_param(request)
        owner = Person.objects.filter(pk=post.get("owner") or user.person_id or 0).first()
        category = Category.objects.filter(code=post.get("category", "")).first()
        theme = themes.theme_create(
            actor=user,
            title=post.get("title", ""),
            area=area,
            owner=owner,
            category=category,
            deadline=parse_date(post.get("deadline", "") or "")
            if _is_date(post.get("deadline", ""))
            else None,
            case_ids=[int(i) for i in post.getlist("cases") if is_plain_number(i)],
        )
    except DomainError as exc:
        return render(request, "stats/refused.html", {"error": exc}, status=exc.status)
    return redirect("stats:theme", pk=theme.pk)


def _is_date(value: str) -> bool:
    try:
        return parse_date(value or "") is not None
    except ValueError:
        return False


@login_required
@refusing
def theme_list(request):
    return render(
        request,
        "stats/themes.html",
        {"themes": themes.themes_visible(request.user).select_related("area", "owner", "category")},
    )


@login_required
def theme_detail(request, pk: int):
    theme = (
        themes.themes_visible(request.user).filter(pk=pk).select_related("area", "owner", "category").first()
    )
    if theme is None:
        return render(
            request,
            "stats/refused.html",
            {"error": StatsError("theme_not_found", _("每月一题不存在"))},
            status=404,
        )
    error = None
    if request.method == "POST":
        try:
            themes.theme_close(actor=request.user, theme_id=theme.pk, result=request.POST.get("result", ""))
            return redirect("stats:theme", pk=theme.pk)
        except DomainError as exc:
            error = exc
    may_close = theme.state == theme.State.OPEN and (
        themes.may_manage_themes(request.user, theme.area) or request.user.person_id == theme.owner_id
    )
    return render(
        request,
        "stats/theme.html",
        {
            "theme": theme,
            "cases": theme.cases.select_related("category", "area").order_by("created_at"),
            "may_close": may_close,
            "error": error,
        },
        status=400 if error else 200,
    )
