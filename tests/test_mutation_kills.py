"""Tests that kill mutants the rest of the suite let live (docs/mutation.md).

Each test names the behaviour a surviving mutant broke without any test noticing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tiktok_aftersales.domain.money import (
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
    MONEY_CONTEXT,
    Breakdown,
    Money,
    OrderLine,
    Refund,
    RefundLevel,
    RefundLine,
    amount_add,
    amount_sub,
    amount_sum,
    check_held,
    check_refund,
    to_decimal,
)
from tiktok_aftersales.errors import (
    CurrencyMismatch,
    FloatAmount,
    InvalidValue,
    MoneyError,
    NonPositiveAmount,
    OverRefund,
)

USD = "USD"


def _line(line_id="L1", sub="10.00", ship="3.00", tax="1.00", before=None, currency=USD):
    return OrderLine(
        line_id,
        f"SKU-{line_id}",
        Breakdown.of(sub, currency, shipping=ship, tax=tax),
        refunded_before=None if before is None else Money(before, currency),
    )


# --- money: amounts -------------------------------------------------------------------------


def test_to_decimal_names_the_field_and_refuses_what_is_not_a_finite_number():
    for bad in (True, None, [], "abc", "", "NaN", "Infinity", "-Infinity", Decimal("NaN")):
        with pytest.raises(InvalidValue) as err:
            to_decimal(bad, "refund.tax")
        assert err.value.field == "refund.tax"
        assert err.value.value is bad or err.value.value == bad or bad != bad
    with pytest.raises(FloatAmount) as err:
        to_decimal(1.5, "x")
    assert err.value.field == "x"
    assert to_decimal(" 19.99 ") == Decimal("19.99")
    assert to_decimal(7) == Decimal(7)
    assert to_decimal(Decimal("1.50")).as_tuple() == Decimal("1.50").as_tuple()


def test_the_default_field_of_a_refused_amount_is_amount():
    with pytest.raises(InvalidValue) as err:
        to_decimal("x")
    assert err.value.field == "amount"
    assert "not a decimal amount" in str(err.value)
    with pytest.raises(InvalidValue) as err:
        to_decimal("NaN")
    assert "finite" in str(err.value)
    with pytest.raises(InvalidValue) as err:
        to_decimal(object())
    assert "not a decimal amount" in str(err.value)
    with pytest.raises(InvalidValue) as err:
        to_decimal(False)
    assert err.value.field == "amount"


def test_the_bounds_are_exactly_twenty_digits_before_the_point_and_ten_after():
    assert MAX_INTEGER_DIGITS == 20 and MAX_DECIMAL_PLACES == 10
    top = 10**20 - 1
    assert to_decimal(top) == top and to_decimal(-top) == -top
    assert to_decimal(str(top)) == top
    assert to_decimal("0." + "0" * 9 + "1") == Decimal("1E-10")
    assert check_held(Decimal("1E+19")) == Decimal("1E+19")
    assert check_held(Decimal(0).scaleb(50)) == 0  # zero is held whatever its exponent
    for bad in (10**20, -(10**20), "1" + "0" * 20, Decimal("1E+20"), Decimal("1E-11")):
        with pytest.raises(MoneyError) as err:
            to_decimal(bad, "refund_total")
        assert err.value.field == "refund_total"
        assert "20 digits before the point and 10 after" in str(err.value)
    with pytest.raises(MoneyError) as err:
        check_held(Decimal("1E-11"), "f", "given")
    assert err.value.value == "given"
    with pytest.raises(MoneyError) as err:
        check_held(Decimal("1E-11"), "f")
    assert err.value.value == Decimal("1E-11")
    assert err.value.field == "f"


def test_a_huge_amount_is_refused_before_it_is_parsed_and_reported_short():
    with pytest.raises(MoneyError) as err:
        to_decimal("1" * 201)
    assert len(str(err.value.value)) <= 120
    assert to_decimal(" " * 150 + "1.5") == Decimal("1.5")  # padding within the text limit
    with pytest.raises(MoneyError) as err:
        to_decimal(10**400)
    assert err.value.value == "<int of 1329 bits>"


def test_the_money_context_is_exact_and_traps_inexact_results():
    assert MONEY_CONTEXT.prec == 60
    assert MONEY_CONTEXT.rounding == "ROUND_HALF_EVEN"
    assert amount_add(Decimal("0.1"), Decimal("0.2")) == Decimal("0.3")
    assert amount_sub(Decimal("0.3"), Decimal("0.1")) == Decimal("0.2")
    assert amount_sum([]) == 0 and amount_sum([Decimal("1.5"), Decimal("2.25")]) == Decimal("3.75")
    with pytest.raises(ArithmeticError):
        amount_add(Decimal("1E+70"), Decimal("1E-10"))


def test_money_arithmetic_and_comparisons_refuse_another_currency_and_non_money():
    a, b = Money("1.00", USD), Money("2.00", USD)
    assert (a + b).amount == Decimal("3.00") and (b - a).amount == Decimal("1.00")
    assert a < b and a <= b and b > a and b >= a and a <= a and a >= a
    assert not (b < a) and not (a > b) and not (b <= a) and not (a >= b)
    eur = Money("1.00", "EUR")
    for op in ("__add__", "__sub__", "__lt__", "__le__", "__gt__", "__ge__"):
        with pytest.raises(CurrencyMismatch) as err:
            getattr(a, op)(eur)
        assert err.value.field == "amount" and err.value.expected == USD
        with pytest.raises(InvalidValue) as err2:
            getattr(a, op)(1)
        assert err2.value.field == "amount" and "not Money" in str(err2.value)
    assert str(Money("21.60", USD)) == "21.60 USD"
    assert Money.zero(USD) == Money(0, USD) and not Money.zero(USD).is_positive
    assert Money("0.01", USD).is_positive and not Money("-0.01", USD).is_positive
    for bad in ("usd", "US", "USDX", 1, None):
        with pytest.raises(InvalidValue) as err:
            Money(1, bad)
        assert err.value.field == "currency"


def test_a_breakdown_sums_its_parts_and_refuses_mixed_currencies():
    b = Breakdown.of("19.99", USD, shipping="2.00", tax="1.61")
    assert b.total == Money("23.60", USD) and b.total_amount == Decimal("23.60")
    assert b.currency == USD
    assert Breakdown.of("1", USD).shipping == Money(0, USD) == Breakdown.of("1", USD).tax
    z = Breakdown.zero(USD)
    assert (z.subtotal, z.shipping, z.tax) == (Money(0, USD),) * 3
    s = b + Breakdown.of("0.01", USD, shipping="0.02", tax="0.03")
    assert (s.subtotal.amount, s.shipping.amount, s.tax.amount) == (
        Decimal("20.00"),
        Decimal("2.02"),
        Decimal("1.64"),
    )
    with pytest.raises(CurrencyMismatch) as err:
        Breakdown(Money(1, USD), Money(1, "EUR"), Money(1, USD))
    assert err.value.field == "shipping"
    with pytest.raises(CurrencyMismatch) as err:
        Breakdown(Money(1, USD), Money(1, USD), Money(1, "EUR"))
    assert err.value.field == "tax"


# --- money: order lines ---------------------------------------------------------------------


def test_an_order_line_refuses_bad_ids_quantities_and_earlier_refunds():
    paid = Breakdown.of("10", USD)
    for bad in ("", None, 5):
        with pytest.raises(InvalidValue) as err:
            OrderLine(bad, "S", paid)
        assert err.value.field == "line_id"
    for bad, reason in ((True, "whole"), (1.0, "whole"), (0, "at least 1"), (-1, "at least 1")):
        with pytest.raises(InvalidValue) as err:
            OrderLine("L", "S", paid, quantity=bad)
        assert err.value.field == "quantity" and reason in str(err.value)
    assert OrderLine("L", "S", paid, quantity=1).quantity == 1
    with pytest.raises(CurrencyMismatch) as err:
        OrderLine("L", "S", paid, refunded_before=Money(1, "EUR"))
    assert err.value.field == "refunded_before"
    with pytest.raises(OverRefund) as err:
        OrderLine("L", "S", paid, refunded_before=Money("10.01", USD))
    assert err.value.field == "refunded_before" and err.value.limit == Money("10", USD)
    whole = OrderLine("L", "S", paid, refunded_before=Money("10", USD))
    assert whole.refundable == Money(0, USD)


def test_what_is_left_of_a_line_comes_off_the_subtotal_then_shipping_then_tax():
    line = _line(before="11.50")  # 10 + 3 + 1 paid; 11.50 refunded before
    assert line.refundable == Money("2.50", USD)
    assert line.refundable_amount == Decimal("2.50")
    refund = Refund.order([line])
    left = refund.for_line("L1")
    assert (left.subtotal.amount, left.shipping.amount, left.tax.amount) == (
        Decimal("0.00"),
        Decimal("1.50"),
        Decimal("1.00"),
    )
    assert refund.total == Money("2.50", USD)
    # an earlier refund within the subtotal leaves shipping and tax whole
    part = Refund.order([_line(before="4.00")]).for_line("L1")
    assert (part.subtotal.amount, part.shipping.amount, part.tax.amount) == (
        Decimal("6.00"),
        Decimal("3.00"),
        Decimal("1.00"),
    )
    # nothing refunded before, or zero: the whole line
    assert Refund.order([_line(before="0")]).total == Money("14.00", USD)
    assert Refund.order([_line()]).for_line("L1") == _line().paid


# --- money: refunds -------------------------------------------------------------------------


def test_a_refund_refuses_no_lines_repeated_lines_mixed_currencies_and_strangers():
    with pytest.raises(InvalidValue) as err:
        Refund(())
    assert err.value.field == "refund.lines" and "at least one line" in str(err.value)
    one = RefundLine("L1", Breakdown.of("1", USD))
    with pytest.raises(InvalidValue) as err:
        Refund((one, RefundLine("L1", Breakdown.of("2", USD))))
    assert err.value.field == "refund.line_id" and err.value.value == "L1"
    with pytest.raises(CurrencyMismatch) as err:
        Refund((one, RefundLine("L2", Breakdown.of("2", "EUR"))))
    assert err.value.field == "refund.currency"
    with pytest.raises(InvalidValue) as err:
        Refund((one, "L2"))
    assert err.value.field == "refund.lines" and err.value.value == "L2"
    two = Refund((one, RefundLine("L2", Breakdown.of("2", USD, tax="0.5"))))
    assert two.currency == USD and two.total == Money("3.5", USD)
    assert two.breakdown == Breakdown.of("3", USD, tax="0.5")
    assert two.for_line("L2").total == Money("2.5", USD) and two.for_line("L9") is None


def test_a_line_refund_names_only_lines_of_the_order():
    lines = [_line("L1"), _line("L2", sub="5.00")]
    refund = Refund.line(lines, "L2")
    assert [x.line_id for x in refund.lines] == ["L2"]
    assert refund.total == Money("9.00", USD)
    with pytest.raises(InvalidValue) as err:
        Refund.line(lines, "L2", "L9")
    assert err.value.field == "line_id" and err.value.value == "L9"
    assert "L1, L2" in str(err.value)


def test_a_partial_refund_of_bare_money_is_an_item_subtotal():
    refund = Refund.partial("L1", Money("2.00", USD))
    part = refund.for_line("L1")
    assert part.subtotal == Money("2.00", USD)
    assert part.shipping == Money(0, USD) == part.tax
    b = Breakdown.of("1", USD, tax="1")
    assert Refund.partial("L1", b).for_line("L1") == b


def test_allocation_takes_each_line_in_order_subtotal_then_shipping_then_tax():
    lines = [_line("L1"), _line("L2", sub="5.00", ship="0", tax="0.50")]
    refund = Refund.allocate(lines, Money("15.00", USD))
    first, second = refund.for_line("L1"), refund.for_line("L2")
    assert (first.subtotal.amount, first.shipping.amount, first.tax.amount) == (
        Decimal("10.00"),
        Decimal("3.00"),
        Decimal("1.00"),
    )
    assert (second.subtotal.amount, second.shipping.amount, second.tax.amount) == (
        Decimal("1.00"),
        Decimal("0"),
        Decimal("0"),
    )
    small = Refund.allocate(lines, Money("12.00", USD))
    assert [x.line_id for x in small.lines] == ["L1"]
    assert small.for_line("L1").shipping.amount == Decimal("2.00")
    assert small.for_line("L1").tax.amount == 0
    all_of_it = Refund.allocate(lines, Money("19.50", USD))
    assert all_of_it.total == Money("19.50", USD)
    # a line with nothing left is skipped, not refunded zero
    spent = [_line("L1", before="14.00"), _line("L2", sub="5.00", ship="0", tax="0.50")]
    assert [x.line_id for x in Refund.allocate(spent, Money("1", USD)).lines] == ["L2"]


def test_allocation_refuses_non_money_nothing_other_currencies_and_too_much():
    lines = [_line("L1"), _line("L2", sub="5.00", ship="0", tax="0.50", before="0.50")]
    with pytest.raises(InvalidValue) as err:
        Refund.allocate(lines, "5")
    assert err.value.field == "amount"
    for amount in ("0", "-1"):
        with pytest.raises(NonPositiveAmount) as err:
            Refund.allocate(lines, Money(amount, USD))
        assert err.value.field == "amount"
    with pytest.raises(CurrencyMismatch) as err:
        Refund.allocate(lines, Money("1", "EUR"))
    assert err.value.field == "amount" and err.value.expected == USD
    with pytest.raises(OverRefund) as err:
        Refund.allocate(lines, Money("19.01", USD))
    assert err.value.field == "amount" and err.value.limit == Money("19.00", USD)
    assert Refund.allocate(lines, Money("19.00", USD)).total == Money("19.00", USD)


def test_check_refund_gives_the_level_and_names_each_refused_part():
    lines = [_line("L1"), _line("L2", sub="5.00", ship="0", tax="0")]
    assert check_refund(Refund.order(lines), lines) is RefundLevel.ORDER
    assert check_refund(Refund.line(lines, "L1"), lines) is RefundLevel.LINE
    partial = Refund.partial("L2", Money("4.99", USD))
    assert check_refund(partial, lines) is RefundLevel.PARTIAL_LINE
    with pytest.raises(InvalidValue) as err:
        check_refund(Refund.partial("L9", Money(1, USD)), lines, field="offer")
    assert err.value.field == "offer.line_id" and "L1, L2" in str(err.value)
    with pytest.raises(CurrencyMismatch) as err:
        check_refund(Refund.partial("L1", Money(1, "EUR")), lines)
    assert err.value.field == "refund.currency"
    neg = Refund((RefundLine("L1", Breakdown.of("2", USD, shipping="-1")),))
    with pytest.raises(NonPositiveAmount) as err:
        check_refund(neg, lines)
    assert err.value.field == "refund[L1].shipping"
    with pytest.raises(OverRefund) as err:
        check_refund(Refund((RefundLine("L1", Breakdown.of("1", USD, tax="1.01")),)), lines)
    assert err.value.field == "refund[L1].tax" and err.value.limit == Money("1.00", USD)
    with pytest.raises(NonPositiveAmount) as err:
        check_refund(Refund.partial("L1", Money(0, USD)), lines)
    assert err.value.field == "refund[L1].total"
    used = [_line("L1", before="13.00"), lines[1]]
    with pytest.raises(OverRefund) as err:
        check_refund(Refund.partial("L1", Money("1.01", USD)), used)
    assert err.value.field == "refund[L1].total" and err.value.limit == Money("1.00", USD)
    assert check_refund(Refund.partial("L1", Money("1.00", USD)), used) is RefundLevel.LINE
    assert check_refund(Refund.partial("L1", Money("0.01", USD)), [lines[0]]) == "partial_line"
    # every line refunded in full, one line of the order: an order refund
    assert check_refund(Refund.order(lines[:1]), lines[:1]) is RefundLevel.ORDER


# --- the order ledger and the pure order API ------------------------------------------------

from datetime import UTC, datetime, timedelta  # noqa: E402

import attrs  # noqa: E402

from tiktok_aftersales import Actor, RequestType  # noqa: E402
from tiktok_aftersales.domain import OrderLedger  # noqa: E402
from tiktok_aftersales.errors import OrderOverRefund  # noqa: E402
from tiktok_aftersales.lifecycle import apply_on_order, open_on_order  # noqa: E402
from tiktok_aftersales.lifecycle.orders import at_stake, check_order  # noqa: E402

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ORDER = "o-1"


def _order_lines():
    return [_line("L1"), _line("L2", sub="5.00", ship="0", tax="0")]


def _seller(case_id, refund, others=(), at=T0, lines=None):
    return open_on_order(
        list(others),
        RequestType.SELLER_REFUND,
        case_id=case_id,
        order_id=ORDER,
        region="US",
        lines=lines or _order_lines(),
        at=at,
        payload={"refund": refund},
    )


def _committed(case_id, refund, others=(), at=T0):
    """A seller refund, committed (it commits as it opens)."""
    case = _seller(case_id, refund, others, at)
    assert case.refund is not None
    return case


def test_the_ledger_holds_committed_refunds_per_line_and_names_its_holders():
    a = _committed("a", Refund.partial("L1", Money("4.00", USD)))
    b = _committed("b", Refund.line(_order_lines(), "L2"), [a])
    ledger = OrderLedger.of(ORDER, _order_lines(), [a, b])
    assert ledger.order_id == ORDER and ledger.currency == USD
    assert ledger.holders == ("a", "b")
    assert dict(ledger.paid) == {"L1": Decimal("14.00"), "L2": Decimal("5.00")}
    assert dict(ledger.held) == {"L1": Decimal("4.00"), "L2": Decimal("5.00")}
    assert ledger.left("L1") == Money("10.00", USD) and ledger.left("L2") == Money(0, USD)
    assert ledger.left_total == Money("10.00", USD)
    assert ledger.refunded_total == Money("9.00", USD)
    mine = ledger.without(a)
    assert mine.holders == ("b",) and mine.held["L1"] == 0 and mine.held["L2"] == 5
    assert ledger.holders == ("a", "b")  # the ledger itself is unchanged
    stranger = _committed("c", Refund.partial("L1", Money("1.00", USD)))
    assert ledger.without(stranger) is ledger  # a case the ledger does not hold


def test_an_empty_ledger_has_no_currency_and_what_is_left_is_never_negative():
    assert OrderLedger.of(ORDER).currency == ""
    over = OrderLedger(ORDER, USD, {"L1": Decimal("1")}, {"L1": Decimal("3")}, ("x",))
    assert over.left("L1") == Money(0, USD) and over.left_total == Money(0, USD)
    with pytest.raises(InvalidValue) as err:
        over.left("L9")
    assert err.value.field == "line_id" and "order o-1" in str(err.value)


def test_the_ledger_refuses_other_orders_disagreeing_lines_and_other_currencies():
    a = _committed("a", Refund.partial("L1", Money("1", USD)))
    with pytest.raises(InvalidValue) as err:
        OrderLedger.of("o-2", [], [a])
    assert err.value.field == "cases.order_id" and err.value.value == ORDER
    with pytest.raises(InvalidValue) as err:
        OrderLedger.of(ORDER, [_line("L1", sub="99")], [a])
    assert err.value.field == "case a.lines.paid" and err.value.value == "L1"
    with pytest.raises(InvalidValue) as err:
        OrderLedger.of(ORDER, [_line("L1"), _line("L2", currency="EUR")])
    assert err.value.field == "lines.currency" and err.value.value == "EUR"
    # the same line twice with the same payment is one line
    assert OrderLedger.of(ORDER, [_line("L1"), _line("L1")]).paid == {"L1": Decimal("14.00")}


def test_check_names_the_line_the_amount_asked_and_what_is_left():
    a = _committed("a", Refund.partial("L1", Money("10.00", USD)))
    ledger = OrderLedger.of(ORDER, _order_lines(), [a])
    ledger.check(Refund.partial("L1", Money("4.00", USD)))  # exactly what is left
    with pytest.raises(OrderOverRefund) as err:
        ledger.check(Refund.partial("L1", Money("4.01", USD)), field="offer")
    e = err.value
    assert (e.field, e.order_id, e.line_id) == ("offer[L1]", ORDER, "L1")
    assert (e.asked, e.left) == (Money("4.01", USD), Money("4.00", USD))
    with pytest.raises(CurrencyMismatch) as err2:
        ledger.check(Refund.partial("L1", Money("1", "EUR")))
    assert err2.value.field == "refund.currency"
    # each line within what it has left, the order as a whole beyond it
    tight = OrderLedger(ORDER, USD, {"L1": Decimal(5), "L2": Decimal(5)}, {}, ())
    # L3 was over-refunded outside the ledger's view: the lines have 10 left, the order 9
    tight_total = OrderLedger(
        ORDER, USD, {"L1": Decimal(5), "L2": Decimal(5), "L3": Decimal(0)}, {"L3": Decimal(1)}
    )
    with pytest.raises(OrderOverRefund) as err:
        tight_total.check(
            Refund(
                (
                    RefundLine("L1", Breakdown.of("5", USD)),
                    RefundLine("L2", Breakdown.of("5", USD)),
                )
            )
        )
    assert err.value.line_id is None and err.value.field == "refund.total"
    assert err.value.asked == Money(10, USD) and err.value.left == Money(9, USD)
    tight.check(
        Refund((RefundLine("L1", Breakdown.of("5", USD)), RefundLine("L2", Breakdown.of("5", USD))))
    )


def test_at_stake_is_the_seller_refund_requested_the_new_offer_or_the_new_refund():
    lines = _order_lines()
    opened = open_on_order(
        [],
        RequestType.REFUND_ONLY,
        case_id="r",
        order_id=ORDER,
        region="US",
        lines=lines,
        at=T0,
        payload={"refund": Refund.partial("L1", Money("2", USD))},
    )
    assert opened.refund is None and opened.requested is not None
    assert at_stake(opened, opened, "approve") is None  # nothing changed
    committed = apply_on_order(opened, [], "approve", Actor.SELLER, T0 + timedelta(hours=1))
    assert committed.refund is not None
    assert at_stake(opened, committed, "approve") == committed.refund
    assert at_stake(committed, committed, "approve") is None
    second = _seller("t", Refund.line(lines, "L2"))
    stake = at_stake(
        attrs_unopened(second), second, "initiate_refund"
    )  # a seller refund stakes what it asks as it opens
    assert stake == second.requested


def attrs_unopened(case):
    return attrs.evolve(case, requested=None, refund=None, offer=None)


def test_the_order_api_leaves_the_case_itself_out_and_refuses_beyond_what_is_left():
    a = _committed("a", Refund.partial("L1", Money("10.00", USD)))
    # the case itself among the order's cases is not counted twice
    again = _seller("b", Refund.partial("L1", Money("4.00", USD)), [a])
    assert again.requested.total == Money("4.00", USD)
    with pytest.raises(OrderOverRefund) as err:
        _seller("b", Refund.partial("L1", Money("4.01", USD)), [a])
    assert err.value.left == Money("4.00", USD)
    done = _seller("b", Refund.partial("L1", Money("4.00", USD)), [a])
    assert done.refund.total == Money("4.00", USD)
    with pytest.raises(OrderOverRefund):  # L1 is spent across a and b
        check_order(None, _seller("c", Refund.partial("L1", Money("0.01", USD))),
                    "initiate_refund", [a, done])  # fmt: skip
    # lines the host knows join the ledger: L2 has 5 left, so 1 passes
    check_order(
        None,
        _seller("c", Refund.partial("L2", Money("1", USD))),
        "initiate_refund",
        [a],
        lines=[_line("L3")],
    )


# --- deadline policies ----------------------------------------------------------------------

from tiktok_aftersales.deadlines.policy import (  # noqa: E402
    DEFAULT_POLICY,
    POLICIES,
    WINDOW_ACTORS,
    Policy,
    WindowRule,
    named_policy,
)
from tiktok_aftersales.domain.calendars import Duration  # noqa: E402
from tiktok_aftersales.domain.vocabulary import Window  # noqa: E402
from tiktok_aftersales.domain.vocabulary import region as region_of  # noqa: E402


def _refused(call, field, reason=None, value=...):
    with pytest.raises(InvalidValue) as err:
        call()
    assert err.value.field == field, err.value
    if reason is not None:
        assert err.value.reason == reason, err.value
    if value is not ...:
        assert err.value.value == value, err.value
    return err.value


def test_who_must_act_before_each_window_is_read_from_its_name():
    assert {w.value: a.value for w, a in WINDOW_ACTORS.items()}.items() >= {
        "seller_response": "seller",
        "seller_receipt": "seller",
        "buyer_ship_back": "buyer",
        "buyer_dispute": "buyer",
        "buyer_offer_response": "buyer",
        "seller_replacement_response": "seller",
        "seller_cancellation_response": "seller",
        "refund_processing": "operator",
        "return_transit": "logistics",
    }.items()
    assert set(WINDOW_ACTORS) == set(Window)


def test_a_window_rule_reads_back_what_it_writes_and_names_each_bad_field():
    rule = WindowRule("buyer_ship_back", "7d", "why", " id ", "return_and_refund", "ship_back")
    assert (rule.region, rule.request_type, rule.starts_after) == (
        "ID",
        RequestType.RETURN_AND_REFUND,
        "ship_back",
    )
    assert rule.key == ("ID", RequestType.RETURN_AND_REFUND, Window.BUYER_SHIP_BACK)
    assert rule.sort_key == ("ID", "return_and_refund", "buyer_ship_back")
    assert WindowRule.from_dict(rule.to_dict()) == rule
    assert rule.to_dict() == {
        "region": "ID",
        "request_type": "return_and_refund",
        "window": "buyer_ship_back",
        "duration": "7d",
        "source": "why",
        "starts_after": "ship_back",
    }
    plain = WindowRule.from_dict({"window": "seller_response", "duration": "48h"})
    assert (plain.source, plain.region, plain.request_type, plain.starts_after) == (
        "",
        None,
        None,
        None,
    )
    assert "starts_after" not in plain.to_dict() and plain.sort_key[:2] == ("", "")
    assert WindowRule("seller_response", "48h", region=region_of("US")).region == "US"
    _refused(lambda: WindowRule.from_dict([]), "rule", "a mapping", [])
    _refused(lambda: WindowRule.from_dict({"duration": "1d"}), "rule.window", "required", None)
    _refused(lambda: WindowRule.from_dict({"window": "seller_response"}), "rule.duration")
    _refused(lambda: WindowRule("seller_response", "1d", 5), "source", "a string", 5)
    _refused(
        lambda: WindowRule("seller_response", "1d", region="USA"),
        "region",
        "a two-letter region code, a Region, or None (any)",
    )
    _refused(lambda: WindowRule("seller_response", "1d", region="1a"), "region")
    error = _refused(lambda: WindowRule("seller_response", "1d", request_type="x"), "request_type")
    assert error.reason.startswith("one of refund_only, ") and error.reason.endswith(" or None")
    _refused(
        lambda: WindowRule("seller_response", "1d", starts_after="nope"),
        "starts_after",
        "an event name of the lifecycle, or None",
    )
    assert WindowRule(
        "seller_response", {"amount": 2, "unit": "calendar_days"}
    ).duration == Duration.parse("2d")
    for bad in ({"amount": 2}, {"unit": "days"}, {"amount": 2, "unit": "eons"}):
        _refused(
            lambda bad=bad: WindowRule("seller_response", bad),
            "duration",
            "{'amount': int, 'unit': ...}",
            bad,
        )


def _global_rules():
    return [r for r in DEFAULT_POLICY.rules if r.region is None and r.request_type is None]


def test_a_policy_needs_a_rule_of_every_window_for_any_region_and_type():
    rules = _global_rules()
    Policy("p", rules)
    error = _refused(
        lambda: Policy("p", rules[1:]),
        "rules",
        "every window needs a rule for any region and any type",
    )
    assert error.value == [rules[0].window.value]
    _refused(lambda: Policy(5, rules), "name", "a string", 5)
    _refused(lambda: Policy("p", rules[0]), "rules", "a collection of WindowRule")
    _refused(lambda: Policy("p", "rules"), "rules")
    _refused(lambda: Policy("p", {"a": 1}), "rules")
    _refused(lambda: Policy("p", [*rules, "x"]), "rules", "a WindowRule", "x")
    error = _refused(
        lambda: Policy("p", [*rules, rules[0]]),
        "rules",
        "two rules for the same region, type and window",
    )
    assert error.value == rules[0].key
    assert Policy("p", list(reversed(rules))) == Policy("p", rules)
    assert Policy("p", list(reversed(rules))).rules == tuple(
        sorted(rules, key=lambda r: r.sort_key)
    )


def test_holidays_merge_per_region_sorted_and_empty_regions_vanish():
    rules = _global_rules()
    p = Policy("p", rules, {"id": ["2026-03-02", "2026-01-01"], "VN": []})
    assert p.holidays == (("ID", (date_(2026, 1, 1), date_(2026, 3, 2))),)
    merged = Policy("p", rules, [("ID", ["2026-01-01"]), ("id", ["2026-02-01", "2026-01-01"])])
    assert merged.holidays_for("ID") == (date_(2026, 1, 1), date_(2026, 2, 1))
    assert merged.holidays_for("VN") == ()
    more = merged.with_holidays("vn", ["2026-05-01"])
    assert more.holidays_for("VN") == (date_(2026, 5, 1),)
    assert more.holidays_for("ID") == merged.holidays_for("ID")
    _refused(lambda: merged.with_holidays(None, []), "region", "a region code")
    _refused(lambda: Policy("p", rules, [("ID",)]), "holidays", "(region code, dates) pairs")
    _refused(lambda: Policy("p", rules, ["ID"]), "holidays")
    _refused(lambda: Policy("p", rules, [(None, [])]), "holidays.region", "a region code", None)
    _refused(
        lambda: Policy("p", rules, {"ID": "2026-01-01"}),
        "holidays",
        "a collection of dates",
        "2026-01-01",
    )
    _refused(lambda: Policy("p", rules, {"ID": date_(2026, 1, 1)}), "holidays")


def date_(y, m, d):
    from datetime import date

    return date(y, m, d)


def test_a_policy_round_trips_and_reads_defaults_for_what_is_left_out():
    p = DEFAULT_POLICY.with_holidays("ID", ["2026-01-01"]).renamed("mine", "my doc")
    back = Policy.from_dict(p.to_dict())
    assert back == p and back.doc == "my doc" and back.name == "mine"
    assert p.to_dict()["holidays"] == {"ID": ["2026-01-01"]}
    assert p.renamed("other").doc == "my doc"
    minimal = Policy.from_dict({"rules": [r.to_dict() for r in _global_rules()]})
    assert (minimal.name, minimal.doc, minimal.holidays) == ("custom", "", ())
    assert Policy.from_dict({"rules": [r.to_dict() for r in _global_rules()], "holidays": None})
    _refused(lambda: Policy.from_dict([]), "policy", "a mapping", [])
    _refused(lambda: Policy.from_dict({}), "policy.rules", "a list of rules", None)
    _refused(lambda: Policy.from_dict({"rules": "abc"}), "policy.rules", value="abc")
    _refused(
        lambda: Policy.from_dict({"rules": [], "holidays": ["ID"]}),
        "policy.holidays",
        "a mapping of region code to dates",
        ["ID"],
    )


def test_differences_list_each_key_whose_duration_differs_in_key_order():
    a = DEFAULT_POLICY
    b = a.with_window(window="seller_response", duration="24h").with_window(
        region="VN", window="buyer_dispute", duration="3d"
    )
    diff = b.differences(a)
    assert [d[0] for d in diff] == [
        (None, None, Window.SELLER_RESPONSE),
        ("VN", None, Window.BUYER_DISPUTE),
    ]
    assert diff[0][1:] == (Duration.parse("24h"), Duration.parse("48h"))
    assert a.differences(a) == ()
    removed = b.without_window(region="VN", window="buyer_dispute")
    assert removed.differences(a) == diff[:1]


def test_the_default_rules_keep_their_regions_types_and_start_events():
    rule = DEFAULT_POLICY.rule("ID", "return_and_refund", "seller_receipt")
    assert (rule.region, rule.starts_after) == ("ID", "ship_back")
    us = DEFAULT_POLICY.rule("US", "buyer_cancellation", "seller_cancellation_response")
    assert us.request_type is RequestType.BUYER_CANCELLATION and us.region == "US"
    assert all(isinstance(r.source, str) and r.source for r in DEFAULT_POLICY.rules)
    assert named_policy("default") is DEFAULT_POLICY
    extra = DEFAULT_POLICY.renamed("x")
    assert named_policy("x", {"x": extra}) is extra
    assert named_policy("default", {"default": extra}) is extra
    error = _refused(lambda: named_policy("nope"), "policy", value="nope")
    assert error.reason == f"one of {', '.join(sorted(POLICIES))}"
    _refused(lambda: named_policy(5), "policy", value=5)


# --- money: every refusal names the field, the value as given, and why -----------------------

_L = _line("L1")


@pytest.mark.parametrize(
    ("call", "kind", "field", "value", "reason"),
    [
        (lambda: to_decimal("abc"), InvalidValue, "amount", "abc", "not a decimal amount"),
        (lambda: to_decimal([1]), InvalidValue, "amount", [1], "not a decimal amount"),
        (lambda: to_decimal("NaN"), InvalidValue, "amount", "NaN", "amount must be finite"),
        (lambda: Money(1, "usd"), InvalidValue, "currency", "usd",
         "three upper-case letters (ISO 4217)"),
        (lambda: Money(1, USD) + 1, InvalidValue, "amount", 1, "not Money"),
        (lambda: OrderLine("", "S", _L.paid), InvalidValue, "line_id", "", "a non-empty string"),
        (lambda: OrderLine("L", "S", _L.paid, quantity=True), InvalidValue, "quantity", True,
         "a whole number"),
        (lambda: OrderLine("L", "S", _L.paid, quantity=0), InvalidValue, "quantity", 0,
         "at least 1"),
        (lambda: Refund(()), InvalidValue, "refund.lines", (), "a refund needs at least one line"),
        (lambda: Refund(["x"]), InvalidValue, "refund.lines", "x", "a RefundLine"),
        (lambda: Refund([RefundLine("L1", _L.paid)] * 2), InvalidValue, "refund.line_id", "L1",
         "line refunded twice"),
        (lambda: Refund.allocate([_L], 5), InvalidValue, "amount", 5, "Money"),
        (lambda: to_decimal("0.00000000001", "f"), MoneyError, "f", "0.00000000001",
         "cannot be held exactly: at most 20 digits before the point and 10 after it"),
        (lambda: to_decimal(10**20, "f"), MoneyError, "f", "<int of 67 bits>", None),
        (lambda: to_decimal("1" * 200 + "x", "f"), MoneyError, "f", "1" * 117 + "...", None),
    ],
)  # fmt: skip
def test_each_money_refusal_names_the_field_the_value_and_why(call, kind, field, value, reason):
    with pytest.raises(kind) as err:
        call()
    assert err.value.field == field
    assert err.value.value == value
    if reason is not None:
        assert err.value.reason == reason


def test_money_refusals_carry_the_amounts_involved():
    eur = Money(1, "EUR")
    with pytest.raises(CurrencyMismatch) as err:
        Money(1, USD) - eur
    assert err.value.value == eur
    with pytest.raises(CurrencyMismatch) as err:
        Refund((RefundLine("L1", _L.paid), RefundLine("L2", Breakdown.of("1", "EUR"))))
    assert (err.value.value, err.value.expected) == ("EUR", USD)
    with pytest.raises(CurrencyMismatch) as err:
        check_refund(Refund.partial("L1", eur), [_L])
    assert (err.value.value, err.value.expected) == ("EUR", USD)
    with pytest.raises(CurrencyMismatch) as err:
        Refund.allocate([_L], eur)
    assert err.value.value == eur
    with pytest.raises(NonPositiveAmount) as err:
        Refund.allocate([_L], Money(0, USD))
    assert err.value.value == Money(0, USD)
    with pytest.raises(OverRefund) as err:
        Refund.allocate([_L], Money(15, USD))
    assert err.value.value == Money(15, USD)
    before = Money("14.01", USD)
    with pytest.raises(OverRefund) as err:
        OrderLine("L", "S", _L.paid, refunded_before=before)
    assert err.value.value == before
    neg = Breakdown.of("1", USD, tax="-1")
    with pytest.raises(NonPositiveAmount) as err:
        check_refund(Refund((RefundLine("L1", neg),)), [_L])
    assert err.value.value == Money(-1, USD)
    with pytest.raises(OverRefund) as err:
        check_refund(Refund.partial("L1", Money("10.01", USD)), [_L])
    assert err.value.value == Money("10.01", USD) and err.value.field == "refund[L1].subtotal"
    zero = Breakdown.zero(USD)
    with pytest.raises(NonPositiveAmount) as err:
        check_refund(Refund((RefundLine("L1", zero),)), [_L])
    assert err.value.value == Money(0, USD)
    used = _line("L1", before="13")
    with pytest.raises(OverRefund) as err:
        check_refund(Refund.partial("L1", Money(2, USD)), [used])
    assert err.value.value == Money(2, USD)
    assert (Money(3, USD) - Money(1, USD)).currency == USD


def test_an_amount_text_up_to_two_hundred_characters_is_read():
    assert to_decimal(" " * 197 + "1.5") == Decimal("1.5")  # 200 characters
    with pytest.raises(MoneyError):
        to_decimal(" " * 198 + "1.5")
    with pytest.raises(MoneyError) as err:
        to_decimal("1" * 121)
    assert err.value.value == "1" * 121  # parsed, then refused: reported as given
    with pytest.raises(MoneyError) as err:
        to_decimal(" " * 81 + "1" * 120)  # too long to parse: reported cut to 120 characters
    assert err.value.value == " " * 81 + "1" * 36 + "..."
