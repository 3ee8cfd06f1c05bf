"""The application service: one entry point per thing that happens to a case.

[`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService] drives the host's ports (see
[`tiktok_aftersales.app.ports`][tiktok_aftersales.app.ports]) with the pure core. Every entry point
does
the same four steps:

1. load the case from the [`CaseStore`][tiktok_aftersales.app.ports.CaseStore];
2. apply the core (an event, the clock, a platform snapshot);
3. save it with the version it was loaded at; on
   [`ConcurrencyConflict`][tiktok_aftersales.errors.ConcurrencyConflict] reload and apply again
   (``max_attempts`` times in all);
4. dispatch the case's pending effects to the ports and save them as done.

Effects are an outbox: the core records each one on the case with a stable
key (``case.effects``), so they are saved together with the change that
produced them. Dispatching calls the port with that key, then saves the key
in ``case.effects_done``. A port that fails leaves the effect pending (the
case is saved) and [`DispatchFailed`][tiktok_aftersales.app.service.DispatchFailed] tells the host
to call
[`AfterSalesService.dispatch_pending`][tiktok_aftersales.app.service.AfterSalesService.dispatch_pending];
a crash between the port call and the save makes the port see the same key again, which it ignores.

Seller decisions go the other way round: the platform must accept a
decision before it is true, so the service sends it *before* saving (see
``docs/ports.md`` for why), with a key that stays the same across retries.

The service does no I/O of its own: time comes from the
[`Clock`][tiktok_aftersales.app.ports.Clock] port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, overload

from ..deadlines.clock import advance
from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.effects import Effect, EffectKind
from ..domain.money import OrderLine, Refund
from ..domain.vocabulary import Actor, Disposition, OrderStage, Region, RequestType, State
from ..errors import (
    AfterSalesError,
    ConcurrencyConflict,
    DispatchFailed,
    DuplicateCommand,
    InvalidValue,
    PlatformCallFailed,
    TickFailed,
)
from ..lifecycle import EVENTS, CallKind, apply, event_of, is_terminal, open_case
from .ports import (
    CaseExists,
    CaseStore,
    Clock,
    Decision,
    InventoryPort,
    PlatformPort,
    StockItem,
    UnknownCase,
)

__all__ = [
    "COMMAND_ID",
    "EFFECT_ROUTES",
    "AfterSalesService",
    "DispatchFailed",
    "DuplicateCommand",
    "EffectHandler",
    "PlatformCallFailed",
    "Reconcile",
    "TickFailed",
]

COMMAND_ID = "command_id"
"""The payload key under which a command's id is kept in the case history."""

Reconcile = Callable[[AfterSalesCase, Any], Any]
"""``reconcile(case, snapshot)``: bring a case in line with a platform snapshot.

It returns the new case, or a result whose ``case`` attribute is the new case
([`tiktok_aftersales.sync.reconcile`][tiktok_aftersales.sync.reconcile] returns such a
``SyncResult``).
"""

EffectHandler = Callable[[AfterSalesCase, Effect], None]
"""Carries out one effect; must be idempotent on ``effect.key``."""

EFFECT_ROUTES: Mapping[EffectKind, str] = MappingProxyType(
    {
        EffectKind.ISSUE_REFUND: "recorded only: the platform pays once it accepted the "
        "seller's decision or verified the seller's refund",
        EffectKind.CREATE_REPLACEMENT_ORDER: "recorded only: the platform creates the order",
        EffectKind.SEND_MISSING_ITEMS: "recorded only: pass a handler to create the "
        "reshipment in your fulfilment system",
        EffectKind.RELEASE_STOCK: "InventoryPort.release_allocation",
        EffectKind.STOCK_IN: "InventoryPort.stock_in (with the effect's disposition)",
        EffectKind.MANUAL_STOCK_IN: "InventoryPort.flag_manual_stock_in",
        EffectKind.BLOCK_SHIPPING: "InventoryPort.block_shipping",
        EffectKind.UNBLOCK_SHIPPING: "InventoryPort.unblock_shipping",
    }
)
"""Where each kind of effect goes by default (``handlers=`` overrides any of them)."""


def _find_command(case: AfterSalesCase, command_id: str) -> int | None:
    for item in case.history:
        if item.payload and item.payload.get(COMMAND_ID) == command_id:
            return item.seq
    return None


def _at_stake(before: AfterSalesCase, after: AfterSalesCase, event: str) -> Refund | None:
    """The money a seller decision is about, if any."""
    if EVENTS[event_of(event)].stakes_request:
        return after.requested
    if after.offer is not None and after.offer != before.offer:
        return after.offer.refund
    if after.refund is not None and after.refund != before.refund:
        return after.refund
    return None


