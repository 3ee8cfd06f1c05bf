"""Seeded synthetic case histories, for benchmarks, tests and analysis.

`generate` walks the lifecycle declaration itself: at every step it asks
the engine which events may fire now
([`allowed_events`][tiktok_aftersales.lifecycle.engine.allowed_events]), picks one according to a
`Behaviour` (who stays silent, who disputes, how arbitration ends, how often the seller offers a
partial refund), checks it with
[`choose_transition`][tiktok_aftersales.lifecycle.engine.choose_transition] and applies it with the
pure engine. There is no second copy of the transitions here: a change to the declaration changes
what the generator produces.

The same seed, ``n`` and behaviour always give the same cases and events.
Times are timezone-aware UTC and strictly increase within a case. Nothing
here reads the clock: the start of the period is an argument.

Time windows: a silent party loses when its window runs out, and the clock
(``Actor.SYSTEM``) fires the declared timeout transition at ``entered + window
+ a few minutes``. The lengths come from the ``windows`` argument (pass the
policy's lengths for realism); the default is two days for every window, a
synthetic figure, not a platform rule.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from ..deadlines.initiative import check_opening
from ..domain.case import AfterSalesCase
from ..domain.money import Breakdown, Money, OrderLine, Refund
from ..domain.vocabulary import (
    REGIONS,
    AbnormalReason,
    Actor,
    Arbitration,
    Disposition,
    Event,
    OrderStage,
    OrderStatus,
    RequestType,
    Solution,
    State,
    Window,
)
from ..errors import AfterSalesError, InvalidTransition, InvalidValue
from ..lifecycle import EVENTS, Transition, event_of
from ..lifecycle.engine import allowed_events, apply, choose_transition, lifecycle, open_case

__all__ = [
    "DEFAULT_WINDOW",
    "Behaviour",
    "SyntheticCase",
    "SyntheticEvent",
    "continue_case",
    "generate",
]

DEFAULT_WINDOW = timedelta(days=2)
"""The synthetic length of every window when ``windows`` does not name it."""

_START = datetime(2025, 1, 1, tzinfo=UTC)


def _probability(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidValue(field, value, "a probability between 0 and 1")
    return float(value)


def _check_probability(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    _probability(attribute.name, value)


def _weights(
    field: str, kind: Callable[[Any], Any], value: Mapping[Any, float]
) -> dict[Any, float]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidValue(field, value, "a non-empty mapping of choices to weights")
    out: dict[Any, float] = {}
    for key, weight in value.items():
        try:
            choice = kind(key)
        except (ValueError, InvalidValue):
            raise InvalidValue(f"{field}.key", key, "not a known choice") from None
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise InvalidValue(f"{field}.{key}", weight, "a non-negative weight")
        out[choice] = float(weight)
    if sum(out.values()) <= 0:
        raise InvalidValue(field, value, "weights must not all be zero")
    return out


def _region_code(code: Any) -> str:
    found = REGIONS.get(str(code).upper())
    if found is None:
        raise InvalidValue("regions.key", code, f"unknown region; known: {', '.join(REGIONS)}")
    return found.code


_DEFAULT_TYPES: Mapping[RequestType, float] = {
    RequestType.REFUND_ONLY: 0.29,
    RequestType.RETURN_AND_REFUND: 0.30,
    RequestType.BUYER_CANCELLATION: 0.14,
    RequestType.EXCHANGE: 0.07,
    RequestType.RESHIPMENT: 0.05,
    RequestType.SELLER_REFUND: 0.05,
    RequestType.ABNORMAL_RETURN: 0.05,
    RequestType.AFTERSALES_REQUEST: 0.02,
    RequestType.RMA: 0.02,
    RequestType.SELLER_APPEAL: 0.01,
}
_DEFAULT_REGIONS: Mapping[str, float] = {
    "US": 0.40,
    "GB": 0.15,
    "ID": 0.12,
    "MY": 0.08,
    "TH": 0.08,
    "PH": 0.07,
    "VN": 0.05,
    "SG": 0.05,
}
_DEFAULT_STAGES: Mapping[OrderStage, float] = {
    OrderStage.NOT_SHIPPED: 0.25,
    OrderStage.SHIPPED_NOT_PICKED_UP: 0.05,
    OrderStage.IN_TRANSIT: 0.10,
    OrderStage.DELIVERED: 0.60,
}
_DEFAULT_ARBITRATION: Mapping[Arbitration, float] = {
    Arbitration.SUPPORT_BUYER: 0.45,
    Arbitration.SUPPORT_SELLER: 0.45,
    Arbitration.CLOSED: 0.10,
}


def _arbitration_weights(value: Mapping[Any, float]) -> Mapping[Arbitration, float]:
    return _weights("arbitration", Arbitration, value)


def _request_types_weights(value: Mapping[Any, float]) -> Mapping[RequestType, float]:
    return _weights("request_types", RequestType, value)


def _regions_weights(value: Mapping[Any, float]) -> Mapping[str, float]:
    return _weights("regions", _region_code, value)


def _order_stages_weights(value: Mapping[Any, float]) -> Mapping[OrderStage, float]:
    return _weights("order_stages", OrderStage, value)


@attrs.frozen
class Behaviour:
    """How the parties behave in generated histories.

    Probabilities apply whenever the choice is legal in the declaration;
    events the behaviour does not name share what is left (for example a
    seller who neither rejects nor offers approves).

    Attributes:
        seller_silent: The seller lets a seller window run out (the clock
            then fires the declared timeout, usually an auto-approval).
        buyer_ships_late: The buyer lets the ship-back window run out.
        buyer_disputes: The buyer disputes a rejection (else stays silent).
        buyer_silent_on_offer: The buyer lets an offer's window run out.
        buyer_withdraws: The buyer withdraws when withdrawing is legal.
        seller_rejects: The seller rejects (a request or a returned parcel).
        partial_offer: The seller offers a partial refund instead.
        alternative_offer: The seller proposes a reshipment or replacement.
        buyer_declines_offer: The buyer declines an offer.
        buyer_keeps_item: A seller's approval lets the buyer keep the item
            (where the declaration has a transition for it).
        parcel_lost: A return parcel makes no progress until its window ends.
        partial_request: The buyer asks for one line of a multi-line order.
        seller_opens: A request type the buyer opens that a seller may also
            open (a seller-created return) is opened by the seller instead,
            where the market lets the seller (`deadlines.initiative`, the
            order delivered): US only today.
        arbitration: Weights of the arbitration outcomes (the sub-state the
            operator's decision leads to).
        request_types: Weights of request types.
        regions: Weights of region codes.
        order_stages: Weights of how far the order had gone.
        max_lines: Order lines per case, from 1 to this.

    Raises:
        InvalidValue: A probability is outside 0..1, a weight is negative,
            a key is unknown, or ``max_lines`` is below 1.

    """

    seller_silent: float = attrs.field(default=0.15, validator=_check_probability)
    buyer_ships_late: float = attrs.field(default=0.08, validator=_check_probability)
    buyer_disputes: float = attrs.field(default=0.5, validator=_check_probability)
    buyer_silent_on_offer: float = attrs.field(default=0.1, validator=_check_probability)
    buyer_withdraws: float = attrs.field(default=0.04, validator=_check_probability)
    seller_rejects: float = attrs.field(default=0.2, validator=_check_probability)
    partial_offer: float = attrs.field(default=0.1, validator=_check_probability)
    alternative_offer: float = attrs.field(default=0.05, validator=_check_probability)
    buyer_declines_offer: float = attrs.field(default=0.3, validator=_check_probability)
    buyer_keeps_item: float = attrs.field(default=0.05, validator=_check_probability)
    parcel_lost: float = attrs.field(default=0.03, validator=_check_probability)
    partial_request: float = attrs.field(default=0.2, validator=_check_probability)
    seller_opens: float = attrs.field(default=0.05, validator=_check_probability)
    arbitration: Mapping[Arbitration, float] = attrs.field(
        default=_DEFAULT_ARBITRATION,
        converter=_arbitration_weights,
    )
    request_types: Mapping[RequestType, float] = attrs.field(
        default=_DEFAULT_TYPES,
        converter=_request_types_weights,
    )
    regions: Mapping[str, float] = attrs.field(
        default=_DEFAULT_REGIONS,
        converter=_regions_weights,
    )
    order_stages: Mapping[OrderStage, float] = attrs.field(
        default=_DEFAULT_STAGES,
        converter=_order_stages_weights,
    )
    max_lines: int = 3

    def __attrs_post_init__(self) -> None:
        if isinstance(self.max_lines, bool) or not isinstance(self.max_lines, int):
            raise InvalidValue("max_lines", self.max_lines, "a whole number")
        if self.max_lines < 1:
            raise InvalidValue("max_lines", self.max_lines, "at least 1")

    def silence(self, window: Window) -> float:
        """The probability that the party a window waits for lets it run out."""
        if window in _SELLER_WINDOWS:
            return self.seller_silent
        if window is Window.BUYER_SHIP_BACK:
            return self.buyer_ships_late
        if window is Window.BUYER_DISPUTE:
            return 1.0 - self.buyer_disputes
        if window is Window.BUYER_OFFER_RESPONSE:
            return self.buyer_silent_on_offer
        if window is Window.RETURN_TRANSIT:
            return self.parcel_lost
        return 1.0  # processing windows: the platform's own clock does the work


# Whose silence each window measures is what the window names mean (see Window's docs).
_SELLER_WINDOWS = frozenset(w for w in Window if w.value.startswith("seller_"))


@attrs.frozen
class SyntheticEvent:
    """One generated event, ready for [`apply`][tiktok_aftersales.lifecycle.engine.apply].

    Attributes:
        event: The event name.
        actor: Who fires it.
        at: When (timezone-aware UTC).
        payload: The payload as a host would pass it, or ``None``.

    """

    event: str
    actor: Actor
    at: datetime
    payload: Mapping[str, Any] | None = None


@attrs.frozen
class SyntheticCase:
    """A generated case: the opened case and the events that followed.

    Attributes:
        case: The case right after its opening event (history of one).
        events: The events after the opening, oldest first; each is legal
            on the case the ones before it produce.
        final_state: The state after every event.

    """

    case: AfterSalesCase
    events: tuple[SyntheticEvent, ...]
    final_state: State

    @property
    def opening(self) -> SyntheticEvent:
        """The opening event, as recorded in the opened case's history."""
        first = self.case.history[0]
        return SyntheticEvent(first.event, first.actor, first.at, first.payload)

    @property
    def all_events(self) -> tuple[SyntheticEvent, ...]:
        """The opening event followed by every later event."""
        return (self.opening, *self.events)

    def replay(self) -> AfterSalesCase:
        """Apply every event to the opened case with the public engine."""
        case = self.case
        for e in self.events:
            case = apply(case, e.event, e.actor, e.at, e.payload)
        return case


_HUMANS = (Actor.BUYER, Actor.SELLER, Actor.LOGISTICS, Actor.OPERATOR, Actor.SYSTEM)


def _seller_may_open(kind: RequestType, code: str) -> bool:
    """Whether a seller may open ``kind`` on a delivered order in market ``code``."""
    try:
        check_opening(kind, Actor.SELLER, OrderStatus.DELIVERED, code)
    except AfterSalesError:
        return False
    return True


_CENT = Decimal("0.01")


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class _Walker:
    """One generation run: the random source and the settings."""

    def __init__(
        self,
        rng: random.Random,
        behaviour: Behaviour,
        windows: Mapping[Window, timedelta],
        max_events: int,
    ) -> None:
        self.rng = rng
        self.b = behaviour
        self.windows = windows
        self.max_events = max_events
        self.named: dict[str, float] = {
            "withdraw": behaviour.buyer_withdraws,
            "dispute": behaviour.buyer_disputes,
            "reject": behaviour.seller_rejects,
            "reject_receipt": behaviour.seller_rejects,
            "offer_partial_refund": behaviour.partial_offer,
            "refund_after_inspection": behaviour.partial_offer,
            "propose_alternative": behaviour.alternative_offer,
            "decline_offer": behaviour.buyer_declines_offer,
            "parcel_lost": behaviour.parcel_lost,
        }

    def window(self, name: str | None) -> timedelta:
        if name is None:
            return DEFAULT_WINDOW
        return self.windows.get(Window(name), DEFAULT_WINDOW)

    def lines(self, region_currency: str, index: int) -> tuple[OrderLine, ...]:
        rng = self.rng
        out = []
        for k in range(rng.randint(1, self.b.max_lines)):
            price = Decimal(rng.randint(300, 25_000)) * _CENT
            tax = (price * Decimal("0.08")).quantize(_CENT)
            shipping = Decimal(rng.choice((0, 0, 299, 499))) * _CENT
            out.append(
                OrderLine(
                    f"{index:09d}{k + 1}",
                    f"SKU-{rng.randint(1, 500):04d}",
                    Breakdown.of(price, region_currency, shipping=shipping, tax=tax),
                )
            )
        return tuple(out)

    def payload(self, case: AfterSalesCase, event: str) -> dict[str, Any] | None:
        """A payload for ``event``: required fields always, optional ones sometimes."""
        rng = self.rng
        fields = EVENTS[event_of(event)].fields
        out: dict[str, Any] = {}
        if "amount" in fields:
            total = (case.requested or Refund.order(case.lines)).total
            share = Decimal(rng.randint(10, 80)) / 100
            amount = max((total.amount * share).quantize(_CENT), _CENT)
            out["amount"] = Money(amount, total.currency)
        if "solution" in fields:
            out["solution"] = rng.choice((Solution.RESHIPMENT, Solution.REPLACEMENT))
        if "buyer_keep_item" in fields and rng.random() < self.b.buyer_keeps_item:
            out["buyer_keep_item"] = True
        if "mode" in fields and rng.random() < 0.3:
            out["mode"] = "replacement"
        if "tracking" in fields:
            out["tracking"] = f"TRK{rng.randint(10**9, 10**10 - 1)}"
        if "disposition" in fields:
            out["disposition"] = _pick(
                rng,
                {Disposition.RESTOCK: 0.85, Disposition.DAMAGED: 0.12, Disposition.MISSING: 0.03},
            )
        return out or None

    def opening(
        self, kind: RequestType, code: str, openings: Sequence[Event]
    ) -> tuple[Event, Actor]:
        """The opening event and who fires it: the buyer's, else the type's first opening.

        When the type has a buyer opening and another one the seller fires, the
        seller opens with probability ``seller_opens`` where the market allows it.
        """
        lc = lifecycle(kind)
        by: dict[Event, Actor] = {}
        for event in openings:
            t = next(t for t in lc.transitions if t.event == event and State.NEW in t.sources)
            by[event] = next(a for a in _HUMANS if a in t.actors)
        buyer = [e for e, a in by.items() if a is Actor.BUYER]
        seller = [e for e, a in by.items() if a is Actor.SELLER]
        if not buyer:
            event = self.rng.choice(list(by))
            return event, by[event]
        if seller and self.rng.random() < self.b.seller_opens and _seller_may_open(kind, code):
            return seller[0], Actor.SELLER
        return buyer[0], Actor.BUYER

    def start_case(self, index: int, seed: int, start: datetime, span: timedelta) -> AfterSalesCase:
        rng = self.rng
        b = self.b
        kind: RequestType = _pick(rng, b.request_types)
        code: str = _pick(rng, b.regions)
        stage: OrderStage = _pick(rng, b.order_stages)
        lines = self.lines(REGIONS[code].currency, index)
        at = start + timedelta(seconds=rng.randrange(max(int(span.total_seconds()), 1)))
        lc = lifecycle(kind)
        event, actor = self.opening(kind, code, lc.openings)
        payload: dict[str, Any] = {}
        if "reason" in EVENTS[event].required:
            payload["reason"] = rng.choice(list(AbnormalReason))
        if "refund" in EVENTS[event].fields:
            if len(lines) > 1 and rng.random() < b.partial_request:
                payload["refund"] = Refund.line(lines, lines[0].line_id)
            elif "refund" in EVENTS[event].required:
                payload["refund"] = Refund.order(lines)
        return open_case(
            kind,
            case_id=f"SYN-{seed}-{index:07d}",
            order_id=f"{seed % 10**6:06d}{index:09d}",
            region=code,
            lines=lines,
            at=at,
            actor=actor,
            event=event,
            order_stage=stage,
            payload=payload or None,
        )

    def step(
        self, case: AfterSalesCase, entered: datetime, last: datetime
    ) -> SyntheticEvent | None:
        """Choose the next event on ``case``, or ``None`` when nothing may fire."""
        rng = self.rng
        options = allowed_events(case)
        if not options:
            return None
        timeout = next((o for o in options if o.timeout is not None), None)
        window = self.window(timeout.timeout if timeout else None)
        humans = [
            (o.event, next(a for a in _HUMANS if a in o.actors))
            for o in options
            if any(a is not Actor.SYSTEM for a in o.actors) or o.timeout is None
        ]
        if timeout is not None and (
            not humans or rng.random() < self.b.silence(Window(str(timeout.timeout)))
        ):
            at = max(entered + window, last) + timedelta(minutes=rng.randint(1, 90))
            return SyntheticEvent(timeout.event, Actor.SYSTEM, at, None)
        if not humans:  # pragma: no cover - the declaration has no such trap (check_all)
            return None
        choices: list[tuple[Event, Actor, dict[str, Any] | None]] = []
        weights: list[float] = []
        unnamed = []
        left = 1.0
        for event, actor in humans:
            payload = self.payload(case, event)
            try:
                t: Transition = choose_transition(case, event, actor, payload)
            except InvalidTransition:  # a guard on the payload refused this one
                continue
            if case.arbitration is Arbitration.IN_PROGRESS and t.arbitration_to is not None:
                weight = self.b.arbitration.get(t.arbitration_to, 0.0)
            elif event in self.named:
                weight = self.named[event]
                left -= weight
            else:
                unnamed.append(len(choices))
                weight = 0.0
            choices.append((event, actor, payload))
            weights.append(weight)
        share = max(left, 0.0) / len(unnamed) if unnamed else 0.0
        for i in unnamed:
            weights[i] = share
        if sum(weights) <= 0:
            weights = [1.0] * len(choices)
        event, actor, payload = rng.choices(choices, weights=weights)[0]
        delay = window * rng.uniform(0.01, 0.9)
        at = max(last + timedelta(seconds=1), last + delay)
        return SyntheticEvent(event, actor, at, payload)

    def walk(self, case: AfterSalesCase) -> SyntheticCase:
        events: list[SyntheticEvent] = []
        at = case.history[-1].at
        entered = at
        opened = case
        while len(events) < self.max_events:
            nxt = self.step(case, entered, at)
            if nxt is None:
                break
            before = case.state
            case = apply(case, nxt.event, nxt.actor, nxt.at, nxt.payload)
            events.append(nxt)
            at = nxt.at
            if case.state is not before:
                entered = at
        return SyntheticCase(opened, tuple(events), case.state)


def generate(
    seed: int,
    n: int,
    behaviour: Behaviour | None = None,
    *,
    start: datetime = _START,
    span: timedelta = timedelta(days=180),
    windows: Mapping[Window, timedelta] | None = None,
    max_events: int = 40,
) -> Iterator[SyntheticCase]:
    """Generate ``n`` cases with their histories, lazily and reproducibly.

    Every event is chosen among those the declaration allows at that point
    and applied with the pure engine, so each history is legal and each
    ``SyntheticCase.final_state`` is what replaying it gives. The first
    ``k`` cases of a run do not depend on ``n``.

    Args:
        seed: The random seed (the same seed gives the same cases).
        n: How many cases.
        behaviour: How the parties behave; the defaults when ``None``.
        start: Cases open between ``start`` and ``start + span`` (aware).
        span: See ``start``.
        windows: Length of each time window (pass the policy's); windows
            not named last `DEFAULT_WINDOW`.
        max_events: Stop a history after this many events after opening.

    Raises:
        InvalidValue: ``n`` or ``max_events`` is negative, ``start`` is
            naive, ``span`` is negative, or a window is not a positive
            ``timedelta``.

    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidValue("seed", seed, "an integer")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidValue("n", n, "a whole number, zero or more")
    if isinstance(max_events, bool) or not isinstance(max_events, int) or max_events < 0:
        raise InvalidValue("max_events", max_events, "a whole number, zero or more")
    if not isinstance(start, datetime) or start.utcoffset() is None:
        raise InvalidValue("start", start, "a timezone-aware datetime")
    if not isinstance(span, timedelta) or span < timedelta(0):
        raise InvalidValue("span", span, "a timedelta, zero or more")
    lengths: dict[Window, timedelta] = {}
    for key, value in (windows or {}).items():
        try:
            name = Window(key)
        except ValueError:
            raise InvalidValue("windows.key", key, "not a known Window") from None
        if not isinstance(value, timedelta) or value <= timedelta(0):
            raise InvalidValue(f"windows.{name.value}", value, "a positive timedelta")
        lengths[name] = value
    return _generate(
        seed, n, behaviour or Behaviour(), start.astimezone(UTC), span, lengths, max_events
    )


def _generate(
    seed: int,
    n: int,
    behaviour: Behaviour,
    start: datetime,
    span: timedelta,
    windows: Mapping[Window, timedelta],
    max_events: int,
) -> Iterator[SyntheticCase]:
    walker = _Walker(random.Random(seed), behaviour, windows, max_events)
    for index in range(n):
        yield walker.walk(walker.start_case(index, seed, start, span))


def continue_case(
    case: AfterSalesCase,
    seed: int,
    behaviour: Behaviour | None = None,
    *,
    windows: Mapping[Window, timedelta] | None = None,
    max_events: int = 40,
) -> SyntheticCase:
    """Continue an opened case from where it is, as `generate` would.

    The same case, seed and behaviour always give the same events. Used by
    `tiktok_aftersales.analysis` when a policy sends a case off the
    path its generated history took.

    Raises:
        InvalidValue: ``case`` is not opened, or an argument is malformed
            (as for `generate`).

    """
    if not isinstance(case, AfterSalesCase) or not case.history:
        raise InvalidValue("case", case, "an opened case")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidValue("seed", seed, "an integer")
    if isinstance(max_events, bool) or not isinstance(max_events, int) or max_events < 0:
        raise InvalidValue("max_events", max_events, "a whole number, zero or more")
    lengths = {Window(k): v for k, v in (windows or {}).items()}
    walker = _Walker(random.Random(seed), behaviour or Behaviour(), lengths, max_events)
    return walker.walk(case)
