"""Helpers shared by the analysis modules: tables of rows, progress, default instants."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs

from ..domain.case import AfterSalesCase
from ..errors import MissingExtra

__all__ = [
    "Progress",
    "Table",
    "default_instants",
    "make_table",
    "money_dtype",
    "require_numpy",
    "require_pandas",
    "require_pyarrow",
]

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called now and then during long work."""

R = TypeVar("R")


@attrs.frozen
class Table(Generic[R]):
    """Rows of one figure, with their column names.

    Attributes:
        name: The figure's name (``"outcomes"``).
        columns: The rows' field names, in order.
        rows: The rows (frozen ``attrs`` records).

    """

    name: str
    columns: tuple[str, ...]
    rows: tuple[R, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts (values as they are: ``Decimal``, ``datetime``...)."""
        return [{c: getattr(row, c) for c in self.columns} for row in self.rows]

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs the ``analysis`` extra).

        Money columns stay exact: with pyarrow installed (the ``columnar``
        extra) their dtype is an Arrow decimal (``decimal128(38, 2)[pyarrow]``
        or more places), so ``sum()`` and ``mean()`` give ``Decimal``;
        without it they hold ``Decimal`` objects (``object`` dtype).

        Raises:
            MissingExtra: pandas is not installed.

        """
        pandas = require_pandas()
        frame = pandas.DataFrame(self.records(), columns=list(self.columns))
        for name in self.columns:
            values = [getattr(row, name) for row in self.rows]
            if values and all(isinstance(v, Decimal) for v in values):
                with contextlib.suppress(MissingExtra):
                    frame[name] = pandas.Series(values, dtype=money_dtype(values))
        return frame


def require_pandas() -> Any:
    """The pandas module (the ``analysis`` extra).

    Raises:
        MissingExtra: pandas is not installed.

    """
    try:
        import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise MissingExtra("pandas", "analysis") from None
    return pandas


def make_table(name: str, kind: type[R], rows: Iterable[R]) -> Table[R]:
    """A `Table` named ``name`` of ``kind`` rows (columns from its attrs fields)."""
    columns = tuple(f.name for f in attrs.fields(kind))  # type: ignore[arg-type]
    return Table(name, columns, tuple(rows))


def default_instants(cases: Sequence[AfterSalesCase], count: int = 6) -> tuple[datetime, ...]:
    """``count`` instants evenly spaced from the first opening to the last event."""
    opened = [c.opened_at for c in cases if c.opened_at is not None]
    last = [c.last_event_at for c in cases if c.last_event_at is not None]
    if not opened:
        return ()
    first, end = min(opened), max(last)
    if count <= 1 or end == first:
        return (end,)
    step = (end - first) / (count - 1)
    return tuple(first + step * k for k in range(count))


def require_numpy() -> Any:
    """The numpy module (installed with the ``analysis`` or ``columnar`` extra).

    Raises:
        MissingExtra: numpy is not installed.

    """
    try:
        import numpy
    except ImportError:
        raise MissingExtra("numpy", "columnar") from None
    return numpy


def require_pyarrow() -> Any:
    """The pyarrow module (the ``columnar`` extra).

    Raises:
        MissingExtra: pyarrow is not installed.

    """
    try:
        import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise MissingExtra("pyarrow", "columnar") from None
    return pyarrow


def money_dtype(amounts: Iterable[Decimal | None]) -> Any:
    """The exact pandas dtype for these amounts: an Arrow decimal with enough places.

    Raises:
        MissingExtra: pandas or pyarrow is not installed.

    """
    pd = require_pandas()
    pa = require_pyarrow()
    places = 2
    for value in amounts:
        if value is not None:
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent)
    return pd.ArrowDtype(pa.decimal128(38, places))
