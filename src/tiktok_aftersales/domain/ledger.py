"""The order ledger: what every case of one order has refunded, and what is left.

An order routinely carries several after-sales requests (one per SKU in the
legacy model, an edit chain, a buyer request after a seller's partial
refund). Each case checks its own refund against what was paid, but money's
consistency boundary is the order: together, its cases never refund more
than its lines paid, per line or in total.

`OrderLedger` is a pure value built from the cases of one order. A case
holds money once it has a committed refund (``case.refund``), and a seller
refund holds what it requested from its opening (it is sent at once); a
pending buyer request, a request that ended without a refund and a request
superseded by its edit hold nothing. `OrderLedger.check` refuses a refund beyond
what is left with [`OrderOverRefund`][tiktok_aftersales.errors.OrderOverRefund], naming the
order, the line, the amount asked and the amount left.

>>> from tiktok_aftersales.domain.money import Breakdown, OrderLine, Refund
>>> line = OrderLine("L1", "MUG", Breakdown.of("20.00", "USD", tax="1.60"))
>>> ledger = OrderLedger.of("o-1", [line])
>>> str(ledger.left("L1"))
'21.60 USD'
>>> ledger.check(Refund.order([line]))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

from ..errors import CurrencyMismatch, InvalidValue, OrderOverRefund
from .case import AfterSalesCase
from .money import Money, OrderLine, Refund
from .vocabulary import RequestType, State

__all__ = ["OrderLedger"]


_ENDED_WITHOUT_REFUND = frozenset({State.REJECTED, State.WITHDRAWN, State.CLOSED})


def _held(case: AfterSalesCase) -> Refund | None:
    """What a case holds: its committed refund, or a seller refund's request (sent at opening)."""
    if case.refund is not None:
        return case.refund
    if (
        case.request_type is RequestType.SELLER_REFUND
        and case.requested is not None
        and case.state not in _ENDED_WITHOUT_REFUND
    ):
        return case.requested
    return None


@attrs.frozen
class OrderLedger:
    """What an order paid per line, what its cases committed, and what is left.

    Build it with `of`. Lines are keyed by order-line id, the id every
    case of the order uses for its lines.

    Attributes:
        order_id: The order.
        currency: The order's currency.
        paid: Line id to what may be refunded at all (paid, less what was
            refunded outside the library: ``OrderLine.refunded_before``).
        held: Line id to the refunds the order's cases committed on it.
        holders: The ids of the cases that hold money, in order.

    """

    order_id: str
    currency: str
    paid: Mapping[str, Decimal]
    held: Mapping[str, Decimal]
    holders: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        order_id: str,
        lines: Iterable[OrderLine] = (),
        cases: Iterable[AfterSalesCase] = (),
    ) -> OrderLedger:
        """The ledger of ``order_id`` from its lines and every case on it.

        Args:
            order_id: The order.
            lines: The order's lines (the cases' lines are added: a case
                names the lines it concerns, with what they paid).
            cases: Every case of the order; cases of other orders are
                refused.

        Raises:
            InvalidValue: A case belongs to another order, two sources
                disagree on what a line paid, or currencies differ.

        """
        paid: dict[str, Decimal] = {}
        seen_lines: dict[str, OrderLine] = {}
        currency: str | None = None
        items = tuple(cases)

        def add_line(line: OrderLine, where: str) -> None:
            nonlocal currency
            if currency is None:
                currency = line.paid.currency
            elif line.paid.currency != currency:
                raise InvalidValue(
                    f"{where}.currency", line.paid.currency, f"the order is in {currency}"
                )
            known = seen_lines.get(line.line_id)
            if known is None:
                seen_lines[line.line_id] = line
                paid[line.line_id] = line.refundable_amount
            elif known.paid != line.paid:
                raise InvalidValue(
                    f"{where}.paid",
                    line.line_id,
                    f"two cases of order {order_id} disagree on what line {line.line_id} paid",
                )

        for line in lines:
            add_line(line, "lines")
        held: dict[str, Decimal] = {}
        holders: list[str] = []
        for case in items:
            if case.order_id != order_id:
                raise InvalidValue("cases.order_id", case.order_id, f"not order {order_id}")
            for line in case.lines:
                add_line(line, f"case {case.case_id}.lines")
            holding = _held(case)
            if holding is None:
                continue
            holders.append(case.case_id)
            for part in holding.lines:
                held[part.line_id] = held.get(part.line_id, Decimal(0)) + part.amount.total_amount
        return cls(
            order_id,
            currency or "",
            MappingProxyType(paid),
            MappingProxyType(held),
            tuple(holders),
        )

    def without(self, case: AfterSalesCase) -> OrderLedger:
        """The ledger as ``case`` sees it: every other case's holding, not its own."""
        own = _held(case)
        if case.case_id not in self.holders or own is None:
            return self
        held = dict(self.held)
        for part in own.lines:
            held[part.line_id] = held.get(part.line_id, Decimal(0)) - part.amount.total_amount
        holders = tuple(h for h in self.holders if h != case.case_id)
        return attrs.evolve(self, held=MappingProxyType(held), holders=holders)

    def left(self, line_id: str) -> Money:
        """What may still be refunded on one line, across every case of the order.

        Raises:
            InvalidValue: The line is not on the order.

        """
        if line_id not in self.paid:
            raise InvalidValue("line_id", line_id, f"not a line of order {self.order_id}")
        left = self.paid[line_id] - self.held.get(line_id, Decimal(0))
        return Money(max(left, Decimal(0)), self.currency)

    @property
    def left_total(self) -> Money:
        """What may still be refunded on the whole order."""
        total = sum(self.paid.values(), Decimal(0)) - sum(self.held.values(), Decimal(0))
        return Money(max(total, Decimal(0)), self.currency)

    @property
    def refunded_total(self) -> Money:
        """What the order's cases committed in all."""
        return Money(sum(self.held.values(), Decimal(0)), self.currency)

    def check(self, refund: Refund, *, field: str = "refund") -> None:
        """Refuse ``refund`` if, with what the order's cases hold, it would exceed what was paid.

        Args:
            refund: The refund a case is about to commit, offer or send.
            field: The name reported in errors.

        Raises:
            OrderOverRefund: A line, or the order, has less left than asked;
                the error names the order, the line (``None`` for the total),
                the amount asked and the amount left.
            InvalidValue: A refunded line is not on the order.

        """
        for part in refund.lines:
            left = self.left(part.line_id)
            asked = part.amount.total
            if asked.currency != self.currency:
                raise CurrencyMismatch(f"{field}.currency", asked.currency, self.currency)
            if asked.amount > left.amount:
                raise OrderOverRefund(
                    f"{field}[{part.line_id}]", self.order_id, part.line_id, asked, left
                )
        total = refund.total
        left_total = self.left_total
        if total.amount > left_total.amount:
            raise OrderOverRefund(f"{field}.total", self.order_id, None, total, left_total)
