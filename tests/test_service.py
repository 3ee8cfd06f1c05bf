"""The application service: commands, opening, ticks, snapshots and the effect outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    Breakdown,
    ConcurrencyConflict,
    EffectKind,
    InvalidTransition,
    InvalidValue,
    Money,
    OrderLine,
    Refund,
    State,
    apply,
)
from tiktok_aftersales.app.outbox import stock_items
from tiktok_aftersales.app.ports import (
    CaseExists,
    CaseStore,
    Clock,
    InventoryPort,
    PlatformPort,
    UnknownCase,
)
from tiktok_aftersales.app.service import COMMAND_ID, EFFECT_ROUTES, AfterSalesService
from tiktok_aftersales.app.testing import (
    FixedClock,
    InMemoryCaseStore,
    InMemoryInventory,
    InMemoryPlatform,
    InMemoryPorts,
    ManualClock,
    PortDown,
    in_memory_service,
)
from tiktok_aftersales.errors import DispatchFailed, DuplicateCommand, PlatformRefused, TickFailed
from tiktok_aftersales.platform import idempotency_key, parse_return, parse_webhook
from tiktok_aftersales.sync import Outcome, open_from_snapshot, opener

LINES = [
    OrderLine("L1", "SKU-RED", Breakdown.of("19.99", "USD", tax="1.61")),
    OrderLine("L2", "SKU-BLUE", Breakdown.of("5.00", "USD")),
]


def _service(**kwargs: Any) -> tuple[AfterSalesService, InMemoryPorts]:
    return in_memory_service(
        available={"SKU-RED": 3, "SKU-BLUE": 3}, allocated={"SKU-RED": 1, "SKU-BLUE": 1}, **kwargs
    )


def _open(
    service: AfterSalesService,
    kind: str = "refund_only",
    stage: str = "not_shipped",
    case_id: str = "c1",
) -> AfterSalesCase:
    return service.open(
        kind,
        case_id=case_id,
        order_id=f"o-{case_id}",
        region="US",
        lines=LINES,
        order_stage=stage,
        platform_id=f"40350000000000{case_id}",
    )


def _return_shipped(service: AfterSalesService, ports: InMemoryPorts) -> None:
    _open(service, "return_and_refund", "delivered")
    ports.clock.advance(hours=1)
    service.handle_command("c1", "approve", "seller", command_id="approve-1")
    ports.clock.advance(hours=1)
    service.handle_command("c1", "ship_back", "buyer", {"tracking": "T1"})
    ports.clock.advance(hours=1)


def _return_delivered(
    service: AfterSalesService, ports: InMemoryPorts, disposition: str = "restock"
) -> None:
    _return_shipped(service, ports)
    service.handle_command("c1", "parcel_delivered", "logistics", {"disposition": disposition})


# --- ports --------------------------------------------------------------------------------


def test_the_fakes_satisfy_the_port_protocols() -> None:
    assert isinstance(InMemoryCaseStore(), CaseStore)
    assert isinstance(InMemoryInventory(), InventoryPort)
    assert isinstance(InMemoryPlatform(), PlatformPort)
    assert isinstance(ManualClock(datetime(2026, 1, 1, tzinfo=UTC)), Clock)


def test_every_effect_kind_has_a_documented_route() -> None:
    assert set(EFFECT_ROUTES) == set(EffectKind)


# --- open ---------------------------------------------------------------------------------


def test_open_stores_the_case_and_dispatches_its_first_effects() -> None:
    service, ports = _service()
    case = _open(service)
    assert ports.store.get("c1") == case
    assert case.state is State.REQUESTED
    assert ports.inventory.is_blocked("o-c1")  # refund-only before shipment holds the order
    assert case.pending_effects == ()
    assert ports.platform.calls == []  # a buyer's request is not sent back to the platform


def test_open_of_an_existing_id_is_refused_without_touching_anything() -> None:
    service, ports = _service()
    first = _open(service)
    with pytest.raises(CaseExists) as err:
        service.open(
            "seller_refund",
            case_id="c1",
            order_id="o-c1",
            region="US",
            lines=LINES,
            payload={"refund": Refund.order(LINES)},
        )
    assert err.value.field == "case_id"
    assert ports.store.get("c1") == first
    assert ports.platform.calls == []


def test_a_seller_refund_is_sent_once_and_its_refund_effect_is_only_recorded() -> None:
    service, ports = _service()
    refund = Refund.partial("L1", Money("5.00", "USD"))
    case = service.open(
        "seller_refund",
        case_id="c1",
        order_id="o-c1",
        region="US",
        lines=LINES,
        payload={"refund": refund},
    )
    [call] = ports.platform.seller_calls
    assert call.operation == "seller_refund"
    assert call.idempotency_key == idempotency_key("c1", 1, "initiate_refund")
    assert (call.body["refund_total"], call.body["currency"]) == ("5.00", "USD")
    assert case.state is State.REFUND_COMMITTED  # committed at once: no approval step
    assert [e.kind for e in case.effects] == [EffectKind.PLATFORM_CALL, EffectKind.ISSUE_REFUND]
    assert case.pending_effects == ()
    assert len(ports.platform.seller_calls) == 1
    assert ports.platform.decisions == ()


def test_a_seller_refund_the_platform_did_not_confirm_stays_pending_and_is_sent_once_more() -> None:
    service, ports = _service()
    ports.platform.fail(1, "seller_refund")
    kwargs: dict[str, Any] = {
        "case_id": "c1",
        "order_id": "o-c1",
        "region": "US",
        "lines": LINES,
        "payload": {"refund": Refund.order(LINES)},
    }
    with pytest.raises(DispatchFailed) as err:
        service.open("seller_refund", **kwargs)
    assert err.value.kind is EffectKind.PLATFORM_CALL
    assert isinstance(err.value.cause, PortDown)
    assert ports.store.get("c1").pending_effects[0].kind is EffectKind.PLATFORM_CALL
    with pytest.raises(CaseExists):  # the case is stored: opening again is refused
        service.open("seller_refund", **kwargs)
    service.dispatch_pending("c1")
    key = idempotency_key("c1", 1, "initiate_refund")
    assert ports.platform.calls == [key, key]
    assert len(ports.platform.seller_calls) == 1


# --- commands -----------------------------------------------------------------------------


def test_a_seller_command_is_saved_then_its_decision_sent_from_the_outbox() -> None:
    service, ports = _service()
    _open(service)
    ports.clock.advance(hours=2)
    case = service.handle_command("c1", "approve", Actor.SELLER, command_id="cmd-1")
    assert case.state is State.REFUND_COMMITTED
    assert ports.store.get("c1") == case
    [decision] = ports.platform.decisions
    assert decision.idempotency_key == idempotency_key("c1", 2, "approve")
    assert decision.path == "/return_refund/202309/returns/40350000000000c1/approve"
    assert decision.body == {"decision": "APPROVE_REFUND"}
    assert decision.case_id == "c1"
    [call] = [e for e in case.effects if e.kind is EffectKind.PLATFORM_CALL]
    assert call.key in case.effects_done
    # refunded in full before shipment: allocated stock goes back, once
    assert ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}
    assert case.pending_effects == ()
    assert case.history[-1].payload == {COMMAND_ID: "cmd-1"}


def test_a_command_by_another_actor_is_not_sent_to_the_platform() -> None:
    service, ports = _service()
    _open(service)
    service.handle_command("c1", "withdraw", "buyer")
    assert ports.platform.calls == []


def test_a_decision_without_command_id_is_keyed_by_its_place_in_the_history() -> None:
    service, ports = _service()
    _open(service)
    service.handle_command("c1", "reject", "seller", {"reason": "used"})
    assert [d.idempotency_key for d in ports.platform.decisions] == [
        idempotency_key("c1", 2, "reject")
    ]
    assert ports.platform.decisions[0].body["reject_reason"] == "used"


def test_a_duplicate_command_id_is_a_typed_error_and_changes_nothing() -> None:
    service, ports = _service()
    _open(service)
    first = service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    with pytest.raises(DuplicateCommand) as err:
        service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    assert (err.value.field, err.value.value, err.value.seq) == ("command_id", "cmd-1", 2)
    assert ports.store.get("c1") == first
    assert len(ports.platform.calls) == 1


def test_a_command_id_reused_for_another_event_is_still_a_duplicate() -> None:
    service, _ = _service()
    _open(service, "return_and_refund", "delivered")
    service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    with pytest.raises(DuplicateCommand):
        service.handle_command("c1", "ship_back", "buyer", command_id="cmd-1")


def test_an_unknown_case_id_is_a_typed_error_at_every_entry_point() -> None:
    service, _ = _service()
    for call in (
        lambda: service.handle_command("nope", "approve", "seller"),
        lambda: service.tick("nope"),
        lambda: service.dispatch_pending("nope"),
    ):
        with pytest.raises(UnknownCase) as err:
            call()
        assert (err.value.field, err.value.value) == ("case_id", "nope")


def test_an_illegal_command_changes_nothing_and_sends_nothing() -> None:
    service, ports = _service()
    before = _open(service)
    with pytest.raises(InvalidTransition):
        service.handle_command("c1", "confirm_receipt", "seller", command_id="x")
    assert ports.store.get("c1") == before
    assert ports.platform.calls == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"command_id": ""}, "command_id"),
        ({"command_id": 7}, "command_id"),
        ({"payload": ["approve"]}, "payload"),
        ({"payload": {COMMAND_ID: "other"}, "command_id": "cmd-1"}, f"payload.{COMMAND_ID}"),
        ({"actor": "robot"}, "actor"),
    ],
)
def test_malformed_commands_are_refused_naming_the_field(
    kwargs: dict[str, Any], field: str
) -> None:
    service, ports = _service()
    before = _open(service)
    args: dict[str, Any] = {"actor": "seller", **kwargs}
    with pytest.raises(InvalidValue) as err:
        service.handle_command("c1", "approve", **args)
    assert err.value.field == field
    assert ports.store.get("c1") == before


def test_a_platform_failure_keeps_the_decision_pending_and_the_retry_sends_the_same_key() -> None:
    service, ports = _service()
    _open(service)
    ports.platform.fail(1)
    with pytest.raises(DispatchFailed) as err:
        service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    assert err.value.kind is EffectKind.PLATFORM_CALL
    stored = ports.store.get("c1")
    assert stored.state is State.REFUND_COMMITTED  # saved first: the outbox holds the call
    assert stored.pending_effects[0].kind is EffectKind.PLATFORM_CALL
    with pytest.raises(DuplicateCommand):  # the command is not applied twice
        service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    case = service.dispatch_pending("c1")
    assert case.pending_effects == ()
    key = idempotency_key("c1", 2, "approve")
    assert ports.platform.calls == [key, key]
    assert len(ports.platform.decisions) == 1


def test_a_decision_the_platform_refuses_is_recorded_and_its_effects_are_not_carried_out() -> None:
    service, ports = _service()
    _open(service)
    ports.platform.refuse(25011012, "reverse status cannot approve application")
    with pytest.raises(PlatformRefused) as err:
        service.handle_command("c1", "approve", "seller")
    assert err.value.code == 25011012
    stored = ports.store.get("c1")
    assert stored == err.value.case
    assert "25011012" in (stored.review or "")
    assert stored.pending_effects == ()  # settled, not carried out
    assert ports.inventory.available == {"SKU-RED": 3, "SKU-BLUE": 3}  # no stock released


def test_naive_clock_is_refused() -> None:
    service, ports = _service()
    ports.clock.at = datetime(2026, 3, 2, 9)  # a broken host clock
    with pytest.raises(InvalidValue) as err:
        _open(service)
    assert err.value.field == "clock.now()"


def test_bad_service_settings_are_refused() -> None:
    store, platform, inventory = InMemoryCaseStore(), InMemoryPlatform(), InMemoryInventory()
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(InvalidValue) as err:
        AfterSalesService(store, platform, inventory, clock, max_attempts=0)
    assert err.value.field == "max_attempts"
    with pytest.raises(InvalidValue) as err:
        AfterSalesService(store, platform, inventory, clock, handlers={"stock_in": print})  # type: ignore[dict-item]
    assert err.value.field == "handlers"


# --- concurrency --------------------------------------------------------------------------


class RacingStore(InMemoryCaseStore):
    """Before the next ``save``s, another writer saves a change of its own first."""

    def __init__(self) -> None:
        super().__init__()
        self.races: list[Any] = []

    def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        race = self.races.pop(0) if self.races else None
        if race is not None:
            other = race(self.get(case.case_id))
            super().save(other, other.version - 1)
        super().save(case, expected_version, order_version=order_version)


def _racing_service() -> tuple[AfterSalesService, InMemoryPorts, RacingStore]:
    service, ports = _service()
    store = RacingStore()
    service.store = store
    ports.store = store
    return service, ports, store


def _reviewed(case: AfterSalesCase) -> AfterSalesCase:
    return attrs.evolve(case, review="looked at", version=case.version + 1)


def test_a_conflicting_save_is_retried_on_the_new_version_and_the_decision_sent_once() -> None:
    service, ports, store = _racing_service()
    _open(service)
    store.races.append(_reviewed)
    case = service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    assert store.conflicts == 1
    assert case.review == "looked at"  # the other writer's change is kept
    assert [h.event for h in case.history] == ["request", "approve"]
    assert ports.platform.calls == [idempotency_key("c1", 2, "approve")]


def test_the_same_command_won_by_another_writer_is_reported_as_duplicate() -> None:
    service, ports, store = _racing_service()
    _open(service)
    at = ports.clock.now()
    store.races.append(lambda c: apply(c, "approve", "seller", at, {COMMAND_ID: "cmd-1"}))
    with pytest.raises(DuplicateCommand):
        service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    assert ports.platform.calls == []  # a save that never won sends nothing
    assert [h.event for h in store.get("c1").history] == ["request", "approve"]


def test_retries_are_bounded_and_end_in_a_conflict_error() -> None:
    service, ports, store = _racing_service()
    _open(service)
    store.races.extend([_reviewed] * 3)
    with pytest.raises(ConcurrencyConflict) as err:
        service.handle_command("c1", "approve", "seller", command_id="cmd-1")
    assert err.value.case_id == "c1"
    assert store.conflicts == 3
    assert store.get("c1").state is State.REQUESTED
    assert ports.platform.calls == []  # a save that never won sends nothing


def test_marking_effects_done_survives_a_concurrent_save() -> None:
    service, _, store = _racing_service()
    _open(service)
    store.races.extend([None, _reviewed])  # the command saves cleanly; marking its effects races
    case = service.handle_command("c1", "approve", "seller")
    assert store.conflicts == 1
    assert case.review == "looked at"
    assert case.pending_effects == ()
    assert store.get("c1") == case


# --- the outbox ---------------------------------------------------------------------------


def test_a_failing_port_leaves_the_effect_pending_and_dispatch_pending_finishes_it_once() -> None:
    service, ports = _service()
    _return_shipped(service, ports)
    ports.inventory.fail(1, "stock_in")
    with pytest.raises(DispatchFailed) as err:
        service.handle_command("c1", "parcel_delivered", "logistics", {"disposition": "restock"})
    failure = err.value
    assert failure.kind is EffectKind.STOCK_IN
    assert failure.key == "c1/4/stock_in"
    assert failure.case_id == "c1"
    assert "dispatch_pending('c1')" in str(failure)
    stored = ports.store.get("c1")
    assert stored == failure.case
    assert stored.state is State.RETURN_DELIVERED  # the event itself is saved
    assert [e.key for e in stored.pending_effects] == ["c1/4/stock_in"]
    assert ports.inventory.available["SKU-RED"] == 3
    case = service.dispatch_pending("c1")
    assert case.pending_effects == ()
    assert ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}
    assert service.dispatch_pending("c1") == case  # nothing left: no change
    service.handle_command("c1", "confirm_receipt", "seller")
    assert ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}  # stocked in once


def test_a_crash_after_the_port_call_repeats_the_key_and_the_port_ignores_it() -> None:
    service, ports = _service()
    _return_shipped(service, ports)
    case = service.store.get("c1")
    after = apply(
        case, "parcel_delivered", "logistics", ports.clock.now(), {"disposition": "restock"}
    )
    ports.store.save(after, case.version)
    # the host ran the port, then crashed before saving the effect as done
    [effect] = after.pending_effects
    items = stock_items(after, effect.line_ids)
    ports.inventory.stock_in(effect.key, effect.order_id, items, effect.disposition)  # type: ignore[arg-type]
    service.dispatch_pending("c1")
    assert [op.key for op in ports.inventory.operations if op.method == "stock_in"] == [effect.key]
    assert ports.inventory.calls.count(effect.key) == 2
    assert ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}


def test_stock_in_uses_the_disposition_from_the_parcel() -> None:
    service, ports = _service()
    _return_delivered(service, ports, "damaged")
    service.handle_command("c1", "confirm_receipt", "seller")
    assert ports.inventory.damaged == {"SKU-RED": 1, "SKU-BLUE": 1}
    assert ports.inventory.available == {"SKU-RED": 3, "SKU-BLUE": 3}


def test_a_refund_after_shipment_before_pickup_flags_a_manual_stock_in() -> None:
    service, ports = _service()
    _open(service, stage="shipped_not_picked_up")
    service.handle_command("c1", "approve", "seller")
    [flag] = ports.inventory.manual_stock_ins
    assert {i.sku_id for i in flag.items} == {"SKU-RED", "SKU-BLUE"}


def test_a_handler_replaces_the_default_route() -> None:
    seen: list[str] = []
    service, _ = _service()
    service.handlers = {EffectKind.SEND_MISSING_ITEMS: lambda case, effect: seen.append(effect.key)}
    service.open("reshipment", case_id="c1", order_id="o1", region="US", lines=LINES)
    service.handle_command("c1", "reship", "seller", {"line_ids": ["L2"]})
    assert seen == ["c1/2/send_missing_items"]


def test_effects_are_dispatched_in_order_and_stop_at_the_first_failure() -> None:
    service, ports = _service()
    _open(service)  # holds the order
    ports.inventory.fail(1, "release_allocation")
    with pytest.raises(DispatchFailed) as err:
        service.handle_command("c1", "approve", "seller")
    assert err.value.kind is EffectKind.RELEASE_STOCK
    done = ports.store.get("c1").effects_done
    assert "c1/2/issue_refund" in done and "c1/2/release_stock" not in done


# --- the clock ----------------------------------------------------------------------------


def test_tick_fires_expired_deadlines_and_dispatches_their_effects() -> None:
    service, ports = _service()
    _open(service)
    assert service.tick("c1").state is State.REQUESTED
    ports.clock.advance(days=10)
    case = service.tick("c1")
    assert case.state in (State.REFUND_COMMITTED, State.REFUNDED)
    assert case.history[1].actor is Actor.SYSTEM
    assert case.pending_effects == ()
    assert ports.inventory.available["SKU-RED"] == 4
    assert ports.platform.calls == []  # the platform's own clock fires the same expiry


def test_tick_of_every_case_returns_the_ones_that_changed() -> None:
    service, ports = _service()
    _open(service, case_id="a")
    ports.clock.advance(days=10)
    _open(service, case_id="b")
    changed = service.tick()
    assert [c.case_id for c in changed] == ["a"]
    assert service.tick() == ()


def test_a_tick_that_fails_for_one_case_still_advances_the_others() -> None:
    service, ports = _service()
    _open(service, case_id="a")
    _open(service, case_id="b")
    ports.clock.advance(days=10)
    ports.inventory.fail(1, "release_allocation")
    with pytest.raises(TickFailed) as err:
        service.tick()
    assert set(err.value.failures) == {"a"}
    assert isinstance(err.value.failures["a"], DispatchFailed)
    assert {c.case_id for c in err.value.changed} == {"a", "b"}
    assert service.tick() == (service.store.get("a"),)  # the pending effect is dispatched now
    assert service.store.get("a").pending_effects == ()


# --- snapshots ----------------------------------------------------------------------------


RETURN = {
    "return_id": "40350000000000c1",
    "order_id": "o-c1",
    "return_type": "REFUND",
    "return_status": "RETURN_OR_REFUND_REQUEST_CANCEL",
    "role": "BUYER",
    "create_time": 1772442000,
    "update_time": 1772449200,
}


def test_a_polled_record_is_reconciled_saved_and_dispatched_without_calling_the_platform() -> None:
    service, ports = _service()
    _open(service)
    report = service.ingest([parse_return(RETURN)])
    [delivery] = report.deliveries
    assert delivery.outcome is Outcome.ADVANCED
    assert delivery.case.state is State.WITHDRAWN
    assert ports.store.get("c1") == delivery.case
    assert not ports.inventory.is_blocked("o-c1")  # the hold is lifted
    again = service.ingest([parse_return(RETURN)])  # the next poll sees the same record
    assert again.deliveries[0].outcome is Outcome.NOTHING_NEW
    assert ports.platform.calls == []


def test_a_record_of_an_unknown_request_is_kept_for_a_refetch_and_refetch_opens_it() -> None:
    service, ports = _service(opener=opener("US"))
    hook = parse_webhook(
        {
            "type": 12,
            "tts_notification_id": "n-9",
            "timestamp": 1772449205,
            "data": {**{k: RETURN[k] for k in ("order_id", "return_type", "create_time")},
                     "return_id": "4035000000000000777", "return_role": "BUYER",
                     "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
                     "update_time": 1772449200},
        }
    )  # fmt: skip
    [delivery] = service.ingest([hook]).deliveries
    assert delivery.outcome is Outcome.CONFLICT and delivery.case is None
    assert [pid for pid, _ in ports.notifications.refetch()] == ["4035000000000000777"]
    line = {"return_line_item_id": "9001", "order_line_item_id": "L1", "sku_id": "SKU-RED",
            "refund_amount": {"currency": "USD", "refund_subtotal": "19.99",
                              "refund_shipping_fee": "0", "refund_tax": "1.61",
                              "refund_total": "21.60"}}  # fmt: skip
    ports.platform.records["4035000000000000777"] = {
        **RETURN,
        "return_id": "4035000000000000777",
        "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
        "return_line_items": [line],
    }
    [opened] = service.refetch().deliveries
    assert opened.outcome is Outcome.NEW
    assert opened.case.lines[0].line_id == "L1"  # order-line ids, the one rule
    assert ports.store.find_by_platform_id("4035000000000000777") == opened.case
    assert ports.notifications.refetch() == ()


def test_one_bad_record_does_not_stop_the_batch_and_is_kept() -> None:
    service, ports = _service()
    _open(service)
    _open(service, case_id="c2")
    exchange = {
        **RETURN,
        "return_id": "40350000000000c2",
        "order_id": "o-c2",
        "return_type": "REPLACEMENT",
        "return_status": "REPLACEMENT_REQUEST_PENDING",
    }
    report = service.ingest([parse_return(exchange), parse_return(RETURN), "not a record"])
    outcomes = sorted(d.outcome.value for d in report.deliveries)
    assert outcomes == ["advanced", "conflict", "refused"]
    conflict = report.of(Outcome.CONFLICT)[0]
    assert "exchange" in conflict.detail and "refund_only" in conflict.detail
    assert ports.store.get("c1").state is State.WITHDRAWN  # the good record applied


# --- invariants ---------------------------------------------------------------------------

_SCRIPT = [
    ("approve", "seller"),
    ("ship_back", "buyer"),
    ("parcel_delivered", "logistics"),
    ("confirm_receipt", "seller"),
]


@settings(max_examples=40, deadline=None)
@given(
    failures=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["inventory", "platform"])), max_size=4
    ),
    repeats=st.lists(st.integers(0, 3), max_size=3),
)
def test_with_random_port_failures_and_repeats_every_effect_happens_exactly_once(
    failures: list[tuple[int, str]], repeats: list[int]
) -> None:
    service, ports = _service()
    service.open(
        "return_and_refund", case_id="c1", order_id="o1", region="US", lines=LINES,
        platform_id="4035000000000000001",
    )  # fmt: skip
    plan = {step: kind for step, kind in failures}
    order = list(range(len(_SCRIPT))) + repeats
    applied: set[int] = set()
    for step in order:
        if step > (max(applied) + 1 if applied else 0):
            continue
        if plan.pop(step, None) == "inventory":
            ports.inventory.fail(1)
        elif plan.get(step) == "platform":
            ports.platform.fail(1)
        ports.clock.advance(minutes=5)
        event, actor = _SCRIPT[step]
        for _ in range(3):  # the host retries what failed
            try:
                service.handle_command("c1", event, actor, command_id=f"cmd-{step}")
            except DispatchFailed:
                service.dispatch_pending("c1")
            except DuplicateCommand:
                service.dispatch_pending("c1")
            applied.add(step)
            break
    case = ports.store.get("c1")
    events = [h.event for h in case.history]
    assert len(events) == len(set(events))  # every event applied once
    assert case.pending_effects == ()
    keys = [op.key for op in ports.inventory.operations]
    assert len(keys) == len(set(keys))
    decisions = [d.idempotency_key for d in ports.platform.decisions]
    assert len(decisions) == len(set(decisions))
    if case.state is State.REFUND_COMMITTED:
        assert [e.kind for e in case.effects].count(EffectKind.ISSUE_REFUND) == 1
        assert ports.inventory.available["SKU-RED"] == 4


# --- docs/ports.md stays runnable and in step -----------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "ports.md"


def test_the_python_blocks_of_the_ports_page_run_in_order() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    namespace: dict[str, Any] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/ports.md block {i}", "exec"), namespace)


def test_the_ports_page_lists_the_route_of_every_effect_kind() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for kind in EffectKind:
        assert f"| `{kind.value}` |" in text, kind


def test_a_snapshot_for_an_unknown_request_opens_a_stored_case_in_the_platform_state():
    from tiktok_aftersales import Breakdown, OrderLine, State
    from tiktok_aftersales.app.testing import in_memory_service
    from tiktok_aftersales.platform import parse_webhook

    service, ports = in_memory_service()
    hook = parse_webhook(
        {
            "type": 12,
            "tts_notification_id": "n-1",
            "timestamp": 1760200005,
            "data": {
                "order_id": "o-7",
                "return_role": "BUYER",
                "return_type": "REFUND",
                "return_status": "RETURN_OR_REFUND_REQUEST_SUCCESS",
                "return_id": "r-7",
                "create_time": 1760000000,
                "update_time": 1760200000,
            },
        }
    )
    lines = [OrderLine("L1", "SKU-RED", Breakdown.of("10.00", "USD"))]

    def host_opener(record):  # the host knows the order's lines from its own records
        return open_from_snapshot(record, case_id="c-7", region="US", lines=lines)

    service.opener = host_opener
    [delivery] = service.ingest([hook]).deliveries
    case = delivery.case
    assert delivery.outcome is Outcome.NEW
    assert case.state is State.REFUND_COMMITTED
    assert ports.store.get("c-7").state is State.REFUND_COMMITTED
    assert case.platform_id == "r-7"
    [again] = service.ingest([hook]).deliveries
    assert again.outcome is Outcome.DUPLICATE  # the same notification id
