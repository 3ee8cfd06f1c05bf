"""Reconciling the batch-return webhooks (64, 65, 67): every record an envelope carries.

Webhook 67 (REFUND_SUCCESS) lists the per-SKU return requests a refund covered: each is
a record of its own, with its own outcome. Webhooks 64 and 65 carry one record each (a
batch request, a package) and name no order.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from builders import run, usd_lines
from tiktok_aftersales import Actor, RequestType, State
from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.lifecycle import open_case
from tiktok_aftersales.platform import parse_webhook
from tiktok_aftersales.platform.record import RecordSource, record_of, records_of
from tiktok_aftersales.sync import Outcome, reconcile, sync_page

R = RequestType
S, B, L, SYS = Actor.SELLER, Actor.BUYER, Actor.LOGISTICS, Actor.SYSTEM
T = datetime(2026, 6, 1, 9, tzinfo=UTC)
STAMP = int(datetime(2026, 6, 3, 9, tzinfo=UTC).timestamp())
ORDER = "577000000000000003"


def _case(kind, platform_id, *steps, case_id=None):
    case = open_case(
        kind,
        case_id=case_id or platform_id,
        order_id=ORDER,
        region="US",
        lines=usd_lines(),
        at=T,
        platform_id=platform_id,
    )
    return run(case, *steps)


def _refund_hook(*requests, nid="7600000000000000067", status="REFUND_SUCCESS", strict=True):
    lines = [
        {
            "main_order_id": ORDER,
            "return_line_item_id": f"40350000000000010{i}",
            "sku_id": f"17290000000000000{i}",
            "sku_return_request_id": request,
        }
        for i, request in enumerate(requests)
    ]
    return parse_webhook(
        {
            "type": 67,
            "tts_notification_id": nid,
            "shop_id": "7490000000000000001",
            "timestamp": STAMP + 5,
            "data": {
                "aftersales_request_id": "4035000000000001000",
                "rma_id": "2890000000000000001",
                "refund_status": status,
                "refund_total": "29.99",
                "refund_currency": "USD",
                "refund_timestamp": STAMP,
                "line_items": lines,
            },
        },
        strict=strict,
    )


def test_a_refund_webhook_is_one_record_per_per_sku_request():
    hook = _refund_hook("sku-a", "sku-b", "sku-a")
    found = records_of(hook)
    assert [r.platform_id for r in found] == ["sku-a", "sku-b"]
    for record in found:
        assert record.source is RecordSource.WEBHOOK_REFUND
        assert record.order_id == ORDER
        assert record.states == {State.REFUNDED}
        assert record.typed_by_case and record.request_type is None
        assert record.notification_id == f"7600000000000000067/{record.platform_id}"
        assert record.update_time == datetime.fromtimestamp(STAMP, UTC)
    typed = found[0].for_type(R.RETURN_AND_REFUND)
    assert typed.request_type is R.RETURN_AND_REFUND and not typed.typed_by_case


def test_every_record_of_one_refund_envelope_gets_its_outcome():
    delivered = _case(
        R.RETURN_AND_REFUND, "sku-a", ("approve", S), ("ship_back", B), ("parcel_delivered", L)
    )
    committed = _case(R.REFUND_ONLY, "sku-b", ("approve", S))
    report = sync_page([delivered, committed], [_refund_hook("sku-a", "sku-b", "sku-c")])
    outcomes = {r.record.platform_id: r.outcome for r in report.results}
    assert outcomes == {
        "sku-a": Outcome.ADVANCED,
        "sku-b": Outcome.ADVANCED,
        "sku-c": Outcome.CONFLICT,  # no local case: a webhook carries no lines to open one
    }
    assert report.cases["sku-a"].state is State.REFUNDED
    assert report.cases["sku-b"].state is State.REFUNDED
    assert report.refetch == ("sku-c",)
    again = sync_page(report.cases, [_refund_hook("sku-a", "sku-b", "sku-c")], seen=report.seen)
    assert [r.outcome for r in again.results] == [Outcome.DUPLICATE] * 3
    assert again.cases == report.cases


def test_a_refund_for_a_case_with_no_refund_is_a_conflict_not_an_error():
    package = _case(R.RMA, "sku-a")
    report = sync_page([package], [_refund_hook("sku-a")])
    (result,) = report.results
    assert result.outcome is Outcome.CONFLICT
    assert report.cases["sku-a"] is package


def test_an_unknown_refund_status_marks_the_case_for_review():
    case = _case(R.REFUND_ONLY, "sku-a", ("approve", S))
    hook = _refund_hook("sku-a", status="REFUND_PENDING", strict=False)
    (result,) = sync_page([case], [hook]).results
    assert result.outcome is Outcome.UNMAPPED
    assert result.case.review and "refund_status" in result.case.review


def test_a_refund_line_without_its_request_refuses_the_envelope_naming_the_field():
    hook = _refund_hook("")
    with pytest.raises(InvalidValue) as info:
        records_of(hook)
    assert info.value.field == "data.line_items[0].sku_return_request_id"
    (result,) = sync_page([], [hook]).results
    assert result.outcome is Outcome.REFUSED


def test_record_of_reads_a_refund_of_one_request_and_refuses_several():
    assert record_of(_refund_hook("sku-a")).platform_id == "sku-a"
    with pytest.raises(InvalidValue, match="records_of"):
        record_of(_refund_hook("sku-a", "sku-b"))


def _hook_64(status, request_id="aft-1"):
    return parse_webhook(
        {
            "type": 64,
            "tts_notification_id": f"n64-{status}",
            "timestamp": STAMP + 5,
            "data": {
                "aftersales_request_id": request_id,
                "return_role": "BUYER",
                "aftersales_request_status": status,
                "aftersales_request_create_time": STAMP - 100,
                "aftersales_request_update_time": STAMP,
            },
        }
    )


def _hook_65(status, rma_id="rma-1"):
    return parse_webhook(
        {
            "type": 65,
            "tts_notification_id": f"n65-{status}",
            "timestamp": STAMP + 5,
            "data": {
                "rma_id": rma_id,
                "aftersales_request_id": "aft-1",
                "return_role": "BUYER",
                "rma_status": status,
                "rma_request_update_time": STAMP,
            },
        }
    )


def test_a_batch_request_webhook_advances_its_case():
    case = _case(R.AFTERSALES_REQUEST, "aft-1")
    (record,) = records_of(_hook_64("REQUEST_REVIEW_COMPLETED"))
    assert record.order_id is None and record.role is B
    result = reconcile(case, record)
    assert result.outcome is Outcome.ADVANCED
    assert result.case.state is State.REVIEW_COMPLETED


def test_a_package_webhook_advances_its_case_and_a_replay_is_a_duplicate():
    package = _case(R.RMA, "rma-1")
    hook = _hook_65("RETURN_IN_TRANSIT")
    report = sync_page([package], [hook])
    (result,) = report.results
    assert result.outcome is Outcome.ADVANCED
    assert report.cases["rma-1"].state is State.RETURN_IN_TRANSIT
    again = sync_page(report.cases, [hook], seen=report.seen)
    assert again.results[0].outcome is Outcome.DUPLICATE


def test_a_batch_webhook_for_an_unknown_request_cannot_open_a_case():
    from tiktok_aftersales.sync import opener

    report = sync_page([], [_hook_64("PENDING_REQUEST_REVIEW")], open_new=opener("US"))
    (result,) = report.results
    assert result.outcome is Outcome.REFUSED
    assert "order_id" in result.detail
    assert report.cases == {}


def test_a_product_listing_appeal_is_ignored():
    hook = parse_webhook(
        {"type": 66, "tts_notification_id": "n66", "timestamp": STAMP, "data": {"product_id": "1"}}
    )
    assert records_of(hook) == ()
    (result,) = sync_page([], [hook]).results
    assert result.outcome is Outcome.IGNORED


def test_mixed_envelopes_each_get_their_outcomes_in_platform_time():
    package = _case(R.RMA, "rma-1")
    refunded = _case(R.REFUND_ONLY, "sku-a", ("approve", S))
    report = sync_page(
        [package, refunded],
        [_refund_hook("sku-a"), _hook_65("RETURN_IN_TRANSIT")],
    )
    assert {r.record.platform_id: r.outcome for r in report.results} == {
        "sku-a": Outcome.ADVANCED,
        "rma-1": Outcome.ADVANCED,
    }
    assert report.counts[Outcome.ADVANCED] == 2
    assert SYS in {s.actor for r in report.results for s in r.path}
