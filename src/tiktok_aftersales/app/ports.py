"""The ports a host implements so the library can drive its world.

The library does no I/O. A host brings five adapters, each a
`typing.Protocol` (structural: no base class to inherit):

- [`PlatformPort`][tiktok_aftersales.app.ports.PlatformPort]: the TikTok Shop client (one method:
  send an
  outbound request value, get the platform's reply);
- [`InventoryPort`][tiktok_aftersales.app.ports.InventoryPort]: stock and shipping holds;
- [`CaseStore`][tiktok_aftersales.app.ports.CaseStore]: where cases live, with optimistic
  concurrency per case
  and per order, and look-ups by platform id and by order;
- [`NotificationLog`][tiktok_aftersales.app.ports.NotificationLog]: which webhook deliveries were
  handled, and which
  records wait for a re-fetch;
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

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Disposition
from ..errors import CaseExists, UnknownCase
from ..platform.requests import PlatformReply, PlatformRequest

__all__ = [
    "CaseExists",
    "CaseStore",
    "Clock",
    "InventoryPort",
    "NotificationLog",
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


@runtime_checkable
class PlatformPort(Protocol):
    """The TikTok Shop side: where the library's outbound requests go (the one way out).

    Every call the library makes is a `PlatformRequest`
    value (a seller decision, a seller refund or cancellation, a search page),
    carrying its own ``idempotency_key`` where the operation takes one. The
    adapter adds credentials and the signature, sends it and answers a
    `PlatformReply`
    (`tiktok_aftersales.adapters.tiktok` is one such adapter).

    The service sends a decision only from the outbox, after the save that
    recorded it has won, so two processes racing on one case cannot both
    call the platform; a retried send carries the same key, which the
    platform deduplicates.
    """

    def send(self, request: PlatformRequest) -> PlatformReply:
        """Send one request and return the platform's reply.

        A reply with a non-zero ``code`` is the platform refusing the
        request (a typed answer, not an exception).

        Raises:
            Exception: Anything, for "not known to be carried out" (a
                network error, a timeout): the service keeps the request
                pending and sends it again, with the same key, later.

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
    """Where cases live, with optimistic concurrency per case and per order.

    ``save`` is a compare-and-set: it stores the case only if the stored
    version is still ``expected_version`` (the version the caller loaded).
    Never overwrite silently.

    Money's consistency boundary is the order: every ``add`` or ``save`` of a
    case bumps its order's version
    ([`order_version`][tiktok_aftersales.app.ports.CaseStore.order_version]). A writer that
    checked the order ledger passes the order version it read as
    ``order_version``; the store refuses the write when another case of the
    same order was written in between, so two cases of one order saved at
    once cannot both pass a refund limit. The contract kit
    ([`CaseStoreContract`][tiktok_aftersales.app.testing.CaseStoreContract]) tests this.
    """

    def get(self, case_id: str) -> AfterSalesCase:
        """Return the stored case.

        Raises:
            UnknownCase: No case has this id.

        """
        ...

    def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        """Store a new case.

        Args:
            case: The case.
            order_version: When given, the order's version must still be this.

        Raises:
            CaseExists: A case with this id is already stored.
            ConcurrencyConflict: The order's version differs.

        """
        ...

    def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        """Replace the stored case if its version is still ``expected_version``.

        Args:
            case: The new case.
            expected_version: The version the caller loaded.
            order_version: When given, the order's version must still be this.

        Raises:
            UnknownCase: No case has this id.
            ConcurrencyConflict: The stored version (of the case, or of its
                order) differs (someone else saved first); reload and re-apply.

        """
        ...

    def case_ids(self) -> Iterable[str]:
        """Every stored case id (the clock tick walks them)."""
        ...

    def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        """The stored case whose ``platform_id`` (return, cancel or reverse id) this is."""
        ...

    def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        """Every stored case of one order."""
        ...

    def order_version(self, order_id: str) -> int:
        """The order's version: bumped by every add or save of one of its cases (0: none)."""
        ...


@runtime_checkable
class NotificationLog(Protocol):
    """Which webhook deliveries were handled, and which records wait for a re-fetch.

    Kept by the host's storage so that deduplication survives a restart.
    """

    def record(
        self, notification_id: str, received_at: datetime, outcome: str, case_id: str | None = None
    ) -> bool:
        """Claim a notification; ``False`` when it was recorded before (a duplicate)."""
        ...

    def settle(self, notification_id: str, outcome: str, case_id: str | None = None) -> None:
        """Record how a claimed notification ended."""
        ...

    def forget(self, notification_id: str) -> None:
        """Drop a claim whose handling failed, so that the platform's retry is handled."""
        ...

    def seen(self, notification_id: str) -> bool:
        """Whether this notification id was recorded."""
        ...

    def keep_for_refetch(self, platform_id: str, reason: str) -> None:
        """Keep a record that could not be applied, to fetch it again later (never dropped)."""
        ...

    def refetch(self) -> tuple[tuple[str, str], ...]:
        """The records waiting for a re-fetch: ``(platform_id, reason)``, oldest first."""
        ...

    def refetched(self, platform_id: str) -> None:
        """A record kept for a re-fetch was fetched and applied."""
        ...


@runtime_checkable
class Clock(Protocol):
    """The current time, as the host sees it."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...
