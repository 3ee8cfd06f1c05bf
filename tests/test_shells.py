"""The sync and the asyncio service pass one service contract, and agree step for step."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import threaded
from tiktok_aftersales import AfterSalesCase, Breakdown, EffectKind, Money, OrderLine, Refund
from tiktok_aftersales.app.async_ports import (
    AsyncCaseStore,
    AsyncCaseStoreAdapter,
    AsyncInventoryAdapter,
    AsyncInventoryPort,
    AsyncNotificationLog,
    AsyncNotificationLogAdapter,
    AsyncPlatformAdapter,
    AsyncPlatformPort,
)
from tiktok_aftersales.app.async_testing import BlockingCaseStore, async_service_on
from tiktok_aftersales.app.inbound import IngestReport, WebhookSettings
from tiktok_aftersales.app.ports import CaseStore
from tiktok_aftersales.app.service_contract import (
    BlockingService,
    ServiceContract,
    ServiceUnderTest,
    async_shell,
    sync_shell,
)
from tiktok_aftersales.app.testing import (
    CaseStoreContract,
    InMemoryCaseStore,
    InMemoryInventory,
    InMemoryNotificationLog,
    InMemoryPlatform,
    InMemoryPorts,
    ManualClock,
)
from tiktok_aftersales.domain.effects import Effect
from tiktok_aftersales.errors import AfterSalesError, DispatchFailed
from tiktok_aftersales.platform import parse_return
from tiktok_aftersales.sync import opener


class TestSyncShell(ServiceContract):
    def make_service(self, ports: InMemoryPorts, **settings: Any) -> ServiceUnderTest:
        return sync_shell(ports, **settings)


class TestAsyncShell(ServiceContract):
    def make_service(self, ports: InMemoryPorts, **settings: Any) -> ServiceUnderTest:
        return async_shell(ports, **settings)


class TestAsyncCaseStoreAdapter(CaseStoreContract):
    def make_store(self) -> CaseStore:
        return BlockingCaseStore(AsyncCaseStoreAdapter(InMemoryCaseStore()))


def test_async_handlers_and_an_async_opener_are_awaited() -> None:
    seen: list[str] = []

    async def handler(case: AfterSalesCase, effect: Effect) -> None:
        await asyncio.sleep(0)
        seen.append(effect.key)

    plain = opener("US")

    async def open_later(record: object) -> object:
        await asyncio.sleep(0)
        return plain(record)

    ports = _ports()
    service = async_service_on(
        ports, handlers={EffectKind.ISSUE_REFUND: handler}, opener=open_later
    )
    line = {"return_line_item_id": "9001", "order_line_item_id": "L1", "sku_id": "SKU-RED",
            "refund_amount": {"currency": "USD", "refund_subtotal": "19.99",
                              "refund_shipping_fee": "0", "refund_tax": "1.61",
                              "refund_total": "21.60"}}  # fmt: skip
    record = {
        "return_id": "4035000000000000777", "order_id": "o-9", "return_type": "REFUND",
        "return_status": "RETURN_OR_REFUND_REQUEST_PENDING", "role": "BUYER",
        "create_time": 1772442000, "update_time": 1772442000, "return_line_items": [line],
    }  # fmt: skip
    [opened] = asyncio.run(service.ingest([parse_return(record)])).deliveries
    assert opened.outcome.value == "new"
    case = asyncio.run(service.handle_command(opened.case.case_id, "approve", "seller"))
    assert case.state.value == "refund_committed"
    assert seen == [e.key for e in case.effects if e.kind is EffectKind.ISSUE_REFUND]
    assert case.pending_effects == ()


def test_the_async_adapters_satisfy_the_async_port_protocols() -> None:
    assert isinstance(AsyncCaseStoreAdapter(InMemoryCaseStore()), AsyncCaseStore)
    assert isinstance(AsyncPlatformAdapter(InMemoryPlatform()), AsyncPlatformPort)
    assert isinstance(AsyncInventoryAdapter(InMemoryInventory()), AsyncInventoryPort)
    assert isinstance(AsyncNotificationLogAdapter(InMemoryNotificationLog()), AsyncNotificationLog)


# --- the two shells agree, step for step, on random scripts ---------------------------------

LINES = [
    OrderLine("L1", "SKU-RED", Breakdown.of("19.99", "USD", tax="1.61")),
    OrderLine("L2", "SKU-BLUE", Breakdown.of("5.00", "USD")),
]
EVENTS = [
    ("approve", "seller"),
    ("reject", "seller"),
    ("ship_back", "buyer"),
    ("parcel_delivered", "logistics"),
    ("confirm_receipt", "seller"),
    ("withdraw", "buyer"),
]
STATUSES = [
    "RETURN_OR_REFUND_REQUEST_PENDING",
    "RETURN_OR_REFUND_REQUEST_CANCEL",
    "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "AWAITING_BUYER_SHIP",
]

operation = st.one_of(
    st.tuples(
        st.just("command"),
        st.sampled_from(["c1", "c2", "c3"]),
        st.sampled_from(EVENTS),
        st.sampled_from([None, "k1", "k2"]),
    ),
    st.tuples(st.just("advance"), st.integers(1, 24 * 12)),
    st.tuples(st.just("tick"), st.sampled_from([None, "c1", "c2"])),
    st.tuples(st.just("dispatch_pending"), st.sampled_from(["c1", "c2", "c3"])),
    st.tuples(st.just("fail"), st.sampled_from(["inventory", "platform"])),
    st.tuples(st.just("refuse"), st.integers(25011000, 25011999)),
    st.tuples(st.just("ingest"), st.sampled_from(["c1", "c2"]), st.sampled_from(STATUSES)),
    st.tuples(st.just("refund"), st.sampled_from(["s1", "s2"])),
)


def _ports() -> InMemoryPorts:
    return InMemoryPorts(
        InMemoryCaseStore(),
        InMemoryPlatform(),
        InMemoryInventory({"SKU-RED": 3, "SKU-BLUE": 3}, {"SKU-RED": 1, "SKU-BLUE": 1}),
        ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
    )


def _comparable(value: object) -> object:
    """A report with its errors as (type, message): error objects compare by identity."""
    if isinstance(value, IngestReport):
        return [
            (d.outcome, d.notification_id, d.platform_id, d.case, d.detail, repr(d.error))
            for d in value.deliveries
        ]
    return value


def _run(service: ServiceUnderTest, ports: InMemoryPorts, script: list[tuple[Any, ...]]) -> list:
    said: list[object] = []
    for kind, stage in (("refund_only", "not_shipped"), ("return_and_refund", "delivered")):
        case_id = "c1" if kind == "refund_only" else "c2"
        said.append(
            service.open(
                kind, case_id=case_id, order_id="o-1", region="US", lines=LINES,
                order_stage=stage, platform_id=f"40350000000000{case_id}",
            )
        )  # fmt: skip
    for op in script:
        try:
            if op[0] == "command":
                _, case_id, (event, actor), command_id = op
                payload = {"reason": "used"} if event == "reject" else None
                if event == "parcel_delivered":
                    payload = {"disposition": "restock"}
                if event == "ship_back":
                    payload = {"tracking": "T1"}
                said.append(service.handle_command(case_id, event, actor, payload, command_id))
            elif op[0] == "advance":
                said.append(ports.clock.advance(hours=op[1]))
            elif op[0] == "tick":
                said.append(service.tick(op[1]))
            elif op[0] == "dispatch_pending":
                said.append(service.dispatch_pending(op[1]))
            elif op[0] == "fail":
                getattr(ports, op[1]).fail(1)
            elif op[0] == "refuse":
                ports.platform.refuse(op[1])
            elif op[0] == "ingest":
                stamp = int(ports.clock.now().timestamp())
                record = {
                    "return_id": f"40350000000000{op[1]}", "order_id": "o-1",
                    "return_type": "REFUND" if op[1] == "c1" else "RETURN_AND_REFUND",
                    "return_status": op[2], "role": "BUYER",
                    "create_time": 1772442000, "update_time": stamp,
                }  # fmt: skip
                said.append(_comparable(service.ingest([parse_return(record)])))
            elif op[0] == "refund":
                said.append(
                    service.open(
                        "seller_refund", case_id=op[1], order_id="o-1", region="US",
                        lines=LINES, payload={"refund": Refund.partial("L1", Money("9.00", "USD"))},
                    )
                )  # fmt: skip
        except AfterSalesError as error:
            said.append((type(error).__name__, str(error)))
    return said


def _world(ports: InMemoryPorts) -> object:
    return (
        {c.case_id: c for c in ports.store},
        ports.store.conflicts,
        ports.inventory.operations,
        ports.inventory.calls,
        ports.inventory.available,
        ports.platform.calls,
        ports.platform.requests,
        ports.notifications.refetch(),
    )


@settings(max_examples=60, deadline=None)
@given(script=st.lists(operation, max_size=14))
def test_the_sync_and_async_shells_answer_and_act_alike_on_any_script(
    script: list[tuple[Any, ...]],
) -> None:
    sync_ports, async_ports = _ports(), _ports()
    sync_said = _run(sync_shell(sync_ports, opener=opener("US")), sync_ports, script)
    async_said = _run(async_shell(async_ports, opener=opener("US")), async_ports, script)
    assert async_said == sync_said
    assert _world(async_ports) == _world(sync_ports)
    for ports in (sync_ports, async_ports):  # and every effect taken once at the port
        keys = [op.key for op in ports.inventory.operations]
        assert len(keys) == len(set(keys))


# --- tasks on one event loop: the same hammering as the threads -------------------------------


def test_tasks_on_one_loop_lose_no_update_and_carry_out_each_effect_once() -> None:
    ports = InMemoryPorts(
        InMemoryCaseStore(),
        InMemoryPlatform(),
        InMemoryInventory({"SKU-RED": 10, "SKU-BLUE": 10}, {"SKU-RED": 3, "SKU-BLUE": 3}),
        ManualClock(threaded.T0 + timedelta(hours=2)),
    )
    threaded.open_cases(sync_shell(ports))
    service = async_service_on(
        ports, webhooks=WebhookSettings(threaded.APP_KEY, threaded.SECRET), max_attempts=5
    )
    run = threaded.Run()

    async def main() -> None:
        await asyncio.gather(*(threaded.task(service, seed, run) for seed in range(4)))

    asyncio.run(main())
    for case_id in ports.store.case_ids():
        asyncio.run(service.dispatch_pending(case_id))
    cases = {c.case_id: c for c in ports.store}
    inventory_keys = [op.key for op in ports.inventory.operations]
    platform_keys = [r.idempotency_key or r.operation for r in ports.platform.requests]
    threaded.check(run, cases, inventory_keys, platform_keys)
    assert ports.store.conflicts > 0  # the tasks did interleave


# --- the service contract catches a shell that breaks a promise --------------------------------


class SwallowingShell(BlockingService):
    """A broken shell: it hides a failed dispatch and answers the saved case as if all went well."""

    def handle_command(self, *args: Any, **kwargs: Any) -> AfterSalesCase:
        try:
            return super().handle_command(*args, **kwargs)
        except DispatchFailed as failure:
            return failure.case


class _CheckSwallowingShell(ServiceContract):
    def make_service(self, ports: InMemoryPorts, **settings: Any) -> ServiceUnderTest:
        return SwallowingShell(async_service_on(ports, **settings))


def test_the_service_contract_catches_a_shell_that_hides_a_failed_dispatch() -> None:
    check = _CheckSwallowingShell()
    with pytest.raises(AssertionError, match="expected DispatchFailed"):
        check.test_a_failing_port_keeps_the_effect_pending_and_a_retry_does_it_once()
    check.test_a_seller_decision_is_saved_then_sent_once()  # what it does not break still holds
