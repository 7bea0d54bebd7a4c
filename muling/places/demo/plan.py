"""The demo data set as plain objects, computed from a seed before anything touches the database.

Same seed, scale and reference date → the same plan, field for field: every random choice comes from
one `random.Random(seed)` and one seeded Faker, consumed in a fixed order. `loader.py` then writes the
plan through the real services.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from muling.people.models import Department, Gender, NewEmploymentKind
from muling.people.roles import Role
from muling.people.services import id_number_with_check
from muling.places.levels import Level

from . import jining, layout
from .logins import DEMO_LOGINS

DEFAULT_SEED = 370800

# The six participation posts of M11, in the order the seed lists them.
VOLUNTEER_POSTS = (
    Role.VOLUNTEER_GRID_WORKER,
    Role.PROPERTY_ASSISTANT,
    Role.ENVIRONMENT_KEEPER,
    Role.TRAFFIC_GUARD,
    Role.FOOD_SUPERVISOR,
    Role.POLICY_PROMOTER,
)

ELDERLY_AGE = 60
INFANT_MAX_AGE = 2  # "0–3岁": under three


@dataclass(eq=False)
class PostPlan:
    role: str
    area_code: str
    start_date: date
    department_code: str | None = None
    title: str = ""


@dataclass(eq=False)
class PersonPlan:
    name: str
    gender: str
    birth_date: date
    age: int
    phone: str
    id_number: str
    tags: dict = field(default_factory=dict)
    reports_to_code: str | None = None
    posts: list[PostPlan] = field(default_factory=list)
    login: str | None = None


@dataclass(eq=False)
class HouseholdPlan:
    unit: str
    room: str
    members: list[PersonPlan]
    is_party_member_household: bool = False


@dataclass(eq=False)
class AreaPlan:
    code: str
    name: str
    level: int
    address: str = ""
    polygon: dict | None = None
    centroid: tuple[float, float] | None = None
    households_planned: int | None = None
    party_org: str = ""
    children: list["AreaPlan"] = field(default_factory=list)
    households: list[HouseholdPlan] = field(default_factory=list)

    def walk(self) -> Iterator["AreaPlan"]:
        """This area and everything under it, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()

    def residents(self) -> Iterator[PersonPlan]:
        for area in self.walk():
            for household in area.households:
                yield from household.members


@dataclass(eq=False)
class DepartmentPlan:
    code: str
    name: str
    kind: str
    area_code: str
    phone: str
    utility: str = ""


@dataclass(eq=False)
class Plan:
    city: AreaPlan
    departments: list[DepartmentPlan]
    staff: list[PersonPlan]

    def areas(self) -> list[AreaPlan]:
        return list(self.city.walk())

    def persons(self) -> list[PersonPlan]:
        """Residents in tree order, then staff: the order the loader creates them in."""
        return [*self.city.residents(), *self.staff]

    def households(self) -> list[HouseholdPlan]:
        return [h for area in self.city.walk() for h in area.households]

    def size(self) -> int:
        """How many rows the loader writes for areas, households, persons and posts (for progress)."""
        persons = self.persons()
        return len(self.areas()) + len(self.households()) + len(persons) + sum(len(p.posts) for p in persons)


def reference_date(today: date) -> date:
    """Ages and terms are counted from 1 January of this year: the plan stays the same all year."""
    return date(today.year, 1, 1)


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def plan_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, today: date) -> Plan:
    return Planner(seed=seed, scale=scale, ref=reference_date(today)).plan()


