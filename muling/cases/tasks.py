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


def send_notification(*, case_id: int, kind: str, user_ids: list[int], to_handlers: bool = False) -> None:
    """Queue the delivery when a broker is configured; deliver right away otherwise (demo, tests)."""
    if getattr(settings, "CELERY_BROKER_URL", "") and not getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", False
    ):
        deliver_notification.delay(case_id, kind, user_ids, to_handlers)
    else:
        from .notify import deliver

        deliver(case_id=case_id, kind=kind, user_ids=user_ids, to_handlers=to_handlers)
