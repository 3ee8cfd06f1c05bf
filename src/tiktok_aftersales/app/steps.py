"""The service's steps as data: what the orchestration asks of the ports, one value at a time.

The service's logic (the one way in, the one way out, money bounded per
order, the outbox) is written once, as generators that **yield** a step
value for each thing they need from the world and receive its result back
(sans-I/O). A step is a small frozen value naming the port, the method and
the arguments: [`Load`][tiktok_aftersales.app.steps.Load] a case,
[`Save`][tiktok_aftersales.app.steps.Save] it under two versions,
[`Send`][tiktok_aftersales.app.steps.Send] a request to the platform,
[`StockIn`][tiktok_aftersales.app.steps.StockIn] a parcel, read the clock
([`Now`][tiktok_aftersales.app.steps.Now]) and so on.

A **shell** runs the steps against real ports: it performs each step and
sends the result back into the generator (``step = steps.send(result)``),
or throws the port's exception into it (``steps.throw(error)``), until the
generator returns the answer.
[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService] is the
synchronous shell ([`run_steps`][tiktok_aftersales.app.steps.run_steps]) and
[`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
the asyncio one ([`run_steps_async`][tiktok_aftersales.app.steps.run_steps_async]);
both give the same results, errors and effects because they run the same
steps.

>>> from tiktok_aftersales.app.steps import Load, run_steps
>>> def steps():
...     case = yield Load("c1")
...     return case
>>> run_steps(steps(), lambda step: f"the case {step.case_id}")
'the case c1'
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import attrs

from ..domain.case import AfterSalesCase
from ..domain.effects import Effect
from ..domain.vocabulary import Disposition
from ..platform.record import PlatformRecord
from ..platform.requests import PlatformRequest
from .ports import StockItem

__all__ = [
    "Add",
    "BlockShipping",
    "CaseIds",
    "Claim",
    "FindByPlatformId",
    "FlagManualStockIn",
    "Forget",
    "KeepForRefetch",
    "ListRefetch",
    "Load",
    "LoadOrder",
    "Now",
    "OrderVersion",
    "PortStep",
    "Refetched",
    "ReleaseStock",
    "RunHandler",
    "RunOpener",
    "Save",
    "Send",
    "Settle",
    "Step",
    "Steps",
    "StockIn",
    "UnblockShipping",
    "perform_on",
    "resolved",
    "run_steps",
    "run_steps_async",
]

T = TypeVar("T")


class PortStep:
    """A step that is one call of one port method (``port``, ``method``, `arguments`).

    Attributes:
        port: The service attribute holding the port (``store``, ``platform``,
            ``inventory``, ``notifications``, ``clock``).
        method: The port's method to call.

    """

    port: ClassVar[str]
    method: ClassVar[str]

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The positional and keyword arguments of the call (the fields, in order)."""
        fields = type(self).__dict__["__attrs_attrs__"]  # the attrs fields, in order
        return tuple(getattr(self, f.name) for f in fields), {}


# --- the clock ------------------------------------------------------------------------------


@attrs.frozen
class Now(PortStep):
    """Read the clock (the result is the current time)."""

    port = "clock"
    method = "now"


# --- the case store ---------------------------------------------------------------------------


@attrs.frozen
class Load(PortStep):
    """Read one stored case (``CaseStore.get``; raises ``UnknownCase``)."""

    port = "store"
    method = "get"
    case_id: str


@attrs.frozen
class Add(PortStep):
    """Store a new case under the order's version read before (``CaseStore.add``)."""

    port = "store"
    method = "add"
    case: AfterSalesCase
    order_version: int | None = None

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """``(case,)`` and the order version as a keyword."""
        return (self.case,), {"order_version": self.order_version}


@attrs.frozen
class Save(PortStep):
    """Compare-and-set a case on its and its order's versions (``CaseStore.save``)."""

    port = "store"
    method = "save"
    case: AfterSalesCase
    expected_version: int
    order_version: int | None = None

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """``(case, expected_version)``; the order version as a keyword when given."""
        if self.order_version is None:
            return (self.case, self.expected_version), {}
        return (self.case, self.expected_version), {"order_version": self.order_version}


@attrs.frozen
class CaseIds(PortStep):
    """Every stored case id (``CaseStore.case_ids``)."""

    port = "store"
    method = "case_ids"


@attrs.frozen
class FindByPlatformId(PortStep):
    """The case of a platform id, or ``None`` (``CaseStore.find_by_platform_id``)."""

    port = "store"
    method = "find_by_platform_id"
    platform_id: str


@attrs.frozen
class LoadOrder(PortStep):
    """Every stored case of one order (``CaseStore.cases_of_order``)."""

    port = "store"
    method = "cases_of_order"
    order_id: str


@attrs.frozen
class OrderVersion(PortStep):
    """The order's version (``CaseStore.order_version``)."""

    port = "store"
    method = "order_version"
    order_id: str


# --- the platform -----------------------------------------------------------------------------


@attrs.frozen
class Send(PortStep):
    """Send one outbound request (``PlatformPort.send``; the result is the reply)."""

    port = "platform"
    method = "send"
    request: PlatformRequest


# --- the inventory ----------------------------------------------------------------------------


