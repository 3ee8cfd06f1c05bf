"""Sync driven by real platform payloads: a poll page, and webhook streams."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tiktok_aftersales import RequestType, State
from tiktok_aftersales.codes import GridTab
from tiktok_aftersales.platform import parse_returns_page, parse_webhook
from tiktok_aftersales.sync import (
    Outcome,
    group_requests,
    opener,
    sync_page,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_first_poll_opens_every_return_of_the_live_page_in_its_state():
    page = parse_returns_page(load("returns_search_response.live.json"))
    report = sync_page({}, page.returns, open_new=opener("VN"))
    assert report.counts[Outcome.NEW] == len(page.returns) == 10
    states = {c.state for c in report.cases.values()}
    assert states <= {State.REFUNDED, State.CLOSED, State.WITHDRAWN}
    assert report.tabs_before.all == 0
    assert report.tabs_after.all == 10
    assert report.tabs_after[GridTab.COMPLETE] == 5
    again = sync_page(report.cases, page.returns)
    assert again.counts[Outcome.NOTHING_NEW] == 10
    assert again.tabs_after == report.tabs_after


def test_the_live_page_edit_chain_is_one_buyer_request():
    page = parse_returns_page(load("returns_search_response.live.json"))
    groups = group_requests(page.returns)
    chained = [g for g in groups if "edit" in g.reasons]
    assert len(chained) == 1
    assert chained[0].members == ("4035508291033729491", "4035508318941448659")
    assert chained[0].latest == ("4035508318941448659",)


def test_an_unknown_snapshot_without_an_opener_is_reported_not_opened():
    page = parse_returns_page(load("returns_search_response.live.json"))
    report = sync_page({}, page.returns[:1])
    assert report.results[0].case is None
    assert report.cases == {}


def _webhook_12(
    nid, status, update_time, return_id="4035000000000000001", kind="RETURN_AND_REFUND"
):
    return parse_webhook(
        {
            "type": 12,
            "tts_notification_id": nid,
            "shop_id": "7490000000000000001",
            "timestamp": update_time + 5,
            "data": {
                "order_id": "577000000000000001",
                "return_role": "BUYER",
                "return_type": kind,
                "return_status": status,
                "return_id": return_id,
                "create_time": 1760000000,
                "update_time": update_time,
            },
        }
    )


def test_webhooks_out_of_order_and_twice_end_in_the_latest_state():
    pending = _webhook_12("n1", "RETURN_OR_REFUND_REQUEST_PENDING", 1760000000)
    opened = sync_page({}, [pending.data], open_new=_open_with_line)
    cases = opened.cases
    stream = [
        _webhook_12("n4", "RETURN_OR_REFUND_REQUEST_SUCCESS", 1760400000),
        _webhook_12("n2", "AWAITING_BUYER_SHIP", 1760100000),
        _webhook_12("n2", "AWAITING_BUYER_SHIP", 1760100000),
        _webhook_12("n3", "BUYER_SHIPPED_ITEM", 1760200000),
        parse_webhook({"type": 1, "tts_notification_id": "x", "timestamp": 1760000001, "data": {}}),
    ]
    report = sync_page(cases, stream, seen={"n1"})
    case = report.cases["4035000000000000001"]
    assert case.state is State.REFUND_COMMITTED
    assert report.counts[Outcome.DUPLICATE] == 1
    assert report.counts[Outcome.IGNORED] == 1
    outcomes = [r.outcome for r in report.results if r.case is not None]
    assert outcomes == [Outcome.ADVANCED, Outcome.ADVANCED, Outcome.ADVANCED]
    assert report.seen >= {"n1", "n2", "n3", "n4"}
    assert report.refetch == ()
    late = sync_page(report.cases, [_webhook_12("n5", "AWAITING_BUYER_SHIP", 1760100001)])
    assert late.results[0].outcome is Outcome.STALE


def test_a_cancellation_webhook_without_update_time_asks_for_a_refetch():
    doc = parse_webhook(load("webhook_11_cancellation_status_change.doc.json"))
    report = sync_page({}, [doc])
    assert report.refetch == (doc.platform_id,)
    assert report.results[0].record.timed_by_envelope


def _open_with_line(snapshot):
    from tiktok_aftersales import Breakdown, OrderLine
    from tiktok_aftersales.sync import open_from_snapshot

    return open_from_snapshot(
        snapshot,
        case_id="c-1",
        region="US",
        lines=[OrderLine("L1", "SKU", Breakdown.of("21.60", "USD"))],
        opened_at=datetime(2025, 10, 9, tzinfo=UTC),
    )


def test_opening_from_a_webhook_uses_the_platform_request_type():
    pending = _webhook_12("n1", "REPLACEMENT_REQUEST_PENDING", 1760000000, kind="REPLACEMENT")
    result = _open_with_line(pending.data)
    assert result.case.request_type is RequestType.EXCHANGE
    mismatched = _webhook_12("n1", "REPLACEMENT_REQUEST_PENDING", 1760000000)
    report = sync_page({}, [mismatched.data], open_new=_open_with_line)
    assert report.results[0].outcome is Outcome.UNMAPPED and report.cases == {}


@pytest.mark.parametrize(
    "status", ["RETURN_OR_REFUND_REQUEST_COMPLETE", "REFUND_OR_RETURN_REQUEST_REJECT"]
)
def test_webhook_states_open_cases_along_legal_paths(status):
    result = _open_with_line(_webhook_12("n", status, 1760000000).data)
    assert result.outcome is Outcome.NEW
    assert result.case.history[0].event == "request"
