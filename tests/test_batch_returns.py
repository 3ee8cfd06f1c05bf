"""Batch returns, appeals and returns to the buyer (issue 16, items 4 to 7)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from builders import T0, usd_lines
from tiktok_aftersales.codes import UnknownCode
from tiktok_aftersales.deadlines.clock import advance, running_deadlines
from tiktok_aftersales.deadlines.policy import DEFAULT_POLICY
from tiktok_aftersales.domain.money import Money
from tiktok_aftersales.domain.vocabulary import (
    Actor,
    Arbitration,
    OrderKind,
    RequestType,
    State,
    Window,
)
from tiktok_aftersales.errors import (
    DecisionRefused,
    OrderKindForbids,
    RejectReasonNotAllowed,
    ReviewNotEligible,
    ReviewPartlyFailed,
)
from tiktok_aftersales.lifecycle import EVENTS, apply, open_case
from tiktok_aftersales.platform import build_decision, parse_reject_reasons, parse_webhook
from tiktok_aftersales.platform.batch import (
    AftersalesRequestStatusUpdate,
    ProductAppealCompleted,
    RefundSuccess,
    RmaStatusUpdate,
    parse_aftersales_page,
    parse_review_decisions,
    parse_review_result,
    parse_rma_page,
)
from tiktok_aftersales.platform.outbound import check_order_kinds, check_reject_reason
from tiktok_aftersales.platform.review import build_review, check_partial_refund, raise_for_review

FIXTURES = Path(__file__).parent / "fixtures" / "platform"
H = timedelta(hours=1)
D = timedelta(days=1)
RT = RequestType
LINES = usd_lines()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def batch_case(kind: RequestType, region: str = "US") -> Any:
    event = "request" if kind is RT.AFTERSALES_REQUEST else "create_rma"
    actor = Actor.BUYER if kind is RT.AFTERSALES_REQUEST else Actor.SYSTEM
    return open_case(
        kind,
        case_id=f"{kind.value}-1",
        order_id="o-1",
        region=region,
        lines=LINES,
        at=T0,
        actor=actor,
        event=event,
        platform_id="5770000000000010001",
    )


# --- webhooks 64 to 67 -------------------------------------------------------------------------


def test_webhook_64_reads_into_a_batch_request_status_with_its_canonical_state() -> None:
    hook = parse_webhook(load("webhook_64_aftersales_request_status_update.composed.json"))
    assert isinstance(hook.batch, AftersalesRequestStatusUpdate)
    assert hook.batch.platform_id == "5770000000000010001"
    assert {(k.request_type, k.state) for k in hook.batch.candidates} == {
        (RT.AFTERSALES_REQUEST, State.REQUESTED)
    }
    assert hook.is_after_sales and hook.data is None


def test_webhook_65_reads_the_webhooks_awaiting_buyer_shipped_wording() -> None:
    hook = parse_webhook(load("webhook_65_rma_status_update.composed.json"))
    assert isinstance(hook.batch, RmaStatusUpdate)
    assert {k.state for k in hook.batch.candidates} == {
        State.AWAITING_BUYER_SHIPMENT,
        State.RETURN_LABEL_ISSUED,
    }


def test_webhook_66_is_a_product_listing_appeal_not_an_after_sales_one() -> None:
    hook = parse_webhook(load("webhook_66_appeal_completed.composed.json"))
    assert isinstance(hook.batch, ProductAppealCompleted)
    assert hook.batch.product_id == "1729000000000000099"
    assert not hook.is_after_sales


def test_webhook_67_reads_the_refund_and_its_lines() -> None:
    hook = parse_webhook(load("webhook_67_refund_success.composed.json"))
    assert isinstance(hook.batch, RefundSuccess)
    assert hook.batch.refund_total == Money("24.50", "USD")
    assert hook.batch.line_items[0].sku_return_request_id == "4035000000000001002"
    assert hook.batch.line_items[0].sub_return_line_item_id is None


def test_an_unknown_batch_status_is_refused_in_strict_mode_and_kept_in_tolerant_mode() -> None:
    data = load("webhook_64_aftersales_request_status_update.composed.json")
    data["data"]["aftersales_request_status"] = "SOMETHING_NEW"
    with pytest.raises(UnknownCode):
        parse_webhook(data)
    hook = parse_webhook(data, strict=False)
    assert isinstance(hook.batch, AftersalesRequestStatusUpdate)
    assert hook.batch.status == "SOMETHING_NEW"
    assert hook.batch.candidates == frozenset()
    assert hook.unmapped == ("data.aftersales_request_status",)


# --- search pages --------------------------------------------------------------------------------


def test_the_aftersales_search_lists_lines_sku_requests_and_packages() -> None:
    page = parse_aftersales_page(load("aftersales_search_response.composed.json"))
    (record,) = page.records
    assert [x.return_line_item_id for x in record.line_items] == [
        "5790000000000030001",
        "5790000000000030002",
    ]
    assert record.rma_ids == ("5780000000000020001",)
    amounts = record.sku_return_requests[0].amounts
    assert amounts["platform_paid_return_shipping_fee_amount"] == Money("4.99", "USD")
    assert {k.state for k in record.candidates} == {State.REVIEW_COMPLETED}


def test_a_malformed_package_is_rejected_in_tolerant_mode_and_raises_in_strict_mode() -> None:
    data = load("rma_search_response.composed.json")
    data["data"]["return_merchandise_authorizations"].append({"status": "INIT"})
    with pytest.raises(Exception, match="id"):
        parse_rma_page(data)
    page = parse_rma_page(data, strict=False)
    assert len(page.records) == 1 and page.rejected[0].index == 1
    assert page.records[0].status.value == "PENDING_PACKAGE_REVIEW"


# --- the declared lifecycles ---------------------------------------------------------------------


def test_a_batch_request_is_reviewed_per_line_and_a_silent_seller_is_approved() -> None:
    case = batch_case(RT.AFTERSALES_REQUEST)
    mixed = apply(
        case, "review_lines", Actor.SELLER, T0 + H, {"decisions": {"L1": "approve", "L2": "reject"}}
    )
    assert mixed.state is State.REVIEW_COMPLETED
    silent = advance(case, T0 + 48 * H)
    assert (silent.state, silent.history[-1].actor) == (State.REVIEW_COMPLETED, Actor.SYSTEM)


def test_a_package_walks_label_transit_delivery_and_a_second_review() -> None:
    case = batch_case(RT.RMA)
    case = apply(case, "upload_shipping_document", Actor.SELLER, T0 + H)
    case = apply(case, "ship_back", Actor.BUYER, T0 + 2 * H)
    case = apply(case, "parcel_delivered", Actor.LOGISTICS, T0 + 3 * D)
    assert case.state is State.RETURN_DELIVERED
    assert case.effects[-1].kind.value == "stock_in"
    (deadline,) = running_deadlines(case)
    assert deadline.window is Window.SELLER_PACKAGE_REVIEW
    assert str(deadline.duration) == "2 working days"
    reviewed = apply(case, "confirm_receipt", Actor.SELLER, T0 + 4 * D)
    assert reviewed.state is State.REVIEW_COMPLETED


def test_a_vietnamese_seller_is_told_to_return_a_rejected_parcel_within_3_business_days() -> None:
    case = open_case(
        RT.RETURN_AND_REFUND,
        case_id="vn-1",
        order_id="o",
        region="VN",
        lines=LINES,
        at=T0,
        actor=Actor.BUYER,
    )
    case = apply(case, "approve", Actor.SELLER, T0 + H)
    case = apply(case, "ship_back", Actor.BUYER, T0 + 2 * H)
    case = apply(case, "parcel_delivered", Actor.LOGISTICS, T0 + D)
    case = apply(case, "reject_receipt", Actor.SELLER, T0 + D + H)
    told = apply(case, "require_return_to_buyer", Actor.OPERATOR, T0 + 3 * D)
    assert told.state is State.AWAITING_SELLER_RETURN
    (deadline,) = running_deadlines(told)
    assert str(deadline.duration) == "3 working days"
    assert "4041059496167184" in deadline.rule_source
    shipped = apply(told, "ship_to_buyer", Actor.SELLER, T0 + 4 * D)
    assert shipped.state is State.CLOSED
    # after an unsuccessful appeal the operator's instruction ends the arbitration
    disputed = apply(case, "dispute", Actor.BUYER, T0 + 2 * D)
    ruled = apply(disputed, "require_return_to_buyer", Actor.OPERATOR, T0 + 3 * D)
    assert ruled.arbitration is Arbitration.SUPPORT_SELLER


@pytest.mark.parametrize(("code", "days"), [("TH", 15), ("ID", 7)])
def test_a_seller_may_appeal_a_platform_refund_within_the_regions_window(code, days) -> None:
    case = open_case(
        RT.SELLER_APPEAL,
        case_id="a-1",
        order_id="o",
        region=code,
        lines=LINES,
        at=T0,
        actor=Actor.SYSTEM,
    )
    assert case.state is State.APPEAL_WINDOW
    (deadline,) = running_deadlines(case)
    assert deadline.due == T0 + days * D
    assert advance(case, T0 + days * D).state is State.CLOSED
    appealed = apply(case, "appeal", Actor.SELLER, T0 + (days - 1) * D)
    assert appealed.arbitration is Arbitration.IN_PROGRESS
    assert running_deadlines(appealed) == ()
    upheld = apply(appealed, "rule_for_seller", Actor.OPERATOR, T0 + 20 * D)
    assert upheld.state is State.SELLER_COMPENSATED


def test_the_appeal_and_return_windows_carry_their_sources() -> None:
    for code, window in (("TH", Window.SELLER_APPEAL), ("VN", Window.SELLER_RETURN_TO_BUYER)):
        source = DEFAULT_POLICY.rule(code, RT.RETURN_AND_REFUND, window).source
        assert "platform-2026" in source and "http" in source


# --- reviews gated by the review-decisions response ---------------------------------------------


def _package_at_review() -> Any:
    case = batch_case(RT.RMA)
    case = apply(case, "ship_back", Actor.BUYER, T0 + H)
    return apply(case, "parcel_delivered", Actor.LOGISTICS, T0 + D)


def _lines_named_as_the_fixture() -> Any:
    from tiktok_aftersales.domain.money import OrderLine

    return [
        OrderLine("5790000000000030001", LINES[0].sku_id, LINES[0].paid),
        OrderLine("5790000000000030002", LINES[1].sku_id, LINES[1].paid),
    ]


def _fixture_package() -> Any:
    case = open_case(
        RT.RMA,
        case_id="rma-2",
        order_id="o",
        region="US",
        lines=_lines_named_as_the_fixture(),
        at=T0,
        actor=Actor.SYSTEM,
        platform_id="5780000000000020001",
    )
    case = apply(case, "ship_back", Actor.BUYER, T0 + H)
    return apply(case, "parcel_delivered", Actor.LOGISTICS, T0 + D)


AT = datetime(2026, 3, 5, 12, tzinfo=UTC)


def test_a_second_review_builds_one_decision_per_line_with_the_package_id_and_key() -> None:
    request = build_review(_fixture_package(), "confirm_receipt", at=AT)
    assert request.path == "/return_refund/202609/aftersales/review"
    (decision,) = request.body["aftersales_request_decisions"]  # type: ignore[index]
    assert decision["request_id_type"] == "RMA"
    assert decision["request_id"] == "5780000000000020001"
    assert decision["idempotency_key"] == request.idempotency_key
    assert decision["action_unix_time"] == int(AT.timestamp())
    assert {d["action"] for d in decision["line_item_decisions"]} == {"APPROVE_RETURN_PACKAGE"}
    assert len(decision["line_item_decisions"]) == 2


def test_a_mixed_package_review_is_gated_line_by_line_by_the_review_decisions() -> None:
    available = parse_review_decisions(load("review_decisions_response.composed.json"))
    case = _fixture_package()
    lines = [x.line_id for x in case.lines]
    ok = build_review(
        case,
        "review_lines",
        {
            "decisions": {lines[0]: "reject", lines[1]: "approve"},
            "reason_id": "seller_reject_receive_product_damaged",
        },
        at=AT,
        available=available,
    )
    actions = [
        d["action"]
        for d in ok.body["aftersales_request_decisions"][0]["line_item_decisions"]  # type: ignore[index]
    ]
    assert actions == ["REJECT_RETURN_PACKAGE", "APPROVE_RETURN_PACKAGE"]
    with pytest.raises(ReviewNotEligible) as err:  # quick refund: the platform forbids it
        build_review(
            case, "review_lines", {"decisions": {lines[1]: "reject"}}, at=AT, available=available
        )
    assert err.value.platform_code == 25011025
    with pytest.raises(RejectReasonNotAllowed):
        build_review(
            case,
            "review_lines",
            {"decisions": {lines[0]: "reject"}, "reason_id": "made_up"},
            at=AT,
            available=available,
        )


def test_a_review_the_lifecycle_does_not_allow_is_refused_with_the_platforms_code() -> None:
    with pytest.raises(DecisionRefused):
        build_review(batch_case(RT.RMA), "confirm_receipt", at=AT)


def test_a_partial_refund_must_be_within_the_lines_range() -> None:
    (line, _) = parse_review_decisions(load("review_decisions_response.composed.json"))
    assert check_partial_refund(line, Money("12.25", "USD")) == Money("12.25", "USD")
    with pytest.raises(ValueError, match="between"):
        check_partial_refund(line, Money("12.26", "USD"))


def test_a_review_answered_with_an_errors_list_is_a_partial_failure() -> None:
    result = parse_review_result(load("aftersales_review_response.composed.json"))
    assert result.partial
    assert result.errors[0].code == 25011014
    with pytest.raises(ReviewPartlyFailed, match="25011014"):
        raise_for_review(result)


# --- refusals for FBT, quick-refund and authentic-guarantee orders; reject reasons -------------


def _delivered_return() -> Any:
    case = open_case(
        RT.RETURN_AND_REFUND,
        case_id="r-1",
        order_id="o",
        region="US",
        lines=LINES,
        at=T0,
        actor=Actor.BUYER,
        platform_id="4035000000000000001",
    )
    case = apply(case, "approve", Actor.SELLER, T0 + H)
    case = apply(case, "ship_back", Actor.BUYER, T0 + 2 * H)
    return apply(case, "parcel_delivered", Actor.LOGISTICS, T0 + D)


@pytest.mark.parametrize(
    ("event", "kind", "code"),
    [
        ("confirm_receipt", OrderKind.FBT, 25011026),
        ("reject_receipt", OrderKind.FBT, 25011026),
        ("reject_receipt", OrderKind.QUICK_REFUND, 25011025),
        ("reject_receipt", OrderKind.AUTHENTIC_GUARANTEE, 25011023),
    ],
)
def test_decisions_the_platform_forbids_on_special_orders_are_refused_locally(event, kind, code):
    payload = {"reject_reason": "r"} if event == "reject_receipt" else None
    with pytest.raises(OrderKindForbids) as err:
        build_decision(_delivered_return(), event, payload, order_kinds=[kind])
    assert err.value.platform_code == code
    assert EVENTS[event].forbidden_for[kind] == code


def test_a_quick_refund_order_may_still_confirm_the_parcel() -> None:
    check_order_kinds("confirm_receipt", [OrderKind.QUICK_REFUND])
    request = build_decision(_delivered_return(), "confirm_receipt", order_kinds=["quick_refund"])
    assert request.body.decision is not None


def test_a_reject_reason_must_be_one_fetched_for_the_market_and_order_status() -> None:
    reasons = parse_reject_reasons(load("reject_reasons_response.live.json"))
    name = reasons[0].name
    case = _delivered_return()
    request = build_decision(
        case, "reject_receipt", {"reject_reason": name}, reject_reasons=reasons
    )
    assert request.body.reject_reason == name
    with pytest.raises(RejectReasonNotAllowed) as err:
        build_decision(case, "reject_receipt", {"reject_reason": "nope"}, reject_reasons=reasons)
    assert err.value.platform_code == 25001021
    assert name in err.value.allowed
    assert check_reject_reason(name, [name]) == name
