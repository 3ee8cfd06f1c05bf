"""The bulk analysis path: replay many event streams, state only.

An analyst replaying millions of events wants the state each case ends in,
not a history of immutable records. [`replay_states`][tiktok_aftersales.analysis.fast.replay_states]
walks streams of ``(event, actor)`` pairs through one flat dictionary,
``(control, event, actor) -> next control``, where the *control* is a small
integer standing for (request type, state, arbitration sub-state, solution of
the seller's pending offer): everything the declaration's decisions read.

The table is compiled once, on first use, **from the pure engine itself**:
for every control and every event declared from its state, a probe case in
that control is asked [`choose_transition`][tiktok_aftersales.lifecycle.engine.choose_transition]
which transition fires, and the engine's own pending-offer rule says what the
offer becomes. Nothing here restates a transition.

Guards, and which moves are decided with the payload:

- guards on the case's own data (``offer_is_partial_refund``,
  ``offer_is_reshipment``, ``offer_is_replacement`` on ``accept_offer``)
  read only the pending offer, which is part of the control: they are
  decided in the table like any other move;
- a guard on the payload (``buyer_keeps_item`` on a seller's ``approve`` of
  a return) and an offer whose solution comes from the payload
  (``propose_alternative``) cannot be tabled. The compiler finds them by
  handing the engine a payload that records what it reads. At replay time a
  guard move is decided by ``choose_transition`` on the control's probe
  case with the real payload, then memoised by the values of the fields the
  guard read (so ``buyer_keep_item`` absent, true or false costs one engine
  call each, once); an alternative's solution is read by the engine's own
  offer rule. Together these are a few per cent of a realistic stream.

A guard that read other case data (amounts, order stage) could not be
decided from the control: the compiler builds the table on two differently
made probes and raises [`FastPathUnsupported`][tiktok_aftersales.analysis.fast.FastPathUnsupported]
if any decision differs, so a change to the declaration cannot make this path silently wrong.

Payloads are not validated here beyond the fields that decide a move: the
fast path is for histories already accepted once (by
[`apply`][tiktok_aftersales.lifecycle.engine.apply], the platform or the generator).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from ..domain.case import AfterSalesCase, Offer, new_case
from ..domain.money import Breakdown, OrderLine
from ..domain.vocabulary import Actor, Arbitration, OrderStage, RequestType, Solution, State, member
from ..errors import (
    FastPathUnsupported,
    InvalidTransition,
    InvalidValue,
    UnknownEvent,
)
from ..lifecycle import choose_transition, offer_after
from ..lifecycle.table import LIFECYCLES

__all__ = [
    "FastPathUnsupported",
    "FastTable",
    "control_of",
    "fast_table",
    "replay_states",
]

Payload = Mapping[str, Any]
EventItem = Sequence[Any]
"""``(event, actor)`` or ``(event, actor, payload)``; the actor as a value or an ``Actor``."""
Stream = tuple[RequestType | str | AfterSalesCase, Iterable[EventItem]]
"""A request type (the stream starts before the opening event) or an opened case
(the stream continues it), and its events in order."""

_MISSING = -(10**9)


class _Recorder(Mapping[str, Any]):
    """A payload that records which fields a decision reads.

    With ``sentinels`` it answers every read with a marker naming the field,
    so that a result built from a field can be told from a constant.
    """

    def __init__(self, data: Payload | None = None, *, sentinels: bool = False) -> None:
        self.data: Payload = data or {}
        self.sentinels = sentinels
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        if self.sentinels:
            return _Field(key)
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        self.read.add("*")
        return iter(self.data)

    def __len__(self) -> int:
        return 1  # never falsy: the engine must read it, not skip it

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return key in self.data

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        if self.sentinels:
            return _Field(key)
        return self.data.get(key, default)


@attrs.frozen
class _Field:
    """The marker `_Recorder` returns: "the value of payload field ``name``"."""

    name: str


_OFFERS: tuple[Solution | None, ...] = (None, *Solution)

Control = tuple[RequestType, State, Arbitration, Solution | None]
"""(request type, state, arbitration sub-state, solution of the pending offer)."""


def _probe(kind: RequestType, stage: OrderStage, control: Control) -> AfterSalesCase:
    _, state, arbitration, solution = control
    line = OrderLine("1", "SKU", Breakdown.of("10.00", "USD", tax="0.80"))
    base = new_case(kind, case_id="probe", order_id="probe", region="US", lines=[line])
    return attrs.evolve(
        base,
        order_stage=stage,
        state=state,
        arbitration=arbitration,
        offer=None if solution is None else Offer(solution),
    )


@attrs.define(eq=False)
class _Slow:
    """A move that needs the payload: which fields decide it, and what is known."""

    control: int
    event: str
    actor: Actor
    guard_fields: tuple[str, ...] | None
    """Payload fields a guard reads (``None``: the transition does not depend on them)."""
    dest: Control | None
    """The fixed outcome apart from the offer, when the transition is fixed."""
    offer_field: str | None
    """The payload field the pending offer's solution comes from."""
    memo: dict[tuple[Any, ...], int] = attrs.Factory(dict)


