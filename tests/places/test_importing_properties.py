"""Hypothesis on the Excel/CSV importers: arbitrary cells never crash the importer, and a file is
imported whole or not at all."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muling.places.importing import import_table
from muling.places.models import Area, Household

cell = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(-(10**6), 10**20).map(str),
    st.sampled_from(["370832001001", "370832001001009", "网格", "楼栋", "1", "101", "是", "否"]),
)


def csv_bytes(rows) -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out).writerows(["" if v is None else v for v in row] for row in rows)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    resource=st.sampled_from(["areas", "households"]),
    rows=st.lists(st.lists(cell, min_size=1, max_size=7), max_size=6),
)
def test_any_table_imports_whole_or_not_at_all(world, resource, rows):
    header = {
        "areas": ["code", "name", "level", "parent_code", "address", "households_planned"],
        "households": ["building_code", "unit", "room", "is_party_member_household"],
    }[resource]
    areas, households = Area.objects.count(), Household.objects.count()
    report = import_table(resource_name=resource, file_obj=csv_bytes([header, *rows]), file_name="x.csv")
    if not report.ok:
        assert (Area.objects.count(), Household.objects.count()) == (areas, households)
        assert all(p.message for p in report.problems)
    else:
        added = Area.objects.count() - areas + Household.objects.count() - households
        assert added == report.created
