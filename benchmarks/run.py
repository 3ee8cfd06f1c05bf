"""Benchmarks of tiktok-aftersales against baselines measured in the same run.

    python benchmarks/run.py            # full size (a few minutes)
    python benchmarks/run.py --quick    # smoke test, well under 30 s

Prints one line per figure, each with its ratio to its baseline and the
target of issue 7. Nothing here asserts a timing: the figures are printed
and recorded in benchmarks/README.md.

Baselines:

- ``transitions``: the usual way. One shared ``transitions.Machine`` per
  request type, built from the declaration, a plain model object bound with
  ``add_model``; a condition per transition checks the actor, the
  arbitration sub-state and the guard; an ``after`` callback records the
  event in a history list. Driven with ``model.trigger(event, ...)``.
- ``dict loop``: ``state = table[(state, event)]`` over a
  ``{(state, event): next_state}`` dictionary per request type (derived from
  the declaration; no actors, no guards): the floor for pure Python.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import engine_bench
from transitions import Machine

from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    State,
    apply,
)
from tiktok_aftersales.analysis import fast_table, replay_states
from tiktok_aftersales.analysis.synthetic import SyntheticCase, generate
from tiktok_aftersales.domain import Arbitration, new_case
from tiktok_aftersales.lifecycle import LIFECYCLES, Transition, offer_after

SEED = 20_251_122

clock = time.process_time
"""CPU time of this process (``--clock wall`` switches to ``time.perf_counter``)."""


def machine_info() -> str:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"nproc {os.cpu_count()}, cpu {cpu}, {platform.system()} {platform.machine()}"
    )


# --- inputs -----------------------------------------------------------------------------


def blank(c: SyntheticCase) -> AfterSalesCase:
    """The case before its opening event (state NEW), from a generated one."""
    k = c.case
    return new_case(
        k.request_type,
        case_id=k.case_id,
        order_id=k.order_id,
        region=k.region,
        lines=k.lines,
        order_stage=k.order_stage,
    )


Events = list[tuple[str, Actor, Any, Any]]


def events_of(c: SyntheticCase) -> Events:
    return [(e.event, e.actor, e.at, e.payload) for e in c.all_events]


# --- the public API -----------------------------------------------------------------------


def replay_public(starts: Sequence[AfterSalesCase], streams: Sequence[Events]) -> float:
    """Seconds to apply every event of every stream with the public ``apply``."""
    t0 = clock()
    for case, events in zip(starts, streams, strict=True):
        for event, actor, at, payload in events:
            case = apply(case, event, actor, at, payload)
    return clock() - t0


def plain_events(
    starts: Sequence[AfterSalesCase], streams: Sequence[Events]
) -> list[tuple[AfterSalesCase, str, Actor, Any]]:
    """The events of the streams that carry no payload and produce no effect, with their case."""
    out = []
    for case, events in zip(starts, streams, strict=True):
        for event, actor, at, payload in events:
            after = apply(case, event, actor, at, payload)
            if payload is None and len(after.effects) == len(case.effects):
                out.append((case, event, actor, at))
            case = after
    return out


# --- baseline: transitions on a bound model ---------------------------------------------


class BoundCase:
    """The usual mutable model bound to a shared machine."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.state = State.NEW.value
        self.arbitration = Arbitration.NONE
        self.offer: Any = None
        self.history: list[tuple[str, Actor, Any, str]] = []


def _condition(t: Transition) -> Callable[[Any], bool]:
    guard = t.guard.test if t.guard is not None else None
    actors = t.actors
    arbitration_from = t.arbitration_from

    def condition(ev: Any) -> bool:
        kw = ev.kwargs
        model = ev.model
        if kw["actor"] not in actors or model.arbitration not in arbitration_from:
            return False
        return guard is None or guard(model, kw.get("payload") or {})

    return condition


def _after(t: Transition, dest: State) -> Callable[[Any], None]:
    def after(ev: Any) -> None:
        kw = ev.kwargs
        model = ev.model
        name = ev.event.name
        model.history.append((name, kw["actor"], kw["at"], model.state))
        if t.arbitration_to is not None:
            model.arbitration = t.arbitration_to
        model.offer = offer_after(model.offer, name, dest, kw.get("payload") or {})

    return after


