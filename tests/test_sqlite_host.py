"""The SQLite reference host: the contract kit on its adapters, two processes, the demo run."""

from __future__ import annotations

import io
import multiprocessing
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tiktok_aftersales import (
    AfterSalesCase,
    ConcurrencyConflict,
    EffectKind,
    InvalidValue,
    RequestType,
    State,
    apply,
)
from tiktok_aftersales.app.ports import CaseStore, InventoryPort, UnknownCase
from tiktok_aftersales.app.service import COMMAND_ID, DispatchFailed, DuplicateCommand
from tiktok_aftersales.app.testing import (
    CaseStoreContract,
    FixedClock,
    InventoryContract,
    sample_case,
)

HOST_DIR = Path(__file__).resolve().parent.parent / "examples" / "sqlite_host"
if str(HOST_DIR) not in sys.path:
    sys.path.insert(0, str(HOST_DIR))

import host  # noqa: E402

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "host.db"


# --- the contract kit against the SQLite adapters -----------------------------------------


class _TmpDb:
    _n = 0

    def _conn(self) -> sqlite3.Connection:
        import tempfile

        _TmpDb._n += 1
        path = Path(tempfile.mkdtemp()) / f"contract-{_TmpDb._n}.db"
        return host.connect(path)


class TestSqliteCaseStore(_TmpDb, CaseStoreContract):
    def make_store(self) -> CaseStore:
        return host.SqliteCaseStore(self._conn())


class TestSqliteInventory(_TmpDb, InventoryContract):
    def make_inventory(self) -> InventoryPort:
        return host.SqliteInventory(self._conn())

    def available(self, inventory: InventoryPort, sku_id: str) -> int:
        assert isinstance(inventory, host.SqliteInventory)
        return inventory.levels().get(sku_id, (0, 0, 0, 0))[0]

    def damaged(self, inventory: InventoryPort, sku_id: str) -> int:
        assert isinstance(inventory, host.SqliteInventory)
        return inventory.levels().get(sku_id, (0, 0, 0, 0))[2]

    def is_blocked(self, inventory: InventoryPort, order_id: str) -> bool:
        assert isinstance(inventory, host.SqliteInventory)
        return inventory.is_blocked(order_id)


def test_a_stale_save_leaves_the_row_as_the_winner_wrote_it(db: Path) -> None:
    store = host.SqliteCaseStore(host.connect(db))
    case = sample_case()
    store.add(case)
    other = host.SqliteCaseStore(host.connect(db))  # a second connection, as another process
    first = apply(case, "approve", "seller", T0 + timedelta(hours=1))
    second = apply(case, "reject", "seller", T0 + timedelta(hours=1))
    other.save(first, case.version)
    with pytest.raises(ConcurrencyConflict) as err:
        store.save(second, case.version)
    assert (err.value.expected, err.value.actual) == (case.version, first.version)
    assert store.get(case.case_id) == first


def test_a_save_that_does_not_advance_the_version_is_refused(db: Path) -> None:
    store = host.SqliteCaseStore(host.connect(db))
    case = sample_case()
    store.add(case)
    with pytest.raises(InvalidValue) as err:
        store.save(case, case.version)
    assert err.value.field == "version"


def test_a_corrupt_row_is_a_typed_error_naming_the_field(db: Path) -> None:
    conn = host.connect(db)
    store = host.SqliteCaseStore(conn)
    store.add(sample_case())
    conn.execute("UPDATE cases SET data = json_set(data, '$.state', 'limbo')")
    with pytest.raises(InvalidValue) as err:
        store.get("contract-1")
    assert err.value.field == "state"


# --- two processes on one case ------------------------------------------------------------

SCRIPT = [
    ("approve", "seller", None),
    ("ship_back", "buyer", {"tracking": "1Z999"}),
    ("parcel_delivered", "logistics", {"disposition": "restock"}),
    ("confirm_receipt", "seller", None),
]


class _BarrierStore(host.SqliteCaseStore):
    """Waits at a barrier after its first read, so both processes load the same version."""

    def __init__(self, conn: sqlite3.Connection, barrier: Any) -> None:
        super().__init__(conn)
        self.barrier = barrier

    def get(self, case_id: str) -> AfterSalesCase:
        case = super().get(case_id)
        if self.barrier is not None:
            self.barrier.wait(timeout=20)
            self.barrier = None
        return case


def worker(db: str, barrier: Any, results: Any, name: str) -> None:
    """One host process: run the whole script, as a second worker fed the same queue would."""
    conn = host.connect(db)
    clock = FixedClock(T0 + timedelta(hours=1))
    service = host.make_service(conn, clock, max_attempts=20)
    store = _BarrierStore(conn, barrier)
    service.store = store
    duplicates = 0
    for i, (event, actor, payload) in enumerate(SCRIPT):
        try:
            service.handle_command("case-1", event, actor, payload, command_id=f"cmd-{i}")
        except DuplicateCommand:
            duplicates += 1
            service.dispatch_pending("case-1")
        except DispatchFailed:
            service.dispatch_pending("case-1")
    results.put((name, store.conflicts, duplicates))


