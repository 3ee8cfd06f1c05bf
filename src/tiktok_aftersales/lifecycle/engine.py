"""The pure engine: apply an event to a case and get a new case.

Everything here is derived from the declaration in
[`table`][tiktok_aftersales.lifecycle.table]. No clock is read: time is always an
argument, and it must be timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

import attrs

from ..domain.case import AfterSalesCase, AppliedEvent, new_case
from ..domain.effects import Effect, EffectKind
from ..domain.money import OrderLine, Refund
from ..domain.vocabulary import (
    Actor,
    Arbitration,
    Disposition,
    Event,
    OrderStage,
    Region,
    RequestType,
    State,
    member,
)
from ..errors import (
    ArbitrationInProgress,
    EventOutOfOrder,
    GuardRejected,
    InvalidTransition,
    InvalidValue,
    NaiveDatetime,
    UnknownEvent,
)
from .compiled import compiled_apply
from .declaration import EffectSpec, Lifecycle, Transition
from .events import EVENTS, event_of, offer_after
from .table import LIFECYCLES

__all__ = [
    "AllowedEvent",
    "Preview",
    "admits",
    "allowed_events",
    "apply",
    "can_fire",
    "choose_transition",
    "dry_run",
    "is_terminal",
    "lifecycle",
    "open_case",
    "refusal_code",
]

Payload = Mapping[str, Any]
_EMPTY: Payload = {}
_ACTORS: Mapping[str, Actor] = {a.value: a for a in Actor}
_NEEDS_PAYLOAD = frozenset(name for name, spec in EVENTS.items() if spec.required)


@attrs.frozen
class AllowedEvent:
    """An event that may fire now, and who may fire it.

    Attributes:
        event: The event name.
        actors: Who may fire it now.
        timeout: The window after which the clock fires it, if any.

    """

    event: Event
    actors: tuple[Actor, ...]
    timeout: str | None = None


@attrs.frozen
class Preview:
    """What an event would do, without doing it (see `dry_run`).

    Attributes:
        state: The state the case would be in.
        arbitration: The arbitration sub-state it would be in.
        effects: The outside effects it would have.
        transition: The declared transition that would fire.

    """

    state: State
    arbitration: Arbitration
    effects: tuple[Effect, ...]
    transition: Transition


def lifecycle(request_type: RequestType | str) -> Lifecycle:
    """Return the declared lifecycle of a request type.

    Raises:
        InvalidValue: The type is unknown.

    """
    return LIFECYCLES[member(RequestType, request_type, "request_type")]


def _actor(value: Actor | str) -> Actor:
    if isinstance(value, Actor):
        return value
    found = _ACTORS.get(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidValue("actor", value, f"one of {', '.join(_ACTORS)}")
    return found


def _check_time(at: datetime, field: str = "at") -> None:
    if not isinstance(at, datetime):
        raise InvalidValue(field, at, "a timezone-aware datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetime(field, at)


def _payload_mapping(payload: Any) -> Payload:
    """The payload as a mapping, or a typed error naming it (guards read it as one)."""
    if payload is None:
        return _EMPTY
    if not isinstance(payload, Mapping):
        raise InvalidValue("payload", payload, "a mapping of field names to values")
    return payload


def _allowed_pairs(lc: Lifecycle, case: AfterSalesCase) -> list[tuple[str, tuple[Actor, ...]]]:
    return [(a.event, a.actors) for a in _allowed(lc, case, None)]


def admits(t: Transition, case: AfterSalesCase, actor: Actor, payload: Payload) -> str | None:
    """Return ``None`` when ``t`` admits the event, else which check refused it."""
    if actor not in t.actors:
        return "actor"
    if case.arbitration not in t.arbitration_from:
        return "arbitration"
    if t.guard is not None and not t.guard.test(case, payload):
        return "guard"
    return None


def _in_arbitration(
    case: AfterSalesCase, event: Event, who: Actor, allowed: list[tuple[str, tuple[Actor, ...]]]
) -> ArbitrationInProgress:
    """The platform's 25011010: any non-operator action while the operator decides."""
    return ArbitrationInProgress(
        case.request_type,
        case.state,
        event,
        who,
        allowed,
        "request has been transferred to platform operator (arbitration in progress)",
    )


_UNGUARDED: dict[tuple[RequestType, State, str], Transition] = {
    (lc.request_type, state, event): candidates[0]
    for lc in LIFECYCLES.values()
    for (state, event), candidates in lc.index.items()
    if len(candidates) == 1 and candidates[0].guard is None
}
"""(type, state, event) with exactly one unguarded candidate: `apply` checks its
actors and arbitration inline and calls
[`choose_transition`][tiktok_aftersales.lifecycle.engine.choose_transition] only otherwise."""


