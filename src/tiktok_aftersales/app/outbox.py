"""The outbox: carrying out a saved case's pending effects through the ports.

Effects are recorded on the case with stable keys (``case.effects``) and saved
together with the change that produced them. `Outbox` carries out the
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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from ..domain.case import AfterSalesCase
from ..domain.effects import Effect, EffectKind
from ..domain.vocabulary import Disposition
from ..errors import ConcurrencyConflict, DispatchFailed, PlatformRefused
from ..platform.calls import request_from_json
from .ports import StockItem

if TYPE_CHECKING:
    from .service import AfterSalesService

__all__ = ["EFFECT_ROUTES", "EffectHandler", "Outbox"]

EffectHandler = Callable[[AfterSalesCase, Effect], None]
"""Carries out one effect; must be idempotent on ``effect.key``."""

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


class Outbox:
    """Carries out a service's saved effects: inventory, handlers, and platform calls."""

    def __init__(self, service: AfterSalesService) -> None:
        self.service = service

    def _items(self, case: AfterSalesCase, line_ids: tuple[str, ...]) -> tuple[StockItem, ...]:
        wanted = set(line_ids)
        return tuple(
            StockItem(x.line_id, x.sku_id, x.quantity)
            for x in case.lines
            if not wanted or x.line_id in wanted
        )

    def carry_out(self, case: AfterSalesCase, effect: Effect) -> None:
        """Carry out one effect through its route (a handler, the inventory or the platform).

        Raises:
            PlatformRefused: The platform refused the call the effect carries.
            Exception: Whatever the port raised (the effect stays pending).

        """
        handler = self.service.handlers.get(effect.kind)
        if handler is not None:
            handler(case, effect)
            return
        kind = effect.kind
        inventory = self.service.inventory
        if kind is EffectKind.PLATFORM_CALL:
            if effect.call is None:  # pragma: no cover - the service always sets it
                return
            request = request_from_json(effect.call)
            reply = self.service.platform.send(request)
            if not reply.ok:
                raise PlatformRefused(case.case_id, request, reply.code, reply.message)
        elif kind is EffectKind.RELEASE_STOCK:
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

    def dispatch(self, case: AfterSalesCase) -> AfterSalesCase:
        """Carry out pending effects in order, stop at the first failure, save what was done.

        Raises:
            DispatchFailed: A port failed; the case is saved with what was done.
            PlatformRefused: The platform refused a decision; the case is saved
                with the refusal under ``review``.

        """
        pending = case.pending_effects
        if not pending:
            return case
        done: list[str] = []
        for effect in pending:
            try:
                self.carry_out(case, effect)
            except PlatformRefused as refused:
                seq = _seq_of(effect)
                settled = [e.key for e in pending if _seq_of(e) == seq]
                saved = self.mark_done(case, [*done, *settled], review=str(refused))
                refused.case = saved
                raise
            except Exception as exc:
                saved = self.mark_done(case, done) if done else case
                raise DispatchFailed(saved, effect, exc) from exc
            done.append(effect.key)
        return self.mark_done(case, done)

    def mark_done(
        self, case: AfterSalesCase, keys: list[str], *, review: str | None = None
    ) -> AfterSalesCase:
        """Save ``keys`` as done on the stored case (reloading on a concurrent save)."""
        store = self.service.store
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
                store.save(after, current.version)
            except ConcurrencyConflict:
                if attempt >= self.service.max_attempts:
                    raise
                current = store.get(case.case_id)
                continue
            return after