def baseline_machines() -> dict[Any, Machine]:
    out = {}
    for kind, lc in LIFECYCLES.items():
        m = Machine(
            model=None,
            states=[s.value for s in lc.states],
            initial=State.NEW.value,
            auto_transitions=False,
            send_event=True,
            name=kind.value,
        )
        for t in lc.transitions:
            for source in sorted(t.sources):
                m.add_transition(
                    t.event,
                    source.value,
                    t.dest_from(source).value,
                    conditions=[_condition(t)],
                    after=[_after(t, t.dest_from(source))],
                )
        out[kind] = m
    return out


def bind(machines: dict[Any, Machine], cases: Sequence[SyntheticCase]) -> list[BoundCase]:
    models = []
    for c in cases:
        model = BoundCase(c.case.case_id)
        machines[c.case.request_type].add_model(model, initial=State.NEW.value)
        models.append(model)
    return models


def unbind(
    machines: dict[Any, Machine], cases: Sequence[SyntheticCase], models: list[BoundCase]
) -> None:
    for c, model in zip(cases, models, strict=True):
        machines[c.case.request_type].remove_model(model)


def trigger_all(models: Sequence[BoundCase], streams: Sequence[Events]) -> float:
    t0 = clock()
    for model, events in zip(models, streams, strict=True):
        trigger = model.trigger  # type: ignore[attr-defined]
        for event, actor, at, payload in events:
            trigger(event, actor=actor, at=at, payload=payload)
    return clock() - t0


# --- baseline: the dictionary loop ------------------------------------------------------


def dict_tables() -> dict[str, dict[tuple[str, str], str]]:
    out: dict[str, dict[tuple[str, str], str]] = {}
    for kind, lc in LIFECYCLES.items():
        table: dict[tuple[str, str], str] = {}
        for t in lc.transitions:
            for source in t.sources:
                # guards collapse: the last candidate (the unguarded fallback) wins
                table[(source.value, t.event)] = t.dest_from(source).value
        out[kind.value] = table
    return out


def dict_loop(
    tables: dict[str, dict[tuple[str, str], str]], streams: Sequence[tuple[str, list[str]]]
) -> tuple[float, list[str]]:
    out = []
    append = out.append
    t0 = clock()
    for kind, events in streams:
        table = tables[kind]
        get = table.get
        state = "new"
        for event in events:
            state = get((state, event), state)
        append(state)
    return clock() - t0, out


# --- memory and flatness ----------------------------------------------------------------


def five_event_pool(cases: Sequence[SyntheticCase]) -> list[SyntheticCase]:
    pool = [c for c in cases if len(c.all_events) == 5]
    if not pool:  # pragma: no cover - the generator always makes some
        raise SystemExit("no five-event histories generated")
    return pool


def build_cases(
    pool: Sequence[SyntheticCase], n: int, keep: list[AfterSalesCase], own_lines: bool = False
) -> None:
    """Build ``n`` cases with five-event histories (unique ids and times; lines from the pool).

    With ``own_lines`` every case gets its own copy of its order lines (and so its own
    refunds), as cases read back from a store have.
    """
    size = len(pool)
    for i in range(n):
        template = pool[i % size]
        k = template.case
        case = new_case(
            k.request_type,
            case_id=f"C{i:08d}",
            order_id=f"O{i:08d}",
            region=k.region,
            lines=copy.deepcopy(k.lines) if own_lines else k.lines,
            order_stage=k.order_stage,
        )
        shift = timedelta(seconds=i)
        for e in template.all_events:
            case = apply(case, e.event, e.actor, e.at + shift, e.payload)
        keep.append(case)


def memory_per_case(
    pool: Sequence[SyntheticCase], n: int, own_lines: bool = False
) -> tuple[float, float]:
    """(bytes per case, seconds) for ``n`` cases built under tracemalloc."""
    keep: list[AfterSalesCase] = []
    keep_list_size = sys.getsizeof([None] * n)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = clock()
    build_cases(pool, n, keep, own_lines)
    seconds = clock() - t0
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    used = after - before - keep_list_size
    del keep
    gc.collect()
    return used / n, seconds


