"""Hot problems (热点难点) and proactive themes (每月一题)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from muling.cases import services
from muling.stats import hotspots, themes
from muling.stats.errors import StatsError, StatsForbidden, StatsNotFound
from muling.stats.models import ProactiveTheme

HEATING = ["1号楼暖气不热", "暖气不热，家里太冷", "1号楼暖气一点都不热", "暖气不热老人受不了"]


def submit(world, categories, text, *, user="resident", category="heating", days_ago=0):
    reporter = world.users[user]
    case = services.case_submit(
        category=categories[category],
        text=text,
        channel="web",
        reporter=reporter,
        household=reporter.person.household,
    )
    if days_ago:
        from muling.cases.models import Case

        Case.objects.filter(pk=case.pk).update(created_at=case.created_at - timedelta(days=days_ago))
    return case


@pytest.fixture
def heating_cluster(world, categories):
    cases = [
        submit(world, categories, t, user=u)
        for t, u in zip(HEATING, ["resident", "housemate", "neighbour", "resident"], strict=True)
    ]
    submit(world, categories, "楼道灯坏了", category="sanitation")  # alone: no cluster
    submit(world, categories, "暖气不热", days_ago=9)  # the week before
    return cases


def test_similar_cases_in_one_building_form_a_hot_problem(world, heating_cluster):
    spots = hotspots.hotspots(user=world.users["community_secretary"], area=world.area("community"))
    assert len(spots) == 1
    spot = spots[0]
    assert spot.count == 4 and spot.place == world.area("building") and spot.category.code == "heating"
    assert spot.previous_count == 1 and spot.trend == 3
    assert {c.pk for c in spot.cases} == {c.pk for c in heating_cluster}


def test_hot_problems_are_scoped(world, heating_cluster):
    assert hotspots.hotspots(user=world.users["other_grid_worker"], area=world.area("other_grid")) == []
    assert len(hotspots.hotspots(user=world.users["grid_worker"], area=world.area("grid"))) == 1


def test_different_texts_do_not_cluster(world, categories):
    for text in ["暖气不热", "燃气表坏了", "楼上漏水到我家"]:
        submit(world, categories, text)
    assert (
        hotspots.hotspots(user=world.users["community_secretary"], area=world.area("community"), min_cases=2)
        == []
    )


def test_a_secretary_turns_a_cluster_into_a_theme_and_closes_it(world, heating_cluster):
    secretary = world.users["community_secretary"]
    deadline = timezone.localdate() + timedelta(days=30)
    kwargs = dict(
        title="1号楼供暖集中整治",
        area=world.area("community"),
        owner=secretary.person,
        deadline=deadline,
        case_ids=[c.pk for c in heating_cluster],
    )
    with pytest.raises(StatsForbidden):
        themes.theme_create(actor=world.users["grid_worker"], **kwargs)
    with pytest.raises(StatsError) as exc:
        themes.theme_create(
            actor=secretary, **{**kwargs, "deadline": timezone.localdate() - timedelta(days=1)}
        )
    assert exc.value.code == "bad_deadline"
    assert not ProactiveTheme.objects.exists()
    theme = themes.theme_create(actor=secretary, **kwargs)
    assert theme.cases.count() == 4
    with pytest.raises(StatsNotFound):
        themes.theme_close(actor=world.users["other_grid_worker"], theme_id=theme.pk, result="好了")
    with pytest.raises(StatsError):
        themes.theme_close(actor=secretary, theme_id=theme.pk, result=" ")
    theme = themes.theme_close(actor=secretary, theme_id=theme.pk, result="更换了 1 号楼供暖管道阀门")
    assert theme.state == ProactiveTheme.State.DONE


def test_cases_outside_the_area_cannot_be_linked(world, categories, heating_cluster):
    far = submit(world, categories, "暖气不热", user="far_resident")
    with pytest.raises(StatsError) as exc:
        themes.theme_create(
            actor=world.users["community_secretary"],
            title="t",
            area=world.area("community"),
            owner=world.users["community_secretary"].person,
            deadline=timezone.localdate() + timedelta(days=3),
            case_ids=[heating_cluster[0].pk, far.pk],
        )
    assert exc.value.code == "bad_cases"


@pytest.mark.parametrize(
    ("user", "status"), [("community_secretary", 200), ("grid_worker", 200), ("resident", 403)]
)
def test_hot_page_by_role(world, heating_cluster, client_as, user, status):
    client = client_as(world.users[user])
    response = client.get("/stats/hot/", {"area": world.area("grid").code})
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert heating_cluster[0].number in page
        assert ("设为每月一题" in page) == (user == "community_secretary")


def test_bad_parameters_are_refused_with_a_message(world, heating_cluster, client_as):
    client = client_as(world.users["community_secretary"])
    assert client.get("/stats/hot/", {"days": "abc"}).status_code == 400
    assert client.get("/stats/hot/", {"days": "1000"}).status_code == 400
    assert client.get("/stats/hot/", {"area": world.area("far_grid").code}).status_code == 403


def test_theme_created_through_the_page(world, heating_cluster, client_as):
    client = client_as(world.users["community_secretary"])
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        "/stats/themes/new/",
        {
            "area": world.area("community").code,
            "title": "供暖整治",
            "deadline": deadline,
            "category": "heating",
            "cases": [c.pk for c in heating_cluster],
        },
    )
    assert response.status_code == 302
    theme = ProactiveTheme.objects.get()
    page = client.get(f"/stats/themes/{theme.pk}/").content.decode()
    assert "供暖整治" in page and heating_cluster[0].number in page
    bad = client.post(
        "/stats/themes/new/",
        {
            "area": world.area("community").code,
            "title": "x",
            "deadline": "not-a-date",
            "cases": [heating_cluster[0].pk],
        },
    )
    assert bad.status_code == 400 and ProactiveTheme.objects.count() == 1
    assert client_as(world.users["far_resident"]).get(f"/stats/themes/{theme.pk}/").status_code == 404


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_hot_problems_and_themes_through_the_api(world, heating_cluster):
    client = _client(world.users["community_secretary"])
    spots = client.get("/api/v1/stats/hot", {"area": world.area("community").code}).json()
    assert spots[0]["count"] == 4 and spots[0]["trend"] == 3
    assert client.get("/api/v1/stats/hot", {"days": 0}).status_code == 400
    assert _client(world.users["far_resident"]).get("/api/v1/stats/hot").status_code == 403
    body = {
        "title": "供暖整治",
        "area": world.area("community").code,
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "case_ids": spots[0]["case_ids"],
    }
    created = client.post("/api/v1/stats/themes", body, content_type="application/json")
    assert created.status_code == 201, created.content
    theme_id = created.json()["id"]
    refused = _client(world.users["grid_worker"]).post(
        "/api/v1/stats/themes", body, content_type="application/json"
    )
    assert refused.status_code == 403
    closed = client.post(
        f"/api/v1/stats/themes/{theme_id}/close", {"result": "已修复"}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["state"] == "done"


def test_report_card_lists_the_periods_hot_problems(world, heating_cluster, client_as):
    client = client_as(world.users["street_secretary"])
    period = timezone.localdate().strftime("%Y-%m")
    page = client.get(f"/stats/report/{world.area('street').code}/", {"period": period}).content.decode()
    assert 'id="report-clusters"' in page
    assert "1号楼" in page.split('id="report-clusters"')[1].split("</section>")[0]
