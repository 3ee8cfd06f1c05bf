"""The engine's lines of ``benchmarks/run.py``: apply, plain events, case build, replay.

Each comparison times both sides on the same cases and the same events, with
the same kind of work inside each timer:

- ``apply``: median µs per event of the public ``apply`` against
  ``model.trigger(...)`` on bound ``transitions`` models, over the same
  cases (the first cases of the generated population, up to ``--events``
  events). Setup (a blank case and fresh copies of the payloads; ``add_model``)
  is outside both timers, and the library's memos are emptied before each run.
- ``mutable``: µs per event of `ceiling.mutable_apply`, which does the same
  work as ``apply`` (decisions, payload and money checks, effects) on a case
  changed in place, against the trigger, over the same events: the bound on
  what giving up immutability would gain.
- ``plain``: µs per event for the events of that sample that carry no
  payload and produce no effect: apply's cheapest path (decision, new case,
  one history entry). It is not a floor for the mix, only its cheapest part.
- ``build``: µs to construct one case with the slot constructor apply uses
  (``domain._builders.unchecked``; attrs' own ``__init__`` printed beside it)
  and to append one packed history entry: the fixed cost inside every apply,
  measured in the same run.
- ``replay``: events/s replaying the same ``--sample`` cases from scratch,
  per-case setup inside both timers: ``new_case`` then ``apply`` for the
  library, a new model, ``add_model`` then ``trigger`` for ``transitions``.
  The library's rate over the whole population is printed beside it.

Both sides of a ratio run alternately (apply, trigger, apply, …) and their
medians are compared, so that a change of load on a shared machine hits both
alike. Nothing is asserted: the figures and their ratios are printed.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import attrs
from ceiling import MutableCase, mutable_apply, same_outcome

from tiktok_aftersales import AfterSalesCase, apply
from tiktok_aftersales.domain._builders import unchecked
from tiktok_aftersales.domain.facts import forget

__all__ = ["EngineFigures", "report"]


@attrs.frozen
class EngineFigures:
    """What the other lines of ``run.py`` reuse."""

    apply_us: float
    trigger_us: float
    replay_eps: float
    transitions_eps: float


def _median(runs: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(runs))


def _paired(runs: int, a: Callable[[], float], b: Callable[[], float]) -> tuple[float, float]:
    """Medians of ``a`` and ``b`` run alternately, so a change of load hits both alike."""
    xs, ys = [], []
    for _ in range(runs):
        xs.append(a())
        ys.append(b())
    return statistics.median(xs), statistics.median(ys)


def fresh_payloads(streams: Sequence[Any]) -> list[Any]:
    """The streams with every payload copied, made outside the timers.

    A refund works out its total and line ids once and keeps them, so a run
    given the refunds of an earlier run would skip that work: each run gets
    copies that have worked out nothing yet.
    """
    return [
        [(e, a, at, None if p is None else copy.deepcopy(p)) for e, a, at, p in events]
        for events in streams
    ]


def _plain(base: ModuleType, sample: Sequence[Any], streams: Sequence[Any]) -> list[Any]:
    return base.plain_events([base.blank(c) for c in sample], streams)  # type: ignore[no-any-return]


def report(
    base: ModuleType, cases: Sequence[Any], streams: Sequence[Any], args: Any
) -> EngineFigures:
    """Measure and print the engine's lines; ``base`` is ``run.py`` (its helpers and clock)."""
    clock = base.clock
    machines = base.baseline_machines()

    # the sample: the first cases, up to --events events; both sides run exactly these
    sample_n = 0
    total = 0
    while sample_n < len(cases) and total < args.events:
        total += len(streams[sample_n])
        sample_n += 1
    sample = cases[:sample_n]
    sample_streams = streams[:sample_n]

    def apply_run() -> float:
        starts = [base.blank(c) for c in sample]
        events = fresh_payloads(sample_streams)
        forget()  # per-case facts are computed inside the timer on every run
        return base.replay_public(starts, events) / total * 1e6  # type: ignore[no-any-return]

    def trigger_run() -> float:
        models = base.bind(machines, sample)
        try:
            return base.trigger_all(models, sample_streams) / total * 1e6  # type: ignore[no-any-return]
        finally:
            base.unbind(machines, sample, models)

    apply_us, trigger_us = _paired(args.runs, apply_run, trigger_run)
    base.line(
        "apply",
        f"{apply_us:.2f} µs/event median (public apply, {total:,} events of {sample_n:,} cases, "
        f"all types) | transitions trigger {trigger_us:.2f} µs/event on the same events -> "
        f"{trigger_us / apply_us:.1f}x faster (target >= 4x, moonshot 6x)",
    )

    # the same work on a case changed in place: what giving up immutability would save
    def mutable_run() -> float:
        starts = [MutableCase(base.blank(c)) for c in sample]
        events = fresh_payloads(sample_streams)
        forget()
        t = clock()
        for case, stream in zip(starts, events, strict=True):
            for event, actor, at, payload in stream:
                mutable_apply(case, event, actor, at, payload)
        return (clock() - t) / total * 1e6  # type: ignore[no-any-return]

    mutable_us, trigger2_us = _paired(args.runs, mutable_run, trigger_run)
    ended = [MutableCase(base.blank(c)) for c in sample]
    applied = []
    for case, blank_case, stream in zip(ended, sample, sample_streams, strict=True):
        after = base.blank(blank_case)
        for event, actor, at, payload in stream:
            mutable_apply(case, event, actor, at, payload)
            after = apply(after, event, actor, at, payload)
        applied.append(after)
    base.line(
        "mutable",
        f"{mutable_us:.2f} µs/event median (the same decisions, payload and money checks and "
        f"effects on a case changed in place: benchmarks/ceiling.py; "
        f"{same_outcome(ended, applied):,}/{sample_n:,} cases end as apply ends them) | "
        f"transitions trigger {trigger2_us:.2f} µs/event -> {trigger2_us / mutable_us:.1f}x; "
        f"apply costs {apply_us / trigger_us * trigger2_us / mutable_us:.2f}x the mutable "
        "prototype (what immutability costs)",
    )

    plain = _plain(base, sample, sample_streams)

    def plain_run() -> float:
        t = clock()
        for case, event, actor, at in plain:
            apply(case, event, actor, at)
        return (clock() - t) / len(plain) * 1e6  # type: ignore[no-any-return]

    plain_us = _median(args.runs, plain_run)
    base.line(
        "plain",
        f"{plain_us:.2f} µs/event median for the {len(plain):,} events of the sample with no "
        f"payload and no effect (apply's cheapest path: decision, new case, history entry) | "
        f"trigger mean {trigger_us:.2f} µs/event -> {trigger_us / plain_us:.1f}x",
    )

    # the fixed cost inside every apply: building the new case and its history entry
    done = plain[len(plain) // 2][0] if plain else base.blank(sample[0])
    fields = [getattr(done, f.name) for f in attrs.fields(AfterSalesCase)]
    history = done.history
    reps = 20_000 if args.quick else 100_000

    fast = unchecked(AfterSalesCase)

    def build_run() -> float:
        t = clock()
        for _ in range(reps):
            fast(*fields)
        return (clock() - t) / reps * 1e6  # type: ignore[no-any-return]

    def init_run() -> float:
        t = clock()
        for _ in range(reps):
            AfterSalesCase(*fields)
        return (clock() - t) / reps * 1e6  # type: ignore[no-any-return]

    def entry_run() -> float:
        t = clock()
        for _ in range(reps):
            history.appended(1_770_000_000_000_000, None, 1, 1, 1, None)
        return (clock() - t) / reps * 1e6  # type: ignore[no-any-return]

    build_us, init_us = _paired(args.runs, build_run, init_run)
    entry_us = _median(args.runs, entry_run)
    fixed = build_us + entry_us
    base.line(
        "build",
        f"{build_us:.2f} µs per case built (slot constructor, {len(fields)} fields; attrs "
        f"__init__ {init_us:.2f} µs) + "
        f"{entry_us:.2f} µs per packed history entry = {fixed:.2f} µs in every apply -> "
        f"with nothing else, at most {trigger_us / fixed:.1f}x the trigger",
    )

    # replay from scratch, per-case setup inside both timers, the same cases
    sub = cases[: args.sample]
    sub_streams = streams[: args.sample]
    sub_events = sum(len(s) for s in sub_streams)
    n_events = sum(len(s) for s in streams)

    def library_replay(which: Sequence[Any], which_streams: Sequence[Any], count: int) -> float:
        runs = fresh_payloads(which_streams)
        forget()
        t = clock()
        for c, events in zip(which, runs, strict=True):
            case = base.blank(c)
            for event, actor, at, payload in events:
                case = apply(case, event, actor, at, payload)
        return count / (clock() - t)  # type: ignore[no-any-return]

    def transitions_replay() -> float:
        t = clock()
        models = base.bind(machines, sub)
        base.trigger_all(models, sub_streams)
        seconds = clock() - t
        base.unbind(machines, sub, models)
        return sub_events / seconds  # type: ignore[no-any-return]

    replay_eps, transitions_eps = _paired(
        args.runs, lambda: library_replay(sub, sub_streams, sub_events), transitions_replay
    )
    whole_eps = _median(max(args.runs // 2, 1), lambda: library_replay(cases, streams, n_events))
    base.line(
        "replay",
        f"{replay_eps:,.0f} events/s (new_case + apply, {len(sub):,} cases, {sub_events:,} "
        f"events) | transitions {transitions_eps:,.0f} events/s (new model + add_model + "
        f"trigger, the same cases) -> {replay_eps / transitions_eps:.1f}x (target >= 10x); "
        f"library over all {len(cases):,} cases: {whole_eps:,.0f} events/s; at the mutable "
        f"prototype's cost per event and with no setup at all, replay would reach "
        f"{1e6 / mutable_us / transitions_eps:.1f}x",
    )
    return EngineFigures(apply_us, trigger_us, replay_eps, transitions_eps)
