"""The bare-Decimal fast paths of the money checks give the same answers as the Money walk.

``check_refund`` first decides on bare ``Decimal`` amounts and only walks
the ``Money`` values (which raise the precise errors) when that fails.
These properties hold the two to the same answer on any refund of any
lines, including refunds that must be refused.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.domain import Breakdown, Money, OrderLine, Refund, RefundLevel, RefundLine
from tiktok_aftersales.domain.money import (
    _checked_level,
    _level_if_fits,
    _remaining,
    amount_sum,
    check_refund,
)
from tiktok_aftersales.errors import InvalidValue

_cents = st.integers(min_value=0, max_value=20_000).map(lambda c: Decimal(c) / 100)


@st.composite
def _lines(draw: st.DrawFn) -> tuple[OrderLine, ...]:
    n = draw(st.integers(min_value=1, max_value=3))
    out = []
    for i in range(n):
        paid = Breakdown.of(draw(_cents), "USD", draw(_cents), draw(_cents))
        before = draw(st.one_of(st.none(), _cents))
        if before is not None and before > paid.total.amount:
            before = paid.total.amount
        out.append(
            OrderLine(
                str(i + 1),
                f"SKU-{i}",
                paid,
                refunded_before=None if before is None else Money(before, "USD"),
            )
        )
    return tuple(out)


@st.composite
def _refund(draw: st.DrawFn, lines: tuple[OrderLine, ...]) -> Refund:
    ids = [x.line_id for x in lines] + ["99"]
    chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True))
    by_id = {x.line_id: x for x in lines}
    parts = []
    currency = draw(st.sampled_from(["USD", "USD", "USD", "EUR"]))  # one per refund
    for line_id in chosen:
        line = by_id.get(line_id)
        if line is not None and draw(st.booleans()):
            amount = line.paid  # often exactly what was paid: the boundaries matter
        else:
            amount = Breakdown.of(draw(_cents), "USD", draw(_cents), draw(_cents))
        if currency != "USD":
            amount = Breakdown.of(amount.subtotal.amount, currency)
        parts.append(RefundLine(line_id, amount))
    return Refund(tuple(parts))


@st.composite
def _case(draw: st.DrawFn) -> tuple[tuple[OrderLine, ...], Refund]:
    lines = draw(_lines())
    return lines, draw(_refund(lines))


@given(_case())
def test_the_fast_check_answers_exactly_when_the_walk_accepts(given_case: tuple) -> None:
    lines, refund = given_case
    fast = _level_if_fits(refund, lines)
    try:
        walked = _checked_level(refund, lines, "refund")
    except InvalidValue:
        assert fast is None  # a refund the walk refuses is never let through
        return
    assert fast == walked  # and one it accepts is decided without it


@given(_case())
def test_check_refund_raises_what_the_walk_raises(given_case: tuple) -> None:
    lines, refund = given_case
    try:
        expected: object = _checked_level(refund, lines, "payload.refund")
    except InvalidValue as error:
        expected = (type(error), str(error))
    try:
        got: object = check_refund(refund, lines, "payload.refund")
    except InvalidValue as error:
        got = (type(error), str(error))
    assert got == expected


@given(_lines())
def test_a_refund_total_is_the_sum_of_its_lines_totals(lines: tuple[OrderLine, ...]) -> None:
    refund = Refund.order(lines)
    assert refund.total == Money(amount_sum(x.amount.total.amount for x in refund.lines), "USD")
    assert refund.total_amount == refund.total.amount


@given(_lines())
def test_a_full_order_refund_is_the_refund_its_constructor_builds(
    lines: tuple[OrderLine, ...],
) -> None:
    built = Refund.order(lines)
    assert built == Refund(tuple(RefundLine(x.line_id, _remaining(x)) for x in lines))
    assert type(built) is Refund


def _allocate_one_part_at_a_time(lines: tuple[OrderLine, ...], amount: Money) -> Refund:
    """The allocation rule written plainly, on Money values (the specification)."""
    left = amount
    out = []
    for line in lines:
        if not left.is_positive:
            break
        rest = _remaining(line)
        parts = []
        for part in (rest.subtotal, rest.shipping, rest.tax):
            take = part if part <= left else left
            left = left - take
            parts.append(take)
        if any(p.is_positive for p in parts):
            out.append(RefundLine(line.line_id, Breakdown(*parts)))
    return Refund(tuple(out))


@given(_lines(), st.integers(min_value=1, max_value=70_000), st.sampled_from([1, 10, 100]))
def test_allocation_takes_subtotal_then_shipping_then_tax_line_by_line(
    lines: tuple[OrderLine, ...], cents: int, scale: int
) -> None:
    # the scale gives equal amounts other exponents (5.0 against 5.00): a tie keeps the part
    amount = Money((Decimal(cents) / 100).quantize(Decimal(1) / scale) or Decimal("0.01"), "USD")
    try:
        expected: object = _allocate_one_part_at_a_time(lines, amount)
    except InvalidValue as error:  # pragma: no cover - the specification never raises
        expected = type(error)
    left_over = amount.amount > amount_sum(x.refundable_amount for x in lines)
    try:
        got: object = Refund.allocate(lines, amount)
    except InvalidValue as error:
        assert left_over, error
        return
    assert not left_over
    assert got == expected
    assert repr(got) == repr(expected)  # the same Decimal exponents too


def test_a_full_order_refund_of_lines_that_repeat_an_id_or_mix_currencies_is_refused() -> None:
    usd = OrderLine("1", "SKU-1", Breakdown.of("5.00", "USD"))
    eur = OrderLine("2", "SKU-2", Breakdown.of("5.00", "EUR"))
    with pytest.raises(InvalidValue, match=r"refund\.line_id"):
        Refund.order((usd, usd))
    with pytest.raises(InvalidValue, match=r"refund\.currency"):
        Refund.order((usd, eur))
    with pytest.raises(InvalidValue, match=r"refund\.lines"):
        Refund.order(())
    assert Refund.order((usd,)).lines == (RefundLine("1", usd.paid),)


def test_an_allocation_over_lines_that_repeat_an_id_is_refused() -> None:
    line = OrderLine("1", "SKU-1", Breakdown.of("5.00", "USD"))
    with pytest.raises(InvalidValue, match=r"refund\.line_id"):
        Refund.allocate((line, line), Money("7.00", "USD"))


def test_a_subclass_of_refund_is_built_by_its_own_constructor() -> None:
    class Tagged(Refund):
        pass

    line = OrderLine("1", "SKU-1", Breakdown.of("5.00", "USD"))
    assert type(Tagged.order((line,))) is Tagged
    assert type(Tagged.allocate((line,), Money("2.00", "USD"))) is Tagged


def test_the_walk_accepts_a_refund_of_the_whole_order_to_the_cent() -> None:
    lines = (
        OrderLine("1", "SKU-1", Breakdown.of("5.00", "USD", "1.00", "0.40")),
        OrderLine("2", "SKU-2", Breakdown.of("3.00", "USD")),
    )
    whole = Refund.order(lines)
    assert _checked_level(whole, lines, "refund") is RefundLevel.ORDER
    assert _level_if_fits(whole, lines) is RefundLevel.ORDER
    assert _checked_level(Refund.order(lines[:1]), lines, "refund") is RefundLevel.LINE