def choose_transition(
    case: AfterSalesCase, event: Event | str, actor: Actor | str, payload: Payload | None = None
) -> Transition:
    """Return the declared transition that ``event`` by ``actor`` fires on ``case``.

    Candidates are tried in declaration order; the first whose actors,
    arbitration sub-state and guard admit the event wins (as in the
    ``transitions`` machine built from the same declaration).

    Raises:
        UnknownEvent: No request type declares ``event``.
        ArbitrationInProgress: The case is with the platform operator.
        GuardRejected: The event is declared here but its guard is false.
        InvalidTransition: The event is not legal in this state for this actor.

    """
    event = event_of(event)
    who = _actor(actor)
    data = _payload_mapping(payload)
    lc = LIFECYCLES[case.request_type]
    candidates = lc.index.get((case.state, event))
    if not candidates:
        if case.arbitration is Arbitration.IN_PROGRESS and who is not Actor.OPERATOR:
            raise _in_arbitration(case, event, who, _allowed_pairs(lc, case))
        raise InvalidTransition(case.request_type, case.state, event, who, _allowed_pairs(lc, case))
    refusals = []
    for t in candidates:
        why = admits(t, case, who, data)
        if why is None:
            return t
        refusals.append(why)
    allowed = _allowed_pairs(lc, case)
    if "guard" in refusals:
        guard = next(t.guard for t in candidates if t.guard and who in t.actors)
        raise GuardRejected(
            case.request_type,
            case.state,
            event,
            who,
            allowed,
            f"guard {guard.name!r} is false ({guard.doc})",
        )
    if "arbitration" in refusals:
        if case.arbitration is Arbitration.IN_PROGRESS:
            raise ArbitrationInProgress(
                case.request_type,
                case.state,
                event,
                who,
                allowed,
                "request has been transferred to platform operator (arbitration in progress)",
            )
        raise InvalidTransition(
            case.request_type,
            case.state,
            event,
            who,
            allowed,
            f"not allowed while arbitration is {case.arbitration.value}",
        )
    if case.arbitration is Arbitration.IN_PROGRESS and who is not Actor.OPERATOR:
        raise _in_arbitration(case, event, who, allowed)
    actors = sorted({a.value for t in candidates for a in t.actors})
    raise InvalidTransition(
        case.request_type,
        case.state,
        event,
        who,
        allowed,
        f"only {'/'.join(actors)} may fire it",
    )


def is_terminal(case: AfterSalesCase) -> bool:
    """Whether no event can move ``case`` any more (its state is final for its type)."""
    return case.state in LIFECYCLES[case.request_type].terminal


def refusal_code(case: AfterSalesCase, event: Event | str, error: InvalidTransition) -> int:
    """The platform's error code for refusing ``event`` on ``case`` (platform-api.md §2e).

    Arbitration in progress is 25011010, an event the type does not have
    25020004, a withdrawn request 25020009; otherwise the event's declared
    `Refusal`: its ``done`` code when the
    case is already past the event it names, else its ``code``.
    """
    kind = case.request_type
    state = case.state
    ev = event_of(event)
    if isinstance(error, ArbitrationInProgress):
        return 25011010
    if ev not in LIFECYCLES[kind].events:
        return 25020004
    if state is State.WITHDRAWN:
        return 25020009
    refusal = EVENTS[ev].refusal
    if refusal.done is not None and refusal.past is not None and state in _past(kind, refusal.past):
        return refusal.done
    return refusal.code


@cache
def _past(kind: RequestType, event: Event) -> frozenset[State]:
    """States reachable once ``event`` fired, closure and rejection aside."""
    return LIFECYCLES[kind].reachable_after(event) - {State.CLOSED, State.REJECTED}


def _requested_lines(case: AfterSalesCase) -> tuple[str, ...]:
    if case.requested is not None:
        return tuple(x.line_id for x in case.requested.lines)
    return tuple(x.line_id for x in case.lines)


def _build_effect(
    spec: EffectSpec, case: AfterSalesCase, seq: int, payload: Payload
) -> Effect | None:
    kind = spec.kind
    key = f"{case.case_id}/{seq}/{kind.value}"
    if kind is EffectKind.ISSUE_REFUND:
        if case.refund is None:  # pragma: no cover - the declaration always sets one
            return None
        return Effect(
            kind,
            key,
            case.case_id,
            case.order_id,
            tuple(x.line_id for x in case.refund.lines),
            amount=case.refund.total,
            refund=case.refund,
        )
    if kind in (EffectKind.RELEASE_STOCK, EffectKind.MANUAL_STOCK_IN):
        lines = case.fully_refunded_lines
        if not lines:
            return None
        return Effect(kind, key, case.case_id, case.order_id, lines)
    if kind is EffectKind.STOCK_IN:
        disposition = payload.get("disposition") or Disposition.RESTOCK
        return Effect(
            kind,
            key,
            case.case_id,
            case.order_id,
            _requested_lines(case),
            disposition=Disposition(disposition),
        )
    if kind is EffectKind.SEND_MISSING_ITEMS or kind is EffectKind.CREATE_REPLACEMENT_ORDER:
        lines = tuple(payload.get("line_ids") or _requested_lines(case))
        return Effect(kind, key, case.case_id, case.order_id, lines)
    return Effect(kind, key, case.case_id, case.order_id)


