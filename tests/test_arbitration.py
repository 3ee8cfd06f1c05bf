"""Disputes and arbitration: every outcome for every type with rejections, and the clock.

The overview (platform-api.md §2b) says where a ruling leads: for the buyer,
a refund-only request goes to success (refund committed), a rejected return
request back to awaiting buyer shipment, a rejected parcel to success, a
rejected replacement to complete (replacement created). For the seller, or
with no dispute in time: cancelled (closed). Seed 001's appeal and seed 004's
arbitration are the same mechanism.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from builders import T0, usd_lines
from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    EffectKind,
    InvalidTransition,
    RequestType,
    State,
    Window,
    apply,
    open_case,
)
from tiktok_aftersales.deadlines.clock import advance, running_deadlines
from tiktok_aftersales.domain import Arbitration
from tiktok_aftersales.errors import ArbitrationInProgress
from tiktok_aftersales.lifecycle import allowed_events, lifecycle

B, S, P, SYS = Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM
H = timedelta(hours=1)
RR = RequestType.RETURN_AND_REFUND


def _opened(kind: RequestType, region: str = "US") -> AfterSalesCase:
    return open_case(kind, case_id="arb-1", order_id="o-1", region=region, lines=usd_lines(), at=T0)


def _steps(case: AfterSalesCase, *steps: tuple[str, Actor]) -> AfterSalesCase:
    at = case.last_event_at or T0
    for event, actor in steps:
        at += H
        case = apply(case, event, actor, at)
    return case


def rejected_request(kind: RequestType) -> AfterSalesCase:
    return _steps(_opened(kind), ("reject", S))


def rejected_parcel() -> AfterSalesCase:
    return _steps(
        _opened(RR),
        ("approve", S),
        ("ship_back", B),
        ("parcel_delivered", Actor.LOGISTICS),
        ("reject_receipt", S),
    )


# Every rejection a buyer may dispute, and where a ruling for the buyer leads.
REJECTIONS: dict[str, tuple[Callable[[], AfterSalesCase], State, EffectKind | None]] = {
    "refund_only": (
        lambda: rejected_request(RequestType.REFUND_ONLY),
        State.REFUND_COMMITTED,
        EffectKind.ISSUE_REFUND,
    ),
    "return_request": (lambda: rejected_request(RR), State.AWAITING_BUYER_SHIPMENT, None),
    "return_parcel": (rejected_parcel, State.REFUND_COMMITTED, EffectKind.ISSUE_REFUND),
    "replacement": (
        lambda: rejected_request(RequestType.EXCHANGE),
        State.REPLACEMENT_CREATED,
        EffectKind.CREATE_REPLACEMENT_ORDER,
    ),
    # seed 001 appeal [I: a ruling for the buyer refunds]
    "reshipment": (
        lambda: rejected_request(RequestType.RESHIPMENT),
        State.REFUND_COMMITTED,
        EffectKind.ISSUE_REFUND,
    ),
}


def build(name: str) -> AfterSalesCase:
    return REJECTIONS[name][0]()


def last(case: AfterSalesCase) -> datetime:
    assert case.last_event_at is not None
    return case.last_event_at


def disputed(name: str) -> AfterSalesCase:
    case = build(name)
    return apply(case, "dispute", B, last(case) + H)


def test_the_table_covers_every_type_with_a_rejection() -> None:
    kinds = {
        kind
        for kind, lc in ((k, lifecycle(k)) for k in RequestType)
        if any(t.event == "dispute" for t in lc.transitions)
    }
    covered = {build(name).request_type for name in REJECTIONS}
    assert covered == kinds
    rejected_states = {
        s for t in lifecycle(RR).transitions if t.event == "dispute" for s in t.sources
    }
    assert rejected_states == {State.REJECTED, State.RECEIPT_REJECTED}


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_a_dispute_puts_the_case_in_arbitration_and_stops_the_clock(name: str) -> None:
    before = build(name)
    assert [d.window for d in running_deadlines(before)] == [Window.BUYER_DISPUTE]
    case = disputed(name)
    assert case.state is before.state
    assert case.arbitration is Arbitration.IN_PROGRESS
    assert running_deadlines(case) == ()
    assert advance(case, T0 + timedelta(days=3650)) is case


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_a_ruling_for_the_buyer(name: str) -> None:
    _make, target, effect = REJECTIONS[name]
    case = disputed(name)
    ruled = apply(case, "rule_for_buyer", P, last(case) + H)
    assert ruled.state is target
    assert ruled.arbitration is Arbitration.SUPPORT_BUYER
    new_effects = ruled.effects[len(case.effects) :]
    if effect is not None:
        assert effect in {e.kind for e in new_effects}
    else:
        assert new_effects == ()


@pytest.mark.parametrize("name", list(REJECTIONS))
@pytest.mark.parametrize(
    ("event", "arbitration"),
    [("rule_for_seller", Arbitration.SUPPORT_SELLER), ("close_arbitration", Arbitration.CLOSED)],
)
def test_a_ruling_for_the_seller_or_a_closed_arbitration_closes_the_request(
    name: str, event: str, arbitration: Arbitration
) -> None:
    case = disputed(name)
    ruled = apply(case, event, P, last(case) + H)
    assert ruled.state is State.CLOSED
    assert ruled.arbitration is arbitration
    assert ruled.refund is None
    assert running_deadlines(ruled) == ()


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_no_dispute_in_time_closes_the_request_through_the_clock(name: str) -> None:
    case = build(name)
    rejected_at = last(case)
    assert advance(case, rejected_at + 47 * H).state is case.state
    report = advance(case, rejected_at + 48 * H, report=True)
    assert [d.event for d in report.fired] == ["close"]
    closed = report.case
    assert closed.state is State.CLOSED
    assert closed.arbitration is Arbitration.NONE
    assert (closed.history[-1].actor, closed.history[-1].at) == (SYS, rejected_at + 48 * H)


def test_a_dispute_just_before_the_window_ends_wins() -> None:
    case = build("refund_only")
    rejected_at = last(case)
    late = apply(case, "dispute", B, rejected_at + 48 * H - timedelta(seconds=1))
    assert advance(late, rejected_at + 100 * H).state is State.REJECTED


def test_indonesia_appeal_window_is_48_hours() -> None:
    case = _steps(_opened(RR, region="ID"), ("reject", S))
    rejected_at = last(case)
    (d,) = running_deadlines(case)
    assert (d.window, d.actor, d.due, d.target) == (
        Window.BUYER_DISPUTE,
        B,
        rejected_at + 48 * H,
        State.CLOSED,
    )


@pytest.mark.parametrize("name", list(REJECTIONS))
@pytest.mark.parametrize(
    "event", ["approve", "reject", "confirm_receipt", "reject_receipt", "refund_instead", "reship"]
)
def test_seller_actions_during_arbitration_are_refused_with_the_platform_code(
    name: str, event: str
) -> None:
    case = disputed(name)
    with pytest.raises(ArbitrationInProgress) as err:
        apply(case, event, S, last(case) + H)
    assert err.value.platform_code == 25011010
    assert err.value.event == event
    assert err.value.actor is S
    assert case.arbitration is Arbitration.IN_PROGRESS
    assert case.state is build(name).state


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_only_the_platform_operator_can_move_a_case_in_arbitration(name: str) -> None:
    case = disputed(name)
    movers = {a for allowed in allowed_events(case) for a in allowed.actors}
    assert movers == {P}
    # a rejected parcel may also be sent back to the buyer (VN seller-to-customer return)
    extra = {"require_return_to_buyer"} if case.state is State.RECEIPT_REJECTED else set()
    assert {a.event for a in allowed_events(case)} == {
        "rule_for_buyer",
        "rule_for_seller",
        "close_arbitration",
        *extra,
    }
    with pytest.raises(InvalidTransition):
        apply(case, "close", SYS, last(case) + 100 * H)


def test_after_a_ruling_for_the_buyer_the_return_runs_its_clocks_again() -> None:
    case = disputed("return_request")
    ruled = apply(case, "rule_for_buyer", P, last(case) + H)
    (d,) = running_deadlines(ruled)
    assert d.window is Window.BUYER_SHIP_BACK
    assert d.started == ruled.last_event_at
    assert advance(ruled, d.due).state is State.CLOSED


def test_a_parcel_rejected_after_a_ruling_for_the_buyer_can_be_disputed_again() -> None:
    case = disputed("return_request")
    case = apply(case, "rule_for_buyer", P, last(case) + H)
    case = _steps(case, ("ship_back", B), ("parcel_delivered", Actor.LOGISTICS))
    case = _steps(case, ("reject_receipt", S))
    assert (case.state, case.arbitration) == (State.RECEIPT_REJECTED, Arbitration.SUPPORT_BUYER)
    # silent buyer: the request closes after the dispute window
    (d,) = running_deadlines(case)
    assert d.window is Window.BUYER_DISPUTE
    assert advance(case, d.due).state is State.CLOSED
    # or a second dispute, ruled for the buyer: refunded
    again = _steps(case, ("dispute", B))
    assert again.arbitration is Arbitration.IN_PROGRESS
    won = _steps(again, ("rule_for_buyer", P))
    assert won.state is State.REFUND_COMMITTED
