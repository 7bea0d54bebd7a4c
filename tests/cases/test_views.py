"""The case screens through real requests: who may open each page, the report form (with the QR
service card, photos, idempotency, extra questions and the "me too" suggestions), every action form
allowed and refused, the public view without identity, the inbox and its badge."""

import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from muling.cases import services
from muling.cases.enums import Channel, Level, Status
from muling.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    ExtensionRequest,
    MeToo,
    Notification,
    Summons,
)

# ---- helpers -------------------------------------------------------------------------------------


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"this is plain text, not a photo", content_type="image/jpeg")


def html_of(response) -> str:
    return response.content.decode()


def form_key(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]{32})"', html).group(1)


def field_block(html: str, field_id: str) -> str:
    """The markup of one field (label, widget, errors): where its error message must be."""
    start = html.index(f'id="field-{field_id}"')
    end = html.find('id="field-', start + 1)
    return html[start : end if end != -1 else start + 3000]


@pytest.fixture
def as_user(world, client_as):
    """Log the shared test client in as a named user of the world."""

    def login(key):
        return client_as(world.users[key])

    return login


@pytest.fixture
def states(world, report, categories):
    """Cases in the states the action tests start from, built through the services."""
    u = world.users

    def build(state: str) -> Case:
        if state == "queued":  # heating has no utility here and is not admitted to grids: community queue
            case = report(text="暖气不热，室内只有十几度", category="heating")
            assert case.status == Status.SUBMITTED and case.owner_person_id is None
            return case
        case = report()
        if state == "dispatched":
            return case
        services.case_accept(case_id=case.pk, actor=u["grid_worker"])
        if state == "extension":
            services.case_request_extension(case_id=case.pk, actor=u["grid_worker"], days=3, reason="等配件")
        if state == "summoned":
            services.case_summon(
                case_id=case.pk, actor=u["community_secretary"], departments=[world.departments["water"]]
            )
        if state == "resolved":
            services.case_resolve(case_id=case.pk, actor=u["grid_worker"], result="已更换灯泡")
        return Case.objects.get(pk=case.pk)

    return build


# ---- who may open which screen -------------------------------------------------------------------

LOGIN_PAGES = [
    "/cases/new/",
    "/cases/new/?building=370832001001001001",
    "/cases/mine/",
    "/cases/queue/",
    "/cases/department/",
    "/cases/board/",
    "/cases/inbox/",
    "/cases/patrol/",
    "/cases/intake/",
    "/cases/similar/?category=1&text=x",
]


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")
    assert response.url == "/login/?next=" + quote(url, safe="/")


def test_anonymous_visitors_cannot_open_or_act_on_a_case(client, world, states):
    case = states("dispatched")
    assert client.get(f"/cases/{case.number}/").status_code == 302
    assert client.post(f"/cases/{case.number}/accept/").status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


@pytest.mark.parametrize(
    "url, allowed, refused",
    [
        ("/cases/queue/", ["grid_worker", "community_secretary", "department_staff", "admin"], ["resident"]),
        ("/cases/patrol/", ["grid_worker", "grid_chief"], ["resident", "nobody"]),
        ("/cases/intake/", ["community_secretary", "grid_worker"], ["resident"]),
        (
            "/cases/board/",
            ["community_secretary", "grid_chief", "street_secretary"],
            ["grid_worker", "resident"],
        ),
        ("/cases/department/", ["department_staff", "professional_grid_worker"], ["grid_worker", "resident"]),
        ("/cases/mine/", ["resident", "grid_worker", "nobody"], []),
        ("/cases/inbox/", ["resident", "department_staff"], []),
        ("/cases/new/", ["resident", "nobody", "grid_worker"], []),
    ],
)
def test_each_screen_opens_for_its_roles_and_refuses_the_others(as_user, categories, url, allowed, refused):
    for key in allowed:
        assert as_user(key).get(url).status_code == 200, key
    for key in refused:
        assert as_user(key).get(url).status_code == 403, key


@pytest.mark.parametrize(
    "key, status",
    [
        ("resident", 200),  # the reporter
        ("grid_worker", 200),  # the handler
        ("community_secretary", 200),  # covers the community
        ("admin", 200),
        ("housemate", 404),  # same household, but not the reporter
        ("neighbour", 404),
        ("other_grid_worker", 404),  # another grid
        ("department_staff", 404),  # not sent or summoned to the department
        ("nobody", 404),
    ],
)
def test_a_case_page_is_404_to_those_who_may_not_see_it(as_user, states, key, status):
    case = states("dispatched")
    assert as_user(key).get(f"/cases/{case.number}/").status_code == status


