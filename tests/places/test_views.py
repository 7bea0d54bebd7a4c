"""Area browser, map data and service cards: in scope 200, out of scope 404, not staff 403."""

import pytest
from django.test import override_settings
from django.urls import reverse


def area_url(world, key, name="places:area"):
    return reverse(name, kwargs={"code": world.areas[key].code})


@pytest.mark.parametrize(
    ("user_key", "inside", "outside"),
    [
        ("grid_worker", "grid", "other_grid"),
        ("grid_worker", "building", "other_building"),
        ("building_head", "building", "grid"),
        ("grid_chief", "grid", "community"),
        ("community_secretary", "community", "other_community"),
        ("community_secretary", "other_grid", "far_grid"),
        ("street_secretary", "far_grid", "other_street"),
        ("department_staff", "community", "other_county"),
        ("professional_grid_worker", "other_grid", "far_grid"),
        ("property_staff", "community", "other_community"),
    ],
)
def test_area_page_in_scope_is_shown_and_out_of_scope_does_not_exist(
    client_as, world, user_key, inside, outside
):
    client = client_as(world.users[user_key])
    assert client.get(area_url(world, inside)).status_code == 200
    assert client.get(area_url(world, outside)).status_code == 404


def test_unknown_area_code_is_404(client_as, world):
    assert client_as(world.users["admin"]).get("/places/370832999999/").status_code == 404


