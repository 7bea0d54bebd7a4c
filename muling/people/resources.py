"""Excel/CSV import and export of persons and posts (see muling/places/resources.py for the plumbing).

Exports carry the ID-card number and the phone masked: a spreadsheet is copied, mailed and forgotten
on desktops, which is exactly what the encrypted column protects against. A resource built with
`full=True` writes them in full; the admin does that only for `privacy.see_full_values`, and logs every
export (muling/people/admin_privacy.py).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from muling.places.levels import Level
from muling.places.models import Household
from muling.places.resources import (
    ChoiceWidget,
    DayWidget,
    ServiceResource,
    TextWidget,
    YesNoWidget,
    area_by_code,
    refuse,
    require_scope,
)

from . import crypto, services
from .models import Department, Gender, NewEmploymentKind, Person, Post
from .roles import RESIDENT_CARE_ROLES, Role

TAG_COLUMNS = ("is_elderly", "lives_alone", "is_disabled", "is_infant", "is_party_member")

PERSON_COLUMNS = (
    "name",
    "gender",
    "birth_date",
    "phone",
    "id_number",
    "building_code",
    "unit",
    "room",
    *TAG_COLUMNS,
    "new_employment",
    "reports_to_community_code",
)


def _tag(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=YesNoWidget())


class PersonResource(ServiceResource):
    """One row per resident, created through `person_create`; the household must already exist
    (import households first). Rows always create: re-importing a file registers the people again
    only where the ID-card number does not refuse it."""

    columns = {
        "name": gettext_lazy("姓名"),
        "gender": gettext_lazy("性别"),
        "birth_date": gettext_lazy("出生日期"),
        "phone": gettext_lazy("手机号"),
        "id_number": gettext_lazy("身份证号"),
        "building_code": gettext_lazy("楼栋编码"),
        "unit": gettext_lazy("单元"),
        "room": gettext_lazy("房号"),
        "is_elderly": gettext_lazy("老年人"),
        "lives_alone": gettext_lazy("独居"),
        "is_disabled": gettext_lazy("残疾人"),
        "is_infant": gettext_lazy("婴幼儿"),
        "is_party_member": gettext_lazy("党员"),
        "new_employment": gettext_lazy("新就业群体"),
        "reports_to_community_code": gettext_lazy("双报到社区编码"),
    }
    required_columns = ("name",)
    header_aliases = {
        "联系电话": "phone",
        "电话": "phone",
        "身份证": "id_number",
        "公民身份号码": "id_number",
    }

    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    gender = fields.Field(
        attribute="gender",
        column_name="gender",
        widget=ChoiceWidget(Gender, gettext_lazy("性别应填“男”或“女”")),
    )
    birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=DayWidget())
    phone = fields.Field(attribute="phone", column_name="phone", widget=TextWidget())
    # Exported masked (dehydrate_id_number) unless the resource was built with full=True.
    id_number = fields.Field(attribute="id_number_masked", column_name="id_number", widget=TextWidget())
    building_code = fields.Field(
        attribute="household__building__code", column_name="building_code", widget=TextWidget()
    )
    unit = fields.Field(attribute="household__unit", column_name="unit", widget=TextWidget())
    room = fields.Field(attribute="household__room", column_name="room", widget=TextWidget())
    is_elderly = _tag("is_elderly")
    lives_alone = _tag("lives_alone")
    is_disabled = _tag("is_disabled")
    is_infant = _tag("is_infant")
    is_party_member = _tag("is_party_member")
    new_employment = fields.Field(
        attribute="new_employment",
        column_name="new_employment",
        widget=ChoiceWidget(NewEmploymentKind, gettext_lazy("未知新就业群体类别：%(value)s")),
    )
    reports_to_community_code = fields.Field(
        attribute="reports_to_community__code", column_name="reports_to_community_code", widget=TextWidget()
    )

    class Meta(ServiceResource.Meta):
        model = Person
        fields = PERSON_COLUMNS
        export_order = PERSON_COLUMNS

    def __init__(self, *, full: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.full = full

    def dehydrate_phone(self, person: Person) -> str:
        return person.phone if self.full else person.phone_masked

    def dehydrate_id_number(self, person: Person) -> str:
        return person.id_number_full() if self.full else person.id_number_masked

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("household__building", "reports_to_community").order_by("pk")

    def write(self, existing, values, user):
        id_number = (values.get("id_number") or "").upper()
        if "*" in id_number:
            raise refuse("id_number", _("身份证号已脱敏，请填写完整号码或留空"))
        household = self._household(values, user)
        tags = {name: values[name] for name in TAG_COLUMNS if values.get(name) is not None}
        if values.get("new_employment"):
            tags["new_employment"] = values["new_employment"]
        if values.get("reports_to_community_code"):
            tags["reports_to_community"] = area_by_code(
                values["reports_to_community_code"], "reports_to_community_code", level=Level.COMMUNITY
            )
        return services.person_create(
            name=values.get("name", ""),
            phone=values.get("phone", ""),
            id_number=id_number,
            household=household,
            gender=values.get("gender") or "",
            birth_date=values.get("birth_date"),
            **tags,
        )

    @staticmethod
    def _household(values: dict, user) -> Household | None:
        building_code, unit, room = (values.get(k) or "" for k in ("building_code", "unit", "room"))
        if not (building_code or unit or room):
            if user is not None and not user.is_superuser:
                # A person with no household is outside every grid worker's view, including the importer's.
                raise refuse("building_code", _("请填写楼栋编码和房号"))
            return None
        if not building_code:
            raise refuse("building_code", _("请填写楼栋编码"))
        if not room:
            raise refuse("room", _("请填写房号"))
        household = Household.objects.filter(building__code=building_code, unit=unit, room=room).first()
        if household is None:
            raise refuse(
                "room",
                _("找不到住户：楼栋 %(building)s %(unit)s单元 %(room)s；请先导入住户")
                % {"building": building_code, "unit": unit or "-", "room": room},
            )
        require_scope(user, household.building, RESIDENT_CARE_ROLES)
        return household


POST_COLUMNS = (
    "person_name",
    "person_phone",
    "person_id_number",
    "role",
    "area_code",
    "department_code",
    "start_date",
    "end_date",
    "title",
)


class PostResource(ServiceResource):
    """One row per post, created through `post_create`. The person is found by ID-card number, or by
    phone (and name, where a household shares one phone)."""

    columns = {
        "person_name": gettext_lazy("姓名"),
        "person_phone": gettext_lazy("手机号"),
        "person_id_number": gettext_lazy("身份证号"),
        "role": gettext_lazy("岗位"),
        "area_code": gettext_lazy("区域编码"),
        "department_code": gettext_lazy("部门编码"),
        "start_date": gettext_lazy("任职开始"),
        "end_date": gettext_lazy("任职结束"),
        "title": gettext_lazy("职务说明"),
    }
    required_columns = ("role", "area_code")
    header_aliases = {"电话": "person_phone", "联系电话": "person_phone", "编码": "area_code"}
    field_columns = {
        "area": "area_code",
        "department": "department_code",
        "person": "person_phone",
    }

    person_name = fields.Field(attribute="person__name", column_name="person_name", widget=TextWidget())
    person_phone = fields.Field(attribute="person__phone", column_name="person_phone", widget=TextWidget())
    person_id_number = fields.Field(
        attribute="person__id_number_masked", column_name="person_id_number", widget=TextWidget()
    )
    role = fields.Field(
        attribute="role", column_name="role", widget=ChoiceWidget(Role, gettext_lazy("未知岗位：%(value)s"))
    )
    area_code = fields.Field(attribute="area__code", column_name="area_code", widget=TextWidget())
    department_code = fields.Field(
        attribute="department__code", column_name="department_code", widget=TextWidget()
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DayWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DayWidget())
    title = fields.Field(attribute="title", column_name="title", widget=TextWidget())

    class Meta(ServiceResource.Meta):
        model = Post
        fields = POST_COLUMNS
        export_order = POST_COLUMNS

    def __init__(self, *, full: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.full = full

    def dehydrate_person_phone(self, post: Post) -> str:
        return post.person.phone if self.full else post.person.phone_masked

    def dehydrate_person_id_number(self, post: Post) -> str:
        return post.person.id_number_full() if self.full else post.person.id_number_masked

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("person", "area", "department").order_by("area__path", "role", "pk")

    def write(self, existing, values, user):
        person = self._person(values)
        area = area_by_code(values["area_code"], "area_code") if values.get("area_code") else None
        department = None
        if values.get("department_code"):
            department = Department.objects.filter(code=values["department_code"]).first()
            if department is None:
                raise refuse(
                    "department_code",
                    _("找不到编码为 %(code)s 的部门或单位") % {"code": values["department_code"]},
                )
        if user is not None and area is not None and not user.has_perm("people.create_post_in_area", area):
            raise refuse("area_code", _("您不能在该区域设岗"))
        return services.post_create(
            person=person,
            role=values.get("role") or "",
            area=area,
            department=department,
            start_date=values.get("start_date"),
            end_date=values.get("end_date"),
            title=values.get("title", ""),
        )

    @staticmethod
    def _person(values: dict) -> Person:
        id_number = (values.get("person_id_number") or "").upper()
        if id_number and "*" not in id_number:
            person = Person.objects.filter(id_number_hash=crypto.lookup_hash(id_number)).first()
            if person is None:
                raise refuse(
                    "person_id_number",
                    _("找不到身份证号为 %(id)s 的人员") % {"id": crypto.mask_id_number(id_number)},
                )
            return person
        phone = values.get("person_phone") or ""
        if not phone:
            raise refuse("person_phone", _("请填写人员的手机号或身份证号"))
        candidates = Person.objects.filter(phone=phone)
        if values.get("person_name"):
            candidates = candidates.filter(name=values["person_name"])
        found = list(candidates[:2])
        if not found:
            raise refuse("person_phone", _("找不到手机号为 %(phone)s 的人员") % {"phone": phone})
        if len(found) > 1:
            raise refuse("person_phone", _("有多人使用手机号 %(phone)s，请填写身份证号") % {"phone": phone})
        return found[0]
