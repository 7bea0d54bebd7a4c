from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from muling.cases import services
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Category

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def categories(db) -> dict[str, Category]:
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def when():
    """`with when(2026, 11, 2, 9): …` — act at that Shanghai time, with the clock standing still."""

    def travel(*args):
        return time_machine.travel(at(*args), tick=False)

    return travel


@pytest.fixture
def report(world, categories):
    """Submit a case as the resident of 1号楼 101 (or as `user`) through the real service."""

    def submit(text="楼道灯坏了，晚上看不见", category="sanitation", user="resident", **kw):
        reporter = world.users[user] if isinstance(user, str) else user
        kw.setdefault("household", reporter.person.household if reporter.person_id else None)
        return services.case_submit(
            category=categories[category],
            text=text,
            channel=kw.pop("channel", Channel.WEB),
            reporter=reporter,
            **kw,
        )

    return submit


@pytest.fixture
def month(world, report, when):
    from .timelines import build_month

    return build_month(world, report, when)
