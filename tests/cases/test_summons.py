"""吹哨报到: a community or street summons departments, who answer on the timeline."""

import pytest

from muling.cases import selectors, services
from muling.cases.errors import CaseError, CaseForbidden, CaseNotFound
from muling.cases.models import Case


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("community_secretary", True),
        ("street_secretary", True),
        ("grid_worker", True),
        ("resident", False),
        ("department_staff", False),
    ],
)
def test_who_may_blow_the_whistle(world, report, user, allowed):
    case = report()
    if allowed:
        summonses = services.case_summon(
            case_id=case.pk,
            actor=world.users[user],
            departments=[world.departments["water"]],
            note="楼下管道漏水，需供水公司到场",
        )
        assert len(summonses) == 1
    else:
        with pytest.raises((CaseForbidden, CaseNotFound)):
            services.case_summon(
                case_id=case.pk, actor=world.users[user], departments=[world.departments["water"]]
            )
        assert not Case.objects.get(pk=case.pk).summonses.exists()


def test_summoned_department_sees_the_case_and_answers(world, report):
    case = report()
    staff = world.users["department_staff"]
    assert not staff.has_perm("cases.view_case", case)
    [summons] = services.case_summon(
        case_id=case.pk,
        actor=world.users["community_secretary"],
        departments=[world.departments["water"]],
        hours=4,
    )
    assert staff.has_perm("cases.view_case", Case.objects.get(pk=case.pk))
    assert summons in selectors.department_summonses(user=staff)
    with pytest.raises(CaseForbidden):
        services.summons_answer(summons_id=summons.pk, actor=world.users["grid_worker"], answer="不是我")
    answered = services.summons_answer(summons_id=summons.pk, actor=staff, answer="已派员维修，明早恢复")
    assert answered.answered_on_time is True
    assert Case.objects.get(pk=case.pk).events.filter(kind="summons_answered").count() == 1
    with pytest.raises(CaseError) as exc:
        services.summons_answer(summons_id=summons.pk, actor=staff, answer="再答一次")
    assert exc.value.code == "summons_answered"
    assert summons not in selectors.department_summonses(user=staff)


def test_summoning_the_same_unit_twice_while_open_is_refused(world, report):
    case = report()
    secretary = world.users["community_secretary"]
    services.case_summon(case_id=case.pk, actor=secretary, departments=[world.departments["water"]])
    with pytest.raises(CaseError) as exc:
        services.case_summon(case_id=case.pk, actor=secretary, departments=[world.departments["water"]])
    assert exc.value.code == "already_summoned"
    with pytest.raises(CaseError):
        services.case_summon(case_id=case.pk, actor=secretary, departments=[])
