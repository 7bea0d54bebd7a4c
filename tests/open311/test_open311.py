"""Open311 GeoReport v2 against the spec, in both formats: every endpoint, the error list with
400/403/404, datetimes with a zone, codes as strings, and never a reporter's identity."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.test import Client

from muling.api import services as api_services
from muling.cases import services
from muling.cases.models import Case

BASE = "/open311/v2"
GRID_POINT = {"lat": "35.805", "long": "116.085"}
SECRET_WORDS = ["王秀兰", "13800000001", "张三", "13999999999", "resident"]


def get(path, fmt="json", **params):
    return Client().get(f"{BASE}/{path}.{fmt}", params)


def post(path, data, fmt="json", **headers):
    return Client(enforce_csrf_checks=True).post(f"{BASE}/{path}.{fmt}", data, headers=headers)


def parse(response, fmt):
    """JSON as data; XML checked for the declaration and the absence of a namespace, then as a tree."""
    raw = response.content.decode("utf-8")
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(raw)
    assert response["Content-Type"].startswith("text/xml")
    assert raw.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "xmlns" not in raw
    return ET.fromstring(raw.encode("utf-8"))


def assert_zoned(value: str):
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and value.endswith("+08:00"), value


def errors_of(response, fmt, status):
    assert response.status_code == status
    data = parse(response, fmt)
    if fmt == "json":
        assert isinstance(data, list) and data
        assert {"code", "description"} <= set(data[0])
        assert data[0]["code"] == status and data[0]["description"]
        return data
    assert data.tag == "errors"
    error = data.find("error")
    assert error.findtext("code") == str(status) and error.findtext("description")
    return data


@pytest.fixture
def public_case(world, report):
    case = report(contact_name="张三", contact_phone="13999999999")
    services.case_accept(case_id=case.pk, actor=world.users["grid_worker"])
    return Case.objects.get(pk=case.pk)


# ---- discovery and services ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(db, fmt):
    data = parse(get("discovery", fmt), fmt)
    if fmt == "json":
        endpoint = data["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
        assert_zoned(data["changeset"])
    else:
        assert data.tag == "discovery"
        formats = [f.text for f in data.find("endpoints/endpoint/formats").findall("format")]
        assert set(formats) == {"text/xml", "application/json"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_list(categories, fmt):
    data = parse(get("services", fmt), fmt)
    if fmt == "json":
        heating = next(s for s in data if s["service_code"] == "heating")
        assert heating["metadata"] is True and heating["type"] == "realtime"
        assert all(isinstance(s["service_code"], str) for s in data)
        assert {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        } <= set(heating)
    else:
        assert data.tag == "services"
        codes = [s.findtext("service_code") for s in data.findall("service")]
        assert "heating" in codes
        facilities = next(s for s in data.findall("service") if s.findtext("service_code") == "facilities")
        assert facilities.findtext("metadata") == "true"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(categories, fmt):
    data = parse(get("services/facilities", fmt), fmt)
    if fmt == "json":
        assert data["service_code"] == "facilities"
        attribute = data["attributes"][0]
        assert attribute["code"] == "facility" and attribute["datatype"] == "singlevaluelist"
        assert {"variable", "required", "datatype_description", "order", "description"} <= set(attribute)
        assert {"key": "wall", "name": "围墙"} in attribute["values"]
    else:
        assert data.tag == "service_definition"
        attribute = data.find("attributes/attribute")
        assert attribute.findtext("code") == "facility"
        assert "wall" in [v.findtext("key") for v in attribute.findall("values/value")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(categories, fmt):
    errors_of(get("services/ufo", fmt), fmt, 404)


# ---- posting requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_request_creates_a_routed_case(world, categories, api_key, fmt):
    r = post(
        "requests",
        {
            "api_key": api_key,
            "service_code": "facilities",
            "description": "车棚顶棚破损漏雨",
            "attribute[facility]": "bike_shed",
            "first_name": "三",
            "last_name": "张",
            "phone": "13999999999",
            "email": "",  # empty means absent
            **GRID_POINT,
        },
        fmt,
    )
    assert r.status_code == 200, r.content
    data = parse(r, fmt)
    number = data[0]["service_request_id"] if fmt == "json" else data.find("request/service_request_id").text
    case = Case.objects.get(number=number)
    assert case.channel == "open311" and case.reporter is None
    assert (case.contact_name, case.contact_phone) == ("张三", "13999999999")
    assert case.grid.code == "370832001001001" and case.owner_person.name == "郑网格"
    assert case.answers == {"facility": "bike_shed"}


def test_multivaluelist_attribute(world, categories, api_key):
    category = categories["other"]
    category.extra_questions = [
        {
            "code": "kinds",
            "label": "类型",
            "datatype": "multivaluelist",
            "values": [{"key": "a", "name": "甲"}, {"key": "b", "name": "乙"}],
        }
    ]
    category.save()
    base = {"api_key": api_key, "service_code": "other", "description": "x", **GRID_POINT}
    ok = post("requests", {**base, "attribute[kinds][]": ["a", "b"]})
    assert ok.status_code == 200
    assert Case.objects.get(number=ok.json()[0]["service_request_id"]).answers == {"kinds": ["a", "b"]}
    errors_of(post("requests", {**base, "attribute[kinds][]": ["a", "zzz"]}), "json", 400)


def test_post_by_address_id_and_address_string(world, categories, api_key):
    base = {"api_key": api_key, "service_code": "other", "description": "路面坑洼"}
    by_id = post("requests", {**base, "address_id": "370832001001002"})
    assert Case.objects.get(number=by_id.json()[0]["service_request_id"]).grid.code == "370832001001002"
    by_name = post("requests", {**base, "address_string": "梁山街道幸福街社区幸福街第二网格 5号楼门口"})
    assert by_name.status_code == 200, by_name.content
    assert Case.objects.get(number=by_name.json()[0]["service_request_id"]).area.code == "370832001001002001"
    errors_of(post("requests", {**base, "address_string": "火星基地"}), "json", 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": ""}, 403),
        ({"api_key": "mlk_wrong"}, 403),
        ({"service_code": "ufo"}, 404),
        ({"service_code": ""}, 400),
        ({"lat": "", "long": ""}, 400),  # missing location
        ({"lat": "95", "long": "116"}, 400),
        ({"lat": "north", "long": "116"}, 400),
        ({"lat": "nan", "long": "116"}, 400),
        ({"long": ""}, 400),
        ({"description": "字" * 4001}, 400),
        ({"description": ""}, 400),
        ({"service_code": "facilities", "attribute[facility]": "moon"}, 400),
        ({"lat": "10", "long": "10"}, 400),  # no grid there
        ({"media_url": "javascript:alert(1)"}, 400),
    ],
)
def test_bad_posts_answer_the_error_list(world, categories, api_key, fmt, change, status):
    data = {"api_key": api_key, "service_code": "other", "description": "路灯不亮", **GRID_POINT, **change}
    errors_of(post("requests", data, fmt), fmt, status)
    assert not Case.objects.exists()


def test_revoked_key_is_403(world, categories):
    created = api_services.client_key_create(name="旧平台")
    api_services.client_key_revoke(user=world.users["admin"], key_id=created.row.pk)
    r = post(
        "requests", {"api_key": created.secret, "service_code": "other", "description": "x", **GRID_POINT}
    )
    errors_of(r, "json", 403)


def test_key_rate_limit_is_429(world, categories):
    created = api_services.client_key_create(name="小平台", rate_limit_per_minute=2)
    data = {"api_key": created.secret, "service_code": "other", "description": "x", **GRID_POINT}
    statuses = [post("requests", data).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Case.objects.count() == 2


def test_idempotency_key_header_on_post(world, categories, api_key):
    data = {"api_key": api_key, "service_code": "other", "description": "x", **GRID_POINT}
    first = post("requests", data, **{"Idempotency-Key": "ticket-1"})
    again = post("requests", data, **{"Idempotency-Key": "ticket-1"})
    assert first.json() == again.json() and Case.objects.count() == 1


# ---- reading requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_and_one_request(public_case, fmt):
    for response in (get("requests", fmt), get(f"requests/{public_case.number}", fmt)):
        data = parse(response, fmt)
        if fmt == "json":
            (item,) = data
        else:
            assert data.tag == "service_requests"
            (element,) = data.findall("request")
            item = {child.tag: child.text for child in element}
        assert item["service_request_id"] == public_case.number
        assert item["status"] == "open" and item["detailed_status"] == "in_progress"
        assert item["service_code"] == "sanitation"
        assert item["agency_responsible"] == "幸福街第一网格"
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert_zoned(item[field])
        assert item["expected_datetime"] == public_case.deadline.astimezone(
            datetime.fromisoformat(item["expected_datetime"]).tzinfo
        ).isoformat(timespec="seconds")
        for required in ("description", "service_name", "address", "lat", "long"):
            assert required in item


def test_request_filters_and_paging(world, report):
    a = report(text="一")
    b = report(text="二", category="other")
    c = report(text="三")
    services.case_reject(
        case_id=report(text="四", category="gas").pk, actor=world.users["community_secretary"], reason="重复"
    )
    hidden = report(text="私密", is_public=False)

    def numbers(**params):
        r = get("requests", **params)
        assert r.status_code == 200, r.content
        return {item["service_request_id"] for item in r.json()}

    everything = numbers()
    assert hidden.number not in everything and len(everything) == 4
    assert numbers(service_code="other") == {b.number}
    assert numbers(service_request_id=f"{a.number},{c.number}", service_code="other") == {a.number, c.number}
    assert len(numbers(status="closed")) == 1
    assert numbers(status="open") == {a.number, b.number, c.number}
    assert numbers(start_date="2999-01-01T00:00:00+08:00") == set()
    assert numbers(end_date="2000-01-01") == set()
    assert len(numbers(page_size="3")) == 3 and len(numbers(page_size="3", page="2")) == 1
    assert numbers(status="", service_code="") == everything  # empty parameters are absent
    for bad in ({"start_date": "yesterday"}, {"status": "pending"}, {"page": "0"}, {"page_size": "99999"}):
        errors_of(get("requests", **bad), "json", 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_private_request_is_404(world, report, fmt):
    hidden = report(is_public=False)
    errors_of(get("requests/20990101999999", fmt), fmt, 404)
    errors_of(get(f"requests/{hidden.number}", fmt), fmt, 404)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_lookup(public_case, fmt):
    data = parse(get(f"tokens/{public_case.number}", fmt), fmt)
    if fmt == "json":
        assert data == [{"service_request_id": public_case.number, "token": public_case.number}]
    else:
        assert data.find("request/service_request_id").text == public_case.number
    errors_of(get("tokens/nope", fmt), fmt, 404)


# ---- updates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_outside_client_follows_its_request_to_closed(world, categories, api_key, fmt):
    posted = post(
        "requests",
        {"api_key": api_key, "service_code": "sanitation", "description": "垃圾堆积", **GRID_POINT},
    )
    number = posted.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_note(case_id=case.pk, actor=worker, note="内部备注：住户王秀兰家门口")
    services.case_resolve(case_id=case.pk, actor=worker, result="已清运")
    services.case_callback(case_id=case.pk, actor=world.users["community_secretary"], note="回访")
    data = parse(get("servicerequestupdates", fmt, service_request_id=number), fmt)
    if fmt == "json":
        updates = data
    else:
        assert data.tag == "service_request_updates"
        updates = [{c.tag: c.text for c in el} for el in data.findall("request_update")]
    assert [u["status"] for u in updates] == ["ACTION_SCHEDULED", "IN_PROGRESS", "FIXED"]
    assert updates[-1]["description"] == "已清运"
    for u in updates:
        assert_zoned(u["updated_datetime"])
        assert u["service_request_id"] == number
    detail = parse(get(f"requests/{number}", fmt), fmt)
    status = detail[0]["status"] if fmt == "json" else detail.find("request/status").text
    assert status == "closed"
    assert "王秀兰" not in get("servicerequestupdates", fmt).content.decode()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_update_adds_to_the_timeline(world, categories, api_key, fmt):
    posted = post("requests", {"api_key": api_key, "service_code": "other", "description": "x", **GRID_POINT})
    number = posted.json()[0]["service_request_id"]
    r = post(
        "servicerequestupdates",
        {
            "api_key": api_key,
            "service_request_id": number,
            "description": "市级平台：已转办",
            "status": "OPEN",
        },
        fmt,
    )
    assert r.status_code == 200, r.content
    data = parse(r, fmt)
    update_id = data[0]["update_id"] if fmt == "json" else data.find("request_update/update_id").text
    assert update_id.isdigit()
    case = Case.objects.get(number=number)
    assert case.events.filter(kind="note", note="市级平台：已转办", actor=None).exists()
    listed = get("servicerequestupdates", service_request_id=number).json()
    assert any(u["update_id"] == update_id and u["description"] == "市级平台：已转办" for u in listed)


def test_post_update_refusals(world, report, categories, api_key):
    web_case = report()
    base = {"api_key": api_key, "description": "x"}
    errors_of(
        post("servicerequestupdates", {**base, "api_key": "bad", "service_request_id": web_case.number}),
        "json",
        403,
    )
    errors_of(post("servicerequestupdates", {**base}), "json", 400)
    # A key reaches only its own channel's cases.
    errors_of(post("servicerequestupdates", {**base, "service_request_id": web_case.number}), "json", 404)


# ---- privacy and robustness ----------------------------------------------------------------------


def test_no_reporter_identity_in_any_output(world, public_case, categories, api_key):
    post(
        "requests",
        {
            "api_key": api_key,
            "service_code": "other",
            "description": "x",
            "first_name": "三",
            "last_name": "张",
            "phone": "13999999999",
            **GRID_POINT,
        },
    )
    for fmt in ("json", "xml"):
        for path in (
            "requests",
            f"requests/{public_case.number}",
            f"tokens/{public_case.number}",
            "servicerequestupdates",
            "services",
            "discovery",
        ):
            body = get(path, fmt).content.decode()
            for word in SECRET_WORDS:
                assert word not in body, (path, fmt, word)
            if path != "discovery":  # discovery names the operator's contact, by the spec
                assert not re.search(r"contact|reporter|email|phone", body), (path, fmt)


def test_unknown_endpoint_and_method(db):
    errors_of(Client().get(f"{BASE}/nothing.json"), "json", 404)
    errors_of(Client().get(f"{BASE}/services.html"), "json", 404)
    errors_of(Client().put(f"{BASE}/services.json"), "json", 405)
