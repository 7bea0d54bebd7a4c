import pytest

from muling.cases import services
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Category


@pytest.fixture
def categories(db) -> dict[str, Category]:
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    return {c.code: c for c in Category.objects.all()}


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
