"""The lifecycle actions offered on the case page: for each, the transition it needs, the permission
that rules.py checks, the form that parses its input and the one service it calls.

The table only decides what the page *offers*; the service checks the permission and the
transition again when the form is posted, and its refusal is what the user sees.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import forms, screens, selectors, services
from .enums import Action
from .errors import CaseError, CaseNotFound
from .models import Case
from .transitions import allowed_actions


@dataclass(frozen=True)
class CaseAction:
    slug: str
    label: Promise
    transition: Action
    perm: str
    form: type
    run: Callable
    done: Promise
    tone: str = ""  # "primary" opens the form by default; "danger" marks a refusal
    hint: Promise | str = ""  # what the action does, shown in its form


def _cd(form) -> dict:
    return form.cleaned_data


def _target_case(request, number: str) -> Case:
    number = (number or "").strip()
    target = selectors.case_get_by_number(user=request.user, number=number) if number else None
    if target is None:
        raise CaseError("unknown_case", _("没有找到这个编号的诉求"), field="into")
    return target


def _extension_id(case: Case, pk: int) -> int:
    if not case.extension_requests.filter(pk=pk).exists():
        raise CaseNotFound("extension_not_found", _("延期申请不存在"))
    return pk


def _summons_id(case: Case, pk: int) -> int:
    if not case.summonses.filter(pk=pk).exists():
        raise CaseNotFound("summons_not_found", _("吹哨记录不存在"))
    return pk


ACTIONS = [
    CaseAction(
        "accept",
        gettext_lazy("受理"),
        Action.ACCEPT,
        "cases.accept_case",
        forms.EmptyForm,
        lambda r, c, f: services.case_accept(case_id=c.pk, actor=r.user),
        gettext_lazy("已受理，请尽快办理"),
        "primary",
    ),
    CaseAction(
        "resolve",
        gettext_lazy("办结"),
        Action.RESOLVE,
        "cases.resolve_case",
        forms.ResolveForm,
        lambda r, c, f: services.case_resolve(
            case_id=c.pk, actor=r.user, result=_cd(f)["result"], photo_uploads=r.FILES.getlist("photos")
        ),
        gettext_lazy("已办结，等待居民评价"),
        "primary",
    ),
    CaseAction(
        "rate",
        gettext_lazy("评价"),
        Action.CONFIRM,
        "cases.rate_case",
        forms.RateForm,
        lambda r, c, f: services.case_rate(
            case_id=c.pk,
            actor=r.user,
            satisfaction=_cd(f)["satisfaction"],
            comment=_cd(f)["comment"],
            if_unsatisfied=_cd(f)["if_unsatisfied"] or "reopen",
        ),
        gettext_lazy("感谢您的评价"),
        "primary",
    ),
    CaseAction(
        "dispatch",
        gettext_lazy("派遣"),
        Action.DISPATCH,
        "cases.dispatch_case",
        forms.AssignForm,
        lambda r, c, f: services.case_dispatch(
            case_id=c.pk,
            actor=r.user,
            person=_cd(f)["person"],
            department=_cd(f)["department"],
            note=_cd(f)["note"],
        ),
        gettext_lazy("已派遣"),
        "primary",
    ),
    CaseAction(
        "note",
        gettext_lazy("添加备注"),
        Action.NOTE,
        "cases.note_case",
        forms.NoteForm,
        lambda r, c, f: services.case_note(case_id=c.pk, actor=r.user, note=_cd(f)["note"]),
        gettext_lazy("备注已记录"),
    ),
    CaseAction(
        "urge",
        gettext_lazy("催办"),
        Action.URGE,
        "cases.urge_case",
        forms.OptionalNoteForm,
        lambda r, c, f: services.case_urge(case_id=c.pk, actor=r.user, note=_cd(f)["note"]),
        gettext_lazy("已催办"),
    ),
    CaseAction(
        "take-over",
        gettext_lazy("书记领办"),
        Action.TAKE_OVER,
        "cases.take_over_case",
        forms.OptionalNoteForm,
        lambda r, c, f: services.case_take_over(case_id=c.pk, actor=r.user, note=_cd(f)["note"]),
        gettext_lazy("已领办"),
        hint=gettext_lazy("由您本人牵头办理此诉求（书记领办）。"),
    ),
    CaseAction(
        "reassign",
        gettext_lazy("改派"),
        Action.REASSIGN,
        "cases.reassign_case",
        forms.AssignForm,
        lambda r, c, f: services.case_reassign(
            case_id=c.pk,
            actor=r.user,
            person=_cd(f)["person"],
            department=_cd(f)["department"],
            note=_cd(f)["note"],
        ),
        gettext_lazy("已改派"),
        hint=gettext_lazy("交给网格、社区的其他人员或职能部门办理。"),
    ),
    CaseAction(
        "summon",
        gettext_lazy("吹哨（召集部门）"),
        Action.SUMMON,
        "cases.summon_departments",
        forms.SummonForm,
        lambda r, c, f: services.case_summon(
            case_id=c.pk,
            actor=r.user,
            departments=list(_cd(f)["departments"] or []),
            note=_cd(f)["note"],
            hours=_cd(f)["hours"] if _cd(f)["hours"] is not None else services.SUMMONS_HOURS,
        ),
        gettext_lazy("已吹哨，等待部门报到"),
        hint=gettext_lazy("召集相关部门或单位到场（吹哨报到），各单位须在时限内答复。"),
    ),
    CaseAction(
        "request-extension",
        gettext_lazy("申请延期"),
        Action.REQUEST_EXTENSION,
        "cases.request_extension",
        forms.ExtensionForm,
        lambda r, c, f: services.case_request_extension(
            case_id=c.pk, actor=r.user, days=_cd(f)["days"], reason=_cd(f)["reason"]
        ),
        gettext_lazy("延期申请已提交，等待审批"),
        hint=gettext_lazy("确实无法按期办结时申请，由上级审批。"),
    ),
    CaseAction(
        "decide-extension",
        gettext_lazy("审批延期"),
        Action.DECIDE_EXTENSION,
        "cases.decide_extension",
        forms.DecideExtensionForm,
        lambda r, c, f: services.case_decide_extension(
            request_id=_extension_id(c, _cd(f)["request"]),
            actor=r.user,
            approve=_cd(f)["decision"] == "approve",
            note=_cd(f)["note"],
        ),
        gettext_lazy("延期申请已审批"),
        "primary",
    ),
    CaseAction(
        "answer-summons",
        gettext_lazy("报到答复"),
        Action.ANSWER_SUMMONS,
        "cases.answer_summons",
        forms.AnswerSummonsForm,
        lambda r, c, f: services.summons_answer(
            summons_id=_summons_id(c, _cd(f)["summons"]), actor=r.user, answer=_cd(f)["answer"]
        ),
        gettext_lazy("已报到答复"),
        "primary",
    ),
    CaseAction(
        "callback",
        gettext_lazy("回访"),
        Action.CALLBACK,
        "cases.callback_case",
        forms.CallbackForm,
        lambda r, c, f: services.case_callback(
            case_id=c.pk, actor=r.user, note=_cd(f)["note"], satisfaction=_cd(f)["satisfaction"]
        ),
        gettext_lazy("回访已记录"),
        hint=gettext_lazy("记录电话或上门回访居民的情况。"),
    ),
    CaseAction(
        "reopen",
        gettext_lazy("退回返工"),
        Action.REOPEN,
        "cases.urge_case",
        forms.NoteForm,
        lambda r, c, f: services.case_reopen(case_id=c.pk, actor=r.user, note=_cd(f)["note"]),
        gettext_lazy("已退回返工"),
        hint=gettext_lazy("居民评价前发现办理不到位，退回重新办理。"),
    ),
    CaseAction(
        "ask-next-level",
        gettext_lazy("请上级处理（书记直通车）"),
        Action.ESCALATE,
        "cases.ask_next_level",
        forms.EmptyForm,
        lambda r, c, f: services.case_escalate(case_id=c.pk, actor=r.user, reason="resident"),
        gettext_lazy("已提交上一级处理"),
        hint=gettext_lazy("办理超时或对处理不满意时，可以请上一级党组织书记直接过问。"),
    ),
    CaseAction(
        "escalate",
        gettext_lazy("上报上级"),
        Action.ESCALATE,
        "cases.escalate_case",
        forms.EmptyForm,
        lambda r, c, f: services.case_escalate(case_id=c.pk, actor=r.user, reason="manual"),
        gettext_lazy("已上报上一级"),
        hint=gettext_lazy("本级无法解决时，上报上一级办理。"),
    ),
    CaseAction(
        "merge",
        gettext_lazy("合并重复诉求"),
        Action.MERGE,
        "cases.merge_case",
        forms.MergeForm,
        lambda r, c, f: services.case_merge(
            case_id=c.pk, into_id=_target_case(r, _cd(f)["into"]).pk, actor=r.user
        ),
        gettext_lazy("已合并"),
        hint=gettext_lazy("作为重复件并入另一条正在办理的诉求，反映人转为附议并收到通知。"),
    ),
    CaseAction(
        "reject",
        gettext_lazy("不予受理"),
        Action.REJECT,
        "cases.reject_case",
        forms.ReasonForm,
        lambda r, c, f: services.case_reject(case_id=c.pk, actor=r.user, reason=_cd(f)["reason"]),
        gettext_lazy("已不予受理"),
        "danger",
        hint=gettext_lazy("不予受理将结束办理，居民会收到通知，请写明理由。"),
    ),
    CaseAction(
        "me-too",
        gettext_lazy("我也遇到了（附议）"),
        Action.ME_TOO,
        "cases.me_too",
        forms.EmptyForm,
        lambda r, c, f: services.case_me_too(case_id=c.pk, actor=r.user),
        gettext_lazy("已附议，办理进展会通知您"),
    ),
]
ACTIONS_BY_SLUG = {a.slug: a for a in ACTIONS}
# Offered in their own places on the page (per summons, per pending request), not in the action list.
PLACED_ACTIONS = {"answer-summons", "decide-extension"}


def _form_kwargs(action: CaseAction, case: Case) -> dict:
    if action.form is forms.AssignForm:
        return {
            "people": screens.assignable_people(case),
            "departments": screens.assignable_departments(case),
        }
    if action.form is forms.SummonForm:
        return {"departments": screens.assignable_departments(case)}
    return {}


def action_form(action: CaseAction, case: Case, **kwargs):
    return action.form(auto_id=f"{action.slug}-%s", **_form_kwargs(action, case), **kwargs)


def offered(user, case: Case) -> list[CaseAction]:
    """The actions the user may take on the case right now, as rules and the transition table say.
    (The services check both again when the form is posted.)"""
    allowed = allowed_actions(case.status)
    return [
        a
        for a in ACTIONS
        if a.slug not in PLACED_ACTIONS and a.transition in allowed and user.has_perm(a.perm, case)
    ]
