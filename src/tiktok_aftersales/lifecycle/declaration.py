"""The vocabulary of the lifecycle declaration: transitions, events, guards, effects.

The declaration itself (the table of every request type's transitions) is in
:mod:`tiktok_aftersales.lifecycle.table`; everything else (the pure engine,
the ``transitions`` machines, deadlines, diagrams, docs tables) is derived
from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from ..domain.effects import EffectKind
from ..domain.money import Breakdown, Money, Refund, check_refund
from ..domain.vocabulary import (
    AbnormalReason,
    Actor,
    Arbitration,
    Disposition,
    OrderStage,
    RequestType,
    Solution,
    State,
    Window,
    member,
)
from ..errors import InvalidValue

if TYPE_CHECKING:
    from ..domain.case import AfterSalesCase

__all__ = [
    "NOT_IN_ARBITRATION",
    "PREDICATES",
    "EffectSpec",
    "EventSpec",
    "Lifecycle",
    "Predicate",
    "RefundSource",
    "Transition",
]

Payload = Mapping[str, Any]

NOT_IN_ARBITRATION: frozenset[Arbitration] = frozenset(Arbitration) - {Arbitration.IN_PROGRESS}
"""The arbitration sub-states in which ordinary events may fire."""


@attrs.frozen
class Predicate:
    """A named condition on a case and an event payload.

    Guards decide whether a transition may fire (evaluated on the case
    before the event); effect conditions decide whether an effect happens
    (evaluated on the case after the event).
    """

    name: str
    doc: str
    test: Callable[[AfterSalesCase, Payload], bool]
    reads_payload: bool = False
    """Whether the answer depends on the event's payload (not only on the case)."""


def _offer_is(solution: Solution) -> Callable[[AfterSalesCase, Payload], bool]:
    def test(case: AfterSalesCase, _payload: Payload) -> bool:
        return case.offer is not None and case.offer.solution is solution

    return test


def _mode_is(mode: str) -> Callable[[AfterSalesCase, Payload], bool]:
    def test(_case: AfterSalesCase, payload: Payload) -> bool:
        return (payload.get("mode") or "missing_items") == mode

    return test


def _releases_stock(case: AfterSalesCase, _payload: Payload) -> bool:
    return case.order_stage is OrderStage.NOT_SHIPPED and bool(case.fully_refunded_lines)


def _manual_stock_in(case: AfterSalesCase, _payload: Payload) -> bool:
    return case.order_stage is OrderStage.SHIPPED_NOT_PICKED_UP and bool(case.fully_refunded_lines)


def _partial_refund_of_held_order(case: AfterSalesCase, _payload: Payload) -> bool:
    return case.shipping_blocked and len(case.fully_refunded_lines) < len(case.lines)


_PREDICATE_LIST = (
    Predicate(
        "not_shipped",
        "the order had not shipped when the request was made",
        lambda case, _p: case.order_stage is OrderStage.NOT_SHIPPED,
    ),
    Predicate(
        "buyer_keeps_item",
        "the seller approves with buyer_keep_item: refund without a return",
        lambda _case, payload: payload.get("buyer_keep_item") is True,
        reads_payload=True,
    ),
    Predicate(
        "offer_is_partial_refund",
        "the pending offer is a partial refund",
        _offer_is(Solution.PARTIAL_REFUND),
    ),
    Predicate(
        "offer_is_reshipment",
        "the pending offer is to send the missing items",
        _offer_is(Solution.RESHIPMENT),
    ),
    Predicate(
        "offer_is_replacement",
        "the pending offer is a replacement order",
        _offer_is(Solution.REPLACEMENT),
    ),
    Predicate(
        "mode_missing_items",
        "the seller sends the missing items (payload mode, the default)",
        _mode_is("missing_items"),
        reads_payload=True,
    ),
    Predicate(
        "mode_replacement",
        "the seller sends a whole replacement (payload mode='replacement')",
        _mode_is("replacement"),
        reads_payload=True,
    ),
    Predicate(
        "releases_stock",
        "refunded in full before shipment: allocated stock goes back",
        _releases_stock,
    ),
    Predicate(
        "needs_manual_stock_in",
        "refunded in full after shipment but before carrier pickup",
        _manual_stock_in,
    ),
    Predicate(
        "holds_shipping",
        "this case currently holds its order from shipping",
        lambda case, _p: case.shipping_blocked,
    ),
    Predicate(
        "partial_refund_of_held_order",
        "the case held its order and the refund leaves some lines to ship",
        _partial_refund_of_held_order,
    ),
)

PREDICATES: Mapping[str, Predicate] = MappingProxyType({p.name: p for p in _PREDICATE_LIST})
"""Every guard and effect condition the declaration may name."""


