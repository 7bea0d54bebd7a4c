"""The demo cases: every state present, consistent timelines, idempotent."""

from muling.cases import services
from muling.cases.demo import load_demo_cases
from muling.cases.enums import Status
from muling.cases.events import replay
from muling.cases.models import Case


def test_demo_cases_cover_the_loop_and_load_once(world, categories):
    created = load_demo_cases(seed=1, count=80)
    assert created == 80
    assert load_demo_cases(seed=1, count=80) == 0
    assert Case.objects.count() == 80
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {
        Status.SUBMITTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CLOSED,
    } <= statuses
    for case in Case.objects.all():
        state = replay(case)
        assert state["status"] == case.status
        assert state["owner_area_id"] == case.owner_area_id is not None
        times = list(case.events.values_list("at", flat=True))
        assert times == sorted(times) and times[0] == case.created_at
    # Some demo cases are left overdue on purpose, for the sweep to escalate while the demo runs.
    assert services.escalate_overdue_cases() >= 1
