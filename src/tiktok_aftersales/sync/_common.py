"""Helpers shared by the sync modules: matching, staleness, review marks, deadlines, hints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..domain.case import AfterSalesCase, PlatformDeadline
from ..domain.money import Money
from .model import PlatformState, SnapshotLike


def matches(case: AfterSalesCase, target: PlatformState) -> bool:
    """Whether the case is in one of the target's states (and its arbitration, when given)."""
    if case.state not in target.states:
        return False
    return target.arbitration is None or case.arbitration is target.arbitration


def is_stale(case: AfterSalesCase, snapshot: SnapshotLike) -> bool:
    """Whether the snapshot is older than the case's last event."""
    seen = case.last_event_at
    update = snapshot.update_time
    return seen is not None and update is not None and update < seen


def mark_review(case: AfterSalesCase, reason: str) -> AfterSalesCase:
    """The case marked for review with ``reason`` (unchanged when already so)."""
    if case.review == reason:
        return case
    return attrs.evolve(case, review=reason, version=case.version + 1)


def with_deadline(case: AfterSalesCase, snapshot: object) -> AfterSalesCase:
    """The case with the snapshot's platform deadline, when it is for the case's state."""
    deadline = getattr(snapshot, "platform_deadline", None)
    if not isinstance(deadline, PlatformDeadline) or deadline.state is not case.state:
        return case
    if case.platform_deadline == deadline:
        return case
    return attrs.evolve(case, platform_deadline=deadline, version=case.version + 1)


def payload_hints(
    snapshot: object, payloads: Mapping[str, Mapping[str, Any]] | None
) -> Mapping[str, Mapping[str, Any]]:
    """Payload hints for inferred steps: the caller's, else the snapshot's own."""
    if payloads is not None:
        return payloads
    found = getattr(snapshot, "payloads", None)
    if isinstance(found, Mapping):
        return found
    offered = getattr(snapshot, "partial_refund", None)
    if isinstance(offered, Money):
        return {"offer_partial_refund": {"amount": offered}}
    return {}


def case_key(case: AfterSalesCase) -> str:
    """The key a case is known by in a batch: its platform id, else its case id."""
    return case.platform_id or case.case_id
