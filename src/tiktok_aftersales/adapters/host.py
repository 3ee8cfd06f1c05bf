"""A reference host wiring the adapters: receiver → service → PostgreSQL → the TikTok Shop API.

- :class:`TikTokShopPlatform` implements the service's
  :class:`~tiktok_aftersales.app.ports.PlatformPort` with the TikTok Shop
  client: a seller decision becomes the platform request
  (:func:`~tiktok_aftersales.platform.build_decision`), sent with the
  service's idempotency key; a snapshot is a Search Returns call.
- :class:`WebhookPipeline` is a handler for :func:`~tiktok_aftersales.adapters.web.webhook_app`:
  it verifies the signature, refuses deliveries outside a time tolerance,
  deduplicates on the notification id (PostgreSQL, so it survives a
  restart), fetches the record the delivery points at (webhooks are
  triggers; the search is the state of record), and opens or reconciles
  the case through the service.

``python -m tiktok_aftersales.adapters.host`` runs the whole path once on
this machine (see the how-to "Run the adapters end to end").
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..app.ports import Decision
from ..app.service import AfterSalesService
from ..app.testing import InMemoryInventory
from ..domain.case import AfterSalesCase
from ..errors import InvalidValue, NoPlatformDecision
from ..platform import (
    PlatformRequest,
    build_decision,
    parse_returns_page,
    parse_webhook,
    verify_signature,
)
from ..sync import opener, reconcile
from .postgres import PostgresCaseStore, PostgresNotificationLog, dsn_from_environment
from .tiktok.client import TikTokShopClient, raise_for_partial

__all__ = [
    "SystemClock",
    "TikTokShopPlatform",
    "WebhookPipeline",
    "demo_return",
    "main",
    "run",
    "search_returns",
    "webhook_body",
]

logger = logging.getLogger("tiktok_aftersales.adapters.host")


class SystemClock:
    """The host's clock: UTC now."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


def search_returns(return_ids: Sequence[str], *, version: str = "202309") -> PlatformRequest:
    """The Search Returns request for some return ids (one page of up to 50)."""
    return PlatformRequest(
        "search_returns",
        "POST",
        f"/return_refund/{version}/returns/search",
        query={"page_size": "50"},
        body={"return_ids": list(return_ids)},
    )


class TikTokShopPlatform:
    """The service's platform port on the TikTok Shop client.

    Args:
        client: The signed client.
        store: Where the cases are (a decision is built from the stored case).

    """

    def __init__(self, client: TikTokShopClient, store: PostgresCaseStore) -> None:
        self.client = client
        self.store = store

    def send_decision(self, decision: Decision) -> None:
        """Send a seller decision; the service's key is the platform's ``idempotency_key``."""
        case = self.store.get(decision.case_id)
        built = build_decision(case, decision.event, decision.payload)
        request = PlatformRequest(
            built.endpoint.name.lower(),
            built.method,
            built.path,
            body=built.to_json(),
            idempotency_key=decision.key,
            case_id=decision.case_id,
        )
        raise_for_partial(self.client.send(request), request.operation)

    def send_refund(self, decision: Decision) -> None:
        """A seller-initiated refund (Create Return); not wired in this reference host.

        Raises:
            NoPlatformDecision: Always.

        """
        raise NoPlatformDecision("event", decision.event, "seller refunds are not wired here")

    def fetch_snapshot(self, case: AfterSalesCase) -> Any:
        """The case's return record, read through Search Returns (``None`` if not found)."""
        if case.platform_id is None:
            raise InvalidValue("platform_id", None, "the case has no platform id to fetch")
        return self.fetch_return(case.platform_id)

    def fetch_return(self, return_id: str) -> Any:
        """One return record by id, parsed (``None`` when the platform has none)."""
        reply = self.client.send(search_returns([return_id]))
        page = parse_returns_page({"code": 0, "data": dict(reply.data)}, strict=False)
        return page.returns[0] if page.returns else None


class WebhookPipeline:
    """The webhook handler of the reference host (a stand-in for the service's one way in).

    Args:
        service: The service (its store must be a :class:`PostgresCaseStore`).
        store: The same store (for the look-up by platform id).
        notifications: The notification log.
        platform: The platform port (to fetch records).
        app_key: The app key the deliveries are signed with.
        secret: The webhook signing secret.
        region: The region cases are opened in.
        tolerance: How far a delivery's timestamp may be from its arrival.

    """

    def __init__(
        self,
        service: AfterSalesService,
        store: PostgresCaseStore,
        notifications: PostgresNotificationLog,
        platform: TikTokShopPlatform,
        *,
        app_key: str,
        secret: str,
        region: str = "US",
        tolerance: timedelta = timedelta(minutes=10),
    ) -> None:
        self.service = service
        self.store = store
        self.notifications = notifications
        self.platform = platform
        self.app_key = app_key
        self.secret = secret
        self.region = region
        self.tolerance = tolerance
        self._open = opener(region)

    def __call__(self, body: bytes, headers: Mapping[str, str], received_at: datetime) -> str:
        """Handle one delivery; the outcome's name (``applied``, ``opened``, ``duplicate``...).

        Raises:
            InvalidSignature: Missing, malformed or wrong signature.
            InvalidValue: A stale delivery or a malformed body.

        """
        verify_signature(headers.get("authorization"), self.app_key, body, self.secret)
        delivery = parse_webhook(body, strict=False)
        sent = getattr(delivery, "timestamp", None)
        if isinstance(sent, datetime) and abs(received_at - sent) > self.tolerance:
            raise InvalidValue("timestamp", sent.isoformat(), "outside the delivery tolerance")
        data = delivery.data
        platform_id = getattr(data, "platform_id", None)
        notification = delivery.notification_id or ""
        if notification and not self.notifications.record(notification, received_at, "received"):
            return "duplicate"
        try:
            outcome = self._handle(platform_id)
        except BaseException:
            if notification:
                self.notifications.forget(notification)
            raise
        if notification:
            self.notifications.settle(notification, outcome, platform_id)
        logger.info(
            "webhook handled",
            extra={"notification_id": notification, "platform_id": platform_id, "outcome": outcome},
        )
        return outcome

    def _handle(self, platform_id: str | None) -> str:
        if platform_id is None:
            return "ignored"
        case = self.store.find_by_platform_id(platform_id)
        snapshot = self.platform.fetch_return(platform_id)
        if snapshot is None:
            return "unmapped"
        if case is None:
            draft = self._open(snapshot).case
            if draft is None:
                return "unmapped"
            self.service.open_from_snapshot(
                snapshot, case_id=draft.case_id, region=self.region, lines=draft.lines
            )
            return "opened"
        self.service.apply_snapshot(case.case_id, snapshot, reconcile)
        return "applied"


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
        platform = TikTokShopPlatform(client, store)
        service = AfterSalesService(
            store, platform, InMemoryInventory(), SystemClock(), reconcile=reconcile
        )
        pipeline = WebhookPipeline(
            service,
            store,
            notifications,
            platform,
            app_key=credentials.app_key,
            secret=credentials.app_secret,
        )
        with serve(webhook_app(pipeline)) as receiver:
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
