"""Policy simulation at scale: a vectorised walk of the code table, streamed in chunks.

[`simulate`][tiktok_aftersales.analysis.simulation.simulate] plays each generated case with
the engine (about 2 ms a case).
[`simulate_columns`][tiktok_aftersales.analysis.scale.simulate_columns] instead walks many cases at
once through the columnar code table ([`codes`][tiktok_aftersales.analysis.columnar.codes], derived
from the declaration), one step for every case per numpy operation, and counts
[`ColumnFigures`][tiktok_aftersales.analysis.windows.ColumnFigures] chunk by chunk:
memory depends on the chunk size, not on the number of cases.

The model of behaviour, per step and per case:

- the moves a party may make are the legal moves of the case's control;
  a `Behaviour` probability
  weighs the moves it names (``reject``: ``seller_rejects``, ``dispute``:
  ``buyer_disputes``...) and the moves it does not name share what is left;
- where a window runs, its party stays silent with the behaviour's
  probability (``seller_silent`` for seller windows, ``buyer_ships_late``,
  ``buyer_silent_on_offer``, one minus ``buyer_disputes``, ``parcel_lost``
  for the buyer's and the carrier's); otherwise it answers
  after a random fraction of the window's length in ``windows_from``;
- under a policy, the window's timeout fires at that policy's deadline when
  the party is silent or would answer later (a pre-empted answer).

The random draws depend only on the seed, the chunk and the step, so two
policies see the same people behaving the same way, and a chunk computed on
another machine ([`distributed`][tiktok_aftersales.analysis.distributed]) equals the
same chunk computed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ..deadlines.policy import DEFAULT_POLICY, WINDOW_ACTORS, Policy
from ..domain.calendars import Duration, DurationUnit
from ..domain.vocabulary import Actor, Window
from ..errors import InvalidValue
from ._shared import Progress, Table, make_table, require_numpy
from .columnar import EventColumns, ReplayColumns, codes
from .simulation import ComparisonRow
from .synthetic import DEFAULT_WINDOW, Behaviour
from .windows import ColumnFigures, column_figures, window_codes

__all__ = ["ColumnComparison", "Walk", "simulate_chunk", "simulate_columns", "walk_for"]

_NAMED: Mapping[str, str] = {
    "reject": "seller_rejects",
    "reject_receipt": "seller_rejects",
    "offer_partial_refund": "partial_offer",
    "propose_alternative": "alternative_offer",
    "dispute": "buyer_disputes",
    "withdraw": "buyer_withdraws",
    "decline_offer": "buyer_declines_offer",
}
"""Which `Behaviour` probability weighs a move of this name (behaviour, not rules)."""

_SILENCE: Mapping[Window, tuple[str, bool]] = {
    Window.BUYER_SHIP_BACK: ("buyer_ships_late", False),
    Window.BUYER_OFFER_RESPONSE: ("buyer_silent_on_offer", False),
    Window.BUYER_DISPUTE: ("buyer_disputes", True),
    Window.RETURN_TRANSIT: ("parcel_lost", False),
}
"""Who stays silent in a window, by which probability (``True``: one minus it); every
seller window uses ``seller_silent``."""

_START = datetime(2025, 1, 1, tzinfo=UTC)
_US = 1_000_000


def _micros(duration: Duration | timedelta) -> int:
    if isinstance(duration, timedelta):
        return (duration.days * 86_400 + duration.seconds) * _US + duration.microseconds
    hours = duration.amount if duration.unit is DurationUnit.HOURS else duration.amount * 24
    return int(hours * 3600 * _US)  # working days: a calendar approximation, as in simulate


@attrs.frozen(eq=False)
class Walk:
    """The candidate moves of every control under one behaviour (see `walk_for`).

    Attributes:
        behaviour: The behaviour.
        next: ``[control, k]`` next control of candidate ``k`` (``-1``: none).
        event: ``[control, k]`` its event code.
        actor: ``[control, k]`` its actor code.
        cumulative: ``[control, k]`` cumulative choice weights (last is 1, or 0: no move).
        timeout_next: ``[control]`` the control a timeout leads to, or ``-1``.
        timeout_event: ``[control]`` the timeout's event code.
        timeout_window: ``[control]`` the running window's code, or ``-1``.
        silence: ``[control]`` probability that the window's party stays silent.
        answer_us: ``[window]`` how long a party takes at most, in microseconds.

    """

    behaviour: Behaviour
    next: Any
    event: Any
    actor: Any
    cumulative: Any
    timeout_next: Any
    timeout_event: Any
    timeout_window: Any
    silence: Any
    answer_us: Any


def walk_for(behaviour: Behaviour, windows_from: Policy = DEFAULT_POLICY) -> Walk:
    """Compile the candidate moves of every control for ``behaviour``.

    Raises:
        MissingExtra: numpy is not installed.

    """
    np = require_numpy()
    table = codes()
    wc = window_codes()
    system = table.actors.index(Actor.SYSTEM)
    keep = table.values.index(True)
    per: list[list[tuple[int, int, int, float | None]]] = [[] for _ in table.controls]
    timeout_next = np.full(len(table.controls), -1, dtype=np.int32)
    timeout_event = np.zeros(len(table.controls), dtype=np.int16)
    moves = table.moves
    for c, e, a in zip(*np.nonzero(moves != -1), strict=True):
        nxt = int(moves[c, e, a])
        name = table.events[e]
        if a == system and wc.timeout[c, e] >= 0:
            timeout_next[c] = nxt if nxt >= 0 else -1
            timeout_event[c] = e
            continue
        named = _NAMED.get(name)
        p = None if named is None else float(getattr(behaviour, named))
        if nxt >= 0:
            per[c].append((nxt, int(e), int(a), p))
            continue
        row = -2 - nxt
        outcomes = {int(x) for x in table.slow_moves[row].tolist() if x >= 0}
        kept = int(table.slow_moves[row, keep])
        plain = int(table.slow_moves[row, 0])
        if kept >= 0 and plain >= 0 and kept != plain:  # a payload guard: keep the item or not
            share = behaviour.buyer_keeps_item
            per[c].append((kept, int(e), int(a), None if p is None else p * share))
            per[c].append((plain, int(e), int(a), None if p is None else p * (1 - share)))
            continue
        for out in sorted(outcomes):
            per[c].append((out, int(e), int(a), None if p is None else p / len(outcomes)))
    width = max(len(x) for x in per)
    nxt_a = np.full((len(per), width), -1, dtype=np.int32)
    ev_a = np.zeros((len(per), width), dtype=np.int16)
    ac_a = np.zeros((len(per), width), dtype=np.int8)
    cum = np.zeros((len(per), width))
    for c, cands in enumerate(per):
        if not cands:
            continue
        taken = sum(p for *_, p in cands if p is not None)
        free = [x for x in cands if x[3] is None]
        rest = max(0.0, 1.0 - taken) / len(free) if free else 0.0
        weights = np.array([rest if p is None else p for *_, p in cands])
        if weights.sum() <= 0:
            weights = np.ones(len(cands))
        for k, (n_, e_, a_, _) in enumerate(cands):
            nxt_a[c, k], ev_a[c, k], ac_a[c, k] = n_, e_, a_
        cum[c, : len(cands)] = np.cumsum(weights / weights.sum())
        cum[c, len(cands) - 1 :] = 1.0
    windows = wc.windows
    running = np.full(len(table.controls), -1, dtype=np.int16)
    silence = np.zeros(len(table.controls))
    for c in np.flatnonzero(timeout_next >= 0).tolist():
        w = int(wc.timeout[c, timeout_event[c]])
        running[c] = w
        if WINDOW_ACTORS[windows[w]] is Actor.SELLER:
            silence[c] = behaviour.seller_silent
        elif windows[w] in _SILENCE:
            attr, inverted = _SILENCE[windows[w]]
            value = float(getattr(behaviour, attr))
            silence[c] = 1.0 - value if inverted else value
    lengths = {r.window: r.duration for r in windows_from.rules if r.key[:2] == (None, None)}
    answer = np.array([_micros(lengths.get(w, DEFAULT_WINDOW)) for w in windows], dtype=np.int64)
    return Walk(
        behaviour, nxt_a, ev_a, ac_a, cum, timeout_next, timeout_event, running, silence, answer
    )


def _deadlines(policy: Policy, regions: tuple[str, ...]) -> Any:
    np = require_numpy()
    table = codes()
    out = np.zeros((len(regions), len(table.request_types), len(Window)), dtype=np.int64)
    for r, region in enumerate(regions):
        for t, kind in enumerate(table.request_types):
            for w, window in enumerate(window_codes().windows):
                out[r, t, w] = _micros(policy.duration(region, kind, window))
    return out


def _pick(rng: Any, weights: Mapping[Any, float], n: int) -> Any:
    np = require_numpy()
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return rng.choice(len(keys), size=n, p=p / p.sum())


def simulate_chunk(
    seed: int,
    chunk: int,
    size: int,
    policies: tuple[Policy, ...],
    walk: Walk,
    *,
    max_events: int = 40,
    start: datetime = _START,
    span: timedelta = timedelta(days=90),
) -> tuple[ColumnFigures, ...]:
    """Simulate one chunk of ``size`` cases under each policy (same draws for every policy).

    Raises:
        MissingExtra: numpy is not installed.

    """
    np = require_numpy()
    table = codes()
    b = walk.behaviour
    regions = tuple(sorted(b.regions))
    rng = np.random.default_rng([seed, chunk])
    type_index = {k: i for i, k in enumerate(table.request_types)}
    kinds = np.array([type_index[k] for k in b.request_types], dtype=np.int16)
    kind = kinds[_pick(rng, b.request_types, size)]
    region = _pick(rng, {r: b.regions[r] for r in regions}, size).astype(np.int16)
    opened = _micros(start - datetime(1970, 1, 1, tzinfo=UTC)) + (
        rng.random(size) * _micros(span)
    ).astype(np.int64)
    draws = rng.random((max_events + 1, 3, size))
    return tuple(
        _walk(kind, region, opened, draws, _deadlines(p, regions), walk, regions) for p in policies
    )


def _walk(
    kind: Any,
    region: Any,
    opened: Any,
    draws: Any,
    deadline: Any,
    walk: Walk,
    regions: tuple[str, ...],
) -> ColumnFigures:
    np = require_numpy()
    table = codes()
    size = len(kind)
    steps = draws.shape[0]
    control = table.openings[kind].astype(np.int32)
    now = opened.copy()
    alive = np.ones(size, dtype=bool)
    ev = np.full((steps, size), -1, dtype=np.int16)
    ac = np.zeros((steps, size), dtype=np.int8)
    at = np.zeros((steps, size), dtype=np.int64)
    after = np.zeros((steps, size), dtype=np.int32)
    system = table.actors.index(Actor.SYSTEM)
    cases = np.arange(size)
    for k in range(steps):
        u_silent, u_move, u_delay = draws[k]
        window = walk.timeout_window[control]
        has_window = window >= 0
        cum = walk.cumulative[control]
        can_move = cum[:, -1] > 0
        alive &= can_move | has_window
        if not alive.any():
            break
        choice = np.minimum((cum < u_move[:, None]).sum(axis=1), cum.shape[1] - 1)
        silent = has_window & ((u_silent < walk.silence[control]) | ~can_move)
        w = np.maximum(window, 0)
        limit = deadline[region, kind, w]
        delay = (u_delay * walk.answer_us[w]).astype(np.int64)
        if k == 0:
            delay[:] = 0
        late = has_window & (silent | (delay > limit))
        nxt = np.where(late, walk.timeout_next[control], walk.next[control, choice])
        ev[k] = np.where(
            alive, np.where(late, walk.timeout_event[control], walk.event[control, choice]), -1
        )
        ac[k] = np.where(late, system, walk.actor[control, choice])
        now = now + np.where(late, limit, delay)
        at[k] = now
        control = np.where(alive, nxt, control)
        after[k] = control
    mask = (ev >= 0).T
    lengths = mask.sum(axis=1)
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    cols = EventColumns(
        case_ids=cases,
        request_type=kind,
        region=np.asarray(regions, dtype=object)[region],
        offsets=offsets,
        event=ev.T[mask],
        actor=ac.T[mask],
        at=at.T[mask],
        fields=(),
    )
    final = control.astype(np.int32)
    result = ReplayColumns(cols, after.T[mask], final, np.full(size, -1, dtype=np.int64))
    return column_figures(result)


@attrs.frozen(eq=False)
class ColumnComparison:
    """Two policies over the same simulated people, in column figures.

    Attributes:
        policy_a: The first policy.
        policy_b: The second, or ``None``.
        a: Figures under the first.
        b: Figures under the second, or ``None``.
        rows: The headline numbers side by side.

    """

    policy_a: Policy
    policy_b: Policy | None
    a: ColumnFigures
    b: ColumnFigures | None
    rows: Table[ComparisonRow]

    def row(self, metric: str) -> ComparisonRow:
        """The row of one metric.

        Raises:
            InvalidValue: No such metric.

        """
        for r in self.rows:
            if r.metric == metric:
                return r
        raise InvalidValue("metric", metric, f"one of {', '.join(r.metric for r in self.rows)}")

    @classmethod
    def of(
        cls, policy: Policy, vs: Policy | None, a: ColumnFigures, b: ColumnFigures | None
    ) -> ColumnComparison:
        """Put the figures of two runs side by side."""
        rows = []
        sa = a.summary()
        sb = b.summary() if b is not None else None
        for key, value in sa.items():
            if sb is None:
                rows.append(ComparisonRow(key, value))
                continue
            other = sb[key]
            change = round(other - value, 2) if isinstance(value, float) else other - value
            rows.append(ComparisonRow(key, value, other, change))
        return cls(policy, vs, a, b, make_table("comparison", ComparisonRow, rows))


def chunks_of(n: int, chunk: int) -> list[tuple[int, int]]:
    """``(chunk index, size)`` of each chunk of ``n`` cases."""
    return [(i, min(chunk, n - i * chunk)) for i in range(-(-n // chunk))]


def merge_all(parts: Iterable[tuple[ColumnFigures, ...]]) -> tuple[ColumnFigures, ...]:
    """Merge per-chunk figures, policy by policy.

    Raises:
        InvalidValue: There are no parts.

    """
    out: tuple[ColumnFigures, ...] | None = None
    for part in parts:
        out = part if out is None else tuple(x.merge(y) for x, y in zip(out, part, strict=True))
    if out is None:
        raise InvalidValue("cases", 0, "at least one case")
    return out


def simulate_columns(
    seed: int,
    n: int,
    policy: Policy,
    vs: Policy | None = None,
    *,
    behaviour: Behaviour | None = None,
    windows_from: Policy = DEFAULT_POLICY,
    chunk: int = 50_000,
    max_events: int = 40,
    progress: Progress | None = None,
) -> ColumnComparison:
    """Simulate ``n`` cases under one or two policies, streaming ``chunk`` cases at a time.

    Args:
        seed: The seed (same seed, chunk size and behaviour: same figures).
        n: How many cases.
        policy: The first policy.
        vs: The second policy, or ``None``.
        behaviour: How parties behave (see the module's text).
        windows_from: Window lengths that set how long answering parties take.
        chunk: Cases per chunk (memory grows with it, not with ``n``).
        max_events: The longest history.
        progress: Called with ``(done, n)`` after each chunk.

    Raises:
        InvalidValue: ``n`` or ``chunk`` is below 1, or a policy is not a ``Policy``.
        MissingExtra: numpy is not installed.

    """
    for name, value in (("n", n), ("chunk", chunk)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidValue(name, value, "a whole number of at least 1")
    for name, p in (("policy", policy), ("vs", vs)):
        if p is not None and not isinstance(p, Policy):
            raise InvalidValue(name, p, "a Policy")
    walk = walk_for(behaviour or Behaviour(), windows_from)
    policies = (policy,) if vs is None else (policy, vs)

    def parts() -> Iterable[tuple[ColumnFigures, ...]]:
        done = 0
        for index, size in chunks_of(n, chunk):
            yield simulate_chunk(seed, index, size, policies, walk, max_events=max_events)
            done += size
            if progress is not None:
                progress(done, n)

    merged = merge_all(parts())
    return ColumnComparison.of(policy, vs, merged[0], merged[1] if vs is not None else None)
