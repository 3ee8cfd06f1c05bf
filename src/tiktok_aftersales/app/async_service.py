"""The application service for asyncio hosts: the same orchestration, awaited.

[`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
has the methods of
[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService] as
coroutines, on the async ports of
[`tiktok_aftersales.app.async_ports`][tiktok_aftersales.app.async_ports]. It holds
no logic of its own: it runs the same steps
([`tiktok_aftersales.app.steps`][tiktok_aftersales.app.steps]) the synchronous
service runs, awaiting each port call, so both give the same results,
outcomes, errors and effects (the service contract kit,
[`ServiceContract`][tiktok_aftersales.app.service_contract.ServiceContract], runs
every check against both).

Handlers (``handlers=``) and the opener may be plain functions or ``async def``
ones; what they return is awaited when it is awaitable.

Concurrency: tasks on one event loop interleave at every ``await``, like
threads at every port call; the store's versions (per case and per order)
keep the same promises either way: a lost race is a reload and a retry, an
effect is carried out once per key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, overload

from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.effects import EffectKind
from ..domain.money import OrderLine
from ..domain.vocabulary import Actor, OrderStage, OrderStatus, Region, RequestType
from ..errors import InvalidValue
from ..platform.record import PlatformRecord
from . import inbound, orchestration
from .async_ports import AsyncCaseStore, AsyncInventoryPort, AsyncNotificationLog, AsyncPlatformPort
from .inbound import Delivery, IngestReport, WebhookSettings
from .orchestration import Change, Opener, Settings, check_settings, settings_of
from .outbox import EffectHandler
from .ports import Clock
from .steps import (
    PortStep,
    RunHandler,
    RunOpener,
    Step,
    Steps,
    T,
    perform_on,
    resolved,
    run_steps_async,
)

__all__ = ["AsyncAfterSalesService"]


class AsyncAfterSalesService:
    """The service's methods as coroutines, on async ports (see the module docs).

    >>> import asyncio
    >>> from tiktok_aftersales.app.async_testing import async_in_memory_service
    >>> service, ports = async_in_memory_service()
    >>> asyncio.run(service.tick())
    ()

    Args:
        store: Where cases live (async).
        platform: The platform client (async ``send``).
        inventory: Stock and shipping holds (async).
        clock: The current time (a plain, synchronous clock).
        notifications: The log of handled deliveries and records to re-fetch (async).
        policy: The deadline policy ``tick`` advances with.
        webhooks: What ``receive`` checks deliveries with.
        opener: How to open a case for a record of a request no case has
            (a function, or an ``async def`` one).
        handlers: Effect kind to a handler (plain or ``async def``) that
            replaces the default route.
        max_attempts: How many times an update is tried when another
            writer saved the case (or its order) first.

    Raises:
        InvalidValue: A malformed ``max_attempts``, ``handlers`` key or ``webhooks``.

    """

    def __init__(
        self,
        store: AsyncCaseStore,
        platform: AsyncPlatformPort,
        inventory: AsyncInventoryPort,
        clock: Clock,
        notifications: AsyncNotificationLog | None = None,
        *,
        policy: Policy = DEFAULT_POLICY,
        webhooks: WebhookSettings | None = None,
        opener: Opener | None = None,
        handlers: Mapping[EffectKind, EffectHandler] | None = None,
        max_attempts: int = 3,
    ) -> None:
        check_settings(max_attempts, handlers)
        if webhooks is not None and not isinstance(webhooks, WebhookSettings):
            raise InvalidValue("webhooks", webhooks, "a WebhookSettings")
        self.store = store
        self.platform = platform
        self.inventory = inventory
        self.clock = clock
        self.notifications = notifications
        self.policy = policy
        self.webhooks = webhooks
        self.opener = opener
        self.handlers: Mapping[EffectKind, EffectHandler] = dict(handlers or {})
        self.max_attempts = max_attempts

    # --- the shell: await the orchestration's steps on the ports -----------------------------

    def _settings(self) -> Settings:
        return settings_of(self)

    async def _perform(self, step: Step) -> Any:
        if isinstance(step, RunHandler):
            return await resolved(self.handlers[step.effect.kind](step.case, step.effect))
        if isinstance(step, RunOpener):
            assert self.opener is not None  # the orchestration asks only when there is one
            return await resolved(self.opener(step.record))
        assert isinstance(step, PortStep)
        return await resolved(perform_on(self, step))

    async def _run(self, steps: Steps[T]) -> T:
        return await run_steps_async(steps, self._perform)

    # --- the one way in --------------------------------------------------------------------

    async def receive(
        self, body: bytes, headers: Mapping[str, str], received_at: datetime | None = None
    ) -> Delivery:
        """Handle one raw webhook delivery (see ``AfterSalesService.receive``).

        Raises:
            InvalidValue: The service has no ``webhooks`` settings.

        """
        return await self._run(
            inbound.receive(self._settings(), self.webhooks, body, headers, received_at)
        )

    async def ingest(
        self, records: Iterable[object], received_at: datetime | None = None
    ) -> IngestReport:
        """Apply platform records a poll fetched (see ``AfterSalesService.ingest``)."""
        return await self._run(inbound.ingest(self._settings(), records, received_at))

    async def refetch(self) -> IngestReport:
        """Fetch the records kept for a re-fetch again, by platform id, and ingest them."""
        return await self._run(inbound.refetch(self._settings()))

    # --- commands ---------------------------------------------------------------------------

    async def open(
        self,
        request_type: RequestType | str,
        *,
        case_id: str,
        order_id: str,
        region: Region | str,
        lines: Iterable[OrderLine],
        order_stage: OrderStage | str = OrderStage.DELIVERED,
        platform_id: str | None = None,
        actor: Actor | str | None = None,
        event: str | None = None,
        payload: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        order_status: OrderStatus | str | None = None,
        ordered_at: datetime | None = None,
    ) -> AfterSalesCase:
        """Open a new case, store it, dispatch its first effects (``AfterSalesService.open``).

        Raises:
            InitiativeRefused: Given ``order_status``, the opener may not start
                this request in it, in this region (nothing is stored or sent).
            CaseExists: A case with this id is stored already.
            OrderOverRefund: The opening stakes more than the order has left.
            DispatchFailed: A port failed on an effect (the case is stored).

        """
        return await self._run(
            orchestration.open_new(
                self._settings(),
                request_type,
                case_id=case_id,
                order_id=order_id,
                region=region,
                lines=lines,
                order_stage=order_stage,
                platform_id=platform_id,
                actor=actor,
                event=event,
                payload=payload,
                at=at,
                order_status=order_status,
                ordered_at=ordered_at,
            )
        )

    async def handle_command(
        self,
        case_id: str,
        event: str,
        actor: Actor | str,
        payload: Mapping[str, Any] | None = None,
        command_id: str | None = None,
        *,
        at: datetime | None = None,
    ) -> AfterSalesCase:
        """Apply one command to a case (see ``AfterSalesService.handle_command``).

        Raises:
            UnknownCase: No such case.
            DuplicateCommand: ``command_id`` was already applied (nothing changes).
            InvalidTransition: The event may not fire now (nothing changes).
            OrderOverRefund: It would stake more than the order has left.
            ConcurrencyConflict: Other writers won ``max_attempts`` times.
            DispatchFailed: A port failed on an effect (the case is saved).
            PlatformRefused: The platform refused the decision.

        """
        return await self._run(
            orchestration.handle_command(
                self._settings(), case_id, event, actor, payload, command_id, at=at
            )
        )

    @overload
    async def tick(self, case_id: str) -> AfterSalesCase: ...

    @overload
    async def tick(self, case_id: None = None) -> tuple[AfterSalesCase, ...]: ...

    async def tick(self, case_id: str | None = None) -> AfterSalesCase | tuple[AfterSalesCase, ...]:
        """Advance one case, or every stored case, to the clock's now (``AfterSalesService.tick``).

        Raises:
            UnknownCase: ``case_id`` names no case.
            DispatchFailed: One case: a port failed on an effect.
            TickFailed: Every case: some could not be advanced or dispatched.

        """
        return await self._run(orchestration.tick(self._settings(), case_id))

    async def dispatch_pending(self, case_id: str) -> AfterSalesCase:
        """Carry out a case's pending effects again, with the same keys.

        Raises:
            UnknownCase: No such case.
            DispatchFailed: A port failed again.
            PlatformRefused: The platform refused a pending decision.

        """
        return await self._run(orchestration.dispatch_pending(self._settings(), case_id))

    async def dispatch_effect(self, case_id: str, key: str) -> AfterSalesCase:
        """Carry out one pending effect of a case, by key (``AfterSalesService.dispatch_effect``).

        Raises:
            UnknownCase: No such case.
            DispatchFailed: The port failed (the effect stays pending).
            PlatformRefused: The platform refused the call.

        """
        return await self._run(orchestration.dispatch_effect(self._settings(), case_id, key))

    async def update(self, case_id: str, change: Change) -> AfterSalesCase:
        """Load a case and its order, change it, save with both versions; redo on a conflict.

        Raises:
            UnknownCase: No such case.
            ConcurrencyConflict: Other writers won ``max_attempts`` times.

        """
        return await self._run(orchestration.update(case_id, change, self.max_attempts))

    async def open_record(self, record: PlatformRecord, received_at: datetime) -> Any:
        """Open and store a case for a record of an unknown request, with the opener.

        Raises:
            OrderOverRefund: The opened case would stake more than its order has left.
            CaseExists: The case id is taken.

        """
        return await self._run(orchestration.open_record(self._settings(), record, received_at))