class Planner:
    def __init__(self, *, seed: int, scale: float, ref: date):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.scale = scale
        self.ref = ref
        self.used_phones = {login.phone for login in DEMO_LOGINS if login.phone}
        self.used_ids: set[str] = set()
        self.staff: list[PersonPlan] = []
        self.departments: list[DepartmentPlan] = []

    # ---- the tree ------------------------------------------------------------------------------

    def plan(self) -> Plan:
        city = AreaPlan(
            code=jining.CITY_CODE,
            name=jining.CITY_NAME,
            level=Level.CITY,
            address=jining.CITY_ADDRESS,
            centroid=jining.CITY_CENTROID,
        )
        for spec in jining.DISTRICTS:
            city.children.append(self.plan_district(spec))
        plan = Plan(city=city, departments=self.departments, staff=self.staff)
        assign_demo_logins(plan)
        return plan

    def plan_district(self, spec: jining.DistrictSpec) -> AreaPlan:
        self.district = spec
        self.compounds = self.compound_names()
        self.property_brands = list(jining.PROPERTY_BRANDS)
        self.rng.shuffle(self.property_brands)
        blocks = layout.street_rects(spec.center, [len(s.communities) for s in spec.streets])
        district = AreaPlan(
            code=spec.code,
            name=spec.name,
            level=Level.DISTRICT,
            address=jining.CITY_ADDRESS + spec.name,
            polygon=layout.union_polygon([r for street in blocks for r in street]),
            party_org=spec.party_org,
        )
        self.plan_departments(district)
        for n, (street_spec, street_blocks) in enumerate(zip(spec.streets, blocks, strict=True), start=1):
            district.children.append(
                self.plan_street(district, street_spec, f"{spec.code}{n:03d}", street_blocks, n)
            )
        self.new_staff(
            (48, 58),
            [self.post(Role.COUNTY_SECRETARY, district.code, title=f"{spec.party_org}书记")],
            party_member=True,
        )
        return district

    def plan_street(
        self, district: AreaPlan, spec: jining.StreetSpec, code: str, blocks: list, number: int
    ) -> AreaPlan:
        street = AreaPlan(
            code=code,
            name=spec.name,
            level=Level.STREET,
            address=district.address + spec.name,
            polygon=layout.union_polygon(blocks),
            party_org=spec.party_org,
        )
        for n, (name, block) in enumerate(zip(spec.communities, blocks, strict=True), start=1):
            street.children.append(self.plan_community(street, name, f"{code}{n:03d}", block, spec))
        self.new_staff(
            (42, 55),
            [self.post(Role.STREET_SECRETARY, street.code, title=f"{spec.party_org}书记")],
            party_member=True,
        )
        self.plan_justice_posts(street, number)
        self.plan_professional_grid_workers(street)
        return street

    def plan_community(
        self, street: AreaPlan, name: str, code: str, block: tuple, street_spec: jining.StreetSpec
    ) -> AreaPlan:
        community = AreaPlan(
            code=code,
            name=name,
            level=Level.COMMUNITY,
            address=street.address + name,
            polygon=layout.polygon(block),
            party_org=f"中共{name}委员会",
        )
        count = max(2, round(self.rng.randint(2, 4) * self.scale))
        base = name.removesuffix("社区")
        for n, rect in enumerate(layout.grid_rects(block, count), start=1):
            compound = base if n == 1 and base.endswith(jining.COMPOUND_SUFFIXES) else next(self.compounds)
            community.children.append(self.plan_grid(community, base, n, rect, compound))
        grids = community.children
        # The community secretary is grid chief of every grid (网格长在网格内负总责).
        self.new_staff(
            (40, 55),
            [
                self.post(Role.COMMUNITY_SECRETARY, code, title=f"{community.party_org}书记"),
                *(self.post(Role.GRID_CHIEF, g.code, title="网格长") for g in grids),
            ],
            party_member=True,
        )
        # The deputy secretary runs the first grid day to day as its executive grid chief.
        self.new_staff(
            (35, 50),
            [self.post(Role.GRID_CHIEF, grids[0].code, title="常务网格长（社区党委副书记）")],
            party_member=True,
        )
        # One instructor sent down from a district office for every second grid.
        self.new_staff(
            (35, 58),
            [
                self.post(Role.PARTY_INSTRUCTOR, g.code, title="网格党建指导员（机关下派）")
                for g in grids[1::2]
            ],
            party_member=True,
        )
        self.plan_property_company(community)
        self.new_staff(
            (28, 50),
            [
                self.post(
                    Role.POLICE,
                    code,
                    title=f"{self.district.gov}公安局{street_spec.police_station}社区民警",
                )
            ],
            party_member=self.rng.random() < 0.6,
        )
        return community

    def plan_grid(self, community: AreaPlan, base: str, number: int, rect: tuple, compound: str) -> AreaPlan:
        name = f"{base}第{chinese_number(number)}网格"
        grid = AreaPlan(
            code=f"{community.code}{number:03d}",
            name=name,
            level=Level.GRID,
            address=f"{community.address} {compound}",
            polygon=layout.polygon(rect),
            party_org=f"{name}党支部",
        )
        # Below scale 1 grids also get fewer buildings (at least two), for quick tests and looks.
        buildings = max(2, round(self.rng.randint(3, 6) * min(1.0, self.scale)))
        for n, point in enumerate(layout.building_points(rect, buildings), start=1):
            grid.children.append(self.plan_building(grid, community, n, compound, point))
        grid.households_planned = sum(b.households_planned or 0 for b in grid.children)
        self.mark_party_member_household(grid)
        # "1+1+N": one community cadre (who also leads the grid's party branch), one full-time grid
        # worker, and the building heads chosen in plan_building.
        self.new_staff(
            (28, 50),
            [
                self.post(Role.COMMUNITY_CADRE, grid.code, title="社区“两委”成员包保网格"),
                self.post(Role.GRID_BRANCH_SECRETARY, grid.code, title=f"{grid.party_org}书记"),
            ],
            party_member=True,
        )
        self.new_staff(
            (23, 39), [self.post(Role.GRID_WORKER, grid.code)], party_member=self.rng.random() < 0.5
        )
        part_timers = self.rng.randint(0, 2)
        if number == 1:
            part_timers = max(1, part_timers)
        for _n in range(part_timers):
            self.give_resident_post(grid, Role.PART_TIME_GRID_WORKER, (22, 60), title="微网格员")
        # The first grid of each street shows all six participation posts; other grids have one.
        first_of_street = number == 1 and community.code.endswith("001")
        roles = VOLUNTEER_POSTS if first_of_street else self.rng.sample(VOLUNTEER_POSTS, 1)
        for role in roles:
            self.give_resident_post(grid, role, (18, 75))
        return grid

    def plan_building(
        self, grid: AreaPlan, community: AreaPlan, number: int, compound: str, point: tuple
    ) -> AreaPlan:
        units = self.rng.randint(1, 2)
        floors = max(1, round(self.rng.randint(2, 4) * self.scale))
        rooms_per_floor = 2
        building = AreaPlan(
            code=f"{grid.code}{number:03d}",
            name=f"{number}号楼",
            level=Level.BUILDING,
            address=f"{compound}{number}号楼",
            centroid=point,
            households_planned=units * floors * rooms_per_floor,
        )
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, rooms_per_floor + 1):
                    building.households.append(
                        HouseholdPlan(
                            unit=str(unit),
                            room=f"{floor}{room:02d}",
                            members=self.household_members(community.code),
                        )
                    )
        party_members = [p for p in building.residents() if p.tags.get("is_party_member")]
        if len(party_members) >= 2:
            building.party_org = f"{compound}{number}号楼党小组"
        self.give_resident_post(building, Role.BUILDING_HEAD, (25, 70), title="楼长", prefer_party=True)
        return building

    def mark_party_member_household(self, grid: AreaPlan) -> None:
        """One 党员中心户 per grid: the first party member's household in a building with a party group."""
        for building in grid.children:
            if not building.party_org:
                continue
            for household in building.households:
                if any(p.tags.get("is_party_member") for p in household.members):
                    household.is_party_member_household = True
                    return

    # ---- departments and the staff that belong to them -------------------------------------------

    def plan_departments(self, district: AreaPlan) -> None:
        spec = self.district
        for key, suffix, party_office in jining.FUNCTIONAL_DEPARTMENTS:
            prefix = spec.party_prefix if party_office else spec.gov
            self.add_department(
                f"{district.code}-{key}", prefix + suffix, Department.Kind.FUNCTIONAL, district.code
            )
        for key, utility, template in jining.UTILITIES:
            self.add_department(
                f"{district.code}-{key}",
                template.format(gov=spec.gov),
                Department.Kind.UTILITY,
                district.code,
                utility=utility,
            )
        for dept in self.departments:
            if dept.area_code != district.code:
                continue
            title = "基层治理联络员" if dept.kind == Department.Kind.FUNCTIONAL else "网格服务专员"
            self.new_staff(
                (26, 52),
                [self.post(Role.DEPARTMENT_STAFF, district.code, department=dept.code, title=title)],
                party_member=self.rng.random() < 0.4,
            )

    def add_department(self, code: str, name: str, kind: str, area_code: str, utility: str = "") -> None:
        phone = f"{jining.AREA_PHONE_PREFIX}{self.rng.randint(2, 8)}{self.rng.randint(0, 999999):06d}"
        self.departments.append(
            DepartmentPlan(code=code, name=name, kind=kind, area_code=area_code, phone=phone, utility=utility)
        )

    def plan_property_company(self, community: AreaPlan) -> None:
        brand = self.property_brands.pop(0) if self.property_brands else "睦邻"
        code = f"PROP-{community.code}"
        self.add_department(
            code,
            f"{self.district.property_prefix}{brand}物业服务有限公司",
            Department.Kind.PROPERTY,
            community.code,
        )
        for title in ("物业项目经理", "物业客服"):
            self.new_staff(
                (25, 50),
                [self.post(Role.PROPERTY_STAFF, community.code, department=code, title=title)],
                party_member=self.rng.random() < 0.3,
            )

    def plan_justice_posts(self, street: AreaPlan, number: int) -> None:
        """三官一律: a judge, a prosecutor and a lawyer linked to every community of the street (the
        community police officers are planned with each community)."""
        communities = [c.code for c in street.children]
        firm = jining.LAW_FIRMS[
            (jining.DISTRICTS.index(self.district) * 2 + number - 1) % len(jining.LAW_FIRMS)
        ]
        for role, title in (
            (Role.JUDGE, f"{self.district.gov}人民法院法官"),
            (Role.PROSECUTOR, f"{self.district.gov}人民检察院检察官"),
            (Role.LAWYER, f"{firm}律师"),
        ):
            self.new_staff(
                (30, 55),
                [self.post(role, code, title=title) for code in communities],
                party_member=self.rng.random() < 0.5,
            )

    def plan_professional_grid_workers(self, street: AreaPlan) -> None:
        """One person per department covers every grid of the street ("一人多格")."""
        grids = [g.code for c in street.children for g in c.children]
        for key in jining.PROFESSIONAL_DEPARTMENTS:
            dept = f"{self.district.code}-{key}"
            self.new_staff(
                (25, 50),
                [
                    self.post(Role.PROFESSIONAL_GRID_WORKER, g, department=dept, title="专业网格员")
                    for g in grids
                ],
                party_member=self.rng.random() < 0.3,
            )

    # ---- people ----------------------------------------------------------------------------------

    def household_members(self, community_code: str) -> list[PersonPlan]:
        kinds, weights = zip(*jining.HOUSEHOLD_KINDS, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        rng = self.rng
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        if kind == "elderly_alone":
            head = self.resident(rng.randint(65, 90), gender, community_code)
            head.tags["lives_alone"] = True
            return [head]
        if kind == "single_adult":
            return [self.resident(rng.randint(22, 45), gender, community_code, gig_chance=0.2)]
        head_age = {
            "elderly_couple": (60, 85),
            "young_couple": (24, 38),
            "couple_with_infant": (25, 36),
            "family_with_child": (32, 50),
            "three_generations": (30, 45),
        }[kind]
        head = self.resident(rng.randint(*head_age), gender, community_code)
        spouse_age = min(95, max(21, head.age + rng.randint(-3, 3)))
        spouse = self.resident(spouse_age, _other(gender), community_code)
        members = [head, spouse]
        father_surname = (head if gender == Gender.MALE else spouse).name[0]
        if kind == "couple_with_infant":
            members.append(
                self.resident(rng.randint(0, INFANT_MAX_AGE), None, community_code, father_surname)
            )
        elif kind == "family_with_child":
            oldest = max(4, min(17, head.age - 22))
            members.append(self.resident(rng.randint(4, oldest), None, community_code, father_surname))
            if rng.random() < 0.3:
                members.append(self.resident(rng.randint(0, oldest), None, community_code, father_surname))
        elif kind == "three_generations":
            members.append(self.resident(rng.randint(0, 12), None, community_code, father_surname))
            youngest_parent = max(ELDERLY_AGE, head.age + 20)
            parent_gender = rng.choice((Gender.MALE, Gender.FEMALE))
            parent_surname = head.name[0] if parent_gender == Gender.MALE and gender == Gender.MALE else None
            members.append(
                self.resident(
                    rng.randint(youngest_parent, youngest_parent + 15),
                    parent_gender,
                    community_code,
                    parent_surname,
                )
            )
        return members

    def resident(
        self,
        age: int,
        gender: str | None,
        community_code: str,
        surname: str | None = None,
        gig_chance: float = 0.03,
    ) -> PersonPlan:
        rng = self.rng
        person = self.person(age, gender, surname)
        tags = person.tags
        tags["is_elderly"] = age >= ELDERLY_AGE
        tags["is_infant"] = age <= INFANT_MAX_AGE
        tags["is_disabled"] = age > INFANT_MAX_AGE and rng.random() < (0.05 if age >= ELDERLY_AGE else 0.015)
        tags["is_party_member"] = age >= 18 and rng.random() < (0.15 if age >= ELDERLY_AGE else 0.09)
        if tags["is_party_member"] and 25 <= age <= 55 and rng.random() < 0.5:
            # An in-service party member who reports to the community they live in (双报到).
            person.reports_to_code = community_code
        if 20 <= age <= 45 and rng.random() < gig_chance:
            tags["new_employment"] = rng.choice(
                (NewEmploymentKind.RIDER, NewEmploymentKind.RIDER, NewEmploymentKind.COURIER)
                + (NewEmploymentKind.COURIER, NewEmploymentKind.DRIVER)
            )
        if age < 16 or (age >= 75 and rng.random() < 0.4):
            person.phone = ""
        return person

    def new_staff(
        self, ages: tuple[int, int], posts: list[PostPlan], *, party_member: bool
    ) -> PersonPlan | None:
        if not posts:
            return None
        person = self.person(self.rng.randint(*ages), None)
        person.tags["is_party_member"] = party_member
        person.posts.extend(posts)
        self.staff.append(person)
        return person

    def person(self, age: int, gender: str | None, surname: str | None = None) -> PersonPlan:
        gender = gender or self.rng.choice((Gender.MALE, Gender.FEMALE))
        fake = self.fake
        given = fake.first_name_male() if gender == Gender.MALE else fake.first_name_female()
        birth = self.birth_date(age)
        return PersonPlan(
            name=(surname or fake.last_name()) + given,
            gender=gender,
            birth_date=birth,
            age=age,
            phone=self.new_phone(),
            id_number=self.new_id_number(birth, gender),
        )

    def birth_date(self, age: int) -> date:
        """A birthday making the person exactly `age` on the reference date (1 January)."""
        year = self.ref.year - age - 1
        return date(year, 1, 1) + timedelta(days=self.rng.randint(1, 364))

    def new_phone(self) -> str:
        while True:
            phone = self.rng.choice(jining.MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def new_id_number(self, birth: date, gender: str) -> str:
        """GB 11643: issuing division, birth date, a sequence (odd for men), check character."""
        regions, weights = zip(*self.district.id_regions, strict=True)
        while True:
            region = self.rng.choices(regions, weights)[0]
            sequence = self.rng.randrange(1 if gender == Gender.MALE else 0, 1000, 2)
            number = id_number_with_check(f"{region}{birth:%Y%m%d}{sequence:03d}")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def give_resident_post(
        self, area: AreaPlan, role: str, ages: tuple[int, int], *, title: str = "", prefer_party: bool = False
    ) -> None:
        """Give a post to a resident of `area` who holds none yet (building heads, micro-grid workers,
        volunteers live where they serve)."""
        free = [p for p in area.residents() if not p.posts and ages[0] <= p.age <= ages[1]]
        if not free:
            free = [p for p in area.residents() if not p.posts and p.age >= 18]
        if not free:
            return
        if prefer_party and any(p.tags.get("is_party_member") for p in free):
            free = [p for p in free if p.tags.get("is_party_member")]
        self.rng.choice(free).posts.append(self.post(role, area.code, title=title))

    def post(self, role: str, area_code: str, *, department: str | None = None, title: str = "") -> PostPlan:
        start = date(self.ref.year - self.rng.randint(1, 5), self.rng.randint(1, 12), 1)
        return PostPlan(
            role=role, area_code=area_code, start_date=start, department_code=department, title=title
        )

    def compound_names(self) -> Iterator[str]:
        names = list(jining.COMPOUNDS)
        self.rng.shuffle(names)
        for phase in ("", "二期", "三期", "四期", "五期"):
            for name in names:
                yield name + phase
        n = 6
        while True:
            for name in names:
                yield f"{name}{chinese_number(n)}期"
            n += 1


def _other(gender: str) -> str:
    return Gender.FEMALE if gender == Gender.MALE else Gender.MALE


def assign_demo_logins(plan: Plan) -> None:
    """Mark the planned people who get the demo logins, and give them the logins' fixed phones."""
    persons = plan.persons()
    for login in DEMO_LOGINS:
        if login.is_superuser:
            continue
        if login.role is None:
            person = _first_free_resident(plan, login.area_code)
        else:
            person = _holder(persons, login)
        if person is None:
            raise LookupError(f"no planned person for demo login {login.username}")
        person.login = login.username
        if login.phone:
            person.phone = login.phone


def _holder(persons: list[PersonPlan], login) -> PersonPlan | None:
    """The first person holding the login's post, preferring one who holds only that role, so the
    login shows what that role alone sees."""

    def holds(p: PersonPlan) -> bool:
        return p.login is None and any(
            post.role == login.role
            and post.area_code == login.area_code
            and (login.department_code is None or post.department_code == login.department_code)
            for post in p.posts
        )

    holders = [p for p in persons if holds(p)]
    only = [p for p in holders if all(post.role == login.role for post in p.posts)]
    return (only or holders or [None])[0]


def _first_free_resident(plan: Plan, community_code: str) -> PersonPlan | None:
    community = next(a for a in plan.areas() if a.code == community_code)
    for person in community.residents():
        if person.login is None and not person.posts and 18 <= person.age < ELDERLY_AGE and person.phone:
            return person
    return None
