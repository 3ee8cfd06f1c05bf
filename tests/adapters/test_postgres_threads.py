"""The service under threads on PostgreSQL: a connection per thread (sync, and asyncio tasks).

Skipped without a server: set TIKTOK_AFTERSALES_POSTGRES_DSN (.ci/run starts one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

import threaded
from tiktok_aftersales.app.async_ports import (
    AsyncCaseStoreAdapter,
    AsyncInventoryAdapter,
    AsyncNotificationLogAdapter,
    AsyncPlatformAdapter,
)
from tiktok_aftersales.app.async_service import AsyncAfterSalesService
from tiktok_aftersales.app.inbound import WebhookSettings
from tiktok_aftersales.app.service import AfterSalesService
from tiktok_aftersales.app.testing import FixedClock

from .pg_support import fresh_dsn, needs_postgres

pytestmark = needs_postgres
pytest.importorskip("psycopg", reason="the [postgres] extra is not installed")

from tiktok_aftersales.adapters.postgres import (  # noqa: E402
    OutboxWorker,
    PostgresCaseStore,
    PostgresNotificationLog,
)

CLOCK = FixedClock(threaded.T0 + timedelta(hours=2))


def test_threads_with_a_connection_each_lose_no_update_and_carry_out_each_effect_once() -> None:
    dsn = fresh_dsn()
    inventory, platform = threaded.LockedInventory(), threaded.LockedPlatform()

    def connect() -> tuple[AfterSalesService, Callable[[], None]]:
        # this thread's own store and log: each opens its connection in this thread
        store = PostgresCaseStore(dsn, create=False)
        log = PostgresNotificationLog(dsn, create=False)
        service = AfterSalesService(
            store,
            platform,
            inventory,
            CLOCK,
            log,
            webhooks=WebhookSettings(threaded.APP_KEY, threaded.SECRET),
            max_attempts=5,
        )

        def close() -> None:
            store.close()
            log.close()

        return service, close

    PostgresCaseStore(dsn).close()  # the tables
    setup, close_setup = connect()
    threaded.open_cases(setup)
    run = threaded.hammer(connect, threads=4, rounds=2)

    # what a lost race left pending goes through the one dispatcher, like the service's own
    worker = OutboxWorker.for_service(dsn, "sweeper", setup)
    worker.drain()
    assert worker.pending() == 0
    worker.close()
    ids = list(setup.store.case_ids())
    cases = {case_id: setup.store.get(case_id) for case_id in ids}
    inventory_keys = [op.key for op in inventory.operations]
    platform_keys = [r.idempotency_key or r.operation for r in platform.requests]
    threaded.check(run, cases, inventory_keys, platform_keys)
    assert run.commands
    close_setup()


def test_asyncio_tasks_on_the_store_in_worker_threads_keep_the_same_promises() -> None:
    dsn = fresh_dsn()
    store, log = PostgresCaseStore(dsn), PostgresNotificationLog(dsn)
    inventory, platform = threaded.LockedInventory(), threaded.LockedPlatform()
    threaded.open_cases(AfterSalesService(store, platform, inventory, CLOCK, log))
    service = AsyncAfterSalesService(
        AsyncCaseStoreAdapter(store, run=asyncio.to_thread),  # a connection per worker thread
        AsyncPlatformAdapter(platform),
        AsyncInventoryAdapter(inventory),
        CLOCK,
        AsyncNotificationLogAdapter(log, run=asyncio.to_thread),
        webhooks=WebhookSettings(threaded.APP_KEY, threaded.SECRET),
        max_attempts=5,
    )
    run = threaded.Run()

    async def main() -> None:
        await asyncio.gather(*(threaded.task(service, seed, run) for seed in range(4)))

    asyncio.run(main())
    worker = OutboxWorker.for_service(
        dsn, "sweeper", AfterSalesService(store, platform, inventory, CLOCK, log)
    )
    worker.drain()
    assert worker.pending() == 0
    worker.close()
    cases = {case_id: store.get(case_id) for case_id in store.case_ids()}
    inventory_keys = [op.key for op in inventory.operations]
    platform_keys = [r.idempotency_key or r.operation for r in platform.requests]
    threaded.check(run, cases, inventory_keys, platform_keys)
    assert run.commands
    store.close()
    log.close()
