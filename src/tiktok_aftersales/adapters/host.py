"""A reference host wiring the adapters: receiver → service → PostgreSQL → the TikTok Shop API.

- `TikTokShopPlatform` implements the service's
  [`PlatformPort`][tiktok_aftersales.app.ports.PlatformPort] with the TikTok Shop
  client: it sends the service's outbound requests (signed, retried) and
  answers the platform's refusal of a decision as a reply with its code.
- The receiver (`webhook_app`) hands each
  delivery to the service's one way in,
  [`receive`][tiktok_aftersales.app.service.AfterSalesService.receive] (signature,
  tolerance, deduplication in PostgreSQL, look-up, reconcile, save,
  dispatch); a delivery about a request no case has yet is kept, and
  [`refetch`][tiktok_aftersales.app.service.AfterSalesService.refetch] opens it from the
  Search Returns record.

``python -m tiktok_aftersales.adapters.host`` runs the whole path once on
this machine (see the how-to "Run the adapters end to end").
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..app.inbound import WebhookSettings
from ..app.service import AfterSalesService
from ..app.testing import InMemoryInventory
from ..errors import PlatformDecisionRejected, PlatformRequestInvalid
from ..platform import PlatformReply, PlatformRequest
from ..sync import opener
from .postgres import PostgresCaseStore, PostgresNotificationLog, dsn_from_environment
from .tiktok.client import TikTokShopClient

__all__ = [
    "SystemClock",
    "TikTokShopPlatform",
    "demo_return",
    "main",
    "run",
    "webhook_body",
]

logger = logging.getLogger("tiktok_aftersales.adapters.host")


class SystemClock:
    """The host's clock: UTC now."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


class TikTokShopPlatform:
    """The service's platform port on the TikTok Shop client.

    Args:
        client: The signed client.

    """

    def __init__(self, client: TikTokShopClient) -> None:
        self.client = client

    def send(self, request: PlatformRequest) -> PlatformReply:
        """Send one outbound request; a refused decision is a reply with the platform's code.

        Raises:
            PlatformUnavailable: The platform could not be reached after the
                client's retries (the service keeps the request pending).
            PlatformAuthFailed: The credentials were refused.

        """
        try:
            return self.client.send(request)
        except (PlatformDecisionRejected, PlatformRequestInvalid) as refused:
            return PlatformReply(refused.code, refused.message, refused.request_id)


def demo_return(return_id: str, order_id: str, at: datetime) -> dict[str, Any]:
    """A pending refund-only return on one line (20.00 USD), as Search Returns lists it."""
    stamp = int(at.timestamp())
    money = {
        "currency": "USD",
        "refund_total": "20.00",
        "refund_subtotal": "18.50",
        "refund_shipping_fee": "0",
        "refund_tax": "1.50",
    }
    return {
        "return_id": return_id,
        "order_id": order_id,
        "return_type": "REFUND",
        "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
        "role": "BUYER",
        "create_time": stamp,
        "update_time": stamp,
        "return_reason": "ecom_order_delivered_refund_reason_damaged",
        "refund_amount": money,
        "return_line_items": [
            {
                "return_line_item_id": f"{return_id}1",
                "order_line_item_id": f"{order_id}1",
                "sku_id": "SKU-DEMO",
                "refund_amount": money,
            }
        ],
    }


