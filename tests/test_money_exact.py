"""Money does not depend on the caller's decimal context, and refuses what it cannot hold."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.domain.money import (
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
    Breakdown,
    Money,
    OrderLine,
    Refund,
    amount_sum,
    check_refund,
)
from tiktok_aftersales.errors import AfterSalesError, MoneyError, OverRefund
from tiktok_aftersales.platform._reader import Reader


@pytest.fixture
def low_precision():
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        yield ctx


def _line(paid: str, before: str | None = None) -> OrderLine:
    return OrderLine(
        "L1",
        "S1",
        Breakdown.of(paid, "USD"),
        refunded_before=None if before is None else Money(before, "USD"),
    )


def test_a_callers_low_precision_does_not_let_a_refund_above_what_is_left(low_precision):
    line = _line("199.56", before="100.00")  # 99.56 left
    with pytest.raises(OverRefund):
        check_refund(Refund.partial("L1", Money("99.60", "USD")), [line])
    assert check_refund(Refund.partial("L1", Money("99.56", "USD")), [line]) == "order"


def test_a_callers_low_precision_does_not_round_sums(low_precision):
    assert (Money("19.99", "USD") + Money("1.61", "USD")).amount == Decimal("21.60")
    assert (Money("123456.78", "USD") - Money("0.01", "USD")).amount == Decimal("123456.77")
    assert Breakdown.of("19.99", "USD", "5.00", "1.61").total_amount == Decimal("26.60")
    assert _line("199.56", before="100.01").refundable_amount == Decimal("99.55")


def test_a_callers_low_precision_does_not_change_allocation(low_precision):
    lines = [_line("10.01"), OrderLine("L2", "S2", Breakdown.of("20.02", "USD"))]
    refund = Refund.allocate(lines, Money("15.55", "USD"))
    assert refund.total.amount == Decimal("15.55")
    assert [x.amount.total_amount for x in refund.lines] == [Decimal("10.01"), Decimal("5.54")]


def test_the_largest_amounts_add_exactly_whatever_the_context(low_precision):
    big = "9" * MAX_INTEGER_DIGITS + "." + "9" * MAX_DECIMAL_PLACES
    total = Money(big, "USD") + Money(big, "USD")
    assert total.amount == decimal.Context(prec=80).add(Decimal(big), Decimal(big))
    assert amount_sum([Decimal(big)] * 1000) == decimal.Context(prec=80).multiply(
        Decimal(big), 1000
    )


@pytest.mark.parametrize(
    "value",
    [
        "1" + "0" * MAX_INTEGER_DIGITS,
        "0." + "0" * MAX_DECIMAL_PLACES + "1",
        10**MAX_INTEGER_DIGITS,
        -(10**MAX_INTEGER_DIGITS),
        Decimal("1E+20"),
        Decimal("1E-11"),
        "1" * 30 + ".5",
    ],
)
def test_an_amount_the_library_cannot_hold_exactly_is_refused_naming_the_field(value):
    with pytest.raises(MoneyError) as err:
        Money(value, "USD")
    assert err.value.field == "amount"
    with pytest.raises(MoneyError) as err:
        Breakdown.of("1", "USD", tax=value)
    assert err.value.field == "amount"


def test_the_largest_amount_within_the_bounds_is_held_as_given():
    big = "9" * MAX_INTEGER_DIGITS + "." + "9" * MAX_DECIMAL_PLACES
    assert str(Money(big, "USD").amount) == big
    assert str(Money("-" + big, "USD").amount) == "-" + big


_amounts = st.from_regex(r"\A[0-9]{1,32}(\.[0-9]{1,14})?\Z")


@given(_amounts)
def test_the_platform_reader_and_money_accept_the_same_amounts(text):
    try:
        read = Reader({"a": text, "currency": "USD"}, "", True).money("a", "USD")
    except AfterSalesError:
        read = None
    try:
        held = Money(text, "USD")
    except AfterSalesError:
        held = None
    if read is not None:
        assert held == read
    # digit strings without padding are accepted by both or neither
    if not text.startswith("0") or text.startswith("0."):
        assert (read is None) == (held is None)


@given(_amounts, _amounts, _amounts)
def test_a_read_refund_amount_adds_up_exactly_at_any_size(sub, ship, tax):
    from tiktok_aftersales.platform.values import read_refund_amount

    try:
        parts = [Reader({"a": x}, "", True).money("a", "USD") for x in (sub, ship, tax)]
    except AfterSalesError:
        return  # not an amount the reader accepts
    assert None not in parts
    total = parts[0] + parts[1] + parts[2]  # type: ignore[operator]
    data = {
        "currency": "USD",
        "refund_subtotal": sub,
        "refund_shipping_fee": ship,
        "refund_tax": tax,
        "refund_total": str(total.amount),
    }
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        try:
            got = read_refund_amount(Reader(data, "", True))
        except AfterSalesError as exc:
            # only the total may be refused, and only for having more digits than money holds
            assert exc.field == "refund_total", exc  # type: ignore[attr-defined]
            assert total.amount.adjusted() >= MAX_INTEGER_DIGITS
            return
    assert got.total == total
