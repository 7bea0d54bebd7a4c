"""Background work. Celery tasks in production (Redis broker); the same functions are called in-process
by `manage.py run_background` for the demo, and synchronously when no broker is configured."""

from celery import shared_task
from django.conf import settings


@shared_task(name="cases.escalate_overdue", acks_late=True)
def escalate_overdue() -> int:
    from .services import escalate_overdue_cases

    return escalate_overdue_cases()


@shared_task(name="cases.close_unrated", acks_late=True)
def close_unrated() -> int:
    from .services import close_unrated_cases

    return close_unrated_cases()


@shared_task(name="cases.deliver_notification", acks_late=True)
def deliver_notification(case_id: int, kind: str, user_ids: list[int], to_handlers: bool = False) -> None:
    from .notify import deliver

    deliver(case_id=case_id, kind=kind, user_ids=user_ids, to_handlers=to_handlers)


@shared_task(name="cases.after_intake", acks_late=True)
def after_intake(case_id: int, messages: list[list], check_repeats: bool = False) -> None:
    """What follows a new case off the request: its receipt and dispatch messages in one task (one
    broker round trip per submission instead of two), and the look for its reporter's repeats."""
    _after_intake(case_id, messages, check_repeats)


def _after_intake(case_id: int, messages, check_repeats: bool) -> None:
    from .notify import deliver

    for kind, user_ids, to_handlers in messages:
        deliver(case_id=case_id, kind=kind, user_ids=user_ids, to_handlers=to_handlers)
    if check_repeats:
        from .abuse import flag_if_repeated
        from .models import Case

        case = Case.objects.filter(pk=case_id).first()
        if case is not None:
            flag_if_repeated(case)


def _queued() -> bool:
    return bool(getattr(settings, "CELERY_BROKER_URL", "")) and not getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", False
    )


def send_notifications(
    *, case_id: int, messages: list[tuple[str, list[int], bool]], check_repeats: bool = False
) -> None:
    """Queue the delivery of `messages` — (kind, user ids, to_handlers) — and the repeat check as one
    task when a broker is configured; do it right away otherwise (demo, tests)."""
    if not messages and not check_repeats:
        return
    if not _queued():
        _after_intake(case_id, messages, check_repeats)
    elif len(messages) == 1 and not check_repeats:
        kind, user_ids, to_handlers = messages[0]
        deliver_notification.delay(case_id, kind, user_ids, to_handlers)
    else:
        after_intake.delay(case_id, [list(m) for m in messages], check_repeats)