@attrs.frozen
class ReleaseStock(PortStep):
    """Give an unshipped order's allocation back (``InventoryPort.release_allocation``)."""

    port = "inventory"
    method = "release_allocation"
    key: str
    order_id: str
    items: tuple[StockItem, ...]


@attrs.frozen
class StockIn(PortStep):
    """Receive a returned parcel's items (``InventoryPort.stock_in``)."""

    port = "inventory"
    method = "stock_in"
    key: str
    order_id: str
    items: tuple[StockItem, ...]
    disposition: Disposition


@attrs.frozen
class FlagManualStockIn(PortStep):
    """Flag a stock-in by hand (``InventoryPort.flag_manual_stock_in``)."""

    port = "inventory"
    method = "flag_manual_stock_in"
    key: str
    order_id: str
    items: tuple[StockItem, ...]


@attrs.frozen
class BlockShipping(PortStep):
    """Hold the order for one case (``InventoryPort.block_shipping``)."""

    port = "inventory"
    method = "block_shipping"
    key: str
    order_id: str
    case_id: str


@attrs.frozen
class UnblockShipping(PortStep):
    """Lift one case's hold on the order (``InventoryPort.unblock_shipping``)."""

    port = "inventory"
    method = "unblock_shipping"
    key: str
    order_id: str
    case_id: str


# --- the notification log ---------------------------------------------------------------------


@attrs.frozen
class Claim(PortStep):
    """Claim a notification id; the result is ``False`` for a duplicate (``record``)."""

    port = "notifications"
    method = "record"
    notification_id: str
    received_at: datetime
    outcome: str


@attrs.frozen
class Settle(PortStep):
    """Record how a claimed notification ended (``NotificationLog.settle``)."""

    port = "notifications"
    method = "settle"
    notification_id: str
    outcome: str
    case_id: str | None = None


@attrs.frozen
class Forget(PortStep):
    """Drop a claim whose handling failed (``NotificationLog.forget``)."""

    port = "notifications"
    method = "forget"
    notification_id: str


@attrs.frozen
class KeepForRefetch(PortStep):
    """Keep a record that could not be applied (``NotificationLog.keep_for_refetch``)."""

    port = "notifications"
    method = "keep_for_refetch"
    platform_id: str
    reason: str


@attrs.frozen
class ListRefetch(PortStep):
    """The records waiting for a re-fetch (``NotificationLog.refetch``)."""

    port = "notifications"
    method = "refetch"


@attrs.frozen
class Refetched(PortStep):
    """A kept record was fetched and applied (``NotificationLog.refetched``)."""

    port = "notifications"
    method = "refetched"
    platform_id: str


# --- the host's own code ----------------------------------------------------------------------


@attrs.frozen
class RunHandler:
    """Run the host's handler for ``effect.kind`` (``handlers=``) on one effect."""

    case: AfterSalesCase
    effect: Effect


@attrs.frozen
class RunOpener:
    """Run the host's opener on a record of an unknown request; the result is its result."""

    record: PlatformRecord


Step = (
    Now
    | Load
    | Add
    | Save
    | CaseIds
    | FindByPlatformId
    | LoadOrder
    | OrderVersion
    | Send
    | ReleaseStock
    | StockIn
    | FlagManualStockIn
    | BlockShipping
    | UnblockShipping
    | Claim
    | Settle
    | Forget
    | KeepForRefetch
    | ListRefetch
    | Refetched
    | RunHandler
    | RunOpener
)
"""Every step the orchestration yields."""

Steps = Generator[Step, Any, T]
"""A run of the orchestration: yields steps, receives their results, returns ``T``."""


def perform_on(holder: object, step: PortStep) -> Any:
    """Call the port method a step names on ``holder``'s port attribute; return what it returns.

    ``holder`` is the shell (``holder.store``, ``holder.platform`` …). For an
    async port the result is an awaitable.
    """
    args, kwargs = step.arguments()
    return getattr(getattr(holder, step.port), step.method)(*args, **kwargs)


def run_steps(steps: Steps[T], perform: Callable[[Step], Any]) -> T:
    """Run the orchestration synchronously: perform each step, feed its result (or error) back.

    Args:
        steps: The generator.
        perform: Carries out one step and returns its result; what it raises
            is thrown into the generator (which may handle it).

    Returns:
        What the generator returns.

    Raises:
        Exception: What the generator raises.

    """
    result: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            error = None
        try:
            result = perform(step)
        except BaseException as exc:  # handed to the orchestration, which decides
            result, error = None, exc


async def run_steps_async(steps: Steps[T], perform: Callable[[Step], Awaitable[Any]]) -> T:
    """Run the orchestration on asyncio: await each step, feed its result (or error) back.

    The same loop as [`run_steps`][tiktok_aftersales.app.steps.run_steps], with
    ``await perform(step)``.

    Raises:
        Exception: What the generator raises.

    """
    result: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            error = None
        try:
            result = await perform(step)
        except BaseException as exc:  # handed to the orchestration, which decides
            result, error = None, exc


async def resolved(value: Any) -> Any:
    """``value``, awaited when it is awaitable (a host callable may be sync or async)."""
    if inspect.isawaitable(value):
        return await value
    return value
