"""Deliveries per second end to end: receiver → service → PostgreSQL → fake TikTok Shop.

    python benchmarks/adapters_e2e.py --dsn postgresql://...      # 400 deliveries per run
    python benchmarks/adapters_e2e.py --quick                     # 60 (DSN from the environment)

Each delivery is a signed type-12 webhook for a new return, POSTed over HTTP to the
receiver. The handler verifies it, claims its notification id in PostgreSQL, fetches
the return from the fake platform (a signed Search Returns call) and opens the case
through the service (stored in PostgreSQL). "Workers" are concurrent senders (the
receiver runs each delivery in a worker thread): 1 and 4.

The share of time in the library's own code is measured in a separate profiled
1-worker run: the own time (cProfile ``tottime``) of functions in ``tiktok_aftersales``
outside ``adapters/``, over the wall time of that run. The profiler slows everything,
so the share is an estimate. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tiktok_aftersales.adapters.fake_tiktok import FakeTikTokShop, serve
from tiktok_aftersales.adapters.host import (
    SystemClock,
    TikTokShopPlatform,
    demo_return,
    webhook_body,
)
from tiktok_aftersales.adapters.postgres import PostgresCaseStore, PostgresNotificationLog
from tiktok_aftersales.adapters.tiktok import Credentials
from tiktok_aftersales.adapters.tiktok.client import TikTokShopClient
from tiktok_aftersales.adapters.web import webhook_app
from tiktok_aftersales.app import AfterSalesService, WebhookSettings
from tiktok_aftersales.app.testing import InMemoryInventory
from tiktok_aftersales.platform.signature import sign as sign_webhook
from tiktok_aftersales.sync import opener

PACKAGE = Path(__import__("tiktok_aftersales").__file__).parent
ADAPTERS = PACKAGE / "adapters"
CREDS = Credentials("bench-key", "bench-secret", "bench-token", "ROW_bench")


def fresh_dsn(dsn: str, label: str) -> str:
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = f"bench_{label}_{time.time_ns() % 10**9}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return make_conninfo(dsn, options=f"-c search_path={schema}")


class Profiled:
    """Wraps a handler: a cProfile per worker thread, enabled only inside the handler."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.local = threading.local()
        self.profiles: list[cProfile.Profile] = []

    def __call__(self, body: bytes, headers: Mapping[str, str], received_at: datetime) -> Any:
        profile = getattr(self.local, "profile", None)
        if profile is None:
            profile = self.local.profile = cProfile.Profile()
            self.profiles.append(profile)
        profile.enable()
        try:
            return self.inner(body, headers, received_at)
        finally:
            profile.disable()


def library_seconds(profiles: list[cProfile.Profile]) -> float:
    stats = pstats.Stats(profiles[0])
    for other in profiles[1:]:
        stats.add(other)
    own = 0.0
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        path = Path(filename)
        if PACKAGE in path.parents and ADAPTERS not in path.parents:
            own += row[2]  # tottime
    return own


def one_run(dsn: str, deliveries: int, workers: int, profile: bool) -> tuple[float, float | None]:
    now = datetime.now(UTC) - timedelta(minutes=5)
    ids = [(f"40{workers}{i:09d}", f"57{workers}{i:09d}") for i in range(deliveries)]
    fake = FakeTikTokShop(
        app_key=CREDS.app_key,
        app_secret=CREDS.app_secret,
        access_token=str(CREDS.access_token),
        returns=[demo_return(r, o, now) for r, o in ids],
    )
    store = PostgresCaseStore(dsn)
    log = PostgresNotificationLog(dsn)
    with serve(fake) as api, TikTokShopClient(CREDS, base_url=api) as client:
        service = AfterSalesService(
            store,
            TikTokShopPlatform(client),
            InMemoryInventory(),
            SystemClock(),
            log,
            webhooks=WebhookSettings(CREDS.app_key, CREDS.app_secret),
            opener=opener("US"),
        )

        def handle(body: bytes, headers: Mapping[str, str], received_at: datetime) -> Any:
            """The one way in, then the re-fetch that opens a request the webhook announced."""
            delivery = service.receive(body, headers, received_at)
            service.refetch()
            return delivery

        pipeline: Any = handle
        if profile:
            pipeline = Profiled(pipeline)
        bodies = [
            webhook_body(f"b{workers}-{i}", r, o, "RETURN_OR_REFUND_REQUEST_PENDING")
            for i, (r, o) in enumerate(ids)
        ]
        with serve(webhook_app(pipeline)) as receiver, httpx.Client(timeout=60) as http:
            url = f"{receiver}/webhooks/tiktok"

            def post(body: bytes) -> int:
                signature = sign_webhook(CREDS.app_key, body, CREDS.app_secret)
                return http.post(
                    url, content=body, headers={"Authorization": signature}
                ).status_code

            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                statuses = list(pool.map(post, bodies))
            wall = time.perf_counter() - started
    store.close()
    log.close()
    if statuses.count(200) != deliveries:
        print(f"warning: {deliveries - statuses.count(200)} deliveries not answered 200")
    share = library_seconds(pipeline.profiles) / wall if profile else None
    return wall, share


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", default=os.environ.get("TIKTOK_AFTERSALES_POSTGRES_DSN"))
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="60 deliveries per run")
    args = parser.parse_args()
    if not args.dsn:
        print("adapters e2e: skipped (no PostgreSQL DSN; set TIKTOK_AFTERSALES_POSTGRES_DSN)")
        return 0
    n = 60 if args.quick else args.deliveries
    for workers in (1, 4):
        wall, _ = one_run(fresh_dsn(args.dsn, f"w{workers}"), n, workers, profile=False)
        print(f"adapters e2e: {n} deliveries, {workers} worker(s): {n / wall:8.1f} deliveries/s")
    _, share = one_run(fresh_dsn(args.dsn, "prof"), n, 1, profile=True)
    assert share is not None
    print(f"adapters e2e: library's own code {share:6.1%} of end-to-end time (cProfile, 1 worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
