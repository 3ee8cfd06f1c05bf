"""The pure engine's contract: typed errors, untouched input, allowed events, dry runs."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from builders import T0, fresh, run, usd_lines
from tiktok_aftersales import (
    Actor,
    InvalidTransition,
    InvalidValue,
    OrderStage,
    RequestType,
    State,
    allowed_events,
    apply,
    can_fire,
    dry_run,
    open_case,
)
from tiktok_aftersales.domain import Arbitration, new_case
from tiktok_aftersales.errors import (
    ArbitrationInProgress,
    EventOutOfOrder,
    GuardRejected,
    NaiveDatetime,
    UnknownEvent,
)
from tiktok_aftersales.lifecycle import is_terminal

B, S, P, SYS = Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM


def requested(kind=RequestType.REFUND_ONLY):
    return run(fresh(kind), ("request", B))


def test_invalid_transition_names_type_state_event_actor_and_what_is_allowed():
    case = requested()
    with pytest.raises(InvalidTransition) as err:
        apply(case, "confirm_receipt", S, T0 + timedelta(hours=1))
    e = err.value
    assert (e.request_type, e.state, e.event, e.actor) == (
        RequestType.REFUND_ONLY,
        State.REQUESTED,
        "confirm_receipt",
        S,
    )
    allowed = dict(e.allowed)
    assert set(allowed) >= {"approve", "reject", "offer_partial_refund", "withdraw"}
    assert "refund_only" in str(e) and "approve by" in str(e)


def test_an_actor_who_may_not_fire_the_event_is_refused():
    with pytest.raises(InvalidTransition) as err:
        apply(requested(), "approve", B, T0 + timedelta(hours=1))
    assert "only" in err.value.reason


def test_seller_actions_during_arbitration_are_refused_with_the_platform_code():
    case = run(requested(), ("reject", S), ("dispute", B))
    assert case.arbitration is Arbitration.IN_PROGRESS
    with pytest.raises(ArbitrationInProgress) as err:
        apply(case, "close", SYS, T0 + timedelta(days=9))
    assert err.value.platform_code == 25011010


def test_a_false_guard_is_reported_as_such():
    case = run(
        requested(RequestType.RETURN_AND_REFUND),
        ("propose_alternative", S, {"solution": "reshipment"}),
    )
    assert can_fire(case, "accept_offer", B)
    ro = run(requested(), ("offer_partial_refund", S, {"amount": usd_lines()[0].paid.total}))
    assert can_fire(ro, "accept_offer", B)
    # A stale offer of the wrong kind cannot be accepted as another kind:
    from tiktok_aftersales.lifecycle import choose_transition

    t = choose_transition(case, "accept_offer", B)
    assert t.guard is not None and t.guard.name == "offer_is_reshipment"
    import attrs

    no_offer = attrs.evolve(case, offer=None)
    with pytest.raises(GuardRejected):
        apply(no_offer, "accept_offer", B, T0 + timedelta(hours=1))


def test_naive_datetimes_are_refused():
    with pytest.raises(NaiveDatetime) as err:
        apply(requested(), "approve", S, datetime(2026, 3, 2, 10, 0))
    assert err.value.field == "at"


def test_an_event_earlier_than_the_history_is_refused():
    case = run(requested(), ("reject", S))
    with pytest.raises(EventOutOfOrder) as err:
        apply(case, "dispute", B, T0 - timedelta(seconds=1))
    assert err.value.last == case.last_event_at


def test_unknown_events_and_actors_are_typed_errors():
    with pytest.raises(UnknownEvent) as err:
        apply(requested(), "approv", S, T0 + timedelta(hours=1))
    assert "approve" in err.value.known
    with pytest.raises(InvalidValue) as err2:
        apply(requested(), "approve", "merchant", T0 + timedelta(hours=1))
    assert err2.value.field == "actor"


def test_malformed_payloads_are_typed_errors_naming_the_field():
    case = requested(RequestType.RETURN_AND_REFUND)
    with pytest.raises(InvalidValue) as err:
        apply(case, "propose_alternative", S, T0 + timedelta(hours=1), {"solution": "money"})
    assert err.value.field == "payload.solution"
    with pytest.raises(InvalidValue) as err:
        apply(case, "offer_partial_refund", S, T0 + timedelta(hours=1))
    assert err.value.field == "payload.amount"


def test_a_failed_apply_leaves_the_case_exactly_as_it_was():
    case = run(requested(), ("reject", S))
    snapshot = copy.deepcopy(case)
    for event, actor in [("approve", S), ("dispute", S), ("nope", B), ("close", B)]:
        with pytest.raises((InvalidTransition, UnknownEvent)):
            apply(case, event, actor, T0 + timedelta(hours=2))
    assert case == snapshot


def test_apply_appends_one_history_entry_and_bumps_the_version():
    case = requested()
    after = apply(case, "approve", S, T0 + timedelta(hours=1), {"note": "ok"})
    assert len(after.history) == len(case.history) + 1
    assert after.version == case.version + 1
    last = after.history[-1]
    assert (last.seq, last.event, last.actor, last.state) == (
        2,
        "approve",
        S,
        State.REFUND_COMMITTED,
    )
    assert last.payload == {"note": "ok"}
    assert case.state is State.REQUESTED


def test_allowed_events_are_the_seller_tool_buttons():
    buttons = {a.event for a in allowed_events(requested(RequestType.RETURN_AND_REFUND), S)}
    assert buttons == {"approve", "reject", "offer_partial_refund", "propose_alternative"}
    assert {a.event for a in allowed_events(requested(), B)} == {"withdraw"}
    approve = next(a for a in allowed_events(requested()) if a.event == "approve")
    assert approve.timeout == "seller_response"
    assert SYS in approve.actors


def test_allowed_events_in_a_terminal_state_are_empty():
    case = run(requested(), ("withdraw", B))
    assert allowed_events(case) == ()
    assert is_terminal(case)


def test_dry_run_returns_state_and_effects_without_committing():
    case = run(fresh(RequestType.REFUND_ONLY, OrderStage.NOT_SHIPPED), ("request", B))
    preview = dry_run(case, "approve", S, T0 + timedelta(hours=1))
    assert preview.state is State.REFUND_COMMITTED
    assert [e.kind.value for e in preview.effects] == ["issue_refund", "release_stock"]
    assert case.state is State.REQUESTED and len(case.effects) == 1


def test_effect_keys_are_stable_for_the_same_case_and_event():
    case = requested()
    a = apply(case, "approve", S, T0 + timedelta(hours=1))
    b = apply(case, "approve", S, T0 + timedelta(hours=3))
    assert [e.key for e in a.effects] == [e.key for e in b.effects] == ["case-1/2/issue_refund"]


def test_effects_are_marked_done_by_key():
    case = apply(requested(), "approve", S, T0 + timedelta(hours=1))
    assert [e.kind.value for e in case.pending_effects] == ["issue_refund"]
    done = case.mark_effects_done([case.effects[0].key])
    assert done.pending_effects == ()
    assert done.version == case.version + 1
    assert done.mark_effects_done([case.effects[0].key]) is done
    with pytest.raises(InvalidValue):
        case.mark_effects_done(["nope"])


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("request_type", {"request_type": "refund"}),
        ("case_id", {"case_id": ""}),
        ("order_id", {"order_id": "  "}),
        ("region", {"region": "ZZ"}),
        ("order_stage", {"order_stage": "lost"}),
        ("lines", {"lines": []}),
    ],
)
def test_new_case_refuses_bad_input_naming_the_field(field, kwargs):
    args = {
        "request_type": RequestType.REFUND_ONLY,
        "case_id": "c",
        "order_id": "o",
        "region": "US",
        "lines": usd_lines(),
        "order_stage": OrderStage.DELIVERED,
    }
    args.update(kwargs)
    kind = args.pop("request_type")
    with pytest.raises(InvalidValue) as err:
        new_case(kind, **args)
    assert err.value.field == field


def test_open_case_refuses_an_opening_the_type_does_not_have():
    with pytest.raises(InvalidTransition):
        open_case(
            RequestType.REFUND_ONLY,
            case_id="c",
            order_id="o",
            region="US",
            lines=usd_lines(),
            at=T0,
            event="initiate_refund",
            actor=S,
        )


def test_open_case_uses_lower_case_region_codes_and_string_types():
    case = open_case("exchange", case_id="c", order_id="o", region="id", lines=usd_lines(), at=T0)
    assert case.region.code == "ID" and case.request_type is RequestType.EXCHANGE
    assert case.opened_at == T0 and case.entered_at == T0
