"""One outbox worker process (run by test_postgres_outbox): drains into an idempotent port.

Usage: python outbox_worker.py DSN NAME DELAY_SECONDS
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import psycopg

from tiktok_aftersales.adapters.postgres import OutboxEntry, OutboxWorker


def main(dsn: str, name: str, delay: float) -> None:
    port = psycopg.connect(dsn, autocommit=True)

    def dispatch(entry: OutboxEntry) -> None:
        # every delivery is logged; the effect itself is idempotent on its key
        port.execute("INSERT INTO deliveries (key, worker) VALUES (%s, %s)", (entry.key, name))
        time.sleep(delay)
        port.execute(
            "INSERT INTO effects (key, kind) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
            (entry.key, entry.effect.kind.value),
        )

    worker = OutboxWorker(dsn, name, dispatch, lease=timedelta(seconds=1.5), batch=5)
    worker.drain(idle=0.05)
    worker.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
