"""The service contract: one set of checks every shell of the service must pass.

The orchestration is written once ([`tiktok_aftersales.app.steps`][tiktok_aftersales.app.steps]);
[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService] runs it on
synchronous ports and
[`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
on asyncio. [`ServiceContract`][tiktok_aftersales.app.service_contract.ServiceContract]
checks that a shell gives the results, outcomes, errors and exactly-once
effects the service promises, on the in-memory fakes. Subclass it and build
the shell in ``make_service``::

    from tiktok_aftersales.app.service_contract import ServiceContract, async_shell

    class TestAsyncShell(ServiceContract):
        def make_service(self, ports, **settings):
            return async_shell(ports, **settings)

[`sync_shell`][tiktok_aftersales.app.service_contract.sync_shell] and
[`async_shell`][tiktok_aftersales.app.service_contract.async_shell] build the two
shells; the async one is driven through
[`BlockingService`][tiktok_aftersales.app.service_contract.BlockingService]
(``asyncio.run`` per call), so that each check reads the same for both. Like
the port contracts, this is a plain class: importing it does not need pytest.
"""

from __future__ import annotations

import abc
import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import attrs

from ..domain.case import AfterSalesCase
from ..domain.effects import EffectKind
from ..domain.money import Breakdown, OrderLine, Refund
from ..domain.vocabulary import Actor, State
from ..errors import (
    CaseExists,
    ConcurrencyConflict,
    DispatchFailed,
    DuplicateCommand,
    InvalidSignature,
    InvalidTransition,
    OrderOverRefund,
    PlatformRefused,
    PortDown,
    TickFailed,
    UnknownCase,
)
from ..platform.decisions import idempotency_key
from ..platform.records import parse_return
from ..platform.signature import sign
from ..platform.webhooks import parse_webhook
from ..sync import Outcome, opener
from .async_service import AsyncAfterSalesService
from .async_testing import async_service_on
from .contracts import check_that, expect_error
from .inbound import Delivery, IngestReport, WebhookSettings
from .service import AfterSalesService
from .testing import (
    InMemoryCaseStore,
    InMemoryInventory,
    InMemoryPlatform,
    InMemoryPorts,
    ManualClock,
)

__all__ = [
    "BlockingService",
    "ServiceContract",
    "ServiceUnderTest",
    "async_shell",
    "sync_shell",
]


class ServiceUnderTest(Protocol):
    """What the contract calls: the service's methods, answered synchronously."""

    def open(self, request_type: Any, **kwargs: Any) -> AfterSalesCase:
        """``AfterSalesService.open``."""
        ...

    def handle_command(
        self, case_id: str, event: str, actor: Any, payload: Any = None, command_id: Any = None
    ) -> AfterSalesCase:
        """``AfterSalesService.handle_command``."""
        ...

    def tick(self, case_id: str | None = None) -> Any:
        """``AfterSalesService.tick``."""
        ...

    def dispatch_pending(self, case_id: str) -> AfterSalesCase:
        """``AfterSalesService.dispatch_pending``."""
        ...

    def dispatch_effect(self, case_id: str, key: str) -> AfterSalesCase:
        """``AfterSalesService.dispatch_effect``."""
        ...

    def receive(
        self, body: bytes, headers: Mapping[str, str], received_at: datetime | None = None
    ) -> Delivery:
        """``AfterSalesService.receive``."""
        ...

    def ingest(self, records: Iterable[object], received_at: datetime | None = None) -> Any:
        """``AfterSalesService.ingest``."""
        ...

    def refetch(self) -> Any:
        """``AfterSalesService.refetch``."""
        ...


