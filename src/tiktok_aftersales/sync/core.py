"""Reconcile local cases with what the platform says (polls and webhooks).

The platform is the system of record, but its reports arrive late, twice, out
of order, or skip steps (a poll every 15 minutes misses intermediate states).
:func:`reconcile` compares one case with one snapshot and says what happened:

- ``NOTHING_NEW``: same state (a duplicate delivery, or nothing changed);
- ``STALE``: older than what the case has seen: ignored;
- ``ADVANCED``: the shortest legal sequence of lifecycle events from the local
  state to the platform's was applied, each step attributed to an actor who
  could have fired it;
- ``CONFLICT``: no legal path (e.g. complete going back to pending): nothing
  applied, both sides reported;
- ``UNMAPPED``: the platform sent a value no vocabulary knows: the case is
  marked for review, nothing else changes;
- ``NEW``: no local case yet: one is opened in the platform's state.

Paths are searched over the declaration itself (the pure engine is asked,
step by step), so sync can never take a step the lifecycle does not allow.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from ..domain.case import AfterSalesCase, PlatformDeadline, new_case
from ..domain.money import Money, OrderLine, Refund
from ..domain.vocabulary import (
    AbnormalReason,
    Actor,
    Arbitration,
    OrderStage,
    Region,
    RequestType,
    State,
)
from ..errors import AfterSalesError, InvalidValue
from ..lifecycle.engine import allowed_events, apply

__all__ = [
    "ACTOR_PREFERENCE",
    "DeliveryResult",
    "NewCase",
    "Outcome",
    "PlatformState",
    "RequestGroup",
    "SnapshotLike",
    "Step",
    "StreamReport",
    "SyncReport",
    "SyncResult",
    "find_path",
    "group_requests",
    "open_from_snapshot",
    "opener",
    "platform_state_of",
    "reconcile",
    "reconcile_webhooks",
    "sync_page",
]


class Outcome(enum.StrEnum):
    """What reconciling one case with one snapshot did."""

    NOTHING_NEW = "nothing_new"
    STALE = "stale"
    ADVANCED = "advanced"
    CONFLICT = "conflict"
    UNMAPPED = "unmapped"
    NEW = "new"


@attrs.frozen
class PlatformState:
    """Where the platform says a request is, in canonical terms.

    Attributes:
        request_type: The request type the platform reports.
        states: Every canonical state the platform's value can mean (the
            platform is coarser: ``BUYER_SHIPPED_ITEM`` is in transit or
            delivered).
        arbitration: The arbitration sub-state reported, or ``None`` when the
            platform said nothing about it.
    """

    request_type: RequestType
    states: frozenset[State]
    arbitration: Arbitration | None = None


@runtime_checkable
class SnapshotLike(Protocol):
    """What sync needs from a parsed platform record or webhook.

    The snapshots of :mod:`tiktok_aftersales.platform` satisfy it; a host may
    pass anything with these attributes. The canonical reading comes from
    :func:`platform_state_of`: a ``platform_state`` attribute, or
    ``request_type``, ``states`` and ``arbitration``.
    """

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (return, cancel or reverse order id)."""
        ...

    @property
    def order_id(self) -> str:
        """The order."""
        ...

    @property
    def update_time(self) -> datetime | None:
        """When the platform last changed the record (``None`` when not given)."""
        ...

    @property
    def unmapped(self) -> tuple[str, ...]:
        """Fields whose values no vocabulary knows (tolerant parsing)."""
        ...


@attrs.frozen
class Step:
    """One inferred lifecycle event on a sync path."""

    event: str
    actor: Actor
    actors: tuple[Actor, ...]
    """Every actor who could have fired it (the platform does not say who did)."""


@attrs.frozen
class SyncResult:
    """The outcome of reconciling one case with one snapshot.

    Attributes:
        outcome: What happened.
        case: The case after reconciling (the input case when nothing was
            applied; ``None`` only for a conflict or unmapped snapshot of an
            unknown case).
        previous: The case before (``None`` for ``NEW``).
        path: The events applied (``ADVANCED``, ``NEW``).
        local_state: The local state before.
        platform: The platform's state as read.
        detail: A sentence for the log.
    """

    outcome: Outcome
    case: AfterSalesCase | None
    previous: AfterSalesCase | None
    path: tuple[Step, ...] = ()
    local_state: State | None = None
    platform: PlatformState | None = None
    detail: str = ""

    @property
    def changed(self) -> bool:
        """Whether the case differs from before (store it when true)."""
        return self.case is not None and self.case is not self.previous


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


