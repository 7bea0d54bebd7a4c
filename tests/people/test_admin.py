"""The back office: every page loads, staff see only their scope, and forms refuse at the field."""

import io

import openpyxl
import pytest
from django.urls import reverse

from muling.people import scope
from muling.people import services as people
from muling.people.models import Person, Post
from muling.people.roles import Role
from muling.places.levels import Level
from muling.places.models import Area, Household
from muling.places.resources import AREA_COLUMNS

GOOD_ID = people.id_number_with_check("37083219500101001")

MODELS = [
    "places_area",
    "places_household",
    "places_partyorganisation",
    "people_user",
    "people_person",
    "people_department",
    "people_post",
]


def names_in_changelist(response) -> set[str]:
    return {str(obj) for obj in response.context["cl"].result_list}


@pytest.fixture
def staff_secretary(world):
    """褚书记, community secretary of 幸福街社区, given access to the back office."""
    user = world.users["community_secretary"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def as_admin(world, client_as):
    return client_as(world.users["admin"])


# ---- every page loads for a superuser ---------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_change_pages_load_for_a_superuser(world, as_admin, model):
    from django.apps import apps

    app_label, model_name = model.split("_", 1)
    obj = apps.get_model(app_label, model_name).objects.order_by("pk").first()
    if model == "places_partyorganisation" and obj is None:
        from muling.places.services import party_organisation_create

        obj = party_organisation_create(area=world.area("community"))
    assert as_admin.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert as_admin.get(reverse(f"admin:{model}_changelist"), {"q": "幸福"}).status_code == 200
    assert as_admin.get(reverse(f"admin:{model}_add")).status_code == 200
    assert as_admin.get(reverse(f"admin:{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model", ["places_area", "places_household", "people_person", "people_post"])
def test_import_and_export_pages_load(as_admin, model):
    assert as_admin.get(reverse(f"admin:{model}_import")).status_code == 200
    assert as_admin.get(reverse(f"admin:{model}_export")).status_code == 200


def test_the_tree_expands_for_a_superuser(world, as_admin):
    response = as_admin.get(reverse("admin:places_area_changelist"))
    assert names_in_changelist(response) == {"济宁市"}
    children = as_admin.get(f"{reverse('admin:places_area_changelist')}children/{world.area('county').pk}/")
    assert children.status_code == 200 and "梁山街道" in children.json()["result_html"]


# ---- who gets in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user_key", ["resident", "community_secretary"])
def test_a_user_without_is_staff_is_refused_the_back_office(world, client_as, user_key):
    client = client_as(world.users[user_key])
    for url in (reverse("admin:index"), reverse("admin:people_person_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_posts_or_permissions_sees_no_model(world, client_as):
    nobody = world.users["nobody"]
    nobody.is_staff = True
    nobody.save(update_fields=["is_staff"])
    client = client_as(nobody)
    assert client.get(reverse("admin:index")).context["app_list"] == []
    assert client.get(reverse("admin:people_person_changelist")).status_code == 403


# ---- staff see their scope and nothing else ---------------------------------------------------------


def test_staff_tree_starts_at_their_own_area(world, client_as, staff_secretary):
    client = client_as(staff_secretary)
    response = client.get(reverse("admin:places_area_changelist"))
    assert response.status_code == 200
    assert names_in_changelist(response) == {"幸福街社区"}


def test_staff_see_only_areas_in_scope(world, client_as, staff_secretary):
    response = client_as(staff_secretary).get(
        reverse("admin:places_area_changelist"), {"level__exact": Level.BUILDING}
    )
    assert names_in_changelist(response) == {"1号楼", "5号楼"}  # not 9号楼 of 杏花村社区
    searched = client_as(staff_secretary).get(reverse("admin:places_area_changelist"), {"q": "网格"})
    assert names_in_changelist(searched) == {"幸福街第一网格", "幸福街第二网格"}


def test_staff_see_only_households_in_scope(world, client_as, staff_secretary):
    response = client_as(staff_secretary).get(reverse("admin:places_household_changelist"))
    seen = {obj.pk for obj in response.context["cl"].result_list}
    h = world.households
    assert seen == {h["home"].pk, h["neighbour"].pk, h["other_grid"].pk}


def test_staff_see_only_persons_in_scope(world, client_as, staff_secretary):
    names = names_in_changelist(client_as(staff_secretary).get(reverse("admin:people_person_changelist")))
    assert {"王秀兰", "李建国", "赵敏", "钱伟", "郑网格"} <= names
    assert not names & {"孙丽", "卫书记", "蒋书记"}


def test_staff_export_only_their_scope(world, client_as, staff_secretary):
    response = client_as(staff_secretary).post(
        reverse("admin:people_person_export"),
        {"format": "1", "resource": "0", "reason": "business", **_all_export_fields()},
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "王秀兰" in text and "孙丽" not in text


def test_staff_export_the_whole_of_their_subtree_not_just_the_top_of_the_tree(
    world, client_as, staff_secretary
):
    response = client_as(staff_secretary).post(
        reverse("admin:places_area_export"),
        {"format": "1", "resource": "0", **{f"arearesource_{c}": "on" for c in AREA_COLUMNS}},
    )
    codes = {line.split(",")[0] for line in response.content.decode("utf-8-sig").splitlines()[1:]}
    assert codes == {
        "370832001001",
        "370832001001001",
        "370832001001002",
        "370832001001001001",
        "370832001001002001",
    }


def test_autocomplete_offers_only_areas_in_scope(world, client_as, staff_secretary):
    response = client_as(staff_secretary).get(
        reverse("admin:autocomplete"),
        {"app_label": "places", "model_name": "household", "field_name": "building", "term": "号楼"},
    )
    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {"1号楼", "5号楼"}


def _all_export_fields() -> dict:
    from muling.people.resources import PERSON_COLUMNS

    return {f"personresource_{name}": "on" for name in PERSON_COLUMNS}


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("places_area", lambda w: w.area("far_building").pk),
        ("places_household", lambda w: w.households["far"].pk),
        ("people_person", lambda w: Person.objects.get(name="孙丽").pk),
        ("people_post", lambda w: Post.objects.get(person__name="卫书记").pk),
    ],
)
def test_an_object_outside_scope_is_not_found(world, client_as, staff_secretary, model, key):
    response = client_as(staff_secretary).get(reverse(f"admin:{model}_change", args=[key(world)]))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")


def test_an_object_inside_scope_opens(world, client_as, staff_secretary):
    client = client_as(staff_secretary)
    assert (
        client.get(reverse("admin:places_household_change", args=[world.households["home"].pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:places_area_change", args=[world.area("grid").pk])).status_code == 200


def test_staff_cannot_grant_themselves_admin_rights(world, client_as, staff_secretary):
    from django.contrib.auth.models import Permission

    staff_secretary.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client = client_as(staff_secretary)
    response = client.get(reverse("admin:people_user_change", args=[staff_secretary.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    # Superusers are not even listed.
    assert "admin" not in {
        u.username for u in client.get(reverse("admin:people_user_changelist")).context["cl"].result_list
    }


# ---- areas: code and level refused at the field -----------------------------------------------------


def area_form(parent, **fields) -> dict:
    data = {
        "treebeard_ref_node": parent.pk if parent else "",
        "treebeard_position": "sorted-child",
        "code": "",
        "name": "新网格",
        "level": Level.GRID,
        "address": "",
        "households_planned": "",
        "polygon": "",
        "centroid_lat": "",
        "centroid_lon": "",
    }
    data.update(fields)
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, "expected the form again, with errors"
    return response.context["adminform"].form.errors


def test_a_new_area_is_created_under_the_chosen_parent(world, as_admin):
    response = as_admin.post(
        reverse("admin:places_area_add"), area_form(world.area("community"), code="370832001001003")
    )
    assert response.status_code == 302
    grid = Area.objects.get(code="370832001001003")
    assert Area.objects.get_parent(grid) == world.area("community")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "37083200100100X"}, "code", "网格的编码应为 15 位数字"),
        ({"code": "370832001002003"}, "code", "编码应以上级编码 370832001001 开头"),
        ({"code": "370832001001001"}, "code", ""),  # already taken
        ({"code": "370832001001003001", "level": Level.BUILDING}, "level", "楼栋不能直接设在社区之下"),
    ],
)
def test_a_wrong_code_or_level_is_refused_at_the_field(world, as_admin, fields, field, message):
    before = Area.objects.count()
    response = as_admin.post(reverse("admin:places_area_add"), area_form(world.area("community"), **fields))
    errors = form_errors(response)
    assert field in errors and message in " ".join(errors[field])
    assert Area.objects.count() == before


def test_only_a_city_may_be_created_without_a_parent(world, as_admin):
    errors = form_errors(as_admin.post(reverse("admin:places_area_add"), area_form(None, code="370900")))
    assert "只有市级区域可以没有上级" in " ".join(errors["level"])


def test_an_area_cannot_be_moved_to_another_parent(world, as_admin):
    grid = world.area("grid")
    data = area_form(world.area("other_community"), code=grid.code, name=grid.name)
    errors = form_errors(as_admin.post(reverse("admin:places_area_change", args=[grid.pk]), data))
    assert "不能改换上级" in " ".join(errors["treebeard_ref_node"])
    assert Area.objects.get_parent(world.area("grid")) == world.area("community")


def test_renaming_an_area_keeps_it_in_place(world, as_admin):
    grid = world.area("grid")
    data = area_form(world.area("community"), code=grid.code, name="幸福街一网格")
    assert as_admin.post(reverse("admin:places_area_change", args=[grid.pk]), data).status_code == 302
    assert world.area("grid").name == "幸福街一网格"
    assert Area.objects.get_parent(world.area("grid")) == world.area("community")


def test_staff_create_areas_only_under_their_own(world, client_as, staff_secretary):
    client = client_as(staff_secretary)
    ok = client.post(
        reverse("admin:places_area_add"), area_form(world.area("community"), code="370832001001003")
    )
    assert ok.status_code == 302
    errors = form_errors(
        client.post(
            reverse("admin:places_area_add"), area_form(world.area("other_community"), code="370832001002003")
        )
    )
    assert "treebeard_ref_node" in errors
    assert not Area.objects.filter(code="370832001002003").exists()


def test_dragging_an_area_is_refused(world, as_admin):
    response = as_admin.post(
        f"{reverse('admin:places_area_changelist')}move/",
        {"node": world.area("grid").pk, "target": world.area("other_community").pk, "relation": "child"},
    )
    assert response.status_code == 400
    assert Area.objects.get_parent(world.area("grid")) == world.area("community")


# ---- households -------------------------------------------------------------------------------------


def test_a_household_goes_into_a_building_only(world, as_admin):
    url = reverse("admin:places_household_add")
    data = {"unit": "2", "room": "201", "note": ""}
    errors = form_errors(as_admin.post(url, {**data, "building": world.area("grid").pk}))
    assert "building" in errors
    assert as_admin.post(url, {**data, "building": world.area("building").pk}).status_code == 302
    assert Household.objects.filter(building=world.area("building"), unit="2", room="201").exists()


# ---- persons: the ID number is validated, stored protected and shown masked ------------------------


def person_form(**fields) -> dict:
    data = {
        "name": "张三",
        "gender": "M",
        "birth_date": "",
        "phone": "13800000101",
        "id_number": "",
        "household": "",
        "new_employment": "",
        "reports_to_community": "",
    }
    data.update(fields)
    return data


BAD_CHECK_ID = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")


@pytest.mark.parametrize(
    ("id_number", "message"),
    [(BAD_CHECK_ID, "身份证号校验位不正确"), ("12345", "身份证号应为 18 位")],
)
def test_a_bad_id_number_is_refused_at_the_field(world, as_admin, id_number, message):
    errors = form_errors(as_admin.post(reverse("admin:people_person_add"), person_form(id_number=id_number)))
    assert message in " ".join(errors["id_number"])
    assert not Person.objects.filter(name="张三").exists()


def test_an_id_number_is_stored_encrypted_and_only_ever_shown_masked(world, as_admin):
    home = world.households["home"]
    response = as_admin.post(
        reverse("admin:people_person_add"),
        person_form(id_number=GOOD_ID.lower(), household=home.pk, is_elderly="on"),
    )
    assert response.status_code == 302
    person = Person.objects.get(name="张三")
    assert person.id_number_full() == GOOD_ID and person.is_elderly and person.household == home
    assert GOOD_ID not in person.id_number_encrypted

    page = as_admin.get(reverse("admin:people_person_change", args=[person.pk])).content.decode()
    assert GOOD_ID not in page and person.id_number_encrypted not in page
    assert person.id_number_masked in page
    listing = as_admin.get(reverse("admin:people_person_changelist")).content.decode()
    assert GOOD_ID not in listing and person.id_number_masked in listing

    # Searching by the full number finds the person through the keyed hash.
    found = as_admin.get(reverse("admin:people_person_changelist"), {"q": GOOD_ID})
    assert names_in_changelist(found) == {"张三"}

    # Saving without a number keeps the one registered; a second person cannot register it again.
    assert (
        as_admin.post(
            reverse("admin:people_person_change", args=[person.pk]),
            person_form(name="张三丰", household=home.pk),
        ).status_code
        == 302
    )
    assert Person.objects.get(pk=person.pk).id_number_full() == GOOD_ID
    errors = form_errors(
        as_admin.post(reverse("admin:people_person_add"), person_form(name="李四", id_number=GOOD_ID))
    )
    assert "该身份证号已登记" in " ".join(errors["id_number"])


def test_a_bad_phone_is_refused_at_the_field(world, as_admin):
    errors = form_errors(as_admin.post(reverse("admin:people_person_add"), person_form(phone="12345")))
    assert "手机号格式不正确" in " ".join(errors["phone"])


# ---- posts: post_problem refuses at the field -------------------------------------------------------


def post_form(person, role, area, **fields) -> dict:
    data = {
        "person": person.pk,
        "role": role,
        "area": area.pk,
        "department": "",
        "start_date": "2025-01-01",
        "end_date": "",
        "title": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def newcomer(world):
    """A resident of 幸福街社区 about to become staff: the secretary can see and appoint them."""
    return people.person_create(name="新网格员", phone="13900000099", household=world.households["neighbour"])


def test_a_good_post_is_created(world, as_admin, newcomer):
    response = as_admin.post(
        reverse("admin:people_post_add"), post_form(newcomer, Role.GRID_WORKER, world.area("grid"))
    )
    assert response.status_code == 302
    assert Post.objects.filter(person=newcomer, role=Role.GRID_WORKER, area=world.area("grid")).exists()


def test_a_post_over_the_wrong_level_is_refused_at_the_area(world, as_admin, newcomer):
    errors = form_errors(
        as_admin.post(
            reverse("admin:people_post_add"), post_form(newcomer, Role.GRID_WORKER, world.area("community"))
        )
    )
    assert "专职网格员只能设在：网格" in " ".join(errors["area"])


def test_a_department_post_without_a_department_is_refused_at_the_department(world, as_admin, newcomer):
    errors = form_errors(
        as_admin.post(
            reverse("admin:people_post_add"), post_form(newcomer, Role.DEPARTMENT_STAFF, world.area("county"))
        )
    )
    assert "须注明所属部门或单位" in " ".join(errors["department"])


def test_an_overlapping_duplicate_post_is_refused_at_the_start_date(world, as_admin):
    existing = Post.objects.get(person__name="郑网格", role=Role.GRID_WORKER)
    data = post_form(
        existing.person, Role.GRID_WORKER, existing.area, start_date=existing.start_date.isoformat()
    )
    errors = form_errors(as_admin.post(reverse("admin:people_post_add"), data))
    assert "任期重叠" in " ".join(errors["start_date"])
    assert Post.objects.filter(person=existing.person, role=Role.GRID_WORKER).count() == 1


def test_editing_a_post_does_not_collide_with_itself(world, as_admin):
    existing = Post.objects.get(person__name="郑网格", role=Role.GRID_WORKER)
    data = post_form(
        existing.person,
        Role.GRID_WORKER,
        existing.area,
        start_date=existing.start_date.isoformat(),
        title="组长",
    )
    assert as_admin.post(reverse("admin:people_post_change", args=[existing.pk]), data).status_code == 302
    assert Post.objects.get(pk=existing.pk).title == "组长"


def test_staff_post_people_only_over_their_own_areas(world, client_as, staff_secretary, newcomer):
    client = client_as(staff_secretary)
    ok = client.post(
        reverse("admin:people_post_add"), post_form(newcomer, Role.GRID_WORKER, world.area("other_grid"))
    )
    assert ok.status_code == 302
    errors = form_errors(
        client.post(
            reverse("admin:people_post_add"), post_form(newcomer, Role.GRID_WORKER, world.area("far_grid"))
        )
    )
    assert "area" in errors
    assert not Post.objects.filter(person=newcomer, area=world.area("far_grid")).exists()


def test_staff_may_name_a_department_serving_their_area_from_above(
    world, client_as, staff_secretary, newcomer
):
    data = post_form(
        newcomer, Role.PROFESSIONAL_GRID_WORKER, world.area("grid"), department=world.departments["water"].pk
    )
    assert client_as(staff_secretary).post(reverse("admin:people_post_add"), data).status_code == 302
    assert Post.objects.get(person=newcomer).department == world.departments["water"]


def test_ending_posts_from_the_list(world, as_admin, newcomer):
    post = people.post_create(person=newcomer, role=Role.GRID_WORKER, area=world.area("grid"))
    response = as_admin.post(
        reverse("admin:people_post_changelist"), {"action": "end_today", "_selected_action": [post.pk]}
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).end_date is not None


def test_seeing_an_area_through_one_post_does_not_allow_writing_into_it(world, client_as, staff_secretary):
    # 褚书记 also advises 杏花村社区 as its lawyer: she sees it, but manages nothing there.
    people.post_create(person=staff_secretary.person, role=Role.LAWYER, area=world.area("other_community"))
    client = client_as(staff_secretary)
    household = {"building": world.area("far_building").pk, "unit": "1", "room": "808", "note": ""}
    assert "building" in form_errors(client.post(reverse("admin:places_household_add"), household))
    newcomer = Person.objects.get(name="赵敏")
    post = post_form(newcomer, Role.GRID_WORKER, world.area("far_grid"))
    assert "area" in form_errors(client.post(reverse("admin:people_post_add"), post))
    assert not Household.objects.filter(room="808").exists()
    assert not Post.objects.filter(person=newcomer).exists()


def test_staff_cannot_appoint_someone_they_cannot_see(world, client_as, staff_secretary):
    stranger = Person.objects.get(name="孙丽")  # lives in 杏花村社区
    errors = form_errors(
        client_as(staff_secretary).post(
            reverse("admin:people_post_add"), post_form(stranger, Role.GRID_WORKER, world.area("grid"))
        )
    )
    assert "person" in errors


# ---- import through the admin: a bad row imports nothing ------------------------------------------


def test_an_admin_import_with_a_bad_row_imports_nothing(world, as_admin):
    book = openpyxl.Workbook()
    for row in (
        ("code", "name", "level", "parent_code"),
        ("370832001001003", "幸福街第三网格", "网格", "370832001001"),
        ("37083200100100X", "坏编码", "网格", "370832001001"),
    ):
        book.active.append(row)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "areas.xlsx"
    before = Area.objects.count()
    response = as_admin.post(
        reverse("admin:places_area_import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "网格的编码应为 15 位数字" in response.content.decode()
    assert "confirm_form" not in response.context
    assert Area.objects.count() == before


# ---- personal data in the back office: masked by default, full for the entitled, exports logged -------


PERSON_EXPORT = reverse("admin:people_person_export")
POST_EXPORT = reverse("admin:people_post_export")


@pytest.fixture
def privacy_officer(world):
    """褚书记 (community secretary, back-office access) also named privacy officer (个人信息保护负责人):
    the permission shows full values, it does not widen the rows their post lets them see."""
    from django.contrib.auth.models import Permission

    user = world.users["community_secretary"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        Permission.objects.get(codename="privacy_officer", content_type__app_label="privacy")
    )
    return type(user).objects.get(pk=user.pk)  # a fresh instance: no cached permissions


def person_export(client, url=PERSON_EXPORT, **fields):
    from muling.people.resources import POST_COLUMNS

    columns = (
        {f"postresource_{c}": "on" for c in POST_COLUMNS} if url == POST_EXPORT else _all_export_fields()
    )
    return client.post(url, {"format": "1", "resource": "0", **columns, **fields})


def test_staff_see_phones_masked_in_the_person_list_and_form(world, client_as, staff_secretary):
    resident = world.users["resident"].person
    client = client_as(staff_secretary)
    listing = client.get(reverse("admin:people_person_changelist")).content.decode()
    assert "138****0001" in listing and "13800000001" not in listing
    form = client.get(reverse("admin:people_person_change", args=[resident.pk])).content.decode()
    assert "138****0001" in form and "13800000001" not in form


def test_staff_saving_the_form_without_a_phone_keeps_it_and_a_new_one_replaces_it(
    world, client_as, staff_secretary
):
    resident = world.users["resident"].person
    url = reverse("admin:people_person_change", args=[resident.pk])
    data = person_form(name="王秀兰", gender="F", household=world.households["home"].pk, phone="")
    assert client_as(staff_secretary).post(url, data).status_code == 302
    assert Person.objects.get(pk=resident.pk).phone == "13800000001"
    data["phone"] = "13800000111"
    assert client_as(staff_secretary).post(url, data).status_code == 302
    assert Person.objects.get(pk=resident.pk).phone == "13800000111"


@pytest.mark.parametrize("who", ["admin", "privacy_officer"])
def test_the_superuser_and_the_privacy_officer_see_full_phones(world, client_as, privacy_officer, who):
    user = privacy_officer if who == "privacy_officer" else world.users["admin"]
    resident = world.users["resident"].person
    client = client_as(user)
    assert "13800000001" in client.get(reverse("admin:people_person_changelist")).content.decode()
    assert (
        "13800000001"
        in client.get(reverse("admin:people_person_change", args=[resident.pk])).content.decode()
    )


def test_a_staff_export_is_masked_and_logged_with_count_filter_and_reason(world, client_as, staff_secretary):
    from muling.privacy.models import AdminExport, PersonalDataAccess

    response = person_export(
        client_as(staff_secretary), PERSON_EXPORT + "?is_elderly__exact=1", reason="other", note="敬老走访"
    )
    text = response.content.decode("utf-8-sig")
    assert "王秀兰" in text and "138****0001" in text and "13800000001" not in text
    assert "李建国" not in text  # the filter applied
    export = AdminExport.objects.get()
    assert (export.actor, export.model, export.rows, export.persons, export.full) == (
        staff_secretary,
        "people.person",
        1,
        1,
        False,
    )
    assert export.filters == "is_elderly__exact=1"
    assert (export.reason, export.note, export.actor_name) == ("other", "敬老走访", "褚书记")
    # A masked roster is one summary row, not a row on each resident's page.
    assert not PersonalDataAccess.objects.exists()


def test_an_export_without_a_reason_exports_and_logs_nothing(world, client_as, staff_secretary):
    from muling.privacy.models import AdminExport

    response = person_export(client_as(staff_secretary))
    assert response.status_code == 200 and "attachment" not in response.get("Content-Disposition", "")
    assert "请选择导出事由" in response.content.decode()
    assert not AdminExport.objects.exists()


def test_the_full_export_is_not_offered_to_staff_and_a_forged_tick_is_refused(
    world, client_as, staff_secretary
):
    from muling.privacy.models import AdminExport

    client = client_as(staff_secretary)
    assert 'name="full"' not in client.get(PERSON_EXPORT).content.decode()
    response = person_export(client, reason="business", full="on")
    assert response.status_code == 403 and "13800000001" not in response.content.decode()
    assert not AdminExport.objects.exists()


@pytest.mark.parametrize("who", ["admin", "privacy_officer"])
def test_a_full_export_by_the_entitled_is_logged_on_each_residents_page(
    world, client_as, privacy_officer, who
):
    from muling.privacy.models import AdminExport, DataField, PersonalDataAccess

    resident = world.users["resident"].person
    resident.set_id_number(GOOD_ID)
    resident.save(update_fields=["id_number_encrypted", "id_number_hash"])
    user = privacy_officer if who == "privacy_officer" else world.users["admin"]
    client = client_as(user)
    assert 'name="full"' in client.get(PERSON_EXPORT).content.decode()
    text = person_export(client, reason="request", full="on").content.decode("utf-8-sig")
    assert "13800000001" in text and GOOD_ID in text
    export = AdminExport.objects.get()
    expected = Person.objects.count() if who == "admin" else scope.visible_persons(user).count()
    assert export.full and export.persons == expected == export.rows
    assert PersonalDataAccess.objects.filter(field=DataField.FULL_EXPORT).count() == export.persons
    page = client_as(world.users["resident"]).get(reverse("privacy:mine")).content.decode()
    assert "名册导出（完整号码）" in page and "本人申请" in page


def test_a_post_export_is_masked_and_logged_by_person(world, client_as, staff_secretary):
    from muling.privacy.models import AdminExport

    text = person_export(client_as(staff_secretary), POST_EXPORT, reason="business").content.decode(
        "utf-8-sig"
    )
    assert "郑网格" in text and "139****0003" in text and "13900000003" not in text
    export = AdminExport.objects.get()
    assert export.model == "people.post" and export.persons == len(
        set(Post.objects.filter(pk__in=export_post_ids(staff_secretary)).values_list("person_id", flat=True))
    )


def export_post_ids(user) -> list[int]:
    return list(scope.visible_posts(user).values_list("pk", flat=True))
