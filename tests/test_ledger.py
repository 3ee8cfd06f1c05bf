"""Money is bounded per order: every case of one order shares what its lines paid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import T0, usd_lines
from tiktok_aftersales import (
    Actor,
    Money,
    Refund,
    RequestType,
    State,
)
from tiktok_aftersales.domain import Breakdown, OrderLedger, OrderLine
from tiktok_aftersales.errors import (
    CurrencyMismatch,
    InvalidTransition,
    InvalidValue,
    OrderOverRefund,
    OverRefund,
)
from tiktok_aftersales.lifecycle import allowed_events, apply_on_order, open_on_order

ORDER = "577000000000000001"
H = timedelta(hours=1)


def _one_line_order() -> list[OrderLine]:
    return [OrderLine("L1", "MUG-01", Breakdown.of("20.00", "USD", tax="1.60"))]


def _seller_refund(case_id, order_cases, amount, at=T0):
    lines = _one_line_order()
    return open_on_order(
        order_cases,
        RequestType.SELLER_REFUND,
        case_id=case_id,
        order_id=ORDER,
        region="US",
        lines=lines,
        at=at,
        payload={
            "refund": Refund.order(lines)
            if amount == "all"
            else Refund.partial("L1", Money(amount, "USD"))
        },
    )


def test_a_second_seller_refund_beyond_what_the_order_has_left_is_refused():
    first = _seller_refund("s-1", [], "all")
    committed = apply_on_order(first, [first], "approve", Actor.SYSTEM, T0 + H)
    with pytest.raises(OrderOverRefund) as caught:
        _seller_refund("s-2", [committed], "all", T0 + 2 * H)
    error = caught.value
    assert (error.order_id, error.line_id) == (ORDER, "L1")
    assert error.asked == Money("21.60", "USD")
    assert error.left == Money("0.00", "USD")
    assert isinstance(error, OverRefund) and isinstance(error, ValueError)


def test_a_pending_request_holds_nothing_but_its_approval_is_refused_without_room():
    lines = _one_line_order()
    refund = open_on_order(
        [],
        RequestType.SELLER_REFUND,
        case_id="s-1",
        order_id=ORDER,
        region="US",
        lines=lines,
        at=T0,
        payload={"refund": Refund.partial("L1", Money("15.00", "USD"))},
    )
    refund = apply_on_order(refund, [refund], "approve", Actor.SYSTEM, T0 + H)
    buyer = open_on_order(
        [refund],
        RequestType.REFUND_ONLY,
        case_id="b-1",
        order_id=ORDER,
        region="US",
        lines=lines,
        at=T0 + 2 * H,
    )
    assert buyer.state is State.REQUESTED  # opening stakes nothing
    before = buyer
    with pytest.raises(OrderOverRefund) as caught:
        apply_on_order(buyer, [refund, buyer], "approve", Actor.SELLER, T0 + 3 * H)
    assert caught.value.left == Money("6.60", "USD")
    assert buyer == before


def test_an_offer_within_what_is_left_passes_and_one_beyond_it_is_refused():
    lines = _one_line_order()
    paid = _seller_refund("s-1", [], "15.00")
    paid = apply_on_order(paid, [paid], "approve", Actor.SYSTEM, T0 + H)
    buyer = open_on_order(
        [paid], RequestType.REFUND_ONLY, case_id="b-1", order_id=ORDER, region="US",
        lines=lines, at=T0 + 2 * H,
    )  # fmt: skip
    offered = apply_on_order(
        buyer, [paid], "offer_partial_refund", Actor.SELLER, T0 + 3 * H,
        {"amount": Money("6.60", "USD")},
    )  # fmt: skip
    assert offered.state is State.AWAITING_BUYER_RESPONSE
    with pytest.raises(OrderOverRefund):
        apply_on_order(
            buyer, [paid], "offer_partial_refund", Actor.SELLER, T0 + 3 * H,
            {"amount": Money("6.61", "USD")},
        )  # fmt: skip


def test_a_case_that_ended_without_a_refund_holds_nothing():
    lines = _one_line_order()
    buyer = open_on_order(
        [], RequestType.REFUND_ONLY, case_id="b-1", order_id=ORDER, region="US",
        lines=lines, at=T0,
    )  # fmt: skip
    rejected = apply_on_order(buyer, [buyer], "withdraw", Actor.BUYER, T0 + H)
    ledger = OrderLedger.of(ORDER, lines, [rejected])
    assert ledger.left_total == Money("21.60", "USD") and ledger.holders == ()


def test_the_ledger_refuses_a_case_of_another_order_and_lines_that_disagree():
    lines = _one_line_order()
    other = open_on_order(
        [], RequestType.REFUND_ONLY, case_id="b-1", order_id="999", region="US",
        lines=lines, at=T0,
    )  # fmt: skip
    with pytest.raises(InvalidValue) as caught:
        OrderLedger.of(ORDER, lines, [other])
    assert caught.value.field == "cases.order_id"
    cheaper = [OrderLine("L1", "MUG-01", Breakdown.of("10.00", "USD"))]
    with pytest.raises(InvalidValue):
        OrderLedger.of(ORDER, cheaper, [open_on_order(
            [], RequestType.REFUND_ONLY, case_id="b-2", order_id=ORDER, region="US",
            lines=lines, at=T0,
        )])  # fmt: skip


def test_a_refund_in_another_currency_is_a_currency_mismatch():
    ledger = OrderLedger.of(ORDER, _one_line_order())
    with pytest.raises(CurrencyMismatch):
        ledger.check(Refund.partial("L1", Money("1.00", "EUR")))


def test_without_gives_back_the_case_s_own_holding():
    paid = _seller_refund("s-1", [], "10.00")
    paid = apply_on_order(paid, [paid], "approve", Actor.SYSTEM, T0 + H)
    ledger = OrderLedger.of(ORDER, (), [paid])
    assert ledger.left("L1") == Money("11.60", "USD")
    assert ledger.without(paid).left("L1") == Money("21.60", "USD")


# --- the property: any interleaving over up to four cases never over-refunds ----------------

KINDS = (RequestType.REFUND_ONLY, RequestType.RETURN_AND_REFUND, RequestType.SELLER_REFUND)
CENTS = st.integers(min_value=1, max_value=2400)


def _amount(cents: int) -> Money:
    return Money(Decimal(cents) / 100, "USD")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_interleaving_over_four_cases_never_refunds_more_than_paid(data):
    lines = usd_lines()
    paid = {x.line_id: x.paid.total_amount for x in lines}
    cases: dict[str, object] = {}
    at = T0
    for _ in range(data.draw(st.integers(4, 30))):
        at = at + H
        stored = list(cases.values())
        if len(cases) < 4 and (not cases or data.draw(st.booleans())):
            kind = data.draw(st.sampled_from(KINDS))
            line = data.draw(st.sampled_from(lines))
            payload = {"refund": Refund.partial(line.line_id, _amount(data.draw(CENTS)))}
            try:
                case = open_on_order(
                    stored, kind, case_id=f"c-{len(cases)}", order_id=ORDER, region="US",
                    lines=lines, at=at, payload=payload,
                )  # fmt: skip
            except (OrderOverRefund, OverRefund, InvalidValue):
                continue
            cases[case.case_id] = case
            continue
        case = data.draw(st.sampled_from(stored))
        options = [(a.event, actor) for a in allowed_events(case) for actor in a.actors]
        if not options:
            continue
        event, actor = data.draw(st.sampled_from(options))
        payload = None
        if event == "offer_partial_refund":
            line = data.draw(st.sampled_from(case.lines))
            payload = {"amount": Refund.partial(line.line_id, _amount(data.draw(CENTS)))}
        elif event == "propose_alternative":
            payload = {"solution": "reshipment"}
        try:
            after = apply_on_order(case, stored, event, actor, at, payload)
        except (InvalidTransition, InvalidValue):
            continue
        cases[case.case_id] = after
        committed: dict[str, Decimal] = {}
        for c in cases.values():
            if c.refund is not None:
                for part in c.refund.lines:
                    committed[part.line_id] = (
                        committed.get(part.line_id, Decimal(0)) + part.amount.total_amount
                    )
        for line_id, amount in committed.items():
            assert amount <= paid[line_id], (line_id, amount)
        assert sum(committed.values(), Decimal(0)) <= sum(paid.values(), Decimal(0))
