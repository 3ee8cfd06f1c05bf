"""Facts about a case's lines and refunds, computed once and remembered by identity.

Every version of a case shares its order lines and, once set, its refunds
(they are immutable values), so what is derived from them (the full-order
refund, a refund's total and line ids, which lines a refund covers in full)
is worked out once and looked up by the objects' identity afterwards, so
that the cases of one order also share the values derived from them (a
refund effect's amount and line ids are the same objects). Each memo
keeps the objects it was computed from, so an identity is never mistaken
for another's; it is emptied when it grows past a bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .money import Money, OrderLine, Refund

__all__ = ["forget", "full_order_refund", "fully_refunded", "refund_line_ids", "refund_total"]

_BOUND = 4096

_FULL: dict[int, tuple[Any, Refund]] = {}
_COVERED: dict[tuple[int, int], tuple[Refund, Any, tuple[str, ...]]] = {}
_TOTAL: dict[int, tuple[Refund, Money, tuple[str, ...]]] = {}


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


def _refund_facts(refund: Refund) -> tuple[Refund, Money, tuple[str, ...]]:
    hit = _TOTAL.get(id(refund))
    if hit is not None and hit[0] is refund:
        return hit
    lines = refund.lines
    total = Money._of(refund.total_amount, lines[0].amount.subtotal.currency)
    facts = (refund, total, tuple([x.line_id for x in lines]))
    if len(_TOTAL) >= _BOUND:
        _TOTAL.clear()
    _TOTAL[id(refund)] = facts
    return facts


def refund_total(refund: Refund) -> Money:
    """``refund.total``, computed once per refund."""
    return _refund_facts(refund)[1]


def refund_line_ids(refund: Refund) -> tuple[str, ...]:
    """The ids of the lines ``refund`` touches, in its order (computed once per refund)."""
    return _refund_facts(refund)[2]


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
    _TOTAL.clear()
