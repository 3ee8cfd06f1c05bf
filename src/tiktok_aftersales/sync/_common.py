"""Helpers shared by the sync modules: matching, staleness, review marks, deadlines, hints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..domain.case import AfterSalesCase, PlatformDeadline
from ..domain.money import Money
from ..platform.record import PlatformRecord
from .model import PlatformState


def matches(case: AfterSalesCase, target: PlatformState) -> bool:
    """Whether the case is in one of the target's states (and its arbitration, when given)."""
    if case.state not in target.states:
        return False
    return target.arbitration is None or case.arbitration is target.arbitration


def is_stale(case: AfterSalesCase, record: PlatformRecord) -> bool:
    """Whether the record is older than the newest platform record the case has seen.

    Platform records are ordered by platform time only: ``update_time``
    against ``case.platform_time``, never against the host's clock, so a skew
    between the two clocks can neither stall sync nor reorder it.
    """
    seen = case.platform_time
    update = record.update_time
    return seen is not None and update is not None and update < seen


def looks_past(case: AfterSalesCase, record: PlatformRecord, target: PlatformState) -> bool:
    """Whether an unreachable record describes the past of a case no platform record moved.

    Only the host's clock dates such a case, so time alone cannot order the
    record. It is taken as the past (stale) when no legal path leads to it,
    it shows a state the case has already been through, and it is older than
    the case's last event; otherwise it is a conflict.
    """
    update = record.update_time
    last = case.last_event_at
    if case.platform_time is not None or update is None or last is None or update >= last:
        return False
    visited = {item.state for item in case.history[:-1]}
    return bool(target.states & visited)


def seen_at(case: AfterSalesCase, record: PlatformRecord) -> AfterSalesCase:
    """The case with ``platform_time`` moved up to the record's update time (when newer)."""
    update = record.update_time
    if update is None or (case.platform_time is not None and update <= case.platform_time):
        return case
    return attrs.evolve(case, platform_time=update, version=case.version + 1)


def mark_review(case: AfterSalesCase, reason: str) -> AfterSalesCase:
    """The case marked for review with ``reason`` (unchanged when already so)."""
    if case.review == reason:
        return case
    return attrs.evolve(case, review=reason, version=case.version + 1)


def with_deadline(case: AfterSalesCase, record: PlatformRecord) -> AfterSalesCase:
    """The case with the record's platform deadline, when it is for the case's state."""
    deadline = record.platform_deadline
    if not isinstance(deadline, PlatformDeadline) or deadline.state is not case.state:
        return case
    if case.platform_deadline == deadline:
        return case
    return attrs.evolve(case, platform_deadline=deadline, version=case.version + 1)


def payload_hints(
    record: PlatformRecord, payloads: Mapping[str, Mapping[str, Any]] | None
) -> Mapping[str, Mapping[str, Any]]:
    """Payload hints for inferred steps: the caller's, else what the record itself says.

    The record's partial refund is the offer's amount; its return method goes
    with the approval (or the seller's own return), so the ship-back window
    is the method's.
    """
    if payloads is not None:
        return payloads
    hints: dict[str, Mapping[str, Any]] = {}
    if isinstance(record.partial_refund, Money):
        hints["offer_partial_refund"] = {"amount": record.partial_refund}
    if record.return_method is not None:
        method = {"return_method": record.return_method}
        hints["approve"] = method
        hints["create_return"] = method
    return hints


def case_key(case: AfterSalesCase) -> str:
    """The key a case is known by in a batch: its platform id, else its case id."""
    return case.platform_id or case.case_id
