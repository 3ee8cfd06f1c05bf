"""Facts about a case's lines and refunds, computed once and remembered by identity.

Every version of a case shares its order lines and, once set, its refunds
(they are immutable values), so what is derived from them is worked out
once. A refund keeps its own total and line ids (`Refund.total`,
`Refund.line_ids`); the full-order refund of a lines tuple and which lines
a refund covers in full are remembered here by the objects' identity, so
that the cases of one order also share the values derived from them (a
refund effect's amount and line ids are the same objects). Each memo
keeps the objects it was computed from, so an identity is never mistaken
for another's; it is emptied when it grows past a bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .money import OrderLine, Refund

__all__ = ["forget", "full_order_refund", "fully_refunded"]

_BOUND = 4096

_FULL: dict[int, tuple[Any, Refund]] = {}
_COVERED: dict[tuple[int, int], tuple[Refund, Any, tuple[str, ...]]] = {}


def full_order_refund(lines: Sequence[OrderLine]) -> Refund:
    """``Refund.order(lines)``, built once per lines tuple."""
    hit = _FULL.get(id(lines))
    if hit is not None and hit[0] is lines:
        return hit[1]
    refund = Refund.order(lines)
    if len(_FULL) >= _BOUND:
        _FULL.clear()
    _FULL[id(lines)] = (lines, refund)
    return refund


def fully_refunded(refund: Refund | None, lines: Sequence[OrderLine]) -> tuple[str, ...]:
    """Ids of the ``lines`` that ``refund`` covers in full (what is left of them)."""
    if refund is None:
        return ()
    key = (id(refund), id(lines))
    hit = _COVERED.get(key)
    if hit is not None and hit[0] is refund and hit[1] is lines:
        return hit[2]
    out = []
    for line in lines:
        part = refund.for_line(line.line_id)
        if part is not None and part.total_amount >= line.refundable_amount:
            out.append(line.line_id)
    found = tuple(out)
    if len(_COVERED) >= _BOUND:
        _COVERED.clear()
    _COVERED[key] = (refund, lines, found)
    return found


def forget() -> None:
    """Empty every memo (benchmarks call it so that each run computes its facts afresh)."""
    _FULL.clear()
    _COVERED.clear()
