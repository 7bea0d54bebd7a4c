"""Writing and replaying the timeline."""

from collections.abc import Callable

from django.utils import timezone

from .enums import EventKind
from .models import Case, CaseEvent

# Called with (event, case) inside the transaction that wrote the event; used by the statistics app
# to keep its rollups in step with the timeline (registered from an AppConfig.ready()).
EVENT_HOOKS: list[Callable[[CaseEvent, Case], None]] = []


def record(
    case: Case, kind: EventKind, *, actor=None, from_status: str = "", note: str = "", data=None, at=None
) -> CaseEvent:
    """Append an event with a snapshot of the case's state after the change (so it can be replayed)."""
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=case.status,
        level=case.level,
        owner_area_id=case.owner_area_id,
        owner_person_id=case.owner_person_id,
        owner_department_id=case.owner_department_id,
        note=note,
        data=data or {},
    )
    for hook in EVENT_HOOKS:
        hook(event, case)
    return event


def replay(case: Case) -> dict:
    """The state the timeline says the case is in: status, level and owner after the last event."""
    state = {}
    for event in case.events.order_by("at", "id"):
        state = {
            "status": event.to_status,
            "level": event.level,
            "owner_area_id": event.owner_area_id,
            "owner_person_id": event.owner_person_id,
            "owner_department_id": event.owner_department_id,
        }
    return state
