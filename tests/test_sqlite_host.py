"""The SQLite reference host: the contract kit on its adapters, two processes, the demo run."""

from __future__ import annotations

import io
import json
import multiprocessing
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
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
from tiktok_aftersales.app.ports import CaseStore, InventoryPort, NotificationLog, UnknownCase
from tiktok_aftersales.app.service import COMMAND_ID
from tiktok_aftersales.app.testing import (
    CaseStoreContract,
    FixedClock,
    InventoryContract,
    sample_case,
)
from tiktok_aftersales.errors import (
    DispatchFailed,
    DuplicateCommand,
    InvalidTransition,
)
from tiktok_aftersales.platform.calls import request_from_json
from tiktok_aftersales.sync import Outcome

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


# --- the store's order-level check and the notification log -------------------------------


def test_two_connections_cannot_both_write_one_order_from_the_same_order_version(
    db: Path,
) -> None:
    one = host.SqliteCaseStore(host.connect(db))
    two = host.SqliteCaseStore(host.connect(db))  # another process's connection
    first = sample_case("r-1")
    second = attrs.evolve(sample_case("r-2"), order_id=first.order_id)
    one.add(first)
    one.add(second)
    seen = two.order_version(first.order_id)
    at = T0 + timedelta(hours=1)
    one.save(apply(first, "approve", "seller", at), first.version, order_version=seen)
    with pytest.raises(ConcurrencyConflict) as err:
        two.save(apply(second, "approve", "seller", at), second.version, order_version=seen)
    assert err.value.case_id == f"order:{first.order_id}"
    assert two.get("r-2") == second  # the refused write changed nothing
    assert two.order_version(first.order_id) == seen + 1


def test_the_notification_log_survives_a_new_connection(db: Path) -> None:
    log = host.SqliteNotificationLog(host.connect(db))
    assert isinstance(log, NotificationLog)
    assert log.record("n-1", T0, "processing")
    log.settle("n-1", "advanced", "case-1")
    log.keep_for_refetch("p-1", "no local case")
    log.keep_for_refetch("p-1", "asked again")
    after_restart = host.SqliteNotificationLog(host.connect(db))
    assert not after_restart.record("n-1", T0, "processing")  # a duplicate, after a restart
    assert after_restart.seen("n-1") and not after_restart.seen("n-2")
    assert after_restart.refetch() == (("p-1", "no local case"),)
    after_restart.refetched("p-1")
    after_restart.forget("n-1")
    assert log.refetch() == () and not log.seen("n-1")


def test_the_platform_takes_each_idempotency_key_once(db: Path) -> None:
    conn = host.connect(db)
    store = host.SqliteCaseStore(conn)
    store.add(attrs.evolve(sample_case("case-1", at=T0), platform_id=PLATFORM_ID))
    service = host.make_service(conn, FixedClock(T0 + timedelta(hours=1)))
    service.handle_command("case-1", "approve", "seller", command_id="click-1")
    [effect] = [e for e in store.get("case-1").effects if e.kind is EffectKind.PLATFORM_CALL]
    assert effect.call is not None
    platform = service.platform
    assert isinstance(platform, host.RecordingPlatform)
    platform.send(request_from_json(effect.call))  # a retry after a crash: the same key
    [(key, operation, case_id, attempts)] = platform.requests()
    assert (operation, case_id, attempts) == ("approve_return", "case-1", 2)
    assert key == request_from_json(effect.call).idempotency_key


# --- two processes on one case ------------------------------------------------------------

PLATFORM_ID = "4035000000000000001"

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


def _service(db: str, barrier: Any) -> tuple[Any, _BarrierStore]:
    conn = host.connect(db)  # one connection per process (SQLite's same-thread rule)
    service = host.make_service(conn, FixedClock(T0 + timedelta(hours=1)), max_attempts=20)
    store = _BarrierStore(conn, barrier)
    service.store = store
    return service, store


def worker(db: str, barrier: Any, results: Any, name: str) -> None:
    """One host process: run the whole script, as a second worker fed the same queue would."""
    service, store = _service(db, barrier)
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


def approver(db: str, barrier: Any, results: Any, name: str) -> None:
    """One host process: a seller's approval, clicked in another tab (its own command id)."""
    service, store = _service(db, barrier)
    try:
        service.handle_command("case-1", "approve", "seller", command_id=f"click-{name}")
    except (InvalidTransition, DuplicateCommand) as exc:
        results.put((name, store.conflicts, type(exc).__name__))
        return
    results.put((name, store.conflicts, "approved"))


def _race(db: Path, target: Any) -> list[Any]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(str(db), barrier, results, n)) for n in "AB"]
    for p in procs:
        p.start()
    outcome = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return outcome


def test_two_processes_approving_one_case_make_exactly_one_platform_call(db: Path) -> None:
    conn = host.connect(db)
    store = host.SqliteCaseStore(conn)
    store.add(attrs.evolve(sample_case("case-1", at=T0), platform_id=PLATFORM_ID))

    outcome = _race(db, approver)

    assert sorted(r[2] for r in outcome) in (
        ["InvalidTransition", "approved"],
        ["DuplicateCommand", "approved"],
    )
    assert sum(r[1] for r in outcome) >= 1  # both loaded one version: the loser's save failed
    case = store.get("case-1")
    assert [h.event for h in case.history] == ["request", "approve"]
    assert case.pending_effects == ()
    requests = host.RecordingPlatform(conn).requests()
    assert len(requests) == 1  # one decision, one call: the loser never reached the platform
    [(_key, operation, case_id, attempts)] = requests
    assert (operation, case_id, attempts) == ("approve_return", "case-1", 1)


