"""Back office for the area tree, households and party organisations.

New areas and households are written by the same services as everywhere else (`area_create`,
`household_create`); the forms check the same rules first so that a refusal appears at its field.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from muling.people import scope
from muling.people.admin_scope import ScopedAdminMixin, is_unrestricted
from muling.people.roles import RESIDENT_CARE_ROLES, STAFF_MANAGER_ROLES

from . import services
from .geometry import centroid_of, polygon_problem
from .levels import Level
from .models import Area, Household, PartyOrganisation, validate_area_fields
from .resources import AreaResource, HouseholdResource, adopt_saved

admin.site.site_header = gettext_lazy("睦邻 · 后台管理")
admin.site.site_title = gettext_lazy("睦邻后台")
admin.site.index_title = gettext_lazy("数据管理")

SPREADSHEET_FORMATS = [XLSX, CSV]


class SpreadsheetMixin(ImportExportMixin):
    """Excel and CSV only: the formats community offices actually exchange."""

    formats = SPREADSHEET_FORMATS
    import_formats = SPREADSHEET_FORMATS
    export_formats = SPREADSHEET_FORMATS


# ---- areas ------------------------------------------------------------------------------------------

SORTED_CHILD = "sorted-child"


class AreaForm(MoveNodeForm):
    """Treebeard's node form, narrowed to what the area tree allows.

    Areas are kept in code order and a code begins with its parent's code, so "where" is always
    "under this parent": the position field is fixed to child-of, and the parent is validated together
    with code and level (`validate_area_fields`) before anything is written.
    """

    user = None  # the requesting user, set by AreaAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields["treebeard_position"]
        position.widget = forms.HiddenInput()
        position.required = False
        position.initial = SORTED_CHILD
        parent = self.fields["treebeard_ref_node"]
        parent.label = _("上级区域")
        parent.empty_label = _("（无上级：市）")
        # Buildings have no children; leaving them out keeps the list to the part of the tree that can
        # be a parent.
        choices = parent.queryset.filter(level__lt=Level.BUILDING)
        if self.user is not None and not is_unrestricted(self.user):
            choices = choices.filter(scope.areas_q(self.user, field="path", roles=STAFF_MANAGER_ROLES))
            parent.required = True
        parent.queryset = choices

    def clean(self):
        cleaned = super().clean()
        cleaned["treebeard_position"] = SORTED_CHILD
        parent = cleaned.get("treebeard_ref_node")
        if self.instance.pk:
            self._check_change(cleaned, parent)
        elif not any(f in self.errors for f in ("code", "level", "treebeard_ref_node")):
            self._check_new(cleaned, parent)
        polygon = cleaned.get("polygon")
        if polygon is not None:
            problem = polygon_problem(polygon)
            if problem:
                self.add_error("polygon", problem)
        return cleaned

    def _check_new(self, cleaned, parent):
        if self.user is not None and not is_unrestricted(self.user):
            if parent is None or not scope.covers(self.user, parent, STAFF_MANAGER_ROLES):
                self.add_error("treebeard_ref_node", _("只能在您负责的区域之下新建区域"))
                return
        problems = validate_area_fields(
            code=cleaned.get("code") or "", level=cleaned.get("level"), parent=parent
        )
        for field, message in (problems or {}).items():
            self.add_error(field, message)

    def _check_change(self, cleaned, parent):
        # The model's clean() validates code and level against the current parent.
        current = Area.objects.get_parent(self.instance)
        if "treebeard_ref_node" in self.changed_data and parent != current:
            self.add_error(
                "treebeard_ref_node", _("区域编码以上级编码开头，不能改换上级；请在新的上级之下新建区域")
            )
        if "code" in self.changed_data and self.instance.numchild:
            self.add_error("code", _("下级区域的编码以本编码开头，有下级时不能修改编码"))


@admin.register(Area)
class AreaAdmin(ScopedAdminMixin, SpreadsheetMixin, TreeAdmin):
    form = movenodeform_factory(Area, form=AreaForm)
    resource_classes = [AreaResource]
    list_display = ("name", "code", "level")
    list_filter = ("level",)
    search_fields = ("name", "code")
    ordering = ("path",)
    fieldsets = (
        (None, {"fields": ("treebeard_ref_node", "treebeard_position", "code", "name", "level", "address")}),
        (
            gettext_lazy("规模与边界"),
            {"fields": ("households_planned", "polygon", "centroid_lat", "centroid_lon")},
        ),
    )

    def scope_queryset(self, request, qs):
        return qs & scope.visible_areas(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        at_top_of_tree = (
            getattr(request, "_treebeard_parent_id", False) is None
            and not getattr(request, "_ignore_treebeard_filters", False)
            and not self.is_filtered(request)
        )
        if at_top_of_tree and not is_unrestricted(request.user):
            # Someone who cannot see the city starts the tree at the areas their posts are over.
            return Area.objects.filter(path__in=scope.area_paths(request.user)).order_by("path")
        return qs

    def may_edit(self, request, obj):
        return scope.covers(request.user, obj, STAFF_MANAGER_ROLES)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user  # get_form builds a new class per request
        return form

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        # Treebeard's form would insert the node here; the service does it in save_model instead.
        form.save_m2m = lambda: None
        return form.instance

    def save_model(self, request, obj, form, change):
        if change:
            if "polygon" in form.changed_data and obj.polygon:
                if not {"centroid_lat", "centroid_lon"} & set(form.changed_data):
                    obj.centroid_lat, obj.centroid_lon = centroid_of(obj.polygon)
            obj.save()
            return
        centroid = None
        if obj.centroid_lat is not None and obj.centroid_lon is not None:
            centroid = (obj.centroid_lat, obj.centroid_lon)
        created = services.area_create(
            parent=form.cleaned_data.get("treebeard_ref_node"),
            code=obj.code,
            name=obj.name,
            level=obj.level,
            address=obj.address,
            polygon=obj.polygon,
            centroid=centroid,
            households_planned=obj.households_planned,
        )
        adopt_saved(obj, created)

    def move_node(self, request):
        # Dragging would leave a code that no longer starts with its parent's code.
        messages.error(request, _("区域按编码排列，编码以上级编码开头，不能拖动移动"))
        return HttpResponseBadRequest(_("不能移动区域"))


# ---- households -------------------------------------------------------------------------------------


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ("building", "unit", "room", "is_party_member_household", "note")

    def clean(self):
        cleaned = super().clean()
        for name in ("unit", "room"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        return cleaned


@admin.register(Household)
class HouseholdAdmin(ScopedAdminMixin, SpreadsheetMixin, admin.ModelAdmin):
    form = HouseholdForm
    resource_classes = [HouseholdResource]
    view_roles = RESIDENT_CARE_ROLES
    edit_roles = RESIDENT_CARE_ROLES
    list_display = ("__str__", "building", "unit", "room", "is_party_member_household")
    list_filter = ("is_party_member_household",)
    list_select_related = ("building",)
    search_fields = ("building__name", "building__code", "unit", "room")
    autocomplete_fields = ("building",)
    ordering = ("building__path", "unit", "room")

    def scope_queryset(self, request, qs):
        return qs & scope.visible_households(request.user)

    def may_edit(self, request, obj):
        return scope.covers(request.user, obj.building, RESIDENT_CARE_ROLES)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.household_create(
            building=obj.building,
            room=obj.room,
            unit=obj.unit,
            is_party_member_household=obj.is_party_member_household,
            note=obj.note,
        )
        adopt_saved(obj, created)


# ---- party organisations ----------------------------------------------------------------------------


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "area")
    list_filter = ("kind",)
    list_select_related = ("area",)
    search_fields = ("name", "area__name", "area__code")
    autocomplete_fields = ("area",)

    def scope_queryset(self, request, qs):
        return qs.filter(scope.areas_q(request.user, field="area__path"))

    def may_edit(self, request, obj):
        return scope.covers(request.user, obj.area, STAFF_MANAGER_ROLES)
