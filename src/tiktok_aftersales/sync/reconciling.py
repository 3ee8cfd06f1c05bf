"""Reconciling one local case with one platform snapshot, along the shortest legal path."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import (
    Actor,
    Arbitration,
    State,
)
from ..errors import AfterSalesError, InvalidValue
from ..lifecycle import EVENTS, allowed_events, apply, event_of
from ._common import is_stale, mark_review, matches, payload_hints, with_deadline
from .model import Outcome, PlatformState, SnapshotLike, Step, SyncResult, platform_state_of

__all__ = [
    "ACTOR_PREFERENCE",
    "find_path",
    "reconcile",
]


ACTOR_PREFERENCE: tuple[Actor, ...] = (
    Actor.SYSTEM,
    Actor.LOGISTICS,
    Actor.BUYER,
    Actor.OPERATOR,
    Actor.SELLER,
)
"""Who an inferred step is attributed to when several actors could have fired it.

The platform reports states, not who moved them; the clock (``SYSTEM``) is the
platform's own automation, so it comes first. ``Step.actors`` keeps every
candidate for the log.
"""

_Key = tuple[State, Arbitration, object]


def _key(case: AfterSalesCase) -> _Key:
    return (case.state, case.arbitration, case.offer.solution if case.offer else None)


def _step_payloads(
    event: str, case: AfterSalesCase, payloads: Mapping[str, Mapping[str, Any]]
) -> tuple[Mapping[str, Any] | None, ...]:
    """Payloads to try for an inferred step: the host's hint first, then none."""
    given = payloads.get(event)
    inferred = EVENTS[event_of(event)].inferred
    if inferred is not None:
        return (given or inferred(case),)
    if given is not None:
        return (given, None)
    return (None,)


def find_path(
    case: AfterSalesCase,
    target: PlatformState,
    at: datetime,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
    max_steps: int = 12,
) -> tuple[AfterSalesCase, tuple[Step, ...]] | None:
    """Find the shortest legal event sequence from ``case`` to ``target``.

    Breadth-first over the declaration: every step is a legal ``apply`` on
    the case so far, fired at ``at``. Events whose payload is required and
    unknown (an offer's amount) are only taken when ``payloads`` gives one.

    Returns:
        The case at the end of the path and the steps, or ``None`` when no
        legal path exists.
    """
    known = payloads or {}
    if matches(case, target):
        return case, ()
    seen = {_key(case)}
    todo: deque[tuple[AfterSalesCase, tuple[Step, ...]]] = deque([(case, ())])
    while todo:
        current, path = todo.popleft()
        if len(path) >= max_steps:
            continue
        for allowed in allowed_events(current):
            actors = tuple(a for a in ACTOR_PREFERENCE if a in allowed.actors)
            for payload in _step_payloads(allowed.event, current, known):
                for actor in actors:
                    try:
                        nxt = apply(current, allowed.event, actor, at, payload)
                    except AfterSalesError:
                        continue
                    key = _key(nxt)
                    if key not in seen:
                        seen.add(key)
                        steps = (*path, Step(allowed.event, actor, actors))
                        if matches(nxt, target):
                            return nxt, steps
                        todo.append((nxt, steps))
                    break
    return None


def reconcile(
    case: AfterSalesCase,
    snapshot: SnapshotLike,
    *,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
) -> SyncResult:
    """Reconcile one local case with one platform snapshot.

    Args:
        case: The local case.
        snapshot: The platform's record (see [`SnapshotLike`][tiktok_aftersales.sync.SnapshotLike]).
        payloads: Payloads for inferred events that need one, by event name
            (e.g. ``{"offer_partial_refund": {"amount": Money(...)}}``).

    Returns:
        A [`SyncResult`][tiktok_aftersales.sync.SyncResult]; the input case is never changed.

    Raises:
        InvalidValue: The snapshot is for another order or request type.
    """
    target = platform_state_of(snapshot)
    local = case.state
    if snapshot.unmapped or target is None:
        fields = ", ".join(snapshot.unmapped) or "status"
        reason = f"platform sent unmapped value(s) in {fields}"
        return SyncResult(
            Outcome.UNMAPPED, mark_review(case, reason), case, (), local, target, reason
        )
    if snapshot.order_id != case.order_id:
        raise InvalidValue("snapshot.order_id", snapshot.order_id, f"case is for {case.order_id}")
    if target.request_type is not case.request_type:
        raise InvalidValue(
            "snapshot.request_type",
            target.request_type.value,
            f"case {case.case_id} is a {case.request_type.value} request",
        )
    if is_stale(case, snapshot):
        return SyncResult(
            Outcome.STALE,
            case,
            case,
            (),
            local,
            target,
            f"snapshot of {snapshot.update_time} is older than the case ({case.last_event_at})",
        )
    if matches(case, target):
        return SyncResult(
            Outcome.NOTHING_NEW, with_deadline(case, snapshot), case, (), local, target, "in step"
        )
    at = snapshot.update_time or case.last_event_at
    assert at is not None  # an opened case has a history
    if case.last_event_at is not None and at < case.last_event_at:  # pragma: no cover
        at = case.last_event_at
    found = find_path(case, target, at, payload_hints(snapshot, payloads))
    if found is None:
        wanted = "/".join(sorted(s.value for s in target.states))
        return SyncResult(
            Outcome.CONFLICT,
            case,
            case,
            (),
            local,
            target,
            f"no legal path from {local.value} to {wanted}",
        )
    after, steps = found
    return SyncResult(
        Outcome.ADVANCED,
        with_deadline(after, snapshot),
        case,
        steps,
        local,
        target,
        " > ".join(f"{s.event}({s.actor.value})" for s in steps),
    )