class AfterSalesService:
    """Drives the host's ports with the core: commands, snapshots, ticks, effects.

    >>> from tiktok_aftersales.app.testing import in_memory_service
    >>> service, ports = in_memory_service()

    Args:
        store: Where cases live.
        platform: The platform client.
        inventory: Stock and shipping holds.
        clock: The current time.
        policy: The deadline policy [`tick`][tiktok_aftersales.app.service.AfterSalesService.tick]
            advances with.
        reconcile: The default ``reconcile(case, snapshot)`` for
            [`apply_snapshot`][tiktok_aftersales.app.service.AfterSalesService.apply_snapshot] and
            [`refresh`][tiktok_aftersales.app.service.AfterSalesService.refresh].
        handlers: Effect kind to a handler that replaces the default route
            (see [`EFFECT_ROUTES`][tiktok_aftersales.app.service.EFFECT_ROUTES]).
        max_attempts: How many times an update is tried when another
            writer saved the case first.

    """

    def __init__(
        self,
        store: CaseStore,
        platform: PlatformPort,
        inventory: InventoryPort,
        clock: Clock,
        *,
        policy: Policy = DEFAULT_POLICY,
        reconcile: Reconcile | None = None,
        handlers: Mapping[EffectKind, EffectHandler] | None = None,
        max_attempts: int = 3,
    ) -> None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidValue("max_attempts", max_attempts, "a whole number, at least 1")
        for kind in handlers or {}:
            if not isinstance(kind, EffectKind):
                raise InvalidValue("handlers", kind, "keys must be EffectKind members")
        self.store = store
        self.platform = platform
        self.inventory = inventory
        self.clock = clock
        self.policy = policy
        self.reconcile = reconcile
        self.handlers: Mapping[EffectKind, EffectHandler] = MappingProxyType(dict(handlers or {}))
        self.max_attempts = max_attempts

    # --- entry points -------------------------------------------------------------------

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
    ) -> AfterSalesCase:
        """Open a new case, store it, and dispatch its first effects.

        A case the seller opens (a seller refund, a direct cancellation) is
        sent to the platform first
        ([`PlatformPort.send_refund`][tiktok_aftersales.app.ports.PlatformPort.send_refund] or
        [`send_decision`][tiktok_aftersales.app.ports.PlatformPort.send_decision], key
        ``"<case_id>/1/<event>"``).

        Args:
            request_type: The request type.
            case_id: The host's id for the case; must be new.
            order_id: The order.
            region: The market.
            lines: The order lines concerned.
            order_stage: How far the order had gone.
            platform_id: The platform's id of the request, if known.
            actor: Who opened it (default: the type's usual opener).
            event: The opening event when the type has several.
            payload: The opening event's payload.
            at: When it opened (default: the clock's now).

        Returns:
            The stored case, its effects dispatched.

        Raises:
            CaseExists: A case with this id is stored already.
            InvalidValue: A malformed argument (see
                [`open_case`][tiktok_aftersales.lifecycle.engine.open_case]).
            PlatformCallFailed: The platform did not confirm a seller opening.
            DispatchFailed: A port failed on an effect (the case is stored).

        """
        when = self._now() if at is None else at
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
        first = case.history[0]
        if first.actor is Actor.SELLER:
            self._send(
                Decision(
                    key=f"{case.case_id}/1/{first.event}",
                    case_id=case.case_id,
                    order_id=case.order_id,
                    platform_id=case.platform_id,
                    request_type=case.request_type,
                    state=State.NEW,
                    event=first.event,
                    actor=first.actor,
                    at=first.at,
                    payload=first.payload,
                    refund=case.requested if EVENTS[first.event].stakes_request else case.refund,
                )
            )
        self.store.add(case)
        return self._dispatch(case)

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

        When ``actor`` is the seller, the decision is sent to the platform
        before the case is saved, once per call, with the key
        ``"<case_id>/command/<command_id>"`` (or ``"<case_id>/<seq>/<event>"``
        without a command id). When the save meets a newer version, the
        case is reloaded and the event applied again, up to
        ``max_attempts`` times; the decision is not sent again.

        Args:
            case_id: The case.
            event: The event name.
            actor: Who fires it.
            payload: The event's payload.
            command_id: The host's id for this command. Give one to make
                retries safe: it is kept in the history (payload key
                [`COMMAND_ID`][tiktok_aftersales.app.service.COMMAND_ID]) and a second command with
                the same id is refused with
                [`DuplicateCommand`][tiktok_aftersales.app.service.DuplicateCommand].
            at: When (default: the clock's now).

        Returns:
            The saved case, its effects dispatched.

        Raises:
            UnknownCase: No such case.
            DuplicateCommand: ``command_id`` was already applied (nothing changes).
            InvalidTransition: The event may not fire now (nothing changes).
            InvalidValue: A malformed payload, event or actor.
            PlatformCallFailed: The platform did not confirm the decision
                (nothing saved; retry with the same ``command_id``).
            ConcurrencyConflict: Other writers won ``max_attempts`` times.
            DispatchFailed: A port failed on an effect (the case is saved).

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
        sent: list[str] = []

        def change(case: AfterSalesCase) -> AfterSalesCase:
            if command_id is not None:
                seq = _find_command(case, command_id)
                if seq is not None:
                    raise DuplicateCommand(case.case_id, command_id, seq)
            after = apply(case, event, actor, when, data)
            last = after.history[-1]
            if last.actor is Actor.SELLER and not sent:
                key = (
                    f"{case.case_id}/command/{command_id}"
                    if command_id is not None
                    else f"{case.case_id}/{last.seq}/{event}"
                )
                decision = Decision(
                    key=key,
                    case_id=case.case_id,
                    order_id=case.order_id,
                    platform_id=case.platform_id,
                    request_type=case.request_type,
                    state=case.state,
                    event=event,
                    actor=last.actor,
                    at=last.at,
                    payload=last.payload,
                    refund=_at_stake(case, after, event),
                )
                self._send(decision)
                sent.append(key)
            return after

        return self._dispatch(self._update(case_id, change))

    @overload
    def tick(self, case_id: str) -> AfterSalesCase: ...

    @overload
    def tick(self, case_id: None = None) -> tuple[AfterSalesCase, ...]: ...

    def tick(self, case_id: str | None = None) -> AfterSalesCase | tuple[AfterSalesCase, ...]:
        """Advance one case, or every stored case, to the clock's now.

        Expired deadlines fire through
        [`tiktok_aftersales.deadlines.clock.advance`][tiktok_aftersales.deadlines.clock.advance]
        with the service's policy; the case is saved and its effects dispatched. Nothing is sent to
        the platform: the platform's own clock fires the same expiries.

        Args:
            case_id: One case, or ``None`` for every stored case that is not
                terminal.

        Returns:
            The case (one case), or the cases that changed (every case).

        Raises:
            UnknownCase: ``case_id`` names no case.
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

    def apply_snapshot(
        self, case_id: str, snapshot: Any, reconcile: Reconcile | None = None
    ) -> AfterSalesCase:
        """Bring a case in line with a platform snapshot (a fetched record or a webhook).

        ``reconcile(case, snapshot)`` returns the case with whatever events
        the snapshot implies applied, or a result carrying it as ``.case``
        ([`tiktok_aftersales.sync.reconcile`][tiktok_aftersales.sync.reconcile] fits as it is; a
        host may pass its own). Nothing is sent to the platform: the snapshot came
        from it.

        Raises:
            UnknownCase: No such case.
            InvalidValue: No reconcile function, or it returned another case
                or an older version.
            ConcurrencyConflict: Other writers won ``max_attempts`` times.
            DispatchFailed: A port failed on an effect (the case is saved).

        """
        fn = reconcile if reconcile is not None else self.reconcile
        if fn is None:
            raise InvalidValue(
                "reconcile", None, "no reconcile function: pass one here or to the service"
            )

        def change(case: AfterSalesCase) -> AfterSalesCase:
            result: Any = fn(case, snapshot)
            after = result if isinstance(result, AfterSalesCase) else getattr(result, "case", None)
            if not isinstance(after, AfterSalesCase) or after.case_id != case.case_id:
                raise InvalidValue("reconcile", after, f"must return a version of {case.case_id!r}")
            if after.version < case.version:
                raise InvalidValue("reconcile", after.version, "returned an older version")
            return after

        return self._dispatch(self._update(case_id, change))

    def open_from_snapshot(
        self,
        snapshot: Any,
        *,
        case_id: str,
        region: Region | str,
        lines: Iterable[OrderLine],
        order_stage: OrderStage | str = OrderStage.DELIVERED,
    ) -> AfterSalesCase:
        """Open a case the host did not know, in the state a platform snapshot shows.

        The case is opened along the declaration's shortest legal path to the
        platform's state
        ([`tiktok_aftersales.sync.open_from_snapshot`][tiktok_aftersales.sync.open_from_snapshot]),
        stored, and its effects dispatched. Nothing is sent to the platform:
        the snapshot came from it.

        Raises:
            CaseExists: A case with this id is stored already.
            InvalidValue: The snapshot is unmapped or has no legal path from
                a new case, or an argument is malformed.
            DispatchFailed: A port failed on an effect (the case is stored).

        """
        from ..sync import open_from_snapshot

        try:
            self.store.get(case_id)
        except UnknownCase:
            pass
        else:
            raise CaseExists(case_id)
        result = open_from_snapshot(
            snapshot,
            case_id=case_id,
            region=region,
            lines=tuple(lines),
            order_stage=order_stage,
        )
        if result.case is None:
            raise InvalidValue("snapshot", getattr(snapshot, "platform_id", None), result.detail)
        self.store.add(result.case)
        return self._dispatch(result.case)

    def refresh(self, case_id: str, reconcile: Reconcile | None = None) -> AfterSalesCase:
        """Fetch the platform's snapshot of a case and apply it (see `apply_snapshot`)."""
        case = self.store.get(case_id)
        snapshot = self.platform.fetch_snapshot(case)
        return self.apply_snapshot(case_id, snapshot, reconcile)

    def dispatch_pending(self, case_id: str) -> AfterSalesCase:
        """Carry out a case's pending effects again (after `DispatchFailed` or a crash).

        Each port gets the same key as before, so an effect that was in
        fact carried out is not repeated.

        Raises:
            UnknownCase: No such case.
            DispatchFailed: A port failed again.

        """
        return self._dispatch(self.store.get(case_id))

    # --- internals ----------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock.now()
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise InvalidValue("clock.now()", now, "a timezone-aware datetime")
        return now

    def _send(self, decision: Decision) -> None:
        try:
            if EVENTS[event_of(decision.event)].call is CallKind.SELLER_REFUND:
                self.platform.send_refund(decision)
            else:
                self.platform.send_decision(decision)
        except Exception as exc:
            raise PlatformCallFailed(decision, exc) from exc

    def _tick_one(self, case_id: str, now: datetime) -> AfterSalesCase:
        policy = self.policy
        return self._dispatch(self._update(case_id, lambda case: advance(case, now, policy)))

    def _update(
        self, case_id: str, change: Callable[[AfterSalesCase], AfterSalesCase]
    ) -> AfterSalesCase:
        """Load, change, save with the loaded version; reload and redo on a conflict."""
        attempt = 0
        while True:
            attempt += 1
            case = self.store.get(case_id)
            after = change(case)
            if after.version == case.version:
                return case
            try:
                self.store.save(after, case.version)
            except ConcurrencyConflict:
                if attempt >= self.max_attempts:
                    raise
                continue
            return after

    def _items(self, case: AfterSalesCase, line_ids: tuple[str, ...]) -> tuple[StockItem, ...]:
        wanted = set(line_ids)
        return tuple(
            StockItem(x.line_id, x.sku_id, x.quantity)
            for x in case.lines
            if not wanted or x.line_id in wanted
        )

    def _carry_out(self, case: AfterSalesCase, effect: Effect) -> None:
        handler = self.handlers.get(effect.kind)
        if handler is not None:
            handler(case, effect)
            return
        kind = effect.kind
        inventory = self.inventory
        if kind is EffectKind.RELEASE_STOCK:
            inventory.release_allocation(
                effect.key, effect.order_id, self._items(case, effect.line_ids)
            )
        elif kind is EffectKind.STOCK_IN:
            inventory.stock_in(
                effect.key,
                effect.order_id,
                self._items(case, effect.line_ids),
                effect.disposition or Disposition.RESTOCK,
            )
        elif kind is EffectKind.MANUAL_STOCK_IN:
            inventory.flag_manual_stock_in(
                effect.key, effect.order_id, self._items(case, effect.line_ids)
            )
        elif kind is EffectKind.BLOCK_SHIPPING:
            inventory.block_shipping(effect.key, effect.order_id, case.case_id)
        elif kind is EffectKind.UNBLOCK_SHIPPING:
            inventory.unblock_shipping(effect.key, effect.order_id, case.case_id)
        # ISSUE_REFUND, CREATE_REPLACEMENT_ORDER, SEND_MISSING_ITEMS: recorded only.

    def _dispatch(self, case: AfterSalesCase) -> AfterSalesCase:
        """Carry out pending effects in order, stop at the first failure, save what was done."""
        pending = case.pending_effects
        if not pending:
            return case
        done: list[str] = []
        failed: tuple[Effect, Exception] | None = None
        for effect in pending:
            try:
                self._carry_out(case, effect)
            except Exception as exc:
                failed = (effect, exc)
                break
            done.append(effect.key)
        saved = self._mark_done(case, done) if done else case
        if failed is not None:
            raise DispatchFailed(saved, failed[0], failed[1]) from failed[1]
        return saved

    def _mark_done(self, case: AfterSalesCase, keys: list[str]) -> AfterSalesCase:
        current = case
        attempt = 0
        while True:
            attempt += 1
            after = current.mark_effects_done(keys)
            if after is current:
                return current
            try:
                self.store.save(after, current.version)
            except ConcurrencyConflict:
                if attempt >= self.max_attempts:
                    raise
                current = self.store.get(case.case_id)
                continue
            return after
