"""The bulk replay path agrees with the full engine, event by event."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import (
    Actor,
    InvalidTransition,
    InvalidValue,
    OrderStage,
    RequestType,
    State,
    apply,
)
from tiktok_aftersales.analysis import (
    FastPathUnsupported,
    control_of,
    fast_table,
    replay_states,
)
from tiktok_aftersales.analysis import fast as fast_module
from tiktok_aftersales.analysis.synthetic import Behaviour, generate
from tiktok_aftersales.domain import Arbitration, Solution
from tiktok_aftersales.errors import UnknownEvent
from tiktok_aftersales.lifecycle import LIFECYCLES, predicates
from tiktok_aftersales.lifecycle.engine import choose_transition

behaviours = st.builds(
    Behaviour,
    seller_silent=st.floats(0, 1),
    buyer_ships_late=st.floats(0, 1),
    buyer_disputes=st.floats(0, 1),
    partial_offer=st.floats(0, 0.6),
    alternative_offer=st.floats(0, 0.4),
    buyer_keeps_item=st.floats(0, 1),
    buyer_declines_offer=st.floats(0, 1),
    arbitration=st.dictionaries(
        st.sampled_from(
            [Arbitration.SUPPORT_BUYER, Arbitration.SUPPORT_SELLER, Arbitration.CLOSED]
        ),
        st.floats(0.1, 1),
        min_size=1,
    ),
)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), behaviour=behaviours)
def test_final_states_equal_the_engine_on_generated_histories(
    seed: int, behaviour: Behaviour
) -> None:
    cases = list(generate(seed, 25, behaviour))
    from_type = [
        (c.case.request_type, [(e.event, e.actor, e.payload) for e in c.all_events]) for c in cases
    ]
    from_case = [(c.case, [(e.event, e.actor.value, e.payload) for e in c.events]) for c in cases]
    expected = [c.replay().state for c in cases]
    assert replay_states(from_type) == expected
    assert replay_states(from_case) == expected


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32), behaviour=behaviours)
def test_every_step_agrees_with_apply(seed: int, behaviour: Behaviour) -> None:
    table = fast_table()
    for c in generate(seed, 10, behaviour):
        case = c.case
        control = control_of(case)
        for e in c.events:
            case = apply(case, e.event, e.actor, e.at, e.payload)
            control = table.move(control, e.event, e.actor.value, e.payload)
            offer = None if case.offer is None else Solution(case.offer.solution)
            assert table.controls[control] == (
                case.request_type,
                case.state,
                case.arbitration,
                offer,
            )


def test_every_tabled_move_is_what_the_engine_chooses() -> None:
    table = fast_table()
    for (control, event, actor), nxt in table.moves.items():
        if nxt < 0:
            continue
        probe = table.probes[control]
        t = choose_transition(probe, event, actor)
        kind, state, arbitration, _ = table.controls[control]
        assert table.controls[nxt][:3] == (
            kind,
            t.dest_from(state),
            t.arbitration_to or arbitration,
        )


def test_moves_the_engine_refuses_are_not_tabled() -> None:
    table = fast_table()
    for control, probe in enumerate(table.probes):
        lc = LIFECYCLES[probe.request_type]
        for state, event in lc.index:
            if state is not probe.state:
                continue
            for actor in Actor:
                if (control, event, actor.value) in table.moves:
                    continue
                with pytest.raises(InvalidTransition):
                    choose_transition(probe, event, actor)


def test_only_payload_dependent_moves_go_to_the_engine() -> None:
    slow = {(kind, state, event, actor) for kind, state, event, actor in fast_table().slow_keys}
    assert (
        RequestType.RETURN_AND_REFUND,
        State.REQUESTED,
        "approve",
        Actor.SELLER,
    ) in slow
    assert {event for _, _, event, _ in slow} == {"approve", "propose_alternative"}
    assert all(state is State.REQUESTED for _, state, _, _ in slow)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"buyer_keep_item": True}, State.REFUND_COMMITTED),
        ({"buyer_keep_item": False}, State.AWAITING_BUYER_SHIPMENT),
        (None, State.AWAITING_BUYER_SHIPMENT),
        ({"note": "ok"}, State.AWAITING_BUYER_SHIPMENT),
    ],
)
def test_approving_a_return_with_buyer_keep_item_refunds_without_a_return(
    payload: dict[str, object] | None, expected: State
) -> None:
    stream = [("request", "buyer"), ("approve", "seller", payload)]
    assert replay_states([(RequestType.RETURN_AND_REFUND, stream)] * 2) == [expected] * 2


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        (Solution.RESHIPMENT, State.RESHIPPED),
        ("replacement", State.REPLACEMENT_CREATED),
    ],
)
def test_an_accepted_alternative_follows_the_solution_offered(
    solution: object, expected: State
) -> None:
    stream = [
        ("request", Actor.BUYER),
        ("propose_alternative", Actor.SELLER, {"solution": solution}),
        ("accept_offer", Actor.BUYER),
    ]
    assert replay_states([("reshipment", stream)]) == [expected]


def test_an_accepted_partial_offer_commits_the_refund() -> None:
    stream = [
        ("request", "buyer"),
        ("offer_partial_refund", "seller", {"amount": "ignored by the state path"}),
        ("accept_offer", "buyer"),
        ("complete_refund", "system"),
    ]
    assert replay_states([("refund_only", stream)]) == [State.REFUNDED]


def test_arbitration_is_tracked_beside_the_state() -> None:
    stream = [
        ("request", "buyer"),
        ("reject", "seller"),
        ("dispute", "buyer"),
        ("rule_for_buyer", "operator"),
    ]
    assert replay_states([("refund_only", stream)]) == [State.REFUND_COMMITTED]
    with pytest.raises(InvalidTransition):
        replay_states([("refund_only", [*stream[:3], ("withdraw", "buyer")])])


def test_empty_streams_stay_where_they_start() -> None:
    assert replay_states([]) == []
    assert replay_states([("exchange", [])]) == [State.NEW]


def test_an_illegal_event_raises_the_engine_error_with_the_stream() -> None:
    streams = [
        ("refund_only", [("request", "buyer")]),
        ("refund_only", [("request", "buyer"), ("ship_back", "buyer")]),
    ]
    with pytest.raises(InvalidTransition) as err:
        replay_states(streams)
    assert err.value.event == "ship_back"
    assert err.value.state is State.REQUESTED
    assert any("stream 1" in note for note in err.value.__notes__)


def test_an_unknown_event_raises_unknown_event() -> None:
    with pytest.raises(UnknownEvent):
        replay_states([("refund_only", [("request", "buyer"), ("teleport", "buyer")])])


def test_a_wrong_actor_is_refused_as_the_engine_refuses_it() -> None:
    with pytest.raises(InvalidTransition):
        replay_states([("refund_only", [("request", "seller")])])
    with pytest.raises(InvalidValue) as err:
        replay_states([("refund_only", [("request", "alien")])])
    assert err.value.field == "actor"


def test_an_unknown_request_type_names_field_and_value() -> None:
    with pytest.raises(InvalidValue) as err:
        replay_states([("gift_card", [("request", "buyer")])])
    assert (err.value.field, err.value.value) == ("request_type", "gift_card")


def test_a_missing_deciding_payload_field_is_refused() -> None:
    stream = [("request", "buyer"), ("propose_alternative", "seller")]
    with pytest.raises(InvalidValue) as err:
        replay_states([("reshipment", stream)])
    assert err.value.field == "payload.solution"


def test_streams_are_not_changed() -> None:
    events = [("request", "buyer", None), ("approve", "seller", {"buyer_keep_item": True})]
    copy = [tuple(e) for e in events]
    replay_states([("return_and_refund", events)])
    assert events == copy


def test_a_guard_on_other_case_data_is_refused_when_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guard = predicates.OFFER_IS_RESHIPMENT
    original = guard.test
    # Predicates are frozen values; swap the test in place for this test only.
    object.__setattr__(guard, "test", lambda case, _p: case.order_stage is OrderStage.DELIVERED)
    try:
        with pytest.raises(FastPathUnsupported) as err:
            fast_module._build()
    finally:
        object.__setattr__(guard, "test", original)
    assert any("accept_offer" in p for p in err.value.problems)


DOC = Path(__file__).resolve().parent.parent / "docs" / "howto" / "replay-in-bulk.md"


def test_the_examples_of_the_bulk_replay_page_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{DOC.name} block {i}", "exec"), namespace)