@pytest.mark.parametrize("user_key", ["resident", "nobody"])
def test_people_without_staff_posts_may_not_browse_areas(client_as, world, user_key):
    client = client_as(world.users[user_key])
    assert client.get(reverse("places:tree")).status_code == 403
    assert client.get(area_url(world, "grid")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(area_url(world, "grid"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_tree_starts_at_the_users_scope(client_as, world):
    html = client_as(world.users["community_secretary"]).get(reverse("places:tree")).content.decode()
    assert "幸福街社区" in html
    assert "杏花村社区" not in html
    assert area_url(world, "community", "places:children") in html  # expands through htmx


def test_tree_children_partial_lists_only_children_in_scope(client_as, world):
    client = client_as(world.users["street_secretary"])
    html = client.get(area_url(world, "street", "places:children")).content.decode()
    assert "幸福街社区" in html and "杏花村社区" in html
    assert "<html" not in html  # a fragment for htmx
    other = client_as(world.users["grid_worker"]).get(area_url(world, "street", "places:children"))
    assert other.status_code == 404


def test_community_page_shows_children_counts_staff_and_a_map(client_as, world):
    html = client_as(world.users["community_secretary"]).get(area_url(world, "community")).content.decode()
    assert "幸福街第一网格" in html and "幸福街第二网格" in html
    assert "褚书记" in html and "郑网格" in html
    assert 'id="grid-map"' in html
    assert area_url(world, "community", "places:grids_geojson") in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "杏花村" not in html.split("</ol>", 1)[1]  # nothing of the sister community below the breadcrumb


def test_breadcrumb_links_only_areas_in_scope(client_as, world):
    html = client_as(world.users["grid_worker"]).get(area_url(world, "grid")).content.decode()
    assert "幸福街社区" in html  # the name of where they work …
    assert area_url(world, "community") not in html  # … but not a link that would 404


def test_grid_page_lists_buildings_with_links_to_households(client_as, world):
    client = client_as(world.users["grid_worker"])
    html = client.get(area_url(world, "grid")).content.decode()
    assert area_url(world, "building") in html
    assert "5号楼" not in html
    building_html = client.get(area_url(world, "building")).content.decode()
    household_url = reverse("places:household", kwargs={"pk": world.households["home"].pk})
    assert household_url in building_html
    household_html = client.get(household_url).content.decode()
    assert "王秀兰" in household_html and "李建国" in household_html
    assert "138****0001" in household_html


def test_departments_see_the_organisation_but_not_households(client_as, world):
    client = client_as(world.users["department_staff"])
    html = client.get(area_url(world, "building")).content.decode()
    assert reverse("places:household", kwargs={"pk": world.households["home"].pk}) not in html
    assert "王秀兰" not in html
    household = reverse("places:household", kwargs={"pk": world.households["home"].pk})
    assert client.get(household).status_code == 404


def test_household_page_for_residents_only_their_own(client_as, world):
    client = client_as(world.users["resident"])
    own = reverse("places:household", kwargs={"pk": world.households["home"].pk})
    neighbour = reverse("places:household", kwargs={"pk": world.households["neighbour"].pk})
    assert client.get(own).status_code == 200
    assert client.get(neighbour).status_code == 404


def test_other_grid_worker_cannot_open_a_household_of_my_grid(client_as, world):
    household = reverse("places:household", kwargs={"pk": world.households["home"].pk})
    assert client_as(world.users["other_grid_worker"]).get(household).status_code == 404


# ---- map data --------------------------------------------------------------------------------------------


def grid_names(response) -> set[str]:
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["name"] for f in data["features"]}


def test_geojson_has_the_grids_in_scope(client_as, world):
    response = client_as(world.users["street_secretary"]).get(
        area_url(world, "street", "places:grids_geojson")
    )
    assert grid_names(response) == {"幸福街第一网格", "幸福街第二网格", "杏花村第一网格"}
    feature = response.json()["features"][0]
    assert feature["geometry"]["type"] == "Polygon"


def test_geojson_of_a_community_is_limited_to_the_users_grids(client_as, world):
    client = client_as(world.users["community_secretary"])
    assert grid_names(client.get(area_url(world, "community", "places:grids_geojson"))) == {
        "幸福街第一网格",
        "幸福街第二网格",
    }
    client = client_as(world.users["grid_worker"])
    assert grid_names(client.get(area_url(world, "grid", "places:grids_geojson"))) == {"幸福街第一网格"}
    assert client.get(area_url(world, "community", "places:grids_geojson")).status_code == 404


@override_settings(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
def test_tiles_only_when_configured(client_as, world):
    html = client_as(world.users["grid_worker"]).get(area_url(world, "grid")).content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html


def test_no_tile_url_by_default(client_as, world, settings):
    settings.MAP_TILE_URL = ""
    html = client_as(world.users["grid_worker"]).get(area_url(world, "grid")).content.decode()
    assert 'data-tile-url=""' in html


# ---- service contact card (M20) -------------------------------------------------------------------------


def test_service_card_has_contacts_full_phones_and_a_qr_code(client_as, world, settings):
    settings.PUBLIC_BASE_URL = "https://muling.example.cn"
    html = (
        client_as(world.users["grid_worker"]).get(area_url(world, "building", "places:card")).content.decode()
    )
    assert "网格连心服务卡" in html
    assert "幸福街第一网格" in html
    for name, phone in [("郑网格", "13900000003"), ("周楼长", "13900000001"), ("陈网格长", "13900000005")]:
        assert name in html and phone in html
    assert '<svg viewBox="' in html and 'class="qr"' in html
    assert f"https://muling.example.cn/b/{world.areas['building'].code}/" in html
    assert "冯网格" not in html  # the other grid's worker is not on this card


def test_qr_code_encodes_the_public_building_url(client_as, world, settings):
    import segno

    settings.PUBLIC_BASE_URL = "https://muling.example.cn"
    html = (
        client_as(world.users["grid_worker"]).get(area_url(world, "building", "places:card")).content.decode()
    )
    expected = segno.make(f"https://muling.example.cn/b/{world.areas['building'].code}/", error="m")
    path = expected.svg_inline(scale=4, border=2, omitsize=True).split(' d="', 1)[1].split('"', 1)[0]
    assert path in html


def test_print_styles_are_linked_for_the_card(client_as, world):
    client = client_as(world.users["grid_worker"])
    html = client.get(area_url(world, "building", "places:card")).content.decode()
    assert "css/muling.css" in html


@pytest.mark.parametrize(
    ("user_key", "status"),
    [
        ("grid_worker", 200),
        ("building_head", 200),
        ("community_secretary", 200),
        ("other_grid_worker", 404),
        ("far_resident", 403),
        ("resident", 403),
    ],
)
def test_who_may_print_the_card(client_as, world, user_key, status):
    response = client_as(world.users[user_key]).get(area_url(world, "building", "places:card"))
    assert response.status_code == status


def test_card_is_for_buildings_only(client_as, world):
    assert (
        client_as(world.users["grid_worker"]).get(area_url(world, "grid", "places:card")).status_code == 404
    )


def test_all_cards_of_a_grid(client_as, world):
    from muling.places import services

    services.area_create(parent=world.area("grid"), code="370832001001001002", name="2号楼")
    client = client_as(world.users["grid_worker"])
    html = client.get(area_url(world, "grid", "places:cards")).content.decode()
    assert html.count('class="service-card"') == 2
    assert "1号楼" in html and "2号楼" in html
    assert html.count('class="qr"') == 2
    assert client.get(area_url(world, "other_grid", "places:cards")).status_code == 404
    # A building head covers one building, not the grid's whole stack of cards.
    assert (
        client_as(world.users["building_head"]).get(area_url(world, "grid", "places:cards")).status_code
        == 404
    )


# ---- the public page behind the QR code ----------------------------------------------------------------------


def test_building_entry_is_public_and_lists_contacts_with_tel_links(client, world):
    response = client.get(area_url(world, "building", "building_entry"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1号楼" in html and "幸福街第一网格" in html
    assert "有事请联系网格员" in html
    for phone in ["13900000003", "13900000001", "13900000005"]:
        assert f'href="tel:{phone}"' in html
    assert "王秀兰" not in html  # contacts only, never residents


@pytest.mark.parametrize("code", ["370832001001001999", "370832001001001", "123"])
def test_building_entry_unknown_or_not_a_building_is_404(client, world, code):
    assert client.get(f"/b/{code}/").status_code == 404


def test_superuser_sees_every_household(client_as, world):
    client = client_as(world.users["admin"])
    assert (
        client.get(reverse("places:household", kwargs={"pk": world.households["far"].pk})).status_code == 200
    )
    html = client.get(area_url(world, "far_building")).content.decode()
    assert reverse("places:household", kwargs={"pk": world.households["far"].pk}) in html
