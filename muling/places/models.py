from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .levels import Level, code_problem


class Area(MP_Node):
    """A node of the grid tree: city → district → street → community → grid → building.

    `path` (treebeard's materialized path) makes "everything under this area" one indexed prefix query,
    which is how every scope check and rollup is done.
    """

    code = models.CharField(_("编码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # GeoJSON geometry (Polygon or MultiPolygon), lon/lat order as GeoJSON requires.
    polygon = models.JSONField(_("边界"), null=True, blank=True)
    centroid_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    centroid_lon = models.FloatField(_("中心经度"), null=True, blank=True)
    households_planned = models.PositiveIntegerField(_("户数"), null=True, blank=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [models.Index(fields=["level", "path"], name="area_level_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    def full_name(self) -> str:
        """Street → … → this area, without city and district, the way residents say an address."""
        names = [a.name for a in Area.objects.get_ancestors(self) if a.level >= Level.STREET]
        return " ".join([*names, self.name])

    def clean(self):
        # New nodes get their parent from services.area_create, which validates before inserting.
        if self.pk:
            problem = validate_area_fields(
                code=self.code or "", level=self.level, parent=Area.objects.get_parent(self)
            )
            if problem:
                raise ValidationError(problem)


def validate_area_fields(*, code: str, level: int | None, parent: "Area | None") -> dict | None:
    """Field errors for an area with this code and level under this parent, or None."""
    if level not in Level.values:
        return {"level": _("未知层级")}
    if parent is None and level != Level.CITY:
        return {"level": _("只有市级区域可以没有上级")}
    if parent is not None and level != parent.level + 1:
        return {
            "level": _("%(child)s不能直接设在%(parent)s之下")
            % {"child": Level(level).label, "parent": Level(parent.level).label}
        }
    problem = code_problem(code=code, level=level, parent_code=parent.code if parent else None)
    if problem:
        return {"code": problem}
    return None


class Household(models.Model):
    """A dwelling: building, unit (单元) and room. Residents (Person) belong to it."""

    building = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("楼栋"),
        limit_choices_to={"level": Level.BUILDING},
    )
    unit = models.CharField(_("单元"), max_length=10, blank=True)
    room = models.CharField(_("房号"), max_length=20)
    is_party_member_household = models.BooleanField(_("党员中心户"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="household_unique_room")
        ]

    def __str__(self) -> str:
        unit = _("%(unit)s单元") % {"unit": self.unit} if self.unit else ""
        return f"{self.building.name} {unit}{self.room}"

    def clean(self):
        if self.building_id and self.building.level != Level.BUILDING:
            raise ValidationError(
                {"building": _("住户只能属于楼栋，不能属于%(level)s") % {"level": self.building.level_label}}
            )


class PartyOrganisation(models.Model):
    """The party organisation that mirrors an area: 社区党委 on a community, 网格党支部 on a grid …"""

    class Kind(models.TextChoices):
        COUNTY_COMMITTEE = "county_committee", _("县级党委")
        STREET_WORKING_COMMITTEE = "street_committee", _("街道党工委")
        COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
        GRID_BRANCH = "grid_branch", _("网格党支部")
        BUILDING_GROUP = "building_group", _("楼栋党小组")

    LEVEL_OF_KIND = {
        Kind.COUNTY_COMMITTEE: Level.DISTRICT,
        Kind.STREET_WORKING_COMMITTEE: Level.STREET,
        Kind.COMMUNITY_COMMITTEE: Level.COMMUNITY,
        Kind.GRID_BRANCH: Level.GRID,
        Kind.BUILDING_GROUP: Level.BUILDING,
    }

    area = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="party_org", verbose_name=_("区域")
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.area_id and self.LEVEL_OF_KIND[self.Kind(self.kind)] != self.area.level:
            raise ValidationError(
                {
                    "kind": _("%(kind)s应设在%(level)s")
                    % {
                        "kind": self.Kind(self.kind).label,
                        "level": Level(self.LEVEL_OF_KIND[self.Kind(self.kind)]).label,
                    }
                }
            )
