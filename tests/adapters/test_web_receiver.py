"""The webhook receiver over loopback, with a real HTTP client.

Until the service's one way in is on main, the handler here is a stand-in
that does what the issue asks of it (verify, refuse stale, deduplicate).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

import anyio
import httpx
import pytest

from tiktok_aftersales.adapters.fake_tiktok import serve
from tiktok_aftersales.adapters.web import webhook_app
from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.platform import signature

from .conftest import APP_KEY, APP_SECRET, FIXTURES

TOLERANCE = timedelta(minutes=10)


class StandIn:
    """Verifies, refuses stale deliveries, deduplicates on tts_notification_id."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        self.fail_next = False

    def __call__(self, body: bytes, headers: Mapping[str, str], received_at: datetime) -> str:
        signature.verify_signature(headers.get("authorization"), APP_KEY, body, APP_SECRET)
        envelope = json.loads(body)
        sent = datetime.fromtimestamp(envelope["timestamp"], UTC)
        if abs(received_at - sent) > TOLERANCE:
            raise InvalidValue("timestamp", envelope["timestamp"], "outside the tolerance")
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("store down")
        with self.lock:
            key = envelope["tts_notification_id"]
            self.seen[key] = self.seen.get(key, 0) + 1
            return "applied" if self.seen[key] == 1 else "duplicate"


def delivery(notification_id: str = "7380066284010030890", *, at: datetime | None = None) -> bytes:
    envelope = json.loads((FIXTURES / "webhook_12_return_status_change.doc.json").read_text())
    envelope["tts_notification_id"] = notification_id
    envelope["timestamp"] = int((at or datetime.now(UTC)).timestamp())
    return json.dumps(envelope, separators=(",", ":")).encode()


def signed(body: bytes) -> dict[str, str]:
    return {"Authorization": signature.sign(APP_KEY, body, APP_SECRET)}


@pytest.fixture
def handler() -> StandIn:
    return StandIn()


@pytest.fixture
def url(handler: StandIn) -> Iterator[str]:
    with serve(webhook_app(handler)) as base:
        yield f"{base}/webhooks/tiktok"


def test_a_signed_delivery_is_handled_and_answered_200_with_an_empty_body(
    url: str, handler: StandIn
) -> None:
    body = delivery()
    answer = httpx.post(url, content=body, headers=signed(body))
    assert (answer.status_code, answer.content) == (200, b"")
    assert handler.seen == {"7380066284010030890": 1}


def test_an_unsigned_delivery_is_answered_401(url: str, handler: StandIn) -> None:
    answer = httpx.post(url, content=delivery())
    assert answer.status_code == 401 and handler.seen == {}


def test_a_tampered_delivery_is_answered_401(url: str, handler: StandIn) -> None:
    body = delivery()
    tampered = body.replace(b"576486316948490001", b"576486316948490002", 1)
    answer = httpx.post(url, content=tampered, headers=signed(body))
    assert answer.status_code == 401 and handler.seen == {}


def test_a_stale_delivery_is_refused(url: str, handler: StandIn) -> None:
    body = delivery(at=datetime.now(UTC) - timedelta(days=3))
    answer = httpx.post(url, content=body, headers=signed(body))
    assert answer.status_code == 400 and handler.seen == {}


def test_a_duplicate_delivery_is_acknowledged_and_handled_once(url: str, handler: StandIn) -> None:
    body = delivery()
    for _ in range(3):
        assert httpx.post(url, content=body, headers=signed(body)).status_code == 200
    assert handler.seen == {"7380066284010030890": 3}  # the handler sees each, reports duplicate


def test_a_failing_handler_answers_503_so_the_platform_retries(url: str, handler: StandIn) -> None:
    handler.fail_next = True
    body = delivery()
    assert httpx.post(url, content=body, headers=signed(body)).status_code == 503
    assert httpx.post(url, content=body, headers=signed(body)).status_code == 200


def test_an_oversized_body_is_refused_before_the_handler(handler: StandIn) -> None:
    with serve(webhook_app(handler, max_body=100)) as base:
        body = delivery()
        answer = httpx.post(f"{base}/webhooks/tiktok", content=body, headers=signed(body))
    assert answer.status_code == 413 and handler.seen == {}


def test_an_async_handler_is_awaited() -> None:
    got: list[bytes] = []

    async def handle(body: bytes, headers: Mapping[str, str], received_at: datetime) -> str:
        got.append(body)
        return "applied"

    with serve(webhook_app(handle)) as base:
        assert httpx.post(f"{base}/webhooks/tiktok", content=b"{}").status_code == 200
    assert got == [b"{}"]


def test_a_burst_of_1000_deliveries_is_each_answered_200_and_handled(
    url: str, handler: StandIn
) -> None:
    bodies = [delivery(f"burst-{i:04d}") for i in range(1000)]
    bodies += bodies[:50]  # and 50 repeats among them
    statuses: list[int] = []

    async def burst() -> None:
        limit = anyio.Semaphore(32)
        async with httpx.AsyncClient(timeout=30) as client:

            async def post(body: bytes) -> None:
                async with limit:
                    answer = await client.post(url, content=body, headers=signed(body))
                    statuses.append(answer.status_code)

            async with anyio.create_task_group() as group:
                for body in bodies:
                    group.start_soon(post, body)

    anyio.run(burst)
    assert statuses.count(200) == 1050
    assert len(handler.seen) == 1000
    assert sum(handler.seen.values()) == 1050
