"""The one way in: webhook deliveries and polled records, through one path.

The service's inbound half, written once as steps (see
[`tiktok_aftersales.app.steps`][tiktok_aftersales.app.steps]) and run by both
shells (reached as
[`AfterSalesService.receive`][tiktok_aftersales.app.service.AfterSalesService.receive],
``ingest`` and ``refetch``). For every record, in this order:

1. **verify** (webhooks): the ``Authorization`` signature
   ([`verify_signature`][tiktok_aftersales.platform.signature.verify_signature]), and the delivery's
   ``timestamp`` within the configured tolerance of its arrival, so a
   captured, validly signed delivery does not verify forever;
2. **deduplicate** on the notification id, claimed in the
   [`NotificationLog`][tiktok_aftersales.app.ports.NotificationLog] (a restart keeps it);
3. **order** a batch by platform time;
4. **find** the case by platform id through the store (or open one with the
   service's opener);
5. **reconcile** ([`tiktok_aftersales.sync.reconcile`][tiktok_aftersales.sync.reconcile]: legal
   paths only,
   platform time for ordering, host time for history, contradictions as a
   ``conflict`` outcome), **save** under the case's and the order's versions,
   and **dispatch** the effects.

A batch never stops on one record: each gets an outcome, and a record that
cannot be read or applied is kept for a re-fetch, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ..errors import (
    AfterSalesError,
    DeliveryOutsideTolerance,
    InvalidSignature,
    InvalidValue,
    OrderOverRefund,
)
from ..lifecycle import check_order
from ..platform.record import PlatformRecord, records_of
from ..platform.requests import PlatformRequest
from ..platform.responses import parse_cancellations_page, parse_returns_page
from ..platform.signature import verify_signature
from ..platform.versions import DEFAULT_VERSIONS, Endpoint
from ..platform.webhooks import WebhookEnvelope, parse_webhook
from ..sync import Outcome, SyncResult, order_records, reconcile
from ..sync.model import count_outcomes
from .orchestration import Settings, now, open_record, update
from .outbox import dispatch
from .steps import (
    Claim,
    FindByPlatformId,
    Forget,
    KeepForRefetch,
    ListRefetch,
    Refetched,
    Send,
    Settle,
    Steps,
)

__all__ = [
    "Delivery",
    "IngestReport",
    "WebhookSettings",
    "apply_record",
    "envelope_outcome",
    "ingest",
    "receive",
    "refetch",
]


@attrs.frozen
class WebhookSettings:
    """How [`receive`][tiktok_aftersales.app.service.AfterSalesService.receive] checks deliveries.

    Attributes:
        app_key: The app key (the signature covers it).
        secret: The signing secret (never shown in a repr or an error).
        tolerance: How far a delivery's ``timestamp`` may be from its arrival
            (either way: host and platform clocks may be skewed).

    """

    app_key: str
    secret: str = attrs.field(repr=False)
    tolerance: timedelta = timedelta(minutes=15)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.app_key, str) or not self.app_key:
            raise InvalidValue("app_key", self.app_key, "a non-empty string")
        if not isinstance(self.secret, str) or not self.secret:
            raise InvalidValue("secret", "<hidden>", "a non-empty string")
        if not isinstance(self.tolerance, timedelta) or self.tolerance <= timedelta(0):
            raise InvalidValue("tolerance", self.tolerance, "a positive timedelta")


@attrs.frozen
class Delivery:
    """What happened to one record (a webhook delivery or a polled record).

    Attributes:
        outcome: ``advanced``, ``new``, ``nothing_new``, ``stale``,
            ``duplicate``, ``conflict``, ``unmapped``, ``ignored`` or
            ``refused`` (see [`Outcome`][tiktok_aftersales.sync.Outcome]).
        notification_id: The webhook's notification id, when it has one.
        platform_id: The request it is about, when known.
        case: The case after it (``None`` when no case is concerned).
        detail: A sentence for the log.
        error: Why a ``refused`` record was refused.
        parts: For a webhook that carries several records (a batch refund,
            webhook 67), one delivery per record, each with its own
            notification id and outcome; the envelope's own outcome is the
            most telling of theirs (see `envelope_outcome`). Empty otherwise.

    """

    outcome: Outcome
    notification_id: str | None = None
    platform_id: str | None = None
    case: AfterSalesCase | None = None
    detail: str = ""
    error: AfterSalesError | None = None
    parts: tuple[Delivery, ...] = ()

    @property
    def status(self) -> int:
        """The HTTP status to answer the platform with: 401 for a bad signature, else 200.

        A delivery the service could not apply is kept for a re-fetch and
        still acknowledged: the platform retrying it would change nothing.
        """
        return 401 if isinstance(self.error, InvalidSignature) else 200


_TELLING = (
    Outcome.REFUSED,
    Outcome.CONFLICT,
    Outcome.UNMAPPED,
    Outcome.ADVANCED,
    Outcome.NEW,
    Outcome.STALE,
    Outcome.NOTHING_NEW,
    Outcome.DUPLICATE,
    Outcome.IGNORED,
)


def envelope_outcome(parts: Iterable[Delivery]) -> Outcome:
    """The outcome of a webhook carrying several records: the most telling of its parts.

    A refused part comes first (it is kept for a re-fetch), then a conflict,
    an unmapped record, a change (``advanced``, ``new``), and only then the
    outcomes that changed nothing. No parts: ``ignored``.
    """
    seen = {d.outcome for d in parts}
    return next((o for o in _TELLING if o in seen), Outcome.IGNORED)


@attrs.frozen
class IngestReport:
    """What one batch of records did: one ``Delivery`` per record, in processing order."""

    deliveries: tuple[Delivery, ...]

    def of(self, outcome: Outcome) -> tuple[Delivery, ...]:
        """The deliveries with one outcome."""
        return tuple(d for d in self.deliveries if d.outcome is outcome)

    @property
    def counts(self) -> Mapping[Outcome, int]:
        """How many records had each outcome (zeros included)."""
        return count_outcomes(self.deliveries)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value
    return None


def _delivery(result: SyncResult, record: PlatformRecord) -> Delivery:
    return Delivery(
        result.outcome,
        record.notification_id,
        record.platform_id,
        result.case,
        result.detail,
        result.error,
    )


def receive(
    settings: Settings,
    webhooks: WebhookSettings | None,
    body: bytes,
    headers: Mapping[str, str],
    received_at: datetime | None,
) -> Steps[Delivery]:
    """Verify, deduplicate and apply one raw webhook delivery (see the module docs)."""
    when = (yield from now()) if received_at is None else received_at
    if webhooks is None:
        raise InvalidValue("webhooks", None, "the service needs WebhookSettings to receive")
    if not isinstance(when, datetime) or when.utcoffset() is None:
        raise InvalidValue("received_at", when, "a timezone-aware datetime")
    if not isinstance(headers, Mapping):
        raise InvalidValue("headers", headers, "a mapping of header names to values")
    try:
        verify_signature(_header(headers, "Authorization"), webhooks.app_key, body, webhooks.secret)
    except InvalidSignature as error:
        return Delivery(Outcome.REFUSED, detail=str(error), error=error)
    try:
        envelope = parse_webhook(body, strict=False)
    except InvalidValue as error:
        return Delivery(Outcome.REFUSED, detail=str(error), error=error)
    stamp = envelope.timestamp
    if stamp is None or abs(when - stamp) > webhooks.tolerance:
        late = DeliveryOutsideTolerance(stamp, when, webhooks.tolerance)
        return Delivery(Outcome.REFUSED, envelope.notification_id, detail=str(late), error=late)
    try:
        records = records_of(envelope)
    except InvalidValue as error:
        return Delivery(Outcome.REFUSED, envelope.notification_id, detail=str(error), error=error)
    if not records:
        return Delivery(
            Outcome.IGNORED,
            envelope.notification_id,
            detail=f"webhook type {envelope.type} is not about an after-sales request",
        )
    if len(records) == 1:
        return (yield from _one_record(settings, records[0], when))
    parts: list[Delivery] = []
    for record in records:
        parts.append((yield from _one_record(settings, record, when)))
    outcome = envelope_outcome(parts)
    return Delivery(
        outcome,
        envelope.notification_id,
        detail=f"{len(parts)} records in one webhook (type {envelope.type})",
        error=next((d.error for d in parts if d.outcome is outcome and d.error), None),
        parts=tuple(parts),
    )


def _one_record(
    settings: Settings, record: PlatformRecord, received_at: datetime
) -> Steps[Delivery]:
    nid = record.notification_id
    logged = nid if settings.has_log else None
    if logged is not None and not (yield Claim(logged, received_at, "processing")):
        return Delivery(Outcome.DUPLICATE, nid, record.platform_id, detail="seen before")
    try:
        delivery = yield from apply_record(settings, record, received_at)
    except BaseException:
        if logged is not None:
            yield Forget(logged)
        raise
    if logged is not None:
        case_id = delivery.case.case_id if delivery.case is not None else None
        yield Settle(logged, delivery.outcome.value, case_id)
    return delivery


def ingest(
    settings: Settings, records: Iterable[object], received_at: datetime | None
) -> Steps[IngestReport]:
    """Apply a batch of records (see the module docs); one outcome each.

    Raises:
        InvalidValue: ``records`` is not a collection of records (one record
            given bare, a string, a number), or ``received_at`` is not
            timezone-aware.

    """
    when = (yield from now()) if received_at is None else received_at
    if isinstance(records, str | bytes | bytearray | Mapping) or not isinstance(records, Iterable):
        raise InvalidValue("records", type(records).__name__, "a list of platform records")
    if not isinstance(when, datetime) or when.utcoffset() is None:
        raise InvalidValue("received_at", when, "a timezone-aware datetime")
    out: list[Delivery] = []
    readable: list[PlatformRecord] = []
    for item in records:
        try:
            found = records_of(item)
        except AfterSalesError as error:
            out.append(Delivery(Outcome.REFUSED, detail=str(error), error=error))
            continue
        if not found:
            nid = item.notification_id if isinstance(item, WebhookEnvelope) else None
            out.append(Delivery(Outcome.IGNORED, nid, detail="not after-sales"))
            continue
        readable.extend(found)
    for record in order_records(readable):
        nid = record.notification_id
        logged = nid if settings.has_log else None
        if logged is not None and not (yield Claim(logged, when, "new")):
            out.append(Delivery(Outcome.DUPLICATE, nid, record.platform_id, detail="seen"))
            continue
        delivery = yield from apply_record(settings, record, when)
        if logged is not None:
            case_id = delivery.case.case_id if delivery.case is not None else None
            yield Settle(logged, delivery.outcome.value, case_id)
        out.append(delivery)
    return IngestReport(tuple(out))


def refetch(settings: Settings) -> Steps[IngestReport]:
    """Fetch every record kept for a re-fetch again and ingest what came back."""
    when = yield from now()
    if not settings.has_log:
        return IngestReport(())
    wanted = [platform_id for platform_id, _ in (yield ListRefetch())]
    if not wanted:
        return IngestReport(())
    fetched: list[object] = []
    for request, parse in _searches(wanted):
        reply = yield Send(request)
        if reply.ok:
            fetched.extend(parse(reply.data))
    report = yield from ingest(settings, fetched, when)
    for delivery in report.deliveries:
        if delivery.platform_id is not None and delivery.outcome is not Outcome.REFUSED:
            yield Refetched(delivery.platform_id)
    return report


def apply_record(
    settings: Settings, record: PlatformRecord, received_at: datetime
) -> Steps[Delivery]:
    """Find the record's case (or open one), reconcile, save and dispatch; never raise for data.

    Raises:
        Exception: Only what a port raised (a store that is down): the
            caller's delivery is then not claimed, and the platform's
            retry is handled.

    """
    try:
        case = yield FindByPlatformId(record.platform_id)
        if case is None:
            return (yield from _open(settings, record, received_at))
        result: list[SyncResult] = []

        def change(current: AfterSalesCase, order: tuple[AfterSalesCase, ...]) -> AfterSalesCase:
            found = reconcile(current, record, received_at=received_at)
            result[:] = [found]
            after = found.case if found.case is not None else current
            if after.refund is not None and after.refund != current.refund:
                try:
                    check_order(current, after, after.history[-1].event, order)
                except OrderOverRefund as exc:
                    # The platform's word is what happened: apply it, and flag it.
                    after = attrs.evolve(after, review=f"order ledger: {exc}")
            return after

        saved = yield from update(case.case_id, change, settings.max_attempts)
        dispatched = yield from dispatch(saved, settings.handled, settings.max_attempts)
        found = result[-1]
        return _delivery(attrs.evolve(found, case=dispatched), record)
    except AfterSalesError as error:
        if settings.has_log:
            yield KeepForRefetch(record.platform_id, str(error))
        return Delivery(
            Outcome.REFUSED,
            record.notification_id,
            record.platform_id,
            None,
            str(error),
            error,
        )


def _open(settings: Settings, record: PlatformRecord, received_at: datetime) -> Steps[Delivery]:
    result: Any = None
    if settings.has_opener:
        try:
            result = yield from open_record(settings, record, received_at)
        except InvalidValue:
            if not record.webhook:
                raise
            result = None  # a webhook carries no lines: fetch the record to open it
    if result is None:
        reason = "no local case: fetch the record to open one"
        if settings.has_log:
            yield KeepForRefetch(record.platform_id, reason)
        return Delivery(Outcome.CONFLICT, record.notification_id, record.platform_id, None, reason)
    if not isinstance(result, SyncResult):  # pragma: no cover - the opener returns one
        raise InvalidValue("opener", result, "must return a SyncResult")
    return _delivery(result, record)


def _searches(platform_ids: list[str]) -> list[tuple[PlatformRequest, Any]]:
    """Search requests that fetch these requests again (returns and cancellations)."""

    def returns(data: Mapping[str, Any]) -> list[object]:
        return list(parse_returns_page({"code": 0, "data": data}, strict=False).returns)

    def cancellations(data: Mapping[str, Any]) -> list[object]:
        page = parse_cancellations_page({"code": 0, "data": data}, strict=False)
        return list(page.cancellations)

    ids = sorted(set(platform_ids))
    return [
        (
            PlatformRequest(
                "search_returns",
                DEFAULT_VERSIONS.method(Endpoint.SEARCH_RETURNS),
                DEFAULT_VERSIONS.path(Endpoint.SEARCH_RETURNS),
                {"page_size": "50"},
                {"return_ids": ids},
            ),
            returns,
        ),
        (
            PlatformRequest(
                "search_cancellations",
                DEFAULT_VERSIONS.method(Endpoint.SEARCH_CANCELLATIONS),
                DEFAULT_VERSIONS.path(Endpoint.SEARCH_CANCELLATIONS),
                {"page_size": "50"},
                {"cancel_ids": ids},
            ),
            cancellations,
        ),
    ]