def webhook_body(notification_id: str, return_id: str, order_id: str, status: str) -> bytes:
    """A type-12 (return status change) delivery body, stamped now."""
    now = int(time.time())
    envelope = {
        "type": 12,
        "tts_notification_id": notification_id,
        "shop_id": "7495540735365777507",
        "timestamp": now,
        "data": {
            "order_id": order_id,
            "return_role": "BUYER",
            "return_type": "REFUND",
            "return_status": status,
            "return_id": return_id,
            "create_time": now,
            "update_time": now,
        },
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def run(dsn: str) -> Iterator[str]:
    """The end-to-end path once; yields one line per step.

    Starts the fake TikTok Shop and the webhook receiver on loopback (uvicorn),
    stores cases in PostgreSQL at ``dsn``, and sends real HTTP requests.
    """
    import httpx

    from ..platform.signature import sign as sign_webhook
    from .fake_tiktok import FakeTikTokShop, serve
    from .tiktok import Credentials
    from .web import webhook_app

    credentials = Credentials("demo-app-key", "demo-app-secret", "demo-access-token", "ROW_demo")
    suffix = str(time.time_ns())[-12:]
    return_id, order_id = f"4035{suffix}", f"5792{suffix}"
    fake = FakeTikTokShop(
        app_key=credentials.app_key,
        app_secret=credentials.app_secret,
        access_token=str(credentials.access_token),
        returns=[demo_return(return_id, order_id, datetime.now(UTC) - timedelta(minutes=5))],
    )
    store = PostgresCaseStore(dsn)
    notifications = PostgresNotificationLog(dsn)
    with serve(fake) as api, TikTokShopClient(credentials, base_url=api) as client:
        yield f"fake TikTok Shop on {api}"
        service = AfterSalesService(
            store,
            TikTokShopPlatform(client),
            InMemoryInventory(),
            SystemClock(),
            notifications,
            webhooks=WebhookSettings(credentials.app_key, credentials.app_secret),
            opener=opener("US"),
        )
        with serve(webhook_app(service.receive)) as receiver:
            url = f"{receiver}/webhooks/tiktok"
            yield f"webhook receiver on {url}"

            def deliver(notification: str, status: str) -> int:
                body = webhook_body(notification, return_id, order_id, status)
                signature = sign_webhook(credentials.app_key, body, credentials.app_secret)
                return httpx.post(
                    url, content=body, headers={"Authorization": signature}
                ).status_code

            first = f"n{suffix}1"
            yield f"delivery {first}: HTTP {deliver(first, 'RETURN_OR_REFUND_REQUEST_PENDING')}"
            fetched = service.refetch()  # the delivery was a trigger: fetch the record, open it
            yield f"re-fetch: {', '.join(d.outcome.value for d in fetched.deliveries)}"
            case = store.find_by_platform_id(return_id)
            yield f"case {return_id} in PostgreSQL: {case.state.value if case else 'missing'}"
            again = deliver(first, "RETURN_OR_REFUND_REQUEST_PENDING")
            yield f"delivery {first} again: HTTP {again}"
            if case is None:
                return
            after = service.handle_command(case.case_id, "approve", "seller", command_id="c1")
            yield f"seller approves: case {after.state.value}, version {after.version}"
            yield f"platform record now {fake.returns[return_id]['return_status']}"
            second = f"n{suffix}2"
            yield f"delivery {second}: HTTP {deliver(second, 'RETURN_OR_REFUND_REQUEST_SUCCESS')}"
            final = store.get(case.case_id)
            yield f"case {return_id} in PostgreSQL: {final.state.value}, version {final.version}"
            outcomes = [notifications.outcome(n) for n in (first, second)]
            yield f"notification outcomes: {', '.join(str(o) for o in outcomes)}"
            applied = sum(fake.applied.values())
            yield f"platform calls: {len(fake.calls)}, decisions applied: {applied}"
    store.close()
    notifications.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run receiver → service → PostgreSQL → fake TikTok Shop once, printing each step."""
    parser = argparse.ArgumentParser(prog="python -m tiktok_aftersales.adapters.host")
    parser.add_argument("--dsn", default=dsn_from_environment(), help="PostgreSQL DSN")
    args = parser.parse_args(argv)
    if not args.dsn:
        print(
            "no PostgreSQL DSN: pass --dsn or set TIKTOK_AFTERSALES_POSTGRES_DSN", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    for line in run(args.dsn):
        print(line)
    print(f"done in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
