"""Writing and replaying the timeline."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from .enums import EventKind
from .models import Case, CaseEvent

# Called with (new events, case, whole timeline or None) inside the transaction that wrote the events;
# used by the statistics app to keep its rollups in step with the timeline (registered from an
# AppConfig.ready()). The timeline is passed when the writer knows it — a case's opening events — so
# the hook need not read it back; None means "read it".
EventHook = Callable[[list[CaseEvent], Case, list[CaseEvent] | None], None]
EVENT_HOOKS: list[EventHook] = []


@dataclass
class Spec:
    """One event still to be written: what happened and the status it moved from."""

    kind: EventKind
    from_status: str = ""
    to_status: str | None = None  # default: the case's status when written
    note: str = ""
    data: dict = field(default_factory=dict)
    actor: object = None


def _event(case: Case, spec: Spec, *, at) -> CaseEvent:
    """A CaseEvent with a snapshot of the case's state after the change (so it can be replayed)."""
    return CaseEvent(
        case=case,
        kind=spec.kind,
        actor=spec.actor if getattr(spec.actor, "pk", None) else None,
        at=at,
        from_status=spec.from_status,
        to_status=spec.to_status or case.status,
        level=case.level,
        owner_area_id=case.owner_area_id,
        owner_person_id=case.owner_person_id,
        owner_department_id=case.owner_department_id,
        note=spec.note,
        data=spec.data or {},
    )


def record(
    case: Case, kind: EventKind, *, actor=None, from_status: str = "", note: str = "", data=None, at=None
) -> CaseEvent:
    """Append one event to an existing timeline."""
    spec = Spec(kind, from_status=from_status, note=note, data=data or {}, actor=actor)
    event = _event(case, spec, at=at or timezone.now())
    event.save()
    for hook in EVENT_HOOKS:
        hook([event], case, None)
    return event


def record_opening(case: Case, specs: Sequence[Spec], *, at=None) -> list[CaseEvent]:
    """A new case's first events in one INSERT. They are its whole timeline, so the hooks get it
    as such and read nothing back (intake is the busiest write path)."""
    at = at or timezone.now()
    written = CaseEvent.objects.bulk_create([_event(case, spec, at=at) for spec in specs])
    for hook in EVENT_HOOKS:
        hook(written, case, written)
    return written


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
