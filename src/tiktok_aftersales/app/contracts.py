"""The contract kit: checks that a host's own adapters keep the ports' promises.

Subclass a contract in a test module, name the subclass ``Test...`` and
implement its factory method; pytest (or any runner that collects ``test_*``
methods) runs every check against the adapter. The contracts are plain
classes: importing this module does not need pytest. They are re-exported
by [`tiktok_aftersales.app.testing`][tiktok_aftersales.app.testing].
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs

from ..domain.case import AfterSalesCase
from ..domain.money import Breakdown, OrderLine
from ..domain.vocabulary import Actor, Disposition, RequestType
from ..errors import ConcurrencyConflict
from ..lifecycle import apply, open_case
from .ports import CaseExists, CaseStore, InventoryPort, StockItem, UnknownCase

__all__ = ["CaseStoreContract", "InventoryContract", "check_that", "expect_error", "sample_case"]


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


def check_that(condition: bool, message: str) -> None:
    """Fail a contract check with ``message`` unless ``condition`` holds.

    Raises:
        AssertionError: ``condition`` is false.

    """
    if not condition:
        raise AssertionError(message)


def expect_error(kind: type[BaseException], call: Callable[[], object], what: str) -> BaseException:
    """Call ``call`` and return the ``kind`` error it raised.

    Raises:
        AssertionError: ``call`` raised nothing (``what`` says which call).

    """
    try:
        call()
    except kind as exc:
        return exc
    raise AssertionError(f"{what}: expected {kind.__name__}, nothing was raised")


class CaseStoreContract(abc.ABC):
    """Checks that a [`CaseStore`][tiktok_aftersales.app.ports.CaseStore] keeps the port's promises.

    Subclass it as ``TestMyStore`` and implement
    [`make_store`][tiktok_aftersales.app.testing.CaseStoreContract.make_store]; every
    ``test_*`` method is one promise. A fresh, empty store is made per check.
    """

    @abc.abstractmethod
    def make_store(self) -> CaseStore:
        """Return a new, empty store for one check."""

    def test_get_of_unknown_id_raises_unknown_case(self) -> None:
        """An unknown id is a typed error naming the id."""
        store = self.make_store()
        exc = expect_error(UnknownCase, lambda: store.get("no-such-case"), "get")
        check_that(getattr(exc, "value", None) == "no-such-case", "UnknownCase names the id")

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
        check_that(store.get(case.case_id) == case, "get returns a case equal to the one added")

    def test_add_of_an_existing_id_raises_and_keeps_the_stored_case(self) -> None:
        """``add`` never overwrites."""
        store = self.make_store()
        first = sample_case()
        store.add(first)
        other = sample_case(request_type=RequestType.REFUND_ONLY)
        expect_error(CaseExists, lambda: store.add(other), "add of an existing id")
        check_that(store.get(first.case_id) == first, "the stored case is unchanged")

    def test_save_with_the_current_version_replaces_the_case(self) -> None:
        """A save based on the stored version wins."""
        store = self.make_store()
        case = sample_case()
        store.add(case)
        after = apply(case, "approve", Actor.SELLER, case.history[-1].at + timedelta(hours=1))
        store.save(after, case.version)
        check_that(store.get(case.case_id) == after, "the saved case is stored")

    def test_save_with_a_stale_version_raises_conflict_and_keeps_the_winner(self) -> None:
        """Two writers from the same version: the second gets a conflict, no overwrite."""
        store = self.make_store()
        case = sample_case()
        store.add(case)
        at = case.history[-1].at + timedelta(hours=1)
        winner = apply(case, "approve", Actor.SELLER, at)
        loser = apply(case, "reject", Actor.SELLER, at)
        store.save(winner, case.version)
        exc = expect_error(
            ConcurrencyConflict, lambda: store.save(loser, case.version), "stale save"
        )
        check_that(
            getattr(exc, "actual", None) == winner.version, "the conflict names the stored version"
        )
        check_that(store.get(case.case_id) == winner, "the first save is kept")

    def test_save_of_an_unknown_case_raises_unknown_case(self) -> None:
        """``save`` does not create cases."""
        store = self.make_store()
        case = sample_case()
        expect_error(UnknownCase, lambda: store.save(case, 0), "save of an unknown case")

    def test_case_ids_lists_every_added_case(self) -> None:
        """``case_ids`` lists what was added."""
        store = self.make_store()
        store.add(sample_case("a"))
        store.add(sample_case("b"))
        check_that(set(store.case_ids()) == {"a", "b"}, "both ids are listed")

    def test_a_case_is_found_by_its_platform_id(self) -> None:
        """``find_by_platform_id`` finds the stored case, and ``None`` for an unknown id."""
        store = self.make_store()
        case = attrs.evolve(sample_case("p"), platform_id="4035000000000000099")
        store.add(case)
        check_that(store.find_by_platform_id("4035000000000000099") == case, "found by platform id")
        check_that(store.find_by_platform_id("4035000000000000000") is None, "None when unknown")

    def test_the_cases_of_an_order_come_back_together(self) -> None:
        """``cases_of_order`` returns every case of one order and no other."""
        store = self.make_store()
        first = sample_case("o-1")
        second = attrs.evolve(sample_case("o-2"), order_id=first.order_id)
        other = sample_case("o-3")
        for case in (first, second, other):
            store.add(case)
        ids = {c.case_id for c in store.cases_of_order(first.order_id)}
        check_that(ids == {"o-1", "o-2"}, f"the order's cases, got {sorted(ids)}")

    def test_every_write_of_a_case_bumps_its_order_version(self) -> None:
        """Adds and saves move the order's version; another order's stays."""
        store = self.make_store()
        case = sample_case("v-1")
        check_that(store.order_version(case.order_id) == 0, "an order without cases is at 0")
        store.add(case)
        after_add = store.order_version(case.order_id)
        later = apply(case, "approve", Actor.SELLER, case.history[-1].at + timedelta(hours=1))
        store.save(later, case.version)
        check_that(store.order_version(case.order_id) > after_add > 0, "add and save bump it")
        check_that(store.order_version("another-order") == 0, "other orders are untouched")

    def test_two_cases_of_one_order_saved_from_the_same_order_version_cannot_both_pass(
        self,
    ) -> None:
        """The order-level check: the second writer of the same order version gets a conflict."""
        store = self.make_store()
        first = sample_case("r-1")
        second = attrs.evolve(sample_case("r-2"), order_id=first.order_id)
        store.add(first)
        store.add(second)
        seen = store.order_version(first.order_id)
        at = first.history[-1].at + timedelta(hours=1)
        store.save(apply(first, "approve", Actor.SELLER, at), first.version, order_version=seen)
        late = apply(second, "approve", Actor.SELLER, at)
        expect_error(
            ConcurrencyConflict,
            lambda: store.save(late, second.version, order_version=seen),
            "a save of another case of the order from a stale order version",
        )
        check_that(store.get(second.case_id) == second, "the loser is not written")
        third = attrs.evolve(sample_case("r-3"), order_id=first.order_id)
        expect_error(
            ConcurrencyConflict,
            lambda: store.add(third, order_version=seen),
            "an add to the order from a stale order version",
        )
        expect_error(UnknownCase, lambda: store.get("r-3"), "the refused add stored nothing")


class InventoryContract(abc.ABC):
    """Checks that an ``InventoryPort`` is idempotent on keys.

    Subclass it, implement
    [`make_inventory`][tiktok_aftersales.app.testing.InventoryContract.make_inventory] (empty
    stock), and the
    read-backs [`available`][tiktok_aftersales.app.testing.InventoryContract.available],
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
        check_that(self.available(inv, "SKU-C") == before + 2, "stock went up once")

    def test_stock_ins_with_different_keys_both_count(self) -> None:
        """Idempotency is per key, not per order."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.stock_in("a/5/stock_in", "o1", self._ITEMS, Disposition.RESTOCK)
        inv.stock_in("b/5/stock_in", "o1", self._ITEMS, Disposition.RESTOCK)
        check_that(self.available(inv, "SKU-C") == before + 4, "two keys, two stock-ins")

    def test_damaged_stock_in_is_not_sellable(self) -> None:
        """Damaged returns are booked apart from sellable stock."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.stock_in("c/5/stock_in", "o1", self._ITEMS, Disposition.DAMAGED)
        check_that(self.available(inv, "SKU-C") == before, "sellable stock unchanged")
        check_that(self.damaged(inv, "SKU-C") == 2, "two units booked as damaged")

    def test_release_allocation_happens_once_per_key(self) -> None:
        """A repeated release (same key) adds nothing."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.release_allocation("c/2/release_stock", "o1", self._ITEMS)
        inv.release_allocation("c/2/release_stock", "o1", self._ITEMS)
        check_that(self.available(inv, "SKU-C") == before + 2, "released once")

    def test_manual_stock_in_flag_does_not_move_stock(self) -> None:
        """Flagging a manual stock-in records work to do; it stocks nothing in itself."""
        inv = self.make_inventory()
        before = self.available(inv, "SKU-C")
        inv.flag_manual_stock_in("c/2/manual_stock_in", "o1", self._ITEMS)
        inv.flag_manual_stock_in("c/2/manual_stock_in", "o1", self._ITEMS)
        check_that(self.available(inv, "SKU-C") == before, "stock unchanged")

    def test_block_and_unblock_are_idempotent(self) -> None:
        """Repeated holds and releases with the same keys change nothing more."""
        inv = self.make_inventory()
        inv.block_shipping("c/1/block_shipping", "o1", "c")
        inv.block_shipping("c/1/block_shipping", "o1", "c")
        check_that(self.is_blocked(inv, "o1"), "blocked")
        inv.unblock_shipping("c/3/unblock_shipping", "o1", "c")
        inv.unblock_shipping("c/3/unblock_shipping", "o1", "c")
        check_that(not self.is_blocked(inv, "o1"), "unblocked")
        inv.block_shipping("c/1/block_shipping", "o1", "c")
        check_that(not self.is_blocked(inv, "o1"), "a replayed old block does not hold again")

    def test_holds_are_per_case(self) -> None:
        """An order held by two cases ships only when both lifted their hold."""
        inv = self.make_inventory()
        inv.block_shipping("a/1/block_shipping", "o1", "a")
        inv.block_shipping("b/1/block_shipping", "o1", "b")
        inv.unblock_shipping("a/3/unblock_shipping", "o1", "a")
        check_that(self.is_blocked(inv, "o1"), "still held by b")
        inv.unblock_shipping("b/3/unblock_shipping", "o1", "b")
        check_that(not self.is_blocked(inv, "o1"), "free once both lifted")
