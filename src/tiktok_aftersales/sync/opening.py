"""Opening a case for a request the host did not know, in the platform's state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..domain.case import new_case
from ..domain.money import OrderLine
from ..domain.vocabulary import (
    OrderStage,
    Region,
)
from ..errors import InvalidValue
from ._common import payload_hints, with_deadline
from .model import Outcome, SnapshotLike, SyncResult, platform_state_of
from .reconciling import find_path

__all__ = [
    "NewCase",
    "open_from_snapshot",
    "opener",
]


def open_from_snapshot(
    snapshot: SnapshotLike,
    *,
    case_id: str,
    region: Region | str,
    lines: Sequence[OrderLine],
    order_stage: OrderStage | str = OrderStage.DELIVERED,
    opened_at: datetime | None = None,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
) -> SyncResult:
    """Open a case for a request the host did not know, in the platform's state.

    The opening event and every step up to the platform's state are taken
    from the declaration (shortest path), at ``opened_at`` (default: the
    snapshot's update time).

    Raises:
        InvalidValue: The snapshot carries no usable state or time, or the
            arguments are malformed.
    """
    target = platform_state_of(snapshot)
    if target is None or snapshot.unmapped:
        raise InvalidValue(
            "snapshot", snapshot.platform_id, "unmapped snapshot: cannot open a case from it"
        )
    at = opened_at or snapshot.update_time
    if at is None:
        raise InvalidValue("snapshot.update_time", None, "needed to open a case")
    draft = new_case(
        target.request_type,
        case_id=case_id,
        order_id=snapshot.order_id,
        region=region,
        lines=lines,
        order_stage=order_stage,
        platform_id=snapshot.platform_id,
    )
    found = find_path(draft, target, at, payload_hints(snapshot, payloads))
    if found is None:
        wanted = "/".join(sorted(s.value for s in target.states))
        return SyncResult(
            Outcome.CONFLICT, None, None, (), None, target, f"no legal path from new to {wanted}"
        )
    case, steps = found
    return SyncResult(
        Outcome.NEW,
        with_deadline(case, snapshot),
        None,
        steps,
        None,
        target,
        " > ".join(f"{s.event}({s.actor.value})" for s in steps),
    )


NewCase = Callable[[SnapshotLike], SyncResult]
"""How a host opens a case for a snapshot it did not know (see `opener`)."""


def opener(
    region: Region | str,
    *,
    case_id: Callable[[SnapshotLike], str] | None = None,
    order_stage: OrderStage | str = OrderStage.DELIVERED,
) -> NewCase:
    """A default way to open cases for unknown snapshots.

    Each line item's refund is taken as what was paid for that line (the
    platform record does not carry the whole order); the case id is the
    platform id unless ``case_id`` computes another.
    """

    def open_new(snapshot: SnapshotLike) -> SyncResult:
        lines = _lines_of(snapshot)
        return open_from_snapshot(
            snapshot,
            case_id=case_id(snapshot) if case_id is not None else snapshot.platform_id,
            region=region,
            lines=lines,
            order_stage=order_stage,
        )

    return open_new


def _lines_of(snapshot: object) -> list[OrderLine]:
    from ..domain.money import Breakdown

    out: list[OrderLine] = []
    for item in getattr(snapshot, "line_items", ()) or ():
        refund = getattr(item, "refund", None)
        breakdown = getattr(refund, "breakdown", None)
        if not isinstance(breakdown, Breakdown) or not breakdown.total.is_positive:
            continue
        line_id = str(getattr(item, "order_line_item_id", "") or getattr(item, "line_item_id", ""))
        if line_id and all(x.line_id != line_id for x in out):
            out.append(OrderLine(line_id, str(getattr(item, "sku_id", None) or "?"), breakdown))
    if not out:
        raise InvalidValue(
            "snapshot.line_items",
            getattr(snapshot, "platform_id", None),
            "no line with a refund amount: pass the order's lines to open_from_snapshot",
        )
    return out
