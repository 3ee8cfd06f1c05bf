"""Money is Decimal with a currency; refunds never exceed what was paid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import T0, fresh, run, usd_lines
from tiktok_aftersales import (
    Actor,
    Breakdown,
    InvalidValue,
    Money,
    OrderLine,
    OverRefund,
    Refund,
    RequestType,
    apply,
    open_case,
)
from tiktok_aftersales.domain import RefundLevel, check_refund
from tiktok_aftersales.errors import CurrencyMismatch, FloatAmount, NonPositiveAmount

LATER = T0 + timedelta(days=1)


def test_money_keeps_decimal_and_currency():
    total = Money("19.99", "USD") + Money(1, "USD")
    assert total == Money(Decimal("20.99"), "USD")
    assert str(total) == "20.99 USD"


def test_money_refuses_floats_naming_the_field():
    with pytest.raises(FloatAmount) as err:
        Money(19.99, "USD")  # type: ignore[arg-type]
    assert err.value.field == "amount" and err.value.value == 19.99


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", None, True, [1]])
def test_money_refuses_garbage_amounts(bad):
    with pytest.raises(InvalidValue):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["usd", "US", "DOLLAR", 840, None])
def test_money_refuses_malformed_currencies(bad):
    with pytest.raises(InvalidValue) as err:
        Money("1", bad)  # type: ignore[arg-type]
    assert err.value.field == "currency"


def test_currency_mismatch_is_a_typed_error():
    with pytest.raises(CurrencyMismatch) as err:
        Money("1", "USD") + Money("1", "IDR")
    assert err.value.expected == "USD"
    with pytest.raises(CurrencyMismatch):
        Breakdown(Money(1, "USD"), Money(0, "GBP"), Money(0, "USD"))


def test_breakdown_total_is_subtotal_plus_shipping_plus_tax():
    b = Breakdown.of("19.99", "USD", shipping="0.00", tax="1.61")
    assert b.total == Money("21.60", "USD")


def test_refund_levels_order_line_and_partial_line():
    lines = usd_lines()
    assert check_refund(Refund.order(lines), lines) is RefundLevel.ORDER
    assert check_refund(Refund.line(lines, "L1"), lines) is RefundLevel.LINE
    assert check_refund(Refund.partial("L1", Money("1", "USD")), lines) is RefundLevel.PARTIAL_LINE


def test_over_refund_per_line_names_the_line_and_the_limit():
    lines = usd_lines()
    refund = Refund.partial("L2", Breakdown.of("10.00", "USD", tax="0.81"))
    with pytest.raises(OverRefund) as err:
        check_refund(refund, lines)
    assert err.value.field == "refund[L2].tax"


def test_over_refund_counts_what_earlier_requests_refunded():
    line = OrderLine("L1", "S", Breakdown.of("10.00", "USD"), refunded_before=Money("8.00", "USD"))
    with pytest.raises(OverRefund) as err:
        check_refund(Refund.partial("L1", Money("3.00", "USD")), [line])
    assert err.value.limit == Money("2.00", "USD")
    assert check_refund(Refund.order([line]), [line]) is RefundLevel.ORDER
    assert Refund.order([line]).total == Money("2.00", "USD")


def test_zero_and_negative_refunds_are_refused():
    lines = usd_lines()
    with pytest.raises(NonPositiveAmount):
        check_refund(Refund.partial("L1", Money("0", "USD")), lines)
    with pytest.raises(NonPositiveAmount):
        check_refund(Refund.partial("L1", Money("-1", "USD")), lines)


def test_refund_in_another_currency_is_refused():
    with pytest.raises(CurrencyMismatch):
        check_refund(Refund.partial("L1", Money("1", "GBP")), usd_lines())


def test_refund_of_a_line_not_on_the_order_is_refused():
    with pytest.raises(InvalidValue) as err:
        check_refund(Refund.partial("L9", Money("1", "USD")), usd_lines())
    assert err.value.value == "L9"
    with pytest.raises(InvalidValue):
        Refund.line(usd_lines(), "L9")


def test_a_line_cannot_be_refunded_twice_in_one_refund():
    part = Refund.partial("L1", Money("1", "USD")).lines[0]
    with pytest.raises(InvalidValue):
        Refund((part, part))


def test_over_refund_in_a_request_leaves_nothing_opened():
    with pytest.raises(OverRefund):
        open_case(
            RequestType.REFUND_ONLY,
            case_id="c",
            order_id="o",
            region="US",
            lines=usd_lines(),
            at=T0,
            payload={"refund": Refund.partial("L2", Money("11.00", "USD"))},
        )


def test_an_over_refund_offer_fails_and_leaves_the_case_as_it_was():
    case = run(fresh(RequestType.REFUND_ONLY), ("request", Actor.BUYER))
    before = case
    with pytest.raises(OverRefund):
        apply(case, "offer_partial_refund", Actor.SELLER, LATER, {"amount": Money("99", "USD")})
    with pytest.raises(FloatAmount):
        apply(case, "offer_partial_refund", Actor.SELLER, LATER, {"amount": Money(1.5, "USD")})  # type: ignore[arg-type]
    assert case == before and case.state is before.state and len(case.history) == 1


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("34.40"), places=2))
def test_allocated_partial_refunds_never_exceed_any_line(amount):
    lines = usd_lines()
    refund = Refund.allocate(lines, Money(amount, "USD"))
    assert refund.total == Money(amount, "USD")
    check_refund(refund, lines)


@given(st.decimals(min_value=Decimal("34.41"), max_value=Decimal("10000"), places=2))
def test_allocating_more_than_was_paid_is_refused(amount):
    with pytest.raises(OverRefund):
        Refund.allocate(usd_lines(), Money(amount, "USD"))
