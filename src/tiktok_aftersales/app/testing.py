"""In-memory ports and a contract test kit for hosts.

Fakes of every port, for tests and notebooks:

- [`InMemoryCaseStore`][tiktok_aftersales.app.testing.InMemoryCaseStore]: a dict with
  compare-and-set on the version;
- [`InMemoryInventory`][tiktok_aftersales.app.testing.InMemoryInventory]: stock levels per SKU,
  holds per order, every
  operation recorded, idempotent on the effect key;
- [`InMemoryPlatform`][tiktok_aftersales.app.testing.InMemoryPlatform]: takes outbound requests once
  per idempotency
  key, answers searches from raw records, can be told to fail or refuse;
- [`InMemoryNotificationLog`][tiktok_aftersales.app.testing.InMemoryNotificationLog]: handled
  deliveries and records to re-fetch;
- [`FixedClock`][tiktok_aftersales.app.testing.FixedClock] and
  [`ManualClock`][tiktok_aftersales.app.testing.ManualClock].

[`in_memory_service`][tiktok_aftersales.app.testing.in_memory_service] wires them into an
[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService].

The contract kit checks that a host's own adapter keeps the ports' promises.
Subclass a contract in a test module, name the subclass ``Test...`` and
implement its factory method; pytest (or any runner that collects
``test_*`` methods) runs every check against the adapter::

    from tiktok_aftersales.app.testing import CaseStoreContract

    class TestPostgresStore(CaseStoreContract):
        def make_store(self):
            return PostgresCaseStore(dsn=..., schema=fresh_schema())

The contracts are plain classes: importing this module does not need pytest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Disposition
from ..errors import ConcurrencyConflict, InvalidValue, NaiveDatetime, PortDown
from ..platform.requests import PlatformReply, PlatformRequest
from .contracts import CaseStoreContract, InventoryContract, sample_case
from .inbound import WebhookSettings
from .ports import (
    CaseExists,
    StockItem,
    UnknownCase,
)
from .service import AfterSalesService, Opener

__all__ = [
    "CaseStoreContract",
    "FixedClock",
    "InMemoryCaseStore",
    "InMemoryInventory",
    "InMemoryNotificationLog",
    "InMemoryPlatform",
    "InMemoryPorts",
    "InventoryContract",
    "ManualClock",
    "PortDown",
    "in_memory_service",
    "sample_case",
]


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidValue(field, value, "a timezone-aware datetime")
    if value.utcoffset() is None:
        raise NaiveDatetime(field, value)
    return value


# --- fakes --------------------------------------------------------------------------------


class InMemoryCaseStore:
    """A [`CaseStore`][tiktok_aftersales.app.ports.CaseStore] in a dict, with order versions.

    Attributes:
        conflicts: How many writes were refused as stale (case or order).

    """

    def __init__(self, cases: Iterable[AfterSalesCase] = ()) -> None:
        self._cases: dict[str, AfterSalesCase] = {}
        self._orders: dict[str, int] = {}
        self.conflicts = 0
        for case in cases:
            self.add(case)

    def get(self, case_id: str) -> AfterSalesCase:
        """Return the stored case or raise ``UnknownCase``."""
        try:
            return self._cases[case_id]
        except (KeyError, TypeError):
            raise UnknownCase(case_id) from None

    def _check_order(self, order_id: str, order_version: int | None) -> None:
        if order_version is None:
            return
        actual = self._orders.get(order_id, 0)
        if actual != order_version:
            self.conflicts += 1
            raise ConcurrencyConflict(f"order:{order_id}", order_version, actual)

    def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        """Store a new case or raise [`CaseExists`][tiktok_aftersales.app.ports.CaseExists]."""
        if not isinstance(case, AfterSalesCase):
            raise InvalidValue("case", case, "an AfterSalesCase")
        if case.case_id in self._cases:
            raise CaseExists(case.case_id)
        self._check_order(case.order_id, order_version)
        self._cases[case.case_id] = case
        self._orders[case.order_id] = self._orders.get(case.order_id, 0) + 1

    def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        """Replace the case if the stored version (and the order's) are as expected."""
        if not isinstance(case, AfterSalesCase):
            raise InvalidValue("case", case, "an AfterSalesCase")
        stored = self.get(case.case_id)
        if stored.version != expected_version:
            self.conflicts += 1
            raise ConcurrencyConflict(case.case_id, expected_version, stored.version)
        if case.version <= expected_version:
            raise InvalidValue("version", case.version, f"must be above {expected_version}")
        self._check_order(case.order_id, order_version)
        self._cases[case.case_id] = case
        self._orders[case.order_id] = self._orders.get(case.order_id, 0) + 1

    def case_ids(self) -> Iterable[str]:
        """Every stored case id, in the order they were added."""
        return tuple(self._cases)

    def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        """The stored case with this platform id, if any."""
        for case in self._cases.values():
            if case.platform_id == platform_id:
                return case
        return None

    def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        """Every stored case of one order, in the order they were added."""
        return tuple(c for c in self._cases.values() if c.order_id == order_id)

    def order_version(self, order_id: str) -> int:
        """How many writes the order's cases have had (0: none)."""
        return self._orders.get(order_id, 0)

    def __len__(self) -> int:
        return len(self._cases)

    def __iter__(self) -> Iterator[AfterSalesCase]:
        return iter(tuple(self._cases.values()))


class InMemoryNotificationLog:
    """A [`NotificationLog`][tiktok_aftersales.app.ports.NotificationLog] in dicts.

    Attributes:
        outcomes: Notification id to how it ended.

    """

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self._refetch: dict[str, str] = {}

    def record(
        self, notification_id: str, received_at: datetime, outcome: str, case_id: str | None = None
    ) -> bool:
        """Claim a notification; ``False`` when it was recorded before."""
        if notification_id in self.outcomes:
            return False
        self.outcomes[notification_id] = outcome
        return True

    def settle(self, notification_id: str, outcome: str, case_id: str | None = None) -> None:
        """Record how a claimed notification ended."""
        self.outcomes[notification_id] = outcome

    def forget(self, notification_id: str) -> None:
        """Drop a claim whose handling failed."""
        self.outcomes.pop(notification_id, None)

    def seen(self, notification_id: str) -> bool:
        """Whether the notification was recorded."""
        return notification_id in self.outcomes

    def keep_for_refetch(self, platform_id: str, reason: str) -> None:
        """Keep a record for a later re-fetch."""
        self._refetch.setdefault(platform_id, reason)

    def refetch(self) -> tuple[tuple[str, str], ...]:
        """The records waiting for a re-fetch, oldest first."""
        return tuple(self._refetch.items())

    def refetched(self, platform_id: str) -> None:
        """A kept record was fetched and applied."""
        self._refetch.pop(platform_id, None)


class _Faults:
    """Fail the next ``n`` calls (optionally only of named methods)."""

    def __init__(self) -> None:
        self._left = 0
        self._only: frozenset[str] = frozenset()

    def fail(self, times: int = 1, *methods: str) -> None:
        self._left = times
        self._only = frozenset(methods)

    def check(self, method: str) -> None:
        if self._left > 0 and (not self._only or method in self._only):
            self._left -= 1
            raise PortDown(f"{method}: told to fail")


@attrs.frozen
class InventoryOperation:
    """One operation the in-memory inventory carried out.

    Attributes:
        key: The effect's idempotency key.
        method: The port method (``"stock_in"``, ...).
        order_id: The order.
        items: The stock concerned.
        detail: The disposition for stock-in, the case id for holds.

    """

    key: str
    method: str
    order_id: str
    items: tuple[StockItem, ...] = ()
    detail: str = ""


class InMemoryInventory:
    """An [`InventoryPort`][tiktok_aftersales.app.ports.InventoryPort] with stock levels per SKU.

    Attributes:
        available: Sellable units per SKU.
        allocated: Units allocated to unshipped orders per SKU.
        damaged: Units stocked in as damaged per SKU.
        missing: Units recorded as missing at stock-in per SKU.
        manual_stock_ins: Operations flagged for a manual stock-in.
        holds: Order id to the case ids that hold it from shipping.
        operations: Every operation carried out, once per key.
        calls: Every call's key, repeats included.

    """

    def __init__(
        self,
        available: Mapping[str, int] | None = None,
        allocated: Mapping[str, int] | None = None,
    ) -> None:
        self.available: dict[str, int] = dict(available or {})
        self.allocated: dict[str, int] = dict(allocated or {})
        self.damaged: dict[str, int] = {}
        self.missing: dict[str, int] = {}
        self.manual_stock_ins: list[InventoryOperation] = []
        self.holds: dict[str, set[str]] = {}
        self.operations: list[InventoryOperation] = []
        self.calls: list[str] = []
        self._keys: set[str] = set()
        self._faults = _Faults()

    def fail(self, times: int = 1, *methods: str) -> None:
        """Make the next ``times`` calls (of ``methods``, or any) raise ``PortDown``."""
        self._faults.fail(times, *methods)

    def is_blocked(self, order_id: str) -> bool:
        """Whether any case holds the order."""
        return bool(self.holds.get(order_id))

    def _once(self, key: str, method: str) -> bool:
        self.calls.append(key)
        self._faults.check(method)
        if key in self._keys:
            return False
        self._keys.add(key)
        return True

    def release_allocation(self, key: str, order_id: str, items: tuple[StockItem, ...]) -> None:
        """Move the items' units from allocated to available, once per key."""
        if not self._once(key, "release_allocation"):
            return
        for item in items:
            self.allocated[item.sku_id] = max(0, self.allocated.get(item.sku_id, 0) - item.quantity)
            self.available[item.sku_id] = self.available.get(item.sku_id, 0) + item.quantity
        self.operations.append(InventoryOperation(key, "release_allocation", order_id, items))

    def stock_in(
        self, key: str, order_id: str, items: tuple[StockItem, ...], disposition: Disposition
    ) -> None:
        """Book returned items as available, damaged or missing, once per key."""
        if not self._once(key, "stock_in"):
            return
        target = {
            Disposition.RESTOCK: self.available,
            Disposition.DAMAGED: self.damaged,
            Disposition.MISSING: self.missing,
        }[Disposition(disposition)]
        for item in items:
            target[item.sku_id] = target.get(item.sku_id, 0) + item.quantity
        self.operations.append(
            InventoryOperation(key, "stock_in", order_id, items, Disposition(disposition).value)
        )

    def flag_manual_stock_in(self, key: str, order_id: str, items: tuple[StockItem, ...]) -> None:
        """Record that the items must be stocked in by hand, once per key."""
        if not self._once(key, "flag_manual_stock_in"):
            return
        operation = InventoryOperation(key, "flag_manual_stock_in", order_id, items)
        self.manual_stock_ins.append(operation)
        self.operations.append(operation)

    def block_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """Add the case's hold on the order, once per key."""
        if not self._once(key, "block_shipping"):
            return
        self.holds.setdefault(order_id, set()).add(case_id)
        self.operations.append(InventoryOperation(key, "block_shipping", order_id, (), case_id))

    def unblock_shipping(self, key: str, order_id: str, case_id: str) -> None:
        """Remove the case's hold on the order, once per key."""
        if not self._once(key, "unblock_shipping"):
            return
        self.holds.get(order_id, set()).discard(case_id)
        self.operations.append(InventoryOperation(key, "unblock_shipping", order_id, (), case_id))


class InMemoryPlatform:
    """A [`PlatformPort`][tiktok_aftersales.app.ports.PlatformPort] that records what it was sent.

    Requests with an idempotency key take effect once per key, as on the
    platform; a test can make the next calls fail
    ([`fail`][tiktok_aftersales.app.testing.InMemoryPlatform.fail]: an
    exception, "not known to be carried out") or be refused
    ([`refuse`][tiktok_aftersales.app.testing.InMemoryPlatform.refuse]: a reply with the platform's
    error code).

    Attributes:
        requests: Requests that took effect, once per key, in order.
        calls: Every request's idempotency key (or operation), repeats included.
        records: Raw platform records (return or cancellation dicts) that
            search requests answer with, by platform id.

    """

    def __init__(self, records: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.requests: list[PlatformRequest] = []
        self.calls: list[str] = []
        self.records: dict[str, Mapping[str, Any]] = dict(records or {})
        self._keys: set[str] = set()
        self._faults = _Faults()
        self._refusals: list[tuple[int, str]] = []

    def fail(self, times: int = 1, *operations: str) -> None:
        """Make the next ``times`` calls (of ``operations``, or any) raise ``PortDown``."""
        self._faults.fail(times, *operations)

    def refuse(self, code: int, message: str = "refused", times: int = 1) -> None:
        """Answer the next ``times`` calls with the platform error ``code``."""
        self._refusals.extend([(code, message)] * times)

    @property
    def decisions(self) -> tuple[PlatformRequest, ...]:
        """The decisions on buyer requests that took effect (approve, reject, …)."""
        return tuple(
            r for r in self.requests if "/returns/" in r.path or "/cancellations/" in r.path
        )

    @property
    def seller_calls(self) -> tuple[PlatformRequest, ...]:
        """The seller-initiated calls that took effect (seller refunds, cancellations)."""
        return tuple(r for r in self.requests if r.operation in ("create_return", "cancel_order"))

    def send(self, request: PlatformRequest) -> PlatformReply:
        """Take a request: once per idempotency key; searches answer from `records`."""
        if not isinstance(request, PlatformRequest):
            raise InvalidValue("request", request, "a PlatformRequest")
        self.calls.append(request.idempotency_key or request.operation)
        self._faults.check(request.operation)
        if self._refusals:
            code, message = self._refusals.pop(0)
            return PlatformReply(code, message)
        if request.operation.startswith("search_"):
            return PlatformReply(0, "Success", data=self._search(request))
        key = request.idempotency_key
        if key is None or key not in self._keys:
            if key is not None:
                self._keys.add(key)
            self.requests.append(request)
        return PlatformReply(0, "Success")

    def _search(self, request: PlatformRequest) -> Mapping[str, Any]:
        body = request.body or {}
        ids = set(body.get("return_ids", ())) | set(body.get("cancel_ids", ()))
        found = [r for pid, r in self.records.items() if pid in ids]
        if request.operation == "search_cancellations":
            return {"cancellations": [r for r in found if "cancel_id" in r]}
        return {"return_orders": [r for r in found if "return_id" in r]}


class FixedClock:
    """A clock that always says the same instant."""

    def __init__(self, at: datetime) -> None:
        self.at = _aware(at, "at")

    def now(self) -> datetime:
        """The fixed instant."""
        return self.at


class ManualClock:
    """A clock a test moves by hand.

    >>> clock = ManualClock(datetime(2026, 3, 1, tzinfo=UTC))
    >>> clock.advance(hours=48).isoformat()
    '2026-03-03T00:00:00+00:00'
    """

    def __init__(self, start: datetime) -> None:
        self.at = _aware(start, "start")

    def now(self) -> datetime:
        """The current instant."""
        return self.at

    def set(self, at: datetime) -> datetime:
        """Move to ``at`` (which may not be earlier than now) and return it."""
        at = _aware(at, "at")
        if at < self.at:
            raise InvalidValue("at", at, f"earlier than the clock's now ({self.at})")
        self.at = at
        return at

    def advance(self, **delta: float) -> datetime:
        """Move forward by a ``timedelta`` given as keywords (``hours=48``) and return now."""
        step = timedelta(**delta)
        if step < timedelta(0):
            raise InvalidValue("delta", delta, "a clock only moves forward")
        self.at = self.at + step
        return self.at


@attrs.define
class InMemoryPorts:
    """The fakes ``in_memory_service`` wired together."""

    store: InMemoryCaseStore
    platform: InMemoryPlatform
    inventory: InMemoryInventory
    clock: ManualClock
    notifications: InMemoryNotificationLog = attrs.field(factory=InMemoryNotificationLog)


def in_memory_service(
    *,
    start: datetime | None = None,
    available: Mapping[str, int] | None = None,
    allocated: Mapping[str, int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    webhooks: WebhookSettings | None = None,
    opener: Opener | None = None,
    max_attempts: int = 3,
) -> tuple[AfterSalesService, InMemoryPorts]:
    """Build a service on in-memory ports; returns it and the ports.

    Args:
        start: The manual clock's start (default 2026-03-02 09:00 UTC).
        available: Initial sellable stock per SKU.
        allocated: Initial allocated stock per SKU.
        policy: The deadline policy.
        webhooks: The webhook settings
            [`receive`][tiktok_aftersales.app.service.AfterSalesService.receive] checks with.
        opener: How to open cases for records of unknown requests.
        max_attempts: Attempts per update on version conflicts.

    """
    ports = InMemoryPorts(
        InMemoryCaseStore(),
        InMemoryPlatform(),
        InMemoryInventory(available, allocated),
        ManualClock(start or datetime(2026, 3, 2, 9, tzinfo=UTC)),
    )
    service = AfterSalesService(
        ports.store,
        ports.platform,
        ports.inventory,
        ports.clock,
        ports.notifications,
        policy=policy,
        webhooks=webhooks,
        opener=opener,
        max_attempts=max_attempts,
    )
    return service, ports
