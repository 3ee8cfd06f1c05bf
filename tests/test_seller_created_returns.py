"""A return the seller creates for the buyer (US, platform-2026 §1), and sync choosing the opening.

The declaration has two openings for a return and refund: the buyer's ``request`` and the
seller's ``create_return``. Sync picks one by who the platform record says started the
request (its role), never by the shortest path alone.
"""

from __future__ import annotations

import json

import pytest

from builders import T0, fresh, usd_lines
from tiktok_aftersales import Actor, RequestType, State, apply
from tiktok_aftersales.errors import InvalidTransition
from tiktok_aftersales.lifecycle import LIFECYCLES, open_case
from tiktok_aftersales.platform import parse_webhook
from tiktok_aftersales.platform.calls import request_for
from tiktok_aftersales.platform.keys import idempotency_key
from tiktok_aftersales.sync import (
    Outcome,
    open_from_snapshot,
    openings_for,
    reconcile,
)

R = RequestType
ORDER = "577000000000000001"


def _seller_return(**payload):
    return open_case(
        R.RETURN_AND_REFUND,
        case_id="sr-1",
        order_id=ORDER,
        region="US",
        lines=usd_lines(),
        at=T0,
        event="create_return",
        payload=payload or None,
    )


def _webhook_12(status, role, update_time=1760000000, return_id="4035000000000000001"):
    return parse_webhook(
        {
            "type": 12,
            "tts_notification_id": f"n-{status}-{role}",
            "timestamp": update_time + 5,
            "data": {
                "order_id": ORDER,
                "return_role": role,
                "return_type": "RETURN_AND_REFUND",
                "return_status": status,
                "return_id": return_id,
                "create_time": 1760000000,
                "update_time": update_time,
            },
        }
    )


def _open(record):
    return open_from_snapshot(record, case_id="c-1", region="US", lines=usd_lines(), opened_at=T0)


# --- the declared opening ------------------------------------------------------------------


def test_a_seller_created_return_waits_for_the_buyer_to_ship_without_a_review():
    case = _seller_return()
    assert case.state is State.AWAITING_BUYER_SHIPMENT
    assert case.history[0].event == "create_return"
    assert case.history[0].actor is Actor.SELLER
    assert case.refund is None  # the refund follows the returned parcel
    assert case.requested is not None and case.requested.total.amount > 0


def test_only_the_seller_creates_a_return_for_the_buyer():
    with pytest.raises(InvalidTransition, match="seller"):
        apply(fresh(R.RETURN_AND_REFUND), "create_return", Actor.BUYER, T0)


def test_a_seller_created_return_refunds_once_the_parcel_is_confirmed():
    case = _seller_return()
    for event, actor in (
        ("ship_back", Actor.BUYER),
        ("parcel_delivered", Actor.LOGISTICS),
        ("confirm_receipt", Actor.SELLER),
    ):
        case = apply(case, event, actor, T0)
    assert case.state is State.REFUND_COMMITTED
    assert case.refund == case.requested


def test_the_opening_is_declared_with_its_source():
    lc = LIFECYCLES[R.RETURN_AND_REFUND]
    assert lc.openings == ("request", "create_return")
    (t,) = [t for t in lc.transitions if t.event == "create_return"]
    assert t.actors == {Actor.SELLER} and "platform-2026 §1" in t.ref


def test_a_seller_created_return_becomes_one_create_return_call_keyed_by_its_event():
    case = _seller_return(shipment_type="BUYER_ARRANGE", reason="wrong_item")
    request = request_for(fresh(R.RETURN_AND_REFUND, case_id="sr-1"), case)
    assert request is not None
    assert request.operation == "create_return"
    assert request.body["return_type"] == "RETURN_AND_REFUND"
    assert request.body["shipment_type"] == "BUYER_ARRANGE"
    assert request.body["return_reason"] == "wrong_item"
    assert request.body["order_line_item_ids"] == ["L1", "L2"]
    assert request.idempotency_key == idempotency_key("sr-1", 1, "create_return")


