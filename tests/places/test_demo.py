"""The Jining demo data set: idempotent, deterministic, fully staffed, and its logins work."""

import hashlib
import io
import json
from datetime import date

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from muling.people import scope
from muling.people.models import Department, Person, Post
from muling.people.roles import Role
from muling.people.services import PHONE_RE, id_number_problem
from muling.places.demo import logins as demo_logins
from muling.places.demo.loader import delete_demo, demo_counts, demo_exists, load_demo
from muling.places.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, logins_table
from muling.places.demo.plan import plan_demo
from muling.places.geometry import polygon_problem
from muling.places.levels import Level
from muling.places.models import Area, Household, PartyOrganisation

# The smallest demo: two grids per community, one floor per building. Same shape, a fraction of rows.
SCALE = 0.25
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def digest() -> str:
    """Everything the demo wrote, by content (codes, names, phones …), never by primary key."""
    rows = {
        "areas": list(
            (a.code, a.name, a.level, a.address, json.dumps(a.polygon), a.centroid_lat, a.centroid_lon)
            for a in Area.objects.all()
        ),
        "households": list(
            Household.objects.values_list("building__code", "unit", "room", "is_party_member_household")
        ),
        "persons": list(
            Person.objects.values_list(
                "name",
                "phone",
                "gender",
                "birth_date",
                "id_number_hash",
                "household__building__code",
                "household__room",
                "is_elderly",
                "lives_alone",
                "is_disabled",
                "is_infant",
                "is_party_member",
                "reports_to_community__code",
                "new_employment",
            )
        ),
        "posts": list(
            Post.objects.values_list(
                "person__phone",
                "person__name",
                "role",
                "area__code",
                "department__code",
                "start_date",
                "title",
            )
        ),
        "departments": list(Department.objects.values_list("code", "name", "kind", "utility", "area__code")),
        "party": list(PartyOrganisation.objects.values_list("area__code", "kind", "name")),
        "users": list(
            get_user_model().objects.values_list("username", "person__phone", "is_staff", "is_superuser")
        ),
    }
    # Sorted by repr: rows mix None and strings, which do not compare.
    canonical = {kind: sorted(map(repr, values)) for kind, values in rows.items()}
    return hashlib.sha256(repr(canonical).encode()).hexdigest()


def children(area: Area):
    return Area.objects.filter(level=area.level + 1, code__startswith=area.code)


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """One committed load shared by this module's tests (each test still runs in its own rolled-back
    transaction); removed again when the module is done."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_demo(scale=SCALE)
        try:
            yield digest()
        finally:
            delete_demo()


@pytest.fixture
def demo(db, loaded_demo) -> str:
    """The digest of the loaded demo."""
    return loaded_demo


def flush_database() -> None:
    """`manage.py flush` inside the test's transaction: PostgreSQL refuses to TRUNCATE while deferred
    foreign-key checks are pending, so run them first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_the_plan_is_a_function_of_seed_and_scale():
    today = date(2026, 11, 29)

    def plan_digest(**kwargs) -> str:
        plan = plan_demo(today=today, **kwargs)
        people = [
            (p.name, p.phone, p.id_number, p.birth_date, sorted(p.tags.items())) for p in plan.persons()
        ]
        posts = [(post.role, post.area_code, post.start_date) for p in plan.persons() for post in p.posts]
        areas = [(a.code, a.name, json.dumps(a.polygon)) for a in plan.areas()]
        return hashlib.sha256(repr((people, posts, areas)).encode()).hexdigest()

    assert plan_digest(scale=SCALE) == plan_digest(scale=SCALE)
    assert plan_digest(scale=SCALE) != plan_digest(scale=SCALE, seed=1)


def test_loading_twice_leaves_the_same_rows(demo):
    counts, codes = demo_counts(), list(Area.objects.order_by("code").values_list("code", "name"))

    out = io.StringIO()
    call_command("load_demo", scale=SCALE, stdout=out, stderr=io.StringIO())

    assert "演示数据已存在" in out.getvalue()
    assert demo_counts() == counts
    assert list(Area.objects.order_by("code").values_list("code", "name")) == codes
    assert digest() == demo
    # The table of logins is printed either way.
    assert "community_secretary" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


def test_a_fresh_database_gets_identical_content(demo):
    flush_database()
    assert not demo_exists() and not Person.objects.exists()

    load_demo(scale=SCALE)

    assert digest() == demo


