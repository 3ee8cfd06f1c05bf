"""The service's one way in reads every record a batch-return webhook carries.

Webhook 67 (REFUND_SUCCESS) lists the per-SKU requests one refund covered: each is
a record with its own notification id, applied and deduplicated on its own, and the
delivery lists each part's outcome. Webhooks 64 and 65 carry one record each; 66 is a
product-listing appeal and is ignored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tiktok_aftersales import Actor, Breakdown, OrderLine, State
from tiktok_aftersales.app import WebhookSettings
from tiktok_aftersales.app.inbound import Delivery, envelope_outcome
from tiktok_aftersales.app.testing import in_memory_service
from tiktok_aftersales.platform import sign
from tiktok_aftersales.sync import Outcome

APP_KEY, SECRET = "app-key", "signing-secret"
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
ORDER = "577000000000000003"
LINES = [
    OrderLine("L1", "MUG-01", Breakdown.of("20.00", "USD", tax="1.60")),
    OrderLine("L2", "CUP-02", Breakdown.of("8.39", "USD")),
]


def _service():
    service, ports = in_memory_service(start=T0, webhooks=WebhookSettings(APP_KEY, SECRET))
    for platform_id, line in (("sku-a", LINES[0]), ("sku-b", LINES[1])):
        service.open(
            "refund_only",
            case_id=platform_id,
            order_id=ORDER,
            region="US",
            lines=[line],
            platform_id=platform_id,
        )
        service.handle_command(platform_id, "approve", Actor.SELLER)
    return service, ports


def _refund_body(*requests: str, nid: str = "7600000000000000067") -> bytes:
    stamp = int((T0 + timedelta(hours=1)).timestamp())
    return json.dumps(
        {
            "type": 67,
            "tts_notification_id": nid,
            "shop_id": "7490000000000000001",
            "timestamp": stamp,
            "data": {
                "aftersales_request_id": "4035000000000001000",
                "rma_id": "2890000000000000001",
                "refund_status": "REFUND_SUCCESS",
                "refund_total": "29.99",
                "refund_currency": "USD",
                "refund_timestamp": stamp,
                "line_items": [
                    {
                        "main_order_id": ORDER,
                        "return_line_item_id": f"40350000000000010{i}",
                        "sku_id": f"17290000000000000{i}",
                        "sku_return_request_id": request,
                    }
                    for i, request in enumerate(requests)
                ],
            },
        }
    ).encode()


def _receive(service, body: bytes) -> Delivery:
    headers = {"Authorization": sign(APP_KEY, body, SECRET)}
    return service.receive(body, headers, T0 + timedelta(hours=1, minutes=1))


def test_a_refund_webhook_for_two_requests_refunds_both_cases_each_with_its_own_outcome():
    service, ports = _service()
    delivery = _receive(service, _refund_body("sku-a", "sku-b", "sku-c"))
    parts = {p.platform_id: p for p in delivery.parts}
    assert {k: p.outcome for k, p in parts.items()} == {
        "sku-a": Outcome.ADVANCED,
        "sku-b": Outcome.ADVANCED,
        "sku-c": Outcome.CONFLICT,  # no local case, and a webhook carries no lines to open one
    }
    assert [p.notification_id for p in delivery.parts] == [
        "7600000000000000067/sku-a",
        "7600000000000000067/sku-b",
        "7600000000000000067/sku-c",
    ]
    assert delivery.outcome is Outcome.CONFLICT  # the most telling part
    assert delivery.notification_id == "7600000000000000067"
    assert delivery.status == 200
    assert ports.store.get("sku-a").state is State.REFUNDED
    assert ports.store.get("sku-b").state is State.REFUNDED


def test_a_redelivered_refund_webhook_is_a_duplicate_for_every_part_and_changes_nothing():
    service, ports = _service()
    body = _refund_body("sku-a", "sku-b")
    first = _receive(service, body)
    versions = {k: ports.store.get(k).version for k in ("sku-a", "sku-b")}
    again = _receive(service, body)
    assert first.outcome is Outcome.ADVANCED
    assert [p.outcome for p in again.parts] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert again.outcome is Outcome.DUPLICATE
    assert {k: ports.store.get(k).version for k in ("sku-a", "sku-b")} == versions


def test_a_refund_webhook_for_one_request_is_a_plain_delivery():
    service, ports = _service()
    delivery = _receive(service, _refund_body("sku-a"))
    assert delivery.parts == ()
    assert delivery.outcome is Outcome.ADVANCED
    assert delivery.notification_id == "7600000000000000067/sku-a"
    assert ports.store.get("sku-a").state is State.REFUNDED
    assert ports.store.get("sku-b").state is State.REFUND_COMMITTED


def test_a_refund_line_without_its_request_is_refused_naming_the_field_and_changes_nothing():
    service, ports = _service()
    delivery = _receive(service, _refund_body(""))
    assert delivery.outcome is Outcome.REFUSED
    assert delivery.error is not None
    assert delivery.error.field == "data.line_items[0].sku_return_request_id"
    assert ports.store.get("sku-a").state is State.REFUND_COMMITTED


def test_a_product_appeal_webhook_is_ignored():
    service, _ = _service()
    body = json.dumps(
        {
            "type": 66,
            "tts_notification_id": "n66",
            "timestamp": int((T0 + timedelta(hours=1)).timestamp()),
            "data": {"product_id": "1729000000000000001", "appeal_status": "APPROVED"},
        }
    ).encode()
    delivery = _receive(service, body)
    assert delivery.outcome is Outcome.IGNORED
    assert delivery.parts == ()


def test_ingest_reads_a_parsed_refund_webhook_into_one_delivery_per_request():
    from tiktok_aftersales.platform import parse_webhook

    service, ports = _service()
    envelope = parse_webhook(_refund_body("sku-a", "sku-b"))
    report = service.ingest([envelope])
    assert [(d.platform_id, d.outcome) for d in report.deliveries] == [
        ("sku-a", Outcome.ADVANCED),
        ("sku-b", Outcome.ADVANCED),
    ]
    assert ports.store.get("sku-b").state is State.REFUNDED


def test_an_envelope_takes_the_most_telling_outcome_of_its_parts():
    def parts(*outcomes: Outcome) -> list[Delivery]:
        return [Delivery(o) for o in outcomes]

    assert envelope_outcome(parts(Outcome.DUPLICATE, Outcome.ADVANCED)) is Outcome.ADVANCED
    assert envelope_outcome(parts(Outcome.ADVANCED, Outcome.REFUSED)) is Outcome.REFUSED
    assert envelope_outcome(parts(Outcome.NOTHING_NEW, Outcome.STALE)) is Outcome.STALE
    assert envelope_outcome(parts(Outcome.NEW, Outcome.CONFLICT)) is Outcome.CONFLICT
    assert envelope_outcome([]) is Outcome.IGNORED
    for outcome in Outcome:
        assert envelope_outcome(parts(outcome)) is outcome