def test_a_malformed_shipment_type_is_refused_naming_it():
    case = _seller_return(shipment_type="BY_PIGEON")
    from tiktok_aftersales.errors import InvalidValue

    with pytest.raises(InvalidValue, match="shipment_type"):
        request_for(fresh(R.RETURN_AND_REFUND, case_id="sr-1"), case)


def test_the_service_sends_the_create_return_call_after_storing_the_case():
    from tiktok_aftersales.app.testing import in_memory_service

    service, ports = in_memory_service()
    case = service.open(
        R.RETURN_AND_REFUND,
        case_id="sr-1",
        order_id=ORDER,
        region="US",
        lines=usd_lines(),
        event="create_return",
        actor="seller",
    )
    assert case.state is State.AWAITING_BUYER_SHIPMENT
    assert [r.operation for r in ports.platform.requests] == ["create_return"]
    sent = json.loads(json.dumps(ports.platform.requests[0].body))
    assert sent["return_type"] == "RETURN_AND_REFUND"


# --- sync chooses the opening by the record's role -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "role", "expected"),
    [
        (R.RETURN_AND_REFUND, Actor.SELLER, {("create_return", Actor.SELLER)}),
        (R.RETURN_AND_REFUND, Actor.BUYER, {("request", Actor.BUYER)}),
        (R.RETURN_AND_REFUND, None, {("request", Actor.BUYER)}),
        (R.RETURN_AND_REFUND, Actor.OPERATOR, {("request", Actor.BUYER)}),
        (R.BUYER_CANCELLATION, Actor.BUYER, {("request", Actor.BUYER)}),
        (R.BUYER_CANCELLATION, Actor.SYSTEM, {("cancel_order", Actor.SYSTEM)}),
        (R.SELLER_REFUND, Actor.SELLER, {("initiate_refund", Actor.SELLER)}),
    ],
)
def test_openings_for_a_role_are_derived_from_the_declaration(kind, role, expected):
    assert openings_for(kind, role) == expected


def test_without_a_role_sync_never_infers_an_opening_only_the_seller_fires():
    for kind, lc in LIFECYCLES.items():
        if all(t.actors == {Actor.SELLER} for t in lc.transitions if State.NEW in t.sources):
            continue  # a seller refund: only the seller opens it
        for event, actor in openings_for(kind, None):
            (t,) = [t for t in lc.transitions if t.event == event and State.NEW in t.sources]
            assert t.actors != {Actor.SELLER}, (kind, event, actor)


def test_a_record_started_by_the_seller_opens_a_seller_created_return():
    result = _open(_webhook_12("AWAITING_BUYER_SHIP", "SELLER").data)
    assert result.outcome is Outcome.NEW
    assert [(x.event, x.actor) for x in result.case.history] == [("create_return", Actor.SELLER)]


def test_a_record_started_by_the_buyer_opens_the_buyers_request_even_when_longer():
    result = _open(_webhook_12("AWAITING_BUYER_SHIP", "BUYER").data)
    assert result.outcome is Outcome.NEW
    assert [x.event for x in result.case.history] == ["request", "approve"]
    assert result.case.history[0].actor is Actor.BUYER


def test_a_buyer_role_on_a_seller_created_return_is_a_conflict_and_nothing_changes():
    case = open_from_snapshot(
        _webhook_12("AWAITING_BUYER_SHIP", "SELLER").data,
        case_id="c-1",
        region="US",
        lines=usd_lines(),
        opened_at=T0,
    ).case
    later = _webhook_12("BUYER_SHIPPED_ITEM", "BUYER", update_time=1760100000)
    result = reconcile(case, later)
    assert result.outcome is Outcome.CONFLICT
    assert "BUYER" in result.detail and "seller" in result.detail
    assert result.case is case
    fits = reconcile(case, _webhook_12("BUYER_SHIPPED_ITEM", "SELLER", update_time=1760100000))
    assert fits.outcome is Outcome.ADVANCED


def test_a_type_only_the_seller_opens_keeps_its_opening_without_a_role():
    assert openings_for(R.SELLER_REFUND, None) == {("initiate_refund", Actor.SELLER)}
    assert openings_for(R.RMA, Actor.BUYER) == {("create_rma", Actor.SYSTEM)}