class BlockingService:
    """An [`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
    whose methods answer synchronously (each runs one ``asyncio.run``).

    For tests and scripts only: a host on asyncio awaits the service itself.

    Args:
        service: The async service (kept as ``service``).

    """  # noqa: D205 - the summary names the wrapped class with its link

    def __init__(self, service: AsyncAfterSalesService) -> None:
        self.service = service

    def open(self, request_type: Any, **kwargs: Any) -> AfterSalesCase:
        """``asyncio.run(service.open(...))``."""
        return asyncio.run(self.service.open(request_type, **kwargs))

    def handle_command(
        self,
        case_id: str,
        event: str,
        actor: Any,
        payload: Any = None,
        command_id: Any = None,
        **kwargs: Any,
    ) -> AfterSalesCase:
        """``asyncio.run(service.handle_command(...))``."""
        return asyncio.run(
            self.service.handle_command(case_id, event, actor, payload, command_id, **kwargs)
        )

    def tick(self, case_id: str | None = None) -> Any:
        """``asyncio.run(service.tick(case_id))``."""
        return asyncio.run(self.service.tick(case_id))

    def dispatch_pending(self, case_id: str) -> AfterSalesCase:
        """``asyncio.run(service.dispatch_pending(case_id))``."""
        return asyncio.run(self.service.dispatch_pending(case_id))

    def dispatch_effect(self, case_id: str, key: str) -> AfterSalesCase:
        """``asyncio.run(service.dispatch_effect(case_id, key))``."""
        return asyncio.run(self.service.dispatch_effect(case_id, key))

    def receive(
        self, body: bytes, headers: Mapping[str, str], received_at: datetime | None = None
    ) -> Delivery:
        """``asyncio.run(service.receive(...))``."""
        return asyncio.run(self.service.receive(body, headers, received_at))

    def ingest(
        self, records: Iterable[object], received_at: datetime | None = None
    ) -> IngestReport:
        """``asyncio.run(service.ingest(...))``."""
        return asyncio.run(self.service.ingest(records, received_at))

    def refetch(self) -> IngestReport:
        """``asyncio.run(service.refetch())``."""
        return asyncio.run(self.service.refetch())


def sync_shell(ports: InMemoryPorts, **settings: Any) -> AfterSalesService:
    """The synchronous service on ``ports`` (``settings``: its keyword arguments)."""
    return AfterSalesService(
        ports.store, ports.platform, ports.inventory, ports.clock, ports.notifications, **settings
    )


def async_shell(ports: InMemoryPorts, **settings: Any) -> BlockingService:
    """The asyncio service on ``ports`` (through the async adapters), answering synchronously."""
    return BlockingService(async_service_on(ports, **settings))


# --- the checks ---------------------------------------------------------------------------

LINES = (
    OrderLine("L1", "SKU-RED", Breakdown.of("19.99", "USD", tax="1.61")),
    OrderLine("L2", "SKU-BLUE", Breakdown.of("5.00", "USD")),
)
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
APP_KEY, SECRET = "contract-app-key", "contract-signing-secret"
RETURN_ID = "40350000000000c1"


class _RacingStore(InMemoryCaseStore):
    """Before each of the next saves, another writer saves a change of its own first."""

    def __init__(self) -> None:
        super().__init__()
        self.races: list[Callable[[AfterSalesCase], AfterSalesCase] | None] = []

    def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        race = self.races.pop(0) if self.races else None
        if race is not None:
            other = race(self.get(case.case_id))
            super().save(other, other.version - 1)
        super().save(case, expected_version, order_version=order_version)


def _reviewed(case: AfterSalesCase) -> AfterSalesCase:
    return attrs.evolve(case, review="looked at", version=case.version + 1)


def _return(status: str, update_time: int, **extra: Any) -> dict[str, Any]:
    return {
        "return_id": RETURN_ID,
        "order_id": "o-c1",
        "return_type": "REFUND",
        "return_status": status,
        "role": "BUYER",
        "create_time": 1772442000,
        "update_time": update_time,
        **extra,
    }


def _webhook(notification_id: str, status: str, update_time: int, return_id: str) -> bytes:
    envelope = {
        "type": 12,
        "tts_notification_id": notification_id,
        "shop_id": "7490000000000000001",
        "timestamp": update_time + 5,
        "data": {
            "order_id": "o-c1",
            "return_role": "BUYER",
            "return_type": "REFUND",
            "return_status": status,
            "return_id": return_id,
            "create_time": 1772442000,
            "update_time": update_time,
        },
    }
    return json.dumps(envelope).encode()