def test_two_processes_on_one_case_apply_every_event_once_and_refund_once(db: Path) -> None:
    conn = host.connect(db)
    inventory = host.SqliteInventory(conn)
    inventory.set_stock("SKU-RED", 10)
    inventory.set_stock("SKU-BLUE", 5)
    host.SqliteCaseStore(conn).add(
        attrs.evolve(sample_case("case-1", at=T0), platform_id=PLATFORM_ID)
    )

    outcome = _race(db, worker)

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

    requests = host.RecordingPlatform(conn).requests()
    seller_events = [e for e, actor, _ in SCRIPT if actor == "seller"]
    assert len(requests) == len(seller_events)  # one call per seller decision took effect
    # Both processes may dispatch the same pending outbox entry at once: a repeat carries
    # the same idempotency key, which the platform takes once (no lease in the SQLite host).
    assert all(attempts <= 2 for *_, attempts in requests)
    assert len({key for key, *_ in requests}) == len(requests)
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
    assert "401 - refused: InvalidSignature" in text  # the forged delivery
    assert "4035000000000000002 duplicate" in text  # the same notification delivered twice
    assert "200 return-4035000000000000002 new" in text  # opened on the order's lines
    requests = host.RecordingPlatform(conn).requests()
    assert [r[2] for r in requests] == [
        "return-4035000000000000001",  # approve
        "return-4035000000000000002",  # approve (the repeated click sent nothing)
        "return-4035000000000000001",  # confirm_receipt
    ]
    assert all(attempts == 1 for *_, attempts in requests)
    log = host.SqliteNotificationLog(conn)
    assert log.refetch() == ()  # every record kept for a re-fetch was fetched


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


def test_a_polled_record_of_an_unknown_order_is_refused_and_kept_for_a_refetch(db: Path) -> None:
    conn = host.connect(db)
    record = {
        "order_id": "1",
        "return_id": "9",
        "return_type": "REFUND",
        "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
        "role": "BUYER",
        "create_time": 1772442000,
        "update_time": 1772442000,
    }
    line = json.dumps(
        {"kind": "poll", "at": "2026-03-02T09:05:00+00:00", "page": {"return_orders": [record]}}
    )
    out = io.StringIO()
    service = host.run(conn, [line], out)
    assert "9 refused" in out.getvalue() and "UnknownCase" in out.getvalue()
    with pytest.raises(UnknownCase):
        service.store.get("return-9")
    assert [p for p, _ in host.SqliteNotificationLog(conn).refetch()] == ["9"]


UNKNOWN_REQUEST: dict[str, Any] = {
    "type": 12,
    "tts_notification_id": "7300000000000000042",
    "timestamp": 1772442000,
    "data": {
        "order_id": "1",
        "return_role": "BUYER",
        "return_type": "REFUND",
        "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
        "return_id": "9",
        "create_time": 1772442000,
        "update_time": 1772442000,
    },
}


def test_a_webhook_of_an_unknown_order_is_kept_and_opened_by_a_later_refetch(db: Path) -> None:
    conn = host.connect(db)
    service = host.make_service(conn, host.ScriptClock())
    body = UNKNOWN_REQUEST
    delivery, refetched = host.deliver(service, body, datetime.fromtimestamp(1772442005, UTC))
    assert delivery.status == 200 and delivery.outcome is Outcome.REFUSED
    assert isinstance(delivery.error, UnknownCase)  # the host's OMS does not know order 1
    assert refetched is not None and refetched.deliveries == ()  # nor does the platform, yet
    log = host.SqliteNotificationLog(conn)
    assert [p for p, _ in log.refetch()] == ["9"]
    again, _ = host.deliver(service, body, datetime.fromtimestamp(1772442065, UTC))
    assert again.outcome is Outcome.DUPLICATE  # the notification id is kept in the database

    order = {"order_id": "1", "region": "US", "stage": "delivered", "currency": "USD"}
    order["lines"] = [{"line_id": "L1", "sku_id": "SKU-RED", "subtotal": "19.99"}]
    conn.execute("INSERT INTO orders (order_id, data) VALUES ('1', ?)", (json.dumps(order),))
    platform = service.platform
    assert isinstance(platform, host.RecordingPlatform)
    platform.hold(
        {
            "order_id": "1",
            "return_id": "9",
            "return_type": "REFUND",
            "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
            "role": "BUYER",
            "create_time": 1772442000,
            "update_time": 1772442000,
        }
    )
    report = service.refetch()
    assert [d.outcome for d in report.deliveries] == [Outcome.NEW]
    assert service.store.get("return-9").state is State.REQUESTED
    assert log.refetch() == ()


def test_a_delivery_outside_the_tolerance_is_refused(db: Path) -> None:
    service = host.make_service(host.connect(db), host.ScriptClock())
    body = dict(UNKNOWN_REQUEST, tts_notification_id="n-1")  # a captured, validly signed one
    late = datetime.fromtimestamp(1772442000, UTC) + timedelta(days=1)
    delivery, _ = host.deliver(service, body, late)
    assert delivery.outcome is Outcome.REFUSED
    assert type(delivery.error).__name__ == "DeliveryOutsideTolerance"


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
