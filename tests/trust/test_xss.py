"""User text rendered safely everywhere: XSS payloads in a case's text, a timeline note, an inbox message,
a person's name and an area's name come out escaped on every page, as plain strings in the JSON API and
as escaped character data in Open311 XML — never as live markup."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from muling.cases import services
from muling.cases.enums import EventKind
from muling.cases.models import Notification
from muling.people import services as people
from muling.places import services as places

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOAD = f"楼道灯坏了 {SCRIPT} {IMG} {JS_URL}"

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


def assert_inert(html: str, *, shown: bool = True):
    assert SCRIPT not in html
    assert "<img src=x" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in html.lower() and 'src="javascript:' not in html.lower()
    if shown:
        assert ESCAPED_SCRIPT in html
        assert ESCAPED_IMG in html or "&quot;&gt;&lt;img" in html


@pytest.fixture
def hostile_case(world, report):
    case = report(text=PAYLOAD)
    services.case_accept(case_id=case.pk, actor=world.users["grid_worker"])
    services.case_note(case_id=case.pk, actor=world.users["grid_worker"], note=f"备注 {SCRIPT} {IMG}")
    case.refresh_from_db()
    return case


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_the_case_page_and_its_timeline_escape_the_text_and_the_note(world, hostile_case, client_as):
    for user in ["resident", "grid_worker"]:
        html = page(client_as(world.users[user]), f"/cases/{hostile_case.number}/")
        assert_inert(html)
        assert "备注 &lt;script&gt;" in html  # the timeline's note, escaped


def test_the_public_page_escapes_the_text(world, hostile_case, client):
    html = page(client, f"/cases/public/{world.areas['community'].code}/")
    assert_inert(html, shown=False)
    # The map's markers travel as JSON in a data block, with < and > escaped.
    assert "\\u003Cscript\\u003E" in html or ESCAPED_SCRIPT in html


def test_lists_escape_the_text(world, hostile_case, client_as):
    assert_inert(page(client_as(world.users["resident"]), "/cases/mine/"), shown=False)
    assert_inert(page(client_as(world.users["grid_worker"]), "/cases/queue/"), shown=False)


def test_the_inbox_escapes_messages(world, hostile_case, client_as):
    Notification.objects.create(
        user=world.users["resident"], case=hostile_case, kind=EventKind.NOTE, message=f"消息 {SCRIPT} {IMG}"
    )
    html = page(client_as(world.users["resident"]), "/cases/inbox/")
    assert_inert(html)


def test_the_person_page_escapes_the_name(world, client_as):
    person = people.person_create(name=SCRIPT, phone="13700000009", household=world.households["home"])
    html = page(client_as(world.users["grid_worker"]), f"/people/{person.pk}/")
    assert_inert(html, shown=False)
    assert ESCAPED_SCRIPT in html


def test_the_area_page_escapes_the_name(world, client_as):
    places.area_create(parent=world.area("grid"), code="370832001001001009", name=IMG[:40])
    client = client_as(world.users["grid_worker"])
    for path in [f"/places/{world.areas['grid'].code}/", "/places/370832001001001009/"]:
        html = page(client, path)
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_api_returns_the_text_as_a_plain_json_string(world, hostile_case, api_as):
    api = api_as("resident")
    detail = api.get(f"/cases/{hostile_case.pk}")
    assert detail.status_code == 200 and detail["Content-Type"].startswith("application/json")
    assert detail["X-Content-Type-Options"] == "nosniff"
    assert detail.json()["text"] == PAYLOAD  # data, unchanged; escaping is the renderer's job
    events = api_as("grid_worker").get(f"/cases/{hostile_case.pk}/events")
    assert events.status_code == 200 and SCRIPT in json.dumps(events.json(), ensure_ascii=False)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_open311_escapes_the_text(world, hostile_case, fmt):
    response = Client().get(f"/open311/v2/requests/{hostile_case.number}.{fmt}")
    assert response.status_code == 200
    raw = response.content.decode()
    if fmt == "xml":
        assert SCRIPT not in raw and "<img" not in raw
        assert ESCAPED_SCRIPT in raw
        tree = ET.fromstring(response.content)
        assert SCRIPT in tree.findtext("request/description")
    else:
        assert response["Content-Type"].startswith("application/json")
        assert json.loads(raw)[0]["description"].count(SCRIPT) == 1