def _next_case(
    case: AfterSalesCase,
    t: Transition,
    event: Event,
    actor: Actor,
    at: datetime,
    payload: Payload | None,
) -> tuple[AfterSalesCase, tuple[Effect, ...]]:
    """Build the case after ``t`` fired (the payload is already validated)."""
    state = case.state
    dest = state if t.dest is None else t.dest
    data = payload or _EMPTY
    requested = case.requested
    offer = case.offer
    refund = case.refund
    if state is State.NEW:
        given = data.get("refund")
        requested = given if given is not None else Refund.order(case.lines)
    offer = offer_after(offer, event, dest, data)
    if t.refund == "requested":
        refund = requested
    elif t.refund == "payload":
        refund = data[EVENTS[event].refund_from or ""]  # a required field of the spec
    elif t.refund == "offer" and case.offer is not None:
        refund = case.offer.refund
    seq = len(case.history) + 1
    record = AppliedEvent(seq, event, actor, at, dest, payload or None)
    arbitration = case.arbitration if t.arbitration_to is None else t.arbitration_to
    deadline = case.platform_deadline if dest is state else None
    after = AfterSalesCase(
        case.case_id,
        case.request_type,
        case.region,
        case.order_id,
        case.lines,
        case.order_stage,
        case.platform_id,
        dest,
        arbitration,
        (*case.history, record),
        case.version + 1,
        requested,
        refund,
        offer,
        case.effects,
        case.effects_done,
        deadline,
        case.review,
        case.platform_time,
    )
    if not t.effects:
        return after, ()
    produced = []
    for spec in t.effects:
        if spec.when is not None and not spec.when.test(after, data):
            continue
        effect = _build_effect(spec, after, seq, data)
        if effect is not None:
            produced.append(effect)
    if not produced:
        return after, ()
    effects = tuple(produced)
    # ``after`` is still private to this call (only predicates have read it): set its
    # effects in place rather than copy it with attrs.evolve (several µs per event).
    object.__setattr__(after, "effects", case.effects + effects)
    return after, effects


def apply(
    case: AfterSalesCase,
    event: Event | str,
    actor: Actor | str,
    at: datetime,
    payload: Payload | None = None,
) -> AfterSalesCase:
    """Apply one event to a case and return the new case.

    The input is never changed: on any error the caller still holds the
    case exactly as it was.

    Args:
        case: The case.
        event: The event (an [`Event`][tiktok_aftersales.domain.vocabulary.Event] or its name).
        actor: Who fires it (an [`Actor`][tiktok_aftersales.domain.vocabulary.Actor] or its value).
        at: When, timezone-aware, not earlier than the last event.
        payload: Event details; see each event's fields in ``EVENTS``.

    Returns:
        The new case: one more history entry, version + 1, and the
        transition's effects appended.

    Raises:
        NaiveDatetime: ``at`` has no time zone.
        UnknownEvent: ``event`` is not a known event.
        EventOutOfOrder: ``at`` is earlier than the last event.
        InvalidTransition: the event may not fire now (the error lists
            what may); its subclasses say why more precisely.
        InvalidValue: the payload is malformed (for example an over-refund).

    """
    after = compiled_apply(case, event, actor, at, payload)
    if after is not None:
        return after
    return _checked_apply(case, event, actor, at, payload)


def _checked_apply(
    case: AfterSalesCase,
    event: Event | str,
    actor: Actor | str,
    at: datetime,
    payload: Payload | None,
) -> AfterSalesCase:
    """`apply` one check at a time: every refusal is raised here."""
    _check_time(at)
    ev = event if isinstance(event, Event) else event_of(event)
    history = case.history
    if history and at < history[-1].at:
        raise EventOutOfOrder(at, history[-1].at)
    who = actor if actor.__class__ is Actor else _actor(actor)
    t = _UNGUARDED.get((case.request_type, case.state, ev))
    if t is None or who not in t.actors or case.arbitration not in t.arbitration_from:
        t = choose_transition(case, ev, who, payload)
    if payload is not None or ev in _NEEDS_PAYLOAD:
        payload = EVENTS[ev].validate(case, payload)
    return _next_case(case, t, ev, who, at, payload)[0]


