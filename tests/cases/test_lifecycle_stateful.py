"""Random sequences of actions by random people; the invariants must hold after every step."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from muling.cases import services
from muling.cases.enums import OPEN_STATUSES, EventKind, Level
from muling.cases.events import replay
from muling.cases.models import Case
from muling.errors import DomainError

ACTORS = [
    "resident",
    "neighbour",
    "grid_worker",
    "other_grid_worker",
    "community_secretary",
    "street_secretary",
    "department_staff",
]


def make_machine(world, categories):
    class CaseLifecycle(RuleBasedStateMachine):
        @initialize(category=st.sampled_from(["sanitation", "water_supply", "gas"]))
        def report(self, category):
            resident = world.users["resident"]
            self.case = services.case_submit(
                category=categories[category],
                text="随机测试诉求",
                channel="web",
                reporter=resident,
                household=resident.person.household,
            )
            self.overdue_escalations = 0

        def _snapshot(self):
            c = Case.objects.get(pk=self.case.pk)
            return (
                c.status,
                c.level,
                c.owner_area_id,
                c.owner_person_id,
                c.owner_department_id,
                c.events.count(),
                c.satisfaction,
                c.urge_count,
                c.escalation_count,
            )

        def _attempt(self, fn, **kwargs):
            before = self._snapshot()
            try:
                fn(case_id=self.case.pk, **kwargs)
            except DomainError:
                assert self._snapshot() == before, "a refused action changed the case"

        @rule(actor=st.sampled_from(ACTORS))
        def accept(self, actor):
            self._attempt(services.case_accept, actor=world.users[actor])

        @rule(actor=st.sampled_from(ACTORS))
        def resolve(self, actor):
            self._attempt(services.case_resolve, actor=world.users[actor], result="已处理")

        @rule(
            actor=st.sampled_from(ACTORS),
            satisfaction=st.sampled_from(["satisfied", "basically", "unsatisfied"]),
            choice=st.sampled_from(["reopen", "escalate"]),
        )
        def rate(self, actor, satisfaction, choice):
            self._attempt(
                services.case_rate, actor=world.users[actor], satisfaction=satisfaction, if_unsatisfied=choice
            )

        @rule(actor=st.sampled_from(ACTORS))
        def urge(self, actor):
            self._attempt(services.case_urge, actor=world.users[actor], note="请尽快")

        @rule(actor=st.sampled_from(ACTORS))
        def take_over(self, actor):
            self._attempt(services.case_take_over, actor=world.users[actor])

        @rule(actor=st.sampled_from(ACTORS))
        def reject(self, actor):
            self._attempt(services.case_reject, actor=world.users[actor], reason="不属于受理范围")

        @rule(runs=st.integers(min_value=1, max_value=3))
        def deadline_passes_and_the_sweep_runs(self, runs):
            case = Case.objects.get(pk=self.case.pk)
            now = case.deadline + timedelta(minutes=1)
            if case.status in OPEN_STATUSES and case.level < Level.COUNTY:
                self.overdue_escalations += 1
            for _ in range(runs):  # retries and a second worker must not escalate again
                services.case_escalate(case_id=case.pk, actor=None, reason="overdue", now=now)

        @invariant()
        def timeline_replays_to_current_state(self):
            c = Case.objects.get(pk=self.case.pk)
            assert replay(c) == {
                "status": c.status,
                "level": c.level,
                "owner_area_id": c.owner_area_id,
                "owner_person_id": c.owner_person_id,
                "owner_department_id": c.owner_department_id,
            }

        @invariant()
        def never_unowned(self):
            assert Case.objects.get(pk=self.case.pk).owner_area_id is not None

        @invariant()
        def escalated_exactly_once_per_missed_deadline(self):
            c = Case.objects.get(pk=self.case.pk)
            overdue = c.events.filter(kind=EventKind.ESCALATED, data__reason="overdue").count()
            assert overdue == self.overdue_escalations
            assert c.escalation_count == c.events.filter(kind=EventKind.ESCALATED).count()

    return CaseLifecycle


@pytest.mark.django_db
def test_case_lifecycle_state_machine(world, categories):
    machine = make_machine(world, categories)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