def time_per_case(pool: Sequence[SyntheticCase], n: int) -> float:
    keep: list[AfterSalesCase] = []
    gc.collect()
    t0 = clock()
    build_cases(pool, n, keep)
    seconds = clock() - t0
    del keep
    gc.collect()
    return seconds / n


def transitions_model_bytes(machines: dict[Any, Machine], cases: Sequence[SyntheticCase]) -> float:
    """Bytes per bound model (with its history after replay), measured with tracemalloc."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    models = bind(machines, cases)
    trigger_all(models, [events_of(c) for c in cases])
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    unbind(machines, cases, models)
    return (after - before) / len(cases)


# --- main -------------------------------------------------------------------------------


def median_of(runs: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(runs))


def line(name: str, text: str) -> None:
    print(f"{name:<9} {text}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=100_000, help="cases replayed (default 100,000)")
    p.add_argument("--events", type=int, default=50_000, help="events in the apply sample")
    p.add_argument("--sample", type=int, default=2_000, help="cases bound to transitions")
    p.add_argument("--memory-cases", type=int, default=1_000_000, help="cases held for memory")
    p.add_argument("--runs", type=int, default=5, help="repeats; medians are reported")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--quick", action="store_true", help="small sizes for a CI smoke test")
    p.add_argument(
        "--simulate-cases", type=int, default=1_000_000, help="cases in the streaming simulation"
    )
    p.add_argument(
        "--dask-full",
        action="store_true",
        help="run the Dask line up to 10,000,000 cases (default: up to 1,000,000)",
    )
    p.add_argument(
        "--only", choices=("all", "scale"), default="all", help="scale: only the new scale lines"
    )
    p.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: process CPU time, steadier on a shared machine (default); wall: elapsed",
    )
    args = p.parse_args(argv)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.quick:
        args.cases = min(args.cases, 2_000)
        args.events = min(args.events, 5_000)
        args.sample = min(args.sample, 300)
        args.memory_cases = min(args.memory_cases, 10_000)
        args.runs = min(args.runs, 3)
        args.simulate_cases = min(args.simulate_cases, 20_000)
    n = args.memory_cases
    flat_sizes = sorted({max(n // 100, min(n, 2_000)), max(n // 10, min(n, 5_000)), n})

    print(f"# tiktok-aftersales benchmarks ({'quick' if args.quick else 'full'})")
    print(f"# {machine_info()}")
    command = " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    print(f"# command: {command}; clock: {args.clock}")

    t0 = clock()
    cases = list(generate(args.seed, args.cases))
    streams = [events_of(c) for c in cases]
    n_events = sum(len(s) for s in streams)
    print(f"# generated {len(cases):,} cases, {n_events:,} events in {clock() - t0:.1f} s")

    if args.only == "scale":
        scale_lines(args, cases, n_events)
        return 0
    machines = baseline_machines()
    fast_table()  # compiled once, outside the timings

    # apply, plain, build, replay: benchmarks/engine_bench.py (same events on both sides)
    engine = engine_bench.report(sys.modules[__name__], cases, streams, args)
    trigger_us, transitions_eps = engine.trigger_us, engine.transitions_eps

    # bulk: fast.replay_states against the dictionary loop, same streams
    bulk_streams = [
        (c.case.request_type.value, [(e.event, e.actor.value, e.payload) for e in c.all_events])
        for c in cases
    ]
    tables = dict_tables()
    loop_streams = [(c.case.request_type.value, [e.event for e in c.all_events]) for c in cases]

    def bulk_run() -> float:
        t = clock()
        replay_states(bulk_streams)
        return n_events / (clock() - t)

    def loop_run() -> float:
        return n_events / dict_loop(tables, loop_streams)[0]

    bulk_eps = median_of(args.runs, bulk_run)
    loop_eps = median_of(args.runs, loop_run)
    final = replay_states(bulk_streams)
    agree = sum(f is c.final_state for f, c in zip(final, cases, strict=True))
    slow = len(fast_table().slow)
    line(
        "bulk",
        f"{bulk_eps:,.0f} events/s (fast.replay_states, {n_events:,} events; "
        f"{agree:,}/{len(cases):,} "
        f"final states equal the engine's; {slow} payload-decided moves) | dict loop "
        f"{loop_eps:,.0f} events/s -> {bulk_eps / loop_eps:.2f} of the loop (target >= 0.33)",
    )

    # memory: many cases with five-event histories
    pool = five_event_pool(cases)
    per_case, _traced_seconds = memory_per_case(pool, args.memory_cases)
    own_n = max(args.memory_cases // 10, 1_000)
    own_case, _ = memory_per_case(pool, own_n, own_lines=True)
    model_bytes = transitions_model_bytes(machines, pool[: min(len(pool), args.sample)])
    line(
        "memory",
        f"{per_case:,.0f} bytes/case ({args.memory_cases:,} cases x 5 events, tracemalloc; "
        f"ids, times, history, effects included; order lines shared from {len(pool):,} orders) | "
        f"transitions bound model {model_bytes:,.0f} bytes/model -> {model_bytes / per_case:.1f}x "
        f"smaller (target <= 1,024 bytes/case); with every case's own copy of its lines and "
        f"refunds, as read back from a store: {own_case:,.0f} bytes/case ({own_n:,} cases)",
    )

    # flat: time per case as the number of live cases grows
    per = {n: time_per_case(pool, n) for n in flat_sizes}
    smallest = per[flat_sizes[0]]
    text = ", ".join(f"{n:,}: {per[n] * 1e6:.1f} µs" for n in flat_sizes)
    line(
        "flat",
        f"time per case (build + 5 events, all kept) {text} -> largest/smallest "
        f"{per[flat_sizes[-1]] / smallest:.2f} (flat: close to 1)",
    )
    growth = []
    for size in sorted({max(args.sample // 4, 1), args.sample}):
        sub = cases[:size]
        t = clock()
        models = bind(machines, sub)
        growth.append((size, (clock() - t) / size * 1e6))
        unbind(machines, sub, models)
    line(
        "add_model",
        "transitions add_model per model: "
        + ", ".join(f"{us:.1f} µs with {size:,} models bound" for size, us in growth)
        + " (the model list is searched on every add: the cost grows with the models bound)",
    )
    line(
        "baseline",
        f"transitions trigger {trigger_us:.2f} µs/event; transitions replay "
        f"{transitions_eps:,.0f} events/s; dict loop {loop_eps:,.0f} events/s "
        f"({1e6 / loop_eps:.3f} µs/event); transitions model {model_bytes:,.0f} bytes",
    )
    scale_lines(args, cases, n_events)
    return 0


# --- the columnar path, simulation at scale and Dask --------------------------------------


CHILD = """
import sys, time
from tiktok_aftersales.analysis import policy_from_spec
from tiktok_aftersales.analysis.scale import simulate_columns
seed, n = int(sys.argv[1]), int(sys.argv[2])
a = policy_from_spec("default")
b = policy_from_spec("default,seller_response=24h")
t = time.perf_counter()
simulate_columns(seed, n, a, b)
seconds = time.perf_counter() - t
peak = 0
with open("/proc/self/status", encoding="ascii") as status:
    for row in status:
        if row.startswith("VmHWM:"):
            peak = int(row.split()[1]) * 1024
