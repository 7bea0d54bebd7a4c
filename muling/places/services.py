"""Writes to the area tree and households. Each validates first and writes nothing on refusal."""

from django.db import transaction
from django.utils.translation import gettext as _

from muling.errors import DomainError

from .levels import Level
from .models import Area, Household, PartyOrganisation, validate_area_fields


class PlaceError(DomainError):
    """A refused write to the area tree or households (400)."""


def _raise_field_errors(errors: dict) -> None:
    field, message = next(iter(errors.items()))
    raise PlaceError(f"invalid_{field}", message, fields=errors)


@transaction.atomic
def area_create(
    *,
    parent: Area | None,
    code: str,
    name: str,
    level: int | None = None,
    address: str = "",
    polygon: dict | None = None,
    centroid: tuple[float, float] | None = None,
    households_planned: int | None = None,
) -> Area:
    """Add an area under `parent` (None for a city). The level defaults to the one below the parent."""
    code = (code or "").strip()
    name = (name or "").strip()
    if level is None:
        level = Level.CITY if parent is None else parent.level + 1
    if not name:
        raise PlaceError("name_required", _("请填写名称"), field="name")
    errors = validate_area_fields(code=code, level=level, parent=parent)
    if errors:
        _raise_field_errors(errors)
    if Area.objects.filter(code=code).exists():
        raise PlaceError("duplicate_code", _("编码 %(code)s 已存在") % {"code": code}, field="code")
    if polygon is not None:
        from .geometry import polygon_problem

        problem = polygon_problem(polygon)
        if problem:
            raise PlaceError("invalid_polygon", problem, field="polygon")
    fields = {
        "code": code,
        "name": name,
        "level": level,
        "address": address,
        "polygon": polygon,
        "households_planned": households_planned,
    }
    if centroid:
        fields["centroid_lat"], fields["centroid_lon"] = centroid
    if parent is None:
        area = Area.objects.add_root(create_kwargs=fields)
    else:
        parent = Area.objects.get(pk=parent.pk)  # treebeard needs a fresh numchild
        area = Area.objects.add_child(parent, create_kwargs=fields)
    if polygon is not None and not centroid:
        from .geometry import centroid_of

        area.centroid_lat, area.centroid_lon = centroid_of(polygon)
        area.save(update_fields=["centroid_lat", "centroid_lon"])
    return area


PARTY_KIND_FOR_LEVEL = {level: kind for kind, level in PartyOrganisation.LEVEL_OF_KIND.items()}


@transaction.atomic
def party_organisation_create(*, area: Area, name: str = "") -> PartyOrganisation:
    """The party organisation mirroring `area` (社区党委, 网格党支部, 楼栋党小组 …)."""
    kind = PARTY_KIND_FOR_LEVEL.get(area.level)
    if kind is None:
        raise PlaceError("no_party_org_at_level", _("该层级不设党组织"), field="area")
    if PartyOrganisation.objects.filter(area=area).exists():
        raise PlaceError("duplicate_party_org", _("该区域已有党组织"), field="area")
    return PartyOrganisation.objects.create(area=area, kind=kind, name=name or f"{area.name}{kind.label}")


@transaction.atomic
def household_create(
    *, building: Area, room: str, unit: str = "", is_party_member_household: bool = False, note: str = ""
) -> Household:
    room = (room or "").strip()
    unit = (unit or "").strip()
    if building.level != Level.BUILDING:
        raise PlaceError(
            "household_not_in_building",
            _("住户只能属于楼栋，不能属于%(level)s") % {"level": building.level_label},
            field="building",
        )
    if not room:
        raise PlaceError("room_required", _("请填写房号"), field="room")
    if Household.objects.filter(building=building, unit=unit, room=room).exists():
        raise PlaceError("duplicate_household", _("该楼栋已有此房号"), field="room")
    return Household.objects.create(
        building=building,
        unit=unit,
        room=room,
        is_party_member_household=is_party_member_household,
        note=note,
    )
