"""Every formula on hand-built timelines: reopened, extended, escalated, merged, rejected, rated late
by call-back, rated unsatisfied, and never rated. Expected numbers are worked out by hand below."""

from datetime import date

import pytest

from muling.cases.models import Case
from muling.stats import rollups, selectors
from muling.stats.facts import case_counters, ev_of, facts_of
from muling.stats.indicators import evaluate
from muling.stats.models import DailyRollup
from muling.stats.services import StatsQuery


def counters_of(case):
    case = Case.objects.get(pk=case.pk)
    return case_counters(facts_of(case), [ev_of(e) for e in case.events.order_by("at", "id")])


def nonzero(counters):
    return {k: v for k, v in counters.items() if v}


def november(world, **kw):
    return StatsQuery(
        area=world.area("street"), date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), **kw
    )


H = 3600


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # accepted after 1 h, resolved after 24 h, rated satisfied: the loop as it should be
        ("A", dict(received=1, dispatched=1, valid=1, due_respond=1, responded=1, responded_on_time=1,
                   respond_seconds=H, respond_h1=1, resolved_reported=1, resolve_seconds=24 * H, resolve_h1=1,
                   closed=1, resolved_confirmed=1, closed_on_time=1, handled=1, rated=1, satisfied=1)),
        # accepted after 25 h (late), reopened once, the latest rating counts; one summons answered in time
        ("B", dict(received=1, dispatched=1, valid=1, due_respond=1, responded=1, respond_seconds=25 * H,
                   respond_h6=1, resolved_reported=1, resolve_seconds=72 * H, resolve_h3=1, closed=1,
                   resolved_confirmed=1, closed_on_time=1, handled=1, reopened=1, rated=1, basically=1,
                   summoned=1, summons_answered_on_time=1)),
        # extended, resolved after the first deadline but within the extension, closed without a rating
        ("C", dict(received=1, dispatched=1, valid=1, due_respond=1, responded=1, responded_on_time=1,
                   respond_seconds=H // 2, respond_h0=1, resolved_reported=1, resolve_seconds=264 * H,
                   resolve_h5=1, closed=1, closed_on_time=1, handled=1, extended=1)),
        # never accepted, escalated twice by the sweep
        ("D", dict(received=1, dispatched=1, valid=1, due_respond=1, escalated=1, escalations_l2=1,
                   escalations_l3=1)),
        # merged into A before anyone answered: neither due to respond nor to resolve
        ("E", dict(received=1, dispatched=1, merged=1)),
        # resolved the same day, closed unrated, rated later by a call-back: rated, never "confirmed"
        ("F", dict(received=1, dispatched=1, valid=1, due_respond=1, responded=1, responded_on_time=1,
                   respond_seconds=2 * H, respond_h2=1, resolved_reported=1, resolve_seconds=6 * H, resolve_h1=1,
                   closed=1, closed_on_time=1, handled=1, rated=1, satisfied=1)),
        # resolved late and never rated: not closed, not rated, not satisfied; summons never answered
        ("G", dict(received=1, dispatched=1, valid=1, due_respond=1, responded=1, responded_on_time=1,
                   respond_seconds=600, respond_h0=1, resolved_reported=1, resolve_seconds=18 * 24 * H,
                   resolve_h6=1, handled=1, summoned=1)),
        # rejected from the community queue: not dispatched, not valid
        ("H", dict(received=1, rejected=1)),
        # resolved, rated unsatisfied, sent to the next level: handled and rated, no longer resolved
        ("I", dict(received=1, dispatched=1, valid=1, due_respond=1, responded=1, responded_on_time=1,
                   respond_seconds=1200, respond_h0=1, handled=1, rated=1, unsatisfied=1, escalated=1,
                   escalations_l2=1)),
    ],
)  # fmt: skip
def test_counters_of_each_timeline(month, key, expected):
    assert nonzero(counters_of(month[key])) == nonzero(expected)


def test_every_indicator_of_the_month(world, month):
    totals = selectors.totals(november(world))
    values = {code: v.value for code, v in evaluate(totals).items()}
    assert values == {
        "received": 9,
        "dispatched": 8,
        "resolved": 5,  # A B C F G (handler's report)
        "closed": 4,  # A B C F
        "response_rate": 71.4,  # 5 on time (A C F G I) / 7 due (all but merged E and rejected H)
        "resolution_rate": 71.4,  # 5 / 7 valid
        "satisfaction_rate": 75.0,  # A F satisfied + B basically / 4 rated (I unsatisfied); G never rated
        "closure_rate": 57.1,  # 4 / 7
        "on_time_closure_rate": 57.1,  # A B C F all resolved within their deadline / 7
        "rework_rate": 16.7,  # B / 6 handled
        "extension_rate": 14.3,  # C / 7
        "avg_respond_hours": 4.8,  # (1 + 25 + 0.5 + 2 + 1/6 + 1/3) h / 6
        "p90_respond_hours": 72.0,  # the 6th of 6 (B, 25 h) is in the "≤ 72 h" bucket
        "avg_resolve_hours": 159.6,  # (24 + 72 + 264 + 6 + 432) h / 5
        "p90_resolve_hours": 720.0,  # the 5th of 5 (G, 18 days) is in the "≤ 30 days" bucket
        "escalated": 2,  # D I
        "escalations_community": 2,
        "escalations_street": 1,
        "escalations_county": 0,
        "summons_on_time_rate": 50.0,  # water answered in time / water + property summoned
        "composite_score": 72.7,  # 71.4 × 30% + 71.4 × 35% + 75.0 × 35%
    }


def test_resolution_by_resident_confirmation(world, month, settings):
    settings.MULING_RESOLUTION_BASIS = "confirmation"
    values = evaluate(selectors.totals(november(world)))
    assert values["resolved"].value == 2  # only A and B were confirmed by the resident
    assert values["resolution_rate"].value == 28.6


def test_weights_come_from_settings(world, month, settings):
    settings.MULING_INDICATOR_WEIGHTS = {"response_rate": 0, "resolution_rate": 0, "satisfaction_rate": 1}
    assert evaluate(selectors.totals(november(world)))["composite_score"].value == 75.0


def test_rates_without_a_denominator_are_blank_not_zero(world, categories):
    values = evaluate(selectors.totals(november(world)))
    assert values["received"].value == 0
    assert values["satisfaction_rate"].value is None and values["satisfaction_rate"].display == "—"
    assert values["composite_score"].value is None


def test_rollup_equals_rebuild_equals_direct(world, month):
    direct = rollups.rows_from_cases(Case.objects.all())
    assert rollups.rows_in_table() == direct
    DailyRollup.objects.update(received=999)  # damage it; the rebuild must put it right
    rollups.rebuild()
    assert rollups.rows_in_table() == direct
    assert selectors.totals(november(world)) == selectors.totals_direct(november(world))


def test_department_and_person_slices(world, month):
    water = november(world, department=world.departments["water"])
    assert selectors.totals(water)["received"] == 0  # summoned to B, never its handler
    worker = november(world, person=world.users["grid_worker"].person)
    assert selectors.totals(worker)["received"] == 8  # every sanitation case; not the rejected gas case
    secretary = november(world, person=world.users["community_secretary"].person)
    # D and I reached the community secretary by escalation; H sat in the community queue unowned
    assert selectors.totals(secretary)["received"] == 2
