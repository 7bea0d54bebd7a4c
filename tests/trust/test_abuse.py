"""Abuse limits on reporting: per user and per client address per hour, on the web form and the API;
only accepted reports count; staff channels and the service itself are never limited; near-identical
repeats are accepted and flagged for supervisors (Beijing 接诉即办 regulation art. 9)."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from muling.cases import abuse
from muling.cases.enums import Channel
from muling.cases.models import Case
from muling.trust.models import FlagReason, SubmissionFlag


@pytest.fixture
def limits(settings):
    settings.REPORT_LIMIT_PER_USER_PER_HOUR = 3
    settings.REPORT_LIMIT_PER_ADDRESS_PER_HOUR = 5
    settings.REPORT_REPEAT_LIMIT_PER_DAY = 3
    return settings


def web_client(world, user, address) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(world.users[user])
    return client


def web_report(client, categories, text="3单元楼道灯坏了好几天", key=None):
    return client.post(
        reverse("cases:new"),
        {
            "category": categories["sanitation"].pk,
            "text": text,
            "place": "home",
            "hide_name": "on",
            "source": "web",
            "key": key or uuid.uuid4().hex,
        },
    )


def test_the_defaults_are_ten_per_user_and_thirty_per_address():
    from muling import settings as defaults

    assert defaults.REPORT_LIMIT_PER_USER_PER_HOUR == 10
    assert defaults.REPORT_LIMIT_PER_ADDRESS_PER_HOUR == 30


def test_web_reports_are_allowed_up_to_the_users_limit_and_refused_above(world, categories, limits, address):
    client = web_client(world, "resident", address)
    for n in range(3):
        assert web_report(client, categories, text=f"第{n}处问题：路灯不亮").status_code == 302
    refused = web_report(client, categories, text="第四处问题：井盖缺失")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "您在一小时内提交的诉求过多" in html and "分钟后再试" in html
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Case.objects.count() == 3
    # Another resident at another address is not affected.
    assert web_report(web_client(world, "neighbour", "10.88.0.9"), categories).status_code == 302


def test_web_reports_are_limited_per_address_across_accounts(world, categories, limits, address):
    for user in ["resident", "housemate"]:
        client = web_client(world, user, address)
        for n in range(2 if user == "housemate" else 3):
            assert web_report(client, categories, text=f"{user} 第{n}件").status_code == 302
    assert web_report(web_client(world, "neighbour", address), categories).status_code == 429
    assert web_report(web_client(world, "neighbour", "10.88.0.10"), categories).status_code == 302


def test_a_retried_form_and_a_refused_form_do_not_use_up_the_limit(world, categories, limits, address):
    client = web_client(world, "resident", address)
    key = uuid.uuid4().hex
    first = web_report(client, categories, key=key)
    for _ in range(4):  # the same form sent again returns the first case
        assert web_report(client, categories, key=key).url == first.url
    for _ in range(4):  # an empty text is refused at the field
        assert web_report(client, categories, text="").status_code == 400
    assert web_report(client, categories, text="第二件").status_code == 302
    assert web_report(client, categories, text="第三件").status_code == 302
    assert web_report(client, categories, text="第四件").status_code == 429


def test_api_submissions_are_limited_per_user(world, categories, limits, api_as):
    api = api_as("resident")
    home = world.households["home"].pk
    for n in range(3):
        r = api.post("/cases", {"category": "sanitation", "text": f"第{n}处漏水", "household_id": home})
        assert r.status_code == 201, r.json()
    refused = api.post("/cases", {"category": "sanitation", "text": "又一处漏水", "household_id": home})
    assert refused.status_code == 429
    assert refused.json()["code"] == "report_rate_limited"
    assert "您在一小时内提交的诉求过多" in refused.json()["message"]
    assert int(refused["Retry-After"]) > 0
    assert Case.objects.count() == 3


def test_api_submissions_are_limited_per_address(world, categories, limits, api_as, address):
    for user, count in [("resident", 3), ("housemate", 2)]:
        api = api_as(user)
        for n in range(count):
            body = {
                "category": "sanitation",
                "text": f"{user}-{n}",
                "household_id": world.households["home"].pk,
            }
            assert api.post("/cases", body).status_code == 201
    body = {"category": "other", "text": "路灯不亮", "area_code": "370832001001001"}
    assert api_as("neighbour").post("/cases", body).status_code == 429
    assert api_as("neighbour", from_address="10.88.0.11").post("/cases", body).status_code == 201


def test_staff_recording_a_patrol_through_the_api_is_not_limited(world, categories, limits, api_as):
    api = api_as("grid_worker")
    for n in range(6):
        body = {
            "category": "other",
            "text": f"巡查发现第{n}处",
            "area_code": "370832001001001",
            "channel": "patrol",
        }
        assert api.post("/cases", body).status_code == 201


def test_the_service_itself_is_never_limited(world, limits, report):
    for n in range(8):  # imports, the hotline and the demo call case_submit directly
        report(text=f"导入的第{n}件")
    assert Case.objects.count() == 8


TEXT = "我家楼上天天半夜跺脚，吵得睡不着觉，请社区马上处理！"


def test_near_identical_repeats_are_accepted_and_flagged(
    world, categories, limits, settings, address, django_capture_on_commit_callbacks
):
    settings.REPORT_LIMIT_PER_USER_PER_HOUR = 10
    client = web_client(world, "resident", address)
    texts = [TEXT, TEXT + "!", TEXT.replace("马上", "立刻"), TEXT + "！"]
    for text in texts[:3]:
        with django_capture_on_commit_callbacks(execute=True):  # the check runs after commit
            assert web_report(client, categories, text=text).status_code == 302
    assert not SubmissionFlag.objects.exists()  # three are not yet "more than three"
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        fourth = web_report(client, categories, text=texts[3])
    assert not SubmissionFlag.objects.exists()  # not on the request: the resident is answered first
    for callback in after_commit:
        callback()
    assert fourth.status_code == 302  # accepted: a submission is never lost
    case = Case.objects.latest("id")
    assert fourth.url == f"/cases/{case.number}/"
    flag = SubmissionFlag.objects.get()
    assert flag.case == case and flag.reason == FlagReason.REPEATED_TEXT
    assert "3" in flag.detail


def test_repeats_through_the_api_are_flagged_too(
    world, categories, limits, settings, api_as, django_capture_on_commit_callbacks
):
    settings.REPORT_LIMIT_PER_USER_PER_HOUR = 10
    api = api_as("resident")
    home = world.households["home"].pk
    ids = []
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            body = {"category": "sanitation", "text": TEXT, "household_id": home}
            ids.append(api.post("/cases", body).json()["id"])
    assert list(SubmissionFlag.objects.values_list("case_id", flat=True)) == [ids[-1]]


def test_different_texts_or_other_reporters_are_not_flagged(world, report, limits):
    different = [
        "路灯不亮，晚上看不清",
        "垃圾桶满了没人清理",
        "楼道里堆满了杂物",
        "下水道堵了，污水外溢",
        TEXT,
    ]
    for n, text in enumerate(different):
        report(text=text)
        if n < 3:
            report(text=TEXT, user="neighbour", household=world.households["neighbour"])
    case = report(text=TEXT, user="housemate")
    assert abuse.flag_if_repeated(case) is None  # the housemate's first such text
    assert abuse.flag_if_repeated(Case.objects.filter(reporter=world.users["resident"]).latest("id")) is None
    assert abuse.flag_if_repeated(Case.objects.filter(reporter=world.users["neighbour"]).latest("id")) is None


def test_repeats_older_than_a_day_do_not_count(world, report, limits):

    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        for _ in range(4):
            report(text=TEXT)
    assert abuse.flag_if_repeated(report(text=TEXT)) is None


def test_supervisors_see_flagged_cases_in_the_admin(world, report, limits, client_as):
    cases = [report(text=TEXT) for _ in range(4)]
    flag = abuse.flag_if_repeated(cases[-1])
    assert flag is not None
    html = client_as(world.users["admin"]).get("/admin/trust/submissionflag/").content.decode()
    assert cases[-1].number in html and "同一人当日重复提交相似内容" in html


def test_staff_channels_are_never_checked_for_repeats(
    world, report, limits, django_capture_on_commit_callbacks
):
    # A hotline operator registering the same caller's complaint again is not the caller's abuse.
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            report(text=TEXT, channel=Channel.HOTLINE, actor=world.users["grid_worker"], check_repeats=True)
    assert not SubmissionFlag.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        report(text=TEXT, check_repeats=True)  # the same resident's own fifth+ repeat on the web
    assert SubmissionFlag.objects.get().case == Case.objects.latest("id")
