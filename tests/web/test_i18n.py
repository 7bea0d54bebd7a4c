"""Chinese by default, English on request; the switch is Django's set_language view."""

from django.urls import reverse


def test_chinese_is_the_default(client, world):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in html


def test_accept_language_english_switches_the_page_language(client, world):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html


def test_set_language_switch_sticks_and_switches_back(client_as, world):
    client = client_as(world.users["grid_worker"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()


def test_language_switch_form_is_on_every_page(client, world):
    html = client.get(reverse("login")).content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'value="en"' in html and 'value="zh-hans"' in html
