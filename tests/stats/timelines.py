"""A month of hand-built timelines (received 2026-11-02, a Monday) whose every number is worked out
by hand in test_formulas.py. Sanitation: dispatch limit 24 h, deadline 7 working days (11-11 09:00)."""

from muling.cases import services
from muling.cases.enums import Satisfaction

from .conftest import at


def build_month(world, report, when) -> dict:
    u = world.users
    worker, secretary, resident = u["grid_worker"], u["community_secretary"], u["resident"]
    c = {}
    with when(2026, 11, 2, 9, 0):
        for key in "ABCDFGI":
            c[key] = report(text=f"楼道灯坏了 {key}")
        c["H"] = report(text="燃气表漏气", category="gas")  # lands in the community queue
    with when(2026, 11, 2, 9, 5):
        c["E"] = report(text="楼道灯坏了，重复反映")
    with when(2026, 11, 2, 9, 10):
        services.case_accept(case_id=c["G"].pk, actor=worker)
    with when(2026, 11, 2, 9, 20):
        services.case_accept(case_id=c["I"].pk, actor=worker)
    with when(2026, 11, 2, 9, 30):
        services.case_accept(case_id=c["C"].pk, actor=worker)
        services.case_merge(case_id=c["E"].pk, into_id=c["A"].pk, actor=secretary)
    with when(2026, 11, 2, 10, 0):
        services.case_accept(case_id=c["A"].pk, actor=worker)
        services.case_reject(case_id=c["H"].pk, actor=secretary, reason="不属于社区职责")
    with when(2026, 11, 2, 11, 0):
        services.case_accept(case_id=c["F"].pk, actor=worker)
    with when(2026, 11, 2, 12, 0):
        services.case_summon(case_id=c["G"].pk, actor=worker, departments=[world.departments["property"]])
    with when(2026, 11, 2, 15, 0):
        services.case_resolve(case_id=c["F"].pk, actor=worker, result="已修好")
    with when(2026, 11, 2, 17, 0):
        services.case_resolve(case_id=c["I"].pk, actor=worker, result="已修好")
    with when(2026, 11, 2, 18, 0):  # not satisfied: asks the next level
        services.case_rate(
            case_id=c["I"].pk,
            actor=resident,
            satisfaction=Satisfaction.UNSATISFIED,
            if_unsatisfied="escalate",
        )
    with when(2026, 11, 3, 9, 0):
        services.case_resolve(case_id=c["A"].pk, actor=worker, result="已更换灯泡")
    with when(2026, 11, 3, 10, 0):  # 25 h after receipt: later than the 24 h limit
        services.case_accept(case_id=c["B"].pk, actor=worker)
    with when(2026, 11, 3, 11, 0):
        (summons,) = services.case_summon(
            case_id=c["B"].pk, actor=worker, departments=[world.departments["water"]], hours=24
        )
    with when(2026, 11, 3, 12, 0):
        services.case_rate(case_id=c["A"].pk, actor=resident, satisfaction=Satisfaction.SATISFIED)
    with when(2026, 11, 3, 15, 0):
        services.summons_answer(summons_id=summons.pk, actor=u["department_staff"], answer="已派人查看")
    with when(2026, 11, 4, 9, 0):
        services.case_resolve(case_id=c["B"].pk, actor=worker, result="已处理")
    with when(2026, 11, 4, 9, 30):
        request = services.case_request_extension(case_id=c["C"].pk, actor=worker, days=3, reason="等配件")
    with when(2026, 11, 4, 10, 0):  # deadline 11-11 → 11-16 (three working days later)
        services.case_decide_extension(request_id=request.pk, actor=secretary, approve=True)
    with when(2026, 11, 4, 11, 0):  # not satisfied: reopened (返工)
        services.case_rate(case_id=c["B"].pk, actor=resident, satisfaction=Satisfaction.UNSATISFIED)
    with when(2026, 11, 5, 9, 0):
        services.case_resolve(case_id=c["B"].pk, actor=worker, result="重新处理")
    with when(2026, 11, 5, 10, 0):
        services.case_rate(case_id=c["B"].pk, actor=resident, satisfaction=Satisfaction.BASICALLY)
    with when(2026, 11, 11, 10, 0):  # D was never accepted: the sweep takes it to the community …
        services.case_escalate(case_id=c["D"].pk, actor=None, reason="overdue", now=at(2026, 11, 11, 10, 0))
    with when(2026, 11, 13, 9, 0):  # after the first deadline, within the extension
        services.case_resolve(case_id=c["C"].pk, actor=worker, result="配件到了，已修好")
    with when(2026, 11, 20, 9, 0):
        services.case_resolve(case_id=c["G"].pk, actor=worker, result="终于修好")
    with when(2026, 11, 20, 11, 0):  # … and then to the street
        services.case_escalate(case_id=c["D"].pk, actor=None, reason="overdue", now=at(2026, 11, 20, 11, 0))
    with when(2026, 11, 21, 9, 0):  # C and F were never rated: closed as "not rated" after 7 days
        services.close_unrated_cases(now=at(2026, 11, 21, 9, 0))
    with when(2026, 11, 22, 9, 0):  # a call-back collects F's rating late (回访)
        services.case_callback(
            case_id=c["F"].pk, actor=secretary, note="电话回访", satisfaction=Satisfaction.SATISFIED
        )
    return c