def test_rebuild_replaces_the_demo_with_identical_content(demo):
    out = io.StringIO()
    call_command("load_demo", scale=SCALE, rebuild=True, stdout=out, stderr=io.StringIO())

    assert "演示数据已加载" in out.getvalue()
    assert digest() == demo


def test_the_tree_follows_the_seed(demo):
    assert Area.objects.get(code="370800").name == "济宁市"
    districts = dict(Area.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
    assert districts == {"370832": "梁山县", "370871": "济宁高新区", "370872": "太白湖新区"}
    assert Area.objects.get(code=demo_logins.STREET).name == "梁山街道"
    assert Area.objects.get(code=demo_logins.COMMUNITY).name == "幸福街社区"
    assert Area.objects.get(name="京杭佳苑社区").code.startswith("370872")
    for street in Area.objects.filter(level=Level.STREET):
        assert 2 <= children(street).count() <= 3
        assert street.party_org.kind == PartyOrganisation.Kind.STREET_WORKING_COMMITTEE
    for community in Area.objects.filter(level=Level.COMMUNITY):
        assert 2 <= children(community).count() <= 4
        assert community.party_org.kind == PartyOrganisation.Kind.COMMUNITY_COMMITTEE
    for grid in Area.objects.filter(level=Level.GRID):
        # Three to six buildings at scale 1; the small test scale keeps at least two.
        assert 2 <= children(grid).count() <= 6
        assert grid.party_org.kind == PartyOrganisation.Kind.GRID_BRANCH
    assert PartyOrganisation.objects.filter(kind=PartyOrganisation.Kind.BUILDING_GROUP).exists()
    assert Household.objects.filter(is_party_member_household=True).exists()
    for building in Area.objects.filter(level=Level.BUILDING):
        assert building.households.exists()
        assert building.centroid_lat and building.centroid_lon


def test_every_grid_is_staffed_one_plus_one_plus_n(demo):
    active = Post.objects.active()
    for grid in Area.objects.filter(level=Level.GRID):
        assert active.filter(area=grid, role=Role.GRID_WORKER).count() == 1, grid.code
        assert active.filter(area=grid, role=Role.COMMUNITY_CADRE).count() == 1, grid.code
        for building in children(grid):
            assert active.filter(area=building, role=Role.BUILDING_HEAD).exists(), building.code
        # The community secretary is grid chief of every grid of the community.
        community = Area.objects.get(code=grid.code[:12])
        secretaries = active.filter(area=community, role=Role.COMMUNITY_SECRETARY).values("person")
        assert active.filter(area=grid, role=Role.GRID_CHIEF, person__in=secretaries).count() == 1
        assert active.filter(area=grid, role=Role.GRID_BRANCH_SECRETARY).count() == 1
    for street in Area.objects.filter(level=Level.STREET):
        assert active.filter(area=street, role=Role.STREET_SECRETARY).count() == 1
    for district in Area.objects.filter(level=Level.DISTRICT):
        assert active.filter(area=district, role=Role.COUNTY_SECRETARY).count() == 1
        utilities = Department.objects.filter(area=district, kind=Department.Kind.UTILITY)
        assert set(utilities.values_list("utility", flat=True)) == set(Department.Utility.values)
        assert Department.objects.filter(area=district, kind=Department.Kind.FUNCTIONAL).count() >= 4
    for community in Area.objects.filter(level=Level.COMMUNITY):
        assert Department.objects.filter(area=community, kind=Department.Kind.PROPERTY).exists()
        for role in (Role.JUDGE, Role.PROSECUTOR, Role.POLICE, Role.LAWYER, Role.PROPERTY_STAFF):
            assert active.filter(area=community, role=role).exists(), (community.code, role)
    # Professional grid workers: one person, posts on several grids, each with a department.
    professional = active.filter(role=Role.PROFESSIONAL_GRID_WORKER)
    assert professional.filter(department__isnull=True).count() == 0
    person = professional.first().person
    assert professional.filter(person=person).count() >= 2
    for role in (
        Role.VOLUNTEER_GRID_WORKER,
        Role.PROPERTY_ASSISTANT,
        Role.ENVIRONMENT_KEEPER,
        Role.TRAFFIC_GUARD,
        Role.FOOD_SUPERVISOR,
        Role.POLICY_PROMOTER,
        Role.PART_TIME_GRID_WORKER,
        Role.PARTY_INSTRUCTOR,
    ):
        assert active.filter(role=role).exists(), role


def test_every_grid_has_a_valid_polygon_and_grids_tile_their_community(demo):
    for community in Area.objects.filter(level=Level.COMMUNITY):
        grids = list(children(community))
        shapes = []
        for grid in grids:
            assert grid.polygon is not None, grid.code
            assert polygon_problem(grid.polygon) is None, grid.code
            geom = shape(grid.polygon)
            assert geom.covers(Point(grid.centroid_lon, grid.centroid_lat))
            shapes.append(geom)
        # No overlaps, no gaps: the grids add up to exactly their community.
        assert sum(s.area for s in shapes) == pytest.approx(shape(community.polygon).area)
        assert unary_union(shapes).symmetric_difference(shape(community.polygon)).area == pytest.approx(
            0, abs=1e-12
        )
    liangshan = shape(Area.objects.get(code="370832").polygon).centroid
    assert liangshan.x == pytest.approx(116.09, abs=0.05) and liangshan.y == pytest.approx(35.80, abs=0.05)


def test_residents_have_realistic_valid_records(demo):
    residents = Person.objects.filter(household__isnull=False)
    total = residents.count()
    assert 0.12 < residents.filter(is_elderly=True).count() / total < 0.30
    assert residents.filter(lives_alone=True).exists()
    assert not residents.filter(lives_alone=True, is_elderly=False).exists()
    assert residents.filter(is_disabled=True).exists()
    assert residents.filter(reports_to_community__isnull=False).exists()
    assert residents.exclude(new_employment="").exists()
    today = timezone.localdate()
    for person in residents.filter(is_infant=True):
        assert (today - person.birth_date).days < 4 * 366
    for person in residents.filter(is_elderly=True)[:50]:
        assert person.birth_date <= date(today.year - 60, 12, 31)
    for household in Household.objects.all()[:200]:
        assert 1 <= household.members.count() <= 4
    for person in Person.objects.all()[:300]:
        assert id_number_problem(person.id_number_full()) is None
        assert not person.phone or PHONE_RE.match(person.phone)
        assert person.gender in ("M", "F")
        # GB 11643: the 17th digit is odd for men.
        assert int(person.id_number_full()[16]) % 2 == (1 if person.gender == "M" else 0)
        assert person.id_number_full()[6:14] == f"{person.birth_date:%Y%m%d}"


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.username)
def test_demo_login_works_and_holds_its_role(demo, login):
    user = authenticate(username=login.username, password=DEMO_PASSWORD)
    assert user is not None and user.username == login.username
    assert user.is_staff == login.is_staff
    assert user.is_superuser == login.is_superuser
    if login.is_superuser:
        assert scope.area_paths(user) == scope.ALL
        return
    if login.phone:
        assert authenticate(username=login.phone, password=DEMO_PASSWORD) == user
    chain = (demo_logins.COUNTY, demo_logins.STREET)
    assert login.area_code in chain or login.area_code.startswith(demo_logins.COMMUNITY)
    if login.role is None:
        # A resident: lives in the community and holds no post.
        assert user.person.household.building.code.startswith(login.area_code)
        assert scope.roles_of(user) == set()
        return
    assert login.role in scope.roles_of(user)
    posts = Post.objects.active().filter(person=user.person, role=login.role, area__code=login.area_code)
    if login.department_code:
        posts = posts.filter(department__code=login.department_code)
    assert posts.exists()
    assert scope.covers(user, Area.objects.get(code=login.area_code), roles=[login.role])


def test_demo_logins_command_prints_the_table_and_loads_nothing(demo):
    counts = demo_counts()
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert logins_table() in text
    for login in DEMO_LOGINS:
        assert login.username in text
    assert DEMO_PASSWORD in text
    assert "load_demo" not in text
    assert demo_counts() == counts

    delete_demo()
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert logins_table() in out.getvalue()
    assert "load_demo" in out.getvalue()  # says the demo is not loaded yet
    assert not demo_exists()


def test_demo_api_lines_and_client_key(db):
    from django.core.management import call_command

    from muling.api.demo import DEMO_OPEN311_KEY, ensure_demo_client_key
    from muling.api.services import client_key_authenticate

    ensure_demo_client_key()
    ensure_demo_client_key()
    assert client_key_authenticate(DEMO_OPEN311_KEY) is not None
    import io

    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert DEMO_OPEN311_KEY in out.getvalue() and "/api/v1/docs" in out.getvalue()
