"""Exact pandas frames: one row per case and one per event (``analysis`` + ``columnar``).

Money never becomes a float here. Every money column is an Arrow decimal
(``decimal128(38, scale)[pyarrow]``, the scale being the most decimal places
any amount of the column has, at least 2), so ``sum()``, ``mean()`` and
``groupby(...).sum()`` stay ``Decimal`` and the dtype says so. Each money
column has a ``currency`` column beside it: add amounts within one currency
(``frame.groupby("currency")["refunded"].sum()``).

Times are ``timestamp[us, tz=UTC][pyarrow]``; names (states, events,
actors) are strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..domain.case import AfterSalesCase
from ..domain.effects import EffectKind
from ._shared import money_dtype, require_pandas, require_pyarrow

__all__ = ["case_frame", "event_frame"]


def _refunds(case: AfterSalesCase) -> dict[int, Decimal]:
    """Refund committed by each event (by its ``seq``)."""
    out: dict[int, Decimal] = {}
    for effect in case.effects:
        if effect.kind is EffectKind.ISSUE_REFUND and effect.amount is not None:
            seq = int(effect.key.rsplit("/", 2)[-2])
            out[seq] = out.get(seq, Decimal(0)) + effect.amount.amount
    return out


def _frame(columns: dict[str, list[Any]], money: Sequence[str], times: Sequence[str]) -> Any:
    pd = require_pandas()
    pa = require_pyarrow()
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if name in money:
            data[name] = pd.Series(values, dtype=money_dtype(values))
        elif name in times:
            arrow = pa.array(values, type=pa.timestamp("us", tz="UTC"))
            data[name] = pd.Series(arrow, dtype=pd.ArrowDtype(arrow.type))
        elif values and all(isinstance(v, int) for v in values):
            data[name] = pd.Series(values, dtype=pd.ArrowDtype(pa.int64()))
        else:
            data[name] = pd.Series(values, dtype=pd.ArrowDtype(pa.string()))
    return pd.DataFrame(data, columns=list(columns))


def case_frame(cases: Iterable[AfterSalesCase]) -> Any:
    """One row per case, money exact.

    Columns: ``case_id``, ``request_type``, ``region``, ``order_id``,
    ``order_stage``, ``state``, ``opened_at``, ``last_event_at``, ``events``,
    ``currency``, ``paid`` (what the case's order lines paid), ``refunded``
    (refunds committed by the case).

    Raises:
        MissingExtra: pandas or pyarrow is not installed.

    """
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "case_id", "request_type", "region", "order_id", "order_stage", "state",
            "opened_at", "last_event_at", "events", "currency", "paid", "refunded",
        )
    }  # fmt: skip
    for case in cases:
        cols["case_id"].append(case.case_id)
        cols["request_type"].append(case.request_type.value)
        cols["region"].append(case.region.code)
        cols["order_id"].append(case.order_id)
        cols["order_stage"].append(case.order_stage.value)
        cols["state"].append(case.state.value)
        cols["opened_at"].append(case.opened_at)
        cols["last_event_at"].append(case.last_event_at)
        cols["events"].append(len(case.history))
        cols["currency"].append(case.lines[0].paid.currency if case.lines else None)
        cols["paid"].append(sum((x.paid.total_amount for x in case.lines), Decimal(0)))
        cols["refunded"].append(sum(_refunds(case).values(), Decimal(0)))
    return _frame(cols, ("paid", "refunded"), ("opened_at", "last_event_at"))


def event_frame(cases: Iterable[AfterSalesCase]) -> Any:
    """One row per event of every case's history, money exact.

    Columns: ``case_id``, ``request_type``, ``seq``, ``event``, ``actor``,
    ``at``, ``state`` (after the event), ``currency`` and ``refund`` (what
    the event committed to the buyer; null when nothing).

    Raises:
        MissingExtra: pandas or pyarrow is not installed.

    """
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "case_id", "request_type", "seq", "event", "actor", "at", "state",
            "currency", "refund",
        )
    }  # fmt: skip
    for case in cases:
        refunds = _refunds(case)
        currency = case.lines[0].paid.currency if case.lines else None
        for item in case.history:
            cols["case_id"].append(case.case_id)
            cols["request_type"].append(case.request_type.value)
            cols["seq"].append(item.seq)
            cols["event"].append(item.event)
            cols["actor"].append(item.actor.value)
            cols["at"].append(item.at)
            cols["state"].append(item.state.value)
            cols["currency"].append(currency)
            cols["refund"].append(refunds.get(item.seq))
    return _frame(cols, ("refund",), ("at",))
