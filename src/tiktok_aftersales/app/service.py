"""The application service: one way in, one way out, money bounded per order.

[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService] drives the host's ports (see
[`tiktok_aftersales.app.ports`][tiktok_aftersales.app.ports]) with the pure core.

**One way in.** Every platform record enters through
[`AfterSalesService.receive`][tiktok_aftersales.app.service.AfterSalesService.receive]
(a raw webhook delivery: body bytes, headers, arrival time) or
[`AfterSalesService.ingest`][tiktok_aftersales.app.service.AfterSalesService.ingest] (records a poll
fetched). Each verifies what
it must (signature, timestamp tolerance), deduplicates on the notification id
(kept by the [`NotificationLog`][tiktok_aftersales.app.ports.NotificationLog], so it
survives a restart), finds the case by platform id through the store,
reconciles, saves and dispatches. A batch never stops on one record: each
gets an outcome, and refused records are kept for a re-fetch.

**One way out.** A seller's decision becomes one outbound request
(`tiktok_aftersales.platform.request_for`) with one key scheme, recorded
as an outbox effect together with the event, and sent only after the save
that recorded it has won: two processes racing on one case cannot both call
the platform.

**Money bounded per order.** Every change that stakes money is checked
against the order ledger built from every case of the order, and saved
under the store's order-level version, so two cases of one order saved at
once cannot both pass.

The service does no I/O of its own: time comes from the
[`Clock`][tiktok_aftersales.app.ports.Clock] port.

**A shell.** The orchestration is written once, as steps it yields as data
([`tiktok_aftersales.app.steps`][tiktok_aftersales.app.steps]); this class runs
them against synchronous ports, and
[`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
runs the same steps on asyncio. Under a threaded server, give each thread its
own service on its own store connection (see "Threads and asyncio" in the
ports guide).
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
from .inbound import Delivery, IngestReport, WebhookSettings
from .orchestration import COMMAND_ID, Change, Opener, Settings, check_settings, settings_of
from .outbox import EFFECT_ROUTES, EffectHandler
from .ports import CaseStore, Clock, InventoryPort, NotificationLog, PlatformPort
from .steps import PortStep, RunHandler, RunOpener, Step, Steps, T, perform_on, run_steps

__all__ = [
    "COMMAND_ID",
    "EFFECT_ROUTES",
    "AfterSalesService",
    "Delivery",
    "EffectHandler",
    "IngestReport",
    "Opener",
    "WebhookSettings",
]


class AfterSalesService:
    """Drives the host's ports with the core: commands, platform records, ticks, effects.

    >>> from tiktok_aftersales.app.testing import in_memory_service
    >>> service, ports = in_memory_service()

    Args:
        store: Where cases live.
        platform: The platform client (sends outbound requests).
        inventory: Stock and shipping holds.
        clock: The current time.
        notifications: The log of handled deliveries and records to re-fetch.
        policy: The deadline policy [`tick`][tiktok_aftersales.app.service.AfterSalesService.tick]
            advances with.
        webhooks: The app key, signing secret and timestamp tolerance that
            [`receive`][tiktok_aftersales.app.service.AfterSalesService.receive] checks deliveries
            with.
        opener: How to open a case for a record of a request no case has
            ([`tiktok_aftersales.sync.opener`][tiktok_aftersales.sync.opener]); without one such
            records
            are kept for a re-fetch.
        handlers: Effect kind to a handler that replaces the default route
            (see [`EFFECT_ROUTES`][tiktok_aftersales.app.service.EFFECT_ROUTES]).
        max_attempts: How many times an update is tried when another
            writer saved the case (or its order) first.

    """

    def __init__(
        self,
        store: CaseStore,
        platform: PlatformPort,
        inventory: InventoryPort,
        clock: Clock,
        notifications: NotificationLog | None = None,
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

    # --- the shell: run the orchestration's steps against the ports -------------------------

    def _settings(self) -> Settings:
        return settings_of(self)

    def _perform(self, step: Step) -> Any:
        if isinstance(step, RunHandler):
            return self.handlers[step.effect.kind](step.case, step.effect)
        if isinstance(step, RunOpener):
            assert self.opener is not None  # the orchestration asks only when there is one
            return self.opener(step.record)
        assert isinstance(step, PortStep)
        return perform_on(self, step)

    def _run(self, steps: Steps[T]) -> T:
        return run_steps(steps, self._perform)

    # --- the one way in --------------------------------------------------------------------

    def receive(
        self, body: bytes, headers: Mapping[str, str], received_at: datetime | None = None
    ) -> Delivery:
        """Handle one raw webhook delivery: verify, deduplicate, reconcile, save, dispatch.

        Args:
            body: The raw request body, as received.
            headers: The request headers (``Authorization`` carries the signature).
            received_at: When it arrived (default: the clock's now).

        Returns:
            A [`Delivery`][tiktok_aftersales.app.service.Delivery] saying what happened; never
            raises for a bad
            delivery (its ``outcome`` is ``refused`` and ``error`` says why:
            answer 401 for an [`InvalidSignature`][tiktok_aftersales.errors.InvalidSignature]).

        Raises:
            InvalidValue: The service has no ``webhooks`` settings.

        """
        return self._run(
            inbound.receive(self._settings(), self.webhooks, body, headers, received_at)
        )

    def ingest(
        self, records: Iterable[object], received_at: datetime | None = None
    ) -> IngestReport:
        """Apply platform records a poll fetched (search pages, return records, dumps).

        The same path as [`receive`][tiktok_aftersales.app.service.AfterSalesService.receive]
        without the signature: records are
        deduplicated on their notification id (webhooks), ordered by platform
        time, and each reconciled with the case found by platform id (or
        opened with the service's ``opener``). A record that cannot be read or
        applied is refused with its error and kept for a re-fetch; the
        others proceed.
        """
        return self._run(inbound.ingest(self._settings(), records, received_at))

    def refetch(self) -> IngestReport:
        """Fetch the records kept for a re-fetch again, by platform id, and ingest them."""
        return self._run(inbound.refetch(self._settings()))

    # --- commands ---------------------------------------------------------------------------

    def open(
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
        """Open a new case, store it, and dispatch its first effects.

        A case the seller opens (a seller refund, a direct cancellation) is
        checked against the order ledger (every stored case of the order) and
        its platform call is recorded in the outbox and sent after the case
        is stored.

        Given the order's status (``order_status``), the opening is checked
        against who may start what, and a buyer cancellation waiting for a
        decision gets its window as its deadline when ``ordered_at`` (the
        order's date) is given too
        ([`checked_opening`][tiktok_aftersales.deadlines.opening.checked_opening],
        with the service's policy).

        Raises:
            InitiativeRefused: The opener may not start this request in this
                order status and region (nothing is stored or sent).
            CaseExists: A case with this id is stored already.
            OrderOverRefund: The opening stakes more than the order has left.
            InvalidValue: A malformed argument (see
                [`open_case`][tiktok_aftersales.lifecycle.engine.open_case]).
            ConcurrencyConflict: Another case of the order was written meanwhile,
                ``max_attempts`` times.
            DispatchFailed: A port failed on an effect (the case is stored).
            PlatformRefused: The platform refused the seller's call (the case is
                stored with the refusal under ``review``).

        """
        return self._run(
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

    def handle_command(
        self,
        case_id: str,
        event: str,
        actor: Actor | str,
        payload: Mapping[str, Any] | None = None,
        command_id: str | None = None,
        *,
        at: datetime | None = None,
    ) -> AfterSalesCase:
        """Apply one command (a seller's click, or an event the host learned) to a case.

        The event is applied, checked against the order ledger, and saved
        with the case's and the order's versions. When ``actor`` is the
        seller, the decision's outbound request is recorded with it and sent
        from the outbox once the save has won (key:
        [`idempotency_key`][tiktok_aftersales.platform.decisions.idempotency_key]). When the save
        meets a newer version, the case is reloaded and the event applied
        again, up to ``max_attempts`` times.

        Args:
            case_id: The case.
            event: The event name.
            actor: Who fires it.
            payload: The event's payload.
            command_id: The host's id for this command. Give one to make
                retries safe: it is kept in the history (payload key
                [`COMMAND_ID`][tiktok_aftersales.app.service.COMMAND_ID]) and a second command with
                the same id is
                refused with [`DuplicateCommand`][tiktok_aftersales.errors.DuplicateCommand].
            at: When (default: the clock's now).

        Returns:
            The saved case, its effects dispatched.

        Raises:
            UnknownCase: No such case.
            DuplicateCommand: ``command_id`` was already applied (nothing changes).
            InvalidTransition: The event may not fire now (nothing changes).
            OrderOverRefund: It would stake more than the order has left.
            InvalidValue: A malformed payload, event or actor, or a decision
                the platform needs more for (a rejection's reason).
            ConcurrencyConflict: Other writers won ``max_attempts`` times.
            DispatchFailed: A port failed on an effect (the case is saved).
            PlatformRefused: The platform refused the decision (the case is
                saved with the refusal under ``review``).

        """
        return self._run(
            orchestration.handle_command(
                self._settings(), case_id, event, actor, payload, command_id, at=at
            )
        )

    @overload
    def tick(self, case_id: str) -> AfterSalesCase: ...

    @overload
    def tick(self, case_id: None = None) -> tuple[AfterSalesCase, ...]: ...

    def tick(self, case_id: str | None = None) -> AfterSalesCase | tuple[AfterSalesCase, ...]:
        """Advance one case, or every stored case, to the clock's now.

        Expired deadlines fire through
        [`tiktok_aftersales.advance`][tiktok_aftersales.deadlines.clock.advance] with
        the service's policy; a refund the clock commits is checked against
        the order ledger; the case is saved and its effects dispatched.
        Nothing is sent to the platform: the platform's own clock fires the
        same expiries.

        Raises:
            UnknownCase: ``case_id`` names no case.
            OrderOverRefund: One case: the clock would commit more than the
                order has left (nothing changes).
            DispatchFailed: One case: a port failed on an effect.
            TickFailed: Every case: some could not be advanced or dispatched;
                the others were.

        """
        return self._run(orchestration.tick(self._settings(), case_id))

    def dispatch_pending(self, case_id: str) -> AfterSalesCase:
        """Carry out a case's pending effects again (after a failure or a crash).

        Each port gets the same key as before, so an effect that was in fact
        carried out is not repeated; a pending platform call is sent again
        with the same idempotency key.

        Raises:
            UnknownCase: No such case.
            DispatchFailed: A port failed again.
            PlatformRefused: The platform refused a pending decision.

        """
        return self._run(orchestration.dispatch_pending(self._settings(), case_id))

    def dispatch_effect(self, case_id: str, key: str) -> AfterSalesCase:
        """Carry out one pending effect of a case, by key, and mark it done on the case.

        What an outbox worker calls for an entry it claimed (the PostgreSQL
        ``OutboxWorker`` does): the same routes and the same marking as the
        service's own dispatch after a save, for that one effect. An effect
        already done is not carried out again.

        Args:
            case_id: The case.
            key: The effect's idempotency key.

        Returns:
            The case, the effect marked done.

        Raises:
            UnknownCase: No such case.
            DispatchFailed: The port failed (the effect stays pending).
            PlatformRefused: The platform refused the call (settled on the
                case, with the refusal under ``review``).

        """
        return self._run(orchestration.dispatch_effect(self._settings(), case_id, key))

    def update(
        self,
        case_id: str,
        change: Change,
    ) -> AfterSalesCase:
        """Load a case and its order, change it, save with both versions; redo on a conflict.

        ``change(case, order_cases)`` returns the new case (the same object
        when nothing changes). It is called again on the reloaded case when
        another writer saved the case, or another case of its order, first.

        Raises:
            UnknownCase: No such case.
            ConcurrencyConflict: Other writers won ``max_attempts`` times.

        """
        return self._run(orchestration.update(case_id, change, self.max_attempts))

    def open_record(self, record: PlatformRecord, received_at: datetime) -> Any:
        """Open and store a case for a record of an unknown request, with the service's opener.

        Returns the opener's result (a [`SyncResult`][tiktok_aftersales.sync.SyncResult]),
        its case stored and dispatched; ``None`` when the service has no opener.

        Raises:
            OrderOverRefund: The opened case would stake more than its order has left.
            CaseExists: The case id is taken.

        """
        return self._run(orchestration.open_record(self._settings(), record, received_at))