def _solution(value: Any) -> Solution:
    try:
        return Solution(value)
    except ValueError:
        raise InvalidValue("payload.solution", value, "a Solution") from None


@attrs.frozen
class FastTable:
    """The compiled lookup of the fast path (build it with `fast_table`).

    Attributes:
        controls: Control number to (request type, state, arbitration,
            pending offer's solution).
        number: The inverse of ``controls``.
        moves: ``(control, event, actor value) -> next control``; a negative
            number ``-1 - i`` sends the move to ``slow[i]`` (payload needed).
        slow: The moves decided with the payload.
        probes: A probe case per control, for payload-dependent decisions
            and for the engine's error messages.
        states: Control number to its canonical state.
        openings: Request type (member or value) to its control before opening.

    """

    controls: tuple[Control, ...]
    number: Mapping[Control, int]
    moves: Mapping[tuple[int, str, str], int]
    slow: tuple[_Slow, ...]
    probes: tuple[AfterSalesCase, ...]
    states: tuple[State, ...]
    openings: Mapping[str, int]

    @property
    def slow_keys(self) -> frozenset[tuple[RequestType, State, str, Actor]]:
        """(type, state, event, actor) moves whose outcome depends on the payload."""
        out = set()
        for entry in self.slow:
            kind, state, _, _ = self.controls[entry.control]
            out.add((kind, state, entry.event, entry.actor))
        return frozenset(out)

    def start(self, origin: RequestType | str | AfterSalesCase) -> int:
        """The control a stream starts from: before opening, or an opened case's."""
        if isinstance(origin, AfterSalesCase):
            offer = origin.offer
            key = (
                origin.request_type,
                origin.state,
                origin.arbitration,
                None if offer is None else Solution(offer.solution),
            )
            return self.number[key]
        kind = member(RequestType, origin, "request_type")
        return self.number[(kind, State.NEW, Arbitration.NONE, None)]

    def move(self, control: int, event: str, actor: Any, payload: Payload | None = None) -> int:
        """The control after one event (what `replay_states` does per event).

        Raises:
            UnknownEvent, InvalidTransition (and subclasses): As the engine
                would for a case in this control.
            InvalidValue: The actor is unknown or a deciding payload field
                is malformed.

        """
        nxt = self.moves.get((control, event, actor), _MISSING)
        if nxt >= 0:
            return nxt
        if nxt == _MISSING:
            return self.decide(control, event, actor, payload)
        return self._slow_move(self.slow[-1 - nxt], payload)

    def _slow_move(self, entry: _Slow, payload: Payload | None) -> int:
        if entry.guard_fields is None:
            return self._with_offer(entry.dest, entry.event, payload)  # type: ignore[arg-type]
        if payload:
            values = tuple(payload.get(f) for f in entry.guard_fields)
        else:
            values = (None,) * len(entry.guard_fields)
        try:
            return entry.memo[values]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: decide without the memo
            return self.decide(entry.control, entry.event, entry.actor, payload)
        recorder = _Recorder(payload)
        nxt = self.decide(entry.control, entry.event, entry.actor, payload, recorder)
        if recorder.read <= set(entry.guard_fields):
            entry.memo[values] = nxt
        return nxt

    def _with_offer(self, fixed: Control, event: str, payload: Payload | None) -> int:
        kind, dest, arbitration, _ = fixed
        try:
            offer = offer_after(None, event, dest, payload or {})
        except KeyError as missing:
            raise InvalidValue(
                f"payload.{missing.args[0]}", None, f"required by {event!r}"
            ) from None
        solution = None if offer is None else _solution(offer.solution)
        return self.number[(kind, dest, arbitration, solution)]

    def decide(
        self,
        control: int,
        event: str,
        actor: Any,
        payload: Payload | None,
        recorder: _Recorder | None = None,
    ) -> int:
        """The next control, decided by the engine on this control's probe case.

        Raises:
            UnknownEvent, InvalidTransition (and subclasses): As the engine
                would for a case in this control.
            InvalidValue: The actor is unknown or the payload is malformed.

        """
        probe = self.probes[control]
        t = choose_transition(probe, event, actor, recorder if recorder is not None else payload)
        kind, state, arbitration, _ = self.controls[control]
        dest = t.dest_from(state)
        if t.arbitration_to is not None:
            arbitration = t.arbitration_to
        try:
            offer = offer_after(probe.offer, event, dest, payload or {})
        except KeyError as missing:
            raise InvalidValue(
                f"payload.{missing.args[0]}", None, f"required by {event!r}"
            ) from None
        solution = None if offer is None else _solution(offer.solution)
        return self.number[(kind, dest, arbitration, solution)]


_Move = Control | tuple[tuple[str, ...] | None, Control | None, str | None]


