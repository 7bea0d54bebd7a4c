"""Prepare the django-helpdesk reference database; run by bench/harness_helpdesk.py with the helpdesk
virtualenv's Python (never Muling's). Idempotent: users, queues and the token are created once, and the
tickets are loaded only up to --tickets, so a second run reuses the 100,000 tickets of the first.

Prints one JSON line: the staff credentials, the API token, the queue ids and the ticket count.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproject.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

STAFF = "bench_staff"
PASSWORD = "bench-helpdesk-2026"
QUEUES = [
    ("public", "Public submissions", True),
    ("water", "Water and heating", False),
    ("roads", "Roads and lighting", False),
    ("noise", "Noise and neighbours", False),
]


def ensure_accounts() -> tuple[object, str]:
    User = get_user_model()
    staff = User.objects.filter(username=STAFF).first()
    if staff is None:
        staff = User.objects.create_superuser(STAFF, "staff@example.com", PASSWORD)
    token, _created = Token.objects.get_or_create(user=staff)
    return staff, token.key


def ensure_queues() -> list[int]:
    ids = []
    for slug, title, public in QUEUES:
        queue, _created = Queue.objects.get_or_create(
            slug=slug, defaults={"title": title, "allow_public_submission": public}
        )
        ids.append(queue.pk)
    return ids


def load_tickets(target: int, queue_ids: list[int], staff_id: int) -> float:
    """Bring the ticket count to `target`: up with one INSERT … SELECT generate_series (plus one
    follow-up per ticket, as helpdesk writes "Ticket Opened"). Spread over about two years; a third
    open or reopened (the staff list's default filter), a third assigned."""
    have = Ticket.objects.count()
    if have > target:
        return trim_tickets(target)
    if have == target:
        return 0.0
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM helpdesk_ticket")
        (before,) = cur.fetchone()
        cur.execute(
            """
            INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold,
                description, resolution, priority, due_date, queue_id, secret_key, assigned_to_id)
            SELECT 'Problem report ' || g || ': ' || (ARRAY['street light out', 'water leak',
                       'noise at night', 'rubbish not collected', 'pothole', 'heating off'])[1 + g %% 6],
                   now() - make_interval(mins => (%(n)s - g) * 10),
                   now() - make_interval(mins => (%(n)s - g) * 10 - 30),
                   'resident' || (g %% 5000) || '@example.com',
                   CASE WHEN g %% 10 < 3 THEN 1 WHEN g %% 20 = 3 THEN 2 WHEN g %% 10 < 7 THEN 4 ELSE 3 END,
                   false,
                   'Reported by a resident. Reference ' || md5(g::text),
                   '',
                   1 + g %% 5,
                   NULL,
                   (%(queues)s::int[])[1 + g %% %(nq)s],
                   gen_random_uuid()::text,
                   CASE WHEN g %% 3 = 0 THEN %(staff)s END
            FROM generate_series(1, %(n)s) AS g
            """,
            {"n": target - have, "queues": queue_ids, "nq": len(queue_ids), "staff": staff_id},
        )
        cur.execute(
            """
            INSERT INTO helpdesk_followup (date, title, comment, public, new_status, ticket_id, user_id)
            SELECT created, 'Ticket Opened', description, true, NULL, id, NULL
            FROM helpdesk_ticket WHERE id > %s
            """,
            [before],
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE helpdesk_ticket")
        cur.execute("ANALYZE helpdesk_followup")
    return time.monotonic() - started


def trim_tickets(target: int) -> float:
    """Remove the newest tickets beyond `target` — those the harness's own intake runs created — so
    that every run measures the ticket list at the same size (it slows as the table grows)."""
    started = time.monotonic()
    keep = Ticket.objects.order_by("id").values_list("id", flat=True)[target - 1 : target]
    last = keep[0] if keep else 0
    Ticket.objects.filter(id__gt=last).delete()
    with connection.cursor() as cur:
        cur.execute("ANALYZE helpdesk_ticket")
        cur.execute("ANALYZE helpdesk_followup")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    staff, token = ensure_accounts()
    queue_ids = ensure_queues()
    seconds = load_tickets(args.tickets, queue_ids, staff.pk)
    print(
        json.dumps(
            {
                "username": STAFF,
                "password": PASSWORD,
                "token": token,
                "queue_ids": queue_ids,
                "public_queue_id": queue_ids[0],
                "tickets": Ticket.objects.count(),
                "load_seconds": round(seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
