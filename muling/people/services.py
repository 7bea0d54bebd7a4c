"""Writes for people and posts. One transaction each; refusals raise PeopleError and write nothing."""

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.errors import DomainError
from muling.places.levels import Level
from muling.places.models import Area, Household

from .models import Department, Person, Post
from .roles import DEPARTMENT_ROLES, ROLE_LEVELS, Role

PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


class PeopleError(DomainError):
    """A refused write to people or posts (400)."""


def id_number_problem(value: str) -> str | None:
    """GB 11643 check: 17 digits, then a check character computed from them."""
    if not ID_RE.match(value):
        return _("身份证号应为 18 位（最后一位可为 X）")
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[17]:
        return _("身份证号校验位不正确")
    return None


def id_number_with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK[total % 11]


@transaction.atomic
def person_create(
    *,
    name: str,
    phone: str = "",
    id_number: str = "",
    household: Household | None = None,
    gender: str = "",
    birth_date: date | None = None,
    **tags,
) -> Person:
    name = (name or "").strip()
    phone = (phone or "").strip()
    id_number = (id_number or "").strip().upper()
    if not name:
        raise PeopleError("name_required", _("请填写姓名"), field="name")
    if phone and not PHONE_RE.match(phone):
        raise PeopleError("invalid_phone", _("手机号格式不正确"), field="phone")
    if id_number:
        problem = id_number_problem(id_number)
        if problem:
            raise PeopleError("invalid_id_number", problem, field="id_number")
        from . import crypto

        if Person.objects.filter(id_number_hash=crypto.lookup_hash(id_number)).exists():
            raise PeopleError("duplicate_id_number", _("该身份证号已登记"), field="id_number")
    if birth_date and birth_date > timezone.localdate():
        raise PeopleError("birth_in_future", _("出生日期不能晚于今天"), field="birth_date")
    unknown = set(tags) - TAG_FIELDS
    if unknown:
        raise PeopleError("unknown_tag", _("未知标签：%(tags)s") % {"tags": ", ".join(sorted(unknown))})
    person = Person(name=name, phone=phone, household=household, gender=gender, birth_date=birth_date, **tags)
    person.set_id_number(id_number)
    person.save()
    return person


TAG_FIELDS = {
    "is_elderly",
    "lives_alone",
    "is_disabled",
    "is_infant",
    "is_party_member",
    "reports_to_community",
    "new_employment",
}


def post_problem(
    *,
    person: Person,
    role: str,
    area: Area | None,
    department: Department | None,
    start_date: date,
    end_date: date | None,
    exclude_pk: int | None = None,
) -> tuple[str, str, str] | None:
    """(code, field, message) explaining why this post may not exist, or None."""
    if role not in Role.values:
        return ("unknown_role", "role", _("未知岗位"))
    if area is None or not Area.objects.filter(pk=area.pk).exists():
        return ("area_not_found", "area", _("区域不存在"))
    if area.level not in ROLE_LEVELS[role]:
        levels = "、".join(str(Level(lv).label) for lv in sorted(ROLE_LEVELS[role]))
        return (
            "wrong_area_level",
            "area",
            _("%(role)s只能设在：%(levels)s") % {"role": Role(role).label, "levels": levels},
        )
    if role in DEPARTMENT_ROLES and department is None:
        return (
            "department_required",
            "department",
            _("%(role)s须注明所属部门或单位") % {"role": Role(role).label},
        )
    if end_date is not None and end_date < start_date:
        return ("period_reversed", "end_date", _("任职结束不能早于开始"))
    overlapping = Post.objects.filter(person=person, role=role, area=area).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if overlapping.exists():
        return ("overlapping_post", "start_date", _("此人在该区域已有同一岗位，任期重叠"))
    return None


@transaction.atomic
def post_create(
    *,
    person: Person,
    role: str,
    area: Area | None,
    department: Department | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    title: str = "",
) -> Post:
    """Give `person` a post. The person row is locked so two concurrent requests cannot both pass the
    overlap check."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    start_date = start_date or timezone.localdate()
    problem = post_problem(
        person=person, role=role, area=area, department=department, start_date=start_date, end_date=end_date
    )
    if problem:
        code, field, message = problem
        raise PeopleError(code, message, field=field)
    return Post.objects.create(
        person=person,
        role=role,
        area=area,
        department=department,
        start_date=start_date,
        end_date=end_date,
        title=title,
    )


@transaction.atomic
def post_end(*, post: Post, end_date: date | None = None) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    end_date = end_date or timezone.localdate()
    if end_date < post.start_date:
        raise PeopleError("period_reversed", _("任职结束不能早于开始"), field="end_date")
    post.end_date = end_date
    post.save(update_fields=["end_date"])
    return post


@transaction.atomic
def user_create_for_person(*, person: Person, username: str, password: str, phone: str | None = None):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise PeopleError("duplicate_username", _("用户名已存在"), field="username")
    phone = phone or person.phone or None
    if phone and User.objects.filter(phone=phone).exists():
        phone = None  # a shared household phone may log in only one account; the username still works
    user = User(username=username, phone=phone, person=person, first_name=person.name)
    user.set_password(password)
    user.save()
    return user
