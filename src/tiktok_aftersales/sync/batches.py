"""A batch of platform records: a poll's page, a batch of webhooks, a dump.

[`sync_page`][tiktok_aftersales.sync.sync_page] is the pure batch path: records (search pages,
webhooks,
legacy pages, in any mix) are deduplicated on their notification id, ordered
by platform time, and reconciled one by one with the local cases; each gets
an outcome and the batch never stops on one bad record. A webhook of the
batch-return model is read for every record it carries (``records_of``): a
webhook 67 that refunds three per-SKU requests is three records, three
outcomes. The application
service's one way in
([`tiktok_aftersales.app.AfterSalesService.receive`][tiktok_aftersales.app.service.AfterSalesService.receive]
and [`ingest`][tiktok_aftersales.app.service.AfterSalesService.ingest]) applies the same
rule per record under the store's concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ..errors import AfterSalesError
from ..platform.record import PlatformRecord, records_of
from ..platform.webhooks import WebhookEnvelope
from ._common import case_key
from .model import Outcome, SyncResult, count_outcomes, platform_state_of
from .opening import NewCase
from .reconciling import reconcile

__all__ = ["SyncReport", "order_records", "sync_page"]


@attrs.frozen
class SyncReport:
    """What one batch did to the local cases.

    Attributes:
        results: One result per record, in processing order (platform time).
        cases: Every local case after the batch, by platform id.
        seen: Notification ids seen so far (pass it to the next batch).
        tabs_before: Connector grid tab counts before.
        tabs_after: Connector grid tab counts after.

    """

    results: tuple[SyncResult, ...]
    cases: Mapping[str, AfterSalesCase]
    seen: frozenset[str]
    tabs_before: Any
    tabs_after: Any

    def of(self, outcome: Outcome) -> tuple[SyncResult, ...]:
        """The results with one outcome."""
        return tuple(r for r in self.results if r.outcome is outcome)

    @property
    def counts(self) -> Mapping[Outcome, int]:
        """How many records had each outcome (zeros included)."""
        return count_outcomes(self.results)

    @property
    def refetch(self) -> tuple[str, ...]:
        """Platform ids to fetch again, once each.

        Refused records, webhooks whose data has no update time of its own
        (type 11: the envelope's time stands in), and webhooks about requests
        with no local case (a webhook carries no lines to open one).
        """
        ids = (
            r.record.platform_id
            for r in self.results
            if r.record is not None
            and r.outcome is not Outcome.DUPLICATE
            and (
                r.outcome is Outcome.REFUSED
                or r.record.timed_by_envelope
                or (r.case is None and r.record.webhook)
            )
        )
        return tuple(dict.fromkeys(ids))


def order_records(records: Iterable[PlatformRecord]) -> list[PlatformRecord]:
    """Records in platform-time order (records without a time last, in arrival order)."""

    def when(record: PlatformRecord) -> tuple[int, float]:
        at = record.update_time
        return (0, at.timestamp()) if isinstance(at, datetime) else (1, 0.0)

    return sorted(records, key=when)


def sync_page(
    cases: Mapping[str, AfterSalesCase] | Iterable[AfterSalesCase],
    records: Iterable[object],
    *,
    open_new: NewCase | None = None,
    seen: Iterable[str] = (),
) -> SyncReport:
    """Reconcile a batch of platform records (a poll's page, webhooks, a dump) with local cases.

    Args:
        cases: The local cases, by platform id (or an iterable: keyed by
            ``platform_id``, else ``case_id``).
        records: Parsed records in any mix: ``parse_returns_page(...).records``,
            parsed webhooks, `PlatformRecord`.
        open_new: How to open a case for an unknown record (see
            [`opener`][tiktok_aftersales.sync.opener]); without it unknown records are reported as
            ``CONFLICT`` with ``case=None`` and nothing is opened.
        seen: Notification ids processed in earlier batches.

    Returns:
        A [`SyncReport`][tiktok_aftersales.sync.SyncReport]: one result per record, the cases, the
        notification ids seen, and the grid tab counts before and after.

    """
    from ..codes import tab_counts

    local = dict(cases) if isinstance(cases, Mapping) else {case_key(c): c for c in cases}
    before = tab_counts(local.values())
    known = set(seen)
    results: list[SyncResult] = []
    readable: list[PlatformRecord] = []
    for item in records:
        if isinstance(item, WebhookEnvelope) and not item.is_after_sales:
            note = f"webhook type {item.type} is not about an after-sales request"
            results.append(SyncResult(Outcome.IGNORED, None, None, detail=note))
            continue
        try:
            found = records_of(item)
        except AfterSalesError as error:
            results.append(SyncResult(Outcome.REFUSED, None, None, detail=str(error), error=error))
            continue
        for record in found:
            nid = record.notification_id
            if nid is not None and nid in known:
                results.append(
                    SyncResult(Outcome.DUPLICATE, None, None, detail=f"seen {nid}", record=record)
                )
                continue
            if nid is not None:
                known.add(nid)
            readable.append(record)
    for record in order_records(readable):
        results.append(_one(local, record, open_new))
    return SyncReport(tuple(results), local, frozenset(known), before, tab_counts(local.values()))


def _one(
    local: dict[str, AfterSalesCase], record: PlatformRecord, open_new: NewCase | None
) -> SyncResult:
    key = record.platform_id
    case = local.get(key)
    try:
        if case is None:
            target = platform_state_of(record)
            unreadable = bool(record.unmapped) or (target is None and not record.typed_by_case)
            if open_new is None or unreadable or record.typed_by_case:
                return SyncResult(
                    Outcome.UNMAPPED if unreadable else Outcome.CONFLICT,
                    None,
                    None,
                    platform=target,
                    detail=f"no local case for {key}",
                    record=record,
                )
            result = open_new(record)
        else:
            result = reconcile(case, record)
    except AfterSalesError as error:
        return SyncResult(
            Outcome.REFUSED, case, case, detail=str(error), record=record, error=error
        )
    if result.case is not None:
        local[key] = result.case
    return attrs.evolve(result, record=record)
