"""The outbox: carrying out a saved case's pending effects through the ports.

Effects are recorded on the case with stable keys (``case.effects``) and saved
together with the change that produced them.
[`dispatch`][tiktok_aftersales.app.outbox.dispatch] carries out the
pending ones in order, stops at the first failure, and saves the keys of what
it did in ``case.effects_done``. A port that fails leaves the effect pending;
a crash between a port call and the save makes the port see the same key
again, which it ignores.

A seller's decision is an effect too
([`PLATFORM_CALL`][tiktok_aftersales.domain.effects.EffectKind.PLATFORM_CALL]):
it is sent only from here, after the save that recorded it has won. When the
platform refuses it (a non-zero code), the refusal is recorded on the case
(``review``), the call and the rest of that event's effects are settled
without being carried out, and [`PlatformRefused`][tiktok_aftersales.errors.PlatformRefused]
is raised; the next sync brings the case to the platform's state.

This is the one dispatcher: what each effect does
([`carry_out`][tiktok_aftersales.app.outbox.carry_out], routed as
[`EFFECT_ROUTES`][tiktok_aftersales.app.outbox.EFFECT_ROUTES] says) and how it is
marked done ([`mark_done`][tiktok_aftersales.app.outbox.mark_done], on the stored
case) are decided here, as steps (see
[`tiktok_aftersales.app.steps`][tiktok_aftersales.app.steps]) that the service's
shells run. The service dispatches right after each save; an outbox worker
(the PostgreSQL ``OutboxWorker``) that claims a leftover entry calls
[`AfterSalesService.dispatch_effect`][tiktok_aftersales.app.service.AfterSalesService.dispatch_effect],
which runs this same code for that one effect.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import attrs

from ..domain.case import AfterSalesCase
from ..domain.effects import Effect, EffectKind
from ..domain.vocabulary import Disposition
from ..errors import ConcurrencyConflict, DispatchFailed, PlatformRefused
from ..platform.calls import request_from_json
from .ports import StockItem
from .steps import (
    BlockShipping,
    FlagManualStockIn,
    Load,
    ReleaseStock,
    RunHandler,
    Save,
    Send,
    Steps,
    StockIn,
    UnblockShipping,
)

__all__ = [
    "EFFECT_ROUTES",
    "EffectHandler",
    "carry_out",
    "dispatch",
    "mark_done",
    "stock_items",
]

EffectHandler = Callable[[AfterSalesCase, Effect], object]
"""Carries out one effect; must be idempotent on ``effect.key``.