def _matches(case: AfterSalesCase, target: PlatformState) -> bool:
    if case.state not in target.states:
        return False
    return target.arbitration is None or case.arbitration is target.arbitration


def _step_payloads(
    event: str, case: AfterSalesCase, payloads: Mapping[str, Mapping[str, Any]]
) -> tuple[Mapping[str, Any] | None, ...]:
    """Payloads to try for an inferred step: the host's hint first, then none."""
    given = payloads.get(event)
    if event == "detect_return":
        return (given or {"reason": AbnormalReason.LOGISTICS_FAILURE},)
    if event == "initiate_refund":
        return (given or {"refund": Refund.order(case.lines)},)
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
    if _matches(case, target):
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
                        if _matches(nxt, target):
                            return nxt, steps
                        todo.append((nxt, steps))
                    break
    return None


def _stale(case: AfterSalesCase, snapshot: SnapshotLike) -> bool:
    seen = case.last_event_at
    update = snapshot.update_time
    return seen is not None and update is not None and update < seen


def _mark_review(case: AfterSalesCase, reason: str) -> AfterSalesCase:
    if case.review == reason:
        return case
    return attrs.evolve(case, review=reason, version=case.version + 1)


def _with_deadline(case: AfterSalesCase, snapshot: object) -> AfterSalesCase:
    deadline = getattr(snapshot, "platform_deadline", None)
    if not isinstance(deadline, PlatformDeadline) or deadline.state is not case.state:
        return case
    if case.platform_deadline == deadline:
        return case
    return attrs.evolve(case, platform_deadline=deadline, version=case.version + 1)


def _hints(
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


def platform_state_of(snapshot: object) -> PlatformState | None:
    """Read a snapshot's canonical state: its ``platform_state``, or build one.

    The codec's snapshots give ``request_type``, ``states`` and ``arbitration``;
    a host's own objects may give a ready :class:`PlatformState` as
    ``platform_state``. ``None`` means the snapshot could not be read
    (unmapped or ambiguous).
    """
    given = getattr(snapshot, "platform_state", None)
    if isinstance(given, PlatformState):
        return given
    kind = getattr(snapshot, "request_type", None)
    states = getattr(snapshot, "states", None)
    if not isinstance(kind, RequestType) or not states:
        return None
    arbitration = getattr(snapshot, "arbitration", None)
    return PlatformState(
        kind, frozenset(states), arbitration if isinstance(arbitration, Arbitration) else None
    )


def reconcile(
    case: AfterSalesCase,
    snapshot: SnapshotLike,
    *,
    payloads: Mapping[str, Mapping[str, Any]] | None = None,
) -> SyncResult:
    """Reconcile one local case with one platform snapshot.

    Args:
        case: The local case.
        snapshot: The platform's record (see :class:`SnapshotLike`).
        payloads: Payloads for inferred events that need one, by event name
            (e.g. ``{"offer_partial_refund": {"amount": Money(...)}}``).

    Returns:
        A :class:`SyncResult`; the input case is never changed.

    Raises:
        InvalidValue: The snapshot is for another order or request type.
    """
    target = platform_state_of(snapshot)
    local = case.state
    if snapshot.unmapped or target is None:
        fields = ", ".join(snapshot.unmapped) or "status"
        reason = f"platform sent unmapped value(s) in {fields}"
        return SyncResult(
            Outcome.UNMAPPED, _mark_review(case, reason), case, (), local, target, reason
        )
    if snapshot.order_id != case.order_id:
        raise InvalidValue("snapshot.order_id", snapshot.order_id, f"case is for {case.order_id}")
    if target.request_type is not case.request_type:
        raise InvalidValue(
            "snapshot.request_type",
            target.request_type.value,
            f"case {case.case_id} is a {case.request_type.value} request",
        )
    if _stale(case, snapshot):
        return SyncResult(
            Outcome.STALE,
            case,
            case,
            (),
            local,
            target,
            f"snapshot of {snapshot.update_time} is older than the case ({case.last_event_at})",
        )
    if _matches(case, target):
        return SyncResult(
            Outcome.NOTHING_NEW, _with_deadline(case, snapshot), case, (), local, target, "in step"
        )
    at = snapshot.update_time or case.last_event_at
    assert at is not None  # an opened case has a history
    if case.last_event_at is not None and at < case.last_event_at:  # pragma: no cover
        at = case.last_event_at
    found = find_path(case, target, at, _hints(snapshot, payloads))
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
        _with_deadline(after, snapshot),
        case,
        steps,
        local,
        target,
        " > ".join(f"{s.event}({s.actor.value})" for s in steps),
    )


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
    found = find_path(draft, target, at, _hints(snapshot, payloads))
    if found is None:
        wanted = "/".join(sorted(s.value for s in target.states))
        return SyncResult(
            Outcome.CONFLICT, None, None, (), None, target, f"no legal path from new to {wanted}"
        )
    case, steps = found
    return SyncResult(
        Outcome.NEW,
        _with_deadline(case, snapshot),
        None,
        steps,
        None,
        target,
        " > ".join(f"{s.event}({s.actor.value})" for s in steps),
    )


