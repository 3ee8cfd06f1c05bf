"""Figures: outcomes, timeouts, refund exposure, seller deadlines, time in state, grid tabs.

Every figure is a [`Table`][tiktok_aftersales.analysis._shared.Table] of frozen rows;
nothing imports pandas until ``to_pandas`` is called (the ``analysis`` extra).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from ..codes.tabs import ALL_TAB, GridTab, tab_counts
from ..deadlines.policy import WINDOW_ACTORS
from ..domain.case import AfterSalesCase
from ..domain.effects import EffectKind
from ..domain.vocabulary import Actor, Event, RequestType, State, Window
from ..errors import InvalidValue
from ..lifecycle import LIFECYCLES
from ._shared import Table, default_instants, make_table

__all__ = [
    "ExposureRow",
    "Figures",
    "OutcomeRow",
    "SellerDeadlineRow",
    "StateTimeRow",
    "TabRow",
    "TimeoutCount",
    "figures",
]


@attrs.frozen
class OutcomeRow:
    """How many cases of a request type ended in a state.

    Attributes:
        request_type: The request type.
        state: The final state.
        cases: How many cases.
        share: Their share of the request type's cases (0..1).

    """

    request_type: str
    state: str
    cases: int
    share: float


@attrs.frozen
class TimeoutCount:
    """How often the clock fired one window's timeout.

    Attributes:
        request_type: The request type.
        window: The window that ran out.
        silent: Who was silent (``seller``: an auto-approval; ``buyer``:
            usually a closure).
        event: The event the clock fired.
        target: The state it led to.
        count: How many times.

    """

    request_type: str
    window: str
    silent: str
    event: str
    target: str
    count: int


@attrs.frozen
class ExposureRow:
    """Money committed to buyers, by who made the deciding move.

    Attributes:
        decided_by: The actor of the event that committed the refund
            (``system``: a deadline ran out; ``platform``: arbitration).
        currency: The currency.
        refunds: How many refunds.
        amount: Their total.

    """

    decided_by: str
    currency: str
    refunds: int
    amount: Decimal


@attrs.frozen
class SellerDeadlineRow:
    """Seller decisions with a deadline, and how many the seller missed.

    Attributes:
        region: The region code.
        request_type: The request type.
        decisions: How often a seller window closed (answered or missed).
        missed: How often it closed because it ran out.
        missed_share: ``missed / decisions``.

    """

    region: str
    request_type: str
    decisions: int
    missed: int
    missed_share: float


@attrs.frozen
class StateTimeRow:
    """How long cases stayed in a state (stays that ended; hours).

    Attributes:
        state: The state.
        stays: How many stays.
        mean_hours: The mean.
        median_hours: The median.
        p90_hours: The 90th percentile (nearest rank).

    """

    state: str
    stays: int
    mean_hours: float
    median_hours: float
    p90_hours: float


@attrs.frozen
class TabRow:
    """How many cases one connector grid tab listed at an instant.

    Attributes:
        at: The instant.
        tab: The tab (``"All"`` included; ``"outside"``: not in the grid).
        cases: How many cases.

    """

    at: datetime
    tab: str
    cases: int


@attrs.frozen
class Figures:
    """Every figure for one set of cases.

    Attributes:
        cases: How many cases.
        outcomes: Final states per request type.
        timeouts: Timeouts fired, per window.
        exposure: Refunds committed, by who decided.
        seller_deadlines: Seller decisions and misses, per region and type.
        time_in_state: Time spent in each state.
        tabs: Connector grid tab counts at the chosen instants.
        summary: Headline numbers (see [`figures`][tiktok_aftersales.analysis.figures.figures]).

    """

    cases: int
    outcomes: Table[OutcomeRow]
    timeouts: Table[TimeoutCount]
    exposure: Table[ExposureRow]
    seller_deadlines: Table[SellerDeadlineRow]
    time_in_state: Table[StateTimeRow]
    tabs: Table[TabRow]
    summary: Mapping[str, int | float | Decimal]

    def tables(self) -> tuple[Table[Any], ...]:
        """Every table, in a fixed order."""
        return (
            self.outcomes,
            self.timeouts,
            self.exposure,
            self.seller_deadlines,
            self.time_in_state,
            self.tabs,
        )

    def to_pandas(self) -> dict[str, Any]:
        """Every table as a ``pandas.DataFrame``, by name.

        Raises:
            MissingExtra: pandas is not installed.

        """
        return {t.name: t.to_pandas() for t in self.tables()}


def _timeout_of(case: AfterSalesCase, i: int) -> tuple[Window, State] | None:
    """The window whose expiry history[i] was, and its target (``None``: not a timeout)."""
    item = case.history[i]
    if i == 0 or item.actor is not Actor.SYSTEM:
        return None
    before = case.history[i - 1].state
    for t in LIFECYCLES[case.request_type].index.get((before, item.event), ()):
        if t.timeout is not None and Actor.SYSTEM in t.actors:
            return t.timeout, t.dest_from(before)
    return None


def _seller_windows(kind: RequestType, state: State) -> frozenset[Window]:
    return frozenset(
        t.timeout
        for t in LIFECYCLES[kind].timeouts_from(state)
        if t.timeout is not None and WINDOW_ACTORS[t.timeout] is Actor.SELLER
    )


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _median(sorted_values: Sequence[float]) -> float:
    n = len(sorted_values)
    if n == 0:
        return 0.0
    mid = n // 2
    if n % 2:
        return sorted_values[mid]
    return (sorted_values[mid - 1] + sorted_values[mid]) / 2


def _state_at(case: AfterSalesCase, at: datetime) -> State | None:
    found = None
    for item in case.history:
        if item.at > at:
            break
        found = item.state
    return found


def _tabs(cases: Sequence[AfterSalesCase], instants: Iterable[datetime]) -> list[TabRow]:
    rows = []
    for at in instants:
        if not isinstance(at, datetime) or at.utcoffset() is None:
            raise InvalidValue("instants", at, "timezone-aware datetimes")
        alive = []
        for c in cases:
            state = _state_at(c, at)
            if state is not None:
                alive.append(c if state is c.state else attrs.evolve(c, state=state))
        counts = tab_counts(alive)
        rows.append(TabRow(at, ALL_TAB, counts.all))
        rows += [TabRow(at, tab.value, counts.by_tab[tab]) for tab in GridTab]
        rows.append(TabRow(at, "outside", counts.outside))
    return rows


def figures(
    cases: Iterable[AfterSalesCase], *, instants: Iterable[datetime] | None = None
) -> Figures:
    """Compute every figure for a set of (replayed or simulated) cases.

    Args:
        cases: Opened cases with their histories.
        instants: When to count the connector grid tabs; by default six
            instants evenly spaced from the first opening to the last event.

    The ``summary`` holds: ``cases``; ``refunded`` (cases with a refund
    committed); ``seller rejections``; ``disputes``; ``auto-approvals``
    (seller windows that ran out); ``closures by timeout``; ``seller
    deadlines missed %``; ``median hours in requested`` and ``p90 hours in
    requested``; and one
    ``refund exposure <CUR>`` and ``decided by system <CUR>`` per currency.

    Raises:
        InvalidValue: An instant is not timezone-aware.

    """
    items = [c for c in cases if c.history]
    outcome: Counter[tuple[RequestType, State]] = Counter()
    per_type: Counter[RequestType] = Counter()
    timeouts: Counter[tuple[str, str, str, str, str]] = Counter()
    money: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    seller: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    stays: dict[State, list[float]] = defaultdict(list)
    rejections = disputes = auto = closures = refunded = 0
    for case in items:
        kind = case.request_type
        per_type[kind] += 1
        outcome[(kind, case.state)] += 1
        history = case.history
        entered = history[0].at
        for i, item in enumerate(history):
            if item.event is Event.REJECT and item.actor is Actor.SELLER:
                rejections += 1
            if item.event is Event.DISPUTE:
                disputes += 1
            fired = _timeout_of(case, i)
            if fired is not None:
                window, target = fired
                who = WINDOW_ACTORS[window]
                timeouts[(kind.value, window.value, who.value, item.event, target.value)] += 1
                if who is Actor.SELLER:
                    auto += 1
                if target is State.CLOSED:
                    closures += 1
            if i == 0:
                continue
            before = history[i - 1].state
            if item.state is not before:
                stays[before].append((item.at - entered).total_seconds() / 3600)
                entered = item.at
                if _seller_windows(kind, before):
                    row = seller[(case.region.code, kind.value)]
                    row[0] += 1
                    if fired is not None and WINDOW_ACTORS[fired[0]] is Actor.SELLER:
                        row[1] += 1
        committed = False
        for effect in case.effects:
            if effect.kind is EffectKind.ISSUE_REFUND and effect.amount is not None:
                seq = int(effect.key.rsplit("/", 2)[-2])
                actor = history[seq - 1].actor.value
                money[(actor, effect.amount.currency)].append(effect.amount.amount)
                committed = True
        refunded += committed
    outcome_rows = [
        OutcomeRow(kind.value, state.value, n, round(n / per_type[kind], 4))
        for (kind, state), n in sorted(outcome.items(), key=lambda x: (x[0][0].value, -x[1]))
    ]
    timeout_rows = [TimeoutCount(*key, count=n) for key, n in sorted(timeouts.items())]
    exposure_rows = [
        ExposureRow(actor, currency, len(v), sum(v, Decimal(0)))
        for (actor, currency), v in sorted(money.items())
    ]
    seller_rows = [
        SellerDeadlineRow(region, kind, d, m, round(m / d, 4) if d else 0.0)
        for (region, kind), (d, m) in sorted(seller.items())
    ]
    state_rows = []
    for state in State:
        values = sorted(stays.get(state, ()))
        if values:
            state_rows.append(
                StateTimeRow(
                    state.value,
                    len(values),
                    round(sum(values) / len(values), 2),
                    round(_median(values), 2),
                    round(_quantile(values, 0.9), 2),
                )
            )
    chosen = default_instants(items) if instants is None else tuple(instants)
    decisions = sum(d for d, _ in seller.values())
    missed = sum(m for _, m in seller.values())
    requested = sorted(stays.get(State.REQUESTED, ()))
    summary: dict[str, int | float | Decimal] = {
        "cases": len(items),
        "refunded": refunded,
        "seller rejections": rejections,
        "disputes": disputes,
        "auto-approvals": auto,
        "closures by timeout": closures,
        "seller deadlines missed %": round(100 * missed / decisions, 2) if decisions else 0.0,
        "median hours in requested": round(_median(requested), 2),
        "p90 hours in requested": round(_quantile(requested, 0.9), 2),
    }
    for currency in sorted({c for _, c in money}):
        summary[f"refund exposure {currency}"] = sum(
            (sum(v, Decimal(0)) for (_, c), v in money.items() if c == currency), Decimal(0)
        )
        summary[f"decided by system {currency}"] = sum(
            money.get((Actor.SYSTEM.value, currency), ()), Decimal(0)
        )
    return Figures(
        len(items),
        make_table("outcomes", OutcomeRow, outcome_rows),
        make_table("timeouts", TimeoutCount, timeout_rows),
        make_table("exposure", ExposureRow, exposure_rows),
        make_table("seller_deadlines", SellerDeadlineRow, seller_rows),
        make_table("time_in_state", StateTimeRow, state_rows),
        make_table("tabs", TabRow, _tabs(items, chosen)),
        summary,
    )
