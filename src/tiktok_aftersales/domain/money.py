"""Money, order lines, and refunds at order, line and partial-line level.

Money is a ``Decimal`` with an ISO 4217 currency, never a float. A refund is
made of one [`RefundLine`][tiktok_aftersales.domain.money.RefundLine] per order line it touches,
each with the platform's breakdown (subtotal, shipping fee, tax; the total is their sum,
platform-api.md §2g). [`check_refund`][tiktok_aftersales.domain.money.check_refund] enforces the
invariant: per line and per order, what is refunded never exceeds what was paid.

Money does not depend on its caller's decimal context: every amount is
bounded at the edge (at most ``MAX_INTEGER_DIGITS`` digits before the
point and ``MAX_DECIMAL_PLACES`` after it, the bounds the platform
readers accept too), and every sum and difference is computed in
``MONEY_CONTEXT``, whose precision holds any sum of such amounts
exactly. A caller setting ``decimal.getcontext().prec = 3`` changes nothing.
"""

from __future__ import annotations

import decimal
import enum
import functools
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..errors import (
    CurrencyMismatch,
    FloatAmount,
    InvalidValue,
    MoneyError,
    NonPositiveAmount,
    OverRefund,
)
from ._builders import unchecked

__all__ = [
    "MAX_DECIMAL_PLACES",
    "MAX_INTEGER_DIGITS",
    "MONEY_CONTEXT",
    "Breakdown",
    "Money",
    "OrderLine",
    "Refund",
    "RefundLevel",
    "RefundLine",
    "amount_add",
    "amount_sub",
    "amount_sum",
    "check_held",
    "check_refund",
    "to_decimal",
]

MAX_INTEGER_DIGITS = 20
"""Digits an amount may have before the decimal point (below ``10**20``)."""
MAX_DECIMAL_PLACES = 10
"""Digits an amount may have after the decimal point."""

