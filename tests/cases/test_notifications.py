"""Notifications are sent after commit, never for a change that was rolled back."""

import pytest
from django.core import mail
from django.db import transaction

from muling.cases import services
from muling.cases.models import Notification
from muling.cases.notify import ConsoleSms


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_notifies_nobody(world, categories):
    ConsoleSms.sent.clear()
    resident = world.users["resident"]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_submit(
            category=categories["sanitation"],
            text="楼道灯坏了",
            channel="web",
            reporter=resident,
            household=resident.person.household,
        )
        raise RuntimeError("the request failed after the service returned")
    assert not Notification.objects.exists()
    assert ConsoleSms.sent == []


@pytest.mark.django_db(transaction=True)
def test_committed_changes_notify_reporter_and_handler(world, categories):
    ConsoleSms.sent.clear()
    resident, worker = world.users["resident"], world.users["grid_worker"]
    resident.email = "resident@example.org"
    resident.save()
    case = services.case_submit(
        category=categories["sanitation"],
        text="楼道灯坏了",
        channel="web",
        reporter=resident,
        household=resident.person.household,
    )
    assert Notification.objects.filter(user=resident, kind="created").exists()
    assert Notification.objects.filter(user=worker, kind="dispatched").exists()
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_resolve(case_id=case.pk, actor=worker, result="已修好")
    assert Notification.objects.filter(user=resident, kind="resolved").exists()
    assert any(case.number in m.body for m in mail.outbox)
    assert any(phone == "13800000001" for phone, _msg in ConsoleSms.sent)


def test_unread_count_and_inbox(world, report, django_capture_on_commit_callbacks):
    from muling.cases import selectors

    with django_capture_on_commit_callbacks(execute=True):
        report()
    worker = world.users["grid_worker"]
    assert selectors.unread_count(user=worker) == 1
    assert selectors.inbox(user=worker).first().kind == "dispatched"
