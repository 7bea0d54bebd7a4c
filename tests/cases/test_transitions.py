"""The transition table, exhaustively: every status × action is either listed or refused."""

import pytest

from muling.cases import transitions
from muling.cases.enums import Action, Status
from muling.cases.errors import CaseError

PAIRS = [(s, a) for s in Status for a in Action]


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_every_pair_is_either_allowed_or_refused(status, action):
    if (status, action) in transitions.ALLOWED:
        assert transitions.target(status, action) == transitions.ALLOWED[(status, action)]
    else:
        with pytest.raises(CaseError) as exc:
            transitions.target(status, action)
        assert exc.value.code == "illegal_transition"


@pytest.mark.parametrize("status", [Status.CLOSED, Status.REJECTED, Status.MERGED])
def test_final_states_allow_nothing_but_a_callback(status):
    assert transitions.allowed_actions(status) <= {Action.CALLBACK}


def test_unknown_names_are_refused_not_crashing():
    with pytest.raises(CaseError):
        transitions.target("nonsense", "fly")


def test_the_loop_reaches_closed():
    status = Status.SUBMITTED
    for action in (Action.DISPATCH, Action.ACCEPT, Action.RESOLVE, Action.CONFIRM):
        status = transitions.target(status, action)
    assert status == Status.CLOSED
