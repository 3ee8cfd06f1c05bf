"""Every real payload in shared/fixtures/platform is accepted by its parser (SOURCES.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tiktok_aftersales import Money, RequestType, State
from tiktok_aftersales.codes import (
    CancelStatusCode,
    CancelTypeCode,
    Canonical,
    DecisionCode,
    LegacyEventType,
    LegacyStatus,
    LegacyType,
    LegacyUser,
    ReturnStatusCode,
    RoleCode,
)
from tiktok_aftersales.platform import (
    parse_aftersale_eligibility,
    parse_cancellations_page,
    parse_decision_eligibility,
    parse_refund_calculation,
    parse_reject_reasons,
    parse_return_records,
    parse_returns_page,
    parse_webhook,
)
from tiktok_aftersales.platform.batch import (
    parse_aftersales_page,
    parse_review_decisions,
    parse_review_result,
    parse_rma_page,
)
from tiktok_aftersales.platform.decisions import parse_decision_body

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "platform"

PARSERS: dict[str, Callable[..., Any]] = {
    "aftersale_eligibility_response.doc.json": parse_aftersale_eligibility,
    "aftersale_eligibility_response.live.json": parse_aftersale_eligibility,
    "approve_return_request.doc.json": parse_decision_body,
    "calculate_refund_response.doc.json": parse_refund_calculation,
    "cancellations_search_response.doc.json": parse_cancellations_page,
    "cancellations_search_response.live.json": parse_cancellations_page,
    "decision_eligibility_response.live.json": parse_decision_eligibility,
    "reject_cancellation_request.doc.json": parse_decision_body,
    "reject_reasons_response.live.json": parse_reject_reasons,
    "reject_return_request.doc.json": parse_decision_body,
    "return_records_response.doc.json": parse_return_records,
    "returns_search_response.doc.json": parse_returns_page,
    "returns_search_response.live.json": parse_returns_page,
    "webhook_11_cancellation_status_change.doc.json": parse_webhook,
    "webhook_11_cancellation_status_change.live.json": parse_webhook,
    "webhook_12_return_status_change.doc.json": parse_webhook,
    "webhook_2_reverse_status_update.live.json": parse_webhook,
    # composed from the documented field lists: no public example exists (SOURCES.md)
    "webhook_64_aftersales_request_status_update.composed.json": parse_webhook,
    "webhook_65_rma_status_update.composed.json": parse_webhook,
    "webhook_66_appeal_completed.composed.json": parse_webhook,
    "webhook_67_refund_success.composed.json": parse_webhook,
    "aftersales_search_response.composed.json": parse_aftersales_page,
    "rma_search_response.composed.json": parse_rma_page,
    "review_decisions_response.composed.json": parse_review_decisions,
    "aftersales_review_response.composed.json": parse_review_result,
}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_every_fixture_file_has_a_parser():
    on_disk = {p.name for p in FIXTURES.glob("*.json")}
    assert on_disk, f"no fixtures found in {FIXTURES}"
    missing, gone = sorted(on_disk - set(PARSERS)), sorted(set(PARSERS) - on_disk)
    assert on_disk == set(PARSERS), f"without a parser: {missing}; gone: {gone}"


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_fixture_is_accepted_by_its_parser_in_strict_mode(name):
    result = PARSERS[name](load(name))
    assert result is not None
    for item in _snapshots(result):
        assert getattr(item, "unmapped", ()) == ()


@pytest.mark.parametrize(
    "name", sorted(n for n in PARSERS if n.startswith("webhook") and "composed" not in n)
)
def test_every_webhook_fixture_is_accepted_as_raw_bytes(name):
    hook = parse_webhook((FIXTURES / name).read_bytes())
    assert hook.is_after_sales
    assert hook.candidates


def _snapshots(result: Any) -> list[Any]:
    if hasattr(result, "returns"):
        return list(result.returns)
    if hasattr(result, "cancellations"):
        return list(result.cancellations)
    if hasattr(result, "data") and result.data is not None:
        return [result.data]
    return []


def test_live_returns_page():
    page = parse_returns_page(load("returns_search_response.live.json"))
    assert page.total_count == 71
    assert len(page.returns) == 10
    assert page.next_page_token
    statuses = [r.return_status for r in page.returns]
    assert statuses.count(ReturnStatusCode.RETURN_OR_REFUND_REQUEST_COMPLETE) == 5
    assert statuses.count(ReturnStatusCode.RETURN_OR_REFUND_REQUEST_CANCEL) == 5
    assert {r.role for r in page.returns} == {RoleCode.BUYER, RoleCode.OPERATOR}
    assert sum(len(r.line_items) for r in page.returns) == 14
    assert all(x.refund is not None for r in page.returns for x in r.line_items)
    assert all(r.combined_return_id is None and r.is_combined_return is False for r in page.returns)
    assert sum(1 for r in page.returns if r.is_quick_refund) == 2
    first = page.returns[0]
    assert first.refund.total == Money("864000", "VND")
    assert first.return_provider_name == "J&T Express"
    for r in page.returns:
        assert r.candidates, r.return_id
        assert {k.state for k in r.candidates} <= _ENDS
        assert r.platform_deadline is None


_ENDS = {State.REFUNDED, State.CLOSED, State.WITHDRAWN, State.RESHIPPED, State.REPLACEMENT_CREATED}


def test_live_returns_keep_the_edit_chain():
    page = parse_returns_page(load("returns_search_response.live.json"))
    by_id = {r.return_id: r for r in page.returns}
    first = by_id["4035508291033729491"]
    second = by_id["4035508318941448659"]
    assert first.next_return_id == second.return_id
    assert second.pre_return_id == first.return_id
    assert second.create_time == first.update_time


def test_doc_returns_page_and_its_oddities():
    page = parse_returns_page(load("returns_search_response.doc.json"))
    (r,) = page.returns
    assert r.is_combined_return is True  # "true " with a trailing space
    assert r.return_method == "SELLER_ARRANGE"  # undocumented value kept raw
    assert r.partial_refund == Money("10", "IDR")
    assert r.refund.currency == "USD"
    assert r.buyer_rejected_partial_refund is True
    assert r.return_provider_name == "J&T Express"
    assert r.platform_deadline is not None
    assert r.platform_deadline.state is State.REQUESTED
    assert r.arbitration_status is not None
    assert r.request_type is RequestType.REFUND_ONLY


def test_cancellation_pages():
    live = parse_cancellations_page(load("cancellations_search_response.live.json"))
    (c,) = live.cancellations
    assert live.total_count == 2817
    assert c.cancel_type is CancelTypeCode.CANCEL
    assert c.cancel_status is CancelStatusCode.CANCELLATION_REQUEST_COMPLETE
    assert c.should_replenish_stock is True
    assert c.refund is None
    assert len(c.line_items) == 3
    assert len({x.sku_id for x in c.line_items}) == 1
    assert c.candidates == {Canonical(RequestType.BUYER_CANCELLATION, State.REFUNDED)}
    doc = parse_cancellations_page(load("cancellations_search_response.doc.json"))
    (d,) = doc.cancellations
    assert d.cancel_type is CancelTypeCode.BUYER_CANCEL  # "REQUEST_CANCEL_REFUND"
    assert d.refund.buyer_service_fee == Money("1000", "USD")
    assert d.platform_deadline.state is State.REQUESTED


def test_webhook_fixtures():
    two = parse_webhook(load("webhook_2_reverse_status_update.live.json"))
    assert two.data.reverse_order_status is LegacyStatus.COMPLETE
    assert two.data.reverse_type is LegacyType.CANCEL
    assert two.data.reverse_user is LegacyUser.SYSTEM
    assert two.data.reverse_event_type is LegacyEventType.UNSUPPORTED
    assert two.candidates == {Canonical(RequestType.BUYER_CANCELLATION, State.REFUNDED)}
    eleven = parse_webhook(load("webhook_11_cancellation_status_change.live.json"))
    assert eleven.data.update_time is not None and eleven.data.create_time is None
    assert eleven.candidates == two.candidates
    eleven_doc = parse_webhook(load("webhook_11_cancellation_status_change.doc.json"))
    assert eleven_doc.data.create_time is not None and eleven_doc.data.update_time is None
    assert eleven_doc.update_time == eleven_doc.timestamp
    twelve = parse_webhook(load("webhook_12_return_status_change.doc.json"))
    assert twelve.data.return_id == twelve.data.order_id == "576486316948490001"


def test_eligibility_reasons_records_and_refund_calculation():
    decisions = parse_decision_eligibility(load("decision_eligibility_response.live.json"))
    assert [(d.decision, d.eligible, d.ineligible_code) for d in decisions] == [
        (DecisionCode.APPROVE_RETURN, True, None),
        (DecisionCode.REJECT_RECEIVED_PACKAGE, False, 25011014),
    ]
    (live,) = parse_aftersale_eligibility(load("aftersale_eligibility_response.live.json"))
    assert live.request_type == "CANCEL" and live.eligible is False
    assert live.ineligible_code == 25001011
    assert live.order_line_item_ids == ("584920516705485834",)
    (doc,) = parse_aftersale_eligibility(load("aftersale_eligibility_response.doc.json"))
    assert doc.request_type == "REFUND" and doc.eligible is True
    (reason,) = parse_reject_reasons(load("reject_reasons_response.live.json"))
    assert reason.name == "reverse_reject_request_reason_3"
    (record,) = parse_return_records(load("return_records_response.doc.json"))
    assert record.role is RoleCode.BUYER  # "Buyer" in title case
    assert record.videos[0].duration_millis == 3000
    refund = parse_refund_calculation(load("calculate_refund_response.doc.json"))
    assert refund.total.amount == Decimal("1.23")
    assert refund.retail_delivery_fee == Money("0.1", "USD")


def test_decision_request_fixtures():
    approve = parse_decision_body(load("approve_return_request.doc.json"))
    assert approve.decision is DecisionCode.APPROVE_REFUND
    assert approve.buyer_keep_item is True
    assert approve.partial_refund == Money("10", "IDR")
    reject = parse_decision_body(load("reject_return_request.doc.json"))
    assert reject.decision is DecisionCode.REJECT_RECEIVED_PACKAGE
    assert reject.images[0].width == 200
    cancel = parse_decision_body(load("reject_cancellation_request.doc.json"))
    assert cancel.decision is None
    assert cancel.reject_reason == "seller_reject_apply_product_has_been_packed"
    for name in (
        "approve_return_request.doc.json",
        "reject_return_request.doc.json",
        "reject_cancellation_request.doc.json",
    ):
        body = parse_decision_body(load(name))
        assert parse_decision_body(body.to_json()) == body


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_fixture_is_accepted_in_tolerant_mode_too(name):
    parser = PARSERS[name]
    try:
        result = parser(load(name), strict=False)
    except TypeError:  # parsers without a mode
        result = parser(load(name))
    assert result is not None


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="the project's shared/ folder is not beside the repo"
)
def test_the_bundled_fixtures_are_the_shared_ones():
    shared = {p.name: p.read_bytes() for p in SHARED.iterdir() if p.is_file()}
    bundled = {
        p.name: p.read_bytes()
        for p in FIXTURES.iterdir()
        if p.is_file() and ".composed." not in p.name
    }
    # the bundled SOURCES.md adds a note on the composed fixtures after the shared text
    assert bundled.pop("SOURCES.md").startswith(shared.pop("SOURCES.md").rstrip())
    assert bundled == shared
