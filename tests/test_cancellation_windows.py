"""Buyer cancellation windows as deadlines the clock fires (platform-2026 §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from builders import usd_lines
from tiktok_aftersales.deadlines.cancellation import (
    CancelOutcome,
    cancellation_terms,
    with_cancellation_terms,
)
from tiktok_aftersales.deadlines.clock import advance
from tiktok_aftersales.domain.vocabulary import Actor, OrderStage, OrderStatus, State
from tiktok_aftersales.errors import InitiativeRefused, NaiveDatetime
from tiktok_aftersales.lifecycle import apply, open_case

H = timedelta(hours=1)
MONDAY = datetime(2026, 3, 2, 17, tzinfo=UTC)  # 09:00 in Los Angeles


def _request(at: datetime, region: str = "US"):
    return open_case(
        "buyer_cancellation",
        case_id="bc-1",
        order_id="o",
        region=region,
        lines=usd_lines(),
        at=at,
        actor=Actor.BUYER,
        order_stage=OrderStage.NOT_SHIPPED,
    )


def test_a_us_cancel_before_the_shipping_sla_gives_the_seller_24_hours() -> None:
    asked = MONDAY + 3 * H
    terms = cancellation_terms("US", OrderStatus.AWAITING_SHIPMENT, MONDAY, asked)
    assert terms.outcome is CancelOutcome.SELLER_RESPONDS
    assert terms.due == asked + 24 * H
    assert terms.sla_due == MONDAY + 48 * H  # two business days, Monday to Wednesday
    case = with_cancellation_terms(_request(asked), terms)
    assert advance(case, terms.due - timedelta(seconds=1)).state is State.REQUESTED
    approved = advance(case, terms.due)
    assert (approved.state, approved.history[-1].actor) == (State.REFUND_COMMITTED, Actor.SYSTEM)


def test_uploading_a_tracking_number_to_the_request_refuses_the_cancel() -> None:
    case = _request(MONDAY + H)
    refused = apply(case, "order_shipped", Actor.SELLER, MONDAY + 2 * H, {"tracking": "TRK1"})
    assert refused.state is State.CLOSED


def test_a_cancel_after_the_shipping_sla_is_approved_by_the_platform_at_once() -> None:
    friday = MONDAY + 4 * 24 * H
    terms = cancellation_terms("US", OrderStatus.AWAITING_SHIPMENT, MONDAY, friday)
    assert terms.outcome is CancelOutcome.PLATFORM_APPROVES
    assert terms.due == friday
    case = advance(with_cancellation_terms(_request(friday), terms), friday)
    assert case.state is State.REFUND_COMMITTED


def test_the_sla_counts_business_days_over_a_weekend() -> None:
    friday = MONDAY + 4 * 24 * H
    terms = cancellation_terms("US", OrderStatus.AWAITING_SHIPMENT, friday, friday + H)
    # Friday 09:00 PST -> Tuesday 09:00 PDT (the clocks changed on Sunday 8 March)
    assert terms.sla_due == datetime(2026, 3, 10, 16, tzinfo=UTC)


def test_a_uk_cancel_in_on_hold_is_accepted_by_the_platform_at_once() -> None:
    terms = cancellation_terms("GB", OrderStatus.ON_HOLD, MONDAY, MONDAY + H)
    assert terms.outcome is CancelOutcome.AUTO_ACCEPTED
    assert terms.due == MONDAY + H
    elsewhere = cancellation_terms("US", OrderStatus.ON_HOLD, MONDAY, MONDAY + H)
    assert elsewhere.outcome is CancelOutcome.SELLER_RESPONDS


def test_the_global_window_is_the_policy_tables_48_hours() -> None:
    terms = cancellation_terms("MY", OrderStatus.AWAITING_SHIPMENT, MONDAY, MONDAY + H)
    assert terms.due == MONDAY + 49 * H


def test_a_buyer_cannot_cancel_once_the_order_awaits_collection() -> None:
    with pytest.raises(InitiativeRefused):
        cancellation_terms("US", OrderStatus.AWAITING_COLLECTION, MONDAY, MONDAY + H)


def test_times_must_be_aware() -> None:
    with pytest.raises(NaiveDatetime):
        cancellation_terms("US", "AWAITING_SHIPMENT", datetime(2026, 3, 2), MONDAY)
