"""Seller-initiated calls become platform requests with one key each (issue 16, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import usd_lines
from tiktok_aftersales.domain.effects import EffectKind
from tiktok_aftersales.domain.money import Money, Refund
from tiktok_aftersales.errors import (
    InvalidValue,
    OrderAlreadyShipped,
    OverRefund,
    PlatformResponseError,
    RefundExceedsRefundable,
)
from tiktok_aftersales.platform.outbound import (
    build_calculate_refund,
    build_cancel_order,
    build_create_return,
    build_seller_refund,
    outbound_key,
    parse_calculated_refund,
    raise_for_reply,
)
from tiktok_aftersales.platform.requests import PlatformReply
from tiktok_aftersales.platform.versions import DEFAULT_VERSIONS, Endpoint

FIXTURES = Path(__file__).parent / "fixtures" / "platform"
LINES = usd_lines()


def test_a_seller_cancel_of_single_lines_builds_the_cancel_order_body_with_one_key() -> None:
    call = build_cancel_order(
        case_id="c-1",
        order_id="577000000000000001",
        reason="seller_cancel_reason_out_of_stock",
        restock=False,
        lines=LINES,
        line_ids=[LINES[0].line_id],
    )
    r = call.request
    assert (r.operation, r.method, r.path) == (
        "cancel_order",
        "POST",
        "/return_refund/202602/cancellations",
    )
    assert r.body == {
        "order_id": "577000000000000001",
        "cancel_reason": "seller_cancel_reason_out_of_stock",
        "order_line_item_ids": [LINES[0].line_id],
    }
    assert r.idempotency_key == outbound_key("c-1", "cancel_order")
    assert r.case_id == "c-1"
    assert call.stock is None  # out of stock: nothing goes back to sale
    assert call.refund is not None and call.refund.total == Refund.line(LINES, "L1").total


def test_a_whole_order_cancel_that_restocks_releases_stock_and_refunds_the_order() -> None:
    call = build_cancel_order(case_id="c-2", order_id="o-2", reason="r", restock=True, lines=LINES)
    assert "order_line_item_ids" not in (call.request.body or {})
    assert call.stock is EffectKind.RELEASE_STOCK
    assert call.refund == Refund.order(LINES)


def test_the_same_call_has_the_same_key_and_a_later_one_a_new_key() -> None:
    def key(seq: int) -> str | None:
        return build_cancel_order(
            case_id="c-1", order_id="o", reason="r", restock=True, seq=seq
        ).request.idempotency_key

    assert key(1) == key(1)
    assert key(1) != key(2)
    assert outbound_key("c-1", "cancel_order") != outbound_key("c-1", "seller_refund")


def test_a_seller_refund_is_create_return_refund_with_its_amount_and_key_in_the_query() -> None:
    refund = Refund.partial("L1", Money("5.00", "USD"))
    call = build_seller_refund(
        case_id="s-1", order_id="o-1", reason="seller_refund", refund=refund, lines=LINES
    )
    r = call.request
    assert (r.method, r.path) == ("POST", "/return_refund/202602/returns")
    assert r.body is not None
    assert r.body["return_type"] == "REFUND"
    assert (r.body["refund_total"], r.body["currency"]) == ("5.00", "USD")
    assert r.body["order_line_item_ids"] == ["L1"]
    assert r.query["idempotency_key"] == r.idempotency_key
    assert call.refund == refund  # committed at once: it goes against the ledger


def test_a_seller_refund_larger_than_a_line_is_refused_before_sending() -> None:
    with pytest.raises(OverRefund):
        build_seller_refund(
            case_id="s-1",
            order_id="o-1",
            reason="r",
            refund=Refund.partial("L1", Money("500.00", "USD")),
            lines=LINES,
        )


def test_a_us_seller_return_is_create_return_and_refunds_nothing_until_the_parcel() -> None:
    call = build_create_return(
        case_id="r-1",
        order_id="o-1",
        reason="seller_return",
        refund=Refund.line(LINES, "L2"),
        shipment_type="PLATFORM",
        handover_method="DROP_OFF",
        lines=LINES,
    )
    assert call.request.body is not None
    assert call.request.body["return_type"] == "RETURN_AND_REFUND"
    assert call.request.body["handover_method"] == "DROP_OFF"
    assert call.refund is None
    with pytest.raises(InvalidValue, match="shipment_type"):
        build_create_return(
            case_id="r-1", order_id="o", reason="r", refund=Refund.order(LINES), shipment_type="X"
        )


def test_calculate_refund_builds_the_request_and_reads_the_typed_amount() -> None:
    request = build_calculate_refund(
        order_id="o-1", request_type="CANCEL", reason="r", line_ids=["L1"]
    )
    assert request.path == "/return_refund/202602/refunds/calculate"
    assert request.idempotency_key is None
    data = json.loads((FIXTURES / "calculate_refund_response.doc.json").read_text())
    amount = parse_calculated_refund(data)
    assert amount.total is not None
    with pytest.raises(InvalidValue):
        build_calculate_refund(order_id="o", request_type="EXCHANGE", reason="r")


def test_platform_refusals_of_seller_calls_are_typed_errors() -> None:
    with pytest.raises(RefundExceedsRefundable) as err:
        raise_for_reply(PlatformReply(25005005, "Refund total amount is larger"))
    assert err.value.code == 25005005
    with pytest.raises(OrderAlreadyShipped):
        raise_for_reply(PlatformReply(25001045, "order already shipped"))
    with pytest.raises(PlatformResponseError):
        raise_for_reply(PlatformReply(99, "other"))
    ok = PlatformReply(0)
    assert raise_for_reply(ok) is ok
    with pytest.raises(RefundExceedsRefundable):
        parse_calculated_refund({"code": 25005005, "message": "too much", "data": {}})


def test_every_endpoint_defaults_to_its_newest_version_and_a_host_may_pin_one() -> None:
    assert DEFAULT_VERSIONS.version(Endpoint.AFTERSALES_REVIEW) == "202609"
    assert DEFAULT_VERSIONS.version(Endpoint.REJECT_RETURN) == "202606"
    assert DEFAULT_VERSIONS.version(Endpoint.DECISION_ELIGIBILITY) == "202601"
    pinned = DEFAULT_VERSIONS.with_version("cancel_order", "202309")
    call = build_cancel_order(case_id="c", order_id="o", reason="r", restock=True, versions=pinned)
    assert call.request.path == "/return_refund/202309/cancellations"
    with pytest.raises(InvalidValue):
        DEFAULT_VERSIONS.with_version("cancel_order", "v2")
    with pytest.raises(InvalidValue):
        DEFAULT_VERSIONS.with_version("nope", "202309")
    with pytest.raises(InvalidValue, match="return_id"):
        DEFAULT_VERSIONS.path(Endpoint.REJECT_RETURN)


def test_a_seller_refund_beyond_what_the_order_has_left_across_its_cases_is_refused() -> None:
    from builders import T0
    from tiktok_aftersales.domain import OrderLedger
    from tiktok_aftersales.errors import OrderOverRefund
    from tiktok_aftersales.lifecycle import open_on_order

    first = open_on_order(
        [],
        "seller_refund",
        case_id="s-1",
        order_id="o-1",
        region="US",
        lines=LINES,
        at=T0,
        payload={"refund": Refund.line(LINES, "L1")},
    )
    ledger = OrderLedger.of("o-1", LINES, [first])
    with pytest.raises(OrderOverRefund):
        build_seller_refund(
            case_id="s-2",
            order_id="o-1",
            reason="r",
            refund=Refund.partial("L1", Money("1.00", "USD")),
            lines=LINES,
            ledger=ledger,
        )
    ok = build_seller_refund(
        case_id="s-2",
        order_id="o-1",
        reason="r",
        refund=Refund.line(LINES, "L2"),
        lines=LINES,
        ledger=ledger,
    )
    assert ok.refund is not None
