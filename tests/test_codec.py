"""Parsing platform payloads into typed snapshots (payload-shapes.md)."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiktok_aftersales import (
    AfterSalesError,
    Money,
    RequestType,
    State,
)
from tiktok_aftersales.codes import (
    CancelStatusCode,
    CancelTypeCode,
    Canonical,
    LegacyStatus,
    LegacyType,
    ReturnStatusCode,
    ReturnTypeCode,
    RoleCode,
    SellerActionCode,
    UnknownCode,
)
from tiktok_aftersales.domain import Arbitration
from tiktok_aftersales.errors import FloatAmount, InvalidValue
from tiktok_aftersales.platform import (
    CancellationStatusChange,
    PlatformResponseError,
    RefundMismatch,
    ReturnStatusChange,
    ReverseStatusUpdate,
    WebhookType,
    parse_cancellation,
    parse_cancellations_page,
    parse_legacy_page,
    parse_legacy_reverse,
    parse_refund_amount,
    parse_return,
    parse_returns_page,
    parse_webhook,
)

R = RequestType
S = State

# --- composed examples (payload-shapes.md §1, §3, §4, §5) --------------------------------------

RETURN = {
    "return_id": "4035000000000000001",
    "order_id": "577000000000000001",
    "return_type": "RETURN_AND_REFUND",
    "return_status": "BUYER_SHIPPED_ITEM",
    "arbitration_status": None,
    "role": "BUYER",
    "return_reason": "ecom_order_delivered_refund_and_return_reason_defective",
    "return_reason_text": "Defective item",
    "create_time": 1760000000,
    "update_time": 1760200000,
    "seller_next_action_response": [
        {"action": "SELLER_RESPOND_RECEIVE_PACKAGE", "deadline": 1760372800}
    ],
    "refund_amount": {
        "currency": "USD",
        "refund_total": "21.60",
        "refund_subtotal": "19.99",
        "refund_shipping_fee": "0.00",
        "refund_tax": "1.61",
        "retail_delivery_fee": "0.00",
        "buyer_service_fee": "0.00",
    },
    "return_line_items": [
        {
            "return_line_item_id": "4035000000000000101",
            "order_line_item_id": "577000000000000101",
            "sku_id": "1729000000000000001",
            "sku_name": "Blue, M",
            "seller_sku": "TSHIRT-BLUE-M",
            "product_name": "Cotton T-shirt",
            "product_image": {
                "url": "https://example.invalid/img.jpg",
                "width": 200,
                "height": 200,
            },
            "refund_amount": {
                "currency": "USD",
                "refund_total": "21.60",
                "refund_subtotal": "19.99",
                "refund_shipping_fee": "0.00",
                "refund_tax": "1.61",
            },
        }
    ],
    "discount_amount": [
        {
            "currency": "USD",
            "product_platform_discount": "0.00",
            "product_seller_discount": "2.00",
            "shipping_fee_platform_discount": "0.00",
            "shipping_fee_seller_discount": "0.00",
        }
    ],
    "shipping_fee_amount": [
        {
            "currency": "USD",
            "seller_paid_return_shipping_fee": "5.50",
            "platform_paid_return_shipping_fee": "0.00",
            "buyer_paid_return_shipping_fee": "0.00",
        }
    ],
    "shipment_type": "PLATFORM",
    "handover_method": "DROP_OFF",
    "return_method": "PLATFORM_SHIPPED",
    "return_shipping_document_type": "QR_CODE",
    "return_tracking_number": "9400000000000000000000",
    "return_provider_name": "USPS",
    "can_buyer_keep_item": False,
}

CANCELLATION = {
    "cancel_id": "4035000000000000900",
    "order_id": "577000000000000002",
    "cancel_type": "BUYER_CANCEL",
    "cancel_status": "CANCELLATION_REQUEST_PENDING",
    "role": "BUYER",
    "cancel_reason": "ecom_order_to_ship_canceled_reason_no_longer_needed",
    "cancel_reason_text": "No longer needed",
    "create_time": 1760000000,
    "update_time": 1760000000,
    "seller_next_action_response": [{"action": "SELLER_RESPOND_CANCEL", "deadline": 1760086400}],
    "refund_amount": {
        "currency": "GBP",
        "refund_total": "12.00",
        "refund_subtotal": "10.00",
        "refund_shipping_fee": "2.00",
        "refund_tax": "0.00",
    },
    "cancel_line_items": [
        {
            "cancel_line_item_id": "4035000000000000901",
            "order_line_item_id": "577000000000000201",
            "sku_id": "1729000000000000002",
            "seller_sku": "MUG-01",
            "product_name": "Mug",
        }
    ],
}

LEGACY = {
    "reverse_order_id": "4020000000000000001",
    "order_id": "576000000000000001",
    "refund_total": "15.00",
    "currency": "IDR",
    "reverse_type": 3,
    "return_reason": "Wrong item was sent",
    "reverse_status_value": 3,
    "reverse_request_time": 1650000000,
    "reverse_update_time": 1650050000,
    "return_item_list": [
        {
            "return_product_id": "1729000000000000003",
            "return_product_name": "Bag",
            "sku_id": "1729000000000000004",
            "seller_sku": "BAG-RED",
            "sku_name": "Red",
            "return_quantity": 1,
            "product_images": "https://example.invalid/b.jpg",
        }
    ],
    "reverse_record_list": [
        {
            "description": "Seller approved the request",
            "update_time": 1650050000,
            "reason_text": "",
            "additional_message": "",
            "additional_image_list": [],
        }
    ],
}

WEBHOOK_12 = {
    "type": 12,
    "tts_notification_id": "7300000000000000001",
    "shop_id": "7490000000000000001",
    "timestamp": 1760200005,
    "data": {
        "order_id": "577000000000000001",
        "return_role": "BUYER",
        "return_type": "RETURN_AND_REFUND",
        "return_status": "BUYER_SHIPPED_ITEM",
        "return_id": "4035000000000000001",
        "create_time": 1760000000,
        "update_time": 1760200000,
    },
}

WEBHOOK_11 = {
    "type": 11,
    "tts_notification_id": "7300000000000000002",
    "shop_id": "7490000000000000001",
    "timestamp": 1760000010,
    "data": {
        "order_id": "577000000000000002",
        "cancellations_role": "BUYER",
        "cancel_status": "CANCELLATION_REQUEST_PENDING",
        "cancel_id": "4035000000000000900",
        "create_time": 1760000000,
    },
}

WEBHOOK_2 = {
    "type": 2,
    "shop_id": "7490000000000000001",
    "timestamp": 1650050005,
    "data": {
        "order_id": "576000000000000001",
        "reverse_order_id": "4020000000000000001",
        "reverse_order_status": 3,
        "reverse_type": 3,
        "reverse_user": 2,
        "reverse_event_type": "ORDER_RETURN",
        "update_time": 1650050000,
    },
}

WEBHOOK_67 = {
    "type": 67,
    "tts_notification_id": "7600000000000000003",
    "shop_id": "7490000000000000001",
    "timestamp": 1780000100,
    "data": {
        "aftersales_request_id": "4035000000000001000",
        "rma_id": "2890000000000000001",
        "refund_status": "REFUND_SUCCESS",
        "refund_total": "9.99",
        "refund_currency": "USD",
        "refund_timestamp": 1780000000,
        "line_items": [
            {
                "main_order_id": "577000000000000003",
                "return_line_item_id": "4035000000000001001",
                "sku_id": "1729000000000000005",
                "sku_return_request_id": "4035000000000001002",
            }
        ],
    },
}


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def with_(base: dict, **changes) -> dict:
    out = copy.deepcopy(base)
    out.update(changes)
    return out


# --- return records ----------------------------------------------------------------------------


def test_a_return_record_becomes_a_typed_snapshot():
    snap = parse_return(RETURN)
    assert snap.return_id == "4035000000000000001"
    assert snap.order_id == "577000000000000001"
    assert snap.return_type is ReturnTypeCode.RETURN_AND_REFUND
    assert snap.return_status is ReturnStatusCode.BUYER_SHIPPED_ITEM
    assert snap.role is RoleCode.BUYER
    assert snap.arbitration_status is None
    assert snap.create_time == utc(1760000000)
    assert snap.update_time == datetime(2025, 10, 11, 16, 26, 40, tzinfo=UTC)
    assert snap.update_time.tzinfo is UTC
    assert snap.refund is not None
    assert snap.refund.total == Money("21.60", "USD")
    assert snap.refund.breakdown.subtotal == Money("19.99", "USD")
    assert snap.refund.breakdown.tax.amount == Decimal("1.61")
    assert snap.discounts[0].product_seller_discount == Money("2.00", "USD")
    assert snap.shipping_fees[0].seller_paid == Money("5.50", "USD")
    assert snap.return_method == "PLATFORM_SHIPPED"
    assert snap.can_buyer_keep_item is False
    assert snap.unmapped == ()
    assert snap.extra_fields == frozenset()


def test_a_return_snapshot_says_which_canonical_states_it_can_mean():
    snap = parse_return(RETURN)
    assert snap.candidates == {
        Canonical(R.RETURN_AND_REFUND, S.RETURN_IN_TRANSIT),
        Canonical(R.RETURN_AND_REFUND, S.RETURN_DELIVERED),
    }
    assert snap.request_type is R.RETURN_AND_REFUND
    assert snap.states == {S.RETURN_IN_TRANSIT, S.RETURN_DELIVERED}
    assert snap.platform_id == snap.return_id


def test_the_platform_deadline_is_the_sellers_next_action_in_canonical_terms():
    deadline = parse_return(RETURN).platform_deadline
    assert deadline is not None
    assert deadline.state is S.RETURN_DELIVERED
    assert deadline.action == SellerActionCode.SELLER_RESPOND_RECEIVE_PACKAGE.value
    assert deadline.deadline == utc(1760372800)
    no_action = with_(RETURN, seller_next_action_response=[])
    assert parse_return(no_action).platform_deadline is None


def test_line_items_keep_their_own_refund_breakdown():
    two = with_(RETURN)
    line = copy.deepcopy(RETURN["return_line_items"][0])
    line["return_line_item_id"] = "4035000000000000102"
    line["refund_amount"] = {
        "currency": "USD",
        "refund_total": "5.00",
        "refund_subtotal": "4.50",
        "refund_shipping_fee": "0.50",
        "refund_tax": "0",
    }
    two["return_line_items"] = [RETURN["return_line_items"][0], line]
    snap = parse_return(two)
    assert [x.refund.total.amount for x in snap.line_items] == [Decimal("21.60"), Decimal("5.00")]
    assert snap.line_items[1].refund.breakdown.shipping == Money("0.50", "USD")
    assert snap.line_items[0].product_image.width == 200


def test_a_refund_total_that_does_not_add_up_is_refused_naming_the_field():
    bad = with_(RETURN)
    bad["return_line_items"][0]["refund_amount"]["refund_total"] = "21.61"
    with pytest.raises(RefundMismatch) as caught:
        parse_return(bad)
    assert caught.value.field == "return_line_items[0].refund_amount.refund_total"
    assert caught.value.value == Decimal("21.61")
    assert caught.value.expected == Decimal("21.60")


def test_fees_outside_the_total_do_not_count_in_the_check():
    amount = parse_refund_amount(
        {
            "currency": "USD",
            "refund_total": "1.23",
            "refund_subtotal": "1",
            "refund_shipping_fee": "0.2",
            "refund_tax": "0.03",
            "retail_delivery_fee": "0.1",
            "buyer_service_fee": "1000",
        }
    )
    assert amount.total == Money("1.23", "USD")
    assert amount.buyer_service_fee == Money("1000", "USD")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (21.6, FloatAmount),
        ("2.16e1", InvalidValue),
        ("NaN", InvalidValue),
        ("-21.60", InvalidValue),
        ("21,60", InvalidValue),
        (True, InvalidValue),
        ("9" * 40, InvalidValue),
    ],
)
def test_money_is_strict(value, error):
    bad = with_(RETURN)
    bad["refund_amount"]["refund_total"] = value
    with pytest.raises(error) as caught:
        parse_return(bad, strict=False)
    assert caught.value.field == "refund_amount.refund_total"


def test_a_bare_total_is_taken_as_the_item_subtotal():
    amount = parse_refund_amount({"currency": "VND", "refund_total": "864000"})
    assert amount.breakdown.subtotal == Money("864000", "VND")
    assert amount.total == amount.breakdown.total


def test_a_missing_total_is_the_sum_of_the_parts():
    amount = parse_refund_amount({"currency": "USD", "refund_subtotal": "3", "refund_tax": "0.5"})
    assert amount.total == Money("3.5", "USD")


def test_money_without_a_currency_is_refused():
    with pytest.raises(InvalidValue) as caught:
        parse_refund_amount({"refund_total": "1.00"})
    assert caught.value.field == "refund_amount.currency"


def test_ids_stay_strings_and_int_ids_become_their_digits():
    snap = parse_return(with_(RETURN, return_id=4035000000000000001, order_id=" 577 "))
    assert snap.return_id == "4035000000000000001"
    assert snap.order_id == "577"


@pytest.mark.parametrize("value", [True, 4.035e18, -1, 2**64, "", "  ", "a b", [], {}])
def test_malformed_ids_are_refused_naming_the_field(value):
    with pytest.raises(InvalidValue) as caught:
        parse_return(with_(RETURN, return_id=value), strict=False)
    assert caught.value.field == "return_id"


def test_a_missing_required_field_is_refused():
    for name in ("return_id", "order_id", "return_status", "return_type"):
        bad = with_(RETURN)
        del bad[name]
        with pytest.raises(InvalidValue) as caught:
            parse_return(bad, strict=False)
        assert caught.value.field == name
        assert caught.value.value is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [(1760000000.0, "float"), (1760000000000, "milliseconds"), (-1, "1970"), (True, "integer")],
)
def test_times_are_unix_seconds_and_nothing_else(value, reason):
    with pytest.raises(InvalidValue) as caught:
        parse_return(with_(RETURN, update_time=value))
    assert caught.value.field == "update_time"
    assert reason in caught.value.reason or reason == "float"


def test_a_digit_string_time_is_read():
    assert parse_return(with_(RETURN, update_time="1760200000")).update_time == utc(1760200000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true ", True), ("TRUE", True), ("false", False), (" False", False), (1, True), (0, False)],
)
def test_booleans_are_read_leniently(raw, expected):
    assert parse_return(with_(RETURN, is_combined_return=raw)).is_combined_return is expected


def test_a_garbage_boolean_is_refused_in_strict_mode_and_unmapped_in_tolerant_mode():
    with pytest.raises(InvalidValue) as caught:
        parse_return(with_(RETURN, can_buyer_keep_item="maybe"))
    assert caught.value.field == "can_buyer_keep_item"
    snap = parse_return(with_(RETURN, can_buyer_keep_item="maybe"), strict=False)
    assert snap.can_buyer_keep_item is None
    assert snap.unmapped == ("can_buyer_keep_item",)


def test_the_combined_return_id_zero_means_none():
    assert parse_return(with_(RETURN, combined_return_id="0")).combined_return_id is None
    assert parse_return(with_(RETURN, combined_return_id="42")).combined_return_id == "42"


def test_the_edit_chain_links_are_kept():
    snap = parse_return(with_(RETURN, pre_return_id="1", next_return_id=2))
    assert (snap.pre_return_id, snap.next_return_id) == ("1", "2")


def test_partial_refund_offers_and_their_answer_are_read():
    snap = parse_return(
        with_(
            RETURN,
            return_status="AWAITING_BUYER_RESPONSE",
            seller_proposed_return_type="PARTIAL_REFUND",
            partial_refund={"currency": "USD", "amount": "5.00"},
            buyer_rejected_partial_refund=False,
        )
    )
    assert snap.partial_refund == Money("5.00", "USD")
    assert snap.buyer_rejected_partial_refund is False
    assert snap.states == {S.AWAITING_BUYER_RESPONSE}


def test_the_changelogs_name_for_shipping_fees_is_read():
    data = with_(RETURN)
    data["return_shipping_fee_amount"] = data.pop("shipping_fee_amount")
    assert parse_return(data).shipping_fees[0].seller_paid == Money("5.50", "USD")


def test_an_object_where_a_list_is_documented_is_read_as_one_entry():
    data = with_(RETURN, discount_amount=RETURN["discount_amount"][0])
    assert len(parse_return(data).discounts) == 1


def test_undocumented_fields_are_named_not_refused():
    snap = parse_return(with_(RETURN, is_quick_refund=True, brand_new_field=1))
    assert snap.is_quick_refund is True
    assert snap.extra_fields == {"brand_new_field"}


def test_arbitration_is_read_as_the_sub_state():
    assert parse_return(with_(RETURN, arbitration_status="IN_PROGRESS")).arbitration is (
        Arbitration.IN_PROGRESS
    )
    assert parse_return(RETURN).arbitration is None  # not reported


def test_a_refund_return_type_is_a_buyer_refund_unless_the_seller_created_it():
    data = with_(RETURN, return_type="REFUND", return_status="RETURN_OR_REFUND_REQUEST_SUCCESS")
    buyer = parse_return(data)
    assert {k.request_type for k in buyer.candidates} == {R.REFUND_ONLY, R.SELLER_REFUND}
    assert buyer.request_type is R.REFUND_ONLY
    assert parse_return(with_(data, role="SELLER")).request_type is R.SELLER_REFUND


def test_a_pending_refund_is_the_buyers_because_a_seller_refund_has_no_pending_step():
    data = with_(RETURN, return_type="REFUND", return_status="RETURN_OR_REFUND_REQUEST_PENDING")
    assert {k.request_type for k in parse_return(data).candidates} == {R.REFUND_ONLY}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("RETURN_OR_REFUND__REQUEST_CANCELLED", ReturnStatusCode.RETURN_OR_REFUND_REQUEST_CANCEL),
        ("REQUEST_SUCCESS", ReturnStatusCode.RETURN_OR_REFUND_REQUEST_SUCCESS),
        (" awaiting_buyer_ship ", ReturnStatusCode.AWAITING_BUYER_SHIP),
        ("REJECT_RECEIVED_PACKAGE", ReturnStatusCode.REJECT_RECEIVE_PACKAGE),
    ],
)
def test_known_misspellings_of_statuses_are_read(status, expected):
    assert parse_return(with_(RETURN, return_status=status)).return_status is expected


def test_title_case_roles_are_read():
    assert parse_return(with_(RETURN, role="Buyer")).role is RoleCode.BUYER


# --- unknown values ----------------------------------------------------------------------------


def test_strict_mode_refuses_an_unknown_status_naming_field_and_value():
    with pytest.raises(UnknownCode) as caught:
        parse_return(with_(RETURN, return_status="EXCHANGE_IN_PROGRESS"))
    assert caught.value.field == "return_status"
    assert caught.value.value == "EXCHANGE_IN_PROGRESS"
    assert caught.value.vocabulary == "return_status"


def test_tolerant_mode_keeps_the_raw_value_and_marks_the_snapshot_unmapped():
    snap = parse_return(
        with_(RETURN, return_status="EXCHANGE_IN_PROGRESS", role="ROBOT"), strict=False
    )
    assert snap.return_status == "EXCHANGE_IN_PROGRESS"
    assert snap.role == "ROBOT"
    assert snap.unmapped == ("return_status", "role")
    assert not snap.is_mapped
    assert snap.candidates == frozenset()
    assert snap.request_type is None
    assert snap.states == frozenset()


def test_an_unknown_value_deep_in_a_record_is_named_by_its_path():
    data = with_(RETURN, seller_next_action_response=[{"action": "SELLER_DANCE", "deadline": 1}])
    with pytest.raises(UnknownCode) as caught:
        parse_return(data)
    assert caught.value.field == "seller_next_action_response[0].action"
    snap = parse_return(data, strict=False)
    assert snap.unmapped == ("seller_next_action_response[0].action",)
    assert snap.seller_next_actions[0].action == "SELLER_DANCE"


def test_a_wrong_type_for_a_code_is_malformed_even_in_tolerant_mode():
    with pytest.raises(InvalidValue) as caught:
        parse_return(with_(RETURN, return_status={"x": 1}), strict=False)
    assert caught.value.field == "return_status"
    assert not isinstance(caught.value, UnknownCode)


def test_parsing_never_changes_its_input_even_when_it_fails():
    data = with_(RETURN, return_status="NOPE")
    before = copy.deepcopy(data)
    with pytest.raises(UnknownCode):
        parse_return(data)
    parse_return(data, strict=False)
    assert data == before


def test_snapshots_are_frozen():
    snap = parse_return(RETURN)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        snap.return_status = "X"  # type: ignore[misc]


# --- cancellations and legacy ------------------------------------------------------------------


def test_a_cancellation_record_becomes_a_typed_snapshot():
    snap = parse_cancellation(CANCELLATION)
    assert snap.cancel_type is CancelTypeCode.BUYER_CANCEL
    assert snap.cancel_status is CancelStatusCode.CANCELLATION_REQUEST_PENDING
    assert snap.candidates == {Canonical(R.BUYER_CANCELLATION, S.REQUESTED)}
    assert snap.request_type is R.BUYER_CANCELLATION
    assert snap.opening == "request"
    assert snap.refund.total == Money("12.00", "GBP")
    assert snap.line_items[0].refund is None
    assert snap.platform_deadline.state is S.REQUESTED
    assert snap.platform_deadline.deadline == utc(1760086400)
    assert snap.platform_id == "4035000000000000900"


def test_the_cancel_spelling_of_the_search_filter_is_read():
    snap = parse_cancellation(with_(CANCELLATION, cancel_status="CANCELLATION_REQUEST_CANCEL"))
    assert snap.cancel_status is CancelStatusCode.CANCELLATION_REQUEST_CANCELLED
    assert snap.states == {S.CLOSED, S.WITHDRAWN}


def test_an_unknown_cancellation_status_is_refused_or_kept_raw():
    data = with_(CANCELLATION, cancel_status="CANCELLATION_REQUEST_FROZEN")
    with pytest.raises(UnknownCode):
        parse_cancellation(data)
    assert parse_cancellation(data, strict=False).unmapped == ("cancel_status",)


def test_a_legacy_reverse_order_becomes_a_typed_snapshot():
    snap = parse_legacy_reverse(LEGACY)
    assert snap.reverse_type is LegacyType.RETURN_AND_REFUND
    assert snap.reverse_status is LegacyStatus.AFTERSALE_RETURNING
    assert snap.refund_total == Money("15.00", "IDR")
    assert snap.items[0].return_quantity == 1
    assert snap.records[0].update_time == utc(1650050000)
    assert snap.candidates == {
        Canonical(R.RETURN_AND_REFUND, S.AWAITING_BUYER_SHIPMENT),
        Canonical(R.RETURN_AND_REFUND, S.RETURN_LABEL_ISSUED),
    }
    assert snap.update_time == utc(1650050000)


def test_legacy_51_and_99_read_as_withdrawn_and_closed():
    assert parse_legacy_reverse(with_(LEGACY, reverse_status_value=51)).states == {S.WITHDRAWN}
    assert S.CLOSED in parse_legacy_reverse(with_(LEGACY, reverse_status_value=99)).states


def test_an_unknown_legacy_status_is_refused_or_kept_raw():
    data = with_(LEGACY, reverse_status_value=77)
    with pytest.raises(UnknownCode) as caught:
        parse_legacy_reverse(data)
    assert caught.value.field == "reverse_status_value"
    snap = parse_legacy_reverse(data, strict=False)
    assert snap.reverse_status == 77
    assert snap.candidates == frozenset()


def test_legacy_page():
    page = parse_legacy_page({"code": 0, "data": {"reverse_list": [LEGACY], "more": "true"}})
    assert page.more is True
    assert len(page.reverse_orders) == 1


# --- pages ---------------------------------------------------------------------------------------


def test_a_returns_page_keeps_its_token_and_count():
    page = parse_returns_page(
        {
            "code": 0,
            "message": "Success",
            "request_id": "r",
            "data": {"return_orders": [RETURN], "total_count": 71, "next_page_token": "abc"},
        }
    )
    assert page.total_count == 71
    assert page.next_page_token == "abc"
    assert page.returns[0].return_id == RETURN["return_id"]
    assert parse_returns_page({"return_orders": [], "next_page_token": ""}).next_page_token is None


def test_a_platform_error_response_is_raised_with_its_code():
    with pytest.raises(PlatformResponseError) as caught:
        parse_returns_page({"code": 25011012, "message": "nope", "request_id": "x", "data": None})
    assert caught.value.code == 25011012
    assert isinstance(caught.value, AfterSalesError)


def test_tolerant_pages_set_malformed_records_aside_and_strict_pages_raise():
    broken = with_(RETURN, return_id=None)
    data = {"code": 0, "data": {"return_orders": [RETURN, broken, RETURN]}}
    with pytest.raises(InvalidValue) as caught:
        parse_returns_page(data)
    assert caught.value.field == "data.return_orders[1].return_id"
    page = parse_returns_page(data, strict=False)
    assert len(page.returns) == 2
    assert [r.index for r in page.rejected] == [1]
    cancellations = parse_cancellations_page({"cancellations": [CANCELLATION, 5]}, strict=False)
    assert len(cancellations.cancellations) == 1
    assert cancellations.rejected[0].index == 1


# --- webhooks ------------------------------------------------------------------------------------


def test_webhook_12_is_a_typed_return_status_change():
    hook = parse_webhook(json.dumps(WEBHOOK_12).encode())
    assert hook.kind is WebhookType.RETURN_STATUS_CHANGE
    assert isinstance(hook.data, ReturnStatusChange)
    assert hook.data.return_status is ReturnStatusCode.BUYER_SHIPPED_ITEM
    assert hook.notification_id == "7300000000000000001"
    assert hook.shop_id == "7490000000000000001"
    assert hook.timestamp == utc(1760200005)
    assert hook.update_time == utc(1760200000)
    assert hook.is_after_sales
    assert hook.platform_id == "4035000000000000001"
    assert hook.order_id == "577000000000000001"
    assert {k.state for k in hook.candidates} == {S.RETURN_IN_TRANSIT, S.RETURN_DELIVERED}
    assert hook.data.request_type is R.RETURN_AND_REFUND


def test_webhook_11_without_update_time_falls_back_on_the_envelope_timestamp():
    hook = parse_webhook(WEBHOOK_11)
    assert isinstance(hook.data, CancellationStatusChange)
    assert hook.data.update_time is None
    assert hook.update_time == utc(1760000010)
    assert hook.data.role is RoleCode.BUYER
    assert hook.candidates == {Canonical(R.BUYER_CANCELLATION, S.REQUESTED)}


def test_webhook_2_is_a_typed_legacy_update():
    hook = parse_webhook(WEBHOOK_2)
    assert isinstance(hook.data, ReverseStatusUpdate)
    assert hook.data.reverse_order_status is LegacyStatus.AFTERSALE_RETURNING
    assert hook.notification_id is None
    assert {k.state for k in hook.candidates} == {S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED}


@pytest.mark.parametrize("number", [1, 3, 4, 5, 6, 7, 13, 14, 66, 999])
def test_other_webhook_types_are_recognised_as_not_after_sales_without_error(number):
    hook = parse_webhook(with_(WEBHOOK_67, type=number))
    assert hook.data is None
    assert not hook.is_after_sales
    assert hook.candidates == frozenset()
    assert hook.platform_id is None
    assert hook.raw_data["rma_id"] == "2890000000000000001"
    assert (hook.kind is None) == (number == 999)


def test_a_digit_string_type_is_read_and_a_non_numeric_type_is_refused():
    assert parse_webhook(with_(WEBHOOK_12, type="12")).kind is WebhookType.RETURN_STATUS_CHANGE
    with pytest.raises(InvalidValue) as caught:
        parse_webhook(with_(WEBHOOK_12, type="RETURN_STATUS_CHANGE"))
    assert caught.value.field == "type"


def test_a_body_that_is_not_json_is_refused():
    for body in (b"not json", b"[1, 2]", "{", b"\xff\xfe", 12):
        with pytest.raises(InvalidValue):
            parse_webhook(body)  # type: ignore[arg-type]


def test_webhook_misspellings_and_unknowns():
    typo = with_(WEBHOOK_12)
    typo["data"]["return_status"] = "RETURN_OR_REFUND__REQUEST_CANCELLED"
    assert parse_webhook(typo).data.return_status is (
        ReturnStatusCode.RETURN_OR_REFUND_REQUEST_CANCEL
    )
    new = with_(WEBHOOK_12)
    new["data"]["return_status"] = "EXCHANGE_SHIPPED"
    with pytest.raises(UnknownCode) as caught:
        parse_webhook(new)
    assert caught.value.field == "data.return_status"
    hook = parse_webhook(new, strict=False)
    assert hook.unmapped == ("data.return_status",)
    assert hook.candidates == frozenset()


# --- malformed payloads never escape as anything but the library's errors -----------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "0", "true ", "1e999999999", "NaN", "-1", "9" * 400, "\x00"])
)
junk = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated(draw, base):
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["delete", "replace", "huge", "garbage"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "huge":
            parent[path[-1]] = draw(st.sampled_from([2**64, 10**30, -(2**63), 10**400]))
        elif action == "garbage":
            parent[path[-1]] = draw(st.text(max_size=20))
        else:
            parent[path[-1]] = draw(junk)
    return data


PARSERS = [parse_return, parse_cancellation, parse_legacy_reverse]
BASES = [RETURN, CANCELLATION, LEGACY]


def _only_our_errors(call, *args, **kwargs):
    with contextlib.suppress(AfterSalesError):
        call(*args, **kwargs)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2), st.data(), st.booleans())
def test_malformed_records_yield_a_snapshot_or_a_typed_error(which, data, strict):
    payload = data.draw(mutated(BASES[which]))
    _only_our_errors(PARSERS[which], payload, strict=strict)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([WEBHOOK_12, WEBHOOK_11, WEBHOOK_2, WEBHOOK_67]), st.data(), st.booleans())
def test_malformed_webhooks_yield_an_envelope_or_a_typed_error(base, data, strict):
    payload = data.draw(mutated(base))
    _only_our_errors(parse_webhook, payload, strict=strict)
    try:
        raw = json.dumps(payload).encode()
    except (ValueError, TypeError):
        return
    _only_our_errors(parse_webhook, raw, strict=strict)


@settings(max_examples=200)
@given(junk, st.booleans())
def test_arbitrary_json_never_escapes_as_another_exception(value, strict):
    for parser in (*PARSERS, parse_returns_page, parse_cancellations_page, parse_legacy_page):
        _only_our_errors(parser, value, strict=strict)
    _only_our_errors(parse_webhook, value, strict=strict)
    _only_our_errors(parse_refund_amount, value)


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_escape_as_another_exception(body):
    _only_our_errors(parse_webhook, body)


@settings(max_examples=100)
@given(st.data())
def test_malformed_pages_yield_a_page_or_a_typed_error(data):
    page = {"code": 0, "data": {"return_orders": [RETURN, CANCELLATION], "next_page_token": "t"}}
    payload = data.draw(mutated(page))
    _only_our_errors(parse_returns_page, payload, strict=False)
    _only_our_errors(parse_returns_page, payload, strict=True)


def test_deeply_nested_bodies_are_refused_not_crashing():
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(InvalidValue):
        parse_webhook(body)


def test_a_non_numeric_legacy_code_is_malformed_and_named_even_in_tolerant_mode():
    with pytest.raises(InvalidValue) as caught:
        parse_legacy_reverse(with_(LEGACY, reverse_status_value="shipped"), strict=False)
    assert caught.value.field == "reverse_status_value"
    hook = with_(WEBHOOK_2)
    hook["data"]["reverse_user"] = "robot"
    with pytest.raises(InvalidValue) as caught:
        parse_webhook(hook, strict=False)
    assert caught.value.field == "data.reverse_user"


def test_every_page_type_offers_its_records():
    assert (
        parse_returns_page({"return_orders": [RETURN]}).records[0].return_id == RETURN["return_id"]
    )
    assert parse_cancellations_page({"cancellations": [CANCELLATION]}).records[0].cancel_id
    assert parse_legacy_page({"reverse_list": [LEGACY], "more": False}).records[0].reverse_order_id
