"""Anonymisation on request: the person's identity goes, the community's case record stays."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from muling.cases import services as cases
from muling.cases.models import Case, CaseEvent
from muling.people.models import Person
from muling.privacy.models import DataField, PersonalDataAccess
from muling.privacy.services import ANONYMOUS_NAME, person_anonymise
from muling.stats import rollups

from .conftest import ID_NUMBER


@pytest.fixture
def history(world, resident, report):
    """Two cases of the resident (one closed and rated), one of a neighbour."""
    first = report(contact_name="王秀兰", contact_phone="13800000001")
    report(text="小区门口路灯不亮")
    cases.case_accept(case_id=first.pk, actor=world.users["grid_worker"])
    cases.case_resolve(case_id=first.pk, actor=world.users["grid_worker"], result="已更换灯泡")
    cases.case_rate(case_id=first.pk, actor=world.users["resident"], satisfaction="satisfied")
    report(user="neighbour", text="邻居反映的噪音问题")
    return first


def counts() -> dict:
    return {
        "rollups": rollups.rows_from_cases(Case.objects.all()),
        "table": rollups.rows_in_table(),
        "cases": list(
            Case.objects.order_by("pk").values_list("pk", "category_id", "area_id", "status", "satisfaction")
        ),
        "events": CaseEvent.objects.count(),
    }


def test_anonymising_keeps_cases_and_statistics(world, resident, history):
    before = counts()
    person_anonymise(actor=world.users["county_secretary"], person=resident, reason="本人书面申请 2026-11-01")
    assert counts() == before
    call_command("rebuild_rollups", "--check", verbosity=0)  # raises CommandError if they differ


def test_anonymising_replaces_identity_and_detaches_the_account(world, resident, history):
    user = world.users["resident"]
    person_anonymise(actor=world.users["admin"], person=resident, reason="本人申请")
    person = Person.objects.get(pk=resident.pk)
    assert person.name == ANONYMOUS_NAME and person.phone == "" and person.birth_date is None
    assert person.id_number_full() == "" and person.id_number_hash == ""
    user.refresh_from_db()
    assert not user.is_active and user.person_id is None and user.phone is None
    assert not user.has_usable_password() and "resident" not in user.username
    mine = Case.objects.filter(reporter=user)
    assert mine.count() == 2
    assert set(mine.values_list("contact_name", "contact_phone")) == {("", "")}
    assert Case.objects.filter(reporter=world.users["neighbour"]).exists()
    access = PersonalDataAccess.objects.get(person=person)
    assert access.field == DataField.ANONYMISE and access.note == "本人申请"


def test_nothing_of_the_person_is_left_to_find(world, resident, history):
    person_anonymise(actor=world.users["admin"], person=resident, reason="本人申请")
    assert not Person.objects.filter(name="王秀兰").exists()
    assert not Person.objects.filter(phone="13800000001").exists()
    assert not Case.objects.filter(contact_phone="13800000001").exists()
    assert all(ID_NUMBER not in p.id_number_full() for p in Person.objects.all())


@pytest.mark.parametrize(
    "user_key", ["grid_worker", "community_secretary", "street_secretary", "resident", "department_staff"]
)
def test_only_a_superuser_or_the_county_secretary_may_anonymise(world, resident, user_key):
    with pytest.raises(PermissionDenied):
        person_anonymise(actor=world.users[user_key], person=resident, reason="本人申请")
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"
    assert not PersonalDataAccess.objects.exists()


def test_anonymising_needs_a_reason(world, resident):
    with pytest.raises(ValidationError):
        person_anonymise(actor=world.users["admin"], person=resident, reason=" ")
    assert Person.objects.get(pk=resident.pk).name == "王秀兰"
