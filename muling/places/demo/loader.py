"""Write the demo plan through the real services (area_create, household_create, person_create,
post_create, user_create_for_person), all in one transaction: a failed load leaves nothing behind.

Idempotent by detection: the demo owns the city 济宁市 (370800). If it exists, loading is skipped;
`rebuild=True` deletes the demo subtree and everything attached to it, then loads again.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from muling.errors import DomainError
from muling.people import services as people
from muling.people.models import Department, Person, Post
from muling.places import services as places
from muling.places.levels import Level
from muling.places.models import Area, Household, PartyOrganisation

from . import layout
from .jining import CITY_CODE
from .logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_USERNAMES
from .plan import DEFAULT_SEED, AreaPlan, HouseholdPlan, PersonPlan, Plan, plan_demo


class DemoError(DomainError):
    """The demo cannot be loaded or rebuilt as asked."""


@dataclass
class LoadResult:
    loaded: bool
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


class _NoProgress:
    def update(self, n: int = 1) -> None:
        """No bar to move when the caller asked for none."""

    def close(self) -> None:
        """Nothing to close."""


def demo_city() -> Area | None:
    return Area.objects.filter(code=CITY_CODE).first()


def demo_exists() -> bool:
    return demo_city() is not None


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    rebuild: bool = False,
    progress: Callable[[int], object] | None = None,
    today: date | None = None,
) -> LoadResult:
    """Load the Jining demo unless it is there already (then nothing changes, unless `rebuild`).

    `progress(total)` returns a bar with update(n) and close() (tqdm fits).
    """
    if demo_exists() and not rebuild:
        return LoadResult(loaded=False, counts=demo_counts())
    plan = plan_demo(seed=seed, scale=scale, today=today or timezone.localdate())
    bar = progress(plan.size()) if progress else _NoProgress()
    try:
        with transaction.atomic():
            if rebuild:
                delete_demo()
            builder = DemoBuilder(plan, bar)
            builder.build()
    finally:
        bar.close()
    return LoadResult(loaded=True, counts=demo_counts(), warnings=builder.warnings)


@transaction.atomic
def delete_demo() -> None:
    """Remove the demo subtree with its people, posts, departments and demo logins."""
    city = demo_city()
    if city is None:
        return
    under = city.path
    User = get_user_model()
    persons = Person.objects.filter(
        Q(household__building__path__startswith=under)
        | Q(posts__area__path__startswith=under)
        | Q(user__username__in=DEMO_USERNAMES)
    )
    person_ids = list(persons.values_list("pk", flat=True).distinct())
    try:
        delete_demo_cases(under)
        User.objects.filter(Q(person_id__in=person_ids) | Q(username__in=DEMO_USERNAMES)).delete()
        Post.objects.filter(Q(area__path__startswith=under) | Q(person_id__in=person_ids)).delete()
        Person.objects.filter(pk__in=person_ids).delete()
        Household.objects.filter(building__path__startswith=under).delete()
        Department.objects.filter(area__path__startswith=under).delete()
        Area.objects.get(pk=city.pk).delete()  # treebeard deletes the whole subtree
    except ProtectedError as exc:
        raise DemoError(
            "demo_in_use",
            _("演示数据已被其他记录引用，无法重建；请先清空数据库（manage.py flush）再加载"),
        ) from exc


def delete_demo_cases(under: str) -> None:
    """Cases in the demo's areas are demo data too (cases/demo.py); their timelines go with them."""
    from muling.cases.models import Case, Summons

    cases = Case.objects.filter(area_path__startswith=under)
    Summons.objects.filter(case__in=cases).delete()
    Case.objects.filter(duplicate_of__in=cases).update(duplicate_of=None)
    cases.delete()


