"""The ``mutable`` line of ``benchmarks/run.py``: what apply would cost with immutability given up.

A measured bound for the ``apply`` target, not a design. `mutable_apply`
decides every event exactly as the compiled ``apply`` does (the same compiled
table, guards, payload checks, money checks and effect builders, all imported
from the library), but it changes one mutable case in place: the state, the
arbitration, a list of history entries, the version, the refunds, the offer
and a list of effects are assigned, and no new case, history or effect tuple
is built. Whatever it costs is the cost of the after-sales work itself
(deciding, checking money and payloads, building effects) plus the least a
case record can cost; the difference to ``apply`` is what immutability costs.

The line checks that the prototype ends every case of the sample in the same
state, version, committed refund and effect keys as ``apply``, so the two
time the same work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tiktok_aftersales import AfterSalesCase
from tiktok_aftersales.domain.facts import full_order_refund
from tiktok_aftersales.domain.history import EPOCH
from tiktok_aftersales.errors import EventOutOfOrder
from tiktok_aftersales.lifecycle.compiled import _effect, _validated, compiled_table

__all__ = ["MutableCase", "mutable_apply", "same_outcome"]

_EMPTY: Mapping[str, Any] = {}


class MutableCase:
    """A case record updated in place (only what the after-sales rules read and write)."""

    __slots__ = (
        "arbitration",
        "case_id",
        "effects",
        "history",
        "last_us",
        "lines",
        "offer",
        "order_id",
        "order_stage",
        "refund",
        "request_type",
        "requested",
        "state",
        "version",
    )

    def __init__(self, case: AfterSalesCase) -> None:
        self.case_id = case.case_id
        self.request_type = case.request_type
        self.order_id = case.order_id
        self.lines = case.lines
        self.order_stage = case.order_stage
        self.state = case.state
        self.arbitration = case.arbitration
        self.history: list[tuple[int, Any, Any]] = []
        self.last_us = -(2**62)
        self.version = case.version
        self.requested = case.requested
        self.refund = case.refund
        self.offer = case.offer
        self.effects: list[Any] = list(case.effects)

    # the two facts the effect conditions read, as the immutable case derives them
    fully_refunded_lines = AfterSalesCase.fully_refunded_lines
    shipping_blocked = AfterSalesCase.shipping_blocked


def mutable_apply(case: MutableCase, event: Any, actor: Any, at: datetime, payload: Any) -> None:
    """Apply one event to ``case`` in place, deciding it as the compiled ``apply`` does.

    Only the events the benchmark's sample holds are covered (every one of
    them applies); anything the compiled table cannot decide raises.
    """
    row = compiled_table()[(case.request_type, case.state, case.arbitration)]
    entries = row[(event, actor)]
    td = at - EPOCH
    us = (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds
    if us < case.last_us:
        raise EventOutOfOrder(at, at)
    data = _EMPTY if payload is None else payload
    step = next((s for g, s in entries if g is None or g(case, data)), None)  # type: ignore[arg-type]
    if step is None:
        raise LookupError(event)
    if payload.__class__ is dict and payload:
        payload = _validated(step, case, payload)  # type: ignore[arg-type]
    elif payload is not None or step.validates:
        payload = step.spec.validate(case, payload)  # type: ignore[arg-type]
    data = _EMPTY if payload is None else payload
    requested = case.requested
    if step.opens:
        given = data.get("refund")
        requested = given if given is not None else full_order_refund(case.lines)
        case.requested = requested
    make = step.make_offer
    offer_before = case.offer
    if make is not None:
        case.offer = make(data)
    elif not step.keeps_offer:
        case.offer = None
    source = step.refund
    if source is not None:
        if source == "requested":
            case.refund = requested
        elif source == "payload":
            case.refund = data[step.spec.refund_from or ""]
        elif offer_before is not None:
            case.refund = offer_before.refund
    if step.arbitration_to is not None:
        case.arbitration = step.arbitration_to
    case.state = step.dest
    case.history.append((us, step.codes, payload))
    case.last_us = us
    case.version += 1
    if step.effects:
        seq = len(case.history)
        for kind, when, name in step.effects:
            if when is not None and not when(case, data):  # type: ignore[arg-type]
                continue
            effect = _effect(kind, f"{case.case_id}/{seq}/{name}", case, data, requested)  # type: ignore[arg-type]
            if effect is not None:
                case.effects.append(effect)


def same_outcome(mutable: Sequence[MutableCase], cases: Sequence[AfterSalesCase]) -> int:
    """How many cases the prototype ended exactly where ``apply`` ended them."""
    return sum(
        m.state is c.state
        and m.version == c.version
        and m.refund == c.refund
        and [e.key for e in m.effects] == [e.key for e in c.effects]
        for m, c in zip(mutable, cases, strict=True)
    )