print(seconds, peak)
"""


def simulate_in_child(seed: int, n: int) -> tuple[float, int]:
    """Wall seconds of a streaming simulation in a fresh process, and that process's peak RSS.

    The peak is the child's own high-water mark (``VmHWM``, read by the child
    itself): ``getrusage`` would also count the parent's pages the child
    shared between fork and exec, which on a parent holding a million cases
    is most of the figure.
    """
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(seed), str(n)], check=True, capture_output=True, text=True
    )
    seconds, peak = out.stdout.split()
    return float(seconds), int(peak)


def scale_lines(args: argparse.Namespace, cases: Sequence[SyntheticCase], n_events: int) -> None:
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        line("columnar", "skipped: needs the columnar extra (pip install -e '.[columnar]')")
        return
    from tiktok_aftersales.analysis import History, policy_from_spec, population, simulate
    from tiktok_aftersales.analysis.columnar import (
        codes,
        encode_histories,
        from_arrow,
        replay_columns,
        to_arrow,
    )

    codes()  # compiled once, outside the timings
    histories = [History.from_synthetic(c) for c in cases]
    columns = encode_histories(histories)
    table = to_arrow(histories)
    tables = dict_tables()
    loop_streams = [(c.case.request_type.value, [e.event for e in c.all_events]) for c in cases]

    def columnar_run() -> float:
        t = clock()
        replay_columns(columns)
        return n_events / (clock() - t)

    def arrow_run() -> float:
        t = clock()
        replay_columns(from_arrow(table))
        return n_events / (clock() - t)

    def loop_run() -> float:
        return n_events / dict_loop(tables, loop_streams)[0]

    col_eps = median_of(args.runs, columnar_run)
    arrow_eps = median_of(args.runs, arrow_run)
    loop_eps = median_of(args.runs, loop_run)
    states = replay_columns(columns).states()
    agree = sum(s is c.final_state for s, c in zip(states, cases, strict=True))
    line(
        "columnar",
        f"{col_eps:,.0f} events/s (replay_columns over coded arrays, {n_events:,} events; "
        f"{agree:,}/{len(cases):,} final states equal the engine's) | dict loop "
        f"{loop_eps:,.0f} events/s (both inputs prepared outside the timer) -> "
        f"{col_eps / loop_eps:.1f}x (target >= 5x)",
    )
    line(
        "arrow",
        f"{arrow_eps:,.0f} events/s (from_arrow + replay_columns: decoding the Arrow strings "
        f"inside the timer) | dict loop {loop_eps:,.0f} events/s -> {arrow_eps / loop_eps:.1f}x",
    )

    a = policy_from_spec("default")
    b = policy_from_spec("default,seller_response=24h")
    n = args.simulate_cases
    seconds, peak = simulate_in_child(args.seed, n)
    small = 200 if args.quick else 2_000
    t = time.perf_counter()
    simulate(population(args.seed, small), a, b)
    object_us = (time.perf_counter() - t) / small * 1e6
    column_us = seconds / n * 1e6
    line(
        "simulate",
        f"{n:,} cases under two policies in {seconds:.1f} s wall ({column_us:.1f} µs/case, "
        f"peak RSS {peak / 2**20:,.0f} MiB of the whole process, 50,000-case chunks; "
        "target 1,000,000 cases <= 60 s, <= 2 GB) | simulate (engine, "
        f"{small:,} cases) {object_us:,.0f} µs/case -> "
        f"{object_us / column_us:,.0f}x",
    )
    dask_line(args, a, b)


def dask_line(args: argparse.Namespace, a: Any, b: Any) -> None:
    try:
        import distributed
    except ImportError:
        line("dask", "skipped: needs the dask extra (pip install -e '.[dask]')")
        return
    from tiktok_aftersales.analysis.distributed import simulate_dask
    from tiktok_aftersales.analysis.scale import simulate_columns

    if args.quick:
        sizes = [10_000, 40_000]
    elif args.dask_full:
        sizes = [10_000, 100_000, 1_000_000, 10_000_000]
    else:
        sizes = [10_000, 100_000, 1_000_000]
    chunk = 10_000 if args.quick else 100_000
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster),
    ):
        simulate_dask(args.seed, 1_000, a, b, chunk=1_000)  # workers warm, outside the timings
        per = {}
        for size in sizes:
            t = time.perf_counter()
            simulate_dask(args.seed, size, a, b, chunk=min(chunk, size))
            per[size] = (time.perf_counter() - t) / size * 1e6
    top = sizes[-1]
    t = time.perf_counter()
    simulate_columns(args.seed, top, a, b, chunk=min(chunk, top))
    local_us = (time.perf_counter() - t) / top * 1e6
    text = ", ".join(f"{n:,}: {us:.2f} µs" for n, us in per.items())
    line(
        "dask",
        f"simulate_dask per case on a 2-worker LocalCluster, two policies: {text} -> "
        f"largest/smallest {per[top] / per[sizes[0]]:.2f} (flat: close to 1) | single process "
        f"{local_us:.2f} µs/case at {top:,} -> {local_us / per[top]:.2f}x",
    )


if __name__ == "__main__":
    raise SystemExit(main())