def _compile(stage: OrderStage) -> tuple[dict[tuple[Control, str, Actor], _Move], list[Control]]:
    """Every move, by control tuples; payload-dependent ones as (fields, fixed, offer field)."""
    controls: list[Control] = []
    moves: dict[tuple[Control, str, Actor], _Move] = {}
    for kind, lc in LIFECYCLES.items():
        for state in lc.states:
            declared = [(e, c) for (s, e), c in lc.index.items() if s is state]
            for arbitration in Arbitration:
                for solution in _OFFERS:
                    control = (kind, state, arbitration, solution)
                    controls.append(control)
                    probe = _probe(kind, stage, control)
                    for event, candidates in declared:
                        for actor in sorted({a for t in candidates for a in t.actors}):
                            move = _compile_move(probe, control, event, actor)
                            if move is not None:
                                moves[(control, event, actor)] = move
    return moves, controls


def _compile_move(
    probe: AfterSalesCase, control: Control, event: str, actor: Actor
) -> _Move | None:
    kind, state, arbitration, _ = control
    guard = _Recorder()
    try:
        t = choose_transition(probe, event, actor, guard)
    except InvalidTransition:
        if guard.read:  # refused here, but another payload might be admitted
            return (tuple(sorted(guard.read)), None, None)
        return None
    if guard.read:
        return (tuple(sorted(guard.read)), None, None)
    dest = t.dest_from(state)
    arb = arbitration if t.arbitration_to is None else t.arbitration_to
    offer = offer_after(probe.offer, event, dest, _Recorder(sentinels=True))
    if offer is None:
        return (kind, dest, arb, None)
    if isinstance(offer.solution, _Field):
        return (None, (kind, dest, arb, None), offer.solution.name)
    return (kind, dest, arb, Solution(offer.solution))


_TABLE: FastTable | None = None


def fast_table() -> FastTable:
    """The compiled table (built on first use, then shared).

    Raises:
        FastPathUnsupported: A decision depends on case data the control
            does not hold (the declaration gained such a guard).

    """
    global _TABLE
    if _TABLE is None:
        _TABLE = _build()
    return _TABLE


def _build() -> FastTable:
    moves, controls = _compile(OrderStage.DELIVERED)
    other, _ = _compile(OrderStage.NOT_SHIPPED)
    if other != moves:
        keys = set(moves) ^ set(other) | {k for k in moves if other.get(k) != moves[k]}
        raise FastPathUnsupported(
            sorted(
                f"decision depends on case data: {k[0][0].value}/{k[0][1].value}/{k[1]}/{k[2]}"
                for k in keys
            )
        )
    number = {c: i for i, c in enumerate(controls)}
    flat: dict[tuple[int, str, str], int] = {}
    slow: list[_Slow] = []
    for (control, event, actor), move in moves.items():
        if len(move) == 4:
            flat[(number[control], event, actor.value)] = number[move]
            continue
        fields, fixed, offer_field = move
        slow.append(_Slow(number[control], event, actor, fields, fixed, offer_field))
        flat[(number[control], event, actor.value)] = -len(slow)
    probes = tuple(_probe(c[0], OrderStage.DELIVERED, c) for c in controls)
    return FastTable(
        controls=tuple(controls),
        number=number,
        moves=flat,
        slow=tuple(slow),
        probes=probes,
        states=tuple(c[1] for c in controls),
        openings={k: number[(k, State.NEW, Arbitration.NONE, None)] for k in LIFECYCLES},
    )


def control_of(case: AfterSalesCase) -> int:
    """The control number of an opened case (see `FastTable.start`)."""
    return fast_table().start(case)


def replay_states(streams: Iterable[Stream]) -> list[State]:
    """Replay many event streams and return the state each one ends in.

    Each stream is ``(origin, events)``: ``origin`` is a request type (the
    events start with the opening event) or an opened case (the events
    continue it). Each event is ``(event, actor)`` or ``(event, actor,
    payload)``; actors may be [`Actor`][tiktok_aftersales.domain.vocabulary.Actor] members or
    their values (values are fastest). Times are not needed: the order of
    the events is the order given.

    The result is the same as applying every event with
    [`apply`][tiktok_aftersales.lifecycle.engine.apply] and reading ``case.state`` (proved by
    the tests on generated histories), without building any history.

    Raises:
        UnknownEvent, InvalidTransition (and subclasses): An event is not
            legal where it comes, exactly as [`apply`][tiktok_aftersales.lifecycle.engine.apply]
            would say; a note names the stream and the state.
        InvalidValue: An origin, actor or payload is malformed.

    """
    table = fast_table()
    get = table.moves.get
    start = table.start
    opening = table.openings.get
    move = table.move
    states = table.states
    out: list[State] = []
    append = out.append
    for index, (origin, events) in enumerate(streams):
        control = opening(origin, -1) if isinstance(origin, str) else -1
        if control < 0:
            control = start(origin)
        for item in events:
            nxt = get((control, item[0], item[1]), -1)
            if nxt < 0:
                try:
                    nxt = move(control, item[0], item[1], item[2] if len(item) > 2 else None)
                except (InvalidTransition, UnknownEvent, InvalidValue) as err:
                    err.add_note(f"stream {index}: {item[0]!r} from {states[control].value}")
                    raise
            control = nxt
        append(states[control])
    return out
