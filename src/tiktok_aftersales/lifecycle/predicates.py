"""Named conditions on a case and an event payload: the declaration's guards.

Each predicate is a module-level constant (``BUYER_KEEPS_ITEM``,
``RELEASES_STOCK`` …) that the declaration in [`table`][tiktok_aftersales.lifecycle.table] names
directly, so a misspelt guard is a name error that mypy and the import catch, not a
string looked up at run time. `PREDICATES` lists them by name for
docs and tooling.

Guards decide whether a transition may fire (evaluated on the case before
the event); effect conditions decide whether an effect happens (evaluated on
the case after the event).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import OrderStage, Solution

__all__ = [
    "BUYER_KEEPS_ITEM",
    "HOLDS_SHIPPING",
    "MODE_MISSING_ITEMS",
    "MODE_REPLACEMENT",
    "NEEDS_MANUAL_STOCK_IN",
    "NOT_SHIPPED",
    "OFFER_IS_PARTIAL_REFUND",
    "OFFER_IS_REPLACEMENT",
    "OFFER_IS_RESHIPMENT",
    "PARTIAL_REFUND_OF_HELD_ORDER",
    "PREDICATES",
    "RELEASES_STOCK",
    "Payload",
    "Predicate",
]

Payload = Mapping[str, Any]
"""An event's payload: field name to value."""


@attrs.frozen
class Predicate:
    """A named condition on a case and an event payload.

    Attributes:
        name: The name the docs and diagrams show (``[buyer_keeps_item]``).
        doc: What it means, in a sentence.
        test: ``test(case, payload)``: whether it holds.
        reads_payload: Whether the answer depends on the event's payload
            (not only on the case); such guards are listed by
            ``allowed_events`` and decided when the event fires.

    """

    name: str
    doc: str
    test: Callable[[AfterSalesCase, Payload], bool] = attrs.field(eq=False, repr=False)
    reads_payload: bool = False

    def __str__(self) -> str:
        return self.name


def _offer_is(solution: Solution) -> Callable[[AfterSalesCase, Payload], bool]:
    def test(case: AfterSalesCase, _payload: Payload) -> bool:
        return case.offer is not None and case.offer.solution is solution

    return test


def _mode_is(mode: str) -> Callable[[AfterSalesCase, Payload], bool]:
    def test(_case: AfterSalesCase, payload: Payload) -> bool:
        return (payload.get("mode") or "missing_items") == mode

    return test


def _releases_stock(case: AfterSalesCase, _payload: Payload) -> bool:
    return case.order_stage is OrderStage.NOT_SHIPPED and bool(case.fully_refunded_lines)


def _manual_stock_in(case: AfterSalesCase, _payload: Payload) -> bool:
    return case.order_stage is OrderStage.SHIPPED_NOT_PICKED_UP and bool(case.fully_refunded_lines)


def _partial_refund_of_held_order(case: AfterSalesCase, _payload: Payload) -> bool:
    return case.shipping_blocked and len(case.fully_refunded_lines) < len(case.lines)


NOT_SHIPPED = Predicate(
    "not_shipped",
    "the order had not shipped when the request was made",
    lambda case, _p: case.order_stage is OrderStage.NOT_SHIPPED,
)
BUYER_KEEPS_ITEM = Predicate(
    "buyer_keeps_item",
    "the seller approves with buyer_keep_item: refund without a return",
    lambda _case, payload: payload.get("buyer_keep_item") is True,
    reads_payload=True,
)
OFFER_IS_PARTIAL_REFUND = Predicate(
    "offer_is_partial_refund",
    "the pending offer is a partial refund",
    _offer_is(Solution.PARTIAL_REFUND),
)
OFFER_IS_RESHIPMENT = Predicate(
    "offer_is_reshipment",
    "the pending offer is to send the missing items",
    _offer_is(Solution.RESHIPMENT),
)
OFFER_IS_REPLACEMENT = Predicate(
    "offer_is_replacement",
    "the pending offer is a replacement order",
    _offer_is(Solution.REPLACEMENT),
)
MODE_MISSING_ITEMS = Predicate(
    "mode_missing_items",
    "the seller sends the missing items (payload mode, the default)",
    _mode_is("missing_items"),
    reads_payload=True,
)
MODE_REPLACEMENT = Predicate(
    "mode_replacement",
    "the seller sends a whole replacement (payload mode='replacement')",
    _mode_is("replacement"),
    reads_payload=True,
)
RELEASES_STOCK = Predicate(
    "releases_stock",
    "refunded in full before shipment: allocated stock goes back",
    _releases_stock,
)
NEEDS_MANUAL_STOCK_IN = Predicate(
    "needs_manual_stock_in",
    "refunded in full after shipment but before carrier pickup",
    _manual_stock_in,
)
HOLDS_SHIPPING = Predicate(
    "holds_shipping",
    "this case currently holds its order from shipping",
    lambda case, _p: case.shipping_blocked,
)
PARTIAL_REFUND_OF_HELD_ORDER = Predicate(
    "partial_refund_of_held_order",
    "the case held its order and the refund leaves some lines to ship",
    _partial_refund_of_held_order,
)

PREDICATES: Mapping[str, Predicate] = MappingProxyType(
    {
        p.name: p
        for p in (
            NOT_SHIPPED,
            BUYER_KEEPS_ITEM,
            OFFER_IS_PARTIAL_REFUND,
            OFFER_IS_RESHIPMENT,
            OFFER_IS_REPLACEMENT,
            MODE_MISSING_ITEMS,
            MODE_REPLACEMENT,
            RELEASES_STOCK,
            NEEDS_MANUAL_STOCK_IN,
            HOLDS_SHIPPING,
            PARTIAL_REFUND_OF_HELD_ORDER,
        )
    }
)
"""Every predicate, by name (for docs and tools; the declaration uses the constants)."""