def demo_counts() -> dict[str, int]:
    """Rows of the demo data set by kind; empty when it is not loaded."""
    city = demo_city()
    if city is None:
        return {}
    under = city.path
    areas = Area.objects.filter(path__startswith=under)
    residents = Person.objects.filter(household__building__path__startswith=under)
    posts = Post.objects.filter(area__path__startswith=under)
    staff = Person.objects.filter(household__isnull=True, posts__area__path__startswith=under).distinct()
    return {
        "areas": areas.count(),
        "districts": areas.filter(level=Level.DISTRICT).count(),
        "streets": areas.filter(level=Level.STREET).count(),
        "communities": areas.filter(level=Level.COMMUNITY).count(),
        "grids": areas.filter(level=Level.GRID).count(),
        "buildings": areas.filter(level=Level.BUILDING).count(),
        "households": Household.objects.filter(building__path__startswith=under).count(),
        "residents": residents.count(),
        "staff": staff.count(),
        "posts": posts.count(),
        "departments": Department.objects.filter(area__path__startswith=under).count(),
        "party_organisations": PartyOrganisation.objects.filter(area__path__startswith=under).count(),
        "logins": get_user_model().objects.filter(username__in=DEMO_USERNAMES).count(),
    }


def count_labels() -> dict[str, str]:
    return {
        "areas": _("区域"),
        "districts": _("县区"),
        "streets": _("街道"),
        "communities": _("社区"),
        "grids": _("网格"),
        "buildings": _("楼栋"),
        "households": _("住户"),
        "residents": _("居民"),
        "staff": _("工作人员"),
        "posts": _("岗位"),
        "departments": _("部门与单位"),
        "party_organisations": _("党组织"),
        "logins": _("演示账号"),
    }


