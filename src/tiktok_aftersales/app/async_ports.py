"""The ports of an asyncio host: the same five promises, with ``async def`` methods.

[`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
drives these. Each Protocol is its synchronous twin in
[`tiktok_aftersales.app.ports`][tiktok_aftersales.app.ports] with every method a
coroutine, and the same promises (compare-and-set versions per case and per
order, idempotency on keys, a claim per notification id). The clock stays
synchronous ([`Clock`][tiktok_aftersales.app.ports.Clock]): reading the time
does not wait.

A host that has only synchronous adapters wraps them:
[`AsyncCaseStoreAdapter`][tiktok_aftersales.app.async_ports.AsyncCaseStoreAdapter] and its
siblings call the wrapped port and hand control back to the event loop after
each call; pass ``run=asyncio.to_thread`` for a port that blocks (a database
driver), so that the loop keeps serving while it waits. A port whose
connection must stay on one thread (``sqlite3`` by default) keeps the inline
default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Disposition
from ..platform.requests import PlatformReply, PlatformRequest
from .ports import CaseStore, InventoryPort, NotificationLog, PlatformPort, StockItem

__all__ = [
    "AsyncCaseStore",
    "AsyncCaseStoreAdapter",
    "AsyncInventoryAdapter",
    "AsyncInventoryPort",
    "AsyncNotificationLog",
    "AsyncNotificationLogAdapter",
    "AsyncPlatformAdapter",
    "AsyncPlatformPort",
    "Runner",
    "inline",
]

R = TypeVar("R")

Runner = Callable[..., Awaitable[Any]]
"""How an adapter runs one call of the wrapped port: ``await run(method, *args, **kwargs)``.

[`inline`][tiktok_aftersales.app.async_ports.inline] (the default) or ``asyncio.to_thread``."""


async def inline(call: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
    """Run ``call`` on the event loop's thread, then let other tasks run before going on."""
    result = call(*args, **kwargs)
    await asyncio.sleep(0)
    return result


@runtime_checkable
class AsyncPlatformPort(Protocol):
    """[`PlatformPort`][tiktok_aftersales.app.ports.PlatformPort] with a coroutine ``send``."""

    async def send(self, request: PlatformRequest) -> PlatformReply:
        """Send one request and return the platform's reply (see ``PlatformPort.send``)."""
        ...


@runtime_checkable
class AsyncInventoryPort(Protocol):
    """[`InventoryPort`][tiktok_aftersales.app.ports.InventoryPort] with coroutine methods."""

    async def release_allocation(
        self, key: str, order_id: str, items: tuple[StockItem, ...]
    ) -> None:
        """Give stock allocated to an unshipped, refunded order back to available."""
        ...

    async def stock_in(
        self, key: str, order_id: str, items: tuple[StockItem, ...], disposition: Disposition
    ) -> None:
        """Receive a returned parcel's items."""
        ...

    async def flag_manual_stock_in(
        self, key: str, order_id: str, items: tuple[StockItem, ...]
    ) -> None:
        """Flag that goods must be stocked in by hand."""
        ...

    async def block_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """Hold the order for this case."""
        ...

    async def unblock_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """Lift the hold this case put on the order."""
        ...


@runtime_checkable
class AsyncCaseStore(Protocol):
    """[`CaseStore`][tiktok_aftersales.app.ports.CaseStore] with coroutine methods."""

    async def get(self, case_id: str) -> AfterSalesCase:
        """Return the stored case (raises ``UnknownCase``)."""
        ...

    async def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        """Store a new case (raises ``CaseExists``, ``ConcurrencyConflict``)."""
        ...

    async def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        """Compare-and-set the case (raises ``UnknownCase``, ``ConcurrencyConflict``)."""
        ...

    async def case_ids(self) -> Iterable[str]:
        """Every stored case id."""
        ...

    async def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        """The stored case whose ``platform_id`` this is."""
        ...

    async def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        """Every stored case of one order."""
        ...

    async def order_version(self, order_id: str) -> int:
        """The order's version (0: no case)."""
        ...


@runtime_checkable
class AsyncNotificationLog(Protocol):
    """[`NotificationLog`][tiktok_aftersales.app.ports.NotificationLog] with coroutine methods."""

    async def record(
        self, notification_id: str, received_at: datetime, outcome: str, case_id: str | None = None
    ) -> bool:
        """Claim a notification; ``False`` for a duplicate."""
        ...

    async def settle(self, notification_id: str, outcome: str, case_id: str | None = None) -> None:
        """Record how a claimed notification ended."""
        ...

    async def forget(self, notification_id: str) -> None:
        """Drop a claim whose handling failed."""
        ...

    async def seen(self, notification_id: str) -> bool:
        """Whether this notification id was recorded."""
        ...

    async def keep_for_refetch(self, platform_id: str, reason: str) -> None:
        """Keep a record that could not be applied, to fetch it again later."""
        ...

    async def refetch(self) -> tuple[tuple[str, str], ...]:
        """The records waiting for a re-fetch, oldest first."""
        ...

    async def refetched(self, platform_id: str) -> None:
        """A record kept for a re-fetch was fetched and applied."""
        ...


class _Adapter:
    def __init__(self, port: Any, run: Runner) -> None:
        self.port = port
        self._run = run

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self.port, method), *args, **kwargs)


