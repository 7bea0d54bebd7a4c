from django.urls import reverse

PASSWORD = "pw-Muling-123"


def test_login_form_asks_for_username_or_phone(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "用户名或手机号" in html


def test_resident_logs_in_with_phone_number(client, world):
    response = client.post(reverse("login"), {"username": "13800000001", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "王秀兰" in client.get(reverse("home")).content.decode()


def test_wrong_password_shows_an_error_and_stays_on_the_form(client, world):
    response = client.post(reverse("login"), {"username": "resident", "password": "wrong"})
    assert response.status_code == 200
    assert "不匹配" in response.content.decode()


def test_logout_needs_post(client_as, world):
    client = client_as(world.users["resident"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "王秀兰" not in client.get(reverse("home")).content.decode()


def test_login_page_title_names_muling_not_the_host(client):
    page = client.get("/login/").content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert "睦邻" in title and "testserver" not in title
