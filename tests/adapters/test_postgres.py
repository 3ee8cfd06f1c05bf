"""The PostgreSQL case store, outbox and notification log, on a real server.

The server comes from .ci/run (Debian's PostgreSQL on loopback); without a DSN
in TIKTOK_AFTERSALES_POSTGRES_DSN every test here is skipped with that reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from tiktok_aftersales import Actor, apply
from tiktok_aftersales.app.ports import CaseStore
from tiktok_aftersales.app.service import AfterSalesService
from tiktok_aftersales.app.testing import (
    CaseStoreContract,
    FixedClock,
    InMemoryInventory,
    InMemoryPlatform,
    sample_case,
)
from tiktok_aftersales.domain.case import AfterSalesCase
from tiktok_aftersales.domain.effects import Effect, EffectKind
from tiktok_aftersales.errors import ConcurrencyConflict, DispatchFailed, LeaseLost

from .pg_support import fresh_dsn, needs_postgres, received_case

pytestmark = needs_postgres
psycopg = pytest.importorskip("psycopg", reason="the [postgres] extra is not installed")

from tiktok_aftersales.adapters.postgres import (  # noqa: E402
    OutboxWorker,
    PostgresCaseStore,
    PostgresNotificationLog,
)


class TestPostgresCaseStore(CaseStoreContract):
    def make_store(self) -> CaseStore:
        return PostgresCaseStore(fresh_dsn())


def test_a_case_is_found_by_its_platform_id_and_by_its_order() -> None:
    store = PostgresCaseStore(fresh_dsn())
    case = sample_case("p1")
    store.add(case)
    store.add(sample_case("p2"))
    assert store.find_by_platform_id("nope") is None
    assert [c.case_id for c in store.cases_of_order("order-p1")] == ["p1"]
    store.close()


def test_two_cases_of_one_order_saved_from_the_same_order_version_cannot_both_win() -> None:
    store = PostgresCaseStore(fresh_dsn())
    first = sample_case("a")
    second = attrs.evolve(sample_case("b"), order_id=first.order_id)
    store.add(first)
    store.add(second)
    seen = store.order_version(first.order_id)
    at = first.history[-1].at + timedelta(hours=1)
    store.save(apply(first, "approve", Actor.SELLER, at), first.version, order_version=seen)
    with pytest.raises(ConcurrencyConflict) as caught:
        store.save(apply(second, "approve", Actor.SELLER, at), second.version, order_version=seen)
    assert caught.value.case_id == f"order:{first.order_id}"
    assert store.get("b") == second


def test_pending_effects_enter_the_outbox_once_with_the_save_that_made_them() -> None:
    dsn = fresh_dsn()
    store = PostgresCaseStore(dsn)
    case = received_case("r1")
    store.add(case)
    store.add(received_case("r2"))
    done = case.mark_effects_done([case.pending_effects[0].key])
    store.save(attrs.evolve(done, version=done.version + 1), case.version)
    with psycopg.connect(dsn) as conn:
        keys = [r[0] for r in conn.execute("SELECT key FROM tas_outbox ORDER BY id")]
    assert keys == [e.key for e in case.pending_effects] + [
        e.key for e in received_case("r2").pending_effects
    ]


def test_a_worker_that_lost_its_lease_cannot_complete_the_entry() -> None:
    dsn = fresh_dsn()
    PostgresCaseStore(dsn).add(received_case("l1"))
    slow = OutboxWorker(dsn, "slow", lambda e: None, lease=timedelta(milliseconds=50), batch=1)
    fast = OutboxWorker(dsn, "fast", lambda e: None, batch=1)
    (entry,) = slow.claim()
    time.sleep(0.2)
    (taken,) = fast.claim()
    assert taken.key == entry.key and taken.attempts == 2
    with pytest.raises(LeaseLost):
        slow.complete(entry)
    fast.complete(taken)
    slow.close()
    fast.close()


def test_worker_threads_share_the_outbox_without_double_dispatch() -> None:
    dsn = fresh_dsn()
    store = PostgresCaseStore(dsn)
    for i in range(40):
        store.add(received_case(f"t{i:02d}"))
    seen: list[str] = []
    lock = threading.Lock()

    def carry_out(case: AfterSalesCase, effect: Effect) -> None:
        with lock:
            seen.append(effect.key)

    # one service for every worker thread: the store gives each thread its own connection
    service = AfterSalesService(
        store,
        InMemoryPlatform(),
        InMemoryInventory(),
        FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
        handlers={kind: carry_out for kind in EffectKind},
    )

    def run(name: str) -> None:
        worker = OutboxWorker.for_service(dsn, name, service, batch=3)
        worker.drain()
        worker.close()

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 80 and len(set(seen)) == 80
    assert all(store.get(f"t{i:02d}").pending_effects == () for i in range(40))


def test_the_notification_log_remembers_ids_across_instances() -> None:
    dsn = fresh_dsn()
    log = PostgresNotificationLog(dsn)
    at = datetime(2026, 7, 14, tzinfo=UTC)
    assert log.record("n1", at, "applied", "c1") is True
    assert log.record("n1", at, "applied", "c1") is False
    log.close()
    again = PostgresNotificationLog(dsn)
    assert again.seen("n1") and not again.seen("n2")
    assert again.outcomes() == {"applied": 1}
    again.close()


def test_four_worker_processes_drain_1000_cases_exactly_once_with_one_killed() -> None:
    dsn = fresh_dsn()
    store = PostgresCaseStore(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE deliveries (id bigserial, key text, worker text)")
        conn.execute("CREATE TABLE effects (key text PRIMARY KEY, kind text)")
    for i in range(1000):
        store.add(received_case(f"k{i:04d}"))
    store.close()
    script = Path(__file__).with_name("outbox_worker.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def start(name: str, delay: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, str(script), dsn, name, delay], env=env)

    victim = start("victim", "0.05")
    others = [start(f"w{i}", "0.002") for i in range(3)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = conn.execute("SELECT count(*) FROM deliveries WHERE worker = 'victim'").fetchone()
            if row and row[0] >= 3:
                break
            time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)  # mid-dispatch: it holds a leased batch
        victim.wait()
        assert all(p.wait(timeout=300) == 0 for p in others)
        total = conn.execute("SELECT count(*) FROM tas_outbox").fetchone()
        left = conn.execute("SELECT count(*) FROM tas_outbox WHERE done_at IS NULL").fetchone()
        effects = conn.execute("SELECT count(*), count(DISTINCT key) FROM effects").fetchone()
        repeated = conn.execute(
            "SELECT d.key, array_agg(d.worker) FROM deliveries d GROUP BY d.key HAVING count(*) > 1"
        ).fetchall()
        missing = conn.execute(
            "SELECT count(*) FROM tas_outbox o LEFT JOIN effects e ON e.key = o.key"
            " WHERE e.key IS NULL"
        ).fetchone()
        taken_over = conn.execute("SELECT count(*) FROM tas_outbox WHERE attempts > 1").fetchone()
    assert total == (2000,) and left == (0,) and missing == (0,)
    assert effects == (2000, 2000)  # every effect carried out exactly once
    assert all("victim" in workers for _key, workers in repeated)  # only its batch was redone
    assert taken_over is not None and taken_over[0] >= 1
    store = PostgresCaseStore(dsn, create=False)  # the case records what was done, as the outbox
    assert all(not store.get(case_id).pending_effects for case_id in store.case_ids())
    store.close()


def test_the_service_and_its_outbox_workers_are_one_dispatcher() -> None:
    dsn = fresh_dsn()
    store = PostgresCaseStore(dsn)
    inventory = InMemoryInventory()
    service = AfterSalesService(
        store, InMemoryPlatform(), inventory, FixedClock(datetime(2026, 3, 2, tzinfo=UTC))
    )
    case = received_case("d1")
    store.add(case)
    inventory.fail(1, "stock_in")
    with pytest.raises(DispatchFailed):
        service.dispatch_pending("d1")
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT key, done_at IS NOT NULL FROM tas_outbox").fetchall())
    assert rows == {e.key: False for e in case.pending_effects}  # nothing was carried out
    worker = OutboxWorker.for_service(dsn, "w1", service, batch=10)
    assert worker.drain() == len(case.pending_effects)
    worker.close()
    stored = store.get("d1")
    assert stored.pending_effects == ()
    assert [op.key for op in inventory.operations] == [
        e.key for e in case.pending_effects if e.kind is EffectKind.STOCK_IN
    ]
    with psycopg.connect(dsn) as conn:
        left = conn.execute("SELECT count(*) FROM tas_outbox WHERE done_at IS NULL").fetchone()
    assert left == (0,)
    assert service.dispatch_effect("d1", case.pending_effects[0].key) == stored  # done: nothing
    store.close()


def test_what_the_service_carries_out_after_a_save_leaves_the_outbox_done() -> None:
    dsn = fresh_dsn()
    store = PostgresCaseStore(dsn)
    inventory = InMemoryInventory()
    service = AfterSalesService(
        store, InMemoryPlatform(), inventory, FixedClock(datetime(2026, 3, 2, tzinfo=UTC))
    )
    store.add(received_case("d2"))
    service.dispatch_pending("d2")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT done_at IS NOT NULL, done_by FROM tas_outbox").fetchall()
    assert rows and all(row == (True, "case") for row in rows)
    worker = OutboxWorker.for_service(dsn, "idle", service)
    assert worker.drain() == 0  # nothing left for a worker
    worker.close()
    store.close()


def _add_at_once(stores: list[PostgresCaseStore], order_id: str) -> tuple[list[str], list[Any]]:
    """Each store adds its own case of ``order_id`` at the same moment, from order version 0."""
    barrier = threading.Barrier(len(stores))
    won: list[str] = []
    lost: list[ConcurrencyConflict] = []

    def add(store: PostgresCaseStore, i: int) -> None:
        case = attrs.evolve(sample_case(f"{order_id}-{i}"), order_id=order_id)
        barrier.wait()
        try:
            store.add(case, order_version=0)
            won.append(case.case_id)
        except ConcurrencyConflict as conflict:
            lost.append(conflict)

    threads = [threading.Thread(target=add, args=(s, i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, lost


def test_cases_added_at_once_to_a_brand_new_order_cannot_both_pass_its_check() -> None:
    # No row stands for the order yet, so there is nothing to lock: the check must create one.
    dsn = fresh_dsn()
    stores = [PostgresCaseStore(dsn) for _ in range(4)]
    for round_ in range(5):
        order_id = f"new-order-{round_}"
        won, lost = _add_at_once(stores, order_id)
        assert len(won) == 1, won
        assert len(lost) == len(stores) - 1
        assert all(c.case_id == f"order:{order_id}" for c in lost)
        assert [c.case_id for c in stores[0].cases_of_order(order_id)] == won
        assert stores[0].order_version(order_id) == 1
    for store in stores:
        store.close()
