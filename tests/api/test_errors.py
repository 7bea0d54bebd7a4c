"""However malformed the input, the answer is a 4xx JSON {"code", "message", "fields"} — never a 5xx."""

import pytest


def assert_error(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.content[:300])
    body = r.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "raw",
    ["{bad json", "[1, 2", '"just a string"', "[]", "null", "\xff\xfe", "{" * 5000, '{"text": "\\ud800"}'],
)
def test_malformed_json_is_a_400(world, categories, api_as, raw):
    r = api_as("resident").post("/cases", raw=raw.encode("utf-8", "surrogatepass"))
    assert 400 <= r.status_code < 500
    assert_error(r, r.status_code)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": 5, "text": "x", "area_code": "370832001001001"}, "category"),
        ({"category": "other", "text": ["x"], "area_code": "370832001001001"}, "text"),
        ({"category": "other", "text": "x", "lat": "north"}, "lat"),
        ({"category": "other", "text": "x", "lat": 1e309, "lon": 1}, "lat"),
        ({"category": "other", "text": "x", "household_id": 10**30}, "household_id"),
        ({"category": "other", "text": "x", "household_id": -1}, "household_id"),
        ({"category": "other", "text": "x", "hide_name": "perhaps"}, "hide_name"),
        ({"category": "other", "text": "x", "answers": [1, 2]}, "answers"),
        ({"category": "other", "text": "x", "channel": "telepathy"}, "channel"),
        ({"text": "x"}, "category"),
    ],
)
def test_wrong_types_name_the_field(world, categories, api_as, body, field):
    body = assert_error(api_as("resident").post("/cases", body), 400, "invalid_input")
    assert field in body["fields"]


def test_unknown_category_is_a_clear_400(world, categories, api_as):
    body = assert_error(
        api_as("resident").post("/cases", {"category": "ufo", "text": "x", "area_code": "370832001001001"}),
        400,
        "unknown_category",
    )
    assert "category" in body["fields"]


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("rate", {"satisfaction": "ecstatic"}),
        ("rate", {"satisfaction": "satisfied", "if_unsatisfied": "sue"}),
        ("escalate", {"reason": "overdue"}),  # the sweep's reason skips the rule: not reachable here
        ("request-extension", {"days": 10**20, "reason": "x"}),
        ("request-extension", {"days": "three", "reason": "x"}),
        ("merge", {"into_id": 2**70}),
        ("summon", {"department_ids": []}),
        ("dispatch", {"person_id": "abc"}),
    ],
)
def test_unknown_enum_values_and_huge_numbers_in_actions(world, report, api_as, action, body):
    case = report()
    assert_error(api_as("community_secretary").post(f"/cases/{case.pk}/{action}", body), 400, "invalid_input")


@pytest.mark.parametrize("case_id", ["99999999999999999999999", "-1", "0", "abc", "1e3"])
def test_odd_ids_are_404_or_400(world, categories, api_as, case_id):
    api = api_as("grid_worker")
    for r in (api.get(f"/cases/{case_id}"), api.post(f"/cases/{case_id}/accept")):
        assert r.status_code in {400, 404}
        assert_error(r, r.status_code)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"created_from": "yesterday"},
        {"created_to": "9999-12-31"},
        {"created_from": "0001-01-01"},
        {"limit": 0},
        {"limit": 10**30},
        {"overdue": "maybe"},
        {"view": "everything"},
        {"cursor": "!!!"},
        {"cursor": "MjAyNi0wMS0wMXwxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1"},
        {"area": "x" * 100},
    ],
)
def test_list_parameters_never_500(world, categories, api_as, params):
    r = api_as("community_secretary").get("/cases", params)
    assert r.status_code in {200, 400}
    if r.status_code == 400:
        assert_error(r, 400)


def test_unknown_person_or_department_is_a_400(world, report, api_as):
    case = report(category="gas")
    body = assert_error(
        api_as("community_secretary").post(f"/cases/{case.pk}/dispatch", {"department_id": 987654}),
        400,
        "unknown_department",
    )
    assert "department_id" in body["fields"]


def test_unknown_path_under_the_api_is_json_404(world, api_as):
    r = api_as("resident").get("/no-such-thing")
    assert r.status_code == 404


def test_oversized_body_is_refused(world, categories, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = api_as("resident").post("/cases", {"category": "other", "text": "字" * 5000})
    assert_error(r, 413, "request_too_large")
