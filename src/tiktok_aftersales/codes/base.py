"""The building blocks of every outside vocabulary: canonical keys, tables, errors.

A [`Vocabulary`][tiktok_aftersales.codes.base.Vocabulary] is one outside dialect (the platform's
``return_status``, the connector's grid tabs, the ERP's labels …) written as ONE table in the
direction canonical -> outside. The reverse lookup (outside value -> the set of
canonical keys it can mean) is derived from that table, never written by hand,
so the two directions cannot disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import attrs

from ..domain.vocabulary import RequestType, State, member
from ..errors import InvalidValue, UnknownCode
from ..lifecycle import LIFECYCLES

__all__ = [
    "ALL_CANONICAL",
    "Canonical",
    "UnknownCode",
    "Vocabulary",
    "canonical",
    "per_type",
]


@attrs.frozen(order=True)
class Canonical:
    """A canonical lifecycle position: a request type and one of its case states.

    Outside vocabularies are coarser than the canonical model, so one outside
    value usually means a *set* of these (``BUYER_SHIPPED_ITEM`` is a
    return-and-refund case in transit *or* delivered).

    Attributes:
        request_type: The request type.
        state: A state of that type's lifecycle (never ``State.NEW``).

    """

    request_type: RequestType
    state: State

    def __str__(self) -> str:
        return f"{self.request_type.value}/{self.state.value}"


def canonical(request_type: RequestType | str, state: State | str) -> Canonical:
    """Build a `Canonical` key, checking that the type declares the state.

    Raises:
        InvalidValue: The type or state is unknown, or the type's lifecycle
            has no such case state.

    """
    kind = member(RequestType, request_type, "request_type")
    where = member(State, state, "state")
    states = LIFECYCLES[kind].case_states
    if where not in states:
        raise InvalidValue(
            "state", state, f"not a state of {kind.value} ({', '.join(s.value for s in states)})"
        )
    return Canonical(kind, where)


ALL_CANONICAL: tuple[Canonical, ...] = tuple(
    Canonical(kind, state) for kind, lc in LIFECYCLES.items() for state in lc.case_states
)
"""Every ``(request type, case state)`` pair the lifecycle declaration allows."""


K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=enum.Enum)


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().upper()
    return value


@attrs.frozen
class Vocabulary(Generic[K, V]):
    """One outside vocabulary as a projection of canonical keys.

    Build one with [`from_table`][tiktok_aftersales.codes.base.Vocabulary.from_table] (the usual
    way: one table in the direction canonical -> outside) or
        [`from_reverse`][tiktok_aftersales.codes.base.Vocabulary.from_reverse] (when the outside
    value is computed by a core function, as the ERP return status is).

    Attributes:
        name: Short name (``"return_status"``).
        title: Who shows it, in words.
        source: Where the values come from (reference section or seed).
        codes: The enum of outside values.
        table: canonical key -> outside value; ``None`` is an explicit "this
            tool shows nothing for it" (see ``absent``). Empty for vocabularies
            built with [`from_reverse`][tiktok_aftersales.codes.base.Vocabulary.from_reverse].
        absent: What ``None`` means in this vocabulary.
        aliases: Other spellings seen in the wild -> the value they mean.
        reverse: outside value -> every canonical key it can mean (derived).

    """

    name: str
    title: str
    source: str
    codes: type[V]
    table: Mapping[K, V | None]
    absent: str
    aliases: Mapping[str, V]
    reverse: Mapping[V, frozenset[K]]

    @classmethod
    def from_table(
        cls,
        name: str,
        title: str,
        source: str,
        codes: type[V],
        table: Mapping[K, V | None],
        absent: str,
        aliases: Mapping[str, V] | None = None,
    ) -> Vocabulary[K, V]:
        """Build a vocabulary from its canonical -> outside table; derive the reverse."""
        reverse: dict[V, set[K]] = {code: set() for code in codes}
        for key, value in table.items():
            if value is not None:
                reverse[value].add(key)
        return cls(
            name,
            title,
            source,
            codes,
            MappingProxyType(dict(table)),
            absent,
            MappingProxyType({_normalise(k): v for k, v in (aliases or {}).items()}),
            MappingProxyType({code: frozenset(keys) for code, keys in reverse.items()}),
        )

    @classmethod
    def from_reverse(
        cls,
        name: str,
        title: str,
        source: str,
        codes: type[V],
        keys: Iterable[K],
        show: Callable[[K], Iterable[V]],
        absent: str,
    ) -> Vocabulary[K, V]:
        """Build a vocabulary whose values a core function computes.

        ``show(key)`` returns every value the function can give for the key
        (the answer may depend on more than the key); the reverse is derived
        from it.
        """
        reverse: dict[V, set[K]] = {code: set() for code in codes}
        for key in keys:
            for value in show(key):
                reverse[value].add(key)
        return cls(
            name,
            title,
            source,
            codes,
            MappingProxyType({}),
            absent,
            MappingProxyType({}),
            MappingProxyType({code: frozenset(found) for code, found in reverse.items()}),
        )

    def lookup(self, raw: Any) -> V | None:
        """The value ``raw`` spells (exact, case- and space-insensitive, or alias), else ``None``.

        Booleans and floats are never codes.
        """
        if isinstance(raw, self.codes):
            return raw
        if isinstance(raw, bool | float) or raw is None:
            return None
        norm = _normalise(raw)
        try:
            return self.codes(norm)
        except (ValueError, TypeError):
            pass
        if isinstance(norm, str):
            if norm.lstrip("-").isdigit() and len(norm) <= 12:
                try:
                    return self.codes(int(norm))
                except (ValueError, TypeError):
                    pass
            aliased = self.aliases.get(norm)
            if aliased is not None:
                return aliased
            for code in self.codes:
                if isinstance(code.value, str) and code.value.upper() == norm:
                    return code
        return None

    def parse(self, raw: Any, field: str | None = None) -> V:
        """The value ``raw`` spells (see `lookup`).

        Raises:
            UnknownCode: ``raw`` is not a value or alias of this vocabulary;
                the error names ``field`` (default: the vocabulary's name).

        """
        found = self.lookup(raw)
        if found is None:
            raise UnknownCode(field or self.name, raw, self.name, (c.value for c in self.codes))
        return found

    def show(self, key: K) -> V | None:
        """The outside value for a canonical key (``None``: this tool shows nothing).

        Raises:
            InvalidValue: The key is not in the table (a table is total over
                its keys, so this means the key is malformed).

        """
        try:
            return self.table[key]
        except KeyError:
            raise InvalidValue(self.name, key, "no such key in the vocabulary's table") from None

    def candidates(self, value: V | str | int) -> frozenset[K]:
        """Every canonical key the outside value can mean.

        Raises:
            UnknownCode: ``value`` is not a value of this vocabulary.

        """
        return self.reverse[self.parse(value)]


def per_type(
    rows: Mapping[RequestType, Mapping[State, V | None] | None],
) -> dict[Canonical, V | None]:
    """Flatten per-type tables into one table keyed on `Canonical`.

    A type mapped to ``None`` is wholly outside the vocabulary: each of its
    states maps to ``None``. A type given as a state table must list exactly
    its declared case states (checked by the tests, not here).
    """
    out: dict[Canonical, V | None] = {}
    for kind, row in rows.items():
        if row is None:
            for state in LIFECYCLES[kind].case_states:
                out[Canonical(kind, state)] = None
        else:
            for state, value in row.items():
                out[Canonical(kind, state)] = value
    return out
