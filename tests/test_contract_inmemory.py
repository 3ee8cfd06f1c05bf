"""The contract kit run against the in-memory ports, and the kit catching broken adapters."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tiktok_aftersales import AfterSalesCase
from tiktok_aftersales.app.ports import CaseStore, InventoryPort
from tiktok_aftersales.app.testing import (
    CaseStoreContract,
    InMemoryCaseStore,
    InMemoryInventory,
    InventoryContract,
)


class TestInMemoryCaseStore(CaseStoreContract):
    def make_store(self) -> CaseStore:
        return InMemoryCaseStore()


class TestInMemoryInventory(InventoryContract):
    def make_inventory(self) -> InventoryPort:
        return InMemoryInventory()

    def available(self, inventory: InventoryPort, sku_id: str) -> int:
        assert isinstance(inventory, InMemoryInventory)
        return inventory.available.get(sku_id, 0)

    def damaged(self, inventory: InventoryPort, sku_id: str) -> int:
        assert isinstance(inventory, InMemoryInventory)
        return inventory.damaged.get(sku_id, 0)

    def is_blocked(self, inventory: InventoryPort, order_id: str) -> bool:
        assert isinstance(inventory, InMemoryInventory)
        return inventory.is_blocked(order_id)


class OverwritingStore(InMemoryCaseStore):
    """A broken adapter: saves without checking the version (last writer wins)."""

    def save(self, case: AfterSalesCase, expected_version: int) -> None:
        self._cases[case.case_id] = case


class ForgetfulInventory(InMemoryInventory):
    """A broken adapter: not idempotent, every call counts."""

    def _once(self, key: str, method: str) -> bool:
        return True


class _BrokenStoreContract(CaseStoreContract):
    def make_store(self) -> CaseStore:
        return OverwritingStore()


class _BrokenInventoryContract(TestInMemoryInventory):
    def make_inventory(self) -> InventoryPort:
        return ForgetfulInventory()


def test_the_kit_catches_a_store_that_overwrites_silently() -> None:
    with pytest.raises(AssertionError, match="stale save"):
        _BrokenStoreContract().test_save_with_a_stale_version_raises_conflict_and_keeps_the_winner()


def test_the_kit_catches_an_inventory_that_stocks_in_twice() -> None:
    with pytest.raises(AssertionError, match="stock went up once"):
        _BrokenInventoryContract().test_stock_in_happens_once_per_key()


def test_the_contract_classes_cannot_run_without_an_adapter() -> None:
    with pytest.raises(TypeError):
        CaseStoreContract()  # type: ignore[abstract]


def test_the_testing_module_imports_without_pytest() -> None:
    code = (
        "import sys; sys.modules['pytest'] = None; sys.modules['hypothesis'] = None\n"
        "import tiktok_aftersales.app.testing as t\n"
        "print(sorted(n for n in dir(t.CaseStoreContract) if n.startswith('test_'))[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("test_")
