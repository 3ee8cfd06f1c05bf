"""One boundary to the platform: one reading, one way in, one way out, money bounded per order.

Each test is one finding of the boundary issue, named after the behaviour that now holds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import Actor, Breakdown, OrderLine, Refund, State
from tiktok_aftersales.analysis import load_platform_dump
from tiktok_aftersales.app import WebhookSettings
from tiktok_aftersales.app.testing import InMemoryCaseStore, in_memory_service
from tiktok_aftersales.errors import (
    DeliveryOutsideTolerance,
    InvalidSignature,
    InvalidTransition,
    OrderOverRefund,
)
from tiktok_aftersales.platform import (
    build_decision,
    idempotency_key,
    parse_returns_page,
    parse_webhook,
    record_of,
    sign,
)
from tiktok_aftersales.sync import Outcome, opener, reconcile, sync_page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"
APP_KEY, SECRET = "app-key", "signing-secret"
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
LINES = [OrderLine("L1", "MUG-01", Breakdown.of("20.00", "USD", tax="1.60"))]


def _service(**kwargs):
    return in_memory_service(
        start=T0, webhooks=WebhookSettings(APP_KEY, SECRET), opener=opener("US"), **kwargs
    )


def _body(nid, status, update_time, *, return_id="4035000000000000001", role="BUYER",
          kind="REFUND", stamp=None):  # fmt: skip
    return json.dumps(
        {
            "type": 12,
            "tts_notification_id": nid,
            "shop_id": "7490000000000000001",
            "timestamp": int(stamp if stamp is not None else update_time + 5),
            "data": {
                "order_id": "577000000000000001",
                "return_role": role,
                "return_type": kind,
                "return_status": status,
                "return_id": return_id,
                "create_time": 1772442000,
                "update_time": int(update_time),
            },
        }
    ).encode()


def _headers(body):
    return {"Authorization": sign(APP_KEY, body, SECRET)}


def _open_buyer_request(service, platform_id="4035000000000000001"):
    return service.open(
        "refund_only",
        case_id="c-1",
        order_id="577000000000000001",
        region="US",
        lines=LINES,
        platform_id=platform_id,
    )


# 1. --------------------------------------------------------------------------------------------


def test_two_seller_refunds_on_one_order_cannot_both_refund_what_it_paid():
    service, ports = _service()
    kwargs = {"order_id": "o-1", "region": "US", "lines": LINES,
              "payload": {"refund": Refund.order(LINES)}}  # fmt: skip
    service.open("seller_refund", case_id="s-1", **kwargs)
    ports.clock.advance(hours=1)
    service.handle_command("s-1", "approve", Actor.SYSTEM)
    ports.clock.advance(hours=1)
    with pytest.raises(OrderOverRefund) as caught:
        service.open("seller_refund", case_id="s-2", **kwargs)
    assert (caught.value.order_id, caught.value.line_id) == ("o-1", "L1")
    assert str(caught.value.left) == "0.00 USD"
    assert [c.case_id for c in ports.store.cases_of_order("o-1")] == ["s-1"]
    assert len(ports.platform.seller_calls) == 1  # 21.60 sent once, not twice


# 2. --------------------------------------------------------------------------------------------


def test_every_path_reads_the_live_returns_into_the_same_cases_with_order_line_ids():
    data = json.loads((FIXTURES / "returns_search_response.live.json").read_text())
    page = parse_returns_page(data)
    by_sync = sync_page({}, page.returns, open_new=opener("VN")).cases
    by_dump = {h.case_id: h for h in load_platform_dump([json.dumps(data)], region="VN").histories}
    assert set(by_sync) == set(by_dump)
    for platform_id, case in by_sync.items():
        assert tuple(x.line_id for x in case.lines) == tuple(
            x.line_id for x in by_dump[platform_id].lines
        )
        assert case.request_type is by_dump[platform_id].request_type
    first = record_of(page.returns[0])
    assert first.lines[0].order_line_id.startswith("579238050604")
    assert first.lines[0].return_line_id.startswith("4035463945335")
    assert by_sync[first.platform_id].lines[0].line_id == first.lines[0].order_line_id


def test_a_webhook_envelope_is_read_as_a_record_not_marked_unmapped():
    service, _ = _service()
    case = _open_buyer_request(service)
    envelope = parse_webhook(_body("n-1", "RETURN_OR_REFUND_REQUEST_SUCCESS", T0.timestamp() + 60))
    result = reconcile(case, envelope)
    assert result.outcome is Outcome.ADVANCED and result.case.state is State.REFUND_COMMITTED


# 3. --------------------------------------------------------------------------------------------


def test_one_way_in_finds_the_case_by_platform_id_and_a_restart_keeps_the_dedup():
    service, ports = _service()
    _open_buyer_request(service)
    body = _body("n-1", "RETURN_OR_REFUND_REQUEST_SUCCESS", T0.timestamp() + 60)
    first = service.receive(body, _headers(body), T0 + timedelta(minutes=2))
    assert first.outcome is Outcome.ADVANCED and first.case.case_id == "c-1"
    restarted, _ = in_memory_service(start=T0, webhooks=WebhookSettings(APP_KEY, SECRET))
    restarted.store, restarted.notifications = ports.store, ports.notifications
    again = restarted.receive(body, _headers(body), T0 + timedelta(minutes=3))
    assert again.outcome is Outcome.DUPLICATE
    assert ports.store.get("c-1").version == first.case.version


# 4. --------------------------------------------------------------------------------------------


def test_one_way_out_a_decision_has_one_request_with_one_key():
    service, ports = _service()
    before = _open_buyer_request(service)
    ports.clock.advance(hours=1)
    service.handle_command("c-1", "approve", Actor.SELLER, command_id="click-1")
    [sent] = ports.platform.requests
    built = build_decision(before, "approve").request()
    assert sent.idempotency_key == built.idempotency_key == idempotency_key("c-1", 2, "approve")
    assert (sent.path, sent.body) == (built.path, built.body)


# 5. --------------------------------------------------------------------------------------------


class _Interleaved(InMemoryCaseStore):
    """Runs another process's whole command just before this process saves."""

    def __init__(self, other):
        super().__init__()
        self.other = other

    def save(self, case, expected_version, *, order_version=None):
        if self.other is not None:
            run, self.other = self.other, None
            run()
        super().save(case, expected_version, order_version=order_version)


