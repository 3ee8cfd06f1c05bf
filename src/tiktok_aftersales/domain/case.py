"""The after-sales case: an immutable value with an append-only history.

Build one with [`new_case`][tiktok_aftersales.domain.case.new_case] (state ``NEW``) and open it with
the type's opening event through
[`tiktok_aftersales.apply`][tiktok_aftersales.lifecycle.engine.apply], or in one step with
[`tiktok_aftersales.open_case`][tiktok_aftersales.lifecycle.engine.open_case]. Every later change is
a new case returned by [`apply`][tiktok_aftersales.lifecycle.engine.apply]; a case is never modified
in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ..errors import InvalidValue
from ._builders import unchecked
from .effects import Effect, EffectKind
from .facts import fully_refunded
from .history import EMPTY_HISTORY, AppliedEvent, History, as_history
from .money import OrderLine, Refund, RefundLevel, check_refund
from .vocabulary import (
    Arbitration,
    OrderStage,
    Region,
    RequestType,
    ReturnStatus,
    Solution,
    State,
    member,
)
from .vocabulary import region as lookup_region

__all__ = [
    "AfterSalesCase",
    "AppliedEvent",
    "History",
    "Offer",
    "PlatformDeadline",
    "new_case",
    "return_status",
]


@attrs.frozen
class Offer:
    """What the seller offered instead of what the buyer asked.

    Attributes:
        solution: Partial refund, reshipment or replacement.
        refund: The money offered (partial refunds).

    """

    solution: Solution
    refund: Refund | None = None


@attrs.frozen
class PlatformDeadline:
    """A deadline the platform announced for the seller's next action.

    It comes from ``seller_next_action_response`` and is valid only while the
    case stays in ``state``; it overrides the policy for that step.
    """

    state: State
    action: str
    deadline: datetime


@attrs.frozen(weakref_slot=False)  # one per event applied: no weak-reference slot
class AfterSalesCase:
    """One after-sales request and everything that happened to it.

    Do not build it directly: use [`new_case`][tiktok_aftersales.domain.case.new_case] or
    [`tiktok_aftersales.open_case`][tiktok_aftersales.lifecycle.engine.open_case], which validate
    their input.

    Attributes:
        case_id: The host's id for the case.
        request_type: What the buyer (or seller, or carrier) asked for.
        region: The market, which selects the policy.
        order_id: The order the case is about.
        lines: The order lines concerned, with what was paid.
        order_stage: How far the order had gone when the request was made.
        platform_id: The platform's ``return_id``, ``cancel_id`` or
            ``reverse_order_id`` when known.
        state: The canonical state.
        arbitration: The arbitration sub-state.
        history: Every applied event, oldest first (append-only).
        version: Incremented by every change; storage uses it to detect
            concurrent updates.
        requested: The refund asked for (or, for a seller refund, offered).
        refund: The refund committed, once there is one.
        offer: The seller's pending offer while waiting for the buyer.
        effects: Every outside effect produced so far, in order.
        effects_done: Keys of the effects the host confirmed as carried out.
        platform_deadline: A deadline announced by the platform for the
            current step, if any.
        review: Why the case needs a human look (set by sync), or ``None``.
        platform_time: The platform's ``update_time`` of the newest record
            reconciled into the case: sync orders platform records by it,
            never by the host's clock (see ``docs/sync.md``).

    """

    case_id: str
    request_type: RequestType
    region: Region
    order_id: str
    lines: tuple[OrderLine, ...]
    order_stage: OrderStage
    platform_id: str | None = None
    state: State = State.NEW
    arbitration: Arbitration = Arbitration.NONE
    history: History = attrs.field(default=EMPTY_HISTORY, converter=as_history)
    version: int = 0
    requested: Refund | None = None
    refund: Refund | None = None
    offer: Offer | None = None
    effects: tuple[Effect, ...] = ()
    effects_done: frozenset[str] = frozenset()
    platform_deadline: PlatformDeadline | None = None
    review: str | None = None
    platform_time: datetime | None = None

    @property
    def opened_at(self) -> datetime | None:
        """When the opening event happened (``None`` before it)."""
        return self.history.time_at(0) if self.history else None

    @property
    def last_event_at(self) -> datetime | None:
        """When the last event happened (``None`` before any)."""
        return self.history.time_at(-1) if self.history else None

    @property
    def entered_at(self) -> datetime | None:
        """When the case entered its current main state."""
        history = self.history
        if not history:
            return None
        state = self.state
        states = history.states
        i = len(states) - 1
        if states[i] is state:
            while i > 0 and states[i - 1] is state:
                i -= 1
        return history.time_at(i)

    @property
    def currency(self) -> str:
        """The currency the order was paid in."""
        return self.lines[0].paid.currency

    @property
    def pending_effects(self) -> tuple[Effect, ...]:
        """Effects not yet confirmed as carried out, in order."""
        done = self.effects_done
        return tuple(e for e in self.effects if e.key not in done)

    @property
    def refund_level(self) -> RefundLevel | None:
        """The level (order, line, partial line) of the committed refund."""
        if self.refund is None:
            return None
        return check_refund(self.refund, self.lines)

    @property
    def fully_refunded_lines(self) -> tuple[str, ...]:
        """Ids of the lines the committed refund covers in full (what is left of them)."""
        return fully_refunded(self.refund, self.lines)

    @property
    def shipping_blocked(self) -> bool:
        """Whether this case holds its order from shipping now (its last hold not lifted)."""
        blocked = False
        for effect in self.effects:
            if effect.kind is EffectKind.BLOCK_SHIPPING:
                blocked = True
            elif effect.kind is EffectKind.UNBLOCK_SHIPPING:
                blocked = False
        return blocked

    @property
    def return_status(self) -> ReturnStatus:
        """The derived return (parcel) status; see `return_status`."""
        return return_status(self)

    def mark_effects_done(self, keys: Iterable[str]) -> AfterSalesCase:
        """Return the case with the effects whose keys are given marked as done.

        Raises:
            InvalidValue: A key names no effect of this case.

        """
        known = {e.key for e in self.effects}
        keys = frozenset(keys)
        unknown = keys - known
        if unknown:
            raise InvalidValue("effect key", sorted(unknown)[0], "no such effect on this case")
        if keys <= self.effects_done:
            return self
        return attrs.evolve(self, effects_done=self.effects_done | keys, version=self.version + 1)


_PARCEL_ARRIVED = frozenset({"parcel_delivered"})


def return_status(case: AfterSalesCase) -> ReturnStatus:
    """Derive the return (parcel) status of seed 000 part 4 from a case.

    - Refund-only, cancellations and seller refunds need no return; a refund
      approved after the order shipped but before the carrier picked it up
      is "Not Pickup" (a manual stock-in is due).
    - Return & refund and exchange: "Others" while the seller must act,
      "Pending Return" once approved, "Returning" in transit, "Returned"
      once the parcel arrived, "No Need to Return" when the request was
      closed, rejected or settled without a parcel.
    - Abnormal returns: "Returning", then "Returned" (or "Others" if lost).
    """
    state = case.state
    kind = case.request_type
    if kind is RequestType.ABNORMAL_RETURN:
        if state is State.RETURN_IN_TRANSIT:
            return ReturnStatus.RETURNING
        if state is State.RETURN_DELIVERED:
            return ReturnStatus.RETURNED
        return ReturnStatus.OTHERS
    if kind in _PARCEL_TYPES:
        if state in (State.REQUESTED, State.AWAITING_BUYER_RESPONSE, State.NEW):
            return ReturnStatus.OTHERS
        if state in (State.AWAITING_BUYER_SHIPMENT, State.RETURN_LABEL_ISSUED):
            return ReturnStatus.PENDING_RETURN
        if state is State.RETURN_IN_TRANSIT:
            return ReturnStatus.RETURNING
        if state in (State.RETURN_DELIVERED, State.RECEIPT_REJECTED):
            return ReturnStatus.RETURNED
        if any(event in _PARCEL_ARRIVED for event in case.history.events):
            return ReturnStatus.RETURNED
        return ReturnStatus.NO_NEED_TO_RETURN
    if (
        case.order_stage is OrderStage.SHIPPED_NOT_PICKED_UP
        and case.refund is not None
        and state in (State.REFUND_COMMITTED, State.REFUNDED)
    ):
        return ReturnStatus.NOT_PICKUP
    return ReturnStatus.NO_NEED_TO_RETURN


_PARCEL_TYPES = frozenset({RequestType.RETURN_AND_REFUND, RequestType.EXCHANGE})


def _require_str(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "a non-empty string")
    return value


def new_case(
    request_type: RequestType | str,
    *,
    case_id: str,
    order_id: str,
    region: Region | str,
    lines: Iterable[OrderLine],
    order_stage: OrderStage | str = OrderStage.DELIVERED,
    platform_id: str | None = None,
) -> AfterSalesCase:
    """Build a validated case in the pseudo-state ``NEW``.

    Apply the type's opening event next (``request``, ``initiate_refund``,
    ``detect_return`` or ``cancel_order``), or use
    [`tiktok_aftersales.open_case`][tiktok_aftersales.lifecycle.engine.open_case] to do both.

    Raises:
        InvalidValue: An id is empty, the type, region or stage is unknown,
            ``lines`` is not a collection of order lines (a number, ``None``,
            a string), there are no lines, lines repeat an id or mix currencies.

    """
    kind = member(RequestType, request_type, "request_type")
    stage = member(OrderStage, order_stage, "order_stage")
    _require_str("case_id", case_id)
    _require_str("order_id", order_id)
    if platform_id is not None:
        _require_str("platform_id", platform_id)
    if isinstance(lines, str | bytes) or not isinstance(lines, Iterable):
        raise InvalidValue("lines", lines, "a collection of OrderLine values")
    items = tuple(lines)
    if not items:
        raise InvalidValue("lines", items, "a case needs at least one order line")
    seen: set[str] = set()
    for line in items:
        if not isinstance(line, OrderLine):
            raise InvalidValue("lines", line, "an OrderLine")
        if line.line_id in seen:
            raise InvalidValue("lines.line_id", line.line_id, "repeated line id")
        if line.paid.currency != items[0].paid.currency:
            raise InvalidValue("lines.currency", line.paid.currency, "lines mix currencies")
        seen.add(line.line_id)
    # every field is checked above: build without attrs' converting constructor
    return _new_case_of(
        case_id, kind, lookup_region(region), order_id, items, stage, platform_id, *_UNOPENED
    )


_new_case_of = unchecked(AfterSalesCase)
_UNOPENED = tuple(f.default for f in attrs.fields(AfterSalesCase)[7:])
"""What `new_case` sets every field after the first seven to: its default in the class."""
