"""Photos through the API: reporter adds report photos, handler adds result photos; checked by content."""

import io

import pytest
from django.test import Client
from PIL import Image

from muling.cases import services
from muling.cases.models import CasePhoto


def png(name="p.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    out.name = name
    return out


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(world, categories):
    resident = world.users["resident"]
    return services.case_submit(
        category=categories["sanitation"],
        text="楼道灯坏了",
        channel="web",
        reporter=resident,
        household=resident.person.household,
    )


def test_reporter_adds_report_photos_and_handler_adds_result_photos(world, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(world.users["resident"]).post(
        f"/api/v1/cases/{case.pk}/photos", {"kind": "report", "photos": [png(), png("b.png")]}
    )
    assert response.status_code == 200, response.content
    assert len([p for p in response.json()["photos"]]) == 2
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    ok = as_user(worker).post(f"/api/v1/cases/{case.pk}/photos", {"kind": "result", "photos": [png()]})
    assert ok.status_code == 200
    assert CasePhoto.objects.filter(case=case, kind="result").count() == 1
    assert case.events.filter(kind="note", data__kind="result").exists()


@pytest.mark.parametrize(
    ("user", "kind", "status"),
    [
        ("neighbour", "report", 404),
        ("grid_worker", "report", 403),
        ("resident", "result", 403),
        ("resident", "selfie", 400),
    ],
)
def test_refusals_change_nothing(world, case, user, kind, status, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(world.users[user]).post(
        f"/api/v1/cases/{case.pk}/photos", {"kind": kind, "photos": [png()]}
    )
    assert response.status_code == status, response.content
    assert not CasePhoto.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(world, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "x.jpg"
    response = as_user(world.users["resident"]).post(
        f"/api/v1/cases/{case.pk}/photos", {"kind": "report", "photos": [fake]}
    )
    assert response.status_code == 400 and response.json()["code"] == "photo_not_image"
    assert not CasePhoto.objects.exists()
