import pytest
from django.core.cache import cache

from muling.cases import services as cases
from muling.cases.defaults import install_default_categories
from muling.cases.enums import Channel
from muling.cases.models import Category
from muling.people import services
from muling.people.models import Person

ID_NUMBER = services.id_number_with_check("37083219500101002")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident(world) -> Person:
    """王秀兰 of 1号楼 101, with an ID number on record."""
    person = Person.objects.get(name="王秀兰")
    person.set_id_number(ID_NUMBER)
    person.save(update_fields=["id_number_encrypted", "id_number_hash"])
    return person


@pytest.fixture
def categories(db) -> dict[str, Category]:
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def report(world, categories):
    def submit(text="楼道灯坏了，晚上看不见", category="sanitation", user="resident", **kw):
        reporter = world.users[user] if isinstance(user, str) else user
        kw.setdefault("household", reporter.person.household if reporter.person_id else None)
        return cases.case_submit(
            category=categories[category],
            text=text,
            channel=kw.pop("channel", Channel.WEB),
            reporter=reporter,
            **kw,
        )

    return submit
