"""Reconciling one local case with one platform snapshot, along the shortest legal path."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import (
    Actor,
    Arbitration,
    RequestType,
    State,
)
from ..errors import AfterSalesError, InvalidValue
from ..lifecycle import EVENTS, LIFECYCLES, allowed_events, apply, event_of
from ..platform.record import PlatformRecord, record_of
from ._common import (
    is_stale,
    looks_past,
    mark_review,
    matches,
    payload_hints,
    seen_at,
    with_deadline,
)
from .model import Outcome, PlatformState, Step, SyncResult, platform_state_of

__all__ = [
    "ACTOR_PREFERENCE",
    "find_path",
    "openings_for",
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


def openings_for(kind: RequestType, role: Actor | None) -> frozenset[tuple[str, Actor]]:
    """The ``(opening event, actor)`` pairs sync may infer for a record started by ``role``.

    Derived from the declaration: the openings whose actors include the
    record's role (its initiator: ``role``, ``return_role``,
    ``cancellations_role``), fired by that role. When the record names no
    role, or no opening admits it, every opening but those only the seller
    fires: a seller's own opening (a seller-created return, a seller refund)
    is a call the seller made, and the platform's record says so
    (``role`` ``SELLER``). A type only the seller opens keeps its openings.
    """
    lc = LIFECYCLES[kind]
    starts = [t for t in lc.transitions if State.NEW in t.sources]
    if role is not None:
        chosen = frozenset((t.event, role) for t in starts if role in t.actors)
        if chosen:
            return chosen
    others = frozenset(
        (t.event, actor) for t in starts if t.actors != {Actor.SELLER} for actor in t.actors
    )
    return others or frozenset((t.event, actor) for t in starts for actor in t.actors)


def find_path(
    case: AfterSalesCase,
    target: PlatformState,
    at: datetime,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
    max_steps: int = 12,
    *,
    openings: Collection[tuple[str, Actor]] | None = None,
) -> tuple[AfterSalesCase, tuple[Step, ...]] | None:
    """Find the shortest legal event sequence from ``case`` to ``target``.

    Breadth-first over the declaration: every step is a legal ``apply`` on
    the case so far, fired at ``at``. Events whose payload is required and
    unknown (an offer's amount) are only taken when ``payloads`` gives one.

    Args:
        case: The case to start from (``NEW`` for a case to open).
        target: Where the platform says the request is.
        at: When the inferred events are dated.
        payloads: Payloads for inferred events, by event name.
        max_steps: The longest path tried.
        openings: For a ``NEW`` case, the ``(event, actor)`` pairs the path
            may open with (see `openings_for`); ``None``: any opening.

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
        first = openings if current.state is State.NEW else None
        for allowed in allowed_events(current):
            actors = tuple(
                a
                for a in ACTOR_PREFERENCE
                if a in allowed.actors and (first is None or (allowed.event, a) in first)
            )
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
    record: object,
    *,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
    received_at: datetime | None = None,
) -> SyncResult:
    """Reconcile one local case with one platform record.

    Two clocks, one rule: records are ordered by **platform time** (their
    ``update_time`` against ``case.platform_time``, the newest platform time
    the case has seen), and the events sync applies are dated by the **host's
    time** (``received_at``, never earlier than the case's last event). A skew
    between the two clocks therefore neither stalls sync nor refuses a later
    host command.

    Contradictions are data: a record of another request type, another
    order, or a role that does not fit the case is a ``CONFLICT`` naming both
    values, never an exception.

    Args:
        case: The local case.
        record: The platform's record: a `PlatformRecord`
            or anything `record_of` reads (a
            parsed return, cancellation or legacy record, a webhook).
        payloads: Payloads for inferred events that need one, by event name
            (e.g. ``{"offer_partial_refund": {"amount": Money(...)}}``).
        received_at: When the host received the record (host time); by
            default the record's update time.

    Returns:
        A [`SyncResult`][tiktok_aftersales.sync.SyncResult]; the input case is never changed.

    Raises:
        InvalidValue: ``record`` is not a platform record, or ``received_at``
            is not timezone-aware.

    """
    rec = record_of(record).for_type(case.request_type)
    target = platform_state_of(rec)
    local = case.state
    if received_at is not None and (
        not isinstance(received_at, datetime) or received_at.utcoffset() is None
    ):
        raise InvalidValue("received_at", received_at, "a timezone-aware datetime")
    if rec.unmapped or target is None:
        fields = ", ".join(rec.unmapped) or "status"
        reason = f"platform sent unmapped value(s) in {fields}"
        return SyncResult(
            Outcome.UNMAPPED, mark_review(case, reason), case, (), local, target, reason
        )
    contradiction = _contradiction(case, rec, target)
    if contradiction:
        return SyncResult(Outcome.CONFLICT, case, case, (), local, target, contradiction)
    if is_stale(case, rec):
        return SyncResult(
            Outcome.STALE,
            case,
            case,
            (),
            local,
            target,
            f"record of {rec.update_time} is older than the newest seen ({case.platform_time})",
        )
    if matches(case, target):
        return SyncResult(
            Outcome.NOTHING_NEW, with_deadline(case, rec), case, (), local, target, "in step"
        )
    at = received_at or rec.update_time or case.last_event_at
    assert at is not None  # an opened case has a history
    if case.last_event_at is not None and at < case.last_event_at:
        at = case.last_event_at
    found = find_path(case, target, at, payload_hints(rec, payloads))
    if found is None and looks_past(case, rec, target):
        return SyncResult(
            Outcome.STALE,
            case,
            case,
            (),
            local,
            target,
            f"record of {rec.update_time} shows a state the case has left",
        )
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
        seen_at(with_deadline(after, rec), rec),
        case,
        steps,
        local,
        target,
        " > ".join(f"{s.event}({s.actor.value})" for s in steps),
    )


def _opener(case: AfterSalesCase) -> Actor | None:
    """The buyer or seller who opened ``case``, when its declared opening is that party's alone.

    Derived from the declaration: the opening transition the case's first
    event fired (from ``NEW``, admitting its actor), when that transition
    names one actor and it is the buyer or the seller.
    """
    if not case.history:
        return None
    first = case.history[0]
    for t in LIFECYCLES[case.request_type].transitions:
        if t.event == first.event and State.NEW in t.sources and first.actor in t.actors:
            if len(t.actors) != 1:
                return None
            (only,) = t.actors
            return only if only in (Actor.BUYER, Actor.SELLER) else None
    return None


def _contradiction(case: AfterSalesCase, record: PlatformRecord, target: PlatformState) -> str:
    """Why the record cannot be about this case (empty when it can)."""
    if record.order_id is not None and record.order_id != case.order_id:
        return f"record is for order {record.order_id}, the case for {case.order_id}"
    if target.request_type is not case.request_type:
        if (
            case.request_type is RequestType.REFUND_ONLY
            and target.request_type is RequestType.SELLER_REFUND
            and record.role is Actor.SELLER
        ):
            return (
                f"role {record.role.value.upper()} does not fit case {case.case_id}, "
                f"a {case.request_type.value} request opened by the buyer"
            )
        return (
            f"record is a {target.request_type.value} request, "
            f"case {case.case_id} a {case.request_type.value} request"
        )
    opener = _opener(case)
    if (
        record.role is not None
        and opener is not None
        and record.role not in (opener, Actor.SYSTEM, Actor.OPERATOR)
    ):
        return (
            f"role {record.role.value.upper()} does not fit case {case.case_id}, "
            f"opened by the {opener.value}"
        )
    return ""
