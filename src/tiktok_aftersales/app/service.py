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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, overload

import attrs

from ..deadlines.clock import advance
from ..deadlines.opening import checked_opening
from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.effects import Effect, EffectKind
from ..domain.money import OrderLine
from ..domain.vocabulary import Actor, OrderStage, OrderStatus, Region, RequestType, State
from ..errors import (
    AfterSalesError,
    CaseExists,
    ConcurrencyConflict,
    DispatchFailed,
    DuplicateCommand,
    InvalidValue,
    OrderOverRefund,
    TickFailed,
    UnknownCase,
)
from ..lifecycle import apply, check_order, is_terminal, open_case
from ..platform.calls import request_for, request_to_json
from ..platform.record import PlatformRecord
from .inbound import Delivery, Inbound, IngestReport, WebhookSettings
from .outbox import EFFECT_ROUTES, EffectHandler, Outbox
from .ports import CaseStore, Clock, InventoryPort, NotificationLog, PlatformPort

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

COMMAND_ID = "command_id"
"""The payload key under which a command's id is kept in the case history."""

Opener = Callable[[PlatformRecord], Any]
"""How the service opens a case for a record of an unknown request.

See [`tiktok_aftersales.sync.opener`][tiktok_aftersales.sync.opener]."""


def _find_command(case: AfterSalesCase, command_id: str) -> int | None:
    for item in case.history:
        if item.payload and item.payload.get(COMMAND_ID) == command_id:
            return item.seq
    return None


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
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidValue("max_attempts", max_attempts, "a whole number, at least 1")
        for kind in handlers or {}:
            if not isinstance(kind, EffectKind):
                raise InvalidValue("handlers", kind, "keys must be EffectKind members")
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
        self.outbox = Outbox(self)
        self.inbound = Inbound(self)

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
        return self.inbound.receive(
            body, headers, self._now() if received_at is None else received_at
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
        return self.inbound.ingest(records, self._now() if received_at is None else received_at)

    def refetch(self) -> IngestReport:
        """Fetch the records kept for a re-fetch again, by platform id, and ingest them."""
        return self.inbound.refetch(self._now())

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
        when = self._now() if at is None else at
        attempt = 0
        while True:
            attempt += 1
            try:
                self.store.get(case_id)
            except UnknownCase:
                pass
            else:
                raise CaseExists(case_id)
            case = open_case(
                request_type,
                case_id=case_id,
                order_id=order_id,
                region=region,
                lines=lines,
                at=when,
                actor=actor,
                event=event,
                order_stage=order_stage,
                platform_id=platform_id,
                payload=payload,
            )
            if order_status is not None:
                case = checked_opening(
                    case, order_status, ordered_at=ordered_at, policy=self.policy
                )
            version = self.store.order_version(case.order_id)
            check_order(None, case, case.history[0].event, self.store.cases_of_order(case.order_id))
            case = self._with_call(_blank(case), case)
            try:
                self.store.add(case, order_version=version)
            except ConcurrencyConflict:
                if attempt >= self.max_attempts:
                    raise
                continue
            return self.outbox.dispatch(case)

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
        if command_id is not None and (not isinstance(command_id, str) or not command_id):
            raise InvalidValue("command_id", command_id, "a non-empty string")
        data: dict[str, Any] | None = None
        if payload is not None:
            if not isinstance(payload, Mapping):
                raise InvalidValue("payload", payload, "a mapping of field names to values")
            data = dict(payload)
        if command_id is not None:
            data = dict(data or {})
            given = data.setdefault(COMMAND_ID, command_id)
            if given != command_id:
                raise InvalidValue(f"payload.{COMMAND_ID}", given, "differs from command_id")
        when = self._now() if at is None else at

        def change(case: AfterSalesCase, order: tuple[AfterSalesCase, ...]) -> AfterSalesCase:
            if command_id is not None:
                seq = _find_command(case, command_id)
                if seq is not None:
                    raise DuplicateCommand(case.case_id, command_id, seq)
            after = apply(case, event, actor, when, data)
            check_order(case, after, event, order)
            return self._with_call(case, after)

        return self.outbox.dispatch(self.update(case_id, change))

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
        now = self._now()
        if case_id is not None:
            return self._tick_one(case_id, now)
        changed: list[AfterSalesCase] = []
        failures: dict[str, AfterSalesError] = {}
        for cid in list(self.store.case_ids()):
            try:
                before = self.store.get(cid)
                if is_terminal(before) and not before.pending_effects:
                    continue
                after = self._tick_one(cid, now)
            except DispatchFailed as exc:
                changed.append(exc.case)
                failures[cid] = exc
                continue
            except AfterSalesError as exc:
                failures[cid] = exc
                continue
            if after.version != before.version:
                changed.append(after)
        if failures:
            raise TickFailed(tuple(changed), failures)
        return tuple(changed)

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
        return self.outbox.dispatch(self.store.get(case_id))

    # --- internals --------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock.now()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise InvalidValue("clock.now()", now, "a timezone-aware datetime")
        return now

    def _with_call(self, before: AfterSalesCase, after: AfterSalesCase) -> AfterSalesCase:
        """``after`` with its seller event's outbound request in the outbox, first of its own."""
        request = request_for(before, after)
        if request is None:
            return after
        seq = after.history[-1].seq
        call = Effect(
            EffectKind.PLATFORM_CALL,
            f"{after.case_id}/{seq}/{EffectKind.PLATFORM_CALL.value}",
            after.case_id,
            after.order_id,
            call=request_to_json(request),
        )
        new = after.effects[len(before.effects) :]
        return attrs.evolve(after, effects=(*before.effects, call, *new))

    def _tick_one(self, case_id: str, now: datetime) -> AfterSalesCase:
        policy = self.policy

        def change(case: AfterSalesCase, order: tuple[AfterSalesCase, ...]) -> AfterSalesCase:
            after = advance(case, now, policy)
            if after.refund is not None and after.refund != case.refund:
                check_order(case, after, after.history[-1].event, order)
            return after

        return self.outbox.dispatch(self.update(case_id, change))

    def update(
        self,
        case_id: str,
        change: Callable[[AfterSalesCase, tuple[AfterSalesCase, ...]], AfterSalesCase],
    ) -> AfterSalesCase:
        """Load a case and its order, change it, save with both versions; redo on a conflict.

        ``change(case, order_cases)`` returns the new case (the same object
        when nothing changes). It is called again on the reloaded case when
        another writer saved the case, or another case of its order, first.

        Raises:
            UnknownCase: No such case.
            ConcurrencyConflict: Other writers won ``max_attempts`` times.

        """
        attempt = 0
        while True:
            attempt += 1
            case = self.store.get(case_id)
            version = self.store.order_version(case.order_id)
            order = self.store.cases_of_order(case.order_id)
            after = change(case, order)
            if after.version == case.version:
                return case
            try:
                self.store.save(after, case.version, order_version=version)
            except ConcurrencyConflict:
                if attempt >= self.max_attempts:
                    raise
                continue
            return after

    def open_record(self, record: PlatformRecord, received_at: datetime) -> Any:
        """Open and store a case for a record of an unknown request, with the service's opener.

        Returns the opener's result (a [`SyncResult`][tiktok_aftersales.sync.SyncResult]),
        its case stored and dispatched; ``None`` when the service has no opener.

        Raises:
            OrderOverRefund: The opened case would stake more than its order has left.
            CaseExists: The case id is taken.

        """
        if self.opener is None:
            return None
        result = self.opener(record)
        case = getattr(result, "case", None)
        if not isinstance(case, AfterSalesCase):
            return result
        version = self.store.order_version(case.order_id)
        order = self.store.cases_of_order(case.order_id)
        if case.refund is not None:
            try:
                check_order(None, case, case.history[0].event, order)
            except OrderOverRefund as exc:
                case = attrs.evolve(case, review=f"order ledger: {exc}")
        self.store.add(case, order_version=version)
        stored = self.outbox.dispatch(case)
        return attrs.evolve(result, case=stored)


def _blank(case: AfterSalesCase) -> AfterSalesCase:
    """The case before its opening event (what a platform call is built against)."""
    return attrs.evolve(
        case,
        state=State.NEW,
        history=(),
        version=0,
        requested=None,
        refund=None,
        offer=None,
        effects=(),
    )
