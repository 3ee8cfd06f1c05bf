"""Columnar replay: numpy over coded arrays, with a code table derived from the declaration.

A history in columns is one row per event, grouped by case and in order:
coded ``event`` and ``actor`` columns, the case's coded ``request_type``,
the event time ``at`` in integer microseconds (UTC), and one coded column per
payload field that decides a move (`CodeTable.fields`: the fields the
lifecycle's payload guards and payload-chosen offers read). ``offsets``
says where each case starts (the CSR layout).

[`codes`][tiktok_aftersales.analysis.columnar.codes] publishes the code table. It is compiled from
[`fast_table`][tiktok_aftersales.analysis.fast.fast_table], which is compiled from
[`LIFECYCLES`][tiktok_aftersales.lifecycle.table.LIFECYCLES] by asking the engine: there
is no second table of transitions here.
[`replay_columns`][tiktok_aftersales.analysis.columnar.replay_columns] walks every case one event
index at a time, all cases at once: one array look-up per event for the table-decided moves, one
more for the few moves a payload field decides. The result is the same as applying every event with
[`apply`][tiktok_aftersales.lifecycle.engine.apply] (a test proves it on generated populations).

Columns come from [`encode_histories`][tiktok_aftersales.analysis.columnar.encode_histories] (Python
values) or [`from_arrow`][tiktok_aftersales.analysis.columnar.from_arrow] (an Arrow table, e.g. read
from Parquet; the ``columnar`` extra, ``pyarrow``). Nothing here reads a file: read the table
yourself (``pyarrow.parquet.read_table``) and pass it in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..domain.vocabulary import Actor, Arbitration, RequestType, Solution, State
from ..errors import InvalidTransition, InvalidValue, UnknownEvent
from ..lifecycle import LIFECYCLES
from ._shared import require_numpy, require_pyarrow
from .fast import FastTable, fast_table
from .histories import History

__all__ = [
    "CodeTable",
    "EventColumns",
    "ReplayColumns",
    "codes",
    "encode_histories",
    "from_arrow",
    "replay_columns",
    "to_arrow",
]

ILLEGAL = -1
"""The code of a move the lifecycle does not allow (and of an unknown name)."""


@attrs.frozen(eq=False)
class CodeTable:
    """The published codes of the columnar path, and its compiled arrays.

    Every code is a position in one of the tuples below, so a code means the
    same thing in every column, file and process of one library version.

    Attributes:
        request_types: Request type of each code.
        states: State of each code.
        events: Event name of each code (every event the declaration names).
        actors: Actor of each code.
        arbitrations: Arbitration sub-state of each code.
        fields: Payload fields that decide a move, one column each.
        values: Value of each payload-field code (``None`` first: absent).
        controls: Control code to (request type, state, arbitration,
            pending offer's solution), as in
            [`FastTable`][tiktok_aftersales.analysis.fast.FastTable].
        control_state: ``numpy`` array, control code to state code.
        control_type: ``numpy`` array, control code to request type code.
        openings: ``numpy`` array, request type code to its control before opening.
        moves: ``numpy`` array ``[control, event, actor]`` to the next control;
            [`ILLEGAL`][tiktok_aftersales.analysis.columnar.ILLEGAL], or ``-2 - i`` for a move
            decided by payload row ``i``.
        slow_fields: ``numpy`` array, payload row to the field code it reads.
        slow_moves: ``numpy`` array ``[payload row, value code]`` to the next control.
        table: The fast table the arrays were compiled from.
        flat_moves: ``moves`` flattened, ``[control * flat_width + event * len(actors) +
            actor]``; its last column (an unknown event) is
            [`ILLEGAL`][tiktok_aftersales.analysis.columnar.ILLEGAL], and one
            more control row past the last (a refused case) leads to itself.
        flat_width: Columns per control in ``flat_moves``.
        flat_offsets: ``flat_moves`` with every next control multiplied by
            ``flat_width`` (the row it leads to); negative entries as they are.

    """

    request_types: tuple[RequestType, ...]
    states: tuple[State, ...]
    events: tuple[str, ...]
    actors: tuple[Actor, ...]
    arbitrations: tuple[Arbitration, ...]
    fields: tuple[str, ...]
    values: tuple[Any, ...]
    controls: tuple[tuple[RequestType, State, Arbitration, Solution | None], ...]
    control_state: Any
    control_type: Any
    openings: Any
    moves: Any
    slow_fields: Any
    slow_moves: Any
    table: FastTable
    flat_moves: Any
    flat_width: int
    flat_offsets: Any

    def event_code(self) -> Mapping[str, int]:
        """Event name to code."""
        return {e: i for i, e in enumerate(self.events)}

    def actor_code(self) -> Mapping[str, int]:
        """Actor value to code."""
        return {a.value: i for i, a in enumerate(self.actors)}

    def type_code(self) -> Mapping[str, int]:
        """Request type value to code."""
        return {t.value: i for i, t in enumerate(self.request_types)}

    def value_code(self, value: Any) -> int:
        """The code of one payload-field value (`ILLEGAL` when it has none)."""
        for i, known in enumerate(self.values):
            if value is known:
                return i
        if isinstance(value, str | Solution) and not isinstance(value, bool):
            try:
                return self.values.index(Solution(value))
            except ValueError:
                return ILLEGAL
        return ILLEGAL

    def state_of(self, control: Any) -> Any:
        """State codes of control codes (any array shape)."""
        return self.control_state[control]


def _compile() -> CodeTable:
    np = require_numpy()
    table = fast_table()
    kinds = tuple(LIFECYCLES)
    events = tuple(sorted({e for lc in LIFECYCLES.values() for e in lc.events}))
    actors = tuple(Actor)
    states = tuple(State)
    fields = tuple(
        sorted(
            {f for s in table.slow for f in (s.guard_fields or ())}
            | {s.offer_field for s in table.slow if s.offer_field is not None}
        )
    )
    values: tuple[Any, ...] = (None, True, False, *Solution)
    ev: dict[str, int] = {e.value: i for i, e in enumerate(events)}
    ac = {a.value: i for i, a in enumerate(actors)}
    moves = np.full((len(table.controls), len(events), len(actors)), ILLEGAL, dtype=np.int32)
    slow_rows: list[tuple[int, str, str, str]] = []
    for (control, event, actor), nxt in table.moves.items():
        if nxt >= 0:
            moves[control, ev[event], ac[actor]] = nxt
            continue
        entry = table.slow[-1 - nxt]
        read = entry.guard_fields or ((entry.offer_field,) if entry.offer_field else ())
        if len(read) != 1:  # pragma: no cover - the declaration reads one field per move
            continue  # left ILLEGAL-free: decided one event at a time (see replay_columns)
        moves[control, ev[event], ac[actor]] = -2 - len(slow_rows)
        slow_rows.append((control, event, actor, read[0]))
    slow_moves = np.full((max(len(slow_rows), 1), len(values)), ILLEGAL, dtype=np.int32)
    slow_fields = np.zeros(max(len(slow_rows), 1), dtype=np.int32)
    for row, (control, event, actor, field) in enumerate(slow_rows):
        slow_fields[row] = fields.index(field)
        for code, value in enumerate(values):
            payload = {} if value is None else {field: value}
            try:
                slow_moves[row, code] = table.move(control, event, actor, payload)
            except (InvalidTransition, UnknownEvent, InvalidValue):
                slow_moves[row, code] = ILLEGAL
    state_code = {s: i for i, s in enumerate(states)}
    type_code = {k: i for i, k in enumerate(kinds)}
    count = len(table.controls)
    width = len(events) * len(actors) + 1
    flat = np.full((count + 1, width), ILLEGAL, dtype=np.int32)
    flat[:count, : width - 1] = moves.reshape(count, width - 1)
    flat[count, :] = count
    return CodeTable(
        request_types=kinds,
        states=states,
        events=events,
        actors=actors,
        arbitrations=tuple(Arbitration),
        fields=fields,
        values=values,
        controls=table.controls,
        control_state=np.array([state_code[c[1]] for c in table.controls], dtype=np.int16),
        control_type=np.array([type_code[c[0]] for c in table.controls], dtype=np.int16),
        openings=np.array([table.openings[k] for k in kinds], dtype=np.int32),
        moves=moves,
        slow_fields=slow_fields,
        slow_moves=slow_moves,
        table=table,
        flat_moves=flat.ravel(),
        flat_width=width,
        flat_offsets=np.where(flat >= 0, flat * width, flat).ravel().astype(np.int32),
    )


_CODES: CodeTable | None = None


def codes() -> CodeTable:
    """The code table (compiled on first use from the declaration, then shared).

    Raises:
        MissingExtra: numpy is not installed.
        FastPathUnsupported: As [`fast_table`][tiktok_aftersales.analysis.fast.fast_table].

    """
    global _CODES
    if _CODES is None:
        _CODES = _compile()
    return _CODES


@attrs.frozen(eq=False)
class EventColumns:
    """Histories as coded columns (build with `encode_histories` or `from_arrow`).

    Attributes:
        case_ids: The case ids, one per case (a sequence or an array).
        request_type: Request type code per case.
        region: Region code (``"US"``) per case, as an array of strings.
        offsets: Where each case's events start; ``offsets[-1]`` is the event count.
        event: Event code per event ([`ILLEGAL`][tiktok_aftersales.analysis.columnar.ILLEGAL]: a
            name the declaration lacks).
        actor: Actor code per event.
        at: Event time per event, integer microseconds since the epoch (UTC).
        fields: One value-code array per `CodeTable.fields` entry.

    """

    case_ids: Any
    request_type: Any
    region: Any
    offsets: Any
    event: Any
    actor: Any
    at: Any
    fields: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.request_type)

    @property
    def events(self) -> int:
        """How many events."""
        return int(self.offsets[-1])


def _micros(at: datetime) -> int:
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def encode_histories(histories: Iterable[History]) -> EventColumns:
    """Histories as coded columns (a Python loop: for tests and modest volumes).

    Raises:
        MissingExtra: numpy is not installed.

    """
    np = require_numpy()
    table = codes()
    ev, ac, ty = table.event_code(), table.actor_code(), table.type_code()
    ids: list[str] = []
    kinds: list[int] = []
    regions: list[str] = []
    offsets = [0]
    events: list[int] = []
    actors: list[int] = []
    times: list[int] = []
    fields: list[list[int]] = [[] for _ in table.fields]
    for h in histories:
        ids.append(h.case_id)
        kinds.append(ty[h.request_type.value])
        regions.append(h.region.code)
        for e in h.events:
            events.append(ev.get(e.event, ILLEGAL))
            actors.append(ac[e.actor.value])
            times.append(_micros(e.at))
            payload = e.payload or {}
            for column, name in zip(fields, table.fields, strict=True):
                column.append(table.value_code(payload.get(name)))
        offsets.append(len(events))
    return EventColumns(
        case_ids=ids,
        request_type=np.array(kinds, dtype=np.int16),
        region=np.array(regions, dtype=object),
        offsets=np.array(offsets, dtype=np.int64),
        event=np.array(events, dtype=np.int16),
        actor=np.array(actors, dtype=np.int8),
        at=np.array(times, dtype=np.int64),
        fields=tuple(np.array(c, dtype=np.int8) for c in fields),
    )


def to_arrow(histories: Iterable[History]) -> Any:
    """Histories as an Arrow table, one row per event (the layout `from_arrow` reads).

    Columns: ``case_id``, ``order_id``, ``request_type``, ``region``,
    ``seq``, ``event``, ``actor``, ``at`` (``timestamp[us, UTC]``) and one
    column per deciding payload field (`CodeTable.fields`; strings or
    booleans, null when absent).

    Raises:
        MissingExtra: pyarrow is not installed.

    """
    pa = require_pyarrow()
    table = codes()
    cols: dict[str, list[Any]] = {
        k: [] for k in ("case_id", "order_id", "request_type", "region", "seq", "event", "actor")
    }
    at: list[datetime] = []
    extra: dict[str, list[Any]] = {f: [] for f in table.fields}
    for h in histories:
        for seq, e in enumerate(h.events, 1):
            cols["case_id"].append(h.case_id)
            cols["order_id"].append(h.order_id)
            cols["request_type"].append(h.request_type.value)
            cols["region"].append(h.region.code)
            cols["seq"].append(seq)
            cols["event"].append(e.event)
            cols["actor"].append(e.actor.value)
            at.append(e.at)
            payload = e.payload or {}
            for name, column in extra.items():
                value = payload.get(name)
                column.append(value.value if isinstance(value, Solution) else value)
    arrays = {
        k: pa.array(v, type=pa.int32() if k == "seq" else pa.string()) for k, v in cols.items()
    }
    arrays["at"] = pa.array(at, type=pa.timestamp("us", tz="UTC"))
    for name, column in extra.items():
        kinds = {type(v) for v in column if v is not None}
        arrays[name] = pa.array(column, type=pa.bool_() if kinds <= {bool} else pa.string())
    return pa.table(arrays)


def _codes_of(column: Any, vocabulary: Mapping[Any, int]) -> Any:
    """Map an Arrow column of names to codes (`ILLEGAL` for unknown names)."""
    np = require_numpy()
    pa = require_pyarrow()
    encoded = column.dictionary_encode().combine_chunks()
    lookup = np.array(
        [vocabulary.get(v, ILLEGAL) for v in encoded.dictionary.to_pylist()] + [ILLEGAL],
        dtype=np.int32,
    )
    indices = encoded.indices.fill_null(len(encoded.dictionary))
    return lookup[np.asarray(indices.cast(pa.int32()))]


def _field_codes(table: CodeTable, column: Any) -> Any:
    """Value codes of one payload-field column (booleans or strings; null: absent)."""
    np = require_numpy()
    pa = require_pyarrow()
    column = column.combine_chunks()
    if pa.types.is_boolean(column.type):
        true = np.asarray(column.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
        null = np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        codes_ = np.where(true, table.values.index(True), table.values.index(False))
        return np.where(null, 0, codes_).astype(np.int8)
    encoded = column.dictionary_encode()
    lookup = np.array(
        [table.value_code(v) for v in encoded.dictionary.to_pylist()] + [0], dtype=np.int8
    )
    indices = encoded.indices.fill_null(len(encoded.dictionary))
    return lookup[np.asarray(indices.cast(pa.int32()))]


def from_arrow(data: Any) -> EventColumns:
    """Coded columns from an Arrow table (or pandas frame) in the `to_arrow` layout.

    Rows must be grouped by ``case_id`` and in event order within a case (as
    [`to_arrow`][tiktok_aftersales.analysis.columnar.to_arrow] writes them, and as a Parquet dataset
    partitioned by order keeps them).

    Raises:
        MissingExtra: pyarrow or numpy is not installed.
        InvalidValue: A needed column is missing.

    """
    np = require_numpy()
    pa = require_pyarrow()
    table = codes()
    if not isinstance(data, pa.Table):
        data = pa.Table.from_pandas(data, preserve_index=False)
    for name in ("case_id", "request_type", "region", "event", "actor", "at"):
        if name not in data.column_names:
            raise InvalidValue("columns", data.column_names, f"a column {name!r}")
    case_ids = data.column("case_id").combine_chunks().dictionary_encode()
    ids = np.asarray(case_ids.indices.to_numpy(zero_copy_only=False))
    n = len(ids)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if n else np.zeros(0, np.int64)
    offsets = np.r_[starts, n].astype(np.int64)
    kinds = _codes_of(data.column("request_type"), table.type_code()).astype(np.int16)
    at = data.column("at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
    fields = []
    for name in table.fields:
        if name not in data.column_names:
            fields.append(np.zeros(n, dtype=np.int8))
            continue
        fields.append(_field_codes(table, data.column(name)))
    region = (
        data.column("region").combine_chunks().take(pa.array(starts)).to_numpy(zero_copy_only=False)
    )
    return EventColumns(
        case_ids=np.asarray(
            case_ids.dictionary.take(pa.array(ids[starts])).to_numpy(zero_copy_only=False),
            dtype=object,
        ),
        request_type=kinds[starts],
        region=np.asarray(region, dtype=object),
        offsets=offsets,
        event=_codes_of(data.column("event"), table.event_code()).astype(np.int16),
        actor=_codes_of(data.column("actor"), table.actor_code()).astype(np.int8),
        at=np.asarray(at.combine_chunks().to_numpy(zero_copy_only=False), dtype=np.int64),
        fields=tuple(fields),
    )


@attrs.frozen(eq=False)
class ReplayColumns:
    """What [`replay_columns`][tiktok_aftersales.analysis.columnar.replay_columns] found.

    Attributes:
        columns: The input columns.
        control: The control code after each event (``numpy``; the control
            before a refused event stays until the end of its case).
        final: The final control code per case.
        failed_at: Per case, the index (from 0) of its first event that does
            not apply, or ``-1``.

    """

    columns: EventColumns
    control: Any
    final: Any
    failed_at: Any

    def states(self) -> list[State]:
        """The final state of every case."""
        table = codes()
        return [table.states[s] for s in table.control_state[self.final].tolist()]

    @property
    def ok(self) -> bool:
        """Whether every event of every case applied."""
        return bool((self.failed_at < 0).all())


_BLOCK = 32_768
"""Cases replayed together: a block's columns stay in the processor's cache."""


def replay_columns(columns: EventColumns) -> ReplayColumns:
    """Replay coded histories with numpy: every case at once, one event index at a time.

    A case stops at its first event the lifecycle refuses (``failed_at``);
    re-run that case with [`replay`][tiktok_aftersales.analysis.replay] for the
    engine's message. A deciding payload value without a code (not ``None``,
    a bool or a solution) stops its case the same way, to be replayed by the
    engine.

    Cases are replayed in blocks of consecutive cases (32,768 at most), so that
    the arrays of one block stay in cache; the answer does not depend on it.

    Raises:
        MissingExtra: numpy is not installed.

    """
    np = require_numpy()
    n = len(columns)
    if n <= _BLOCK:
        control, final, failed_at = _replay_block(
            columns.request_type, columns.offsets, columns.event, columns.actor, columns.fields
        )
        return ReplayColumns(columns, control, final, failed_at)
    offsets = columns.offsets
    control = np.empty(columns.events, dtype=np.int32)
    final = np.empty(n, dtype=np.int32)
    failed_at = np.empty(n, dtype=np.int64)
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        a, b = int(offsets[lo]), int(offsets[hi])
        control[a:b], final[lo:hi], failed_at[lo:hi] = _replay_block(
            columns.request_type[lo:hi],
            offsets[lo : hi + 1] - a,
            columns.event[a:b],
            columns.actor[a:b],
            tuple(f[a:b] for f in columns.fields),
        )
    return ReplayColumns(columns, control, final, failed_at)


def _replay_block(
    request_type: Any, offsets: Any, event: Any, actor: Any, fields: tuple[Any, ...]
) -> tuple[Any, Any, Any]:
    """`replay_columns` of one block: ``(control per event, final per case, failed_at)``.

    The arguments are the block's columns (``offsets`` counted from its first event).

    Cases are sorted longest first, so that the cases still running at step
    ``k`` are a prefix: each step gathers the k-th event of that prefix, moves
    its controls with one add and one gather in the flat table, and scatters
    them back to the events.
    """
    np = require_numpy()
    table = codes()
    width, dead = table.flat_width, len(table.controls)
    n = len(request_type)
    lengths = np.diff(offsets)
    key = -lengths
    if n and lengths.max() < 2**15:
        key = key.astype(np.int16)  # a stable sort of 16-bit keys is a radix sort
    order = np.argsort(key, kind="stable")
    sorted_lengths = lengths[order]
    starts = offsets[:-1][order].astype(np.int64)
    longest = int(sorted_lengths[0]) if n else 0
    bound = np.searchsorted(-sorted_lengths, -np.arange(1, longest + 1), side="right")
    size = len(table.actors)
    combined = event.astype(np.int32)
    combined *= size
    combined += actor
    combined[combined < 0] = width - 1  # an unknown event (code -1): the refusing column
    # controls travel pre-multiplied by the row width: one add and one gather per step
    table_rows = table.flat_offsets
    state = (table.openings[request_type[order]] * width).astype(np.int32)
    after = np.empty(len(event), dtype=np.int32)
    failed = np.full(n, -1, dtype=np.int64)
    last_good = np.zeros(n, dtype=np.int32)
    where = np.empty(n, dtype=np.int64)
    index = np.empty(n, dtype=np.int32)
    moved = np.empty(n, dtype=np.int32)
    for k in range(longest):
        m = int(bound[k])
        at = np.add(starts[:m], k, out=where[:m])  # the k-th event of each running case
        source = state[:m]
        step = np.take(combined, at, out=index[:m])
        step += source
        nxt = np.take(table_rows, step, out=moved[:m])
        if nxt.min() < 0:
            negative = np.flatnonzero(nxt < 0)
            decided = self_decide(table, fields, at[negative], nxt[negative])
            refused = negative[decided < 0]
            failed[refused] = k
            last_good[refused] = source[refused] // width
            nxt[negative] = np.where(decided < 0, dead, decided) * width
        source[:] = nxt
        after[at] = nxt
    after //= width
    last = state // width
    final = np.empty(n, dtype=np.int32)
    final[order] = np.where(last == dead, last_good, last)
    failed_at = np.empty(n, dtype=np.int64)
    failed_at[order] = failed
    if (failed >= 0).any():
        good = np.empty(n, dtype=np.int32)
        good[order] = last_good
        case_of = np.repeat(np.arange(n), lengths)
        stuck = after == dead
        after[stuck] = good[case_of[stuck]]
    return after, final, failed_at


def self_decide(table: CodeTable, fields: tuple[Any, ...], rows: Any, moves: Any) -> Any:
    """Decide payload-dependent moves (``moves <= -2``) from the payload ``fields`` at ``rows``.

    Each such move reads one payload field (``table.slow_fields``); its value
    code picks the next control in ``table.slow_moves``.

    Returns the next controls, [`ILLEGAL`][tiktok_aftersales.analysis.columnar.ILLEGAL] for refused
    moves.
    """
    np = require_numpy()
    out = np.full(len(moves), ILLEGAL, dtype=np.int32)
    slow = np.flatnonzero(moves <= -2)
    if len(slow) and fields:
        row = -2 - moves[slow]
        at = rows[slow]
        read = table.slow_fields[row]
        code = np.empty(len(slow), dtype=fields[0].dtype)
        for i, values in enumerate(fields):  # the field each move reads, gathered where it reads it
            chosen = read == i
            code[chosen] = values[at[chosen]]
        decided = table.slow_moves[row, np.maximum(code, 0)]
        out[slow] = np.where(code < 0, ILLEGAL, decided)
    return out
