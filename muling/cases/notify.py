"""Notifications: in-app inbox, email, and SMS through a pluggable backend.

Always called from transaction.on_commit, so a rolled-back change never tells anyone anything.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import EventKind
from .models import Case, Notification
from .recipients import handler_user_ids

log = logging.getLogger("muling.notify")


class ConsoleSms:
    """Writes SMS to the log. Production replaces it (settings.SMS_BACKEND) with a carrier gateway."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.sent.append((phone, message))
        log.info("SMS to %s: %s", phone, message)


def sms_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "muling.cases.notify.ConsoleSms"))()


MESSAGES = {
    EventKind.CREATED: gettext_lazy("您反映的问题已受理登记，编号 %(number)s"),
    EventKind.DISPATCHED: gettext_lazy("诉求 %(number)s 已派给您办理"),
    EventKind.ACCEPTED: gettext_lazy("诉求 %(number)s 已有人受理，正在处理"),
    EventKind.RESOLVED: gettext_lazy("诉求 %(number)s 已办结，请确认并评价"),
    EventKind.CLOSED: gettext_lazy("诉求 %(number)s 已结案"),
    EventKind.REOPENED: gettext_lazy("诉求 %(number)s 已退回返工"),
    EventKind.REJECTED: gettext_lazy("诉求 %(number)s 不予受理"),
    EventKind.MERGED: gettext_lazy("诉求 %(number)s 与同类问题合并办理"),
    EventKind.ESCALATED: gettext_lazy("诉求 %(number)s 已升级至您处办理"),
    EventKind.REASSIGNED: gettext_lazy("诉求 %(number)s 已改派给您办理"),
    EventKind.URGED: gettext_lazy("诉求 %(number)s 被催办，请尽快处理"),
    EventKind.SUMMONED: gettext_lazy("诉求 %(number)s 吹哨，请贵单位报到答复"),
    EventKind.TAKEN_OVER: gettext_lazy("诉求 %(number)s 已由书记领办"),
    EventKind.EXTENSION_REQUESTED: gettext_lazy("诉求 %(number)s 申请延期，请审批"),
    EventKind.EXTENSION_APPROVED: gettext_lazy("诉求 %(number)s 延期已同意"),
    EventKind.EXTENSION_REFUSED: gettext_lazy("诉求 %(number)s 延期被驳回"),
    EventKind.SUMMONS_ANSWERED: gettext_lazy("诉求 %(number)s 有单位报到答复"),
}


def deliver(
    *, case_id: int, kind: str, user_ids: list[int], sms: bool = True, to_handlers: bool = False
) -> None:
    """Store the inbox entries and send email/SMS copies. Failures of email or SMS never undo the inbox.
    With `to_handlers`, the case's handlers as of now are told too."""
    fields = ("id", "number", "owner_person_id", "owner_department_id", "owner_area_id")
    case = Case.objects.filter(pk=case_id).only(*fields).first()
    if case is None:
        return
    if to_handlers:
        user_ids = [*user_ids, *handler_user_ids(case)]
    if not user_ids:
        return
    message = str(MESSAGES.get(kind, _("诉求 %(number)s 有新进展"))) % {"number": case.number}
    users = list(
        get_user_model().objects.filter(pk__in=set(user_ids), is_active=True).select_related("person")
    )
    Notification.objects.bulk_create(
        [Notification(user=u, case=case, kind=kind, message=message) for u in users]
    )
    for user in users:
        try:
            if user.email:
                send_mail(_("睦邻：诉求进展"), message, None, [user.email], fail_silently=False)
            phone = user.phone or (user.person.phone if user.person_id else "")
            if sms and phone:
                sms_backend().send(phone, message)
        except Exception:  # a mail or SMS outage must not lose the inbox entries already written
            log.exception("could not send notification %s to user %s", kind, user.pk)