def test_an_unknown_action_or_case_number_is_404(as_user, states):
    case = states("dispatched")
    client = as_user("grid_worker")
    assert client.post(f"/cases/{case.number}/fly-away/").status_code == 404
    assert client.post("/cases/20990101999999/accept/").status_code == 404
    assert client.get(f"/cases/{case.number}/accept/").status_code == 405


# ---- the report form -----------------------------------------------------------------------------


def report_data(client, categories, **overrides) -> dict:
    html = html_of(client.get("/cases/new/"))
    data = {
        "category": categories["sanitation"].pk,
        "text": "3单元楼道灯坏了好几天",
        "place": "home",
        "hide_name": "on",
        "source": "web",
        "key": form_key(html),
    }
    data.update(overrides)
    return data


def test_the_report_form_lists_categories_and_offers_the_household(as_user, world, categories):
    html = html_of(as_user("resident").get("/cases/new/"))
    assert "环境卫生" in html and "公共设施（车棚、围墙、路面）" in html
    assert 'value="home" checked' in html and "1号楼 1单元101" in html
    assert "不公开我的姓名" in html
    assert 'name="photos"' in html and "multiple" in html
    assert f"/cases/public/{world.areas['community'].code}/grids.geojson" in html  # the map of the community
    assert 'hx-get="/cases/similar/"' in html


def test_a_resident_reports_with_a_photo_and_lands_on_the_case(as_user, world, categories):
    client = as_user("resident")
    response = client.post("/cases/new/", report_data(client, categories, photos=[png()]))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"
    assert case.channel == Channel.WEB and case.reporter == world.users["resident"]
    assert case.household == world.households["home"] and case.area == world.area("building")
    assert case.hide_name is True
    assert case.photos.get().kind == CasePhoto.Kind.REPORT
    page = html_of(client.get(response.url))
    assert "3单元楼道灯坏了好几天" in page and "已派遣" in page
    photo_url = f"/cases/{case.number}/photos/{case.photos.get().pk}/"
    assert photo_url in page
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert as_user("neighbour").get(photo_url).status_code == 404  # media of a case is not public


def test_submitting_the_same_form_twice_creates_one_case(as_user, categories):
    client = as_user("resident")
    data = report_data(client, categories)
    first = client.post("/cases/new/", data)
    second = client.post("/cases/new/", data)
    assert Case.objects.count() == 1
    assert first.url == second.url


def test_another_users_form_key_never_returns_their_case(as_user, categories):
    client = as_user("resident")
    data = report_data(client, categories)
    client.post("/cases/new/", data)
    other = as_user("neighbour")
    other.post("/cases/new/", {**data, "text": "我家门口的下水道堵了"})
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"text": "   "}, "text", "请填写内容"),
        ({"photos": [not_an_image()]}, "photos", "上传的文件不是有效的图片"),
        ({"category": ""}, "category", "请选择有效的事项分类"),
        ({"place": "building", "building": ""}, "place", "请选择问题发生的位置"),
        ({"place": "map", "lat": "", "lon": ""}, "place", "请选择问题发生的位置"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    as_user, categories, overrides, field, message
):
    client = as_user("resident")
    data = report_data(client, categories, **overrides)
    response = client.post("/cases/new/", data)
    assert response.status_code == 400
    html = html_of(response)
    if field == "place":
        block = html[html.index('id="place"') : html.index("</fieldset>", html.index('id="place"'))]
    else:
        block = field_block(html, f"id_{field}")
    assert message in block
    assert not Case.objects.exists() and not CasePhoto.objects.exists() and not CaseEvent.objects.exists()
    # The refused form keeps what was typed and its key, so the corrected retry is still one case.
    assert f'value="{data["key"]}"' in html


