"""The loop end to end through the services, with both sides of every rule."""

import pytest

from muling.cases import services
from muling.cases.enums import EventKind, Level, Satisfaction, Status
from muling.cases.errors import CaseError, CaseForbidden, CaseNotFound
from muling.cases.events import replay
from muling.cases.models import Case, CaseEvent


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.level, case.owner_person_id, case.events.count(), case.satisfaction)


def test_report_accept_resolve_rate_close(world, report):
    case = report()
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_note(case_id=case.pk, actor=worker, note="已联系物业")
    services.case_resolve(case_id=case.pk, actor=worker, result="已更换灯泡")
    case = services.case_rate(
        case_id=case.pk, actor=world.users["resident"], satisfaction=Satisfaction.SATISFIED
    )
    assert case.status == Status.CLOSED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["created", "dispatched", "accepted", "note", "resolved", "rated", "closed"]
    assert replay(case)["status"] == Status.CLOSED


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("grid_worker", True),
        ("other_grid_worker", False),
        ("resident", False),
        ("community_secretary", False),
        ("department_staff", False),
    ],
)
def test_only_the_handler_may_resolve(world, report, user, allowed):
    case = report()
    services.case_accept(case_id=case.pk, actor=world.users["grid_worker"])
    before = snapshot(case)
    if allowed:
        services.case_resolve(case_id=case.pk, actor=world.users[user], result="好了")
        assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    else:
        with pytest.raises((CaseForbidden, CaseNotFound)):
            services.case_resolve(case_id=case.pk, actor=world.users[user], result="好了")
        assert snapshot(case) == before


def test_out_of_scope_users_get_not_found_not_forbidden(world, report):
    case = report()
    with pytest.raises(CaseNotFound):
        services.case_accept(case_id=case.pk, actor=world.users["other_grid_worker"])
    with pytest.raises(CaseForbidden):
        services.case_accept(case_id=case.pk, actor=world.users["community_secretary"])


@pytest.mark.parametrize(
    ("user", "allowed"), [("resident", True), ("housemate", False), ("grid_worker", False)]
)
def test_only_the_reporter_may_rate(world, report, user, allowed):
    case = report()
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_resolve(case_id=case.pk, actor=worker, result="好了")
    before = snapshot(case)
    if allowed:
        services.case_rate(case_id=case.pk, actor=world.users[user], satisfaction=Satisfaction.BASICALLY)
    else:
        with pytest.raises((CaseForbidden, CaseNotFound)):
            services.case_rate(case_id=case.pk, actor=world.users[user], satisfaction=Satisfaction.BASICALLY)
        assert snapshot(case) == before


def test_rating_an_unresolved_case_is_refused_and_changes_nothing(world, report):
    case = report()
    before = snapshot(case)
    with pytest.raises(CaseError) as exc:
        services.case_rate(
            case_id=case.pk, actor=world.users["resident"], satisfaction=Satisfaction.SATISFIED
        )
    assert exc.value.code == "not_resolved"
    assert snapshot(case) == before


def test_illegal_move_writes_nothing(world, report):
    case = report()
    before = snapshot(case)
    with pytest.raises(CaseError) as exc:
        services.case_resolve(case_id=case.pk, actor=world.users["grid_worker"], result="没受理就办结")
    assert exc.value.code == "illegal_transition"
    assert snapshot(case) == before


