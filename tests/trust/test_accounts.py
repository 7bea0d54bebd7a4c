"""Accounts: lockout after five wrong passwords per account and address (django-axes), phone and username
sharing one counter, the cool-off and the reset, the password policy, and the lockout never touching the
rest of the suite's force_login."""

from datetime import timedelta

import pytest
import time_machine
from axes.utils import reset as axes_reset
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

PASSWORD = "pw-Muling-123"


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def fail(client, username, times):
    """`times` wrong passwords: the form again with its error, and from the fifth on the lockout page."""
    for n in range(1, times + 1):
        response = login(client, username, "wrong-password")
        assert response.status_code == (200 if n < 5 else 429), n


def test_the_phone_or_username_backend_still_logs_people_in(world, address):
    response = login(Client(REMOTE_ADDR=address), "13800000001", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert login(Client(REMOTE_ADDR=address), "resident", PASSWORD).status_code == 302


def test_five_wrong_passwords_lock_the_account_from_that_address(world, address):
    client = Client(REMOTE_ADDR=address)
    fail(client, "resident", 4)
    assert login(client, "resident", PASSWORD).status_code == 302  # four are forgiven by a good login
    client = Client(REMOTE_ADDR=address)
    fail(client, "resident", 5)
    locked = login(client, "resident", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录暂时被锁定" in html and "15 分钟后再试" in html
    assert 'class="topbar"' in html  # the site's own frame (base.html)
    assert "resident" not in html.split("<main", 1)[-1]  # never names the account


def test_the_phone_and_the_username_of_one_account_share_one_counter(world, address):
    client = Client(REMOTE_ADDR=address)
    fail(client, "resident", 3)
    assert login(client, "13800000001", "wrong-password").status_code == 200  # the fourth
    assert login(client, "13800000001", "wrong-password").status_code == 429  # the fifth
    assert login(client, "resident", PASSWORD).status_code == 429
    assert login(client, "13800000001", PASSWORD).status_code == 429


def test_the_lock_is_per_address_and_per_account(world, address):
    fail(Client(REMOTE_ADDR=address), "resident", 5)
    assert login(Client(REMOTE_ADDR="10.99.0.1"), "resident", PASSWORD).status_code == 302
    assert login(Client(REMOTE_ADDR=address), "neighbour", PASSWORD).status_code == 302


def test_a_good_login_works_again_after_the_cool_off(world, address):
    client = Client(REMOTE_ADDR=address)
    fail(client, "resident", 5)
    assert login(client, "resident", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert login(Client(REMOTE_ADDR=address), "resident", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert login(Client(REMOTE_ADDR=address), "resident", PASSWORD).status_code == 302


def test_a_good_login_works_again_after_a_reset(world, address):
    fail(Client(REMOTE_ADDR=address), "resident", 5)
    assert login(Client(REMOTE_ADDR=address), "resident", PASSWORD).status_code == 429
    axes_reset(username="resident")
    assert login(Client(REMOTE_ADDR=address), "resident", PASSWORD).status_code == 302


def test_a_locked_account_does_not_affect_force_login_or_requestless_authenticate(world, address, client_as):
    fail(Client(REMOTE_ADDR=address), "resident", 6)
    assert client_as(world.users["resident"]).get(reverse("cases:mine")).status_code == 200
    assert authenticate(username="13800000001", password=PASSWORD) == world.users["resident"]


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Mu1ing-pw", False),  # 9 characters
        ("1234567890123", False),  # numeric only
        ("password1234", False),  # common
        ("Mu1ing-pass", True),  # 11 characters
        ("睦邻社区网格治理平台2026", True),
    ],
)
def test_new_passwords_need_at_least_ten_characters_and_not_a_common_one(db, password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_the_minimum_length_is_ten(db):
    with pytest.raises(ValidationError) as refused:
        validate_password("Xq7#pLm2w")
    assert any(e.code == "password_too_short" for e in refused.value.error_list)