def test_the_qr_link_of_a_building_prefills_the_place_and_records_the_service_card(
    as_user, client, world, categories
):
    building = world.areas["building"]
    entry = html_of(client.get(f"/b/{building.code}/"))
    link = f"/cases/new/?building={building.code}"
    assert f'href="{link}"' in entry and "上报问题" in entry

    anonymous = client.get(link)
    assert anonymous.status_code == 302 and "next=/cases/new/%3Fbuilding%3D" in anonymous.url

    visitor = as_user("far_resident")  # lives elsewhere, standing in this stairwell
    html = html_of(visitor.get(link))
    assert 'name="source" value="card"' in html
    assert 'value="building" checked' in html and "1号楼" in html
    response = visitor.post(
        "/cases/new/",
        {
            "category": categories["facilities"].pk,
            "text": "单元门禁坏了",
            "place": "building",
            "building": building.code,
            "source": "card",
            "key": form_key(html),
            "q_facility": "wall",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.SERVICE_CARD and case.area == world.area("building")
    assert case.answers == {"facility": "wall"} and case.hide_name is False


def test_a_point_on_the_map_is_routed_to_the_grid_it_falls_in(as_user, world, categories):
    client = as_user("resident")
    data = report_data(client, categories, place="map", lat="35.805", lon="116.095")  # inside 第二网格
    assert client.post("/cases/new/", data).status_code == 302
    case = Case.objects.get()
    assert case.grid == world.area("other_grid") and case.lat == pytest.approx(35.805)


def test_the_extra_questions_of_a_category_are_fields_and_are_checked(as_user, categories):
    client = as_user("resident")
    fragment = html_of(client.get("/cases/questions/", {"category": categories["heating"].pk}))
    assert "室内温度（℃）" in fragment and 'name="q_indoor_temp"' in fragment
    data = report_data(client, categories, category=categories["heating"].pk, q_indoor_temp="很冷")
    response = client.post("/cases/new/", data)
    assert response.status_code == 400
    assert "应为数字" in field_block(html_of(response), "id_q_indoor_temp")
    assert not Case.objects.exists()
    data["q_indoor_temp"] = "14"
    assert client.post("/cases/new/", data).status_code == 302
    assert Case.objects.get().answers == {"indoor_temp": 14}
    assert "室内温度（℃）" in html_of(client.get(f"/cases/{Case.objects.get().number}/"))


def test_similar_open_cases_are_offered_while_typing_and_me_too_follows_one(as_user, states, categories):
    case = states("dispatched")  # "楼道灯坏了，晚上看不见" in 1号楼
    params = {"category": categories["sanitation"].pk, "place": "home", "text": "楼道的灯坏了"}
    neighbour = as_user("neighbour")
    fragment = html_of(neighbour.get("/cases/similar/", params))
    assert case.short_text in fragment and "我也遇到了（附议）" in fragment
    assert f'hx-post="/cases/{case.number}/me-too/"' in fragment
    assert "王秀兰" not in fragment and "13800000001" not in fragment

    done = neighbour.post(f"/cases/{case.number}/me-too/", HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "已附议" in html_of(done)
    assert MeToo.objects.filter(case=case, user__username="neighbour").exists()
    assert "您已附议" in html_of(neighbour.get("/cases/similar/", params))
    assert neighbour.get(f"/cases/{case.number}/").status_code == 200  # a follower may open it now

    assert "这是您反映的问题" in html_of(as_user("resident").get("/cases/similar/", params))
    other_category = {**params, "category": categories["drainage"].pk}
    assert case.short_text not in html_of(neighbour.get("/cases/similar/", other_category))


def test_similar_cases_need_a_category_and_some_text(as_user, states, categories):
    states("dispatched")
    client = as_user("neighbour")
    assert html_of(client.get("/cases/similar/", {"place": "home", "text": "灯"})).strip() == ""
    assert html_of(client.get("/cases/similar/", {"category": "999999", "text": "灯"})).strip() == ""
    assert (
        client.get("/cases/similar/", {"category": "abc", "lat": "x", "lon": "y", "text": "灯"}).status_code
        == 200
    )


# ---- staff intake --------------------------------------------------------------------------------


def test_a_grid_worker_reports_a_patrol_finding_in_their_grid_only(as_user, world, categories):
    client = as_user("grid_worker")
    html = html_of(client.get("/cases/patrol/"))
    assert "幸福街第一网格" in html and "杏花村第一网格" not in html
    data = {"category": categories["sanitation"].pk, "text": "垃圾桶满溢", "key": form_key(html)}
    refused = client.post("/cases/patrol/", {**data, "area": world.areas["far_grid"].code})
    assert refused.status_code == 400 and "该位置不在您负责的范围内" in field_block(
        html_of(refused), "id_area"
    )
    assert not Case.objects.exists()
    response = client.post("/cases/patrol/", {**data, "area": world.areas["grid"].code, "photos": [png()]})
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.channel == Channel.PATROL and case.grid == world.area("grid") and case.photos.count() == 1


def test_staff_enter_a_callers_problem_with_name_and_phone(as_user, world, categories):
    client = as_user("community_secretary")
    html = html_of(client.get("/cases/intake/"))
    response = client.post(
        "/cases/intake/",
        {
            "channel": "walk_in",
            "category": categories["neighbour_dispute"].pk,
            "text": "楼上装修噪音",
            "area": world.areas["building"].code,
            "contact_name": "张来访",
            "contact_phone": "13712345678",
            "hide_name": "on",
            "key": form_key(html),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.WALK_IN and case.reporter is None
    assert (case.contact_name, case.contact_phone) == ("张来访", "13712345678")
    page = html_of(client.get(response.url))
    # Staff covering the place see the caller, with the phone masked; the handler who calls back sees it.
    assert "张来访" in page and "137****5678" in page and "13712345678" not in page
    handler = html_of(as_user("grid_worker").get(response.url))
    assert "13712345678" in handler


# ---- the action forms ----------------------------------------------------------------------------


def _payload(world, state_case, slug):
    u, d = world.users, world.departments
    payloads = {
        "note": {"note": "已联系物业电工"},
        "resolve": {"result": "已更换灯泡", "photos": [png()]},
        "rate": {"satisfaction": "satisfied", "comment": "很及时"},
        "dispatch": {"person": u["grid_worker"].person_id, "note": "请尽快处理"},
        "reassign": {"person": u["part_time_grid_worker"].person_id},
        "urge": {"note": "请加快"},
        "take-over": {"note": "我来协调"},
        "reject": {"reason": "属于私人纠纷"},
        "request-extension": {"days": "3", "reason": "需采购配件"},
        "summon": {"departments": [d["water"].pk], "hours": "12", "note": "疑似水管漏水"},
        "callback": {"note": "电话回访，居民表示满意", "satisfaction": "satisfied"},
        "reopen": {"note": "照片看不清，请重新处理"},
    }
    if slug == "decide-extension":
        return {"request": state_case.extension_requests.get().pk, "decision": "approve", "note": "同意"}
    if slug == "answer-summons":
        return {"summons": state_case.summonses.get().pk, "answer": "已安排抢修"}
    return payloads.get(slug, {})


def _applied(world, case: Case, slug: str) -> bool:
    case.refresh_from_db()
    u = world.users
    checks = {
        "accept": lambda: case.status == Status.IN_PROGRESS,
        "note": lambda: case.events.filter(kind="note", note="已联系物业电工").exists(),
        "resolve": lambda: case.status == Status.RESOLVED and case.photos.filter(kind="result").count() == 1,
        "rate": lambda: case.status == Status.CLOSED and case.satisfaction == "satisfied",
        "dispatch": lambda: (
            case.status == Status.DISPATCHED and case.owner_person_id == u["grid_worker"].person_id
        ),
        "reassign": lambda: case.owner_person_id == u["part_time_grid_worker"].person_id,
        "urge": lambda: case.urge_count == 1,
        "take-over": lambda: case.owner_person_id == u["community_secretary"].person_id,
        "reject": lambda: case.status == Status.REJECTED and case.reject_reason == "属于私人纠纷",
        "merge": lambda: case.status == Status.MERGED,
        "request-extension": lambda: case.extension_requests.filter(state="pending").exists(),
        "decide-extension": lambda: case.extended and case.extension_requests.get().state == "approved",
        "summon": lambda: Summons.objects.filter(case=case, department=world.departments["water"]).exists(),
        "answer-summons": lambda: case.summonses.get().answer == "已安排抢修",
        "callback": lambda: case.events.filter(kind="callback").exists(),
        "reopen": lambda: case.status == Status.IN_PROGRESS and case.reopen_count == 1,
        "ask-next-level": lambda: case.level == Level.COMMUNITY and case.escalation_count == 1,
        "escalate": lambda: case.level == Level.COMMUNITY and case.escalation_count == 1,
        "me-too": lambda: case.me_toos.exists(),
    }
    return checks[slug]()


ACTION_CASES = [
    # slug, starting state, allowed user, refused user
    ("accept", "dispatched", "grid_worker", "resident"),
    ("note", "in_progress", "grid_worker", "resident"),
    ("resolve", "in_progress", "grid_worker", "community_secretary"),
    ("rate", "resolved", "resident", "grid_worker"),
    ("dispatch", "queued", "community_secretary", "resident"),
    ("reassign", "in_progress", "community_secretary", "grid_worker"),
    ("urge", "in_progress", "community_secretary", "grid_worker"),
    ("take-over", "in_progress", "community_secretary", "grid_chief"),
    ("reject", "dispatched", "community_secretary", "grid_worker"),
    ("merge", "dispatched", "community_secretary", "grid_worker"),
    ("request-extension", "in_progress", "grid_worker", "resident"),
    ("decide-extension", "extension", "community_secretary", "grid_worker"),
    ("summon", "in_progress", "community_secretary", "resident"),
    ("answer-summons", "summoned", "department_staff", "grid_worker"),
    ("callback", "resolved", "community_secretary", "resident"),
    ("reopen", "resolved", "community_secretary", "resident"),
    ("ask-next-level", "in_progress", "resident", "grid_worker"),
    ("escalate", "in_progress", "grid_worker", "resident"),
    ("me-too", "dispatched", "neighbour", "resident"),
]


def _snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.status, case.level, case.owner_person_id, case.urge_count, case.events.count())


@pytest.mark.parametrize("slug, state, allowed, refused", ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
def test_every_action_works_for_an_allowed_user_and_is_refused_for_another(
    as_user, world, states, report, slug, state, allowed, refused
):
    case = states(state)
    url = f"/cases/{case.number}/{slug}/"
    data = _payload(world, case, slug)
    if slug == "merge":
        target = report(text="楼道灯不亮", user="neighbour")
        data = {"into": target.number}

    # The refused user: offered nothing, and a forged POST is 403 with nothing changed.
    before = _snapshot(case)
    client = as_user(refused)
    page = client.get(f"/cases/{case.number}/")
    assert page.status_code == 200
    assert f'action="{url}"' not in html_of(page)
    response = client.post(url, data)
    assert response.status_code == 403
    assert _snapshot(case) == before

    # A user who cannot even see the case gets 404 ("me too" is open to anyone for a public case).
    if slug != "me-too":
        assert as_user("far_resident").post(url, data).status_code == 404
        assert _snapshot(case) == before

    # The allowed user: offered the form (unless the case is not theirs to open), and it works.
    client = as_user(allowed)
    if slug != "me-too":
        assert f'action="{url}"' in html_of(client.get(f"/cases/{case.number}/"))
    data = _payload(world, case, slug) if slug != "merge" else data  # uploads are read once: fresh ones
    response = client.post(url, {**data, "next": "/cases/queue/"} if slug == "urge" else data)
    assert response.status_code == 302, html_of(response)[:2000]
    assert response.url == ("/cases/queue/" if slug == "urge" else f"/cases/{case.number}/")
    assert _applied(world, case, slug)


def test_a_refused_action_is_shown_at_its_field_with_status_400_and_changes_nothing(as_user, states):
    case = states("in_progress")
    client = as_user("grid_worker")
    before = _snapshot(case)
    response = client.post(f"/cases/{case.number}/resolve/", {"result": "  ", "photos": [not_an_image()]})
    assert response.status_code == 400
    html = html_of(response)
    assert '<details class="action" id="action-resolve" open>' in html
    assert "请填写内容" in field_block(html, "resolve-result")
    assert _snapshot(case) == before and not CasePhoto.objects.exists()

    response = client.post(f"/cases/{case.number}/resolve/", {"result": "已修好", "photos": [not_an_image()]})
    assert response.status_code == 400
    assert "上传的文件不是有效的图片" in field_block(html_of(response), "resolve-photos")
    assert _snapshot(case) == before

    response = client.post(f"/cases/{case.number}/request-extension/", {"days": "", "reason": "等配件"})
    assert response.status_code == 400
    assert "延期天数应在 1 到 30 天之间" in field_block(html_of(response), "request-extension-days")


def test_an_illegal_move_is_explained_not_performed(as_user, states):
    case = states("dispatched")
    response = as_user("grid_worker").post(f"/cases/{case.number}/resolve/", {"result": "已修好"})
    assert response.status_code == 400
    assert "当前状态为“已派遣”，不能进行“办结”" in html_of(response)
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_merging_into_an_unknown_number_and_summoning_nobody_are_refused_at_the_field(as_user, states):
    case = states("in_progress")
    client = as_user("community_secretary")
    response = client.post(f"/cases/{case.number}/merge/", {"into": "20990101000001"})
    assert response.status_code == 400
    assert "没有找到这个编号的诉求" in field_block(html_of(response), "merge-into")
    response = client.post(f"/cases/{case.number}/summon/", {"hours": "12"})
    assert response.status_code == 400
    assert "请选择要吹哨的部门或单位" in field_block(html_of(response), "summon-departments")
    response = client.post(f"/cases/{case.number}/summon/", {"departments": ["999999"]})
    assert response.status_code == 400
    assert not Summons.objects.exists()


def test_rating_unsatisfied_can_send_the_case_to_the_next_level(as_user, states):
    case = states("resolved")
    client = as_user("resident")
    page = html_of(client.get(f"/cases/{case.number}/"))
    assert "如果不满意" in page and "提交上级" in page
    response = client.post(
        f"/cases/{case.number}/rate/",
        {"satisfaction": "unsatisfied", "comment": "灯还是不亮", "if_unsatisfied": "escalate"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and case.status == Status.DISPATCHED


def test_the_page_offers_only_what_the_status_allows(as_user, states):
    case = states("dispatched")
    html = html_of(as_user("grid_worker").get(f"/cases/{case.number}/"))
    assert f'action="/cases/{case.number}/accept/"' in html
    assert f'action="/cases/{case.number}/resolve/"' not in html
    case = states("resolved")
    html = html_of(as_user("grid_worker").get(f"/cases/{case.number}/"))
    assert f'action="/cases/{case.number}/resolve/"' not in html
    assert f'action="/cases/{case.number}/accept/"' not in html
    resident = html_of(as_user("resident").get(f"/cases/{case.number}/"))
    assert f'action="/cases/{case.number}/rate/"' in resident and "请确认办理结果并评价" in resident


def test_the_reporter_is_named_only_to_those_allowed_to_see_them(as_user, states):
    case = states("summoned")
    handler = html_of(as_user("grid_worker").get(f"/cases/{case.number}/"))
    assert "王秀兰" in handler and "13800000001" in handler
    summoned = html_of(as_user("department_staff").get(f"/cases/{case.number}/"))
    assert f'action="/cases/{case.number}/answer-summons/"' in summoned
    assert "王秀兰" not in summoned and "13800000001" not in summoned
    assert "居民" in summoned  # the timeline says a resident reported it, without the name


def test_the_timeline_shows_every_event_with_actor_and_shanghai_time(as_user, world, states):
    case = states("resolved")
    html = html_of(as_user("resident").get(f"/cases/{case.number}/"))
    for label in ("提交", "派遣", "受理", "办结"):
        assert f"<b>{label}</b>" in html
    assert "郑网格" in html and "已更换灯泡" in html
    accepted = case.events.get(kind="accepted").at
    assert f'datetime="{timezone.localtime(accepted).isoformat()}"' in html
    assert timezone.localtime(accepted).isoformat().endswith("+08:00")


# ---- queues and the board ------------------------------------------------------------------------


def _make_overdue(case: Case, hours: int = 5) -> None:
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=hours))


def test_the_grid_workers_queue_is_ordered_by_deadline_with_overdue_marked_and_quick_accept(
    as_user, states, report
):
    later = states("dispatched")
    urgent = report(text="下水道反味", category="drainage")
    _make_overdue(urgent)
    soon = report(text="小区路面坑洼", category="facilities")
    Case.objects.filter(pk=soon.pk).update(deadline=timezone.now() + timedelta(hours=3))
    client = as_user("grid_worker")
    html = html_of(client.get("/cases/queue/"))
    positions = [html.index(f'id="case-{c.number}"') for c in (urgent, soon, later)]
    assert positions == sorted(positions)
    assert f'class="case-row is-overdue" id="case-{urgent.number}"' in html
    assert f'class="case-row is-due-soon" id="case-{soon.number}"' in html
    response = client.post(f"/cases/{later.number}/accept/", {"next": "/cases/queue/"})
    assert response.status_code == 302 and response.url == "/cases/queue/"
    assert Case.objects.get(pk=later.pk).status == Status.IN_PROGRESS
    assert "/cases/queue/" in html_of(client.get("/cases/queue/"))


def test_a_long_queue_shows_a_screenful_with_the_whole_queues_figures(as_user, report):
    """A grid worker reads the queue on a phone: 20 rows a page, most urgent first, while the figures
    on top count the whole queue."""
    cases = [report(text=f"楼道灯不亮 {n}") for n in range(25)]
    for case in cases[:22]:
        _make_overdue(case, hours=30 - cases.index(case))  # the first reported is the most overdue
    client = as_user("grid_worker")
    html = html_of(client.get("/cases/queue/"))
    shown = [c for c in cases if f'id="case-{c.number}"' in html]
    assert shown == cases[:20]
    assert "<b>25</b><span>待办</span>" in html and "<b>22</b><span>已超期</span>" in html
    assert "第 1 / 2 页" in html and 'href="?page=2#queue"' in html
    second = html_of(client.get("/cases/queue/?page=2"))
    assert [c for c in cases if f'id="case-{c.number}"' in second] == cases[20:]
    assert html_of(client.get("/cases/queue/?page=abc")).count('class="case-row') == 20  # first page


def test_a_departments_queue_has_its_cases_and_the_summonses_to_answer(as_user, states):
    case = states("summoned")
    client = as_user("department_staff")
    html = html_of(client.get("/cases/department/"))
    assert "梁山县供水公司" in html and case.short_text in html
    summons = case.summonses.get()
    response = client.post(
        f"/cases/{case.number}/answer-summons/",
        {"summons": summons.pk, "answer": "明早派人检修", "next": "/cases/department/"},
    )
    assert response.status_code == 302 and response.url == "/cases/department/"
    summons.refresh_from_db()
    assert summons.answer == "明早派人检修"
    assert "没有待答复的吹哨" in html_of(client.get("/cases/department/"))
    assert "已报到答复" not in html_of(client.get("/cases/queue/"))  # the message was shown once


def test_the_secretarys_board_shows_overdue_and_new_cases_with_quick_urge(as_user, states):
    overdue = states("in_progress")
    _make_overdue(overdue)
    new = states("queued")
    client = as_user("community_secretary")
    html = html_of(client.get("/cases/board/"))
    section = html[html.index('id="board-overdue"') : html.index('id="board-due_soon"')]
    assert f"/cases/{overdue.number}/" in section and f'action="/cases/{overdue.number}/urge/"' in section
    section = html[html.index('id="board-new"') : html.index('id="board-escalated"')]
    assert f"/cases/{new.number}/" in section
    response = client.post(f"/cases/{overdue.number}/urge/", {"next": "/cases/board/"})
    assert response.status_code == 302 and response.url == "/cases/board/"
    assert Case.objects.get(pk=overdue.pk).urge_count == 1
    assert as_user("grid_chief").get("/cases/board/").status_code == 200


def test_each_board_section_shows_its_ten_most_pressing_and_pages_the_rest(as_user, report):
    cases = [report(text=f"井盖松动第{n}处") for n in range(12)]
    for n, case in enumerate(cases):
        _make_overdue(case, hours=50 - n)  # the first reported is the most overdue
    client = as_user("community_secretary")

    def overdue_section(html: str) -> str:
        return html[html.index('id="board-overdue"') : html.index('id="board-due_soon"')]

    first = overdue_section(html_of(client.get("/cases/board/")))
    assert "12 件" in first
    assert [c for c in cases if f"/cases/{c.number}/" in first] == cases[:10]
    assert 'href="?overdue-page=2#board-overdue"' in first
    second = overdue_section(html_of(client.get("/cases/board/?overdue-page=2")))
    assert [c for c in cases if f"/cases/{c.number}/" in second] == cases[10:]


def test_the_board_counts_every_section_and_lists_extensions_to_decide(as_user, world, report):
    worker, secretary = world.users["grid_worker"], world.users["community_secretary"]
    waiting, decided, plain = report(text="路灯坏了"), report(text="井盖松了"), report(text="树枝压线")
    for case in (waiting, decided):
        services.case_accept(case_id=case.pk, actor=worker)
        services.case_request_extension(case_id=case.pk, actor=worker, days=3, reason="等配件")
    request = decided.extension_requests.get()
    services.case_decide_extension(request_id=request.pk, actor=secretary, approve=False)
    _make_overdue(plain)
    html = html_of(as_user("community_secretary").get("/cases/board/"))
    section = html[html.index('id="board-pending_extensions"') :]
    assert f"/cases/{waiting.number}/" in section and f"/cases/{decided.number}/" not in section
    counts = dict(re.findall(r'href="#board-(\w+)"><b>(\d+)</b>', html))
    assert counts == {
        "overdue": "1",
        "due_soon": "0",
        "new": "0",
        "escalated": "0",
        "pending_extensions": "1",
    }


def test_next_never_leads_off_the_site(as_user, states):
    case = states("in_progress")
    response = as_user("community_secretary").post(
        f"/cases/{case.number}/urge/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"


def test_my_cases_lists_reported_and_followed_cases(as_user, world, states, report):
    mine = states("resolved")
    followed = report(text="车棚顶漏雨", category="facilities", user="neighbour")
    services.case_me_too(case_id=followed.pk, actor=world.users["resident"])
    html = html_of(as_user("resident").get("/cases/mine/"))
    assert mine.short_text in html and "待评价" in html
    assert followed.short_text in html


# ---- notifications -------------------------------------------------------------------------------


def test_the_inbox_badge_counts_unread_messages_and_opening_one_reads_it(as_user, world, states):
    case = states("dispatched")
    resident = world.users["resident"]
    first = Notification.objects.create(user=resident, case=case, kind="accepted", message="诉求已有人受理")
    Notification.objects.create(user=resident, case=case, kind="resolved", message="诉求已办结，请评价")
    client = as_user("resident")
    home = html_of(client.get("/"))
    assert re.search(r'<span class="badge" id="unread-badge"[^>]*>2</span>', home)
    inbox = html_of(client.get("/cases/inbox/"))
    assert "诉求已有人受理" in inbox and "全部已读" in inbox

    response = client.get(f"/cases/inbox/{first.pk}/")
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"
    assert re.search(r'id="unread-badge"[^>]*>1</span>', html_of(client.get("/cases/mine/")))

    assert client.post("/cases/inbox/read-all/").status_code == 302
    assert 'id="unread-badge"' not in html_of(client.get("/"))
    assert not Notification.objects.filter(user=resident, read_at__isnull=True).exists()
    # Nobody opens another user's message.
    assert as_user("neighbour").get(f"/cases/inbox/{first.pk}/").status_code == 404


def test_navigation_offers_queue_and_board_to_those_who_have_them(as_user, world):
    resident = html_of(as_user("resident").get("/"))
    assert 'href="/cases/new/"' in resident and 'href="/cases/mine/"' in resident
    assert 'href="/cases/queue/"' not in resident and 'href="/cases/board/"' not in resident
    worker = html_of(as_user("grid_worker").get("/"))
    assert 'href="/cases/queue/"' in worker and 'href="/cases/board/"' not in worker
    secretary = html_of(as_user("community_secretary").get("/"))
    assert 'href="/cases/board/"' in secretary


# ---- the public view -----------------------------------------------------------------------------


def test_the_public_page_lists_and_maps_cases_without_identifying_anyone(client, world, states, categories):
    case = states("in_progress")
    services.case_submit(
        category=categories["neighbour_dispute"],
        text="夜间广场舞噪音扰民",
        channel=Channel.HOTLINE,
        actor=world.users["community_secretary"],
        area=world.area("building"),
        contact_name="张来电",
        contact_phone="13712345678",
    )
    hidden = services.case_submit(
        category=categories["other"],
        text="这是一件不公开的事",
        channel=Channel.WEB,
        reporter=world.users["neighbour"],
        household=world.households["neighbour"],
        is_public=False,
    )
    response = client.get(f"/cases/public/{world.areas['community'].code}/")
    assert response.status_code == 200
    html = html_of(response)
    assert case.short_text in html and "夜间广场舞噪音扰民" in html
    assert hidden.text not in html
    for secret in ("王秀兰", "13800000001", "张来电", "13712345678", "1单元101", "赵敏"):
        assert secret not in html, secret
    assert 'id="case-markers"' in html and '"lat": 35.8' in html  # markers at the building's grid
    grids = client.get(f"/cases/public/{world.areas['community'].code}/grids.geojson").json()
    assert {f["properties"]["name"] for f in grids["features"]} == {"幸福街第一网格", "幸福街第二网格"}


def test_the_public_page_pages_its_list_and_counts_every_public_case(client, world, report):
    cases = [report(text=f"路灯不亮第{n}号") for n in range(23)]
    html = html_of(client.get(f"/cases/public/{world.areas['community'].code}/"))
    assert "<b>23</b><span>公开诉求</span>" in html
    newest_first = cases[::-1]
    assert [c for c in newest_first if c.short_text in html] == newest_first[:20]
    rest = html_of(client.get(f"/cases/public/{world.areas['community'].code}/?page=2"))
    assert "第 2 / 2 页" in rest and all(c.short_text in rest for c in newest_first[20:])


def test_the_public_page_is_only_for_communities(client, world):
    assert client.get(f"/cases/public/{world.areas['grid'].code}/").status_code == 404
    assert client.get("/cases/public/370832001999/").status_code == 404


def test_extension_request_then_decision_from_the_page(as_user, states):
    case = states("extension")
    secretary = html_of(as_user("community_secretary").get(f"/cases/{case.number}/"))
    assert "申请延期 3 天" in secretary and "同意延期" in secretary
    worker = html_of(as_user("grid_worker").get(f"/cases/{case.number}/"))
    assert f'action="/cases/{case.number}/request-extension/"' not in worker  # one is pending
    request = ExtensionRequest.objects.get()
    response = as_user("community_secretary").post(
        f"/cases/{case.number}/decide-extension/", {"request": request.pk, "decision": "refuse"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "refused"


@pytest.mark.parametrize("key", ["resident", "grid_worker", "community_secretary", "department_staff"])
def test_the_screens_render_in_english_too(as_user, states, key):
    case = states("summoned")
    client = as_user(key)
    for url in ["/cases/new/", "/cases/mine/", "/cases/inbox/", f"/cases/{case.number}/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert '<html lang="en">' in html_of(response)


def test_a_user_without_an_address_is_told_how_to_report(as_user, categories):
    html = html_of(as_user("nobody").get("/cases/new/"))
    assert 'value="building" checked' in html
    assert "请扫描楼栋服务卡上的二维码上报" in html
