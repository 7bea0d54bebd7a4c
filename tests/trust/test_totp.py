"""Optional TOTP for staff (django-otp): a staff member enrols an authenticator on a page, and from then
on a password login must be followed by the current code before any page or the API opens. Residents
cannot enrol, and users without a device never see the code page."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "pw-Muling-123"


def password_login(username, address) -> Client:
    client = Client(REMOTE_ADDR=address)
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def code(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp makes each wrong code double the wait before the next try; these tests type a wrong
    # code and then the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def enrolled(world, address):
    client = password_login("grid_worker", address)
    page = client.get("/account/totp/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "6 位验证码" in html
    device = TOTPDevice.objects.get(user=world.users["grid_worker"])
    assert not device.confirmed
    assert (
        client.post(
            "/account/totp/", {"code": "000000" if code(device) != "000000" else "111111"}
        ).status_code
        == 400
    )
    assert client.post("/account/totp/", {"code": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/cases/queue/").status_code == 200  # the enrolling session is verified
    return device


def test_after_enrolling_a_password_login_needs_the_code(world, enrolled, address):
    client = password_login("grid_worker", address)
    page = client.get("/cases/queue/")
    assert page.status_code == 302 and page.url == "/account/verify/?next=/cases/queue/"
    api = client.get("/api/v1/cases")
    assert api.status_code == 401 and api.json()["code"] == "otp_required"
    wrong = client.post("/account/verify/", {"code": "12345", "next": "/cases/queue/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    right = client.post("/account/verify/", {"code": code(enrolled, drift=1), "next": "/cases/queue/"})
    assert right.status_code == 302 and right.url == "/cases/queue/"
    assert client.get("/cases/queue/").status_code == 200
    assert client.get("/api/v1/cases").status_code == 200


def test_the_code_page_never_redirects_off_site(world, enrolled, address):
    client = password_login("grid_worker", address)
    response = client.post(
        "/account/verify/", {"code": code(enrolled, drift=1), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_wrong_codes_are_throttled_by_default(world, enrolled, address, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    client = password_login("grid_worker", address)
    client.post("/account/verify/", {"code": "12345"})
    assert client.post("/account/verify/", {"code": code(enrolled, drift=1)}).status_code == 400  # must wait


def test_staff_without_a_device_and_residents_are_not_asked(world, address):
    assert password_login("grid_chief", address).get("/cases/queue/").status_code == 200
    resident = password_login("resident", address)
    assert resident.get("/cases/mine/").status_code == 200
    assert resident.get("/account/totp/").status_code == 403
