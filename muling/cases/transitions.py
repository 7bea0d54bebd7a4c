"""The one transition table of a case's lifecycle. Every service goes through `apply`.

Actions that do not change the status (note, urge, summon …) are listed too, mapping a status to
itself: the table then also says *when* they are allowed (never on a closed case).
"""

from django.utils.translation import gettext as _

from .enums import OPEN_STATUSES, Action, Status
from .errors import CaseError

S, A = Status, Action

ALLOWED: dict[tuple[Status, Action], Status] = {
    (S.SUBMITTED, A.DISPATCH): S.DISPATCHED,
    (S.SUBMITTED, A.ACCEPT): S.IN_PROGRESS,  # the first receiver handles it directly (首接负责)
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.DISPATCHED, A.ACCEPT): S.IN_PROGRESS,
    (S.DISPATCHED, A.REJECT): S.REJECTED,
    (S.IN_PROGRESS, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.CONFIRM): S.CLOSED,
    (S.RESOLVED, A.REOPEN): S.IN_PROGRESS,
    (S.RESOLVED, A.CLOSE_UNRATED): S.CLOSED,
    # Escalation, reassignment and take-over hand the case to a new owner, who must accept it.
    (S.SUBMITTED, A.ESCALATE): S.DISPATCHED,
    (S.DISPATCHED, A.ESCALATE): S.DISPATCHED,
    (S.IN_PROGRESS, A.ESCALATE): S.DISPATCHED,
    (S.RESOLVED, A.ESCALATE): S.DISPATCHED,  # an unsatisfied resident asks the next level
    (S.SUBMITTED, A.REASSIGN): S.DISPATCHED,
    (S.DISPATCHED, A.REASSIGN): S.DISPATCHED,
    (S.IN_PROGRESS, A.REASSIGN): S.DISPATCHED,
    (S.SUBMITTED, A.TAKE_OVER): S.IN_PROGRESS,
    (S.DISPATCHED, A.TAKE_OVER): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.TAKE_OVER): S.IN_PROGRESS,
    # Merging a duplicate into another case.
    (S.SUBMITTED, A.MERGE): S.MERGED,
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.IN_PROGRESS, A.MERGE): S.MERGED,
    # Extensions are asked for and decided while the work is going on.
    (S.DISPATCHED, A.REQUEST_EXTENSION): S.DISPATCHED,
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): S.IN_PROGRESS,
    (S.DISPATCHED, A.DECIDE_EXTENSION): S.DISPATCHED,
    (S.IN_PROGRESS, A.DECIDE_EXTENSION): S.IN_PROGRESS,
    # A staff call-back (回访) happens after the answer.
    (S.RESOLVED, A.CALLBACK): S.RESOLVED,
    (S.CLOSED, A.CALLBACK): S.CLOSED,
}
for _status in OPEN_STATUSES:
    for _action in (A.NOTE, A.URGE, A.SUMMON, A.ANSWER_SUMMONS, A.ME_TOO):
        ALLOWED[(_status, _action)] = _status
ALLOWED[(S.RESOLVED, A.NOTE)] = S.RESOLVED
ALLOWED[(S.RESOLVED, A.ANSWER_SUMMONS)] = S.RESOLVED


def target(status: str, action: str) -> Status:
    """The status after `action`, or a CaseError explaining that the move is illegal."""
    try:
        return ALLOWED[(Status(status), Action(action))]
    except (KeyError, ValueError):
        raise CaseError(
            "illegal_transition",
            _("当前状态为“%(status)s”，不能进行“%(action)s”")
            % {
                "status": Status(status).label if status in Status.values else status,
                "action": Action(action).label if action in Action.values else action,
            },
        ) from None


def allowed_actions(status: str) -> set[Action]:
    return {action for (s, action) in ALLOWED if s == status}
