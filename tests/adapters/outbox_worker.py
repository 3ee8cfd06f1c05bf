"""One outbox worker process (run by test_postgres_outbox): the service carries out each entry.

Usage: python outbox_worker.py DSN NAME DELAY_SECONDS

The worker hands every claimed entry to the service (``OutboxWorker.for_service``),
which carries the effect out through its handler and marks it done on the case;
the handler logs each delivery and takes each key once.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

import psycopg

from tiktok_aftersales.adapters.postgres import OutboxWorker, PostgresCaseStore
from tiktok_aftersales.app.service import AfterSalesService
from tiktok_aftersales.app.testing import FixedClock, InMemoryInventory, InMemoryPlatform
from tiktok_aftersales.domain.case import AfterSalesCase
from tiktok_aftersales.domain.effects import Effect, EffectKind


def main(dsn: str, name: str, delay: float) -> None:
    port = psycopg.connect(dsn, autocommit=True)

    def carry_out(case: AfterSalesCase, effect: Effect) -> None:
        # every delivery is logged; the effect itself is idempotent on its key
        port.execute("INSERT INTO deliveries (key, worker) VALUES (%s, %s)", (effect.key, name))
        time.sleep(delay)
        port.execute(
            "INSERT INTO effects (key, kind) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
            (effect.key, effect.kind.value),
        )

    store = PostgresCaseStore(dsn, create=False)
    service = AfterSalesService(
        store,
        InMemoryPlatform(),
        InMemoryInventory(),
        FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
        handlers={kind: carry_out for kind in EffectKind},
    )
    worker = OutboxWorker.for_service(dsn, name, service, lease=timedelta(seconds=1.5), batch=5)
    worker.drain(idle=0.05)
    worker.close()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
