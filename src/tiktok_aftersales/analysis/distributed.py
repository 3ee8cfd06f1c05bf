"""Replay, figures and policy simulation on Dask (the ``dask`` extra).

The same columnar code runs in every partition; what comes back is merged
exactly ([`merge`][tiktok_aftersales.analysis.windows.ColumnFigures.merge]
adds integers), so the results equal the single-process ones.

- [`replay_dask`][tiktok_aftersales.analysis.distributed.replay_dask]: a ``dask.dataframe`` of
  events (the [`to_arrow`][tiktok_aftersales.analysis.columnar.to_arrow] layout, e.g. from
  ``dask.dataframe.read_parquet``) to one row per case: ``case_id``,
  ``state`` and ``failed_at``;
- [`figures_dask`][tiktok_aftersales.analysis.distributed.figures_dask]: the same events to
  [`ColumnFigures`][tiktok_aftersales.analysis.windows.ColumnFigures];
- [`simulate_dask`][tiktok_aftersales.analysis.distributed.simulate_dask]: the chunks of
  [`simulate_columns`][tiktok_aftersales.analysis.scale.simulate_columns] as a
  ``dask.bag``, one task per chunk.

A case's events must sit in one partition, in order: partition the dataset
by order (every case of an order in the same file) and keep each file's rows
as [`to_arrow`][tiktok_aftersales.analysis.columnar.to_arrow] wrote them.
Nothing here starts a cluster or reads a file: make the ``Client`` and the
dataframe yourself (see the how-to "Run on Dask"); without a client Dask's
default scheduler runs the same graph.
"""

from __future__ import annotations

from typing import Any

from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..errors import InvalidValue, MissingExtra
from .columnar import codes, from_arrow, replay_columns
from .scale import ColumnComparison, chunks_of, merge_all, simulate_chunk, walk_for
from .synthetic import Behaviour
from .windows import ColumnFigures, column_figures

__all__ = ["figures_dask", "partition_figures", "partition_states", "replay_dask", "simulate_dask"]


def _dask() -> Any:
    try:
        import dask
        import dask.bag
        import dask.dataframe
    except ImportError:
        raise MissingExtra("dask", "dask") from None
    return dask


def partition_states(frame: Any) -> Any:
    """One partition's events to one row per case (``case_id``, ``state``, ``failed_at``).

    Raises:
        MissingExtra: pandas or pyarrow is not installed.

    """
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

    result = replay_columns(from_arrow(frame))
    return pandas.DataFrame(
        {
            "case_id": pandas.Series(result.columns.case_ids, dtype=object),
            "state": [s.value for s in result.states()],
            "failed_at": result.failed_at,
        }
    )


def partition_figures(frame: Any) -> ColumnFigures:
    """One partition's events to its column figures.

    Raises:
        MissingExtra: pyarrow is not installed.

    """
    return column_figures(replay_columns(from_arrow(frame)))


def replay_dask(events: Any) -> Any:
    """Replay a ``dask.dataframe`` of events: a lazy frame with one row per case.

    Raises:
        MissingExtra: dask is not installed.

    """
    _dask()
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

    codes()  # compile once here; each worker compiles its own on first use
    meta = pandas.DataFrame(
        {
            "case_id": pandas.Series([], dtype=object),
            "state": pandas.Series([], dtype=object),
            "failed_at": pandas.Series([], dtype="int64"),
        }
    )
    return events.map_partitions(partition_states, meta=meta)


def figures_dask(events: Any) -> ColumnFigures:
    """The column figures of a ``dask.dataframe`` of events, computed partition by partition.

    Raises:
        MissingExtra: dask is not installed.
        InvalidValue: The frame has no partitions.

    """
    dask = _dask()
    parts = [dask.delayed(partition_figures)(p) for p in events.to_delayed()]
    if not parts:
        raise InvalidValue("events", events, "a frame with at least one partition")
    while len(parts) > 1:
        pairs = [dask.delayed(_merge)(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
    result: ColumnFigures = parts[0].compute()
    return result


def _merge(a: ColumnFigures, b: ColumnFigures) -> ColumnFigures:
    return a.merge(b)


def simulate_dask(
    seed: int,
    n: int,
    policy: Policy,
    vs: Policy | None = None,
    *,
    behaviour: Behaviour | None = None,
    windows_from: Policy = DEFAULT_POLICY,
    chunk: int = 50_000,
    max_events: int = 40,
) -> ColumnComparison:
    """`simulate_columns`, one Dask task per chunk.

    Same arguments, same result (for the same ``chunk``).

    Raises:
        MissingExtra: dask is not installed.
        InvalidValue: As [`simulate_columns`][tiktok_aftersales.analysis.scale.simulate_columns].

    """
    dask = _dask()
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidValue("n", n, "a whole number of at least 1")
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InvalidValue("chunk", chunk, "a whole number of at least 1")
    walk = walk_for(behaviour or Behaviour(), windows_from)
    policies = (policy,) if vs is None else (policy, vs)
    pieces = chunks_of(n, chunk)
    bag = dask.bag.from_sequence(pieces, npartitions=len(pieces))
    parts = bag.map(
        lambda piece: simulate_chunk(
            seed, piece[0], piece[1], policies, walk, max_events=max_events
        )
    )
    merged = parts.fold(_merge_parts).compute()
    return ColumnComparison.of(policy, vs, merged[0], merged[1] if vs is not None else None)


def _merge_parts(
    a: tuple[ColumnFigures, ...], b: tuple[ColumnFigures, ...]
) -> tuple[ColumnFigures, ...]:
    return merge_all((a, b))
