"""Anonymisation on request through the page and the API: find the person, give the basis, confirm.
The entitled (superuser, privacy officer, county secretary over the resident) succeed and the case
statistics stay; everyone else is refused and nothing changes. The staff export is one click away."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from muling.people.models import Person
from muling.privacy.models import DataField, PersonalDataAccess
from muling.privacy.services import ANONYMOUS_NAME
from tests.factories import make_user

from .conftest import ID_NUMBER
from .test_anonymise import counts

SEARCH = reverse("privacy:anonymise")


def page_url(person) -> str:
    return reverse("privacy:anonymise_person", kwargs={"pk": person.pk})


def api_url(person, action="anonymise") -> str:
    return f"/api/v1/privacy/persons/{person.pk}/{action}"


@pytest.fixture
def officer(world):
    """A clerk with no post, named privacy officer (个人信息保护负责人) by a superuser."""
    user = make_user("privacy_officer", None)
    user.user_permissions.add(
        Permission.objects.get(codename="privacy_officer", content_type__app_label="privacy")
    )
    return user


@pytest.fixture
def history(world, resident, report):
    first = report(contact_name="王秀兰", contact_phone="13800000001")
    report(user="neighbour", text="邻居反映的噪音问题")
    return first


def actor(world, officer, key):
    return officer if key == "officer" else world.users[key]


# ---- the page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["admin", "officer", "county_secretary"])
def test_the_entitled_find_a_person_by_id_number_phone_or_name(client_as, world, officer, resident, key):
    client = client_as(actor(world, officer, key))
    for query in (ID_NUMBER, "13800000001", "秀兰"):
        html = client.post(SEARCH, {"q": query}).content.decode()
        assert "王秀兰" in html and page_url(resident) in html
        assert ID_NUMBER not in html.replace(f'value="{ID_NUMBER}"', "")  # only what was typed
        assert "138****0001" in html and resident.id_number_masked in html


@pytest.mark.parametrize(
    ("key", "status"),
    [("grid_worker", 403), ("community_secretary", 403), ("street_secretary", 403), ("resident", 403)],
)
def test_the_page_is_refused_to_everyone_else(client_as, world, resident, key, status):
    client = client_as(world.users[key])
    assert client.post(SEARCH, {"q": "王秀兰"}).status_code == status
    response = client.post(page_url(resident), {"reason": "本人申请", "confirmed": "on"})
    assert response.status_code == status
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"


def test_the_page_needs_a_login(client, world, resident):
    response = client.get(SEARCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_county_secretary_reaches_only_residents_of_their_county(client_as, world):
    from muling.people import services as people

    outside = people.person_create(name="孙无户", phone="13700000066")  # no household: in no county
    client = client_as(world.users["county_secretary"])
    assert page_url(outside) not in client.post(SEARCH, {"q": "孙无户"}).content.decode()
    assert client.post(page_url(outside), {"reason": "本人申请", "confirmed": "on"}).status_code == 404
    assert Person.objects.get(pk=outside.pk).name == "孙无户"
    assert page_url(outside) in client_as(world.users["admin"]).post(SEARCH, {"q": "孙无户"}).content.decode()


@pytest.mark.parametrize("key", ["admin", "officer", "county_secretary"])
def test_anonymising_takes_a_reason_and_a_confirmation_and_keeps_the_statistics(
    client_as, world, officer, resident, history, key
):
    client = client_as(actor(world, officer, key))
    before = counts()
    page = client.get(page_url(resident)).content.decode()
    assert 'id="effects"' in page and reverse("privacy:export_person", kwargs={"pk": resident.pk}) in page

    # No reason: refused at the field.
    assert client.post(page_url(resident), {"reason": " "}).status_code == 400
    # A reason without the confirmation: the confirmation step, nothing done yet.
    step = client.post(page_url(resident), {"reason": "本人书面申请 2026-12-01"})
    assert step.status_code == 200 and 'id="confirm-step"' in step.content.decode()
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"
    assert not PersonalDataAccess.objects.exists()

    done = client.post(page_url(resident), {"reason": "本人书面申请 2026-12-01", "confirmed": "on"})
    assert done.status_code == 302 and done["Location"] == SEARCH
    person = Person.objects.get(pk=resident.pk)
    assert person.name == ANONYMOUS_NAME and person.phone == "" and person.id_number_full() == ""
    access = PersonalDataAccess.objects.get(field=DataField.ANONYMISE)
    assert access.person == person and access.note == "本人书面申请 2026-12-01"
    assert counts() == before


@pytest.mark.parametrize("key", ["admin", "officer"])
def test_the_staff_export_on_request_is_reachable_and_may_be_full_for_the_entitled(
    client_as, world, officer, resident, key
):
    client = client_as(actor(world, officer, key))
    url = reverse("privacy:export_person", kwargs={"pk": resident.pk})
    assert 'name="full"' in client.get(url).content.decode()
    data = json.loads(client.post(url, {"reason": "request", "full": "on"}).content)
    assert data["person"]["id_number"] == ID_NUMBER and data["person"]["phone"] == "13800000001"
    access = PersonalDataAccess.objects.get()
    assert access.field == DataField.EXPORT and access.note.startswith("完整导出")


def test_a_grid_worker_is_not_offered_the_full_export_and_cannot_force_it(client_as, world, resident):
    client = client_as(world.users["grid_worker"])
    url = reverse("privacy:export_person", kwargs={"pk": resident.pk})
    assert 'name="full"' not in client.get(url).content.decode()
    data = json.loads(client.post(url, {"reason": "business", "full": "on"}).content)
    assert data["person"]["phone"] == "138****0001"  # the field is not on their form: ignored


# ---- the API ---------------------------------------------------------------------------------------


def api_post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("key", ["admin", "officer", "county_secretary"])
def test_the_api_finds_and_anonymises_for_the_entitled(client_as, world, officer, resident, history, key):
    client = client_as(actor(world, officer, key))
    found = client.get("/api/v1/privacy/persons", {"q": "13800000001"})
    assert found.status_code == 200
    assert found.json() == [
        {
            "id": resident.pk,
            "name": "王秀兰",
            "phone": "138****0001",
            "id_number": resident.id_number_masked,
            "household": str(resident.household),
        }
    ]
    before = counts()
    unconfirmed = api_post(client, api_url(resident), {"reason": "本人申请"})
    assert unconfirmed.status_code == 400 and unconfirmed.json()["code"] == "confirmation_required"
    assert "confirm" in unconfirmed.json()["fields"]
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"
    done = api_post(client, api_url(resident), {"reason": "本人申请", "confirm": True})
    assert done.status_code == 200 and done.json() == {
        "id": resident.pk,
        "name": ANONYMOUS_NAME,
        "anonymised": True,
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [
        ("grid_worker", 403, "forbidden"),
        ("community_secretary", 403, "forbidden"),
        ("resident", 403, "forbidden"),
        ("department_staff", 403, "forbidden"),
    ],
)
def test_the_api_refuses_everyone_else_and_changes_nothing(client_as, world, resident, key, status, code):
    client = client_as(world.users[key])
    assert client.get("/api/v1/privacy/persons", {"q": "王"}).status_code == 403
    response = api_post(client, api_url(resident), {"reason": "本人申请", "confirm": True})
    assert response.status_code == status and response.json()["code"] == code
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"
    assert not PersonalDataAccess.objects.exists()


def test_the_api_answers_bad_input_with_a_code_not_a_500(client_as, world, resident):
    client = client_as(world.users["admin"])
    assert api_post(client, api_url(resident), {"confirm": True}).json()["code"] == "invalid_input"
    assert api_post(client, api_url(resident), {"reason": "", "confirm": True}).status_code == 400
    assert client.post(api_url(resident), "{", content_type="application/json").status_code == 400
    missing = api_post(
        client, "/api/v1/privacy/persons/999999999/anonymise", {"reason": "x", "confirm": True}
    )
    assert missing.status_code == 404 and missing.json()["code"] == "person_not_found"
    huge = api_post(client, f"/api/v1/privacy/persons/{2**70}/anonymise", {"reason": "x", "confirm": True})
    assert huge.status_code in (400, 404)
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"


def test_the_api_export_is_masked_logged_and_scoped(client_as, world, resident):
    client = client_as(world.users["grid_worker"])
    response = api_post(client, api_url(resident, "export"), {"reason": "business"})
    assert response.status_code == 200
    assert response.json()["person"]["phone"] == "138****0001"
    assert PersonalDataAccess.objects.get().field == DataField.EXPORT
    forced = api_post(client, api_url(resident, "export"), {"reason": "business", "full": True})
    assert forced.status_code == 403 and PersonalDataAccess.objects.count() == 1
    no_reason = api_post(client, api_url(resident, "export"), {"reason": "nonsense"})
    assert no_reason.status_code == 400 and no_reason.json()["fields"]["reason"]
    outside = client_as(world.users["other_grid_worker"])
    assert api_post(outside, api_url(resident, "export"), {"reason": "business"}).status_code == 404
    assert PersonalDataAccess.objects.count() == 1