def test_unsatisfied_resident_can_reopen_or_ask_the_next_level(world, report):
    worker, resident = world.users["grid_worker"], world.users["resident"]
    first, second = report(), report(text="电动车乱停放")
    for case in (first, second):
        services.case_accept(case_id=case.pk, actor=worker)
        services.case_resolve(case_id=case.pk, actor=worker, result="已处理")
    reopened = services.case_rate(
        case_id=first.pk, actor=resident, satisfaction="unsatisfied", if_unsatisfied="reopen"
    )
    assert (reopened.status, reopened.reopen_count) == (Status.IN_PROGRESS, 1)
    escalated = services.case_rate(
        case_id=second.pk, actor=resident, satisfaction="unsatisfied", if_unsatisfied="escalate"
    )
    assert escalated.level == Level.COMMUNITY
    assert escalated.owner_person == world.users["community_secretary"].person
    assert escalated.status == Status.DISPATCHED


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"text": "   "}, "text_required"),
        ({"text": "字" * 4001}, "text_too_long"),
        ({"category": None}, "unknown_category"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_written(world, categories, kwargs, code):
    args = {
        "category": categories["other"],
        "text": "ok",
        "channel": "web",
        "reporter": world.users["resident"],
        "household": world.households["home"],
    }
    args.update(kwargs)
    with pytest.raises(CaseError) as exc:
        services.case_submit(**args)
    assert exc.value.code == code
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_patrol_report_outside_the_workers_grid_is_refused(world, categories):
    with pytest.raises(CaseError) as exc:
        services.case_submit(
            category=categories["sanitation"],
            text="路面坑洼",
            channel="patrol",
            reporter=world.users["grid_worker"],
            area=world.area("far_grid"),
        )
    assert exc.value.code == "place_out_of_scope"
    case = services.case_submit(
        category=categories["sanitation"],
        text="路面坑洼",
        channel="patrol",
        reporter=world.users["grid_worker"],
        area=world.area("grid"),
    )
    assert case.channel == "patrol"


def test_idempotency_key_creates_one_case(world, report):
    first = report(idempotency_key="abc-123")
    again = report(idempotency_key="abc-123")
    assert first.pk == again.pk
    assert Case.objects.count() == 1


def test_reject_with_reason(world, report):
    case = report(category="gas")  # lands in the community queue
    with pytest.raises(CaseError):
        services.case_reject(case_id=case.pk, actor=world.users["community_secretary"], reason=" ")
    case = services.case_reject(
        case_id=case.pk, actor=world.users["community_secretary"], reason="不属于社区职责"
    )
    assert case.status == Status.REJECTED and case.reject_reason == "不属于社区职责"


def test_queue_holder_dispatches_to_a_handler(world, report):
    case = report(category="gas")
    secretary = world.users["community_secretary"]
    with pytest.raises(CaseForbidden):
        services.case_dispatch(
            case_id=case.pk, actor=world.users["grid_worker"], person=world.users["grid_worker"].person
        )
    case = services.case_dispatch(case_id=case.pk, actor=secretary, department=world.departments["water"])
    assert case.status == Status.DISPATCHED and case.owner_department == world.departments["water"]
    assert case.events.filter(kind=EventKind.DISPATCHED).exists()


def test_extension_requested_by_handler_decided_above(world, report):
    case = report()
    worker, secretary = world.users["grid_worker"], world.users["community_secretary"]
    services.case_accept(case_id=case.pk, actor=worker)
    deadline = Case.objects.get(pk=case.pk).deadline
    with pytest.raises(CaseForbidden):
        services.case_request_extension(case_id=case.pk, actor=secretary, days=3, reason="等配件")
    request = services.case_request_extension(case_id=case.pk, actor=worker, days=3, reason="等配件")
    with pytest.raises(CaseError):
        services.case_request_extension(case_id=case.pk, actor=worker, days=3, reason="再来一次")
    with pytest.raises(CaseForbidden):
        services.case_decide_extension(request_id=request.pk, actor=world.users["resident"], approve=True)
    services.case_decide_extension(request_id=request.pk, actor=secretary, approve=True)
    case = Case.objects.get(pk=case.pk)
    assert case.extended and case.deadline > deadline


def test_secretary_takes_over(world, report):
    case = report()
    with pytest.raises(CaseForbidden):
        services.case_take_over(case_id=case.pk, actor=world.users["grid_chief"])
    case = services.case_take_over(case_id=case.pk, actor=world.users["street_secretary"])
    assert case.owner_person == world.users["street_secretary"].person
    assert case.level == Level.STREET and case.status == Status.IN_PROGRESS


def test_urge_counts_and_is_refused_to_the_handler(world, report):
    case = report()
    with pytest.raises(CaseForbidden):
        services.case_urge(case_id=case.pk, actor=world.users["grid_worker"], note="快点")
    services.case_urge(case_id=case.pk, actor=world.users["community_secretary"], note="请今天处理")
    services.case_urge(case_id=case.pk, actor=world.users["grid_chief"])
    assert Case.objects.get(pk=case.pk).urge_count == 2


def test_callback_recorded(world, report):
    case = report()
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_resolve(case_id=case.pk, actor=worker, result="好了")
    services.case_callback(
        case_id=case.pk,
        actor=world.users["community_secretary"],
        note="电话回访，居民满意",
        satisfaction="satisfied",
    )
    assert Case.objects.get(pk=case.pk).events.filter(kind="callback").count() == 1