def test_two_processes_approving_one_case_make_exactly_one_platform_call():
    first, ports = _service()
    _open_buyer_request(first)
    second, _ = _service()
    second.platform = ports.platform
    store = _Interleaved(None)
    for case in ports.store:
        store.add(case)
    first.store = second.store = store
    ports.clock.advance(hours=1)
    second.clock = ports.clock
    store.other = lambda: second.handle_command("c-1", "approve", Actor.SELLER, command_id="b")
    with pytest.raises(InvalidTransition):
        first.handle_command("c-1", "approve", Actor.SELLER, command_id="a")
    assert len(ports.platform.requests) == 1
    assert store.get("c-1").state is State.REFUND_COMMITTED


# 6. --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("skew", [timedelta(hours=1), -timedelta(hours=1)])
def test_a_clock_skew_of_an_hour_neither_stalls_sync_nor_refuses_a_host_command(skew):
    service, ports = _service()
    service.webhooks = WebhookSettings(APP_KEY, SECRET, tolerance=timedelta(hours=2))
    _open_buyer_request(service)
    host = T0 + timedelta(hours=3)
    ports.clock.set(host)
    platform_now = host - skew  # the platform's clock, skewed against the host's
    offer = {"amount": Refund.partial("L1", Breakdown.of("5.00", "USD"))}
    service.handle_command("c-1", "offer_partial_refund", Actor.SELLER, offer)
    body = _body("n-2", "RETURN_OR_REFUND_REQUEST_PENDING", platform_now.timestamp(),
                 stamp=platform_now.timestamp())  # fmt: skip
    declined = service.receive(body, _headers(body), host)  # the buyer declined: pending again
    assert declined.outcome is Outcome.ADVANCED
    assert declined.case.state is State.REQUESTED
    ports.clock.advance(minutes=1)
    case = service.handle_command("c-1", "approve", Actor.SELLER)  # host time after platform time
    assert case.state is State.REFUND_COMMITTED