The synchronous service calls it; the asyncio service awaits what it returns
when that is awaitable (an ``async def`` handler)."""

EFFECT_ROUTES: Mapping[EffectKind, str] = {
    EffectKind.ISSUE_REFUND: "recorded only: the platform pays once it accepted the "
    "seller's decision or the seller's refund",
    EffectKind.CREATE_REPLACEMENT_ORDER: "recorded only: the platform creates the order",
    EffectKind.SEND_MISSING_ITEMS: "recorded only: pass a handler to create the "
    "reshipment in your fulfilment system",
    EffectKind.RELEASE_STOCK: "InventoryPort.release_allocation",
    EffectKind.STOCK_IN: "InventoryPort.stock_in (with the effect's disposition)",
    EffectKind.MANUAL_STOCK_IN: "InventoryPort.flag_manual_stock_in",
    EffectKind.BLOCK_SHIPPING: "InventoryPort.block_shipping",
    EffectKind.UNBLOCK_SHIPPING: "InventoryPort.unblock_shipping",
    EffectKind.PLATFORM_CALL: "PlatformPort.send (the outbound request the effect carries)",
}
"""Where each kind of effect goes by default (``handlers=`` overrides any of them)."""


def _seq_of(effect: Effect) -> str:
    return effect.key.rsplit("/", 2)[-2]


def stock_items(case: AfterSalesCase, line_ids: tuple[str, ...]) -> tuple[StockItem, ...]:
    """The stock an effect on ``line_ids`` moves (every line of the case when none is named)."""
    wanted = set(line_ids)
    return tuple(
        StockItem(x.line_id, x.sku_id, x.quantity)
        for x in case.lines
        if not wanted or x.line_id in wanted
    )


def carry_out(
    case: AfterSalesCase, effect: Effect, handled: Collection[EffectKind] = ()
) -> Steps[None]:
    """The steps that carry out one effect: its handler, an inventory call or a platform call.

    Args:
        case: The case the effect is on.
        effect: The effect.
        handled: The kinds the host passed a handler for (they replace the route).

    Raises:
        PlatformRefused: The platform refused the call the effect carries.
        Exception: Whatever the port raised (the effect stays pending).

    """
    kind = effect.kind
    if kind in handled:
        yield RunHandler(case, effect)
        return
    if kind is EffectKind.PLATFORM_CALL:
        if effect.call is None:  # pragma: no cover - the service always sets it
            return
        request = request_from_json(effect.call)
        reply = yield Send(request)
        if not reply.ok:
            raise PlatformRefused(case.case_id, request, reply.code, reply.message)
    elif kind is EffectKind.RELEASE_STOCK:
        yield ReleaseStock(effect.key, effect.order_id, stock_items(case, effect.line_ids))
    elif kind is EffectKind.STOCK_IN:
        yield StockIn(
            effect.key,
            effect.order_id,
            stock_items(case, effect.line_ids),
            effect.disposition or Disposition.RESTOCK,
        )
    elif kind is EffectKind.MANUAL_STOCK_IN:
        yield FlagManualStockIn(effect.key, effect.order_id, stock_items(case, effect.line_ids))
    elif kind is EffectKind.BLOCK_SHIPPING:
        yield BlockShipping(effect.key, effect.order_id, case.case_id)
    elif kind is EffectKind.UNBLOCK_SHIPPING:
        yield UnblockShipping(effect.key, effect.order_id, case.case_id)
    # ISSUE_REFUND, CREATE_REPLACEMENT_ORDER, SEND_MISSING_ITEMS: recorded only.


def dispatch(
    case: AfterSalesCase,
    handled: Collection[EffectKind] = (),
    max_attempts: int = 3,
    *,
    only: str | None = None,
) -> Steps[AfterSalesCase]:
    """Carry out pending effects in order, stop at the first failure, save what was done.

    Args:
        case: The saved case.
        handled: The kinds the host passed a handler for.
        max_attempts: Saves tried when another writer saved the case first.
        only: Carry out this one pending effect (by key) and no other: what an
            outbox worker that claimed one entry does. Nothing when it is
            not pending (done already).

    Raises:
        DispatchFailed: A port failed; the case is saved with what was done.
        PlatformRefused: The platform refused a decision; the case is saved
            with the refusal under ``review``.

    """
    pending = case.pending_effects
    if only is not None:
        pending = tuple(e for e in pending if e.key == only)
    if not pending:
        return case
    done: list[str] = []
    for effect in pending:
        try:
            yield from carry_out(case, effect, handled)
        except PlatformRefused as refused:
            seq = _seq_of(effect)
            settled = [e.key for e in case.pending_effects if _seq_of(e) == seq]
            saved = yield from mark_done(case, [*done, *settled], max_attempts, review=str(refused))
            refused.case = saved
            raise
        except Exception as exc:
            saved = (yield from mark_done(case, done, max_attempts)) if done else case
            raise DispatchFailed(saved, effect, exc) from exc
        done.append(effect.key)
    return (yield from mark_done(case, done, max_attempts))


def mark_done(
    case: AfterSalesCase, keys: list[str], max_attempts: int = 3, *, review: str | None = None
) -> Steps[AfterSalesCase]:
    """Save ``keys`` as done on the stored case (reloading on a concurrent save).

    Raises:
        ConcurrencyConflict: Other writers won ``max_attempts`` times.

    """
    current = case
    attempt = 0
    while True:
        attempt += 1
        after = current.mark_effects_done(keys)
        if review is not None and after.review != review:
            after = attrs.evolve(after, review=review, version=current.version + 1)
        if after is current:
            return current
        try:
            yield Save(after, current.version)
        except ConcurrencyConflict:
            if attempt >= max_attempts:
                raise
            current = yield Load(case.case_id)
            continue
        return after