MONEY_CONTEXT = decimal.Context(
    prec=2 * (MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES),
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
"""The decimal context of every money sum and difference.

Its precision (60 digits) holds exactly the sum of up to ``10**30`` amounts
within the bounds; ``Inexact`` is trapped, so an amount is never silently
rounded.
"""


def amount_add(a: Decimal, b: Decimal) -> Decimal:
    """``a + b`` computed in [`MONEY_CONTEXT`][tiktok_aftersales.domain.money.MONEY_CONTEXT].

    Exact, whatever the caller's decimal context.
    """
    return MONEY_CONTEXT.add(a, b)


def amount_sub(a: Decimal, b: Decimal) -> Decimal:
    """``a - b`` computed in [`MONEY_CONTEXT`][tiktok_aftersales.domain.money.MONEY_CONTEXT].

    Exact, whatever the caller's decimal context.
    """
    return MONEY_CONTEXT.subtract(a, b)


def amount_sum(values: Iterable[Decimal]) -> Decimal:
    """The sum of ``values``, in [`MONEY_CONTEXT`][tiktok_aftersales.domain.money.MONEY_CONTEXT].

    ``Decimal(0)`` when empty; exact, whatever the caller's decimal context.
    """
    add = MONEY_CONTEXT.add
    total = _ZERO
    for value in values:
        total = add(total, value)
    return total


_ZERO = Decimal(0)
_INEXACT = (
    f"cannot be held exactly: at most {MAX_INTEGER_DIGITS} digits before the point"
    f" and {MAX_DECIMAL_PLACES} after it"
)


def check_held(value: Decimal, field: str = "amount", given: Any = None) -> Decimal:
    """Refuse an amount the library cannot hold exactly; return it unchanged otherwise.

    Args:
        value: A finite ``Decimal``.
        field: The name reported in the error.
        given: The value as the caller gave it (reported in the error); ``value`` if ``None``.

    Returns:
        ``value``.

    Raises:
        MoneyError: ``value`` has more than ``MAX_DECIMAL_PLACES`` digits
            after the point or ``MAX_INTEGER_DIGITS`` before it.

    """
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent < -MAX_DECIMAL_PLACES or (value and value.adjusted() >= MAX_INTEGER_DIGITS):
        raise MoneyError(field, value if given is None else given, _INEXACT)
    return value


_CURRENCY = re.compile(r"^[A-Z]{3}$")


def to_decimal(value: Any, field: str = "amount") -> Decimal:
    """Convert a decimal string, ``int`` or ``Decimal`` to a finite ``Decimal``.

    Args:
        value: The amount as given.
        field: The name reported in errors.

    Returns:
        The amount, exactly as given (no rounding).

    Raises:
        FloatAmount: ``value`` is a float.
        InvalidValue: ``value`` is not a finite decimal number.
        MoneyError: ``value`` has more digits than the library holds
            exactly (see [`check_held`][tiktok_aftersales.domain.money.check_held]).

    """
    if isinstance(value, bool):
        raise InvalidValue(field, value, "not a decimal amount")
    if isinstance(value, float):
        raise FloatAmount(field, value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            raise MoneyError(field, _short(value), _INEXACT)
        result = Decimal(value)
    elif isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise MoneyError(field, _short(value), _INEXACT)
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidValue(field, value, "not a decimal amount") from None
    else:
        raise InvalidValue(field, value, "not a decimal amount")
    if not result.is_finite():
        raise InvalidValue(field, value, "amount must be finite")
    return check_held(result, field, value)


_INT_LIMIT = 10**MAX_INTEGER_DIGITS
_MAX_TEXT = 200  # longer than any amount within the bounds, even with padding


def _short(value: Any) -> Any:
    text = str(value) if not isinstance(value, int) else f"<int of {value.bit_length()} bits>"
    return text if len(text) <= 120 else text[:117] + "..."


def _currency(value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise InvalidValue("currency", value, "three upper-case letters (ISO 4217)")
    return value


@attrs.frozen(order=False)
class Money:
    """An amount of one currency.

    >>> Money("19.99", "USD") + Money("1.61", "USD")
    Money(amount=Decimal('21.60'), currency='USD')

    Attributes:
        amount: The amount; built from a ``Decimal``, ``int`` or decimal string.
        currency: ISO 4217 code, upper case.

    Raises:
        FloatAmount: The amount is a float.
        InvalidValue: The amount is not a number or the currency is malformed.

    """

    amount: Decimal = attrs.field(converter=to_decimal)
    currency: str = attrs.field(converter=_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``."""
        return cls(Decimal(0), currency)

    @classmethod
    def _of(cls, amount: Decimal, currency: str) -> Money:
        """Build from values already checked (internal arithmetic): no re-validation."""
        made = object.__new__(cls)
        _SET_AMOUNT(made, amount)
        _SET_CURRENCY(made, currency)
        return made

    def _same(self, other: Money, field: str) -> None:
        if not isinstance(other, Money):
            raise InvalidValue(field, other, "not Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(field, other, self.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other, "amount")
        return Money._of(MONEY_CONTEXT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other, "amount")
        return Money._of(MONEY_CONTEXT.subtract(self.amount, other.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other, "amount")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other, "amount")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other, "amount")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other, "amount")
        return self.amount >= other.amount

    @property
    def is_positive(self) -> bool:
        """Whether the amount is greater than zero."""
        return self.amount > 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


_SET_AMOUNT = Money.__dict__["amount"].__set__
_SET_CURRENCY = Money.__dict__["currency"].__set__


@attrs.frozen
class Breakdown:
    """The platform's refund (or payment) breakdown: total = subtotal + shipping + tax.

    All three parts must share a currency.

    Attributes:
        subtotal: Item price part.
        shipping: Shipping-fee part.
        tax: Tax part.

    """

    subtotal: Money
    shipping: Money
    tax: Money

    def __attrs_post_init__(self) -> None:
        self.subtotal._same(self.shipping, "shipping")
        self.subtotal._same(self.tax, "tax")

    @classmethod
    def of(
        cls,
        subtotal: Decimal | int | str,
        currency: str,
        shipping: Decimal | int | str = 0,
        tax: Decimal | int | str = 0,
    ) -> Breakdown:
        """Build a breakdown from bare amounts in one currency.

        >>> Breakdown.of("19.99", "USD", tax="1.61").total
        Money(amount=Decimal('21.60'), currency='USD')
        """
        return cls(Money(subtotal, currency), Money(shipping, currency), Money(tax, currency))

    @classmethod
    def zero(cls, currency: str) -> Breakdown:
        """Return a breakdown of zeros in ``currency``."""
        z = Money.zero(currency)
        return cls(z, z, z)

    @property
    def currency(self) -> str:
        """The currency of every part."""
        return self.subtotal.currency

    @property
    def total(self) -> Money:
        """``subtotal + shipping + tax``."""
        return Money._of(self.total_amount, self.subtotal.currency)

    @property
    def total_amount(self) -> Decimal:
        """``subtotal + shipping + tax`` as a bare ``Decimal``."""
        add = MONEY_CONTEXT.add
        return add(add(self.subtotal.amount, self.shipping.amount), self.tax.amount)

    def __add__(self, other: Breakdown) -> Breakdown:
        return Breakdown(
            self.subtotal + other.subtotal, self.shipping + other.shipping, self.tax + other.tax
        )


@attrs.frozen
class OrderLine:
    """One line of the order, with what the buyer paid for it.

    TikTok Shop order lines are one unit each (platform-api.md §2g), but a
    host may group units with ``quantity``.

    Attributes:
        line_id: The order line item id (a string of digits on the platform).
        sku_id: The SKU.
        paid: What was paid for the line.
        quantity: Units on the line.
        refunded_before: What earlier requests already refunded on this line.

    """

    line_id: str
    sku_id: str
    paid: Breakdown
    quantity: int = 1
    refunded_before: Money | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.line_id, str) or not self.line_id:
            raise InvalidValue("line_id", self.line_id, "a non-empty string")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise InvalidValue("quantity", self.quantity, "a whole number")
        if self.quantity < 1:
            raise InvalidValue("quantity", self.quantity, "at least 1")
        if self.refunded_before is not None:
            self.paid.subtotal._same(self.refunded_before, "refunded_before")
            if self.refunded_before > self.paid.total:
                raise OverRefund("refunded_before", self.refunded_before, self.paid.total)

    @property
    def refundable(self) -> Money:
        """What may still be refunded on this line."""
        return Money._of(self.refundable_amount, self.paid.subtotal.currency)

    @property
    def refundable_amount(self) -> Decimal:
        """What may still be refunded on this line, as a bare ``Decimal``."""
        total = self.paid.total_amount
        if self.refunded_before is None:
            return total
        return MONEY_CONTEXT.subtract(total, self.refunded_before.amount)


class RefundLevel(enum.StrEnum):
    """How much of the order a refund covers (seed 004: order, line, partial line)."""

    ORDER = "order"
    """Every line of the case, each in full."""
    LINE = "line"
    """Some lines, each in full."""
    PARTIAL_LINE = "partial_line"
    """At least one line for less than what may be refunded on it."""


@attrs.frozen
class RefundLine:
    """The refund of one order line."""

    line_id: str
    amount: Breakdown


def _refund_lines_converter(value: Iterable[RefundLine]) -> tuple[RefundLine, ...]:
    items = tuple(value)
    for item in items:
        if not isinstance(item, RefundLine):
            raise InvalidValue("refund.lines", item, "a RefundLine")
    return items


@attrs.frozen
class Refund:
    """A refund, line by line, with the platform's breakdown.

    Build one with [`order`][tiktok_aftersales.domain.money.Refund.order],
    [`line`][tiktok_aftersales.domain.money.Refund.line] or
    [`partial`][tiktok_aftersales.domain.money.Refund.partial]; check it against the order lines
    with [`check_refund`][tiktok_aftersales.domain.money.check_refund].
    """

    lines: tuple[RefundLine, ...] = attrs.field(converter=_refund_lines_converter)

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("refund.lines", self.lines, "a refund needs at least one line")
        currency = self.lines[0].amount.currency
        seen: set[str] = set()
        for line in self.lines:
            if line.amount.currency != currency:
                raise CurrencyMismatch("refund.currency", line.amount.currency, currency)
            if line.line_id in seen:
                raise InvalidValue("refund.line_id", line.line_id, "line refunded twice")
            seen.add(line.line_id)

    @property
    def currency(self) -> str:
        """The refund's currency."""
        return self.lines[0].amount.currency

    @functools.cached_property
    def total(self) -> Money:
        """The sum of every line's total (worked out once per refund: it is immutable)."""
        return Money._of(self.total_amount, self.lines[0].amount.subtotal.currency)

    @functools.cached_property
    def line_ids(self) -> tuple[str, ...]:
        """The ids of the lines refunded, in the refund's order (worked out once per refund)."""
        return tuple([x.line_id for x in self.lines])

    @property
    def total_amount(self) -> Decimal:
        """The sum of every line's total, as a bare ``Decimal``."""
        add = MONEY_CONTEXT.add
        total = _ZERO
        for x in self.lines:
            a = x.amount
            total = add(add(add(total, a.subtotal.amount), a.shipping.amount), a.tax.amount)
        return total

    @property
    def breakdown(self) -> Breakdown:
        """The breakdown summed over lines."""
        result = self.lines[0].amount
        for x in self.lines[1:]:
            result = result + x.amount
        return result

    def for_line(self, line_id: str) -> Breakdown | None:
        """The refund of one line, or ``None`` when the line is not refunded."""
        for x in self.lines:
            if x.line_id == line_id:
                return x.amount
        return None

    @classmethod
    def order(cls, lines: Iterable[OrderLine]) -> Refund:
        """Refund every line in full (what is left of it)."""
        items = tuple([_refund_line(x.line_id, _remaining(x)) for x in lines])
        if cls is not Refund:  # a subclass gets its own constructor
            return cls(items)
        return _refund_of(items)

    @classmethod
    def line(cls, lines: Iterable[OrderLine], *line_ids: str) -> Refund:
        """Refund the named lines in full.

        Raises:
            InvalidValue: A line id is not on the order.

        """
        by_id = {x.line_id: x for x in lines}
        out = []
        for line_id in line_ids:
            if line_id not in by_id:
                raise InvalidValue("line_id", line_id, f"not on the order ({', '.join(by_id)})")
            out.append(RefundLine(line_id, _remaining(by_id[line_id])))
        return cls(tuple(out))

    @classmethod
    def partial(cls, line_id: str, amount: Money | Breakdown) -> Refund:
        """Refund part of one line; a bare ``Money`` is taken as item subtotal."""
        if isinstance(amount, Money):
            zero = Money.zero(amount.currency)
            amount = Breakdown(amount, zero, zero)
        return cls((RefundLine(line_id, amount),))

    @classmethod
    def allocate(cls, lines: Iterable[OrderLine], amount: Money) -> Refund:
        """Spread an order-level amount over lines, in order, as a refund.

        Each line takes what it may still refund (item subtotal first, then
        shipping, then tax) until ``amount`` is used up. This is how an
        order-level partial refund (the platform's ``partial_refund``) is
        turned into line-level refunds.

        Raises:
            NonPositiveAmount: ``amount`` is zero or less.
            CurrencyMismatch: ``amount`` is not in the lines' currency.
            OverRefund: ``amount`` exceeds what the lines may still refund.

        """
        items = tuple(lines)
        if not isinstance(amount, Money):
            raise InvalidValue("amount", amount, "Money")
        if not amount.is_positive:
            raise NonPositiveAmount("amount", amount)
        left = amount.amount
        currency = amount.currency
        subtract = MONEY_CONTEXT.subtract
        out = []
        for line in items:
            if left <= 0:
                break
            if line.paid.currency != currency:
                raise CurrencyMismatch("amount", amount, line.paid.currency)
            rest = _remaining(line)
            parts = []
            taken = False
            for part in (rest.subtotal, rest.shipping, rest.tax):
                have = part.amount
                take = left if left < have else have  # min(have, left), keeping have on a tie
                left = subtract(left, take)
                taken = taken or take > 0
                parts.append(Money._of(take, part.currency))
            if taken:
                out.append(_refund_line(line.line_id, _breakdown(parts[0], parts[1], parts[2])))
        if left > 0:
            limit = Money._of(amount_sum(x.refundable_amount for x in items), currency)
            raise OverRefund("amount", amount, limit)
        if cls is not Refund:
            return cls(tuple(out))
        return _refund_of(tuple(out))


def _refund_of(items: tuple[RefundLine, ...]) -> Refund:
    """``Refund(items)`` for a tuple known to hold only `RefundLine` values.

    The converter's type checks are skipped; the refund's own checks (at
    least one line, one currency, no line twice) still run.
    """
    made = object.__new__(Refund)
    _SET_REFUND_LINES(made, items)
    if len(items) != 1:  # one line has one currency and no repeat: nothing to check
        made.__attrs_post_init__()
    return made


_SET_REFUND_LINES = Refund.__dict__["lines"].__set__
_refund_line = unchecked(RefundLine)
_breakdown = unchecked(Breakdown, skip_post_init=True)
"""``Breakdown(subtotal, shipping, tax)`` for parts already known to share a currency."""


def _remaining(line: OrderLine) -> Breakdown:
    if line.refunded_before is None or not line.refunded_before.is_positive:
        return line.paid
    # What is left is taken off the item subtotal first, then shipping, then tax.
    left = line.refunded_before.amount
    parts = []
    for part in (line.paid.subtotal, line.paid.shipping, line.paid.tax):
        take = min(part.amount, left)
        left = MONEY_CONTEXT.subtract(left, take)
        parts.append(Money._of(MONEY_CONTEXT.subtract(part.amount, take), part.currency))
    return Breakdown(parts[0], parts[1], parts[2])


def check_refund(refund: Refund, lines: Sequence[OrderLine], field: str = "refund") -> RefundLevel:
    """Check a refund against what was paid and return its level.

    Args:
        refund: The refund to check.
        lines: The order lines of the case, with what was paid and what
            earlier requests already refunded.
        field: The name reported in errors.

    Returns:
        The [`RefundLevel`][tiktok_aftersales.domain.money.RefundLevel] of the refund.

    Raises:
        InvalidValue: A refunded line is not on the order.
        CurrencyMismatch: The refund's currency is not the order's.
        NonPositiveAmount: The refund, or a line of it, is zero or less, or a
            part of the breakdown is negative.
        OverRefund: A line's refund (or a part of its breakdown) exceeds what
            may still be refunded, or the whole exceeds the order's total.

    """
    level = _level_if_fits(refund, lines)
    if level is not None:
        return level
    return _checked_level(refund, lines, field)


def _checked_level(refund: Refund, lines: Sequence[OrderLine], field: str) -> RefundLevel:
    """`check_refund` one check at a time, on ``Money`` values: every refusal is raised here."""
    by_id = {x.line_id: x for x in lines}
    full = True
    for part in refund.lines:
        line = by_id.get(part.line_id)
        if line is None:
            raise InvalidValue(
                f"{field}.line_id", part.line_id, f"not on the order ({', '.join(by_id)})"
            )
        if part.amount.currency != line.paid.currency:
            raise CurrencyMismatch(f"{field}.currency", part.amount.currency, line.paid.currency)
        for name in ("subtotal", "shipping", "tax"):
            got: Money = getattr(part.amount, name)
            paid: Money = getattr(line.paid, name)
            if got.amount < 0:
                raise NonPositiveAmount(f"{field}[{part.line_id}].{name}", got)
            if got > paid:
                raise OverRefund(f"{field}[{part.line_id}].{name}", got, paid)
        total = part.amount.total
        if not total.is_positive:
            raise NonPositiveAmount(f"{field}[{part.line_id}].total", total)
        limit = line.refundable
        if total > limit:
            raise OverRefund(f"{field}[{part.line_id}].total", total, limit)
        if total < limit:
            full = False
    order_paid = Money._of(amount_sum(x.refundable_amount for x in lines), refund.currency)
    if refund.total > order_paid:
        raise OverRefund(f"{field}.total", refund.total, order_paid)
    if not full:
        return RefundLevel.PARTIAL_LINE
    return RefundLevel.ORDER if len(refund.lines) == len(by_id) else RefundLevel.LINE


def _level_if_fits(refund: Refund, lines: Sequence[OrderLine]) -> RefundLevel | None:
    """`check_refund`'s answer when the refund passes every check, else ``None``.

    The same checks on bare ``Decimal`` amounts, with no ``Money`` built or
    compared: a refund that passes them gets its level here; any other is
    left to `check_refund`'s own walk, which raises the precise error.
    """
    add = MONEY_CONTEXT.add
    by_id = {x.line_id: x for x in lines}
    full = True
    for part in refund.lines:
        line = by_id.get(part.line_id)
        if line is None:
            return None
        got = part.amount
        paid = line.paid
        s, sh, t = got.subtotal, got.shipping, got.tax
        if s.currency != paid.subtotal.currency:  # a breakdown's parts share one currency
            return None
        if not (
            _ZERO <= s.amount <= paid.subtotal.amount
            and _ZERO <= sh.amount <= paid.shipping.amount
            and _ZERO <= t.amount <= paid.tax.amount
        ):
            return None
        total = add(add(s.amount, sh.amount), t.amount)
        limit = line.refundable_amount
        if not _ZERO < total <= limit:
            return None
        if total < limit:
            full = False
    # The order-level cap needs no check here: each refunded line (at most once in
    # a refund) is within what may still be refunded on it, and none of that is negative.
    if not full:
        return RefundLevel.PARTIAL_LINE
    return RefundLevel.ORDER if len(refund.lines) == len(by_id) else RefundLevel.LINE