# --- edit chains and split requests ---------------------------------------------------------


@attrs.frozen
class RequestGroup:
    """Platform records that are one buyer request.

    Attributes:
        key: The id the group is known by (its earliest member's id).
        members: Every member's platform id, oldest first.
        latest: The id of the member that is current (end of the edit chain,
            or every split member when the request was split per SKU).
        order_id: The order.
        reasons: Why they were grouped (``"edit"``, ``"split"``, ``"combined"``).
    """

    key: str
    members: tuple[str, ...]
    latest: tuple[str, ...]
    order_id: str
    reasons: frozenset[str]


_LINKS = frozenset({"pre_return_id", "next_return_id", "combined_return_id"})


def _attr(record: object, name: str) -> Any:
    value = getattr(record, name, None)
    if isinstance(value, str) and (not value.strip() or (name in _LINKS and value == "0")):
        return None  # the platform sends "0" for "no such link"
    return value


def group_requests(records: Iterable[object]) -> tuple[RequestGroup, ...]:
    """Group platform records that are one buyer request, so counts do not double.

    Two kinds of sibling records exist (platform-api.md §6 item 8):

    - an **edit chain**: a return edited into a new id carries
      ``pre_return_id``/``next_return_id`` links;
    - a **split request**: a multi-SKU request is split into one return per
      SKU; the siblings share the order, the request type and the creation
      instant (and ``combined_return_id`` when the platform sets one; ``"0"``
      means none).

    Records need ``platform_id`` and ``order_id``; ``pre_return_id``,
    ``next_return_id``, ``combined_return_id``, ``create_time`` and
    ``return_type``/``request_type`` are used when present.
    """
    items = list(records)
    by_id = {str(_attr(r, "platform_id")): r for r in items}
    parent = {k: k for k in by_id}
    reasons: dict[str, set[str]] = {k: set() for k in by_id}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str, why: str) -> None:
        if a not in parent or b not in parent:
            return
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
        reasons[a].add(why)
        reasons[b].add(why)

    split_keys: dict[tuple[Any, ...], str] = {}
    combined: dict[tuple[str, str], str] = {}
    for pid, record in by_id.items():
        for link in ("pre_return_id", "next_return_id"):
            other = _attr(record, link)
            if other is not None:
                union(pid, str(other), "edit")
        created = _attr(record, "create_time")
        kind = _attr(record, "return_type") or _attr(record, "request_type")
        order = str(_attr(record, "order_id"))
        if created is not None:
            key = (order, str(kind), created)
            if key in split_keys:
                union(split_keys[key], pid, "split")
            else:
                split_keys[key] = pid
        combo = _attr(record, "combined_return_id")
        if combo is not None:
            ckey = (order, str(combo))
            if ckey in combined:
                union(combined[ckey], pid, "combined")
            else:
                combined[ckey] = pid
    groups: dict[str, list[str]] = {}
    for pid in by_id:
        groups.setdefault(find(pid), []).append(pid)
    out = []
    for members in groups.values():

        def order_key(pid: str) -> tuple[Any, str]:
            created = _attr(by_id[pid], "create_time")
            return (created.timestamp() if isinstance(created, datetime) else 0.0, pid)

        members.sort(key=order_key)
        latest = tuple(p for p in members if _attr(by_id[p], "next_return_id") is None)
        why: set[str] = set()
        for p in members:
            why |= reasons[p]
        out.append(
            RequestGroup(
                members[0],
                tuple(members),
                latest or (members[-1],),
                str(_attr(by_id[members[0]], "order_id")),
                frozenset(why),
            )
        )
    out.sort(key=lambda g: g.key)
    return tuple(out)


