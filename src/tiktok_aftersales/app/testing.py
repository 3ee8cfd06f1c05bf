"""In-memory ports and a contract test kit for hosts.

Fakes of every port, for tests and notebooks:

- [`InMemoryCaseStore`][tiktok_aftersales.app.testing.InMemoryCaseStore]: a dict with
  compare-and-set on the version;
- [`InMemoryInventory`][tiktok_aftersales.app.testing.InMemoryInventory]: stock levels per SKU,
  holds per order, every operation recorded, idempotent on the effect key;
- [`InMemoryPlatform`][tiktok_aftersales.app.testing.InMemoryPlatform]: records decisions and seller
  refunds once per key, serves snapshots, can be told to fail;
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

import abc
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.money import Breakdown, OrderLine
from ..domain.vocabulary import Actor, Disposition, RequestType
from ..errors import ConcurrencyConflict, InvalidValue, NaiveDatetime, PortDown
from ..lifecycle import apply, open_case
from .ports import (
    CaseExists,
    CaseStore,
    Decision,
    InventoryPort,
    StockItem,
    UnknownCase,
)
from .service import AfterSalesService, Reconcile

__all__ = [
    "CaseStoreContract",
    "FixedClock",
    "InMemoryCaseStore",
    "InMemoryInventory",
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
    """A [`CaseStore`][tiktok_aftersales.app.ports.CaseStore] in a dict.

    Attributes:
        conflicts: How many saves were refused as stale.

    """

    def __init__(self, cases: Iterable[AfterSalesCase] = ()) -> None:
        self._cases: dict[str, AfterSalesCase] = {}
        self.conflicts = 0
        for case in cases:
            self.add(case)

    def get(self, case_id: str) -> AfterSalesCase:
        """Return the stored case or raise `UnknownCase`."""
        try:
            return self._cases[case_id]
        except (KeyError, TypeError):
            raise UnknownCase(case_id) from None

    def add(self, case: AfterSalesCase) -> None:
        """Store a new case or raise [`CaseExists`][tiktok_aftersales.app.ports.CaseExists]."""
        if not isinstance(case, AfterSalesCase):
            raise InvalidValue("case", case, "an AfterSalesCase")
        if case.case_id in self._cases:
            raise CaseExists(case.case_id)
        self._cases[case.case_id] = case

    def save(self, case: AfterSalesCase, expected_version: int) -> None:
        """Replace the case if the stored version is ``expected_version``."""
        if not isinstance(case, AfterSalesCase):
            raise InvalidValue("case", case, "an AfterSalesCase")
        stored = self.get(case.case_id)
        if stored.version != expected_version:
            self.conflicts += 1
            raise ConcurrencyConflict(case.case_id, expected_version, stored.version)
        if case.version <= expected_version:
            raise InvalidValue("version", case.version, f"must be above {expected_version}")
        self._cases[case.case_id] = case

    def case_ids(self) -> Iterable[str]:
        """Every stored case id, in the order they were added."""
        return tuple(self._cases)

    def __len__(self) -> int:
        return len(self._cases)

    def __iter__(self) -> Iterator[AfterSalesCase]:
        return iter(tuple(self._cases.values()))


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
        """Make the next ``times`` calls (of ``methods``, or any) raise `PortDown`."""
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

    Attributes:
        decisions: Seller decisions accepted, once per key.
        refunds: Seller refunds accepted, once per key.
        calls: Every call's key, repeats included.
        snapshots: Case id to the snapshot
            [`fetch_snapshot`][tiktok_aftersales.app.testing.InMemoryPlatform.fetch_snapshot]
            returns.

    """

    def __init__(self, snapshots: Mapping[str, Any] | None = None) -> None:
        self.decisions: list[Decision] = []
        self.refunds: list[Decision] = []
        self.calls: list[str] = []
        self.snapshots: dict[str, Any] = dict(snapshots or {})
        self._keys: set[str] = set()
        self._faults = _Faults()

    def fail(self, times: int = 1, *methods: str) -> None:
        """Make the next ``times`` calls (of ``methods``, or any) raise `PortDown`."""
        self._faults.fail(times, *methods)

    def _once(self, decision: Decision, method: str) -> bool:
        self.calls.append(decision.key)
        self._faults.check(method)
        if decision.key in self._keys:
            return False
        self._keys.add(decision.key)
        return True

    def send_decision(self, decision: Decision) -> None:
        """Accept a seller decision, once per key."""
        if self._once(decision, "send_decision"):
            self.decisions.append(decision)

    def send_refund(self, decision: Decision) -> None:
        """Accept a seller refund, once per key."""
        if self._once(decision, "send_refund"):
            self.refunds.append(decision)

    def fetch_snapshot(self, case: AfterSalesCase) -> Any:
        """Return the snapshot set for the case (``None`` when none was set)."""
        self._faults.check("fetch_snapshot")
        return self.snapshots.get(case.case_id)


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
    """The fakes `in_memory_service` wired together."""

    store: InMemoryCaseStore
    platform: InMemoryPlatform
    inventory: InMemoryInventory
    clock: ManualClock


