"""The vocabulary of the lifecycle declaration: transitions, effects, lifecycles.

The declaration itself (the table of every request type's transitions) is in
[`tiktok_aftersales.lifecycle.table`][tiktok_aftersales.lifecycle.table]; events and what they mean
are in `events`, guards in `predicates`. Everything else (the pure
engine, the ``transitions`` machines, deadlines, diagrams, docs tables) is
derived from it.

A transition is written with keywords that read like the domain::

    on(Event.APPROVE, frm=S.REQUESTED, to=S.REFUND_COMMITTED, by=SELLER_SIDE,
       effects=REFUND, timeout=Window.SELLER_RESPONSE, ref="§2b …")

and a lifecycle marks its final states where it lists them
(``final(S.REFUNDED)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from ..domain.effects import EffectKind
from ..domain.vocabulary import Actor, Arbitration, RequestType, State, Window
from ..errors import InvalidValue
from .events import EVENTS, Event, event_of
from .predicates import Predicate

__all__ = [
    "NOT_IN_ARBITRATION",
    "EffectSpec",
    "FinalState",
    "Lifecycle",
    "RefundSource",
    "Transition",
    "declare",
    "final",
    "on",
]

NOT_IN_ARBITRATION: frozenset[Arbitration] = frozenset(Arbitration) - {Arbitration.IN_PROGRESS}
"""The arbitration sub-states in which ordinary events may fire."""


@attrs.frozen
class EffectSpec:
    """An outside effect declared on a transition.

    Attributes:
        kind: The effect.
        when: A predicate (see `predicates`) evaluated on the case
            after the event; ``None`` means always.

    """

    kind: EffectKind
    when: Predicate | None = None


RefundSource = str
"""Where a transition takes the committed refund from.