def dry_run(
    case: AfterSalesCase,
    event: Event | str,
    actor: Actor | str,
    at: datetime,
    payload: Payload | None = None,
) -> Preview:
    """Say what `apply` would do, without committing anything.

    Raises:
        AfterSalesError: The same errors as
            [`apply`][tiktok_aftersales.lifecycle.engine.apply].

    """
    _check_time(at)
    ev = event_of(event)
    if case.history and at < case.history[-1].at:
        raise EventOutOfOrder(at, case.history[-1].at)
    who = _actor(actor)
    t = choose_transition(case, ev, who, payload)
    if payload is not None or ev in _NEEDS_PAYLOAD:
        payload = EVENTS[ev].validate(case, payload)
    after, effects = _next_case(case, t, ev, who, at, payload)
    return Preview(after.state, after.arbitration, effects, t)


def can_fire(
    case: AfterSalesCase, event: Event | str, actor: Actor | str, payload: Payload | None = None
) -> bool:
    """Whether ``event`` by ``actor`` is legal on ``case`` now (payload not validated)."""
    try:
        choose_transition(case, event, actor, payload)
    except (InvalidTransition, UnknownEvent):
        return False
    return True


def _allowed(lc: Lifecycle, case: AfterSalesCase, actor: Actor | None) -> list[AllowedEvent]:
    found: dict[Event, dict[Actor, None]] = {}
    timeouts: dict[Event, str] = {}
    for t in lc.from_state(case.state):
        if case.arbitration not in t.arbitration_from:
            continue
        guard = t.guard
        if guard is not None and not guard.reads_payload and not guard.test(case, _EMPTY):
            continue
        actors = found.setdefault(t.event, {})
        for a in sorted(t.actors):
            if actor is None or a is actor:
                actors.setdefault(a, None)
        if t.timeout is not None:
            timeouts[t.event] = t.timeout.value
    return [
        AllowedEvent(event, tuple(actors), timeouts.get(event))
        for event, actors in found.items()
        if actors
    ]


def allowed_events(
    case: AfterSalesCase, actor: Actor | str | None = None
) -> tuple[AllowedEvent, ...]:
    """The events that may fire now, and who may fire them.

    This is what a seller tool shows as buttons (``actor=Actor.SELLER``),
    like the platform's decision-eligibility endpoint. Events whose guard
    depends on the payload (``approve`` with ``buyer_keep_item``) are
    listed; guards on the case's own data (the pending offer) are applied.
    """
    who = None if actor is None else _actor(actor)
    return tuple(_allowed(LIFECYCLES[case.request_type], case, who))


def open_case(
    request_type: RequestType | str,
    *,
    case_id: str,
    order_id: str,
    region: Region | str,
    lines: Iterable[OrderLine],
    at: datetime,
    actor: Actor | str | None = None,
    event: Event | str | None = None,
    order_stage: OrderStage | str = OrderStage.DELIVERED,
    platform_id: str | None = None,
    payload: Payload | None = None,
) -> AfterSalesCase:
    """Build a case and apply its opening event in one step.

    Args:
        request_type: The request type.
        case_id: The host's id for the case.
        order_id: The order.
        region: The market (a [`Region`][tiktok_aftersales.domain.vocabulary.Region] or its code).
        lines: The order lines concerned, with what was paid.
        at: When the case opened, timezone-aware.
        actor: Who opened it; defaults to the first actor the opening allows
            (the buyer for requests, the seller for seller refunds, logistics
            for abnormal returns).
        event: The opening event when the type has several (a cancellation
            may be ``request`` or ``cancel_order``); defaults to the first.
        order_stage: How far the order had gone.
        platform_id: The platform's id of the request, when known.
        payload: The opening event's payload (``refund`` for the amount
            requested; it defaults to a full refund of every line).

    Raises:
        InvalidValue: Any malformed argument (see
            [`new_case`][tiktok_aftersales.domain.case.new_case]).
        InvalidTransition: ``event`` or ``actor`` cannot open this type.

    """
    case = new_case(
        request_type,
        case_id=case_id,
        order_id=order_id,
        region=region,
        lines=lines,
        order_stage=order_stage,
        platform_id=platform_id,
    )
    lc = LIFECYCLES[case.request_type]
    name = event_of(event) if event is not None else lc.openings[0]
    if actor is None:
        first = next(
            (t for t in lc.transitions if t.event == name and State.NEW in t.sources), None
        )
        if first is None:
            raise InvalidValue("event", name, f"opening events: {', '.join(lc.openings)}")
        actor = _opening_actor(first)
    return apply(case, name, actor, at, payload)


def _opening_actor(t: Transition) -> Actor:
    for preferred in (Actor.BUYER, Actor.SELLER, Actor.LOGISTICS, Actor.SYSTEM, Actor.OPERATOR):
        if preferred in t.actors:
            return preferred
    return sorted(t.actors)[0]  # pragma: no cover - every opening names an actor
