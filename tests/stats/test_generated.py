"""rollup == rebuild == direct on generated data: hypothesis drives random sequences of lifecycle
actions over several cases, at random moments, through the real services (so every event passes
through the hook); after each sequence the incremental table, a rebuild and the direct computation
must agree row for row."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muling.cases import services
from muling.cases.enums import Channel, Satisfaction, Status
from muling.cases.errors import CaseError
from muling.cases.models import Case, ExtensionRequest, Summons
from muling.errors import DomainError
from muling.stats import rollups

from .conftest import at

User = get_user_model()

# What may be tried on a case in each status (the services still decide; a refusal is fine). Chosen
# by the status so that sequences reach resolution, rating, reopening and closing often.
OPTIONS = {
    Status.SUBMITTED: ["accept", "accept", "reject", "merge", "escalate", "take_over"],
    Status.DISPATCHED: ["accept", "accept", "accept", "reject", "merge", "escalate", "extend", "summon"],
    Status.IN_PROGRESS: ["resolve", "resolve", "resolve", "escalate", "extend", "summon", "answer", "merge"],
    Status.RESOLVED: [
        "rate_ok",
        "rate_basic",
        "rate_bad",
        "rate_bad_up",
        "reopen",
        "close_unrated",
        "callback",
    ],
    Status.CLOSED: ["callback"],
    Status.REJECTED: ["sweep"],
    Status.MERGED: ["sweep"],
}

step = st.tuples(
    st.integers(min_value=0, max_value=99),  # what to do (submit, sweep, or an option for the case)
    st.integers(min_value=0, max_value=7),  # which case (modulo the number of cases)
    st.integers(min_value=0, max_value=60 * 60 * 40),  # seconds to wait before acting
    st.sampled_from(["sanitation", "gas", "drainage", "heating"]),
    st.sampled_from([Channel.WEB, Channel.SERVICE_CARD, Channel.API]),
    st.sampled_from(["home", "neighbour", "other_grid", "far"]),
)


def act(world, categories, cases, now, choice, index, category, channel, household):
    u = world.users
    admin = u["admin"]
    if choice < 20 or not cases:
        home = world.households[household]
        reporter = {"home": "resident", "neighbour": "neighbour", "other_grid": "other_grid_resident"}.get(
            household, "far_resident"
        )
        case = services.case_submit(
            category=categories[category],
            text="随机生成的诉求",
            channel=channel,
            reporter=u[reporter],
            household=home,
        )
        cases.append(case.pk)
        return
    case = Case.objects.get(pk=cases[index % len(cases)])
    reporter = case.reporter
    options = OPTIONS[case.status]
    action = "sweep" if choice >= 95 else options[choice % len(options)]
    if action == "accept":
        services.case_accept(case_id=case.pk, actor=admin)
    elif action == "resolve":
        services.case_resolve(case_id=case.pk, actor=admin, result="办好了")
    elif action in {"rate_ok", "rate_basic", "rate_bad", "rate_bad_up"}:
        value = {"rate_ok": Satisfaction.SATISFIED, "rate_basic": Satisfaction.BASICALLY}.get(
            action, Satisfaction.UNSATISFIED
        )
        services.case_rate(
            case_id=case.pk,
            actor=reporter,
            satisfaction=value,
            if_unsatisfied="escalate" if action == "rate_bad_up" else "reopen",
        )
    elif action == "reopen":
        services.case_reopen(case_id=case.pk, actor=admin, note="返工")
    elif action == "escalate":
        services.case_escalate(case_id=case.pk, actor=admin)
    elif action == "sweep":
        services.escalate_overdue_cases(now=now)
    elif action == "close_unrated":
        services.close_unrated_cases(now=now, days=1)
    elif action == "extend":
        pending = ExtensionRequest.objects.filter(case=case, state="pending").first()
        handler = (
            User.objects.filter(person_id=case.owner_person_id).first() if case.owner_person_id else None
        )
        if pending is None and handler is not None:
            services.case_request_extension(case_id=case.pk, actor=handler, days=2, reason="等待")
        elif pending is not None:
            services.case_decide_extension(request_id=pending.pk, actor=admin, approve=index % 2 == 0)
    elif action == "reject":
        services.case_reject(case_id=case.pk, actor=admin, reason="不属于受理范围")
    elif action == "merge":
        other = Case.objects.filter(status__in=[Status.SUBMITTED, Status.DISPATCHED, Status.IN_PROGRESS])
        target = other.exclude(pk=case.pk).first()
        if target is not None:
            services.case_merge(case_id=case.pk, into_id=target.pk, actor=admin)
    elif action == "summon":
        dept = world.departments["water" if index % 2 else "property"]
        services.case_summon(case_id=case.pk, actor=admin, departments=[dept], hours=1 + index)
    elif action == "answer":
        summons = Summons.objects.filter(case=case, answered_at__isnull=True).first()
        if summons is not None:
            services.summons_answer(summons_id=summons.pk, actor=admin, answer="已到场")
    elif action == "callback":
        services.case_callback(case_id=case.pk, actor=admin, note="回访", satisfaction=Satisfaction.SATISFIED)
    elif action == "take_over":
        services.case_take_over(case_id=case.pk, actor=u["community_secretary"])


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=40))
def test_rollup_equals_rebuild_equals_direct(world, categories, steps):
    # Examples share the database (one world per test); the invariant holds for any accumulated data.
    cases: list[int] = []
    now = at(2026, 10, 30, 20, 0)  # cohorts straddle a month end, and a Shanghai midnight
    for choice, index, wait, category, channel, household in steps:
        now += timedelta(seconds=wait)
        with time_machine.travel(now, tick=False):
            try:
                act(world, categories, cases, now, choice, index, category, channel, household)
            except (CaseError, DomainError):
                pass  # an illegal move for the case's state: refused, nothing written
    incremental = rollups.rows_in_table()
    direct = rollups.rows_from_cases(Case.objects.all())
    assert incremental == direct
    assert rollups.subtree_mismatches() == 0  # the area rows moved with the daily rows
    call_command("rebuild_rollups", verbosity=0)
    assert rollups.rows_in_table() == direct
    call_command("rebuild_rollups", "--check", verbosity=0)
