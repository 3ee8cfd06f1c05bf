"""What a transition means outside the case: money, stock and shipping.

Effects are data. The core records them on the case; the host (or the
application service) carries them out through its ports and marks them done.
Each effect has a stable ``key`` so that carrying it out twice can be
recognised and refused (an outbox).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from ..errors import ShippingBlocked
from .money import Money, Refund
from .vocabulary import Disposition, State

if TYPE_CHECKING:
    from .case import AfterSalesCase

__all__ = [
    "REFUNDED_BEFORE_SHIPMENT_MESSAGE",
    "SHIPPING_BLOCKED_MESSAGE",
    "Effect",
    "EffectKind",
    "ShippingCheck",
    "check_shipping",
    "shipping_check",
]


class EffectKind(enum.StrEnum):
    """Kinds of outside effect a transition can have."""

    ISSUE_REFUND = "issue_refund"
    """Money is committed to the buyer (``amount`` and ``refund`` say how much)."""
    CREATE_REPLACEMENT_ORDER = "create_replacement_order"
    """The platform creates a new order for the seller to fulfil."""
    SEND_MISSING_ITEMS = "send_missing_items"
    """The seller sends the missing items again (reshipment)."""
    RELEASE_STOCK = "release_stock"
    """Stock allocated to an unshipped order goes back to available (seed 000 Part II tip 1)."""
    STOCK_IN = "stock_in"
    """A returned parcel arrived: stock the items in with a disposition."""
    MANUAL_STOCK_IN = "manual_stock_in"
    """Shipped but never picked up, then refunded: someone must stock it in by hand."""
    BLOCK_SHIPPING = "block_shipping"
    """The order must not ship while the request is open (seed 000 Part II tip 2)."""
    UNBLOCK_SHIPPING = "unblock_shipping"
    """The request ended without refunding the whole order: it may ship again."""


@attrs.frozen
class Effect:
    """One outside effect of one applied event.

    Attributes:
        kind: What must happen.
        key: Stable idempotency key, ``"<case_id>/<seq>/<kind>"``: the same
            event of the same case always yields the same key.
        case_id: The case that produced it.
        order_id: The order it concerns.
        line_ids: The order lines it concerns (empty: the whole order).
        amount: The money involved (refunds).
        refund: The refund line by line (refunds).
        disposition: How to stock returned items in (stock-in).

    """

    kind: EffectKind
    key: str
    case_id: str
    order_id: str
    line_ids: tuple[str, ...] = ()
    amount: Money | None = None
    refund: Refund | None = None
    disposition: Disposition | None = None


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


def check_shipping(order_id: str, cases: Iterable[AfterSalesCase]) -> None:
    """Raise :class:`~tiktok_aftersales.errors.ShippingBlocked` when the order may not ship."""
    result = shipping_check(order_id, cases)
    if not result.may_ship:
        raise ShippingBlocked(order_id, result.message)


def _holds_shipping(case: AfterSalesCase) -> bool:
    """Whether ``case`` currently holds its order (used by ``AfterSalesCase.shipping_blocked``)."""
    blocked = False
    for effect in case.effects:
        if effect.kind is EffectKind.BLOCK_SHIPPING:
            blocked = True
        elif effect.kind is EffectKind.UNBLOCK_SHIPPING:
            blocked = False
    return blocked