# --- a page of snapshots (the poll) ------------------------------------------------------------


NewCase = Callable[[SnapshotLike], SyncResult]
"""How a host opens a case for a snapshot it did not know (see :func:`opener`)."""


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


@attrs.frozen
class SyncReport:
    """What one poll did to the local cases.

    Attributes:
        results: One result per snapshot, in the order given.
        cases: Every local case after the poll, by platform id.
        tabs_before: Connector grid tab counts before.
        tabs_after: Connector grid tab counts after.
    """

    results: tuple[SyncResult, ...]
    cases: Mapping[str, AfterSalesCase]
    tabs_before: Any
    tabs_after: Any

    def of(self, outcome: Outcome) -> tuple[SyncResult, ...]:
        """The results with one outcome."""
        return tuple(r for r in self.results if r.outcome is outcome)

    @property
    def counts(self) -> Mapping[Outcome, int]:
        """How many snapshots had each outcome (zeros included)."""
        out = dict.fromkeys(Outcome, 0)
        for r in self.results:
            out[r.outcome] += 1
        return out


def _case_key(case: AfterSalesCase) -> str:
    return case.platform_id or case.case_id


def sync_page(
    cases: Mapping[str, AfterSalesCase] | Iterable[AfterSalesCase],
    snapshots: Iterable[SnapshotLike],
    *,
    open_new: NewCase | None = None,
) -> SyncReport:
    """Reconcile a page of platform snapshots (a "Sync Returns" poll) with local cases.

    Args:
        cases: The local cases, by platform id (or an iterable: keyed by
            ``platform_id``, else ``case_id``).
        snapshots: The page, e.g. ``parse_returns_page(...).records``.
        open_new: How to open a case for an unknown snapshot (see
            :func:`opener`); without it unknown snapshots are reported as
            ``CONFLICT`` with ``case=None`` and nothing is opened.

    Returns:
        A :class:`SyncReport` with every result and the grid tab counts
        before and after (seeds 002/003).
    """
    from ..codes import tab_counts

    local = dict(cases) if isinstance(cases, Mapping) else {_case_key(c): c for c in cases}
    before = tab_counts(local.values())
    results = []
    for snapshot in snapshots:
        key = snapshot.platform_id
        case = local.get(key)
        if case is None:
            unreadable = bool(snapshot.unmapped) or platform_state_of(snapshot) is None
            if open_new is None or unreadable:
                results.append(
                    SyncResult(
                        Outcome.UNMAPPED if unreadable else Outcome.CONFLICT,
                        None,
                        None,
                        platform=platform_state_of(snapshot),
                        detail=f"no local case for {key}",
                    )
                )
                continue
            result = open_new(snapshot)
        else:
            result = reconcile(case, snapshot)
        if result.case is not None:
            local[key] = result.case
        results.append(result)
    return SyncReport(tuple(results), local, before, tab_counts(local.values()))


# --- webhook streams ---------------------------------------------------------------------------


@attrs.frozen
class _Delivered:
    """A webhook's data seen as a snapshot, timed by the envelope when the data is not."""

    platform_id: str
    order_id: str
    update_time: datetime | None
    unmapped: tuple[str, ...]
    platform_state: PlatformState | None


