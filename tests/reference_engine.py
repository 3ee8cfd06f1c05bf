"""The engine as it was before it was compiled: a slow, plain reference for the tests.

Every check is made one at a time from the declaration (``LIFECYCLES``) and the
event specs (``EVENTS``); the new case is built through the validating
constructor with a plain tuple history. Tests compare the compiled
:func:`tiktok_aftersales.apply` with :func:`reference_apply`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from tiktok_aftersales import AfterSalesCase, AppliedEvent
from tiktok_aftersales.domain import Actor, Arbitration, Disposition, Effect, EffectKind, State
from tiktok_aftersales.domain.money import Refund
from tiktok_aftersales.errors import (
    ArbitrationInProgress,
    EventOutOfOrder,
    GuardRejected,
    InvalidTransition,
    InvalidValue,
    NaiveDatetime,
)
from tiktok_aftersales.lifecycle import (
    EVENTS,
    LIFECYCLES,
    Transition,
    allowed_events,
    event_of,
    offer_after,
)

_EMPTY: Mapping[str, Any] = {}
_ACTORS = {a.value: a for a in Actor}
_ARBITRATION = "request has been transferred to platform operator (arbitration in progress)"


def _actor(value: Any) -> Actor:
    if isinstance(value, Actor):
        return value
    found = _ACTORS.get(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidValue("actor", value, f"one of {', '.join(_ACTORS)}")
    return found


def _allowed(case: AfterSalesCase) -> list[tuple[str, tuple[Actor, ...]]]:
    return [(a.event, a.actors) for a in allowed_events(case)]


def _choose(case: AfterSalesCase, event: Any, who: Actor, payload: Any) -> Transition:
    if payload is None:
        data = _EMPTY
    elif isinstance(payload, Mapping):
        data = payload
    else:
        raise InvalidValue("payload", payload, "a mapping of field names to values")
    kind, state, arb = case.request_type, case.state, case.arbitration
    candidates = LIFECYCLES[kind].index.get((state, event))
    if not candidates:
        if arb is Arbitration.IN_PROGRESS and who is not Actor.OPERATOR:
            raise ArbitrationInProgress(kind, state, event, who, _allowed(case), _ARBITRATION)
        raise InvalidTransition(kind, state, event, who, _allowed(case))
    refusals = []
    for t in candidates:
        if who not in t.actors:
            refusals.append("actor")
        elif arb not in t.arbitration_from:
            refusals.append("arbitration")
        elif t.guard is not None and not t.guard.test(case, data):
            refusals.append("guard")
        else:
            return t
    allowed = _allowed(case)
    if "guard" in refusals:
        guard = next(t.guard for t in candidates if t.guard and who in t.actors)
        why = f"guard {guard.name!r} is false ({guard.doc})"
        raise GuardRejected(kind, state, event, who, allowed, why)
    if "arbitration" in refusals:
        if arb is Arbitration.IN_PROGRESS:
            raise ArbitrationInProgress(kind, state, event, who, allowed, _ARBITRATION)
        why = f"not allowed while arbitration is {arb.value}"
        raise InvalidTransition(kind, state, event, who, allowed, why)
    if arb is Arbitration.IN_PROGRESS and who is not Actor.OPERATOR:
        raise ArbitrationInProgress(kind, state, event, who, allowed, _ARBITRATION)
    actors = sorted({a.value for t in candidates for a in t.actors})
    why = f"only {'/'.join(actors)} may fire it"
    raise InvalidTransition(kind, state, event, who, allowed, why)


def _lines_of(case: AfterSalesCase) -> tuple[str, ...]:
    source = case.requested.lines if case.requested is not None else case.lines
    return tuple(x.line_id for x in source)


def _effect(kind: EffectKind, case: AfterSalesCase, seq: int, data: Any) -> Effect | None:
    key = f"{case.case_id}/{seq}/{kind.value}"
    base = (kind, key, case.case_id, case.order_id)
    if kind is EffectKind.ISSUE_REFUND:
        assert case.refund is not None
        ids = tuple(x.line_id for x in case.refund.lines)
        return Effect(*base, ids, amount=case.refund.total, refund=case.refund)
    if kind in (EffectKind.RELEASE_STOCK, EffectKind.MANUAL_STOCK_IN):
        refund = case.refund
        full = tuple(
            line.line_id
            for line in case.lines
            if refund is not None
            and (part := refund.for_line(line.line_id)) is not None
            and part.total_amount >= line.refundable_amount
        )
        return Effect(*base, full) if full else None
    if kind is EffectKind.STOCK_IN:
        disposition = Disposition(data.get("disposition") or Disposition.RESTOCK)
        return Effect(*base, _lines_of(case), disposition=disposition)
    if kind in (EffectKind.SEND_MISSING_ITEMS, EffectKind.CREATE_REPLACEMENT_ORDER):
        return Effect(*base, tuple(data.get("line_ids") or _lines_of(case)))
    return Effect(*base)


def reference_apply(
    case: AfterSalesCase, event: Any, actor: Any, at: Any, payload: Any = None
) -> AfterSalesCase:
    """Apply one event the slow way (the semantics :func:`tiktok_aftersales.apply` keeps)."""
    if not isinstance(at, datetime):
        raise InvalidValue("at", at, "a timezone-aware datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetime("at", at)
    ev = event_of(event)
    history = tuple(case.history)
    if history and at < history[-1].at:
        raise EventOutOfOrder(at, history[-1].at)
    who = _actor(actor)
    t = _choose(case, ev, who, payload)
    spec = EVENTS[ev]
    if payload is not None or spec.required:
        payload = spec.validate(case, payload)
    data = payload or _EMPTY
    state = case.state
    dest = t.dest_from(state)
    requested, refund = case.requested, case.refund
    if state is State.NEW:
        given = data.get("refund")
        requested = given if given is not None else Refund.order(case.lines)
    offer = offer_after(case.offer, ev, dest, data)
    if t.refund == "requested":
        refund = requested
    elif t.refund == "payload":
        refund = data[spec.refund_from]
    elif t.refund == "offer" and case.offer is not None:
        refund = case.offer.refund
    seq = len(history) + 1
    after = AfterSalesCase(
        case_id=case.case_id,
        request_type=case.request_type,
        region=case.region,
        order_id=case.order_id,
        lines=case.lines,
        order_stage=case.order_stage,
        platform_id=case.platform_id,
        state=dest,
        arbitration=case.arbitration if t.arbitration_to is None else t.arbitration_to,
        history=(*history, AppliedEvent(seq, ev, who, at, dest, payload or None)),
        version=case.version + 1,
        requested=requested,
        refund=refund,
        offer=offer,
        effects=case.effects,
        effects_done=case.effects_done,
        platform_deadline=case.platform_deadline if dest is state else None,
        review=case.review,
        platform_time=case.platform_time,
    )
    made = [
        e
        for spec_ in t.effects
        if spec_.when is None or spec_.when.test(after, data)
        if (e := _effect(spec_.kind, after, seq, data)) is not None
    ]
    if not made:
        return after
    return attrs.evolve(after, effects=(*case.effects, *made))
