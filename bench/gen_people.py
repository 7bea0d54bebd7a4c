"""Households and residents of a run of grids, as COPY blocks.

ID-card numbers are left empty for the bulk residents: encrypting 8 million distinct numbers with
Fernet would cost minutes of CPU, and a reused pool would make the keyed-hash lookup ("is this ID
registered?") return thousands of people. Pages show an empty ID as empty; the benchmark actors,
created through the services, have real encrypted numbers.
"""

from __future__ import annotations

import numpy as np

from muling.people.models import NewEmploymentKind

from . import gen_text as T
from .gen_cases import DAY, phones, pick_names

FLOORS = 6  # rooms numbered floor × 100 + door, two doors a floor, six floors a unit


def generate_households(ctx, chunk: int, g0: int, g1: int):
    plan = ctx.plan
    rng = np.random.default_rng([plan.seed, 11, chunk])
    h0 = int(plan.grid_hh_start[g0])
    h1 = int(plan.grid_hh_start[g1 - 1] + plan.grid_hh_count[g1 - 1])
    n = h1 - h0
    idx = plan.hh_index_in_building[h0:h1]
    per_unit = FLOORS * 2
    unit = idx // per_unit + 1
    within = idx % per_unit
    room = (within // 2 + 1) * 100 + within % 2 + 1
    b = T.Block(n)
    b.add("id", T.ints(np.arange(h0, h1) + 1))
    b.add("building_id", T.ints(plan.hh_building[h0:h1] + 1))
    b.add("unit", T.ints(unit))
    b.add("room", T.ints(room))
    b.add("is_party_member_household", T.bools(rng.random(n) < 0.03))
    b.add("note", T.const("", n))

    # Residents of these households.
    sizes = plan.hh_size[h0:h1]
    m = int(sizes.sum())
    first_person = int(plan.hh_person_start[h0])
    member = np.arange(m) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    hh_of = np.repeat(np.arange(h0, h1), sizes)
    alone = np.repeat(sizes == 1, sizes)
    # The first member is an adult head; then a spouse; then children or grandparents.
    young_or_old = np.where(rng.random(m) < 0.75, rng.integers(0, 25, m), rng.integers(55, 92, m))
    age = np.select(
        [member == 0, member == 1], [rng.integers(24, 86, m), rng.integers(22, 84, m)], young_or_old
    )
    gender = np.where(rng.random(m) < 0.5, 0, 1)
    birth = (ctx.now // DAY) - age * 365 - rng.integers(0, 365, m)
    p = T.Block(m)
    p.add("id", T.ints(first_person + 1 + np.arange(m)))
    sur, given = pick_names(ctx, rng, m)
    p.add("name", sur, given)
    p.add("gender", T.Pool(["M", "F"]).pick(gender))
    p.add("birth_date", T.dates(birth))
    adult = age >= 16
    p.add("phone", T.ints(phones(rng, m)).where(~adult, T.const("", m)))
    p.add("id_number_encrypted", T.const("", m))
    p.add("id_number_hash", T.const("", m))
    p.add("household_id", T.ints(hh_of + 1))
    elderly = age >= 60
    p.add("is_elderly", T.bools(elderly))
    p.add("lives_alone", T.bools(elderly & alone))
    p.add("is_disabled", T.bools(rng.random(m) < 0.02))
    p.add("is_infant", T.bools(age < 3))
    p.add("is_party_member", T.bools((age >= 18) & (rng.random(m) < 0.07)))
    p.add("reports_to_community_id", T.const(T.NULL, m))
    kinds = T.Pool(
        [
            "",
            *[str(k) for k in (NewEmploymentKind.COURIER, NewEmploymentKind.RIDER, NewEmploymentKind.DRIVER)],
        ]
    )
    new_emp = np.where((age >= 20) & (age <= 45) & (rng.random(m) < 0.03), rng.integers(1, 4, m), 0)
    p.add("new_employment", kinds.pick(new_emp))
    p.add("created_at", T.timestamps(ctx.now - rng.integers(DAY, 3 * 365 * DAY, m)))
    return b, p, {"households": n, "persons": m}
