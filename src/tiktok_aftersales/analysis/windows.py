"""Time windows and figures over replayed columns: timeouts, SLA breaches, time in state.

[`column_figures`][tiktok_aftersales.analysis.windows.column_figures] reads a
[`ReplayColumns`][tiktok_aftersales.analysis.columnar.ReplayColumns] and counts, with numpy, what
[`figures`][tiktok_aftersales.analysis.figures] counts from cases: outcomes per request type,
timeouts fired per window (auto-approvals, closures), seller decisions and the deadlines the seller
missed (SLA breaches) per region and type, time in each state, and the time
to the seller's first decision on a buyer's request.

Every count is an integer and durations are summed in integer
microseconds, so [`ColumnFigures.merge`][tiktok_aftersales.analysis.windows.ColumnFigures.merge] of
the figures of parts equals the figures of the whole exactly, in any order: that is what lets
[`distributed`][tiktok_aftersales.analysis.distributed] compute them partition by
partition. Medians and 90th percentiles are read from a histogram with
one-minute bins (exact to the minute, also after merging).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..deadlines.policy import WINDOW_ACTORS
from ..domain.vocabulary import Actor, State, Window
from ..lifecycle import LIFECYCLES
from ._shared import require_numpy
from .columnar import ReplayColumns, codes

__all__ = ["HISTOGRAM_MINUTES", "ColumnFigures", "Durations", "column_figures", "window_codes"]

HISTOGRAM_MINUTES = 60 * 24 * 120
"""Durations are binned by minute up to 120 days (longer ones fall in the last bin)."""

_MICROS_PER_MINUTE = 60_000_000
_HOUR = 3_600_000_000


@attrs.frozen(eq=False)
class WindowCodes:
    """Arrays derived from the declaration for the window figures.

    Attributes:
        windows: Window of each window code.
        timeout: ``[control, event]`` to the window code whose expiry a system
            event is there, or ``-1``.
        target: ``[control, event]`` to the state code a timeout leads to.
        seller_state: ``[control]``: whether a seller window runs there.

    """

    windows: tuple[Window, ...]
    timeout: Any
    target: Any
    seller_state: Any


_WINDOWS: WindowCodes | None = None


def window_codes() -> WindowCodes:
    """The window arrays (compiled on first use from the declaration).

    Raises:
        MissingExtra: numpy is not installed.

    """
    global _WINDOWS
    if _WINDOWS is None:
        np = require_numpy()
        table = codes()
        windows = tuple(Window)
        ev = table.event_code()
        state_code = {s: i for i, s in enumerate(table.states)}
        shape = (len(table.controls), len(table.events))
        timeout = np.full(shape, -1, dtype=np.int16)
        target = np.full(shape, -1, dtype=np.int16)
        seller = np.zeros(len(table.controls), dtype=bool)
        for control, (kind, state, _, _) in enumerate(table.controls):
            lc = LIFECYCLES[kind]
            seller[control] = any(
                t.timeout is not None and WINDOW_ACTORS[t.timeout] is Actor.SELLER
                for t in lc.timeouts_from(state)
            )
            for (source, event), candidates in lc.index.items():
                if source is not state:
                    continue
                for t in candidates:
                    if t.timeout is not None and Actor.SYSTEM in t.actors:
                        timeout[control, ev[event]] = windows.index(t.timeout)
                        target[control, ev[event]] = state_code[t.dest_from(state)]
                        break
        _WINDOWS = WindowCodes(windows, timeout, target, seller)
    return _WINDOWS


@attrs.frozen(eq=False)
class Durations:
    """A mergeable summary of many durations: count, exact total, minute histogram.

    Attributes:
        count: How many.
        total_us: Their sum in microseconds.
        histogram: ``numpy`` counts per minute (see
            [`HISTOGRAM_MINUTES`][tiktok_aftersales.analysis.windows.HISTOGRAM_MINUTES]).

    """

    count: int
    total_us: int
    histogram: Any

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Durations):
            return NotImplemented
        np = require_numpy()
        return (
            self.count == other.count
            and self.total_us == other.total_us
            and bool(np.array_equal(self.histogram, other.histogram))
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def of(cls, micros: Any) -> Durations:
        """Summarise an array of durations in microseconds."""
        np = require_numpy()
        bins = np.minimum(micros // _MICROS_PER_MINUTE, HISTOGRAM_MINUTES - 1)
        hist = np.bincount(bins.astype(np.int64), minlength=HISTOGRAM_MINUTES)
        return cls(len(micros), int(micros.sum()), hist)

    def merge(self, other: Durations) -> Durations:
        """The summary of both sets."""
        return Durations(
            self.count + other.count,
            self.total_us + other.total_us,
            self.histogram + other.histogram,
        )

    def mean_hours(self) -> float:
        """The mean, in hours (0 when empty)."""
        return round(self.total_us / self.count / _HOUR, 2) if self.count else 0.0

    def quantile_hours(self, q: float) -> float:
        """The ``q`` quantile (nearest rank), in hours, to the minute (0 when empty)."""
        if not self.count:
            return 0.0
        np = require_numpy()
        rank = max(1, int(np.ceil(q * self.count)))
        minute = int(np.searchsorted(np.cumsum(self.histogram), rank))
        return round(minute / 60, 2)


@attrs.frozen(hash=False)
class ColumnFigures:
    """Figures of replayed columns, exactly mergeable (see the module's text).

    Attributes:
        cases: How many cases.
        outcomes: ``(request type, final state)`` to cases.
        timeouts: ``(request type, window, silent party, event, target)`` to count.
        seller_deadlines: ``(region, request type)`` to ``(decisions, missed)``.
        stays: State to the durations of stays that ended there.
        decision: Time from a buyer's request to the seller's first move.
        rejections: Seller rejections.
        disputes: Disputes.

    """

    cases: int
    outcomes: Mapping[tuple[str, str], int]
    timeouts: Mapping[tuple[str, str, str, str, str], int]
    seller_deadlines: Mapping[tuple[str, str], tuple[int, int]]
    stays: Mapping[str, Durations]
    decision: Durations
    rejections: int
    disputes: int

    def merge(self, other: ColumnFigures) -> ColumnFigures:
        """The figures of both sets of cases."""
        seller = dict(self.seller_deadlines)
        for where, (d, m) in other.seller_deadlines.items():
            d0, m0 = seller.get(where, (0, 0))
            seller[where] = (d0 + d, m0 + m)
        stays = dict(self.stays)
        for state, value in other.stays.items():
            stays[state] = stays[state].merge(value) if state in stays else value
        return ColumnFigures(
            self.cases + other.cases,
            dict(Counter(self.outcomes) + Counter(other.outcomes)),
            dict(Counter(self.timeouts) + Counter(other.timeouts)),
            seller,
            stays,
            self.decision.merge(other.decision),
            self.rejections + other.rejections,
            self.disputes + other.disputes,
        )

    def summary(self) -> dict[str, int | float]:
        """Headline numbers, named as in [`figures`][tiktok_aftersales.analysis.figures]."""
        auto = sum(n for k, n in self.timeouts.items() if k[2] == Actor.SELLER.value)
        closures = sum(n for k, n in self.timeouts.items() if k[4] == State.CLOSED.value)
        decisions = sum(d for d, _ in self.seller_deadlines.values())
        missed = sum(m for _, m in self.seller_deadlines.values())
        requested = self.stays.get(State.REQUESTED.value)
        return {
            "cases": self.cases,
            "seller rejections": self.rejections,
            "disputes": self.disputes,
            "auto-approvals": auto,
            "closures by timeout": closures,
            "seller deadlines missed %": round(100 * missed / decisions, 2) if decisions else 0.0,
            "median hours in requested": requested.quantile_hours(0.5) if requested else 0.0,
            "p90 hours in requested": requested.quantile_hours(0.9) if requested else 0.0,
            "median hours to seller decision": self.decision.quantile_hours(0.5),
        }


def _counter(keys: Iterable[tuple[Any, ...]]) -> dict[Any, int]:
    return dict(Counter(keys))


def column_figures(result: ReplayColumns) -> ColumnFigures:
    """Count every column figure of a replay (events after a refused one are left out).

    Raises:
        MissingExtra: numpy is not installed.

    """
    np = require_numpy()
    table = codes()
    wc = window_codes()
    cols = result.columns
    n = len(cols)
    offsets = cols.offsets
    lengths = np.diff(offsets)
    case_of = np.repeat(np.arange(n), lengths)
    local = np.arange(cols.events) - offsets[:-1][case_of]
    failed = result.failed_at[case_of]
    valid = (failed < 0) | (local < failed)
    first = local == 0
    after = result.control
    before = np.empty_like(after)
    before[1:] = after[:-1]
    before[first] = table.openings[cols.request_type[case_of[first]]]
    state_before = table.control_state[before]
    state_after = table.control_state[after]
    event = np.maximum(cols.event, 0)
    kinds = [t.value for t in table.request_types]
    states = [s.value for s in table.states]

    outcomes = _counter(
        zip(
            np.asarray(kinds, dtype=object)[cols.request_type].tolist(),
            np.asarray(states, dtype=object)[table.control_state[result.final]].tolist(),
            strict=True,
        )
    )
    system = table.actors.index(Actor.SYSTEM)
    window = np.where(valid & ~first & (cols.actor == system), wc.timeout[before, event], -1)
    fired = np.flatnonzero(window >= 0)
    names = [w.value for w in wc.windows]
    silent = [WINDOW_ACTORS[w].value for w in wc.windows]
    timeouts = _counter(
        (
            kinds[cols.request_type[case_of[i]]],
            names[window[i]],
            silent[window[i]],
            table.events[event[i]],
            states[wc.target[before[i], event[i]]],
        )
        for i in fired.tolist()
    )

    changed = valid & ~first & (state_after != state_before)
    index = np.arange(cols.events)
    run_start = np.maximum.accumulate(np.where(first | changed, index, 0)) if cols.events else index
    ends = np.flatnonzero(changed)
    stay = cols.at[ends] - cols.at[run_start[ends - 1]]
    stays = {
        states[s]: Durations.of(stay[state_before[ends] == s])
        for s in np.unique(state_before[ends]).tolist()
    }

    seller_move = changed & wc.seller_state[before]
    seller_missed = seller_move & (window >= 0)
    seller_missed &= np.isin(window, [i for i, s in enumerate(silent) if s == Actor.SELLER.value])
    seller: dict[tuple[str, str], tuple[int, int]] = {}
    keys = np.asarray(cols.region, dtype=object)[case_of].astype(str)
    kind_of = np.asarray(kinds, dtype=object)[cols.request_type[case_of]].astype(str)
    for region, kind, miss in zip(
        keys[seller_move].tolist(),
        kind_of[seller_move].tolist(),
        seller_missed[seller_move].tolist(),
        strict=True,
    ):
        d, m = seller.get((region, kind), (0, 0))
        seller[(region, kind)] = (d + 1, m + int(miss))

    seller_code = table.actors.index(Actor.SELLER)
    buyer_code = table.actors.index(Actor.BUYER)
    is_seller = valid & (cols.actor == seller_code)
    big = np.iinfo(np.int64).max
    first_seller = (
        np.minimum.reduceat(np.where(is_seller, index, big), offsets[:-1])
        if cols.events
        else np.zeros(0, np.int64)
    )
    opened_by_buyer = (lengths > 0) & (
        cols.actor[np.minimum(offsets[:-1], cols.events - 1)] == buyer_code
    )
    took = opened_by_buyer & (first_seller < big) & (lengths > 0)
    decision = Durations.of(cols.at[first_seller[took]] - cols.at[offsets[:-1][took]])

    reject = table.event_code().get("reject", -1)
    dispute = table.event_code().get("dispute", -1)
    return ColumnFigures(
        cases=n,
        outcomes=outcomes,
        timeouts=timeouts,
        seller_deadlines=seller,
        stays=stays,
        decision=decision,
        rejections=int((valid & (cols.event == reject) & (cols.actor == seller_code)).sum()),
        disputes=int((valid & (cols.event == dispute)).sum()),
    )
