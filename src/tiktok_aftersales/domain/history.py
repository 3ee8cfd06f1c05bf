"""A case's history, packed: one byte string of times and codes, payloads only where present.

A :class:`History` reads as an immutable sequence of
:class:`~tiktok_aftersales.AppliedEvent` values (indexing, slicing, iteration,
``len``, equality with a tuple of the same entries), but it stores each entry
as an integer number of microseconds since the Unix epoch and one byte each
for the event, the actor and the state. A time in UTC costs nothing more; a
time with another fixed offset keeps its ``timezone``; any other time zone
keeps the datetime itself, so every entry reads back exactly as it was
applied. Payloads are kept as flat ``(key, value, …)`` tuples, only for the
entries that have one (``(index, payload, …)``; zones likewise).

Entries are decoded when read: code that only needs the last time or the
states can ask :meth:`History.last_us`, :attr:`History.states` and friends.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, overload

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


class History(Sequence["AppliedEvent"]):
    """An immutable, packed sequence of applied events (see the module docs).

    Build one with :func:`as_history`; the engine appends with
    :meth:`appended`, which returns a new history.
    """

    __slots__ = ("_data", "_payloads", "_zones")

    _data: bytes
    _zones: tuple[Any, ...] | None
    _payloads: tuple[Any, ...] | None

    def __init__(self) -> None:
        raise TypeError("build a History with as_history()")  # pragma: no cover

    @classmethod
    def make(
        cls,
        data: bytes,
        zones: tuple[Any, ...] | None,
        payloads: tuple[Any, ...] | None,
    ) -> History:
        """Wrap already packed parts (no checks: the engine's internal path)."""
        self = object.__new__(cls)
        _set(self, "_data", data)
        _set(self, "_zones", zones)
        _set(self, "_payloads", payloads)
        return self

    def appended(
        self, us: int, zone: Any, event: int, actor: int, state: int, payload: Any
    ) -> History:
        """A new history with one more entry (codes are indexes of the vocabularies).

        ``zone`` is what :func:`zone_of` says for the time, ``payload`` what
        :func:`pack_payload` makes of the payload.
        """
        data = self._data
        new = _new(History)
        _set(new, "_data", data + _pack(us, event, actor, state))
        zones = self._zones
        if zone is not None:
            zones = (*(zones or ()), len(data) // _SIZE, zone)
        _set(new, "_zones", zones)
        payloads = self._payloads
        if payload is not None:
            payloads = (*(payloads or ()), len(data) // _SIZE, payload)
        _set(new, "_payloads", payloads)
        return new

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __len__(self) -> int:
        return len(self._data) // _SIZE

    def _entry(self, i: int) -> AppliedEvent:
        us, event, actor, state = _unpack_from(self._data, i * _SIZE)
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

    @overload
    def __getitem__(self, index: int) -> AppliedEvent: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[AppliedEvent, ...]: ...

    def __getitem__(self, index: int | slice) -> AppliedEvent | tuple[AppliedEvent, ...]:
        n = len(self._data) // _SIZE
        if isinstance(index, slice):
            return tuple(self._entry(i) for i in range(*index.indices(n)))
        i = index.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("history index out of range")
        return self._entry(i)

    def __iter__(self) -> Iterator[AppliedEvent]:
        for i in range(len(self._data) // _SIZE):
            yield self._entry(i)

    def __reversed__(self) -> Iterator[AppliedEvent]:
        for i in reversed(range(len(self._data) // _SIZE)):
            yield self._entry(i)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is History:
            assert isinstance(other, History)
            if self._data != other._data:
                return False
            if self._payloads == other._payloads:
                return True
            return [x.payload for x in self] == [x.payload for x in other]
        if isinstance(other, tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

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

    def __reduce__(self) -> tuple[Any, ...]:
        return (as_history, (tuple(self),))

    # --- fast reads -----------------------------------------------------------------------

    def last_us(self) -> int | None:
        """Microseconds since the epoch of the last entry (``None`` when empty)."""
        data = self._data
        if not data:
            return None
        return _unpack_from(data, len(data) - _SIZE)[0]  # type: ignore[no-any-return]

    def time_at(self, i: int) -> datetime:
        """The time of entry ``i`` (0-based, negative from the end) without decoding the rest."""
        n = len(self._data) // _SIZE
        if i < 0:
            i += n
        zones = self._zones
        zone = None if zones is None else _sparse(zones, i)
        return _time(_unpack_from(self._data, i * _SIZE)[0], zone)

    @property
    def states(self) -> tuple[State, ...]:
        """The state after each entry, oldest first."""
        data = self._data
        return tuple(STATE_CODES[data[i + _SIZE - 1]] for i in range(0, len(data), _SIZE))

    @property
    def events(self) -> tuple[Event, ...]:
        """The event of each entry, oldest first."""
        data = self._data
        return tuple(EVENT_CODES[data[i + 8]] for i in range(0, len(data), _SIZE))

    @property
    def times_us(self) -> tuple[int, ...]:
        """Microseconds since the epoch of each entry, oldest first."""
        data = self._data
        return tuple(_unpack_from(data, i)[0] for i in range(0, len(data), _SIZE))


_set = object.__setattr__
_new = object.__new__


def _code(codes: Mapping[str, int], value: Any) -> int | None:
    try:
        return codes.get(value)
    except TypeError:
        return None


def as_history(value: Iterable[AppliedEvent] | History) -> History:
    """Pack ``value`` (any iterable of :class:`AppliedEvent`) into a :class:`History`.

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

    __slots__ = ("_items",)

    _items: tuple[AppliedEvent, ...]

    @classmethod
    def make_verbatim(cls, items: tuple[AppliedEvent, ...]) -> History:
        self = object.__new__(cls)
        _set(self, "_data", b"")
        _set(self, "_zones", None)
        _set(self, "_payloads", None)
        _set(self, "_items", items)
        return self

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

    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[AppliedEvent]:
        return iter(self._items)

    def __reversed__(self) -> Iterator[AppliedEvent]:
        return reversed(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History | tuple | list):
            return self._items == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def last_us(self) -> int | None:
        if not self._items:  # pragma: no cover - never built empty
            return None
        at = self._items[-1].at
        return micros(at) if isinstance(at, datetime) else None

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


EMPTY_HISTORY: History = History.make(b"", None, None)
"""The history of a case no event has touched."""
