"""The ports a host implements so the library can drive its world.

The library does no I/O. A host brings four adapters, each a
`typing.Protocol` (structural: no base class to inherit):

- [`PlatformPort`][tiktok_aftersales.app.ports.PlatformPort]: the TikTok Shop client (seller
  decisions, seller refunds, snapshots of a request);
- [`InventoryPort`][tiktok_aftersales.app.ports.InventoryPort]: stock and shipping holds;
- [`CaseStore`][tiktok_aftersales.app.ports.CaseStore]: where cases live, with optimistic
  concurrency;
- [`Clock`][tiktok_aftersales.app.ports.Clock]: the current time.

[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService] drives them; in-memory
versions and a contract test kit are in
[`tiktok_aftersales.app.testing`][tiktok_aftersales.app.testing].

Idempotency is the rule of every outward call: each one carries a stable
``key``, and an adapter that receives a key it has already carried out must
do nothing (and not fail). That is what lets the service retry after a
crash or an error without refunding or stocking in twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from ..domain.case import AfterSalesCase
from ..domain.money import Refund
from ..domain.vocabulary import Actor, Disposition, RequestType, State
from ..errors import CaseExists, UnknownCase

__all__ = [
    "CaseExists",
    "CaseStore",
    "Clock",
    "Decision",
    "InventoryPort",
    "PlatformPort",
    "StockItem",
    "UnknownCase",
]


@attrs.frozen
class StockItem:
    """Stock an inventory operation concerns: one order line's SKU and units.

    Attributes:
        line_id: The order line.
        sku_id: The SKU to move.
        quantity: How many units.

    """

    line_id: str
    sku_id: str
    quantity: int = 1


@attrs.frozen
class Decision:
    """A seller action the platform must accept, as sent through `PlatformPort`.

    The service builds one for every event the seller fires (approve,
    reject, an offer, confirming or rejecting a received parcel, a
    reshipment, a seller refund, a direct cancellation). Turning it into the
    platform's request (``APPROVE_RETURN``, ``REJECT_RECEIVED_PACKAGE`` and so
    on) is the adapter's job; ``request_type``, ``state`` and ``event``
    together decide which one.

    Attributes:
        key: Idempotency key; pass it to the platform (``idempotency_key``).
            The same command always gets the same key, so a retried send is
            recognised and ignored.
        case_id: The host's case id.
        order_id: The order.
        platform_id: The platform's ``return_id`` or ``cancel_id``, if known.
        request_type: The case's request type.
        state: The canonical state before the event.
        event: The event the seller fires.
        actor: Who fires it (the seller).
        at: When, timezone-aware.
        payload: The validated event payload (``reason``, ``amount``,
            ``buyer_keep_item`` and so on), or ``None``.
        refund: The money at stake: the refund offered, initiated or
            committed by this event, if any.

    """

    key: str
    case_id: str
    order_id: str
    platform_id: str | None
    request_type: RequestType
    state: State
    event: str
    actor: Actor
    at: datetime
    payload: Mapping[str, Any] | None = None
    refund: Refund | None = None


@runtime_checkable
class PlatformPort(Protocol):
    """The TikTok Shop side: where seller decisions go and snapshots come from.

    Both ``send_*`` methods must be idempotent on ``decision.key``: a key seen
    before is acknowledged without a second request taking effect (the
    platform's own ``idempotency_key`` query parameter does this). A method
    that raises means "not known to be accepted": the service records
    nothing and the host may retry the same command.
    """

    def send_decision(self, decision: Decision) -> None:
        """Send a seller decision on a request (approve, reject, offer, receipt, cancel...).

        Raises:
            Exception: Anything; the service wraps it in
                [`PlatformCallFailed`][tiktok_aftersales.app.service.PlatformCallFailed] and saves
                nothing.

        """
        ...

    def send_refund(self, decision: Decision) -> None:
        """Ask the platform to refund on the seller's initiative (a seller refund).

        ``decision.event`` is ``"initiate_refund"`` and ``decision.refund``
        says how much, line by line. The platform verifies it and pays; the
        case moves on when that is reported back (``approve`` by the
        platform or the clock). Must not pay twice for the same key.
        """
        ...

    def fetch_snapshot(self, case: AfterSalesCase) -> Any:
        """Fetch the platform's current view of the case's request.

        The snapshot's type is whatever the host's reconcile function reads
        (a parsed return or cancellation record); the service only passes it
        on.
        """
        ...


@runtime_checkable
class InventoryPort(Protocol):
    """Stock levels and shipping holds in the host's inventory or WMS.

    Every method receives the effect's idempotency ``key`` first and must be
    idempotent on it: a second call with a key already carried out changes
    nothing and does not fail. Methods may raise on a real failure; the
    effect then stays pending and is retried with the same key.
    """

    def release_allocation(self, key: str, order_id: str, items: tuple[StockItem, ...]) -> None:
        """Give stock allocated to an unshipped, refunded order back to available."""
        ...

    def stock_in(
        self,
        key: str,
        order_id: str,
        items: tuple[StockItem, ...],
        disposition: Disposition,
    ) -> None:
        """Receive a returned parcel's items.

        ``RESTOCK`` adds them to sellable stock, ``DAMAGED`` books them as
        damaged (not sellable), ``MISSING`` records that they did not arrive.
        """
        ...

    def flag_manual_stock_in(self, key: str, order_id: str, items: tuple[StockItem, ...]) -> None:
        """Flag that shipped-but-never-picked-up goods must be stocked in by hand ("Not Pickup")."""
        ...

    def block_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """Hold the order for this case: it must not ship while the request is open.

        Holds are per case: an order held by two cases ships only when both
        lifted theirs.
        """
        ...

    def unblock_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """Lift the hold this case put on the order (holds of other cases stay)."""
        ...


@runtime_checkable
class CaseStore(Protocol):
    """Where cases live, with optimistic concurrency on ``AfterSalesCase.version``.

    ``save`` is a compare-and-set: it stores the case only if the stored
    version is still ``expected_version`` (the version the caller loaded).
    Never overwrite silently.
    """

    def get(self, case_id: str) -> AfterSalesCase:
        """Return the stored case.

        Raises:
            UnknownCase: No case has this id.

        """
        ...

    def add(self, case: AfterSalesCase) -> None:
        """Store a new case.

        Raises:
            CaseExists: A case with this id is already stored.

        """
        ...

    def save(self, case: AfterSalesCase, expected_version: int) -> None:
        """Replace the stored case if its version is still ``expected_version``.

        Raises:
            UnknownCase: No case has this id.
            ConcurrencyConflict: The stored version differs (someone else
                saved first); reload and re-apply.

        """
        ...

    def case_ids(self) -> Iterable[str]:
        """Every stored case id (the clock tick walks them)."""
        ...


@runtime_checkable
class Clock(Protocol):
    """The current time, as the host sees it."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...
