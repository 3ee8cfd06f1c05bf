"""May this order ship? The shipping hold that after-sales requests put on an order.

A refund-only request made before shipment holds its order (seed 000 Part II
tip 2), and a refund before shipment that covered every line holds it for
good. `shipping_check` answers for an order from all its cases.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..errors import ShippingBlocked
from .case import AfterSalesCase
from .vocabulary import State

__all__ = [
    "REFUNDED_BEFORE_SHIPMENT_MESSAGE",
    "SHIPPING_BLOCKED_MESSAGE",
    "ShippingCheck",
    "shipping_check",
]


SHIPPING_BLOCKED_MESSAGE = (
    "This order has an after-sales request. Please try again after it’s handled. "
    "[Order Number: {order_id}]"
)
"""The interception text of seed 000 (typographic apostrophe included)."""

REFUNDED_BEFORE_SHIPMENT_MESSAGE = (
    "This order was refunded before shipment and must not ship. [Order Number: {order_id}]"
)
"""Why an order refunded in full before shipment stays held."""


@attrs.frozen
class ShippingCheck:
    """The answer to "may this order ship now?".

    Attributes:
        order_id: The order asked about.
        may_ship: Whether it may ship.
        message: Why not (empty when it may ship).
        blocking_cases: The ids of the cases that hold it.

    """

    order_id: str
    may_ship: bool
    message: str = ""
    blocking_cases: tuple[str, ...] = ()

    def require(self) -> None:
        """Raise when the order may not ship (for a host about to hand it to the carrier).

        Raises:
            ShippingBlocked: The order is held; the error carries the message.

        """
        if not self.may_ship:
            raise ShippingBlocked(self.order_id, self.message)


def shipping_check(order_id: str, cases: Iterable[AfterSalesCase]) -> ShippingCheck:
    """Say whether an order may ship, given the after-sales cases on it.

    An order is held while a refund-only request made before shipment is
    open (seed 000 Part II tip 2), and for good once a refund before
    shipment covered every line (the buyer was refunded; shipping it would
    give the goods away).

    Args:
        order_id: The order about to ship.
        cases: Cases to consider; cases of other orders are ignored.

    """
    holding: list[str] = []
    open_request = False
    for case in cases:
        if case.order_id != order_id or case.state is State.NEW:
            continue
        if case.shipping_blocked:
            holding.append(case.case_id)
            if case.refund is None:
                open_request = True
    if not holding:
        return ShippingCheck(order_id, True)
    text = SHIPPING_BLOCKED_MESSAGE if open_request else REFUNDED_BEFORE_SHIPMENT_MESSAGE
    return ShippingCheck(order_id, False, text.format(order_id=order_id), tuple(holding))
