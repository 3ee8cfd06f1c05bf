"""Openings checked against who may start what, and a buyer cancel's window from the start.

The service (``AfterSalesService.open``) and sync (``open_from_snapshot``, ``opener``) open
cases through one rule, `checked_opening`: given the order's status, an opening the
platform would refuse is refused with ``InitiativeRefused`` naming type, initiator, order
status and region, and nothing is stored or sent; a pending buyer cancellation gets the
region's cancellation window as its deadline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from builders import usd_lines
from tiktok_aftersales import Actor, RequestType, State
from tiktok_aftersales.app.testing import in_memory_service
from tiktok_aftersales.deadlines.cancellation import cancellation_terms
from tiktok_aftersales.deadlines.opening import check_case_opening, checked_opening
from tiktok_aftersales.domain.vocabulary import OrderStage, OrderStatus
from tiktok_aftersales.errors import InitiativeRefused, InvalidValue, RequestTypeNotOffered
from tiktok_aftersales.lifecycle import open_case
from tiktok_aftersales.platform import parse_returns_page, parse_webhook
from tiktok_aftersales.sync import Outcome, open_from_snapshot, opener, sync_page

R = RequestType
H = timedelta(hours=1)
MONDAY = datetime(2026, 3, 2, 17, tzinfo=UTC)  # 09:00 in Los Angeles
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"


def _open(kind=R.RETURN_AND_REFUND, region="US", event=None, actor=None, at=MONDAY, **kw):
    return open_case(
        kind,
        case_id="c-1",
        order_id="o-1",
        region=region,
        lines=usd_lines(),
        at=at,
        event=event,
        actor=actor,
        **kw,
    )


# --- the one rule --------------------------------------------------------------------------


def test_a_seller_created_return_outside_the_us_is_refused_naming_all_four():
    case = _open(region="GB", event="create_return")
    with pytest.raises(InitiativeRefused) as info:
        check_case_opening(case, "DELIVERED")
    error = info.value
    assert (error.request_type, error.initiator, error.order_status, error.region) == (
        R.RETURN_AND_REFUND,
        Actor.SELLER,
        OrderStatus.DELIVERED,
        "GB",
    )
    check_case_opening(_open(region="US", event="create_return"), "IN_TRANSIT")


def test_a_buyer_return_before_delivery_is_refused():
    with pytest.raises(InitiativeRefused, match="IN_TRANSIT"):
        checked_opening(_open(), OrderStatus.IN_TRANSIT)
    assert checked_opening(_open(), OrderStatus.DELIVERED).state is State.REQUESTED


def test_a_sellers_cancel_of_some_lines_is_a_partial_cancel_us_and_uk_only():
    from tiktok_aftersales import Refund

    lines = usd_lines()
    some = {"refund": Refund.line(lines, "L1")}
    for region, allowed in (("US", True), ("GB", True), ("ID", False)):
        case = _open(
            R.BUYER_CANCELLATION,
            region=region,
            event="cancel_order",
            actor="seller",
            payload=some,
            order_stage=OrderStage.NOT_SHIPPED,
        )
        if allowed:
            check_case_opening(case, "AWAITING_SHIPMENT")
        else:
            with pytest.raises(InitiativeRefused, match="single lines"):
                check_case_opening(case, "AWAITING_SHIPMENT")


def test_a_region_that_does_not_offer_the_type_is_refused():
    with pytest.raises(RequestTypeNotOffered):
        check_case_opening(_open(R.EXCHANGE, region="GB"), "DELIVERED")


def test_an_unknown_order_status_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as info:
        check_case_opening(_open(), "SHIPPED")
    assert info.value.field == "order_status"


def test_a_pending_buyer_cancel_gets_the_regions_window_as_its_deadline():
    asked = MONDAY + 3 * H
    case = _open(R.BUYER_CANCELLATION, at=asked, order_stage=OrderStage.NOT_SHIPPED)
    checked = checked_opening(case, "AWAITING_SHIPMENT", ordered_at=MONDAY)
    terms = cancellation_terms("US", "AWAITING_SHIPMENT", MONDAY, asked)
    assert checked.platform_deadline is not None
    assert checked.platform_deadline.deadline == terms.due == asked + 24 * H
    assert checked.platform_deadline.state is State.REQUESTED
    assert checked_opening(case, "AWAITING_SHIPMENT") is case  # no order date: no terms


def test_a_buyer_cannot_cancel_once_collected():
    case = _open(R.BUYER_CANCELLATION, order_stage=OrderStage.SHIPPED_NOT_PICKED_UP)
    with pytest.raises(InitiativeRefused):
        checked_opening(case, "AWAITING_COLLECTION", ordered_at=MONDAY)


# --- the service ---------------------------------------------------------------------------


def test_the_service_refuses_an_opening_and_stores_and_sends_nothing():
    service, ports = in_memory_service(start=MONDAY)
    with pytest.raises(InitiativeRefused) as info:
        service.open(
            R.RETURN_AND_REFUND,
            case_id="sr-1",
            order_id="o-1",
            region="GB",
            lines=usd_lines(),
            event="create_return",
            actor="seller",
            order_status="DELIVERED",
        )
    assert info.value.region == "GB"
    assert list(ports.store.case_ids()) == []
    assert ports.platform.requests == []


def test_the_service_opens_an_allowed_case_as_before():
    service, ports = in_memory_service(start=MONDAY)
    case = service.open(
        R.RETURN_AND_REFUND,
        case_id="sr-1",
        order_id="o-1",
        region="US",
        lines=usd_lines(),
        event="create_return",
        actor="seller",
        order_status="DELIVERED",
    )
    assert ports.store.get("sr-1") == case
    assert [r.operation for r in ports.platform.requests] == ["create_return"]


def test_a_uk_cancel_on_hold_is_accepted_by_the_platform_at_the_next_tick():
    service, _ports = in_memory_service(start=MONDAY)
    case = service.open(
        R.BUYER_CANCELLATION,
        case_id="bc-1",
        order_id="o-1",
        region="GB",
        lines=usd_lines(),
        order_stage=OrderStage.NOT_SHIPPED,
        order_status="ON_HOLD",
        ordered_at=MONDAY - H,
    )
    assert case.state is State.REQUESTED
    assert case.platform_deadline is not None and case.platform_deadline.deadline == MONDAY
    ticked = service.tick("bc-1")
    assert (ticked.state, ticked.history[-1].actor) == (State.REFUND_COMMITTED, Actor.SYSTEM)


def test_a_us_cancel_gets_the_sellers_24_hours_on_the_stored_case():
    service, ports = in_memory_service(start=MONDAY + 3 * H)
    service.open(
        R.BUYER_CANCELLATION,
        case_id="bc-1",
        order_id="o-1",
        region="US",
        lines=usd_lines(),
        order_stage=OrderStage.NOT_SHIPPED,
        order_status="AWAITING_SHIPMENT",
        ordered_at=MONDAY,
    )
    stored = ports.store.get("bc-1")
    assert stored.platform_deadline.deadline == MONDAY + 27 * H


# --- sync ----------------------------------------------------------------------------------


def _load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_sync_refuses_every_record_an_order_status_rules_out_and_opens_nothing():
    page = parse_returns_page(_load("returns_search_response.live.json"))
    report = sync_page({}, page.returns, open_new=opener("VN", order_status="COMPLETED"))
    assert report.counts[Outcome.REFUSED] == len(page.returns)
    assert all(isinstance(r.error, InitiativeRefused) for r in report.results)
    assert report.cases == {}


def test_sync_looks_the_order_status_up_per_record():
    page = parse_returns_page(_load("returns_search_response.live.json"))
    first = page.returns[0].order_id
    status = {first: "IN_TRANSIT"}
    report = sync_page(
        {},
        page.returns,
        open_new=opener("VN", order_status=lambda rec: status.get(rec.order_id, "DELIVERED")),
    )
    refused = report.of(Outcome.REFUSED)
    assert refused and {r.record.order_id for r in refused} == {first}
    assert report.counts[Outcome.NEW] == len(page.returns) - len(refused)


def _cancel_hook(role="BUYER", status="CANCELLATION_REQUEST_PENDING", at=MONDAY + 3 * H):
    return parse_webhook(
        {
            "type": 11,
            "tts_notification_id": "n-1",
            "timestamp": int(at.timestamp()),
            "data": {
                "order_id": "o-1",
                "cancellations_role": role,
                "cancel_status": status,
                "cancel_id": "4035000000000000900",
                "update_time": int(at.timestamp()),
            },
        }
    )


def test_a_pending_cancel_opened_by_sync_carries_the_window():
    result = open_from_snapshot(
        _cancel_hook(),
        case_id="bc-1",
        region="US",
        lines=usd_lines(),
        order_stage=OrderStage.NOT_SHIPPED,
        order_status="AWAITING_SHIPMENT",
        ordered_at=MONDAY,
    )
    assert result.outcome is Outcome.NEW
    assert result.case.history[0].actor is Actor.BUYER
    assert result.case.platform_deadline.deadline == MONDAY + 27 * H


def test_a_system_cancel_opened_by_sync_is_the_systems_direct_cancel():
    result = open_from_snapshot(
        _cancel_hook(role="SYSTEM", status="CANCELLATION_REQUEST_SUCCESS"),
        case_id="bc-1",
        region="US",
        lines=usd_lines(),
        order_status="AWAITING_COLLECTION",
    )
    assert [(x.event, x.actor) for x in result.case.history] == [("cancel_order", Actor.SYSTEM)]


def test_the_service_refuses_a_record_its_opener_rules_out_and_stores_nothing():
    from tiktok_aftersales.platform.responses import parse_returns_page as parse

    service, ports = in_memory_service(start=MONDAY, opener=opener("VN", order_status="COMPLETED"))
    page = parse(_load("returns_search_response.live.json"))
    report = service.ingest(page.returns[:2])
    assert [d.outcome for d in report.deliveries] == [Outcome.REFUSED, Outcome.REFUSED]
    assert isinstance(report.deliveries[0].error, InitiativeRefused)
    assert list(ports.store.case_ids()) == []


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_both_shells_refuse_an_opening_and_carry_a_cancels_window(shell):
    from tiktok_aftersales.app.service_contract import async_shell, sync_shell
    from tiktok_aftersales.app.testing import (
        InMemoryCaseStore,
        InMemoryInventory,
        InMemoryPlatform,
        InMemoryPorts,
        ManualClock,
    )

    ports = InMemoryPorts(
        InMemoryCaseStore(), InMemoryPlatform(), InMemoryInventory(), ManualClock(MONDAY + 3 * H)
    )
    service = (sync_shell if shell == "sync" else async_shell)(ports)
    with pytest.raises(InitiativeRefused):
        service.open(
            R.RETURN_AND_REFUND,
            case_id="sr-1",
            order_id="o-1",
            region="GB",
            lines=usd_lines(),
            event="create_return",
            actor="seller",
            order_status="DELIVERED",
        )
    assert list(ports.store.case_ids()) == [] and ports.platform.requests == []
    case = service.open(
        R.BUYER_CANCELLATION,
        case_id="bc-1",
        order_id="o-1",
        region="US",
        lines=usd_lines(),
        order_stage=OrderStage.NOT_SHIPPED,
        order_status="AWAITING_SHIPMENT",
        ordered_at=MONDAY,
    )
    assert case.platform_deadline.deadline == MONDAY + 27 * H
