"""The permission matrix (issue 7, item 1): every role × every page and API endpoint × an object inside
and an object outside the role's scope, asserted through real requests.

The endpoints are enumerated from the URL resolver and the API's OpenAPI schema; an endpoint without
an entry in EXPECTATIONS fails the test, so a new endpoint must be added here. The expected outcome is
derived from the rules (`user.has_perm(...)` on the object) wherever a rule decides it. A POST that a
role may not make must be refused (401/403/404, or the login page) and change nothing; a POST a role
may make runs inside a savepoint that is rolled back. Lists must not contain out-of-scope objects.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from muling.api import services as api_services
from muling.api.root import api
from muling.cases import services as case_services
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Case, CaseEvent, Category
from muling.people import scope
from muling.people import services as people_services
from muling.people.roles import Role
from tests.factories import POSTS_START, World, make_user

ROLES = [
    "anonymous",
    "resident",
    "building_head",
    "part_time_grid_worker",
    "grid_worker",
    "grid_chief",
    "grid_branch_secretary",
    "community_secretary",
    "street_secretary",
    "county_secretary",
    "department_staff",
    "professional_grid_worker",
    "property_staff",
    "privacy_officer",  # no post; Django's privacy.privacy_officer permission (个人信息保护负责人)
    "admin",
]
SIDES = ("in", "out")
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "permission-matrix.txt"


# ---- the world -----------------------------------------------------------------------------------


@dataclass
class Objects:
    case: dict = field(default_factory=dict)
    area: dict = field(default_factory=dict)
    grid: dict = field(default_factory=dict)
    person: dict = field(default_factory=dict)
    household: dict = field(default_factory=dict)
    other_case: dict = field(default_factory=dict)  # same side: the target of a merge
    building: dict = field(default_factory=dict)
    street: dict = field(default_factory=dict)


@pytest.fixture
def matrix(db):
    w = World.build()
    install_default_categories(Category)
    sanitation = Category.objects.get(code="sanitation")
    person = people_services.person_create(name="林支书", phone="13900000099")
    people_services.post_create(
        person=person, role=Role.GRID_BRANCH_SECRETARY, area=w.area("grid"), start_date=POSTS_START
    )
    w.users["grid_branch_secretary"] = make_user("grid_branch_secretary", person)
    officer = make_user("privacy_officer", None)
    officer.user_permissions.add(
        Permission.objects.get(codename="privacy_officer", content_type__app_label="privacy")
    )
    w.users["privacy_officer"] = officer

    def submit(user_key, text):
        reporter = w.users[user_key]
        return case_services.case_submit(
            category=sanitation,
            text=text,
            channel=Channel.WEB,
            reporter=reporter,
            household=reporter.person.household,
            is_public=False,  # scope alone decides who sees it
        )

    o = Objects()
    o.case = {
        "in": submit("resident", "楼道灯坏了（本网格）"),
        "out": submit("far_resident", "路灯坏了（外网格）"),
    }
    o.other_case = {"in": submit("neighbour", "楼道灯又坏了"), "out": submit("far_resident", "路灯又坏了")}
    o.building = {"in": w.area("building"), "out": w.area("far_building")}
    o.street = {"in": w.area("street"), "out": w.area("other_street")}
    o.area = {"in": w.area("grid"), "out": w.area("far_grid")}
    o.grid = o.area
    o.person = {"in": w.users["resident"].person, "out": w.users["far_resident"].person}
    o.household = {"in": w.households["home"], "out": w.households["far"]}
    tokens = {k: api_services.token_create(user=u, name="matrix").secret for k, u in w.users.items()}
    return w, o, tokens


# ---- expectations --------------------------------------------------------------------------------


def user_of(w, role):
    return AnonymousUser() if role == "anonymous" else w.users[role]


def public(user, obj):
    return True


def logged_in(user, obj):
    return user.is_authenticated


def perm(name, *, on_object=True):
    def check(user, obj):
        return user.is_authenticated and user.has_perm(name, obj if on_object else None)

    check.__name__ = f"has_perm({name!r})"
    return check


def perm_without_object(name):
    return perm(name, on_object=False)


def nobody(user, obj):
    return False


def both(*checks):
    def check(user, obj):
        return all(c(user, obj) for c in checks)

    return check


view_case = perm("cases.view_case")


def staff_member(user, obj):
    return user.is_authenticated and (user.is_superuser or scope.is_staff_member(user))


def supervisor(user, obj):
    from muling.cases import screens

    return user.is_authenticated and screens.is_supervisor(user)


def stats_scope(user, obj):
    from muling.stats import rules as stats_rules

    return user.is_authenticated and (user.is_superuser or bool(stats_rules.area_paths(user)))


def stats_area(user, obj):
    from muling.stats import rules as stats_rules

    return user.is_authenticated and (user.is_superuser or stats_rules.covers_area(user, obj))


@dataclass
class Expect:
    """One endpoint: how to build its URL from an object, who may use it, how to call it."""

    kind: str | None  # which object the URL is about (None: no object)
    allowed: object  # (user, obj) -> bool
    url: object  # (objects-of-side, world) -> path
    method: str = "GET"
    body: object = None  # (objects-of-side, world) -> dict for POSTs
    api: bool = False
    # The handler validates the body (a file upload, a form) before it asks the rules: a 400 that
    # changed nothing counts as a refusal.
    body_first: bool = False
    lists: str | None = None  # "cases": the answer's items must all be visible to the caller


def case_url(suffix=""):
    return lambda o, w: f"/cases/{o['case'].number}/{suffix}"


def api_case(suffix=""):
    return lambda o, w: f"/api/v1/cases/{o['case'].pk}{suffix}"


def fixed(path):
    return lambda o, w: path


API_ACTIONS = {
    "accept": ("cases.accept_case", {}),
    "note": ("cases.note_case", {"note": "矩阵测试"}),
    "resolve": ("cases.resolve_case", {"result": "已处理"}),
    "rate": ("cases.rate_case", {"satisfaction": "satisfied"}),
    "reopen": ("cases.urge_case", {"note": "没修好"}),
    "urge": ("cases.urge_case", {}),
    "escalate": ("cases.escalate_case", {"reason": "manual"}),
    "dispatch": ("cases.dispatch_case", None),
    "reassign": ("cases.reassign_case", None),
    "take-over": ("cases.take_over_case", {}),
    "reject": ("cases.reject_case", {"reason": "不属于受理范围"}),
    "merge": ("cases.merge_case", None),
    "callback": ("cases.callback_case", {"note": "已回访"}),
    "me-too": ("cases.me_too", {}),
    "summon": ("cases.summon_departments", None),
    "request-extension": ("cases.request_extension", {"days": 3, "reason": "需要协调"}),
    "decide-extension": (None, {"approve": True}),  # no pending request: 404 for everyone
}


def api_action_body(slug, static):
    def body(o, w):
        if static is not None:
            return static
        if slug in ("dispatch", "reassign"):
            return {"person_id": w.users["grid_worker"].person_id}
        if slug == "merge":
            return {"into_id": o["other_case"].pk}
        if slug == "summon":
            return {"department_ids": [w.departments["water"].pk], "hours": 24}
        raise AssertionError(slug)

    return body


def expectations() -> dict[tuple[str, str], Expect]:
    e: dict[tuple[str, str], Expect] = {}

    def page(route, allowed, url, kind=None, method="GET", body=None, body_first=False):
        e[(method, route)] = Expect(kind, allowed, url, method=method, body=body, body_first=body_first)

    # web
    page("", public, fixed("/"))
    page("login/", public, fixed("/login/"))
    page("logout/", public, fixed("/logout/"), method="POST")
    page("b/<areacode:code>/", public, lambda o, w: f"/b/{w.areas['building'].code}/")
    page(
        "i18n/setlang/", public, fixed("/i18n/setlang/"), method="POST", body=lambda o, w: {"language": "en"}
    )
    # places
    page("places/", perm_without_object("places.browse_areas"), fixed("/places/"))
    page(
        "places/household/<int:pk>/",
        perm("places.view_household_in_scope"),
        lambda o, w: f"/places/household/{o['household'].pk}/",
        kind="household",
    )
    for suffix, rule in [
        ("", "places.view_area_in_scope"),
        ("children/", "places.view_area_in_scope"),
        ("grids.geojson", "places.view_area_in_scope"),
        ("cards/", "places.print_service_card"),
    ]:
        page(
            f"places/<areacode:code>/{suffix}",
            both(perm_without_object("places.browse_areas"), perm(rule)),
            (lambda s: lambda o, w: f"/places/{o['area'].code}/{s}")(suffix),
            kind="area",
        )
    page(  # a building's service card (QR code)
        "places/<areacode:code>/card/",
        both(perm_without_object("places.browse_areas"), perm("places.print_service_card")),
        lambda o, w: f"/places/{o['building'].code}/card/",
        kind="building",
    )
    # people
    page("people/search/", perm_without_object("people.search_residents"), fixed("/people/search/?q=王"))
    page(
        "people/<int:pk>/",
        perm("people.view_person_in_scope"),
        lambda o, w: f"/people/{o['person'].pk}/",
        kind="person",
    )
    # cases
    for route in ["new/", "questions/", "similar/", "mine/", "inbox/"]:
        page(f"cases/{route}", logged_in, fixed(f"/cases/{route}"))
    page("cases/patrol/", perm_without_object("cases.report_for_others"), fixed("/cases/patrol/"))
    page("cases/intake/", perm_without_object("cases.report_for_others"), fixed("/cases/intake/"))
    page("cases/queue/", staff_member, fixed("/cases/queue/"))
    page("cases/department/", perm_without_object("cases.view_department_queue"), fixed("/cases/department/"))
    page("cases/board/", supervisor, fixed("/cases/board/"))
    page("cases/inbox/read-all/", logged_in, fixed("/cases/inbox/read-all/"), method="POST")
    page("cases/inbox/<int:pk>/", nobody, fixed("/cases/inbox/999999999/"))
    page("cases/public/<areacode:code>/", public, lambda o, w: f"/cases/public/{w.areas['community'].code}/")
    page(
        "cases/public/<areacode:code>/grids.geojson",
        public,
        lambda o, w: f"/cases/public/{w.areas['community'].code}/grids.geojson",
    )
    page("cases/<casenumber:number>/", view_case, case_url(), kind="case")
    page("cases/<casenumber:number>/photos/<int:pk>/", nobody, case_url("photos/999999999/"), kind="case")
    # An empty form: refused roles must be refused before the form is read, and nothing may change.
    page(
        "cases/<casenumber:number>/<slug:action>/",
        perm("cases.note_case"),
        case_url("note/"),
        kind="case",
        method="POST",
        body=lambda o, w: {"note": "矩阵测试"},
    )
    # privacy and accounts
    page("privacy/mine/", logged_in, fixed("/privacy/mine/"))
    page("privacy/export/", lambda u, o: u.is_authenticated and bool(u.person_id), fixed("/privacy/export/"))
    page(
        "privacy/person/<int:pk>/export/",
        perm("privacy.export_person"),
        lambda o, w: f"/privacy/person/{o['person'].pk}/export/",
        kind="person",
    )
    for method in ("GET", "POST"):
        page(
            "privacy/anonymise/",
            perm_without_object("privacy.open_anonymise_page"),
            fixed("/privacy/anonymise/"),
            method=method,
            body=lambda o, w: {"q": "王"},
        )
    for method in ("GET", "POST"):
        page(
            "privacy/anonymise/<int:pk>/",
            perm("privacy.anonymise_person"),
            lambda o, w: f"/privacy/anonymise/{o['person'].pk}/",
            kind="person",
            method=method,
            body=lambda o, w: {"reason": "本人书面申请", "confirmed": "on"},
        )
    page(
        "account/totp/",
        lambda u, o: u.is_authenticated and (u.is_staff or scope.is_staff_member(u)),
        fixed("/account/totp/"),
    )
    page("account/verify/", logged_in, fixed("/account/verify/"))
    page("cases/hotline/", perm_without_object("cases.import_hotline"), fixed("/cases/hotline/"))
    # api tokens (own tokens only)
    page("api/tokens/", logged_in, fixed("/api/tokens/"))
    # the benchmark's ceiling: off (404 for everyone) unless a benchmark server sets BENCH_CEILING
    page("bench/ceiling/", nobody, fixed("/bench/ceiling/"), method="POST", body=lambda o, w: {"note": "x"})
    page("api/tokens/<int:pk>/revoke/", nobody, fixed("/api/tokens/999999999/revoke/"), method="POST")
    page(
        "api/tokens/keys/<int:pk>/revoke/", nobody, fixed("/api/tokens/keys/999999999/revoke/"), method="POST"
    )
    # stats
    stats = perm_without_object("stats.view_dashboard")
    page("stats/", stats, fixed("/stats/"))
    page("stats/cases/", stats_scope, fixed("/stats/cases/"))
    page("stats/table/<slug:key>/", stats_scope, fixed("/stats/table/trend/"))
    page("stats/formulas/", public, fixed("/stats/formulas/"))
    page(
        "stats/report/<str:code>/",
        stats_area,
        lambda o, w: f"/stats/report/{o['street'].code}/",
        kind="street",
        body_first=True,  # the refusal page answers 400 for an area out of scope
    )
    page("stats/public/<str:code>/", public, lambda o, w: f"/stats/public/{w.areas['community'].code}/")
    page("stats/hot/", stats_scope, fixed("/stats/hot/"))
    page("stats/themes/", logged_in, fixed("/stats/themes/"))  # a list scoped to the caller
    page("stats/themes/new/", nobody, fixed("/stats/themes/new/"), method="POST", body_first=True)
    page("stats/themes/<int:pk>/", nobody, fixed("/stats/themes/999999999/"))
    # open311 (public by the standard; requests list only public cases)
    for route, path in [
        (r"^discovery\.(?P<fmt>json|xml)$", "discovery.json"),
        (r"^services\.(?P<fmt>json|xml)$", "services.json"),
        (r"^services/(?P<code>[^/]{1,100})\.(?P<fmt>json|xml)$", "services/sanitation.json"),
        (r"^requests\.(?P<fmt>json|xml)$", "requests.json"),
        (r"^servicerequestupdates\.(?P<fmt>json|xml)$", "servicerequestupdates.json"),
    ]:
        page("open311/v2/" + route, public, fixed("/open311/v2/" + path))
    page(
        r"open311/v2/^requests/(?P<request_id>[^/]{1,100})\.(?P<fmt>json|xml)$",
        nobody,  # neither case is public
        lambda o, w: f"/open311/v2/requests/{o['case'].number}.json",
        kind="case",
    )
    page(
        r"open311/v2/^tokens/(?P<token>[^/]{1,100})\.(?P<fmt>json|xml)$",
        nobody,
        fixed("/open311/v2/tokens/x.json"),
    )
    page("open311/v2/^.*$", nobody, fixed("/open311/v2/nothing-here"))

    # the REST API
    def endpoint(method, path, allowed, url, kind=None, body=None, lists=None, body_first=False):
        e[(method, path)] = Expect(
            kind, allowed, url, method=method, body=body, api=True, lists=lists, body_first=body_first
        )

    endpoint("GET", "/api/v1/categories", public, fixed("/api/v1/categories"))
    endpoint(
        "POST",
        "/api/v1/cases",
        logged_in,
        fixed("/api/v1/cases"),
        kind="household",
        body=lambda o, w: {"category": "sanitation", "text": "矩阵", "household_id": o["household"].pk},
    )
    endpoint("GET", "/api/v1/cases", logged_in, fixed("/api/v1/cases"), lists="cases")
    endpoint("GET", "/api/v1/cases/{case_id}", view_case, api_case(), kind="case")
    for sub in ("events", "extensions", "summonses"):
        endpoint("GET", f"/api/v1/cases/{{case_id}}/{sub}", view_case, api_case(f"/{sub}"), kind="case")
    endpoint("GET", "/api/v1/summonses", logged_in, fixed("/api/v1/summonses"))
    for slug, (rule, static) in API_ACTIONS.items():
        endpoint(
            "POST",
            f"/api/v1/cases/{{case_id}}/{slug}",
            perm(rule) if rule else nobody,
            api_case(f"/{slug}"),
            kind="case",
            body=api_action_body(slug, static),
        )
    endpoint(
        "POST",
        "/api/v1/cases/{case_id}/photos",
        perm("cases.resolve_case"),
        api_case("/photos"),
        kind="case",
        body=lambda o, w: {},
        body_first=True,
    )
    endpoint(
        "POST",
        "/api/v1/summonses/{summons_id}/answer",
        nobody,
        fixed("/api/v1/summonses/999999999/answer"),
        body=lambda o, w: {"answer": "已到"},
    )
    endpoint(
        "POST",
        "/api/v1/hotline/import",
        perm_without_object("cases.import_hotline"),
        fixed("/api/v1/hotline/import"),
        body=lambda o, w: {},
        body_first=True,
    )
    endpoint("GET", "/api/v1/me", logged_in, fixed("/api/v1/me"))
    endpoint(
        "GET",
        "/api/v1/privacy/persons",
        perm_without_object("privacy.open_anonymise_page"),
        fixed("/api/v1/privacy/persons?q=王"),
    )
    endpoint(
        "POST",
        "/api/v1/privacy/persons/{person_id}/export",
        perm("privacy.export_person"),
        lambda o, w: f"/api/v1/privacy/persons/{o['person'].pk}/export",
        kind="person",
        body=lambda o, w: {"reason": "business"},
    )
    endpoint(
        "POST",
        "/api/v1/privacy/persons/{person_id}/anonymise",
        perm("privacy.anonymise_person"),
        lambda o, w: f"/api/v1/privacy/persons/{o['person'].pk}/anonymise",
        kind="person",
        body=lambda o, w: {"reason": "本人书面申请", "confirm": True},
    )
    endpoint("GET", "/api/v1/areas", logged_in, fixed("/api/v1/areas"))
    endpoint("GET", "/api/v1/areas/locate", logged_in, fixed("/api/v1/areas/locate?lat=35.805&lon=116.085"))
    endpoint(
        "GET", "/api/v1/areas/{code}", logged_in, lambda o, w: f"/api/v1/areas/{o['area'].code}", kind="area"
    )
    endpoint("GET", "/api/v1/notifications", logged_in, fixed("/api/v1/notifications"))
    endpoint(
        "GET", "/api/v1/notifications/unread-count", logged_in, fixed("/api/v1/notifications/unread-count")
    )
    endpoint(
        "POST",
        "/api/v1/notifications/read-all",
        logged_in,
        fixed("/api/v1/notifications/read-all"),
        body=lambda o, w: {},
    )
    endpoint(
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        nobody,
        fixed("/api/v1/notifications/999999999/read"),
        body=lambda o, w: {},
    )
    endpoint("GET", "/api/v1/stats/indicators", logged_in, fixed("/api/v1/stats/indicators"))
    endpoint(
        "GET",
        "/api/v1/stats/summary",
        stats_area,
        lambda o, w: f"/api/v1/stats/summary?area={o['area'].code}",
        kind="area",
    )
    endpoint(
        "GET",
        "/api/v1/stats/hot",
        stats_area,
        lambda o, w: f"/api/v1/stats/hot?area={o['area'].code}",
        kind="area",
    )
    endpoint(
        "POST",
        "/api/v1/stats/themes",
        nobody,
        fixed("/api/v1/stats/themes"),
        body=lambda o, w: {},
        body_first=True,
    )
    endpoint(
        "POST",
        "/api/v1/stats/themes/{theme_id}/close",
        nobody,
        fixed("/api/v1/stats/themes/999999999/close"),
        body=lambda o, w: {"result": "x"},
    )
    return e


# ---- enumeration ---------------------------------------------------------------------------------


def web_routes() -> set[tuple[str, str]]:
    """(method, route) of every page: the admin is checked by its own test, the API by its schema."""
    routes = set()

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("admin/", "api/v1/")):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                routes.add(route)

    walk(get_resolver().url_patterns, "")
    return routes


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(m.upper(), path) for path, ops in schema["paths"].items() for m in ops}


# ---- requests ------------------------------------------------------------------------------------

REFUSED = {401, 403, 404}


def snapshot():
    return (
        list(Case.objects.order_by("pk").values()),
        CaseEvent.objects.count(),
    )


def outcome(response) -> bool | None:
    """True: served; False: refused; None: neither (a server error or something unexpected)."""
    status = response.status_code
    if status in REFUSED:
        return False
    if status == 302:
        location = response.headers.get("Location", "")
        return not ("/login/" in location or "/admin/login/" in location)
    if status < 300 or status in (400, 405, 409, 422):
        return True  # reached the handler: a validation or state refusal, not a permission one
    return None


def test_permission_matrix(matrix):
    w, objects, tokens = matrix
    table = expectations()
    web_keys = {route for (_m, route) in table if not route.startswith("/api/")}
    missing = sorted(r for r in web_routes() if r not in web_keys) + sorted(
        f"{m} {p}" for m, p in api_routes() if (m, p) not in table
    )
    assert not missing, f"endpoints without an entry in the permission matrix: {missing}"
    present = {("GET", r) for r in web_routes()} | {("POST", r) for r in web_routes()} | api_routes()
    table = {key: exp for key, exp in table.items() if key in present}  # entries of removed endpoints

    sides = {
        side: {
            "case": objects.case[side],
            "other_case": objects.other_case[side],
            "building": objects.building[side],
            "street": objects.street[side],
            "area": objects.area[side],
            "person": objects.person[side],
            "household": objects.household[side],
        }
        for side in SIDES
    }
    kind_objects = {
        k: {s: sides[s][k] for s in SIDES}
        for k in ("case", "area", "person", "household", "building", "street")
    }
    leaks, wrong, checks = [], [], 0
    for role in ROLES:
        user = user_of(w, role)
        client = Client()
        if role != "anonymous":
            client.force_login(user)
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
        for (method, route), exp in table.items():
            for side in SIDES if exp.kind else ("-",):
                o = sides["in" if side == "-" else side]
                obj = kind_objects[exp.kind][side] if exp.kind else None
                if exp.kind == "case":
                    obj = Case.objects.get(pk=obj.pk)
                expected = bool(exp.allowed(user, obj))
                url = exp.url(o, w)
                before = snapshot() if method == "POST" else None
                with transaction.atomic():
                    if exp.api:
                        c = Client()
                        if method == "GET":
                            response = c.get(url, headers=headers)
                        else:
                            response = c.post(
                                url,
                                json.dumps(exp.body(o, w) if exp.body else {}),
                                content_type="application/json",
                                headers=headers,
                            )
                    elif method == "GET":
                        response = client.get(url)
                    else:
                        poster = client
                        if route == "logout/":  # must not log the matrix's client out
                            poster = Client()
                            if role != "anonymous":
                                poster.force_login(user)
                        response = poster.post(url, exp.body(o, w) if exp.body else {})
                    got = outcome(response)
                    if exp.body_first and response.status_code == 400:
                        # Refused by validation before the rules were asked: nothing changed (checked
                        # above for POSTs), so it is neither a leak nor a grant.
                        got = expected
                    if method == "POST" and not got:
                        assert snapshot() == before, f"{role} {method} {url}: refused but changed data"
                    transaction.set_rollback(True)
                checks += 1
                label = f"{role:26} {method:4} {url} [{side}] expected {'allow' if expected else 'deny'}, got {response.status_code}"
                if got is None or got != expected:
                    (leaks if got and not expected else wrong).append(label)
                if got and exp.lists == "cases":
                    visible = {c["id"] for c in response.json()["items"]}
                    for case in objects.case.values():
                        if case.pk in visible and not user.has_perm("cases.view_case", case):
                            leaks.append(f"{role} sees case {case.pk} in {url}")
                        checks += 1

    lines = [f"permission matrix: {checks} checks, {len(ROLES)} roles, {len(table)} endpoints"]
    print(lines[0])
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(lines + ["leaks:"] + leaks + ["mismatches:"] + wrong) + "\n")
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)
    assert not wrong, f"{len(wrong)} refusals or errors not in the table:\n" + "\n".join(wrong)
