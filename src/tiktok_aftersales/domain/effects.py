"""What a transition means outside the case: money, stock and shipping.

Effects are data. The core records them on the case; the host (or the
application service) carries them out through its ports and marks them done.
Each effect has a stable ``key`` so that carrying it out twice can be
recognised and refused (an outbox).
"""

from __future__ import annotations

import enum

import attrs

from .money import Money, Refund
from .vocabulary import Disposition

__all__ = ["Effect", "EffectKind"]


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
    PLATFORM_CALL = "platform_call"
    """A seller's decision goes to the platform (``call`` holds the outbound request).

    The application service records it with the seller's event and sends it
    from the outbox after the save that recorded it has won, so racing
    processes cannot both call the platform."""


@attrs.frozen(weakref_slot=False)  # one or more per event: no weak-reference slot
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
        call: The outbound request as JSON text (platform calls).

    """

    kind: EffectKind
    key: str
    case_id: str
    order_id: str
    line_ids: tuple[str, ...] = ()
    amount: Money | None = None
    refund: Refund | None = None
    disposition: Disposition | None = None
    call: str | None = None