@attrs.frozen
class EffectSpec:
    """An outside effect declared on a transition.

    Attributes:
        kind: The effect.
        when: The name of a predicate (see :data:`PREDICATES`) evaluated on
            the case after the event; ``None`` means always.

    """

    kind: EffectKind
    when: str | None = None


RefundSource = str
"""Where a transition takes the committed refund from: ``"requested"`` or ``"offer"``."""


@attrs.frozen
class Transition:
    """One declared transition of one request type.

    Attributes:
        event: The event that fires it.
        sources: The states it may fire from.
        dest: The state it leads to; ``None`` keeps the current state (an
            arbitration-only change, such as a dispute).
        actors: Who may fire it.
        guard: A predicate name that must hold on the case before the event.
        arbitration_from: Arbitration sub-states in which it may fire.
        arbitration_to: The arbitration sub-state after it (``None``: unchanged).
        effects: Outside effects, in order.
        timeout: When set, the clock (``Actor.SYSTEM``) fires this
            transition once this window has run since the case entered the
            source state.
        refund: Where the committed refund comes from, for transitions that
            commit one.
        ref: The source of the fact (reference section or seed).
        note: A sentence for the docs.

    """

    event: str
    sources: frozenset[State]
    dest: State | None
    actors: frozenset[Actor]
    guard: str | None = None
    arbitration_from: frozenset[Arbitration] = NOT_IN_ARBITRATION
    arbitration_to: Arbitration | None = None
    effects: tuple[EffectSpec, ...] = ()
    timeout: Window | None = None
    refund: RefundSource | None = None
    ref: str = ""
    note: str = ""

    def dest_from(self, source: State) -> State:
        """The state reached when firing from ``source``."""
        return source if self.dest is None else self.dest