# 7. --------------------------------------------------------------------------------------------


def test_a_seller_role_on_a_buyer_request_is_a_conflict_naming_both_values_not_an_exception():
    service, _ = _service()
    _open_buyer_request(service)
    body = _body("n-3", "RETURN_OR_REFUND_REQUEST_PENDING", T0.timestamp() + 60, role="SELLER")
    delivery = service.receive(body, _headers(body), T0 + timedelta(minutes=2))
    assert delivery.outcome is Outcome.CONFLICT
    assert "SELLER" in delivery.detail and "buyer" in delivery.detail


# 8. --------------------------------------------------------------------------------------------


def test_a_validly_signed_delivery_outside_the_tolerance_is_refused():
    service, ports = _service()
    case = _open_buyer_request(service)
    body = _body("n-4", "RETURN_OR_REFUND_REQUEST_SUCCESS", T0.timestamp() + 60)
    late = service.receive(body, _headers(body), T0 + timedelta(days=2))
    assert late.outcome is Outcome.REFUSED and isinstance(late.error, DeliveryOutsideTolerance)
    assert late.error.field == "timestamp"
    assert ports.store.get("c-1") == case
    forged = service.receive(body, {"Authorization": "0" * 64}, T0 + timedelta(minutes=2))
    assert isinstance(forged.error, InvalidSignature) and forged.status == 401
    assert ports.store.get("c-1") == case


# the property: shuffled, duplicated, dropped deliveries with skews converge -------------------

STATUSES = [
    "RETURN_OR_REFUND_REQUEST_PENDING",
    "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "RETURN_OR_REFUND_REQUEST_COMPLETE",
]


@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(range(3)),
    extra=st.lists(st.integers(0, 2), max_size=4),
    skew=st.integers(-3600, 3600),
)
def test_shuffled_duplicated_skewed_deliveries_converge_to_the_in_order_result(order, extra, skew):
    service, ports = _service()
    service.webhooks = WebhookSettings(APP_KEY, SECRET, tolerance=timedelta(hours=2))
    _open_buyer_request(service)
    base = T0.timestamp() + skew
    bodies = [_body(f"n-{i}", s, base + 600 * (i + 1)) for i, s in enumerate(STATUSES)]
    deliveries = [bodies[i] for i in order] + [bodies[i] for i in extra]
    host = T0 + timedelta(hours=1)
    for body in deliveries:
        host += timedelta(minutes=1)
        service.receive(body, _headers(body), host)
    case = ports.store.get("c-1")
    assert case.state is State.REFUNDED
    events = [h.event for h in case.history]
    assert events.count("approve") == 1 and events.count("complete_refund") == 1
    assert case.pending_effects == ()


def test_a_seller_refund_holds_its_amount_from_the_moment_it_is_sent():
    service, ports = _service()
    common = {"order_id": "o-2", "region": "US", "lines": LINES}
    first = {"refund": Refund.partial("L1", Breakdown.of("15.00", "USD"))}
    service.open("seller_refund", case_id="s-1", payload=first, **common)
    second = {"refund": Refund.partial("L1", Breakdown.of("10.00", "USD"))}
    with pytest.raises(OrderOverRefund) as caught:
        service.open("seller_refund", case_id="s-2", payload=second, **common)
    assert str(caught.value.left) == "6.60 USD"
    assert len(ports.platform.seller_calls) == 1