class DemoBuilder:
    """Creates the planned rows in plan order, so the same plan gives the same rows.

    Areas, party organisations, departments, staff, posts and logins go through the services one by
    one. Households and residents — most of the rows — are inserted in batches, after the same checks
    household_create and person_create make, so a demo of thousands of flats loads in seconds.
    """

    BATCH = 500

    def __init__(self, plan: Plan, bar):
        self.plan = plan
        self.bar = bar
        self.today = timezone.localdate()
        self.areas: dict[str, Area] = {}
        self.departments: dict[str, Department] = {}
        self.persons: dict[int, Person] = {}  # id(PersonPlan) → Person
        self.warnings: list[str] = []

    def build(self) -> None:
        self.create_area(self.plan.city, parent=None)
        self.create_households_and_residents()
        self.create_departments()
        for staff in self.plan.staff:
            self.create_staff_person(staff)
        self.create_posts()
        self.create_logins()

    def create_area(self, node: AreaPlan, parent: Area | None) -> None:
        area = places.area_create(
            parent=parent,
            code=node.code,
            name=node.name,
            level=node.level,
            address=node.address,
            polygon=node.polygon,
            centroid=node.centroid or (layout.centroid(node.polygon) if node.polygon else None),
            households_planned=node.households_planned,
        )
        self.areas[node.code] = area
        self.bar.update(1)
        if node.party_org:
            places.party_organisation_create(area=area, name=node.party_org)
        for child in node.children:
            self.create_area(child, parent=area)

    # ---- households and residents, in batches -----------------------------------------------------

    def create_households_and_residents(self) -> None:
        households: list[tuple[Household, HouseholdPlan]] = []
        for node in self.plan.areas():
            for plan in node.households:
                households.append((self.household_row(self.areas[node.code], plan), plan))
        for start in range(0, len(households), self.BATCH):
            batch = households[start : start + self.BATCH]
            Household.objects.bulk_create([row for row, _plan in batch])
            self.bar.update(len(batch))
            residents = [
                (self.person_row(member, household=row), member)
                for row, plan in batch
                for member in plan.members
            ]
            self.refuse_registered_id_numbers([row for row, _member in residents])
            Person.objects.bulk_create([row for row, _member in residents])
            for row, member in residents:
                self.persons[id(member)] = row
            self.bar.update(len(residents))

    @staticmethod
    def household_row(building: Area, plan: HouseholdPlan) -> Household:
        """An unsaved household, checked as household_create checks it (uniqueness: the DB constraint)."""
        if building.level != Level.BUILDING or not plan.room.strip():
            raise DemoError("invalid_household", _("演示住户数据无效：%(room)s") % {"room": plan.room})
        return Household(
            building=building,
            unit=plan.unit,
            room=plan.room,
            is_party_member_household=plan.is_party_member_household,
        )

    def person_row(self, plan: PersonPlan, *, household: Household | None) -> Person:
        """An unsaved person, checked as person_create checks it."""
        problem = (
            (not plan.name.strip() and "name")
            or (plan.phone and not people.PHONE_RE.match(plan.phone) and "phone")
            or (people.id_number_problem(plan.id_number) and "id_number")
            or (plan.birth_date > self.today and "birth_date")
            or (set(plan.tags) - people.TAG_FIELDS and "tags")
        )
        if problem:
            raise DemoError(
                "invalid_person",
                _("演示人员数据无效（%(field)s）：%(name)s") % {"field": problem, "name": plan.name},
            )
        person = Person(
            name=plan.name,
            phone=plan.phone,
            household=household,
            gender=plan.gender,
            birth_date=plan.birth_date,
            reports_to_community=self.areas[plan.reports_to_code] if plan.reports_to_code else None,
            **plan.tags,
        )
        person.set_id_number(plan.id_number)
        return person

    @staticmethod
    def refuse_registered_id_numbers(rows: list[Person]) -> None:
        hashes = [row.id_number_hash for row in rows]
        if len(set(hashes)) != len(hashes) or Person.objects.filter(id_number_hash__in=hashes).exists():
            raise DemoError("duplicate_id_number", _("该身份证号已登记"))

    # ---- everything else, one row at a time through the services ----------------------------------

    def create_staff_person(self, plan: PersonPlan) -> None:
        self.persons[id(plan)] = people.person_create(
            name=plan.name,
            phone=plan.phone,
            id_number=plan.id_number,
            gender=plan.gender,
            birth_date=plan.birth_date,
            **plan.tags,
        )
        self.bar.update(1)

    def create_departments(self) -> None:
        for dept in self.plan.departments:
            department = Department(
                code=dept.code,
                name=dept.name,
                kind=dept.kind,
                utility=dept.utility,
                area=self.areas[dept.area_code],
                phone=dept.phone,
            )
            department.full_clean()
            department.save()
            self.departments[dept.code] = department

    def create_posts(self) -> None:
        for plan in self.plan.persons():
            person = self.persons[id(plan)]
            for post in plan.posts:
                people.post_create(
                    person=person,
                    role=post.role,
                    area=self.areas[post.area_code],
                    department=self.departments[post.department_code] if post.department_code else None,
                    start_date=post.start_date,
                    title=post.title,
                )
                self.bar.update(1)

    def create_logins(self) -> None:
        """Demo accounts share one password, hashed once here: hashing is deliberately slow."""
        User = get_user_model()
        password_hash = make_password(DEMO_PASSWORD)
        holders = {plan.login: self.persons[id(plan)] for plan in self.plan.persons() if plan.login}
        for login in DEMO_LOGINS:
            if User.objects.filter(username=login.username).exists():
                self.warnings.append(
                    _("用户名 %(username)s 已被占用，未创建该演示账号") % {"username": login.username}
                )
                continue
            if login.is_superuser:
                user = User(username=login.username, first_name=_("管理员"))
            else:
                # None: user_create_for_person then stores an unusable password without hashing,
                # and the shared hash replaces it below.
                user = people.user_create_for_person(
                    person=holders[login.username], username=login.username, password=None
                )
            user.password = password_hash
            user.is_staff = login.is_staff
            user.is_superuser = login.is_superuser
            user.save()