@attrs.frozen
class Lifecycle:
    """The declared lifecycle of one request type.

    Attributes:
        request_type: The type.
        states: The canonical states this type uses, ``State.NEW`` first.
        terminal: States no event leaves.
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
    index: Mapping[tuple[State, str], tuple[Transition, ...]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        index: dict[tuple[State, str], list[Transition]] = {}
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
    def openings(self) -> tuple[str, ...]:
        """The events that open a case of this type."""
        out: dict[str, None] = {}
        for t in self.transitions:
            if State.NEW in t.sources:
                out.setdefault(t.event, None)
        return tuple(out)

    @property
    def events(self) -> tuple[str, ...]:
        """Every event this type declares, in declaration order."""
        return tuple(dict.fromkeys(t.event for t in self.transitions))

    def from_state(self, state: State) -> tuple[Transition, ...]:
        """Transitions that may fire from ``state``, in declaration order."""
        return tuple(t for t in self.transitions if state in t.sources)

    def reachable_after(self, event: str) -> frozenset[State]:
        """States a case can be in once ``event`` has fired (its destinations and onwards)."""
        return _reachable_after(self, event)

    def timeouts_from(self, state: State) -> tuple[Transition, ...]:
        """Transitions the clock fires from ``state`` when their window runs out."""
        return tuple(t for t in self.from_state(state) if t.timeout is not None)


def _reachable_after(lc: Lifecycle, event: str) -> frozenset[State]:
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


# --- events and their payloads ------------------------------------------------------------


def _as_refund(case: AfterSalesCase, field: str, value: Any) -> Refund:
    if isinstance(value, Refund):
        refund = value
    elif isinstance(value, Money):
        refund = Refund.allocate(case.lines, value)
    elif isinstance(value, Breakdown):
        if len(case.lines) != 1:
            raise InvalidValue(field, value, "a bare breakdown needs a one-line case; use Refund")
        refund = Refund.partial(case.lines[0].line_id, value)
    else:
        raise InvalidValue(field, value, "a Refund, Money or Breakdown")
    check_refund(refund, case.lines, field)
    return refund


def _enum(kind: type[Any]) -> Callable[[AfterSalesCase, str, Any], Any]:
    def convert(_case: AfterSalesCase, field: str, value: Any) -> Any:
        return member(kind, value, field)

    return convert


def _text(_case: AfterSalesCase, field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(field, value, "a string")
    return value


def _flag(_case: AfterSalesCase, field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(field, value, "true or false")
    return value


def _mode(_case: AfterSalesCase, field: str, value: Any) -> str:
    if value not in ("missing_items", "replacement"):
        raise InvalidValue(field, value, "'missing_items' or 'replacement'")
    return str(value)


def _line_ids(case: AfterSalesCase, field: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidValue(field, value, "a list of order line ids")
    known = {x.line_id for x in case.lines}
    for item in value:
        if item not in known:
            raise InvalidValue(field, item, f"not a line of the case ({', '.join(known)})")
    return tuple(value)


def _alternative(_case: AfterSalesCase, field: str, value: Any) -> Solution:
    try:
        solution = Solution(value)
    except ValueError:
        solution = None
    if solution not in (Solution.RESHIPMENT, Solution.REPLACEMENT):
        raise InvalidValue(field, value, "'reshipment' or 'replacement' (partial refunds: offer)")
    return solution


_Convert = Callable[["AfterSalesCase", str, Any], Any]


@attrs.frozen
class EventSpec:
    """An event name, what it means, and the payload fields it understands.

    Attributes:
        name: The event name.
        doc: What it means.
        fields: Payload field name to converter; converters validate and
            normalise a value or raise ``InvalidValue``.
        required: Payload fields that must be present.

    """

    name: str
    doc: str
    fields: Mapping[str, _Convert] = attrs.field(factory=dict)
    required: frozenset[str] = frozenset()

    def validate(self, case: AfterSalesCase, payload: Payload | None) -> Payload | None:
        """Check and normalise a payload for this event.

        Unknown keys are kept as they are (hosts may carry their own data).

        Raises:
            InvalidValue: A required field is missing or a field is malformed.

        """
        if not payload:
            if self.required:
                name = sorted(self.required)[0]
                raise InvalidValue(f"payload.{name}", None, f"required by {self.name!r}")
            return None
        if not isinstance(payload, Mapping):
            raise InvalidValue("payload", payload, "a mapping of field names to values")
        out = dict(payload)
        for name in self.required:
            if out.get(name) is None:
                raise InvalidValue(f"payload.{name}", None, f"required by {self.name!r}")
        for name, convert in self.fields.items():
            value = out.get(name)
            if value is not None:
                out[name] = convert(case, f"payload.{name}", value)
        return out


_COMMON: Mapping[str, _Convert] = {"note": _text, "reason": _text, "comment": _text}


def _spec(name: str, doc: str, required: tuple[str, ...] = (), **fields: _Convert) -> EventSpec:
    return EventSpec(name, doc, {**_COMMON, **fields}, frozenset(required))


_EVENT_LIST = (
    _spec(
        "request",
        "The buyer opens a request (refund, return, replacement, reshipment, cancellation).",
        refund=_as_refund,
    ),
    _spec(
        "initiate_refund",
        "The seller refunds on its own initiative (blind return, seed 004).",
        ("refund",),
        refund=_as_refund,
    ),
    _spec(
        "cancel_order",
        "The seller, system or operator cancels the order directly (cancel_type CANCEL).",
        refund=_as_refund,
    ),
    _spec(
        "detect_return",
        "The carrier reports a parcel coming back with no request (abnormal return).",
        ("reason",),
        reason=_enum(AbnormalReason),
    ),
    _spec(
        "approve",
        "The request is approved (by the seller, or automatically when the seller is silent).",
        buyer_keep_item=_flag,
    ),
    _spec("reject", "The request is rejected."),
    _spec(
        "offer_partial_refund",
        "The seller offers a partial refund without a return; the buyer must answer.",
        ("amount",),
        amount=_as_refund,
    ),
    _spec(
        "propose_alternative",
        "The seller proposes another solution (reshipment or replacement).",
        ("solution",),
        solution=_alternative,
    ),
    _spec("accept_offer", "The buyer accepts the seller's offer."),
    _spec("decline_offer", "The buyer declines the seller's offer; the request is pending again."),
    _spec("withdraw", "The buyer cancels its own request."),
    _spec("generate_label", "A return shipping label is generated for the buyer.", tracking=_text),
    _spec(
        "ship_back",
        "The buyer ships the item back (drop-off, pickup, or tracking uploaded).",
        tracking=_text,
        carrier=_text,
    ),
    _spec(
        "parcel_delivered",
        "The returned parcel arrives at the seller's warehouse.",
        disposition=_enum(Disposition),
    ),
    _spec("parcel_lost", "The return parcel is lost in transit (no tracking progress)."),
    _spec("confirm_receipt", "The seller inspects the parcel and confirms it (then refund)."),
    _spec("reject_receipt", "The seller inspects the parcel and rejects it."),
    _spec("refund_instead", "The seller refunds in full instead of replacing or reshipping."),
    _spec(
        "reship",
        "The seller sends the missing items or a replacement.",
        mode=_mode,
        line_ids=_line_ids,
    ),
    _spec("dispute", "The buyer takes a rejection to the platform (arbitration, appeal)."),
    _spec("rule_for_buyer", "The platform operator rules for the buyer."),
    _spec("rule_for_seller", "The platform operator rules for the seller."),
    _spec("close_arbitration", "The platform closes the arbitration without a ruling."),
    _spec("close", "The request is closed without a refund (deadline missed, or rejected)."),
    _spec("order_shipped", "The order shipped while a cancellation was pending (US rule)."),
    _spec("complete_refund", "The platform pays the committed refund."),
)

EVENTS: Mapping[str, EventSpec] = MappingProxyType({e.name: e for e in _EVENT_LIST})
"""Every event the lifecycle knows, by name."""
