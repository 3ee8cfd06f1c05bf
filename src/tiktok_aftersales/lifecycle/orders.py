"""Money bounded per order: the pure API over every case of one order.

[`apply`][tiktok_aftersales.lifecycle.engine.apply] checks a case against what its own lines paid;
these functions also check the order: they build the `OrderLedger`
from the order's other cases and refuse an event that would put more money
at stake than the order has left ([`OrderOverRefund`][tiktok_aftersales.errors.OrderOverRefund]).
The money at stake is what the event commits (an approval, a ruling, a
confirmed parcel), offers (a partial refund) or sends at once (a seller
refund); a buyer's pending request puts nothing at stake, so it opens
freely and its approval is what the ledger refuses.

The application service calls these under the store's order-level
optimistic concurrency; a host that does not use the service gets the same
rule here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ..domain.ledger import OrderLedger
from ..domain.money import OrderLine, Refund
from ..domain.vocabulary import Actor, Event
from .engine import apply, open_case
from .events import EVENTS, event_of

__all__ = ["apply_on_order", "at_stake", "check_order", "open_on_order"]


def at_stake(before: AfterSalesCase, after: AfterSalesCase, event: Event | str) -> Refund | None:
    """The money ``event`` put at stake going from ``before`` to ``after``, if any.

    A seller refund stakes what it requests; otherwise a new offer stakes the
    offered refund and a newly committed refund stakes itself.
    """
    if EVENTS[event_of(event)].stakes_request and before.requested is None:
        return after.requested
    if after.offer is not None and after.offer != before.offer:
        return after.offer.refund
    if after.refund is not None and after.refund != before.refund:
        return after.refund
    return None


def check_order(
    before: AfterSalesCase | None,
    after: AfterSalesCase,
    event: Event | str,
    order_cases: Iterable[AfterSalesCase],
    lines: Iterable[OrderLine] = (),
) -> None:
    """Refuse ``after`` when the money its last event staked exceeds what its order has left.

    Args:
        before: The case before the event (``None`` when the event opened it).
        after: The case after the event.
        event: The event.
        order_cases: The order's cases as stored (``after``'s own earlier
            version among them is left out).
        lines: More lines of the order, if the host knows them.

    Raises:
        OrderOverRefund: The order has less left than the event staked.

    """
    start = before if before is not None else _unopened(after)
    stake = at_stake(start, after, event)
    if stake is None:
        return
    others = [c for c in order_cases if c.case_id != after.case_id]
    OrderLedger.of(after.order_id, (*lines, *after.lines), others).check(stake)


def _unopened(case: AfterSalesCase) -> AfterSalesCase:
    return attrs.evolve(case, requested=None, refund=None, offer=None)


def apply_on_order(
    case: AfterSalesCase,
    order_cases: Iterable[AfterSalesCase],
    event: Event | str,
    actor: Actor | str,
    at: datetime,
    payload: Mapping[str, Any] | None = None,
) -> AfterSalesCase:
    """Like `apply`, and bounded by what the whole order has left.

    Args:
        case: The case.
        order_cases: Every case of the same order (``case`` itself may be
            among them; it is left out of the ledger).
        event: The event.
        actor: Who fires it.
        at: When, timezone-aware.
        payload: The event's payload.

    Raises:
        OrderOverRefund: The event would stake more than the order has left;
            nothing changes.
        InvalidTransition, InvalidValue: As [`apply`][tiktok_aftersales.lifecycle.engine.apply].

    """
    after = apply(case, event, actor, at, payload)
    check_order(case, after, event, order_cases)
    return after


def open_on_order(
    order_cases: Iterable[AfterSalesCase], request_type: Any, **kwargs: Any
) -> AfterSalesCase:
    """Like `open_case`, and bounded by what the order has left.

    A seller refund or a direct cancellation stakes its refund when it
    opens; a buyer's request opens freely (its approval is checked).

    Raises:
        OrderOverRefund: The opening stakes more than the order has left.
        InvalidTransition, InvalidValue: As
            [`open_case`][tiktok_aftersales.lifecycle.engine.open_case].

    """
    case = open_case(request_type, **kwargs)
    check_order(None, case, case.history[0].event, order_cases)
    return case