@attrs.frozen
class DeliveryResult:
    """What happened to one webhook delivery.

    Attributes:
        notification_id: ``tts_notification_id``.
        platform_id: The request it concerns (``None``: not after-sales).
        result: The reconcile result (``None`` for duplicates, deliveries
            that are not after-sales, and unknown requests).
        duplicate: Seen before (in this batch or in ``seen``).
        needs_refetch: The host should re-fetch the record (Search
            Cancellations / Search Returns): a type 11 delivery without its
            own update time, or a request with no local case.
        note: A sentence for the log.
    """

    notification_id: str | None
    platform_id: str | None
    result: SyncResult | None
    duplicate: bool = False
    needs_refetch: bool = False
    note: str = ""


@attrs.frozen
class StreamReport:
    """The outcome of a batch of webhook deliveries.

    Attributes:
        deliveries: One entry per delivery, in processing order (by update time).
        cases: Every local case after the batch, by platform id.
        seen: Notification ids seen so far (pass it to the next batch).
    """

    deliveries: tuple[DeliveryResult, ...]
    cases: Mapping[str, AfterSalesCase]
    seen: frozenset[str]

    @property
    def refetch(self) -> tuple[str, ...]:
        """Platform ids the host should re-fetch, once each, in order."""
        return tuple(
            dict.fromkeys(
                d.platform_id for d in self.deliveries if d.needs_refetch and d.platform_id
            )
        )


def reconcile_webhooks(
    deliveries: Iterable[Any],
    cases: Mapping[str, AfterSalesCase] | Iterable[AfterSalesCase],
    *,
    seen: Iterable[str] = (),
) -> StreamReport:
    """Reconcile a batch of webhook deliveries, received in any order, with local cases.

    Deliveries (parsed :class:`~tiktok_aftersales.platform.WebhookEnvelope`
    values) are deduplicated by notification id, ordered by the payload's
    update time (the envelope's timestamp when the payload has none), and
    reconciled one by one; older ones become ``STALE``. The platform
    guarantees no order and retries (2 min, 30 min, 3 h, 12 h), so this is
    the only safe way to apply them.

    Args:
        deliveries: Parsed webhook envelopes, in arrival order.
        cases: Local cases by platform id (or an iterable of cases).
        seen: Notification ids already processed in earlier batches.
    """
    local = dict(cases) if isinstance(cases, Mapping) else {_case_key(c): c for c in cases}
    known = set(seen)
    fresh: list[Any] = []
    results: list[DeliveryResult] = []
    for delivery in deliveries:
        nid = getattr(delivery, "notification_id", None)
        if nid is not None and nid in known:
            results.append(
                DeliveryResult(nid, getattr(delivery, "platform_id", None), None, duplicate=True)
            )
            continue
        if nid is not None:
            known.add(nid)
        fresh.append(delivery)

    def when(delivery: Any) -> tuple[int, float]:
        at = getattr(delivery, "update_time", None)
        return (0, at.timestamp()) if isinstance(at, datetime) else (1, 0.0)

    for delivery in sorted(fresh, key=when):
        nid = getattr(delivery, "notification_id", None)
        data = getattr(delivery, "data", None)
        if data is None:
            results.append(DeliveryResult(nid, None, None, note="not an after-sales webhook"))
            continue
        own_time = getattr(data, "update_time", None)
        refetch = own_time is None
        snapshot = _Delivered(
            data.platform_id,
            data.order_id,
            delivery.update_time,
            tuple(getattr(delivery, "unmapped", ()) or ()) or tuple(data.unmapped),
            platform_state_of(data),
        )
        case = local.get(snapshot.platform_id)
        if case is None:
            results.append(
                DeliveryResult(
                    nid,
                    snapshot.platform_id,
                    None,
                    needs_refetch=True,
                    note="no local case: fetch the record and open one",
                )
            )
            continue
        result = reconcile(case, snapshot)
        if result.case is not None:
            local[snapshot.platform_id] = result.case
        note = "payload has no update time (type 11): re-fetch to confirm" if refetch else ""
        results.append(DeliveryResult(nid, snapshot.platform_id, result, False, refetch, note))
    return StreamReport(tuple(results), local, frozenset(known))