def in_memory_service(
    *,
    start: datetime | None = None,
    available: Mapping[str, int] | None = None,
    allocated: Mapping[str, int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    reconcile: Reconcile | None = None,
    max_attempts: int = 3,
) -> tuple[AfterSalesService, InMemoryPorts]:
    """Build a service on in-memory ports; returns it and the ports.

    Args:
        start: The manual clock's start (default 2026-03-02 09:00 UTC).
        available: Initial sellable stock per SKU.
        allocated: Initial allocated stock per SKU.
        policy: The deadline policy.
        reconcile: The default snapshot reconcile function.
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
        policy=policy,
        reconcile=reconcile,
        max_attempts=max_attempts,
    )
    return service, ports


def sample_case(
    case_id: str = "contract-1",
    *,
    request_type: RequestType = RequestType.RETURN_AND_REFUND,
    at: datetime | None = None,
) -> AfterSalesCase:
    """A small opened case (two lines, US) for tests and the contract kit."""
    return open_case(
        request_type,
        case_id=case_id,
        order_id=f"order-{case_id}",
        region="US",
        lines=[
            OrderLine("L1", "SKU-RED", Breakdown.of("19.99", "USD", tax="1.61")),
            OrderLine("L2", "SKU-BLUE", Breakdown.of("5.00", "USD", shipping="1.00")),
        ],
        at=at or datetime(2026, 3, 1, 9, tzinfo=UTC),
    )


# --- contract kit -------------------------------------------------------------------------


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _raises(kind: type[BaseException], call: Callable[[], object], what: str) -> BaseException:
    try:
        call()
    except kind as exc:
        return exc
    raise AssertionError(f"{what}: expected {kind.__name__}, nothing was raised")


class CaseStoreContract(abc.ABC):
    """Checks that a [`CaseStore`][tiktok_aftersales.app.ports.CaseStore] keeps the port's promises.

    Subclass it as ``TestMyStore`` and implement
    [`make_store`][tiktok_aftersales.app.testing.CaseStoreContract.make_store]; every ``test_*``
    method is one promise. A fresh, empty store is made per check.
    """

    @abc.abstractmethod
    def make_store(self) -> CaseStore:
        """Return a new, empty store for one check."""

    def test_get_of_unknown_id_raises_unknown_case(self) -> None:
        """An unknown id is a typed error naming the id."""
        store = self.make_store()
        exc = _raises(UnknownCase, lambda: store.get("no-such-case"), "get")
        _check(getattr(exc, "value", None) == "no-such-case", "UnknownCase names the id")

    def test_added_case_comes_back_equal(self) -> None:
        """What is added is what is read: history, effects and payloads included."""
        store = self.make_store()
        case = sample_case()
        at = case.history[-1].at
        case = apply(case, "approve", Actor.SELLER, at + timedelta(hours=1))
        case = apply(case, "ship_back", Actor.BUYER, at + timedelta(hours=2), {"tracking": "T"})
        case = apply(
            case,
            "parcel_delivered",
            Actor.LOGISTICS,
            at + timedelta(hours=3),
            {"disposition": "damaged"},
        )
        case = apply(case, "confirm_receipt", Actor.SELLER, at + timedelta(hours=4))
        case = case.mark_effects_done([case.effects[0].key])
        store.add(case)
        _check(store.get(case.case_id) == case, "get returns a case equal to the one added")

    def test_add_of_an_existing_id_raises_and_keeps_the_stored_case(self) -> None:
        """``add`` never overwrites."""
        store = self.make_store()
        first = sample_case()
        store.add(first)
        other = sample_case(request_type=RequestType.REFUND_ONLY)
        _raises(CaseExists, lambda: store.add(other), "add of an existing id")
        _check(store.get(first.case_id) == first, "the stored case is unchanged")

    def test_save_with_the_current_version_replaces_the_case(self) -> None:
        """A save based on the stored version wins."""
        store = self.make_store()
        case = sample_case()
        store.add(case)
        after = apply(case, "approve", Actor.SELLER, case.history[-1].at + timedelta(hours=1))
        store.save(after, case.version)
        _check(store.get(case.case_id) == after, "the saved case is stored")

    def test_save_with_a_stale_version_raises_conflict_and_keeps_the_winner(self) -> None:
        """Two writers from the same version: the second gets a conflict, no overwrite."""
        store = self.make_store()
        case = sample_case()
        store.add(case)
        at = case.history[-1].at + timedelta(hours=1)
        winner = apply(case, "approve", Actor.SELLER, at)
        loser = apply(case, "reject", Actor.SELLER, at)
        store.save(winner, case.version)
        exc = _raises(ConcurrencyConflict, lambda: store.save(loser, case.version), "stale save")
        _check(
            getattr(exc, "actual", None) == winner.version, "the conflict names the stored version"
        )
        _check(store.get(case.case_id) == winner, "the first save is kept")

    def test_save_of_an_unknown_case_raises_unknown_case(self) -> None:
        """``save`` does not create cases."""
        store = self.make_store()
        case = sample_case()
        _raises(UnknownCase, lambda: store.save(case, 0), "save of an unknown case")

    def test_case_ids_lists_every_added_case(self) -> None:
        """``case_ids`` lists what was added."""
        store = self.make_store()
        store.add(sample_case("a"))
        store.add(sample_case("b"))
        _check(set(store.case_ids()) == {"a", "b"}, "both ids are listed")


class InventoryContract(abc.ABC):
    """Checks that an `InventoryPort` is idempotent on keys.

    Subclass it, implement
    [`make_inventory`][tiktok_aftersales.app.testing.InventoryContract.make_inventory] (empty
    stock), and the read-backs
    [`available`][tiktok_aftersales.app.testing.InventoryContract.available],
    [`damaged`][tiktok_aftersales.app.testing.InventoryContract.damaged] and
    [`is_blocked`][tiktok_aftersales.app.testing.InventoryContract.is_blocked].
    """

    @abc.abstractmethod
    def make_inventory(self) -> InventoryPort:
        """Return a new inventory with no stock for one check."""

    @abc.abstractmethod
    def available(self, inventory: InventoryPort, sku_id: str) -> int:
        """Read the sellable units of a SKU."""

    @abc.abstractmethod
    def damaged(self, inventory: InventoryPort, sku_id: str) -> int:
        """Read the units of a SKU booked as damaged."""

    @abc.abstractmethod
    def is_blocked(self, inventory: InventoryPort, order_id: str) -> bool:
        """Read whether any case holds the order from shipping."""

    _ITEMS = (StockItem("L1", "SKU-C", 2),)

    def test_stock_in_happens_once_per_key(self) -> None:
        """A repeated stock-in (same key) adds nothing."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.stock_in("c/5/stock_in", "o1", self._ITEMS, Disposition.RESTOCK)
        inv.stock_in("c/5/stock_in", "o1", self._ITEMS, Disposition.RESTOCK)
        _check(self.available(inv, "SKU-C") == before + 2, "stock went up once")

    def test_stock_ins_with_different_keys_both_count(self) -> None:
        """Idempotency is per key, not per order."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.stock_in("a/5/stock_in", "o1", self._ITEMS, Disposition.RESTOCK)
        inv.stock_in("b/5/stock_in", "o1", self._ITEMS, Disposition.RESTOCK)
        _check(self.available(inv, "SKU-C") == before + 4, "two keys, two stock-ins")

    def test_damaged_stock_in_is_not_sellable(self) -> None:
        """Damaged returns are booked apart from sellable stock."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.stock_in("c/5/stock_in", "o1", self._ITEMS, Disposition.DAMAGED)
        _check(self.available(inv, "SKU-C") == before, "sellable stock unchanged")
        _check(self.damaged(inv, "SKU-C") == 2, "two units booked as damaged")

    def test_release_allocation_happens_once_per_key(self) -> None:
        """A repeated release (same key) adds nothing."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.release_allocation("c/2/release_stock", "o1", self._ITEMS)
        inv.release_allocation("c/2/release_stock", "o1", self._ITEMS)
        _check(self.available(inv, "SKU-C") == before + 2, "released once")

    def test_manual_stock_in_flag_does_not_move_stock(self) -> None:
        """Flagging a manual stock-in records work to do; it stocks nothing in itself."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.flag_manual_stock_in("c/2/manual_stock_in", "o1", self._ITEMS)
        inv.flag_manual_stock_in("c/2/manual_stock_in", "o1", self._ITEMS)
        _check(self.available(inv, "SKU-C") == before, "stock unchanged")

    def test_block_and_unblock_are_idempotent(self) -> None:
        """Repeated holds and releases with the same keys change nothing more."""
        inv = self.make_inventory()
        inv.block_shipping("c/1/block_shipping", "o1", "c")
        inv.block_shipping("c/1/block_shipping", "o1", "c")
        _check(self.is_blocked(inv, "o1"), "blocked")
        inv.unblock_shipping("c/3/unblock_shipping", "o1", "c")
        inv.unblock_shipping("c/3/unblock_shipping", "o1", "c")
        _check(not self.is_blocked(inv, "o1"), "unblocked")
        inv.block_shipping("c/1/block_shipping", "o1", "c")
        _check(not self.is_blocked(inv, "o1"), "a replayed old block does not hold again")

    def test_holds_are_per_case(self) -> None:
        """An order held by two cases ships only when both lifted their hold."""
        inv = self.make_inventory()
        inv.block_shipping("a/1/block_shipping", "o1", "a")
        inv.block_shipping("b/1/block_shipping", "o1", "b")
        inv.unblock_shipping("a/3/unblock_shipping", "o1", "a")
        _check(self.is_blocked(inv, "o1"), "still held by b")
        inv.unblock_shipping("b/3/unblock_shipping", "o1", "b")
        _check(not self.is_blocked(inv, "o1"), "free once both lifted")
