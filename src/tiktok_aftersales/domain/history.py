"""A case's history, packed: one byte string of times and codes, payloads only where present.

A `History` reads as an immutable sequence of
`tiktok_aftersales.AppliedEvent` values (indexing, slicing, iteration,
``len``, equality with a tuple of the same entries), but it stores each entry
as an integer number of microseconds since the Unix epoch and one byte each
for the event, the actor and the state. A time in UTC costs nothing more; a
time with another fixed offset keeps its ``timezone``; any other time zone
keeps the datetime itself, so every entry reads back exactly as it was
applied. Payloads are kept as flat ``(key, value, …)`` tuples, only for the
entries that have one (``(index, payload, …)``; zones likewise).

Entries are decoded when read: code that only needs the last time or the
states can ask `History.last_us`, `History.states` and friends.
"""

from __future__ import annotations

import copy
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, SupportsIndex, overload

import attrs

from .vocabulary import Actor, Event, State

__all__ = [
    "EMPTY_HISTORY",
    "EPOCH",
    "History",
    "as_history",
    "micros",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The instant times are counted from."""

_UTC = UTC
_US = timedelta(microseconds=1)
_ENTRY = struct.Struct("<qBBB")
_SIZE = _ENTRY.size
_pack = _ENTRY.pack
_unpack_from = _ENTRY.unpack_from
_MAX = sys.maxsize

EVENT_CODES: tuple[Event, ...] = tuple(Event)
ACTOR_CODES: tuple[Actor, ...] = tuple(Actor)
STATE_CODES: tuple[State, ...] = tuple(State)
EVENT_CODE: Mapping[str, int] = {e: i for i, e in enumerate(EVENT_CODES)}
ACTOR_CODE: Mapping[str, int] = {a: i for i, a in enumerate(ACTOR_CODES)}
STATE_CODE: Mapping[str, int] = {s: i for i, s in enumerate(STATE_CODES)}


def micros(at: datetime) -> int:
    """Microseconds from the epoch to the (timezone-aware) instant ``at``."""
    return (at - EPOCH) // _US


def zone_of(at: datetime) -> Any:
    """What an entry keeps besides its microseconds to read ``at`` back exactly.

    ``None`` for UTC, the ``timezone`` for another fixed offset, else the
    datetime itself.
    """
    tz = at.tzinfo
    if tz is _UTC and not at.fold:
        return None
    if tz.__class__ is timezone and not at.fold:
        return tz
    return at


def pack_payload(payload: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """A payload as a flat ``(key, value, …)`` tuple (``None`` when empty)."""
    if not payload:
        return None
    out: list[Any] = []
    for key, value in payload.items():
        out.append(key)
        out.append(value)
    return tuple(out)


def _unpack_payload(flat: tuple[Any, ...] | None) -> dict[str, Any] | None:
    if flat is None:
        return None
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def _sparse(pairs: tuple[Any, ...], i: int) -> Any:
    """The value for entry ``i`` in an ``(index, value, index, value, …)`` tuple, or ``None``."""
    for j in range(0, len(pairs), 2):
        if pairs[j] == i:
            return pairs[j + 1]
    return None


def _time(us: int, zone: Any) -> datetime:
    at = EPOCH + timedelta(microseconds=us)
    if zone is None:
        return at
    if zone.__class__ is timezone:
        return at.astimezone(zone)
    return zone  # type: ignore[no-any-return]


class History(tuple):  # type: ignore[type-arg]
    """An immutable, packed sequence of applied events (see the module docs).

    Build one with `as_history`; the engine appends with
    `appended`, which returns a new history. It is a ``tuple`` only in
    how it is stored (its packed parts): every sequence operation (``len``,
    indexing, iteration, ``in``, ``==``, ``+``) works on the events.
    """

    __slots__ = ()

    def __new__(cls, items: Iterable[Any] = ()) -> Any:
        """Like ``tuple(items)``: a packed history of applied events, else a plain tuple.

        (Tools that rebuild collections by their type, such as ``attrs.asdict``,
        get what a tuple history gave them.)
        """
        found = tuple(items)
        if all(isinstance(x, AppliedEvent) for x in found):
            return as_history(found)
        return found

    @classmethod
    def make(
        cls,
        data: bytes,
        zones: tuple[Any, ...] | None,
        payloads: tuple[Any, ...] | None,
    ) -> History:
        """Wrap already packed parts (no checks: the engine's internal path)."""
        return _build(data, zones, payloads)

    def appended(
        self, us: int, zone: Any, event: int, actor: int, state: int, payload: Any
    ) -> History:
        """A new history with one more entry (codes are indexes of the vocabularies).

        ``zone`` is what `zone_of` says for the time, ``payload`` what
        `pack_payload` makes of the payload.
        """
        data = _get(self, 0)
        size = _size(self)
        if size == 1 and zone is None and payload is None:
            return _tuple_new(History, (data + _pack(us, event, actor, state),))
        payloads = _get(self, 1) if size > 1 else None
        zones = _get(self, 2) if size > 2 else None
        if payload is not None:
            payloads = (*(payloads or ()), len(data) // _SIZE, payload)
        if zone is not None:
            zones = (*(zones or ()), len(data) // _SIZE, zone)
        return _build(data + _pack(us, event, actor, state), zones, payloads)

    @property
    def _data(self) -> bytes:
        return _get(self, 0)  # type: ignore[no-any-return]

    @property
    def _payloads(self) -> tuple[Any, ...] | None:
        return _get(self, 1) if _size(self) > 1 else None

    @property
    def _zones(self) -> tuple[Any, ...] | None:
        return _get(self, 2) if _size(self) > 2 else None

    def __len__(self) -> int:
        return packed_size(self)

    def _entry(self, i: int) -> AppliedEvent:
        us, event, actor, state = _unpack_from(_get(self, 0), i * _SIZE)
        zones = self._zones
        payloads = self._payloads
        return AppliedEvent(
            i + 1,
            EVENT_CODES[event],
            ACTOR_CODES[actor],
            _time(us, None if zones is None else _sparse(zones, i)),
            STATE_CODES[state],
            None if payloads is None else _unpack_payload(_sparse(payloads, i)),
        )

    @overload  # type: ignore[override]
    def __getitem__(self, index: int) -> AppliedEvent: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[AppliedEvent, ...]: ...

    def __getitem__(self, index: int | slice) -> AppliedEvent | tuple[AppliedEvent, ...]:
        n = len(self)
        if isinstance(index, slice):
            return tuple(self._entry(i) for i in range(*index.indices(n)))
        i = index.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("history index out of range")
        return self._entry(i)

    def __iter__(self) -> Iterator[AppliedEvent]:
        for i in range(len(self)):
            yield self._entry(i)

    def __reversed__(self) -> Iterator[AppliedEvent]:
        for i in reversed(range(len(self))):
            yield self._entry(i)

    def __contains__(self, value: object) -> bool:
        return any(item == value for item in self)

    def __bool__(self) -> bool:
        return bool(_get(self, 0))

    def index(self, value: Any, start: SupportsIndex = 0, stop: SupportsIndex = _MAX) -> int:
        """The position of the first entry equal to ``value`` (``ValueError`` if none)."""
        return tuple(self).index(value, start, stop)

    def count(self, value: Any) -> int:
        """How many entries equal ``value``."""
        return tuple(self).count(value)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is History:
            if _get(self, 0) != _get(other, 0):
                return False
            if _tuple_eq(self, other):
                return True
            return [x.payload for x in self] == [x.payload for x in other]
        if isinstance(other, tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __lt__(self, other: object) -> bool:
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __add__(self, other: object) -> tuple[AppliedEvent, ...]:
        if isinstance(other, tuple):
            return (*self, *other)
        return NotImplemented

    def __radd__(self, other: object) -> tuple[AppliedEvent, ...]:
        if isinstance(other, tuple):
            return (*other, *self)
        return NotImplemented

    def __mul__(self, count: SupportsIndex) -> tuple[AppliedEvent, ...]:
        items: tuple[AppliedEvent, ...] = tuple(self)
        return items * count

    __rmul__ = __mul__

    def __reduce__(self) -> tuple[Any, ...]:
        return (as_history, (tuple(self),))

    def __copy__(self) -> History:
        return self

    def __deepcopy__(self, memo: Any) -> History:
        return as_history(copy.deepcopy(tuple(self), memo))

    # --- fast reads -----------------------------------------------------------------------

    def last_us(self) -> int | None:
        """Microseconds since the epoch of the last entry (``None`` when empty)."""
        return packed_last_us(self)

    def time_at(self, i: int) -> datetime:
        """The time of entry ``i`` (0-based, negative from the end) without decoding the rest."""
        n = len(self)
        if i < 0:
            i += n
        zones = self._zones
        zone = None if zones is None else _sparse(zones, i)
        return _time(_unpack_from(_get(self, 0), i * _SIZE)[0], zone)

    @property
    def states(self) -> tuple[State, ...]:
        """The state after each entry, oldest first."""
        data = _get(self, 0)
        return tuple(STATE_CODES[data[i + _SIZE - 1]] for i in range(0, len(data), _SIZE))

    @property
    def events(self) -> tuple[Event, ...]:
        """The event of each entry, oldest first."""
        data = _get(self, 0)
        return tuple(EVENT_CODES[data[i + 8]] for i in range(0, len(data), _SIZE))

    @property
    def times_us(self) -> tuple[int, ...]:
        """Microseconds since the epoch of each entry, oldest first."""
        data = _get(self, 0)
        return tuple(_unpack_from(data, i)[0] for i in range(0, len(data), _SIZE))


_tuple_new = tuple.__new__
_get = tuple.__getitem__
_size = tuple.__len__
_tuple_eq = tuple.__eq__


def packed_last_us(history: History) -> int | None:
    """``history.last_us()`` for a `History` of exactly that class (the engine's hot path)."""
    data = _get(history, 0)
    if not data:
        return None
    return _unpack_from(data, len(data) - _SIZE)[0]  # type: ignore[no-any-return]


def packed_size(history: History) -> int:
    """``len(history)`` for a `History` of exactly that class (the engine's hot path)."""
    return len(_get(history, 0)) // _SIZE


def packed_append(
    history: History, us: int, zone: Any, event: int, actor: int, state: int, payload: Any
) -> History:
    """``history.appended(...)`` for a `History` of exactly that class (the engine's hot path).

    A UTC entry without a payload onto a history of times and codes only is
    one ``bytes`` concatenation; anything else goes through
    `History.appended`.
    """
    if zone is None and payload is None and _size(history) == 1:
        return _tuple_new(History, (_get(history, 0) + _pack(us, event, actor, state),))
    return history.appended(us, zone, event, actor, state, payload)


def _build(data: bytes, zones: tuple[Any, ...] | None, payloads: tuple[Any, ...] | None) -> History:
    if zones is not None:
        return _tuple_new(History, (data, payloads, zones))
    if payloads is not None:
        return _tuple_new(History, (data, payloads))
    return _tuple_new(History, (data,))


def _code(codes: Mapping[str, int], value: Any) -> int | None:
    try:
        return codes.get(value)
    except TypeError:
        return None


def as_history(value: Iterable[AppliedEvent] | History) -> History:
    """Pack ``value`` (any iterable of `AppliedEvent`) into a `History`.

    A history is returned as it is. Entries that cannot be packed exactly (an
    unknown event name, a time that is not an aware datetime, a position that
    is not its ``seq``) make the whole history keep its entries verbatim.
    """
    if value.__class__ is History:
        return value
    items = tuple(value)
    if not items:
        return EMPTY_HISTORY
    data = bytearray()
    zones: list[Any] = []
    payloads: list[Any] = []
    for i, item in enumerate(items):
        if not isinstance(item, AppliedEvent):
            raise TypeError(f"history entries are AppliedEvent values, not {item!r}")
        at = item.at
        event = _code(EVENT_CODE, item.event)
        actor = _code(ACTOR_CODE, item.actor)
        state = _code(STATE_CODE, item.state)
        payload = item.payload
        if (
            item.seq != i + 1
            or event is None
            or actor is None
            or state is None
            or not isinstance(at, datetime)
            or at.utcoffset() is None
            or (payload is not None and payload.__class__ is not dict)
            or (payload is not None and not payload)
        ):
            return _Verbatim.make_verbatim(items)
        data += _pack(micros(at), event, actor, state)
        zone = zone_of(at)
        if zone is not None:
            zones += (i, zone)
        flat = pack_payload(payload)
        if flat is not None:
            payloads += (i, flat)
    return History.make(
        bytes(data),
        tuple(zones) if zones else None,
        tuple(payloads) if payloads else None,
    )


class _Verbatim(History):
    """A history whose entries could not be packed: kept as they are."""

    __slots__ = ()

    @classmethod
    def make_verbatim(cls, items: tuple[AppliedEvent, ...]) -> History:
        return _tuple_new(cls, (b"", None, None, items))

    @property
    def _items(self) -> tuple[AppliedEvent, ...]:
        return _get(self, 3)

    def appended(
        self, us: int, zone: Any, event: int, actor: int, state: int, payload: Any
    ) -> History:
        at = _time(us, zone)
        entry = AppliedEvent(
            len(self._items) + 1,
            EVENT_CODES[event],
            ACTOR_CODES[actor],
            at,
            STATE_CODES[state],
            _unpack_payload(payload),
        )
        return _Verbatim.make_verbatim((*self._items, entry))

    def __len__(self) -> int:
        return len(self._items)

    def _entry(self, i: int) -> AppliedEvent:
        return self._items[i]

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[AppliedEvent]:
        return iter(self._items)

    def __reversed__(self) -> Iterator[AppliedEvent]:
        return reversed(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, tuple | list):
            return self._items == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def last_us(self) -> int | None:
        at = self._items[-1].at if self._items else None
        return micros(at) if isinstance(at, datetime) and at.utcoffset() is not None else None

    def time_at(self, i: int) -> datetime:
        return self._items[i].at

    @property
    def states(self) -> tuple[State, ...]:
        return tuple(x.state for x in self._items)

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(x.event for x in self._items)

    @property
    def times_us(self) -> tuple[int, ...]:
        return tuple(micros(x.at) for x in self._items)


@attrs.frozen(weakref_slot=False)
class AppliedEvent:
    """One event in a case's history.

    Attributes:
        seq: Position in the history, from 1.
        event: The event.
        actor: Who fired it.
        at: When, timezone-aware.
        state: The canonical state the case was in after it.
        payload: Event details (amounts, reasons, tracking); ``None`` when empty.
            Treat it as read-only.

    """

    seq: int
    event: Event
    actor: Actor
    at: datetime
    state: State
    payload: Mapping[str, Any] | None = None


EMPTY_HISTORY: History = _build(b"", None, None)
"""The history of a case no event has touched."""
