"""Who may start what: the platform's initiative table as data (platform-2026 §1, §8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.deadlines.initiative import (
    INITIATIVE,
    REQUEST_KINDS,
    InitiativeRule,
    check_opening,
    initiative_markdown,
)
from tiktok_aftersales.domain.vocabulary import (
    REGIONS,
    Actor,
    OrderStatus,
    RequestKind,
    RequestType,
)
from tiktok_aftersales.errors import InitiativeRefused, InvalidValue, RequestTypeNotOffered

RT = RequestType
O = OrderStatus  # noqa: E741 - reads O.DELIVERED


def test_a_refused_opening_names_request_type_initiator_order_status_and_region() -> None:
    with pytest.raises(InitiativeRefused) as err:
        check_opening(RT.BUYER_CANCELLATION, Actor.BUYER, O.AWAITING_COLLECTION, "US")
    e = err.value
    assert (e.request_type, e.initiator, e.order_status, e.region) == (
        RT.BUYER_CANCELLATION,
        Actor.BUYER,
        O.AWAITING_COLLECTION,
        "US",
    )
    for word in ("buyer_cancellation", "buyer", "AWAITING_COLLECTION", "US"):
        assert word in str(e)
    assert isinstance(e, ValueError)


def test_seller_returns_are_us_only_in_transit_or_delivered() -> None:
    for status in (O.IN_TRANSIT, O.DELIVERED):
        check_opening(RT.RETURN_AND_REFUND, Actor.SELLER, status, "US")
        with pytest.raises(InitiativeRefused):
            check_opening(RT.RETURN_AND_REFUND, Actor.SELLER, status, "GB")
    with pytest.raises(InitiativeRefused):
        check_opening(RT.RETURN_AND_REFUND, Actor.SELLER, O.AWAITING_SHIPMENT, "US")


def test_only_us_and_uk_sellers_cancel_single_lines_and_buyers_never_do() -> None:
    for code in ("US", "GB"):
        check_opening(RT.BUYER_CANCELLATION, Actor.SELLER, O.AWAITING_SHIPMENT, code, lines=True)
    with pytest.raises(InitiativeRefused, match="single lines"):
        check_opening(RT.BUYER_CANCELLATION, Actor.SELLER, O.AWAITING_SHIPMENT, "ID", lines=True)
    with pytest.raises(InitiativeRefused):
        check_opening(RT.BUYER_CANCELLATION, Actor.BUYER, O.AWAITING_SHIPMENT, "US", lines=True)
    check_opening(RT.BUYER_CANCELLATION, Actor.SELLER, O.AWAITING_SHIPMENT, "ID")


def test_only_unshipped_orders_can_be_cancelled() -> None:
    for who in Actor:
        for status in (O.IN_TRANSIT, O.DELIVERED, O.COMPLETED):
            with pytest.raises(InitiativeRefused):
                check_opening(RT.BUYER_CANCELLATION, who, status, "US")


def test_a_completed_order_takes_no_request_from_anyone() -> None:
    for kind in (RT.REFUND_ONLY, RT.RETURN_AND_REFUND, RT.SELLER_REFUND, RT.BUYER_CANCELLATION):
        for who in Actor:
            assert not INITIATIVE.allows(kind, who, O.COMPLETED, "US")


def test_thai_sellers_may_refund_in_transit_and_others_may_not() -> None:
    check_opening(RT.SELLER_REFUND, Actor.SELLER, O.IN_TRANSIT, "TH")
    with pytest.raises(InitiativeRefused):
        check_opening(RT.SELLER_REFUND, Actor.SELLER, O.IN_TRANSIT, "US")
    check_opening(RT.SELLER_REFUND, Actor.SELLER, O.DELIVERED, "TH")


def test_an_exchange_is_offered_in_indonesia_and_the_us_only() -> None:
    check_opening(RT.EXCHANGE, Actor.BUYER, O.DELIVERED, "ID")
    check_opening(RT.EXCHANGE, Actor.BUYER, O.DELIVERED, "US")
    with pytest.raises(RequestTypeNotOffered, match="does not offer"):
        check_opening(RT.EXCHANGE, Actor.BUYER, O.DELIVERED, "GB")
    assert not INITIATIVE.offered(RT.EXCHANGE, "MY")
    assert INITIATIVE.offered(RT.REFUND_ONLY, "MY")


def test_a_host_changes_a_market_by_adding_a_rule_not_a_branch() -> None:
    opened = INITIATIVE.with_rule(
        InitiativeRule(RequestKind.RETURN, Actor.SELLER, O.DELIVERED, True, "host", "GB")
    )
    assert opened.allows(RT.RETURN_AND_REFUND, Actor.SELLER, O.DELIVERED, "GB")
    assert not INITIATIVE.allows(RT.RETURN_AND_REFUND, Actor.SELLER, O.DELIVERED, "GB")


def test_malformed_arguments_are_named() -> None:
    with pytest.raises(InvalidValue, match="order_status"):
        check_opening(RT.REFUND_ONLY, Actor.BUYER, "SHIPPED", "US")
    with pytest.raises(InvalidValue, match="initiator"):
        check_opening(RT.REFUND_ONLY, "robot", O.DELIVERED, "US")


def test_every_request_type_has_a_kind_or_is_explicitly_unchecked() -> None:
    assert set(REQUEST_KINDS) == set(RequestType)


@given(
    kind=st.sampled_from(list(RequestType)),
    who=st.sampled_from(list(Actor)),
    status=st.sampled_from(list(OrderStatus)),
    code=st.sampled_from(list(REGIONS)),
)
def test_allows_is_exactly_check_opening_passing(kind, who, status, code) -> None:
    try:
        check_opening(kind, who, status, code)
    except InitiativeRefused:
        assert not INITIATIVE.allows(kind, who, status, code)
    else:
        assert INITIATIVE.allows(kind, who, status, code)


def test_the_table_lists_every_order_status() -> None:
    head = initiative_markdown().splitlines()[0]
    assert all(s.value in head for s in OrderStatus)
