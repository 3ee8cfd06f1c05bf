"""The declaration compiled for `tiktok_aftersales.apply`'s fast path.

On first use, `tiktok_aftersales.lifecycle.LIFECYCLES` compiles into
one table per ``(request type, state, arbitration)``, keyed by ``(event,
actor)``. Each entry lists, in declaration order, the candidates that the
actor and the arbitration sub-state admit, each with its guard and a
`Step`: next state, arbitration after, refund source, offer rule and
effect builders, all resolved once. Nothing here is written by hand: every
entry comes from the declared transitions and event specs.

`compiled_apply` decides an event with two dictionary look-ups. When it
cannot (an unknown event or actor, a refused guard, a time that is not an
aware ``datetime``), it returns ``None`` and the checked path of
`engine` decides, so every error is raised in one place with the same
message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timezone
from typing import Any

from ..domain._builders import unchecked
from ..domain.case import AfterSalesCase, Offer
from ..domain.effects import Effect, EffectKind
from ..domain.facts import full_order_refund, fully_refunded
from ..domain.history import (
    ACTOR_CODE,
    EPOCH,
    EVENT_CODE,
    STATE_CODE,
    History,
    pack_payload,
    packed_append,
    packed_last_us,
    packed_size,
)
from ..domain.vocabulary import Actor, Arbitration, Disposition, RequestType, State
from ..errors import EventOutOfOrder
from .declaration import Transition
from .events import EVENTS, EventSpec
from .table import LIFECYCLES

__all__ = ["Step", "compiled_apply", "compiled_table"]

Payload = Mapping[str, Any]
Guard = Callable[[AfterSalesCase, Payload], bool]
Row = Mapping[tuple[str, str], tuple[tuple[Guard | None, "Step"], ...]]

_EMPTY: Payload = {}
_UTC = UTC
_STOCK = (EffectKind.RELEASE_STOCK, EffectKind.MANUAL_STOCK_IN)
_LINES = (EffectKind.SEND_MISSING_ITEMS, EffectKind.CREATE_REPLACEMENT_ORDER)
_case = unchecked(AfterSalesCase)
_effect_of = unchecked(Effect)


class Step:
    """One transition fired from one state by one actor, resolved for the fast path.

    Attributes:
        transition: The declared transition.
        event: The event.
        actor: Who fires it.
        spec: The event's spec (payload fields, offer rule).
        source: The state it fires from.
        dest: The state it leads to.
        codes: The event, actor and destination codes of the history entry.
        arbitration_to: The arbitration sub-state after it (``None``: unchanged).
        refund: Where the committed refund comes from (``None``: unchanged).
        effects: ``(kind, condition, kind value)`` per declared effect, in order.
        validates: Whether a payload must go through the spec even when absent.
        required: The payload fields the event requires.
        fields: ``(name, error label, converter)`` per payload field, in the spec's order.

    """

    __slots__ = (
        "actor",
        "arbitration_to",
        "codes",
        "dest",
        "effects",
        "event",
        "fields",
        "keeps_offer",
        "make_offer",
        "opens",
        "refund",
        "required",
        "source",
        "spec",
        "transition",
        "validates",
    )

    def __init__(self, t: Transition, source: State, actor: Actor) -> None:
        spec: EventSpec = EVENTS[t.event]
        dest = t.dest_from(source)
        self.transition = t
        self.event = t.event
        self.actor = actor
        self.spec = spec
        self.source = source
        self.dest = dest
        self.codes = (EVENT_CODE[t.event], ACTOR_CODE[actor], STATE_CODE[dest])
        self.arbitration_to = t.arbitration_to
        self.refund = t.refund
        self.effects: tuple[tuple[EffectKind, Guard | None, str], ...] = tuple(
            (e.kind, None if e.when is None else e.when.test, e.kind.value) for e in t.effects
        )
        self.validates = bool(spec.required)
        self.required = tuple(spec.required)
        self.fields = tuple((name, f"payload.{name}", fn) for name, fn in spec.fields.items())
        self.opens = source is State.NEW
        self.make_offer = spec.offer
        self.keeps_offer = dest is State.AWAITING_BUYER_RESPONSE


def _compile() -> dict[tuple[RequestType, State, Arbitration], Row]:
    table: dict[tuple[RequestType, State, Arbitration], Row] = {}
    for kind, lc in LIFECYCLES.items():
        rows: dict[tuple[State, Arbitration], dict[tuple[str, str], Any]] = {}
        for (state, event), candidates in lc.index.items():
            for arbitration in Arbitration:
                for actor in Actor:
                    admitted = [
                        t
                        for t in candidates
                        if actor in t.actors and arbitration in t.arbitration_from
                    ]
                    entries = []
                    for t in admitted:
                        entries.append(
                            (None if t.guard is None else t.guard.test, Step(t, state, actor))
                        )
                        if t.guard is None:
                            break  # later candidates can never win
                    if entries:
                        rows.setdefault((state, arbitration), {})[(event, actor)] = tuple(entries)
        for (state, arbitration), row in rows.items():
            table[(kind, state, arbitration)] = row
    return table


_TABLE: dict[tuple[RequestType, State, Arbitration], Row] = {}


def compiled_table() -> Mapping[tuple[RequestType, State, Arbitration], Row]:
    """The compiled table (built on first use): ``(type, state, arbitration)`` to its row."""
    if not _TABLE:
        _TABLE.update(_compile())
    return _TABLE


def _effect(
    kind: EffectKind, key: str, after: AfterSalesCase, data: Payload, requested: Any
) -> Effect | None:
    case_id = after.case_id
    if kind is EffectKind.ISSUE_REFUND:
        refund = after.refund
        if refund is None:  # pragma: no cover - the declaration always sets one
            return None
        return _effect_of(
            kind,
            key,
            case_id,
            after.order_id,
            refund.line_ids,
            refund.total,
            refund,
            None,
            None,
        )
    if kind in _STOCK:
        lines = fully_refunded(after.refund, after.lines)
        if not lines:
            return None
        return _effect_of(kind, key, case_id, after.order_id, lines, None, None, None, None)
    if kind is EffectKind.STOCK_IN:
        # the payload is validated: its disposition, when given, is a Disposition
        disposition = data.get("disposition") or Disposition.RESTOCK
        return _effect_of(
            kind,
            key,
            case_id,
            after.order_id,
            _requested_lines(after, requested),
            None,
            None,
            disposition,
            None,
        )
    if kind in _LINES:
        ids = tuple(data.get("line_ids") or _requested_lines(after, requested))
        return _effect_of(kind, key, case_id, after.order_id, ids, None, None, None, None)
    return _effect_of(kind, key, case_id, after.order_id, (), None, None, None, None)


def _validated(step: Step, case: AfterSalesCase, payload: dict[Any, Any]) -> Payload | None:
    """``step.spec.validate(case, payload)`` for a non-empty dict, without ABC checks.

    Any refusal is left to the spec itself, so the error is the spec's own.
    """
    for key in payload:
        if key.__class__ is not str and not isinstance(key, str):
            return step.spec.validate(case, payload)
    out = dict(payload)
    for name in step.required:
        if out.get(name) is None:
            return step.spec.validate(case, payload)
    for name, label, convert in step.fields:
        value = out.get(name)
        if value is not None:
            out[name] = convert(case, label, value)
    return out


def _requested_lines(case: AfterSalesCase, requested: Any) -> tuple[str, ...]:
    if requested is not None:
        return requested.line_ids  # type: ignore[no-any-return]
    return tuple(x.line_id for x in case.lines)


def compiled_apply(
    case: AfterSalesCase,
    event: Any,
    actor: Any,
    at: Any,
    payload: Any,
) -> AfterSalesCase | None:
    """Apply ``event`` on the compiled path, or return ``None`` to leave it to the checked path.

    Raises:
        EventOutOfOrder: ``at`` is earlier than the last event (the event and
            actor are known, as on the checked path).
        InvalidValue: the payload is malformed (the event's spec says why).

    """
    if at.__class__ is not datetime:
        return None
    tz = at.tzinfo
    zone: Any
    if tz is _UTC and not at.fold:
        zone = None
    elif tz.__class__ is timezone and not at.fold:
        zone = tz
    elif tz is None or tz.utcoffset(at) is None:
        return None
    else:
        zone = at
    row = (_TABLE or compiled_table()).get((case.request_type, case.state, case.arbitration))
    if row is None:
        return None
    try:
        entries = row.get((event, actor))
    except TypeError:
        return None
    if entries is None:
        return None
    td = at - EPOCH
    us = (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds
    history = case.history
    packed = history.__class__ is History
    last = packed_last_us(history) if packed else history.last_us()
    if last is not None and us < last:
        raise EventOutOfOrder(at, history.time_at(-1))
    first = entries[0]
    if first[0] is None:
        step = first[1]
    else:
        data = _EMPTY if payload is None else payload
        if data.__class__ is not dict and not isinstance(data, Mapping):
            return None
        for guard, candidate in entries:
            if guard is None or guard(case, data):
                step = candidate
                break
        else:
            return None
    if payload.__class__ is dict and payload:
        payload = _validated(step, case, payload)
    elif payload is not None or step.validates:
        payload = step.spec.validate(case, payload)
    data = _EMPTY if payload is None else payload
    dest = step.dest
    requested = case.requested
    if step.opens:
        given = data.get("refund")
        requested = given if given is not None else full_order_refund(case.lines)
    make = step.make_offer
    if make is not None:
        offer: Offer | None = make(data)
    elif step.keeps_offer:
        offer = case.offer
    else:
        offer = None
    source = step.refund
    refund = case.refund
    if source is not None:
        if source == "requested":
            refund = requested
        elif source == "payload":
            refund = data[step.spec.refund_from or ""]  # a required field of the spec
        elif case.offer is not None:
            refund = case.offer.refund
    arbitration = step.arbitration_to
    event_code, actor_code, state_code = step.codes
    flat = None if payload is None else pack_payload(payload)
    if packed:
        appended = packed_append(history, us, zone, event_code, actor_code, state_code, flat)
    else:
        appended = history.appended(us, zone, event_code, actor_code, state_code, flat)
    after = _case(
        case.case_id,
        case.request_type,
        case.region,
        case.order_id,
        case.lines,
        case.order_stage,
        case.platform_id,
        dest,
        case.arbitration if arbitration is None else arbitration,
        appended,
        case.version + 1,
        requested,
        refund,
        offer,
        case.effects,
        case.effects_done,
        case.platform_deadline if dest is case.state else None,
        case.review,
        case.platform_time,
    )
    if not step.effects:
        return after
    seq = (packed_size(history) if packed else len(history)) + 1
    produced = []
    for kind, when, name in step.effects:
        if when is not None and not when(after, data):
            continue
        effect = _effect(kind, f"{after.case_id}/{seq}/{name}", after, data, requested)
        if effect is not None:
            produced.append(effect)
    if produced:
        # ``after`` is still private to this call (only predicates have read it).
        object.__setattr__(after, "effects", (*case.effects, *produced))
    return after
