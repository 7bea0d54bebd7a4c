"""The closed loop's back office: configuration editable by admins; cases read-only and scoped."""

import pytest

from muling.cases.models import Category


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/category/",
        "/admin/cases/routingrule/",
        "/admin/cases/calendarday/",
        "/admin/cases/case/",
        "/admin/cases/summons/",
        "/admin/cases/extensionrequest/",
        "/admin/cases/notification/",
    ],
)
def test_admin_pages_load(world, report, client_as, url):
    report()
    assert client_as(world.users["admin"]).get(url).status_code == 200


def test_categories_are_editable_by_the_admin(world, categories, client_as):
    client = client_as(world.users["admin"])
    category = categories["heating"]
    response = client.get(f"/admin/cases/category/{category.pk}/change/")
    assert response.status_code == 200
    assert "dispatch_hours" in response.content.decode()


def test_a_case_cannot_be_edited_in_admin_even_by_the_superuser(world, report, client_as):
    case = report()
    client = client_as(world.users["admin"])
    response = client.post(f"/admin/cases/case/{case.pk}/change/", {"status": "closed"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "dispatched"


def test_staff_see_only_cases_in_their_scope(world, report, client_as):
    mine = report()
    far = report(user="far_resident")
    secretary = world.users["community_secretary"]
    secretary.is_staff = True
    secretary.save()
    client = client_as(secretary)
    page = client.get("/admin/cases/case/").content.decode()
    assert mine.number in page and far.number not in page
    assert client.get(f"/admin/cases/case/{far.pk}/change/").status_code in (302, 404)
    assert client.get("/admin/cases/category/").status_code == 403
    assert Category.objects.count() > 0
