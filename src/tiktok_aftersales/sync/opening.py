"""Opening a case for a request the host did not know, in the platform's state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..deadlines.opening import checked_opening
from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import new_case
from ..domain.money import OrderLine
from ..domain.vocabulary import (
    OrderStage,
    OrderStatus,
    Region,
)
from ..errors import InvalidValue
from ..platform.record import PlatformRecord, record_of
from ._common import payload_hints, seen_at, with_deadline
from .model import Outcome, SyncResult, platform_state_of
from .reconciling import find_path, openings_for

__all__ = [
    "NewCase",
    "open_from_snapshot",
    "opener",
]


def open_from_snapshot(
    snapshot: object,
    *,
    case_id: str,
    region: Region | str,
    lines: Sequence[OrderLine] | None = None,
    order_stage: OrderStage | str = OrderStage.DELIVERED,
    opened_at: datetime | None = None,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
    order_status: OrderStatus | str | None = None,
    ordered_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> SyncResult:
    """Open a case for a request the host did not know, in the platform's state.

    The opening event and every step up to the platform's state are taken
    from the declaration (shortest path), at ``opened_at`` (default: the
    record's update time). The opening is chosen by who the record says
    started the request (its ``role``; see
    [`openings_for`][tiktok_aftersales.sync.reconciling.openings_for]): a
    seller-created return opens with ``create_return``, a buyer's with
    ``request``. The case's lines are ``lines`` when given, else the
    record's own, keyed by order-line id (`order_lines`): one rule, whichever
    path the record came by.

    Args:
        snapshot: A platform record, or anything
            `record_of` reads.
        case_id: The id of the new case.
        region: The market.
        lines: The order's lines (default: the record's).
        order_stage: How far the order had gone.
        opened_at: When the case opened (default: the record's update time).
        payloads: Payloads for inferred events that need one.
        order_status: The order's status when the request was made; given,
            the opening is checked against who may start what
            ([`checked_opening`][tiktok_aftersales.deadlines.opening.checked_opening]).
        ordered_at: When the order was placed; with ``order_status``, a
            pending buyer cancellation gets its window as its deadline (the
            record's own deadline, when it has one, wins).
        policy: The windows the cancellation's terms are worked out with.

    Raises:
        InvalidValue: The record carries no usable state, time or lines, or
            the arguments are malformed.
        InitiativeRefused: ``order_status`` is given and the record's opener
            may not start this request in it, in this region (nothing is opened).
    """
    record = record_of(snapshot)
    target = platform_state_of(record)
    if target is None or record.unmapped:
        raise InvalidValue(
            "snapshot", record.platform_id, "unmapped snapshot: cannot open a case from it"
        )
    at = opened_at or record.update_time
    if at is None:
        raise InvalidValue("snapshot.update_time", None, "needed to open a case")
    if record.order_id is None:
        raise InvalidValue("snapshot.order_id", None, "needed to open a case: fetch the record")
    draft = new_case(
        target.request_type,
        case_id=case_id,
        order_id=record.order_id,
        region=region,
        lines=record.order_lines() if lines is None else lines,
        order_stage=order_stage,
        platform_id=record.platform_id,
    )
    found = find_path(
        draft,
        target,
        at,
        payload_hints(record, payloads),
        openings=openings_for(target.request_type, record.role),
    )
    if found is None:
        wanted = "/".join(sorted(s.value for s in target.states))
        return SyncResult(
            Outcome.CONFLICT, None, None, (), None, target, f"no legal path from new to {wanted}"
        )
    case, steps = found
    if order_status is not None:
        case = checked_opening(case, order_status, ordered_at=ordered_at, policy=policy)
    return SyncResult(
        Outcome.NEW,
        seen_at(with_deadline(case, record), record),
        None,
        steps,
        None,
        target,
        " > ".join(f"{s.event}({s.actor.value})" for s in steps),
    )


NewCase = Callable[[PlatformRecord], SyncResult]
"""How a host opens a case for a record it did not know (see
[`opener`][tiktok_aftersales.sync.opener])."""


OrderFact = Callable[[PlatformRecord], Any]
"""A fact about a record's order the host looks up (its status, its date)."""


def opener(
    region: Region | str,
    *,
    case_id: Callable[[PlatformRecord], str] | None = None,
    order_stage: OrderStage | str = OrderStage.DELIVERED,
    order_status: OrderStatus | str | OrderFact | None = None,
    ordered_at: datetime | OrderFact | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> NewCase:
    """A default way to open cases for unknown records.

    Each line's refund is taken as what was paid for that line (the platform
    record does not carry the whole order), keyed by order-line id; the case
    id is the platform id unless ``case_id`` computes another.

    Args:
        region: The market.
        case_id: The case id of a record (default: its platform id).
        order_stage: How far the order had gone.
        order_status: The order's status, or how to look it up from the
            record (a function; ``None`` from it skips the check): the
            opening is then checked against who may start what.
        ordered_at: The order's date, or how to look it up: a pending buyer
            cancellation then gets its window as its deadline.
        policy: The windows for a cancellation's terms.

    """

    def open_new(record: PlatformRecord) -> SyncResult:
        status = order_status(record) if callable(order_status) else order_status
        placed = ordered_at(record) if callable(ordered_at) else ordered_at
        return open_from_snapshot(
            record,
            case_id=case_id(record) if case_id is not None else record.platform_id,
            region=region,
            order_stage=order_stage,
            order_status=status,
            ordered_at=placed,
            policy=policy,
        )

    return open_new