class AsyncPlatformAdapter(_Adapter):
    """A synchronous [`PlatformPort`][tiktok_aftersales.app.ports.PlatformPort] as an async one.

    Args:
        port: The wrapped port (kept as ``port``).
        run: How each call runs (default [`inline`][tiktok_aftersales.app.async_ports.inline]).

    """

    def __init__(self, port: PlatformPort, *, run: Runner = inline) -> None:
        super().__init__(port, run)

    async def send(self, request: PlatformRequest) -> PlatformReply:
        """``port.send(request)``."""
        reply: PlatformReply = await self._call("send", request)
        return reply


class AsyncInventoryAdapter(_Adapter):
    """A synchronous [`InventoryPort`][tiktok_aftersales.app.ports.InventoryPort] as an async one.

    Args:
        port: The wrapped port (kept as ``port``).
        run: How each call runs (default [`inline`][tiktok_aftersales.app.async_ports.inline]).

    """

    def __init__(self, port: InventoryPort, *, run: Runner = inline) -> None:
        super().__init__(port, run)

    async def release_allocation(
        self, key: str, order_id: str, items: tuple[StockItem, ...]
    ) -> None:
        """``port.release_allocation(...)``."""
        await self._call("release_allocation", key, order_id, items)

    async def stock_in(
        self, key: str, order_id: str, items: tuple[StockItem, ...], disposition: Disposition
    ) -> None:
        """``port.stock_in(...)``."""
        await self._call("stock_in", key, order_id, items, disposition)

    async def flag_manual_stock_in(
        self, key: str, order_id: str, items: tuple[StockItem, ...]
    ) -> None:
        """``port.flag_manual_stock_in(...)``."""
        await self._call("flag_manual_stock_in", key, order_id, items)

    async def block_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """``port.block_shipping(...)``."""
        await self._call("block_shipping", key, order_id, case_id)

    async def unblock_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """``port.unblock_shipping(...)``."""
        await self._call("unblock_shipping", key, order_id, case_id)


class AsyncCaseStoreAdapter(_Adapter):
    """A synchronous [`CaseStore`][tiktok_aftersales.app.ports.CaseStore] as an async one.

    Args:
        port: The wrapped store (kept as ``port``).
        run: How each call runs (default [`inline`][tiktok_aftersales.app.async_ports.inline];
            ``asyncio.to_thread`` for a store that blocks and may be called
            from any thread).

    """

    def __init__(self, port: CaseStore, *, run: Runner = inline) -> None:
        super().__init__(port, run)

    async def get(self, case_id: str) -> AfterSalesCase:
        """``port.get(case_id)``."""
        case: AfterSalesCase = await self._call("get", case_id)
        return case

    async def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        """``port.add(case, order_version=...)``."""
        await self._call("add", case, order_version=order_version)

    async def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        """``port.save(case, expected_version)``, with ``order_version=`` when given."""
        if order_version is None:
            await self._call("save", case, expected_version)
        else:
            await self._call("save", case, expected_version, order_version=order_version)

    async def case_ids(self) -> Iterable[str]:
        """``list(port.case_ids())``."""
        ids: Iterable[str] = await self._call("case_ids")
        return list(ids)

    async def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        """``port.find_by_platform_id(platform_id)``."""
        found: AfterSalesCase | None = await self._call("find_by_platform_id", platform_id)
        return found

    async def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        """``port.cases_of_order(order_id)``."""
        cases: tuple[AfterSalesCase, ...] = await self._call("cases_of_order", order_id)
        return cases

    async def order_version(self, order_id: str) -> int:
        """``port.order_version(order_id)``."""
        version: int = await self._call("order_version", order_id)
        return version


class AsyncNotificationLogAdapter(_Adapter):
    """A synchronous [`NotificationLog`][tiktok_aftersales.app.ports.NotificationLog] as async.

    Args:
        port: The wrapped log (kept as ``port``).
        run: How each call runs (default [`inline`][tiktok_aftersales.app.async_ports.inline]).

    """

    def __init__(self, port: NotificationLog, *, run: Runner = inline) -> None:
        super().__init__(port, run)

    async def record(
        self, notification_id: str, received_at: datetime, outcome: str, case_id: str | None = None
    ) -> bool:
        """``port.record(...)``."""
        return bool(await self._call("record", notification_id, received_at, outcome, case_id))

    async def settle(self, notification_id: str, outcome: str, case_id: str | None = None) -> None:
        """``port.settle(...)``."""
        await self._call("settle", notification_id, outcome, case_id)

    async def forget(self, notification_id: str) -> None:
        """``port.forget(notification_id)``."""
        await self._call("forget", notification_id)

    async def seen(self, notification_id: str) -> bool:
        """``port.seen(notification_id)``."""
        return bool(await self._call("seen", notification_id))

    async def keep_for_refetch(self, platform_id: str, reason: str) -> None:
        """``port.keep_for_refetch(platform_id, reason)``."""
        await self._call("keep_for_refetch", platform_id, reason)

    async def refetch(self) -> tuple[tuple[str, str], ...]:
        """``port.refetch()``."""
        kept: tuple[tuple[str, str], ...] = await self._call("refetch")
        return kept

    async def refetched(self, platform_id: str) -> None:
        """``port.refetched(platform_id)``."""
        await self._call("refetched", platform_id)
