"""The sync service under a threaded server: a SQLite connection per thread, one database.

Four threads, each with its own connection (or one per request) and its own service on
it, send the same approvals, webhook deliveries and ticks at once: no update is lost, no
order is refunded twice, and every effect reaches its port once.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

import threaded
from tiktok_aftersales.app.inbound import WebhookSettings
from tiktok_aftersales.app.service import AfterSalesService
from tiktok_aftersales.app.testing import FixedClock

HOST_DIR = Path(__file__).resolve().parent.parent / "examples" / "sqlite_host"
if str(HOST_DIR) not in sys.path:
    sys.path.insert(0, str(HOST_DIR))

import host  # noqa: E402

CLOCK = FixedClock(threaded.T0 + timedelta(hours=2))


def _service(conn: sqlite3.Connection) -> AfterSalesService:
    return AfterSalesService(
        host.SqliteCaseStore(conn),
        host.RecordingPlatform(conn),
        host.SqliteInventory(conn),
        CLOCK,
        host.SqliteNotificationLog(conn),
        webhooks=WebhookSettings(threaded.APP_KEY, threaded.SECRET),
        max_attempts=5,
    )


def _connect(db: Path) -> Callable[[], tuple[AfterSalesService, Callable[[], None]]]:
    def connect() -> tuple[AfterSalesService, Callable[[], None]]:
        conn = host.connect(db)  # this thread's own connection (sqlite3's same-thread rule)
        return _service(conn), conn.close

    return connect


@pytest.mark.parametrize("per_request", [False, True], ids=["per-thread", "per-request"])
def test_threads_with_their_own_connections_lose_no_update_and_carry_out_each_effect_once(
    tmp_path: Path, per_request: bool
) -> None:
    db = tmp_path / "threads.db"
    conn = host.connect(db)
    inventory = host.SqliteInventory(conn)
    inventory.set_stock("SKU-RED", 10, 3)
    inventory.set_stock("SKU-BLUE", 10, 3)
    threaded.open_cases(_service(conn))

    run = threaded.hammer(_connect(db), threads=4, rounds=2, per_request=per_request)

    service = _service(conn)
    ids = list(service.store.case_ids())
    threaded.sweep(service, ids)
    cases = {case_id: service.store.get(case_id) for case_id in ids}
    inventory_keys = [r[0] for r in conn.execute("SELECT key FROM inventory_ops")]
    platform_keys = [key for key, *_ in host.RecordingPlatform(conn).requests()]
    threaded.check(run, cases, inventory_keys, platform_keys)
    assert run.commands  # the threads did get through
    conn.close()