class ServiceContract(abc.ABC):
    """Checks that a shell of the service keeps the service's promises (see the module docs).

    Subclass it as ``Test...`` and implement
    [`make_service`][tiktok_aftersales.app.service_contract.ServiceContract.make_service];
    every ``test_*`` method is one promise, on fresh in-memory ports.
    """

    @abc.abstractmethod
    def make_service(self, ports: InMemoryPorts, **settings: Any) -> ServiceUnderTest:
        """Return the shell under test on ``ports``, with the service's keyword ``settings``."""

    # -- helpers -------------------------------------------------------------------------------

    def _make(
        self, *, store: InMemoryCaseStore | None = None, **settings: Any
    ) -> tuple[ServiceUnderTest, InMemoryPorts]:
        ports = InMemoryPorts(
            InMemoryCaseStore() if store is None else store,
            InMemoryPlatform(),
            InMemoryInventory({"SKU-RED": 3, "SKU-BLUE": 3}, {"SKU-RED": 1, "SKU-BLUE": 1}),
            ManualClock(START),
        )
        return self.make_service(ports, **settings), ports

    @staticmethod
    def _open(
        service: ServiceUnderTest,
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

    def _shipped_back(self, service: ServiceUnderTest, ports: InMemoryPorts) -> None:
        self._open(service, "return_and_refund", "delivered")
        ports.clock.advance(hours=1)
        service.handle_command("c1", "approve", "seller", command_id="approve-1")
        ports.clock.advance(hours=1)
        service.handle_command("c1", "ship_back", "buyer", {"tracking": "T1"})
        ports.clock.advance(hours=1)

    # -- commands ------------------------------------------------------------------------------

    def test_open_stores_the_case_and_carries_out_its_first_effects(self) -> None:
        """An opened case is stored, its hold placed, nothing sent for a buyer's request."""
        service, ports = self._make()
        case = self._open(service)
        check_that(ports.store.get("c1") == case, "the opened case is stored")
        check_that(case.state is State.REQUESTED, "the case is requested")
        check_that(ports.inventory.is_blocked("o-c1"), "the order is held")
        check_that(case.pending_effects == (), "every first effect is done")
        check_that(ports.platform.calls == [], "a buyer's request is not sent back")
        expect_error(CaseExists, lambda: self._open(service), "opening the same id again")

    def test_a_seller_decision_is_saved_then_sent_once(self) -> None:
        """The decision is saved, sent from the outbox once, and a repeat is a duplicate."""
        service, ports = self._make()
        self._open(service)
        ports.clock.advance(hours=2)
        case = service.handle_command("c1", "approve", Actor.SELLER, command_id="cmd-1")
        check_that(case.state is State.REFUND_COMMITTED, "the refund is committed")
        check_that(ports.store.get("c1") == case, "the saved case is returned")
        keys = [d.idempotency_key for d in ports.platform.decisions]
        check_that(keys == [idempotency_key("c1", 2, "approve")], f"one decision, got {keys}")
        check_that(ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}, "stock released")
        error = expect_error(
            DuplicateCommand,
            lambda: service.handle_command("c1", "approve", "seller", command_id="cmd-1"),
            "the same command id again",
        )
        check_that(getattr(error, "seq", None) == 2, "the duplicate names the event's place")
        check_that(ports.store.get("c1") == case, "a duplicate changes nothing")
        check_that(len(ports.platform.calls) == 1, "a duplicate sends nothing")

    def test_an_illegal_or_unknown_command_changes_nothing(self) -> None:
        """An event that may not fire, or a case that does not exist, is a typed error."""
        service, ports = self._make()
        before = self._open(service)
        expect_error(
            InvalidTransition,
            lambda: service.handle_command("c1", "confirm_receipt", "seller", command_id="x"),
            "an illegal event",
        )
        check_that(ports.store.get("c1") == before, "nothing stored")
        for call in (
            lambda: service.handle_command("nope", "approve", "seller"),
            lambda: service.tick("nope"),
            lambda: service.dispatch_pending("nope"),
        ):
            error = expect_error(UnknownCase, call, "an unknown case")
            check_that(getattr(error, "value", None) == "nope", "the error names the id")
        check_that(ports.platform.calls == [], "nothing sent")

    def test_money_is_bounded_per_order(self) -> None:
        """A second seller refund of what the order paid is refused; the first is sent once."""
        service, ports = self._make()
        kwargs: dict[str, Any] = {
            "order_id": "o-1",
            "region": "US",
            "lines": LINES,
            "payload": {"refund": Refund.order(LINES)},
        }
        service.open("seller_refund", case_id="s-1", **kwargs)
        ports.clock.advance(hours=1)
        expect_error(
            OrderOverRefund,
            lambda: service.open("seller_refund", case_id="s-2", **kwargs),
            "a second refund of the whole order",
        )
        ids = [c.case_id for c in ports.store.cases_of_order("o-1")]
        check_that(ids == ["s-1"], f"only the first case is stored, got {ids}")
        check_that(len(ports.platform.seller_calls) == 1, "the refund is sent once")

    # -- concurrency ---------------------------------------------------------------------------

    def test_a_lost_race_is_retried_on_the_reloaded_case_and_sent_once(self) -> None:
        """A save that meets a newer version reloads, re-applies, and sends one decision."""
        store = _RacingStore()
        service, ports = self._make(store=store)
        self._open(service)
        store.races.append(_reviewed)
        case = service.handle_command("c1", "approve", "seller", command_id="cmd-1")
        check_that(store.conflicts == 1, "one conflict")
        check_that(case.review == "looked at", "the other writer's change is kept")
        check_that([h.event for h in case.history] == ["request", "approve"], "applied once")
        calls = ports.platform.calls
        check_that(calls == [idempotency_key("c1", 2, "approve")], f"sent once, got {calls}")

    def test_retries_are_bounded(self) -> None:
        """Other writers winning ``max_attempts`` times end in a conflict, nothing sent."""
        store = _RacingStore()
        service, ports = self._make(store=store, max_attempts=2)
        self._open(service)
        store.races.extend([_reviewed, _reviewed])
        expect_error(
            ConcurrencyConflict,
            lambda: service.handle_command("c1", "approve", "seller"),
            "two lost races with max_attempts=2",
        )
        check_that(store.get("c1").state is State.REQUESTED, "the command is not applied")
        check_that(ports.platform.calls == [], "a save that never won sends nothing")

    # -- the outbox ----------------------------------------------------------------------------

    def test_a_failing_port_keeps_the_effect_pending_and_a_retry_does_it_once(self) -> None:
        """The event is saved, the effect stays pending, ``dispatch_pending`` finishes it."""
        service, ports = self._make()
        self._shipped_back(service, ports)
        ports.inventory.fail(1, "stock_in")
        error = expect_error(
            DispatchFailed,
            lambda: service.handle_command(
                "c1", "parcel_delivered", "logistics", {"disposition": "restock"}
            ),
            "a stock-in while the inventory is down",
        )
        check_that(getattr(error, "key", None) == "c1/4/stock_in", "the error names the effect")
        check_that(isinstance(getattr(error, "cause", None), PortDown), "and its cause")
        stored = ports.store.get("c1")
        check_that(stored.state is State.RETURN_DELIVERED, "the event is saved")
        check_that([e.key for e in stored.pending_effects] == ["c1/4/stock_in"], "one pending")
        case = service.dispatch_pending("c1")
        check_that(case.pending_effects == (), "nothing pending after the retry")
        check_that(ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}, "stocked in")
        check_that(service.dispatch_pending("c1") == case, "nothing left to do")
        service.handle_command("c1", "confirm_receipt", "seller")
        check_that(ports.inventory.available == {"SKU-RED": 4, "SKU-BLUE": 4}, "once only")

    def test_a_refused_decision_is_recorded_and_its_effects_settled(self) -> None:
        """A platform refusal is raised with the saved case, its effects not carried out."""
        service, ports = self._make()
        self._open(service)
        ports.platform.refuse(25011012, "reverse status cannot approve application")
        error = expect_error(
            PlatformRefused,
            lambda: service.handle_command("c1", "approve", "seller"),
            "a refused decision",
        )
        stored = ports.store.get("c1")
        check_that(getattr(error, "case", None) == stored, "the error carries the saved case")
        check_that("25011012" in (stored.review or ""), "the refusal is under review")
        check_that(stored.pending_effects == (), "the event's effects are settled")
        check_that(ports.inventory.available == {"SKU-RED": 3, "SKU-BLUE": 3}, "no stock moved")

    def test_dispatch_effect_carries_out_one_pending_effect_once(self) -> None:
        """What an outbox worker calls: the one effect, marked done; again, nothing."""
        service, ports = self._make()
        self._shipped_back(service, ports)
        ports.inventory.fail(1, "stock_in")
        expect_error(
            DispatchFailed,
            lambda: service.handle_command(
                "c1", "parcel_delivered", "logistics", {"disposition": "restock"}
            ),
            "a stock-in while the inventory is down",
        )
        case = service.dispatch_effect("c1", "c1/4/stock_in")
        check_that(case.pending_effects == (), "the effect is done")
        again = service.dispatch_effect("c1", "c1/4/stock_in")
        check_that(again == case, "an effect that is done is not carried out again")
        stock_ins = [op.key for op in ports.inventory.operations if op.method == "stock_in"]
        check_that(stock_ins == ["c1/4/stock_in"], f"stocked in once, got {stock_ins}")

    def test_a_handler_replaces_the_default_route(self) -> None:
        """``handlers=`` carries out its kind of effect instead of the default route."""
        seen: list[str] = []
        service, _ = self._make(
            handlers={EffectKind.SEND_MISSING_ITEMS: lambda case, effect: seen.append(effect.key)}
        )
        service.open("reshipment", case_id="c1", order_id="o1", region="US", lines=LINES)
        service.handle_command("c1", "reship", "seller", {"line_ids": ["L2"]})
        check_that(seen == ["c1/2/send_missing_items"], f"the handler ran once, got {seen}")

    # -- the clock -----------------------------------------------------------------------------

    def test_tick_fires_expired_deadlines_and_reports_failures_per_case(self) -> None:
        """Expired deadlines fire; one case failing does not stop the others."""
        service, ports = self._make()
        self._open(service, case_id="a")
        self._open(service, case_id="b")
        check_that(service.tick() == (), "nothing is due yet")
        ports.clock.advance(days=10)
        ports.inventory.fail(1, "release_allocation")
        error = expect_error(TickFailed, lambda: service.tick(), "a tick with the inventory down")
        failures = getattr(error, "failures", {})
        check_that(set(failures) == {"a"}, f"case a failed, got {sorted(failures)}")
        changed = {c.case_id for c in getattr(error, "changed", ())}
        check_that(changed == {"a", "b"}, f"both advanced, got {sorted(changed)}")
        check_that(service.tick() == (ports.store.get("a"),), "the pending effect is done now")
        check_that(ports.store.get("a").pending_effects == (), "nothing pending")
        check_that(ports.platform.calls == [], "the platform's clock fires its own expiries")

    # -- the one way in ------------------------------------------------------------------------

    def test_a_webhook_is_applied_once_and_a_bad_one_refused(self) -> None:
        """Verified, applied, saved; the same notification again is a duplicate."""
        service, ports = self._make(webhooks=WebhookSettings(APP_KEY, SECRET))
        self._open(service)
        stamp = 1772449200
        body = _webhook("n-1", "RETURN_OR_REFUND_REQUEST_CANCEL", stamp, RETURN_ID)
        headers = {"Authorization": sign(APP_KEY, body, SECRET)}
        at = datetime.fromtimestamp(stamp, UTC) + timedelta(seconds=10)
        first = service.receive(body, headers, at)
        check_that(first.outcome is Outcome.ADVANCED, f"applied, got {first.outcome}")
        check_that(first.case == ports.store.get("c1"), "the saved case is reported")
        check_that(ports.store.get("c1").state is State.WITHDRAWN, "the request is withdrawn")
        check_that(not ports.inventory.is_blocked("o-c1"), "the hold is lifted")
        again = service.receive(body, headers, at)
        check_that(again.outcome is Outcome.DUPLICATE, f"a duplicate, got {again.outcome}")
        forged = service.receive(body, {"Authorization": "0" * 64}, at)
        check_that(forged.outcome is Outcome.REFUSED, "a bad signature is refused")
        check_that(isinstance(forged.error, InvalidSignature), "with the signature error")
        check_that(forged.status == 401, "answered with 401")

    def test_a_poll_applies_each_record_once_and_keeps_what_it_cannot_apply(self) -> None:
        """One outcome per record; an unknown request is kept and ``refetch`` opens it."""
        service, ports = self._make(opener=opener("US"))
        self._open(service)
        cancelled = parse_return(_return("RETURN_OR_REFUND_REQUEST_CANCEL", 1772449200))
        report = service.ingest([cancelled, "not a record"])
        outcomes = sorted(d.outcome.value for d in report.deliveries)
        check_that(outcomes == ["advanced", "refused"], f"one outcome each, got {outcomes}")
        again = service.ingest([cancelled])
        check_that(again.deliveries[0].outcome is Outcome.NOTHING_NEW, "the same record again")
        other = "4035000000000000777"
        hook = _webhook("n-9", "RETURN_OR_REFUND_REQUEST_PENDING", 1772449200, other)
        [kept] = service.ingest([parse_webhook(hook)]).deliveries
        check_that(kept.outcome is Outcome.CONFLICT, f"kept, got {kept.outcome}")
        kept_ids = [pid for pid, _ in ports.notifications.refetch()]
        check_that(kept_ids == [other], f"kept for a re-fetch, got {kept_ids}")
        line = {
            "return_line_item_id": "9001",
            "order_line_item_id": "L1",
            "sku_id": "SKU-RED",
            "refund_amount": {
                "currency": "USD",
                "refund_subtotal": "19.99",
                "refund_shipping_fee": "0",
                "refund_tax": "1.61",
                "refund_total": "21.60",
            },
        }
        ports.platform.records[other] = _return(
            "RETURN_OR_REFUND_REQUEST_PENDING",
            1772449200,
            return_id=other,
            return_line_items=[line],
        )
        [opened] = service.refetch().deliveries
        check_that(opened.outcome is Outcome.NEW, f"opened, got {opened.outcome}")
        check_that(ports.store.find_by_platform_id(other) == opened.case, "and stored")
        check_that(ports.notifications.refetch() == (), "nothing left to re-fetch")