``"requested"`` (what the request asked), ``"offer"`` (the pending offer's) or
``"payload"`` (the event's payload field named by its spec's ``refund_from``,
such as the amount a seller refunds after inspecting a returned parcel).
"""


def _refund_source(transition: Transition) -> RefundSource | None:
    if not any(e.kind is EffectKind.ISSUE_REFUND for e in transition.effects):
        return None
    spec = EVENTS[transition.event]
    if spec.takes_offer:
        return "offer"
    return "requested" if spec.refund_from is None else "payload"


def _is_predicate(_instance: object, _attribute: object, value: Predicate | None) -> None:
    if value is not None and not isinstance(value, Predicate):
        raise InvalidValue(
            "guard", value, "a Predicate (see tiktok_aftersales.lifecycle.predicates)"
        )


@attrs.frozen
class Transition:
    """One declared transition of one request type (build it with `on`).

    Attributes:
        event: The event that fires it.
        sources: The states it may fire from.
        dest: The state it leads to; ``None`` keeps the current state (an
            arbitration-only change, such as a dispute).
        actors: Who may fire it.
        guard: A predicate that must hold on the case before the event.
        arbitration_from: Arbitration sub-states in which it may fire.
        arbitration_to: The arbitration sub-state after it (``None``: unchanged).
        effects: Outside effects, in order.
        timeout: When set, the clock (``Actor.SYSTEM``) fires this
            transition once this window has run since the case entered the
            source state.
        ref: The source of the fact (reference section or seed).
        note: A sentence for the docs.
        refund: Where the committed refund comes from (derived: a transition
            with the refund effect commits the requested refund, the pending
            offer's for an event that takes the offer, or the payload's for an
            event whose spec names ``refund_from``).

    """

    event: Event = attrs.field(converter=event_of)
    sources: frozenset[State]
    dest: State | None
    actors: frozenset[Actor]
    guard: Predicate | None = attrs.field(default=None, validator=_is_predicate)
    arbitration_from: frozenset[Arbitration] = NOT_IN_ARBITRATION
    arbitration_to: Arbitration | None = None
    effects: tuple[EffectSpec, ...] = ()
    timeout: Window | None = None
    ref: str = ""
    note: str = ""
    refund: RefundSource | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "refund", _refund_source(self))

    def dest_from(self, source: State) -> State:
        """The state reached when firing from ``source``."""
        return source if self.dest is None else self.dest


def on(
    event: Event,
    *,
    frm: State | Iterable[State],
    to: State | None,
    by: Actor | Iterable[Actor],
    when: Predicate | None = None,
    arbitration_from: Iterable[Arbitration] = NOT_IN_ARBITRATION,
    arbitration_to: Arbitration | None = None,
    effects: Iterable[EffectSpec] = (),
    timeout: Window | None = None,
    ref: str = "",
    note: str = "",
) -> Transition:
    """Declare a transition: ``event``, fired ``by`` an actor, moves a case ``frm`` ``to``.

    Args:
        event: The event.
        frm: The state (or states) it fires from.
        to: The state it leads to; ``None`` keeps the state (an
            arbitration-only change).
        by: Who may fire it.
        when: A guard that must hold on the case before the event.
        arbitration_from: Arbitration sub-states in which it may fire.
        arbitration_to: The arbitration sub-state after it.
        effects: Outside effects, in order.
        timeout: The window after which the clock fires it.
        ref: The source of the fact.
        note: A sentence for the docs.

    """
    return Transition(
        event=event,
        sources=frozenset([frm] if isinstance(frm, State) else frm),
        dest=to,
        actors=frozenset([by] if isinstance(by, Actor) else by),
        guard=when,
        arbitration_from=frozenset(arbitration_from),
        arbitration_to=arbitration_to,
        effects=tuple(effects),
        timeout=timeout,
        ref=ref,
        note=note,
    )


@attrs.frozen
class FinalState:
    """A state marked final where a lifecycle lists its states (see `final`)."""

    state: State


def final(state: State) -> FinalState:
    """Mark ``state`` as final (no event leaves it) in a lifecycle's list of states."""
    return FinalState(state)


def _states(value: Iterable[State | FinalState]) -> tuple[State, ...]:
    return tuple(s.state if isinstance(s, FinalState) else s for s in value)


@attrs.frozen
class Lifecycle:
    """The declared lifecycle of one request type (declare one with `declare`).

    Attributes:
        request_type: The type.
        states: The canonical states this type uses, ``State.NEW`` first.
        terminal: The final states: no event leaves them.
        transitions: Every transition, in priority order (for the same
            event and state, the first whose actor, arbitration and guard
            admit the event wins).
        human_only: Non-terminal states no clock leaves, with who must act.
        doc: What the type is, in a sentence.
        index: ``(state, event)`` to candidate transitions, derived.

    """

    request_type: RequestType
    states: tuple[State, ...]
    terminal: frozenset[State]
    transitions: tuple[Transition, ...]
    human_only: Mapping[State, str] = attrs.field(factory=dict)
    doc: str = ""
    index: Mapping[tuple[State, Event], tuple[Transition, ...]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        index: dict[tuple[State, Event], list[Transition]] = {}
        for t in self.transitions:
            for s in sorted(t.sources):
                index.setdefault((s, t.event), []).append(t)
        object.__setattr__(self, "index", MappingProxyType({k: tuple(v) for k, v in index.items()}))

    @property
    def initial(self) -> State:
        """The pseudo-state before the opening event (always ``State.NEW``)."""
        return State.NEW

    @property
    def case_states(self) -> tuple[State, ...]:
        """The states an opened case can be in (every state but ``NEW``)."""
        return tuple(s for s in self.states if s is not State.NEW)

    @property
    def openings(self) -> tuple[Event, ...]:
        """The events that open a case of this type."""
        out: dict[Event, None] = {}
        for t in self.transitions:
            if State.NEW in t.sources:
                out.setdefault(t.event, None)
        return tuple(out)

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event this type declares, in declaration order."""
        return tuple(dict.fromkeys(t.event for t in self.transitions))

    def from_state(self, state: State) -> tuple[Transition, ...]:
        """Transitions that may fire from ``state``, in declaration order."""
        return tuple(t for t in self.transitions if state in t.sources)

    def reachable_after(self, event: Event) -> frozenset[State]:
        """States a case can be in once ``event`` has fired (its destinations and onwards)."""
        return _reachable_after(self, event)

    def timeouts_from(self, state: State) -> tuple[Transition, ...]:
        """Transitions the clock fires from ``state`` when their window runs out."""
        return tuple(t for t in self.from_state(state) if t.timeout is not None)


def declare(
    request_type: RequestType,
    *,
    states: Iterable[State | FinalState],
    transitions: Iterable[Transition],
    human_only: Mapping[State, str] | None = None,
    doc: str = "",
) -> Lifecycle:
    """Declare a request type's lifecycle, its final states marked where they are listed.

    Args:
        request_type: The type.
        states: Its states, final ones wrapped in
            [`final`][tiktok_aftersales.lifecycle.declaration.final]; ``State.NEW`` comes first and
            is added when left out.
        transitions: Its transitions ([`on`][tiktok_aftersales.lifecycle.declaration.on]), in
            priority order.
        human_only: Non-terminal states no clock leaves, with who must act.
        doc: What the type is, in a sentence.

    """
    listed = tuple(states)
    plain = _states(listed)
    if not plain or plain[0] is not State.NEW:
        plain = (State.NEW, *plain)
    return Lifecycle(
        request_type,
        plain,
        frozenset(s.state for s in listed if isinstance(s, FinalState)),
        tuple(transitions),
        MappingProxyType(dict(human_only or {})),
        doc,
    )


def _reachable_after(lc: Lifecycle, event: Event) -> frozenset[State]:
    start = {t.dest_from(s) for t in lc.transitions if t.event == event for s in t.sources}
    seen = set(start)
    todo = list(start)
    while todo:
        state = todo.pop()
        for t in lc.from_state(state):
            nxt = t.dest_from(state)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)
