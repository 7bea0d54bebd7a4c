"""Area browser, households, map data and the printable service contact card (M20).

Two refusals, used the same way everywhere: a user whose posts give no access to the area browser at
all gets 403 (nothing about any area is revealed); a user who may browse but whose posts do not cover
this area gets 404, exactly as if it did not exist.
"""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from muling.people import scope

from . import selectors
from .levels import Level
from .models import Area

MAP_LEVELS = {Level.STREET, Level.COMMUNITY, Level.GRID}


def _require_browse(user) -> None:
    if not user.has_perm("places.browse_areas"):
        raise PermissionDenied


def _area_for(
    request, code: str, perm: str = "places.view_area_in_scope", *, level: int | None = None
) -> Area:
    _require_browse(request.user)
    area = selectors.visible_area(request.user, code)
    if area is None or (level is not None and area.level != level) or not request.user.has_perm(perm, area):
        raise Http404
    return area


@login_required
def tree(request):
    _require_browse(request.user)
    rows = [selectors.area_totals(request.user, root) for root in selectors.scope_roots(request.user)]
    return render(request, "places/tree.html", {"rows": rows})


@login_required
def children(request, code: str):
    """The children of one node of the tree (loaded by htmx when the node is opened)."""
    area = _area_for(request, code)
    rows = selectors.area_children_with_counts(request.user, area)
    return render(request, "places/_tree_nodes.html", {"rows": rows})


@login_required
def area_detail(request, code: str):
    area = _area_for(request, code)
    user = request.user
    can_see_residents = scope.can_see_residents_of(user, area)
    context = {
        "area": area,
        "breadcrumb": selectors.breadcrumb(user, area),
        "totals": selectors.area_totals(user, area),
        "rows": selectors.area_children_with_counts(user, area),
        "staff": selectors.area_staff_posts(user, area),
        "can_see_residents": can_see_residents,
        "show_map": area.level in MAP_LEVELS,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "print_cards_url": _print_cards_url(user, area),
    }
    if area.level == Level.GRID:
        context["buildings"] = selectors.buildings_with_counts(user, area)
    if area.level == Level.BUILDING:
        context["households"] = selectors.building_households(user, area) if can_see_residents else []
        context["contacts"] = selectors.building_contacts(area)
    if area.level >= Level.GRID and can_see_residents:
        context["tagged"] = selectors.tagged_residents(user, area)
    return render(request, "places/area.html", context)


def _print_cards_url(user, area: Area) -> str | None:
    if not user.has_perm("places.print_service_card", area):
        return None
    if area.level == Level.GRID:
        return reverse("places:cards", kwargs={"code": area.code})
    if area.level == Level.BUILDING:
        return reverse("places:card", kwargs={"code": area.code})
    return None


@login_required
def grids_geojson(request, code: str):
    area = _area_for(request, code)
    return JsonResponse(selectors.grids_geojson(request.user, area))


@login_required
def household_detail(request, pk: int):
    household = selectors.visible_household(request.user, pk)
    if household is None or not request.user.has_perm("places.view_household_in_scope", household):
        raise Http404
    return render(
        request,
        "places/household.html",
        {
            "household": household,
            "members": selectors.household_members(household),
            "contacts": selectors.building_contacts(household.building),
            "can_browse": request.user.has_perm("places.browse_areas")
            and scope.covers(request.user, household.building),
        },
    )


def _card(building: Area) -> dict:
    url = settings.PUBLIC_BASE_URL + reverse("building_entry", kwargs={"code": building.code})
    qr = segno.make(url, error="m")
    return {
        "building": building,
        "contacts": selectors.building_contacts(building),
        "entry_url": url,
        "qr_svg": qr.svg_inline(scale=4, border=2, omitsize=True, svgclass="qr", title=_("扫码联系网格员")),
    }


@login_required
def service_card(request, code: str):
    building = _area_for(request, code, "places.print_service_card", level=Level.BUILDING)
    return render(request, "places/cards.html", {"cards": [_card(building)], "area": building})


@login_required
def service_cards_of_grid(request, code: str):
    grid = _area_for(request, code, "places.print_service_card", level=Level.GRID)
    cards = [_card(b) for b in selectors.grid_buildings(grid)]
    return render(request, "places/cards.html", {"cards": cards, "area": grid})
