"""Test data: a small, fully staffed corner of Jining built through the real services."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model

from muling.people import services as people
from muling.people.models import Department, Person
from muling.people.roles import Role
from muling.places import services as places
from muling.places.models import Area, Household

POSTS_START = date(2020, 1, 1)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def make_user(
    username: str, person: Person | None, *, superuser: bool = False, password: str = "pw-Muling-123"
):
    User = get_user_model()
    if person is not None:
        return people.user_create_for_person(person=person, username=username, password=password)
    if superuser:
        return User.objects.create_superuser(username=username, password=password)
    return User.objects.create_user(username=username, password=password)


@dataclass
class World:
    areas: dict[str, Area] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)

    def area(self, key: str) -> Area:
        return Area.objects.get(pk=self.areas[key].pk)

    @classmethod
    def build(cls) -> "World":
        w = cls()
        a = w.areas
        a["city"] = places.area_create(parent=None, code="370800", name="济宁市")
        a["county"] = places.area_create(parent=a["city"], code="370832", name="梁山县")
        a["other_county"] = places.area_create(
            parent=Area.objects.get(pk=a["city"].pk), code="370871", name="高新区"
        )
        a["street"] = places.area_create(parent=a["county"], code="370832001", name="梁山街道")
        a["other_street"] = places.area_create(
            parent=Area.objects.get(pk=a["county"].pk), code="370832002", name="水泊街道"
        )
        a["community"] = places.area_create(parent=a["street"], code="370832001001", name="幸福街社区")
        a["other_community"] = places.area_create(
            parent=Area.objects.get(pk=a["street"].pk), code="370832001002", name="杏花村社区"
        )
        a["grid"] = places.area_create(
            parent=a["community"],
            code="370832001001001",
            name="幸福街第一网格",
            polygon=square(116.08, 35.80),
        )
        a["other_grid"] = places.area_create(
            parent=Area.objects.get(pk=a["community"].pk),
            code="370832001001002",
            name="幸福街第二网格",
            polygon=square(116.09, 35.80),
        )
        a["far_grid"] = places.area_create(
            parent=a["other_community"],
            code="370832001002001",
            name="杏花村第一网格",
            polygon=square(116.10, 35.80),
        )
        a["building"] = places.area_create(parent=a["grid"], code="370832001001001001", name="1号楼")
        a["other_building"] = places.area_create(
            parent=a["other_grid"], code="370832001001002001", name="5号楼"
        )
        a["far_building"] = places.area_create(parent=a["far_grid"], code="370832001002001001", name="9号楼")
        for key in list(a):
            a[key] = Area.objects.get(pk=a[key].pk)

        h = w.households
        h["home"] = places.household_create(building=a["building"], unit="1", room="101")
        h["neighbour"] = places.household_create(building=a["building"], unit="1", room="102")
        h["other_grid"] = places.household_create(building=a["other_building"], unit="1", room="201")
        h["far"] = places.household_create(building=a["far_building"], unit="2", room="301")

        d = w.departments
        d["water"] = Department.objects.create(
            code="LS-WATER",
            name="梁山县供水公司",
            kind=Department.Kind.UTILITY,
            utility=Department.Utility.WATER,
            area=a["county"],
        )
        d["property"] = Department.objects.create(
            code="XF-PROP", name="幸福物业", kind=Department.Kind.PROPERTY, area=a["community"]
        )

        def resident(key: str, name: str, household: str, phone: str, **tags):
            person = people.person_create(name=name, phone=phone, household=h[household], **tags)
            w.users[key] = make_user(key, person)
            return person

        resident("resident", "王秀兰", "home", "13800000001", is_elderly=True)
        resident("housemate", "李建国", "home", "13800000002")
        resident("neighbour", "赵敏", "neighbour", "13800000003")
        resident("other_grid_resident", "钱伟", "other_grid", "13800000004")
        resident("far_resident", "孙丽", "far", "13800000005")

        def staff(key: str, name: str, phone: str, posts: list[tuple[str, str, str | None]]):
            person = people.person_create(name=name, phone=phone)
            for role, area_key, dept in posts:
                people.post_create(
                    person=person,
                    role=role,
                    area=a[area_key],
                    department=d[dept] if dept else None,
                    start_date=POSTS_START,  # long before any time a test travels to
                )
            w.users[key] = make_user(key, person)
            return person

        staff("building_head", "周楼长", "13900000001", [(Role.BUILDING_HEAD, "building", None)])
        staff("part_time_grid_worker", "吴兼职", "13900000002", [(Role.PART_TIME_GRID_WORKER, "grid", None)])
        staff("grid_worker", "郑网格", "13900000003", [(Role.GRID_WORKER, "grid", None)])
        staff("other_grid_worker", "冯网格", "13900000004", [(Role.GRID_WORKER, "other_grid", None)])
        staff("grid_chief", "陈网格长", "13900000005", [(Role.GRID_CHIEF, "grid", None)])
        staff("community_secretary", "褚书记", "13900000006", [(Role.COMMUNITY_SECRETARY, "community", None)])
        staff("street_secretary", "卫书记", "13900000007", [(Role.STREET_SECRETARY, "street", None)])
        staff("county_secretary", "蒋书记", "13900000008", [(Role.COUNTY_SECRETARY, "county", None)])
        staff("department_staff", "沈供水", "13900000009", [(Role.DEPARTMENT_STAFF, "county", "water")])
        staff(
            "professional_grid_worker",
            "韩专业",
            "13900000010",
            [
                (Role.PROFESSIONAL_GRID_WORKER, "grid", "water"),
                (Role.PROFESSIONAL_GRID_WORKER, "other_grid", "water"),
            ],
        )
        staff("property_staff", "杨物业", "13900000011", [(Role.PROPERTY_STAFF, "community", "property")])
        w.users["admin"] = make_user("admin", None, superuser=True)
        w.users["nobody"] = make_user("nobody", None)
        return w
