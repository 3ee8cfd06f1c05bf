"""``transitions`` machines built from the declaration, and the declaration's checks.

One shared `transitions.Machine` per request type is built, once, from
[`LIFECYCLES`][tiktok_aftersales.lifecycle.table.LIFECYCLES]. It serves three purposes:

- [`check_lifecycle`][tiktok_aftersales.lifecycle.machine.check_lifecycle] uses it to check the
  declaration (every state reachable, every non-terminal state has an exit and a clock or a named
  human, no transition into an undeclared state);
- [`CaseModel`][tiktok_aftersales.lifecycle.machine.CaseModel] lets a host drive a mutable object
  through it (``model.trigger("approve", actor=..., at=...)``) without the machine
  holding the object;
- [`machine_decides`][tiktok_aftersales.lifecycle.machine.machine_decides] is an independent
  decision path that tests compare with the pure engine.

The machines hold no per-case state; cases stay plain immutable values.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from transitions import EventData, Machine, MachineError

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Actor, RequestType, State
from ..errors import DeclarationError, UnknownEvent
from .declaration import Lifecycle, Transition
from .engine import admits, apply
from .events import EVENTS
from .table import LIFECYCLES

__all__ = [
    "CaseModel",
    "build_machine",
    "check_all",
    "check_lifecycle",
    "machine",
    "machine_decides",
]


class _Admits:
    """A machine condition: the declared transition admits the event."""

    __slots__ = ("transition",)

    def __init__(self, transition: Transition) -> None:
        self.transition = transition

    def __call__(self, event_data: EventData) -> bool:
        model: Any = event_data.model
        case: AfterSalesCase = model.case
        actor = event_data.kwargs.get("actor")
        payload = event_data.kwargs.get("payload") or {}
        who = Actor(actor) if actor is not None else None
        if who is None:
            return False
        return admits(self.transition, case, who, payload) is None


@cache
def machine(request_type: RequestType) -> Machine:
    """The shared ``transitions`` machine of a request type (built once).

    Its states are the canonical state values; its triggers are the event
    names; each transition's condition checks the declared actors,
    arbitration sub-state and guard. Models need a ``case`` attribute (an
    [`AfterSalesCase`][tiktok_aftersales.domain.case.AfterSalesCase]) and a ``state`` attribute.
    """
    return build_machine(LIFECYCLES[RequestType(request_type)])


def build_machine(lc: Lifecycle) -> Machine:
    """Build a new ``transitions`` machine from a lifecycle declaration.

    [`machine`][tiktok_aftersales.lifecycle.machine.machine] caches one per declared type; call this
    directly to check or draw a lifecycle that is not (yet) in ``LIFECYCLES``.
    """
    m = Machine(
        model=None,
        states=[s.value for s in lc.states],
        initial=State.NEW.value,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
        name=lc.request_type.value,
    )
    for t in lc.transitions:
        for source in sorted(t.sources):
            m.add_transition(
                t.event,
                source.value,
                t.dest_from(source).value,
                conditions=[_Admits(t)],
                after="_record",
            )
    return m


def _graph(m: Machine) -> Mapping[str, set[str]]:
    """Successor states per state, read off a built machine."""
    out: dict[str, set[str]] = {s: set() for s in m.states}
    for event in m.events.values():
        for source, transitions in event.transitions.items():
            for tr in transitions:
                out.setdefault(source, set()).add(tr.dest or source)
    return out


def check_lifecycle(lc: Lifecycle) -> list[str]:
    """Return the problems of one declared lifecycle (empty when sound).

    Checks: every transition's states are declared; every declared state is
    reachable from ``NEW``; terminal states have no exit and every other
    state has one; every non-terminal state of an opened case has a clock
    exit (a transition with a timeout) or is named in ``human_only``; names
    of events, guards and effect conditions are known; a timeout transition
    can be fired by the clock.
    """
    problems: list[str] = []
    name = lc.request_type.value
    declared = set(lc.states)
    if not lc.states or lc.states[0] is not State.NEW:
        problems.append(f"{name}: states must start with NEW")
    for t in lc.transitions:
        for s in t.sources:
            if s not in declared:
                problems.append(f"{name}: {t.event} leaves undeclared state {s.value}")
            dest = t.dest_from(s)
            if dest not in declared:
                problems.append(f"{name}: {t.event} enters undeclared state {dest.value}")
        if t.event not in EVENTS:
            problems.append(f"{name}: unknown event {t.event}")
        opens = State.NEW in t.sources
        if t.event in EVENTS and EVENTS[t.event].opens is not opens:
            problems.append(
                f"{name}: {t.event} {'fires' if opens else 'does not fire'} from new, "
                "but its event spec says otherwise (EventSpec.opens)"
            )
        if t.timeout is not None and Actor.SYSTEM not in t.actors:
            problems.append(f"{name}: {t.event} has a timeout but the clock may not fire it")
        if not t.actors:
            problems.append(f"{name}: {t.event} names no actor")
    for s in lc.terminal:
        if s not in declared:
            problems.append(f"{name}: terminal state {s.value} is not declared")
    if problems:
        return problems
    m = build_machine(lc)
    graph = _graph(m)
    seen = {State.NEW.value}
    todo = deque([State.NEW.value])
    while todo:
        for nxt in graph.get(todo.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    for s in lc.states:
        if s.value not in seen:
            problems.append(f"{name}: state {s.value} is unreachable from new")
        exits = {d for d in graph.get(s.value, ()) if d != s.value}
        if s in lc.terminal:
            if m.get_triggers(s.value):
                problems.append(f"{name}: terminal state {s.value} has exits")
        elif not exits:
            problems.append(f"{name}: non-terminal state {s.value} has no exit (a trap)")
        elif s is not State.NEW and not lc.timeouts_from(s) and s not in lc.human_only:
            problems.append(f"{name}: {s.value} has no clock exit and is not named in human_only")
    if not lc.openings:
        problems.append(f"{name}: no opening event from new")
    return problems


def check_all() -> None:
    """Check every declared lifecycle.

    Raises:
        DeclarationError: Listing every problem found.

    """
    problems = [p for lc in LIFECYCLES.values() for p in check_lifecycle(lc)]
    if problems:
        raise DeclarationError(problems)


class CaseModel:
    """A mutable holder of a case that a host drives through the shared machine.

    Use it as is or subclass it, and fire events on it::

        model = CaseModel(case)
        model.trigger("approve", actor=Actor.SELLER, at=now)
        model.case.state  # State.REFUND_COMMITTED

    The machine decides; after each transition the pure engine records the
    event on ``model.case`` (history, effects, version), so a bound object
    and the pure API never disagree.

    The shared machine never holds the object: each trigger hands the model
    to the machine's event for that one call, so a model the host drops is
    collected like any other object (no ``add_model``, nothing to unbind).

    Attributes:
        case: The current immutable case.
        state: The machine's view of the state (the canonical state value).

    """

    __slots__ = ("__weakref__", "case", "state")

    case: AfterSalesCase
    state: str

    def __init__(self, case: AfterSalesCase) -> None:
        self.case = case
        self.state = case.state.value

    def trigger(self, event: str, **kwargs: Any) -> bool:
        """Fire ``event`` through the shared machine; return whether a transition happened.

        Args:
            event: The event name.
            **kwargs: ``actor``, ``at`` and optionally ``payload``.

        Raises:
            transitions.MachineError: The event is not declared from the
                current state.
            UnknownEvent: No request type declares ``event``.

        """
        m = machine(self.case.request_type)
        found = m.events.get(event)
        if found is None:
            raise UnknownEvent(event, tuple(EVENTS))
        moved: bool = found.trigger(self, **kwargs)
        return moved

    def fire(
        self,
        event: str,
        actor: Actor | str,
        at: datetime,
        payload: Mapping[str, Any] | None = None,
    ) -> bool:
        """Fire ``event`` by ``actor`` at ``at``; return whether a transition happened.

        Raises:
            transitions.MachineError: The event is not declared from the
                current state.

        """
        return self.trigger(event, actor=actor, at=at, payload=payload)

    def _record(self, event_data: EventData) -> None:
        kw = event_data.kwargs
        self.case = apply(
            self.case, event_data.event.name, kw["actor"], kw["at"], kw.get("payload")
        )
        if self.case.state.value != self.state:  # pragma: no cover - proven equal by tests
            raise AssertionError("machine and engine disagree")


class _Probe:
    __slots__ = ("case", "state")

    def __init__(self, case: AfterSalesCase) -> None:
        self.case = case
        self.state = case.state.value

    def _record(self, _event_data: EventData) -> None:
        return None


def machine_decides(
    case: AfterSalesCase, event: str, actor: Actor, payload: Mapping[str, Any] | None = None
) -> State | None:
    """Ask the ``transitions`` machine where ``event`` by ``actor`` leads from ``case``.

    Returns the destination state, or ``None`` when the machine refuses
    (no transition from this state, or every condition false). Used by the
    tests to prove the pure engine decides exactly as the machine does.
    """
    m = machine(case.request_type)
    probe = _Probe(case)
    ev = m.events.get(event)
    if ev is None:
        return None
    try:
        moved = ev.trigger(probe, actor=actor, at=None, payload=payload)
    except MachineError:
        return None
    return State(probe.state) if moved else None
