"""The declaration is checked, and the machine decides exactly as the pure engine."""

from __future__ import annotations

import pytest

from builders import reachable_cases
from tiktok_aftersales import (
    Actor,
    InvalidTransition,
    RequestType,
    State,
)
from tiktok_aftersales.domain import Arbitration
from tiktok_aftersales.errors import DeclarationError, InvalidValue, UnknownEvent
from tiktok_aftersales.lifecycle import (
    EVENTS,
    LIFECYCLES,
    CaseModel,
    Event,
    Lifecycle,
    check_all,
    check_lifecycle,
    choose_transition,
    machine,
    machine_decides,
    on,
)
from tiktok_aftersales.lifecycle.table import HUMAN_ONLY_ARBITRATION


def test_every_declared_lifecycle_passes_its_checks():
    check_all()
    for lc in LIFECYCLES.values():
        assert check_lifecycle(lc) == []


def test_every_request_type_has_a_declaration():
    assert set(LIFECYCLES) == set(RequestType)


def _broken(**changes) -> Lifecycle:
    base = LIFECYCLES[RequestType.REFUND_ONLY]
    fields = {
        "request_type": base.request_type,
        "states": base.states,
        "terminal": base.terminal,
        "transitions": base.transitions,
    }
    fields.update(changes)
    return Lifecycle(**fields)


def test_check_reports_a_transition_into_an_undeclared_state():
    lc = _broken(
        states=tuple(
            s for s in LIFECYCLES[RequestType.REFUND_ONLY].states if s is not State.REJECTED
        )
    )
    problems = check_lifecycle(lc)
    assert any("undeclared state rejected" in p for p in problems)


def test_check_reports_a_trap_and_an_unreachable_state():
    lc = LIFECYCLES[RequestType.REFUND_ONLY]
    kept = tuple(t for t in lc.transitions if t.event not in ("complete_refund",))
    problems = check_lifecycle(
        _broken(
            request_type=RequestType.REFUND_ONLY,
            transitions=kept,
        )
    )
    assert any("non-terminal state refund_committed has no exit" in p for p in problems)
    assert any("state refunded is unreachable" in p for p in problems)
    unreachable = tuple(t for t in lc.transitions if t.event not in ("reject", "dispute"))
    problems = check_lifecycle(_broken(transitions=unreachable))
    assert any("state rejected is unreachable" in p for p in problems)


def test_unknown_names_are_refused_where_they_are_declared_and_clockless_timeouts_reported():
    with pytest.raises(UnknownEvent) as caught:
        on("teleport", frm=State.REQUESTED, to=State.CLOSED, by=Actor.BUYER)
    assert caught.value.value == "teleport"
    with pytest.raises(InvalidValue) as caught:
        on(Event.CLOSE, frm=State.REQUESTED, to=State.CLOSED, by=Actor.BUYER, when="no_such_guard")
    assert (caught.value.field, caught.value.value) == ("guard", "no_such_guard")
    bad = on(
        Event.CLOSE,
        frm=State.REQUESTED,
        to=State.CLOSED,
        by=Actor.BUYER,
        timeout=LIFECYCLES[RequestType.REFUND_ONLY].transitions[1].timeout,
    )
    lc = _broken(transitions=(*LIFECYCLES[RequestType.REFUND_ONLY].transitions, bad))
    problems = check_lifecycle(lc)
    assert any("the clock may not fire it" in p for p in problems)


def test_an_opening_event_must_be_declared_as_one():
    bad = on(Event.APPROVE, frm=State.NEW, to=State.REQUESTED, by=Actor.SELLER)
    lc = _broken(transitions=(*LIFECYCLES[RequestType.REFUND_ONLY].transitions, bad))
    assert any("EventSpec.opens" in p for p in check_lifecycle(lc))


def test_check_all_raises_a_declaration_error_listing_problems(monkeypatch):
    import sys

    machine_module = sys.modules["tiktok_aftersales.lifecycle.machine"]

    broken = _broken(terminal=frozenset({State.REFUNDED, State.CLOSED}))
    monkeypatch.setattr(
        machine_module, "LIFECYCLES", {**LIFECYCLES, RequestType.REFUND_ONLY: broken}
    )
    with pytest.raises(DeclarationError) as err:
        machine_module.check_all()
    assert any("withdrawn" in p for p in err.value.problems)


def test_every_non_terminal_state_has_a_clock_or_is_human_only():
    for lc in LIFECYCLES.values():
        for state in lc.case_states:
            if state in lc.terminal:
                continue
            assert lc.timeouts_from(state) or state in lc.human_only, (lc.request_type, state)
    assert "platform operator" in HUMAN_ONLY_ARBITRATION


def test_every_timeout_stops_while_arbitration_is_in_progress():
    for lc in LIFECYCLES.values():
        for t in lc.transitions:
            if t.timeout is not None and t.event != "complete_refund":
                assert Arbitration.IN_PROGRESS not in t.arbitration_from


def test_one_shared_machine_per_type_is_built_once():
    assert machine(RequestType.REFUND_ONLY) is machine(RequestType.REFUND_ONLY)
    assert machine(RequestType.REFUND_ONLY) is not machine(RequestType.EXCHANGE)


def _pure(case, event, actor):
    try:
        t = choose_transition(case, event, actor)
    except (InvalidTransition, UnknownEvent):
        return None
    return t.dest_from(case.state)


@pytest.mark.parametrize("kind", list(RequestType))
def test_pure_engine_decides_exactly_as_the_transitions_machine(kind):
    cases = reachable_cases(kind)
    compared = 0
    for case in cases.values():
        for event in EVENTS:
            for actor in Actor:
                assert _pure(case, event, actor) == machine_decides(case, event, actor), (
                    kind,
                    case.state,
                    case.arbitration,
                    event,
                    actor,
                )
                compared += 1
    assert compared >= len(cases) * len(EVENTS) * len(Actor)


def test_reachable_states_cover_every_declared_state():
    for kind, lc in LIFECYCLES.items():
        states = {k[0] for k in reachable_cases(kind)}
        assert states == set(lc.states), kind


def test_a_host_binds_a_mutable_object_and_fires_triggers():
    case = reachable_cases(RequestType.REFUND_ONLY)[(State.REQUESTED, Arbitration.NONE, None)]
    model = CaseModel(case)
    at = case.last_event_at
    assert model.fire("approve", Actor.SELLER, at) is True
    assert model.state == "refund_committed"
    assert model.case.state is State.REFUND_COMMITTED
    assert len(model.case.history) == len(case.history) + 1
    assert model.fire("complete_refund", Actor.OPERATOR, at)
    assert model.case.state is State.REFUNDED


def test_a_bound_object_refuses_an_actor_without_changing():
    case = reachable_cases(RequestType.REFUND_ONLY)[(State.REQUESTED, Arbitration.NONE, None)]
    model = CaseModel(case)
    assert model.fire("approve", Actor.BUYER, case.last_event_at) is False
    assert model.case is case
    assert model.state == "requested"


def test_a_model_the_host_drops_is_not_kept_alive_by_the_shared_machine():
    import gc
    import weakref

    case = reachable_cases(RequestType.REFUND_ONLY)[(State.REQUESTED, Arbitration.NONE, None)]
    refs = []
    for _ in range(2001):
        model = CaseModel(case)
        model.fire("approve", Actor.SELLER, case.last_event_at)
        refs.append(weakref.ref(model))
    del model
    gc.collect()
    assert sum(1 for r in refs if r() is not None) == 0
    assert machine(RequestType.REFUND_ONLY).models == []
