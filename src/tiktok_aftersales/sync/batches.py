"""Batches: a page of snapshots (the poll) and a batch of webhook deliveries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ._common import case_key
from .model import Outcome, PlatformState, SnapshotLike, SyncResult, platform_state_of
from .opening import NewCase
from .reconciling import reconcile

__all__ = [
    "DeliveryResult",
    "StreamReport",
    "SyncReport",
    "reconcile_webhooks",
    "sync_page",
]


# --- a page of snapshots (the poll) ------------------------------------------------------------


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
            [`opener`][tiktok_aftersales.sync.opener]); without it unknown snapshots are reported as
            ``CONFLICT`` with ``case=None`` and nothing is opened.

    Returns:
        A [`SyncReport`][tiktok_aftersales.sync.SyncReport] with every result and the grid tab
        counts before and after (seeds 002/003).
    """
    from ..codes import tab_counts

    local = dict(cases) if isinstance(cases, Mapping) else {case_key(c): c for c in cases}
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

    Deliveries (parsed [`WebhookEnvelope`][tiktok_aftersales.platform.webhooks.WebhookEnvelope]
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
    local = dict(cases) if isinstance(cases, Mapping) else {case_key(c): c for c in cases}
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
