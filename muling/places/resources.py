"""Excel/CSV import and export of areas and households (django-import-export).

Every imported row is written through the same service a form uses (`area_create`,
`household_create` …), so an import refuses exactly what the back office refuses, with the same
Chinese message. `ServiceResource` is the shared plumbing; muling/people/resources.py builds on it.
"""

import re
from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.results import RowResult

from muling.errors import DomainError
from muling.numbers import is_plain_number

from . import services
from .levels import Level
from .models import Area, Household

# ---- widgets: what people actually type into Excel -----------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.CharWidget):
    """Text that Excel may have turned into a number: 370800.0 is the code "370800"."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(int(value))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = TextWidget().clean(value)
        if not is_plain_number(text):
            raise ValueError(_("应为不小于 0 的整数"))
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


YES_WORDS = {"1", "true", "yes", "y", "t", "是", "√", "✓", "有"}
NO_WORDS = {"0", "false", "no", "n", "f", "否", "×", "无"}


class YesNoWidget(widgets.Widget):
    """是/否 in a cell; blank means "not given" (the service's default applies)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if _blank(value):
            return None
        if isinstance(value, int | float):
            return bool(value)
        word = str(value).strip().lower()
        if word in YES_WORDS or word == _("是").lower():
            return True
        if word in NO_WORDS or word == _("否").lower():
            return False
        raise ValueError(_("应填“是”或“否”"))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return _("是") if value else _("否")


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class DayWidget(widgets.Widget):
    """A date typed as 2024-01-31, 2024/1/31, 2024年1月31日, or an Excel date cell."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = TextWidget().clean(value)
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        try:  # "2024-01-31 00:00:00", what a date cell becomes after a round trip through text
            return datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(_("日期格式应为 2024-01-31")) from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or its label in either language (岗位 "网格长" or "grid_chief")."""

    def __init__(self, choices, unknown_message):
        super().__init__()
        self.choices = choices
        self.unknown_message = unknown_message

    def _lookup(self) -> dict[str, object]:
        table = {str(value).lower(): value for value in self.choices.values}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for value, label in self.choices.choices:
                    table.setdefault(str(label).strip().lower(), value)
        return table

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        text = TextWidget().clean(value)
        found = self._lookup().get(text.lower())
        if found is None:
            raise ValueError(self.unknown_message % {"value": text})
        return found

    def render(self, value, obj=None, **kwargs):
        if value in (None, ""):
            return ""
        return str(self.choices(value).label)


# ---- the shared plumbing ----------------------------------------------------------------------------


class ServiceResource(resources.ModelResource):
    """A resource whose rows are written by a domain service.

    Subclasses define `columns` (column → label), `required_columns`, optionally `header_aliases`
    and `field_columns` (service field → column), and implement `write(existing, values, user)`,
    plus `existing(values)` if a row may update a row already in the database. A refusal raised by a
    service becomes a validation error on the column it is about.
    """

    columns: dict = {}
    required_columns: tuple[str, ...] = ()
    header_aliases: dict[str, str] = {}
    field_columns: dict[str, str] = {}

    class Meta:
        use_transactions = True
        report_skipped = False

    # -- headers: accept the column key, its Chinese label and a few common variants ----------------

    @classmethod
    def aliases(cls) -> dict[str, str]:
        table = {}
        for column, label in cls.columns.items():
            table[column.lower()] = column
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    table.setdefault(_normal_header(str(label)), column)
        for alias, column in cls.header_aliases.items():
            table.setdefault(_normal_header(alias), column)
        return table

    @classmethod
    def column_for_header(cls, header) -> str | None:
        return cls.aliases().get(_normal_header(header))

    @classmethod
    def column_label(cls, column: str) -> str:
        label = cls.columns.get(column)
        return f"{label}（{column}）" if label else column

    def before_import(self, dataset, **kwargs):
        aliases = self.aliases()
        dataset.headers = [aliases.get(_normal_header(h), h) for h in dataset.headers or []]

    # -- rows -----------------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        if all(_blank(v) for v in row.values()):
            skipped = self.get_row_result_class()()
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        return super().import_row(row, instance_loader, **kwargs)

    def parse(self, row) -> tuple[dict, dict]:
        """(values, errors) for the columns present in `row`, each cleaned by its widget."""
        values, errors = {}, {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            try:
                values[field.column_name] = field.widget.clean(row[field.column_name], row=row)
            except ValueError as e:
                errors[field.column_name] = ValidationError(str(e), code="invalid")
        return values, errors

    def get_instance(self, instance_loader, row):
        values, errors = self.parse(row)
        return None if errors else self.existing(values)

    def existing(self, values: dict):
        return None

    def import_instance(self, instance, row, **kwargs):
        values, errors = self.parse(row)
        instance._import_values = values
        if errors:
            raise ValidationError(errors)
        missing = [c for c in self.required_columns if c in self.columns and _blank(values.get(c))]
        if missing and instance._state.adding:
            raise ValidationError({c: ValidationError(_("必填")) for c in missing})

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        existing = None if is_create else instance
        try:
            # A savepoint per row: a database refusal inside one row must not poison the rest of the
            # import, whose other rows are still being checked so that every bad line is reported.
            with transaction.atomic():
                saved = self.write(existing, instance._import_values, kwargs.get("user"))
        except DomainError as e:
            raise ValidationError(self._errors_of(e)) from e
        adopt_saved(instance, saved)
        self.after_save_instance(instance, row, **kwargs)

    def write(self, existing, values: dict, user):
        raise NotImplementedError

    def _errors_of(self, error: DomainError) -> dict:
        if not error.fields:
            return {NON_FIELD_ERRORS: [str(error.message)]}
        return {self.field_columns.get(f, f): [str(m)] for f, m in error.fields.items()}


class RowRefused(DomainError):
    """A row the import itself refuses (unknown parent code, outside the importer's scope …)."""


def refuse(column: str | None, message) -> RowRefused:
    return RowRefused("import_row_refused", message, field=column)


def require_scope(user, area: Area | None, roles, message=None) -> None:
    """Imports from the back office stay inside the importer's subtree; the command line (no user)
    and superusers are not limited."""
    from muling.people import scope

    if user is None or (user.is_active and user.is_superuser):
        return
    if area is None or not scope.covers(user, area, roles):
        raise refuse(None, message or _("不在您负责的区域内"))


def _normal_header(header) -> str:
    text = str(header or "").strip().lower()
    text = re.sub(r"[\s*＊]", "", text)
    return re.sub(r"[（(].*?[)）]$", "", text)


def adopt_saved(instance, saved) -> None:
    """Make the row's placeholder instance the saved object, so the import result and the admin log
    name the row that the service actually wrote."""
    for f in saved._meta.concrete_fields:
        setattr(instance, f.attname, getattr(saved, f.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


def area_by_code(code: str, column: str, *, level: int | None = None) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise refuse(column, _("找不到编码为 %(code)s 的区域") % {"code": code})
    if level is not None and area.level != level:
        raise refuse(
            column,
            _("%(code)s 是%(actual)s，这里应填%(expected)s")
            % {"code": code, "actual": area.level_label, "expected": Level(level).label},
        )
    return area


# ---- areas ------------------------------------------------------------------------------------------


AREA_COLUMNS = ("code", "name", "level", "parent_code", "address", "households_planned")


class AreaResource(ServiceResource):
    """One row per area, parents before children (an export is already in that order). A code that
    exists updates the area's name, address and household count; it never moves an area."""

    columns = {
        "code": gettext_lazy("编码"),
        "name": gettext_lazy("名称"),
        "level": gettext_lazy("层级"),
        "parent_code": gettext_lazy("上级编码"),
        "address": gettext_lazy("地址"),
        "households_planned": gettext_lazy("户数"),
    }
    required_columns = ("code", "name")
    header_aliases = {"区域编码": "code", "区域名称": "name", "上级区域编码": "parent_code"}

    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    level = fields.Field(
        attribute="level",
        column_name="level",
        widget=ChoiceWidget(Level, gettext_lazy("未知层级：%(value)s")),
    )
    parent_code = fields.Field(column_name="parent_code", widget=TextWidget())
    address = fields.Field(attribute="address", column_name="address", widget=TextWidget())
    households_planned = fields.Field(
        attribute="households_planned", column_name="households_planned", widget=CountWidget()
    )

    class Meta(ServiceResource.Meta):
        model = Area
        fields = AREA_COLUMNS
        export_order = AREA_COLUMNS

    def filter_export(self, queryset, **kwargs):
        # Parents before children, so that the file imports again as it is; the parent's code comes
        # from its path (a prefix of the child's) in the same query.
        parent = Area.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Area.steplen)
        ).values("code")[:1]
        return queryset.annotate(exported_parent_code=Subquery(parent)).order_by("path")

    def dehydrate_parent_code(self, area: Area) -> str:
        if hasattr(area, "exported_parent_code"):
            return area.exported_parent_code or ""
        parent = Area.objects.get_parent(area) if area.pk else None
        return parent.code if parent else ""

    def existing(self, values):
        code = values.get("code")
        return Area.objects.filter(code=code).first() if code else None

    def write(self, existing, values, user):
        from muling.people.roles import STAFF_MANAGER_ROLES

        parent_code = values.get("parent_code") or ""
        parent = area_by_code(parent_code, "parent_code") if parent_code else None
        if existing is not None:
            require_scope(user, existing, STAFF_MANAGER_ROLES)
            return self._update(existing, parent, values)
        require_scope(
            user, parent, STAFF_MANAGER_ROLES, message=_("只能在您负责的区域之下新建区域") if parent else None
        )
        return services.area_create(
            parent=parent,
            code=values.get("code", ""),
            name=values.get("name", ""),
            level=values.get("level"),
            address=values.get("address", ""),
            households_planned=values.get("households_planned"),
        )

    @staticmethod
    def _update(area: Area, parent: Area | None, values: dict) -> Area:
        current = Area.objects.get_parent(area)
        if "parent_code" in values and (current.code if current else "") != (parent.code if parent else ""):
            raise refuse(
                "parent_code",
                _("导入不能移动已有区域；该区域的上级是 %(code)s")
                % {"code": current.code if current else "—"},
            )
        if values.get("level") is not None and values["level"] != area.level:
            raise refuse("level", _("导入不能修改已有区域的层级"))
        name = values.get("name", area.name)
        if not name:
            raise refuse("name", _("请填写名称"))
        area.name = name
        area.address = values.get("address", area.address)
        area.households_planned = values.get("households_planned", area.households_planned)
        area.save(update_fields=["name", "address", "households_planned"])
        return area


# ---- households -------------------------------------------------------------------------------------


HOUSEHOLD_COLUMNS = ("building_code", "unit", "room", "is_party_member_household", "note")


class HouseholdResource(ServiceResource):
    """One row per dwelling. A building, unit and room that exist update the household's flags."""

    columns = {
        "building_code": gettext_lazy("楼栋编码"),
        "unit": gettext_lazy("单元"),
        "room": gettext_lazy("房号"),
        "is_party_member_household": gettext_lazy("党员中心户"),
        "note": gettext_lazy("备注"),
    }
    required_columns = ("building_code", "room")
    header_aliases = {"楼栋": "building_code", "房间号": "room", "门牌号": "room"}
    field_columns = {"building": "building_code"}

    building_code = fields.Field(attribute="building__code", column_name="building_code", widget=TextWidget())
    unit = fields.Field(attribute="unit", column_name="unit", widget=TextWidget())
    room = fields.Field(attribute="room", column_name="room", widget=TextWidget())
    is_party_member_household = fields.Field(
        attribute="is_party_member_household", column_name="is_party_member_household", widget=YesNoWidget()
    )
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())

    class Meta(ServiceResource.Meta):
        model = Household
        fields = HOUSEHOLD_COLUMNS
        export_order = HOUSEHOLD_COLUMNS

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("building").order_by("building__path", "unit", "room")

    def existing(self, values):
        if not values.get("building_code") or not values.get("room"):
            return None
        return Household.objects.filter(
            building__code=values["building_code"], unit=values.get("unit", ""), room=values["room"]
        ).first()

    def write(self, existing, values, user):
        from muling.people.roles import RESIDENT_CARE_ROLES

        if existing is not None:
            require_scope(user, existing.building, RESIDENT_CARE_ROLES)
            for name in ("is_party_member_household", "note"):
                if values.get(name) is not None:
                    setattr(existing, name, values[name])
            existing.save(update_fields=["is_party_member_household", "note"])
            return existing
        building = area_by_code(values["building_code"], "building_code")
        require_scope(user, building, RESIDENT_CARE_ROLES)
        return services.household_create(
            building=building,
            room=values.get("room", ""),
            unit=values.get("unit", ""),
            is_party_member_household=bool(values.get("is_party_member_household")),
            note=values.get("note", ""),
        )
