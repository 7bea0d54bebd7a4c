"""Duplicates: suggested while typing, joined with "me too", merged by staff, everyone told."""

import pytest

from muling.cases import selectors, services
from muling.cases.enums import Status
from muling.cases.errors import CaseError, CaseForbidden
from muling.cases.models import Case, Notification


def test_similar_open_cases_nearby_are_suggested(world, report, categories):
    near = report(text="1号楼楼道的灯坏了好几天，晚上很黑")
    report(text="小区门口垃圾没人清理")  # same grid, different problem
    far = report(text="1号楼楼道的灯坏了好几天", user="far_resident")  # same text, other community
    found = selectors.similar_open_cases(
        category=categories["sanitation"], area=world.area("building"), text="楼道灯坏了，很黑"
    )
    ids = [c.pk for c, _score in found]
    assert ids[0] == near.pk
    assert far.pk not in ids


def test_me_too_follows_a_case_once(world, report):
    case = report()
    services.case_me_too(case_id=case.pk, actor=world.users["neighbour"])
    services.case_me_too(case_id=case.pk, actor=world.users["neighbour"])
    assert Case.objects.get(pk=case.pk).me_too_count == 1
    with pytest.raises(CaseForbidden):
        services.case_me_too(case_id=case.pk, actor=world.users["resident"])  # own case


def test_merge_moves_followers_and_notifies_them(world, report, django_capture_on_commit_callbacks):
    target = report(text="楼道灯坏了")
    duplicate = report(text="楼道灯不亮", user="neighbour")
    services.case_me_too(case_id=duplicate.pk, actor=world.users["housemate"])
    with pytest.raises(CaseForbidden):
        services.case_merge(case_id=duplicate.pk, into_id=target.pk, actor=world.users["grid_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        merged = services.case_merge(
            case_id=duplicate.pk, into_id=target.pk, actor=world.users["community_secretary"]
        )
    assert merged.status == Status.MERGED and merged.duplicate_of_id == target.pk
    target = Case.objects.get(pk=target.pk)
    assert target.me_too_count == 2
    assert Notification.objects.filter(user=world.users["neighbour"], case=duplicate, kind="merged").exists()
    assert Notification.objects.filter(user=world.users["housemate"], case=duplicate, kind="merged").exists()
    with pytest.raises(CaseError):
        services.case_merge(case_id=target.pk, into_id=target.pk, actor=world.users["community_secretary"])


def test_me_too_on_a_private_case_of_another_area_is_not_found(world, report):
    from muling.cases.errors import CaseNotFound
    from muling.cases.models import Case

    case = report(is_public=False)
    with pytest.raises(CaseNotFound):
        services.case_me_too(case_id=case.pk, actor=world.users["far_resident"])
    assert Case.objects.get(pk=case.pk).me_too_count == 0