def test_two_processes_on_one_case_apply_every_event_once_and_refund_once(db: Path) -> None:
    conn = host.connect(db)
    inventory = host.SqliteInventory(conn)
    inventory.set_stock("SKU-RED", 10)
    inventory.set_stock("SKU-BLUE", 5)
    host.SqliteCaseStore(conn).add(sample_case("case-1", at=T0))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(str(db), barrier, results, n)) for n in "AB"]
    for p in procs:
        p.start()
    outcome = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0

    conflicts = sum(r[1] for r in outcome)
    duplicates = sum(r[2] for r in outcome)
    assert conflicts >= 1  # both loaded the same version first: one of them lost a save
    assert duplicates == len(SCRIPT)  # each command won by one process, refused to the other

    case = host.SqliteCaseStore(conn).get("case-1")
    assert [h.event for h in case.history] == ["request"] + [e for e, _, _ in SCRIPT]
    assert [h.payload[COMMAND_ID] for h in case.history[1:] if h.payload] == [
        f"cmd-{i}" for i in range(len(SCRIPT))
    ]
    assert case.state is State.REFUND_COMMITTED
    assert [e.kind for e in case.effects].count(EffectKind.ISSUE_REFUND) == 1
    assert case.pending_effects == ()

    calls = conn.execute("SELECT key, event, refund, attempts FROM platform_calls").fetchall()
    refunds = [c for c in calls if c[2] is not None]
    assert len(refunds) == 1  # the one decision that commits money, recorded once
    assert len({c[0] for c in calls}) == len(calls)
    ops = conn.execute("SELECT key, method FROM inventory_ops").fetchall()
    assert [m for _, m in ops] == ["stock_in"]
    assert inventory.levels()["SKU-RED"][0] == 11
    assert inventory.levels()["SKU-BLUE"][0] == 6


# --- the demo run -------------------------------------------------------------------------


def test_the_demo_input_runs_and_ends_in_the_expected_state(db: Path) -> None:
    conn = host.connect(db)
    out = io.StringIO()
    with open(host.DEFAULT_INPUT, encoding="utf-8") as f:
        service = host.run(conn, f, out)
    host.report(service, conn, out)
    text = out.getvalue()
    store = service.store
    r1 = store.get("return-4035000000000000001")
    assert r1.request_type is RequestType.RETURN_AND_REFUND
    assert r1.state is State.REFUNDED
    r2 = store.get("return-4035000000000000002")
    assert r2.request_type is RequestType.REFUND_ONLY
    assert r2.state is State.REFUNDED
    assert store.get("return-4035000000000000003").history[1].actor.value == "system"
    assert all(not store.get(c).pending_effects for c in store.case_ids())
    levels = host.SqliteInventory(conn).levels()
    assert levels["SKU-RED"][0] == 11  # returned and restocked once
    assert levels["SKU-BLUE"][:2] == (7, 0)  # one returned, one allocation released
    assert "already applied (seller-approve-2 is event #2)" in text
    assert "refused: UnknownCase" in text
    assert "refused: InvalidTransition" in text
    attempts = conn.execute("SELECT attempts FROM platform_calls").fetchall()
    assert attempts and all(a == (1,) for a in attempts)


def test_running_the_same_input_twice_changes_nothing_the_second_time(db: Path) -> None:
    conn = host.connect(db)
    lines = host.DEFAULT_INPUT.read_text(encoding="utf-8").splitlines()
    service = host.run(conn, lines, io.StringIO())
    before = {c: service.store.get(c) for c in service.store.case_ids()}
    stock = host.SqliteInventory(conn).levels()
    out = io.StringIO()
    host.run(conn, [x for x in lines if '"kind": "stock"' not in x], out)
    after = {c: service.store.get(c) for c in service.store.case_ids()}
    assert after == before
    assert host.SqliteInventory(conn).levels() == stock
    assert "already applied" in out.getvalue()


def test_main_prints_cases_and_stock(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert host.main(["--db", str(db), "--fresh"]) == 0
    text = capsys.readouterr().out
    assert "return-4035000000000000001" in text
    assert "SKU-RED" in text


def test_an_unknown_order_in_a_webhook_is_refused(db: Path) -> None:
    conn = host.connect(db)
    line = (
        '{"kind": "webhook", "body": {"type": 12, "timestamp": 1772442000, "data": {'
        '"order_id": "1", "return_role": "BUYER", "return_type": "REFUND", '
        '"return_status": "RETURN_OR_REFUND_REQUEST_PENDING", "return_id": "9", '
        '"create_time": 1772442000, "update_time": 1772442000}}}'
    )
    out = io.StringIO()
    service = host.run(conn, [line], out)
    assert "refused: UnknownCase" in out.getvalue()
    with pytest.raises(UnknownCase):
        service.store.get("return-9")


def test_the_wiring_snippet_of_the_readme_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    text = (HOST_DIR / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert list(namespace["service"].store.case_ids()) == []
    assert (tmp_path / "aftersales.db").exists()
