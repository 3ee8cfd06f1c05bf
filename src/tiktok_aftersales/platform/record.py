"""One typed reading of every platform record: `PlatformRecord`.

The platform describes one after-sales request in many shapes: a page of the
returns or cancellations search, a legacy reverse-order page, webhooks 2, 11
and 12, a dump of any of them. Each has its own typed snapshot in this
package; `record_of` turns any of them into the one
`PlatformRecord` that sync, the service and analysis consume, so that
the same request opens the same case whichever path it came by.

**Line ids.** A record keeps both ids of each line, each under its own name:
``order_line_id`` (the order's line item, the same across every request of
the order) and ``return_line_id`` (the request's own line). A case's lines use
**order-line ids**: that is what makes the order ledger add up across the
cases of one order. `PlatformRecord.order_lines` applies the rule.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from ..deadlines.shipback import method_of_fields
from ..domain.case import PlatformDeadline
from ..domain.money import Breakdown, Money, OrderLine
from ..domain.vocabulary import Actor, Arbitration, RequestType, ReturnMethod, State
from ..errors import InvalidValue
from .batch import AftersalesRequestStatusUpdate, RefundSuccess, RmaStatusUpdate
from .records import CancellationSnapshot, LegacyReverseSnapshot, ReturnSnapshot
from .values import LineItem
from .webhooks import (
    CancellationStatusChange,
    ReturnStatusChange,
    ReverseStatusUpdate,
    WebhookEnvelope,
)

__all__ = ["PlatformRecord", "RecordLine", "RecordSource", "record_of", "records_of"]


class RecordSource(enum.StrEnum):
    """Where a record came from."""

    RETURN = "return"
    """A return record (returns search, or a dump of one)."""
    CANCELLATION = "cancellation"
    """A cancellation record (cancellations search)."""
    LEGACY_REVERSE = "legacy_reverse"
    """A legacy reverse order (before API 202309)."""
    WEBHOOK_RETURN = "webhook_12"
    """Webhook 12, return status change."""
    WEBHOOK_CANCELLATION = "webhook_11"
    """Webhook 11, cancellation status change."""
    WEBHOOK_REVERSE = "webhook_2"
    """Webhook 2, legacy reverse status update."""
    WEBHOOK_AFTERSALES = "webhook_64"
    """Webhook 64, a batch request's status (names no order)."""
    WEBHOOK_RMA = "webhook_65"
    """Webhook 65, a return package's status (names no order)."""
    WEBHOOK_REFUND = "webhook_67"
    """Webhook 67, a refund of the per-SKU requests of a batch (one record per request)."""


@attrs.frozen
class RecordLine:
    """One line of a platform record.

    Attributes:
        order_line_id: The order's line item id (what a case's lines use).
        return_line_id: The request's own line id (``return_line_item_id``
            or ``cancel_line_item_id``), when the record has one.
        sku_id: The SKU, when given.
        refund: The line's refund breakdown, when given.

    """

    order_line_id: str
    return_line_id: str | None = None
    sku_id: str | None = None
    refund: Breakdown | None = None


@attrs.frozen
class PlatformRecord:
    """What the platform says about one after-sales request, however it said it.

    Attributes:
        source: Where it came from.
        platform_id: The platform's id of the request (return, cancel or
            reverse-order id).
        order_id: The order (``None`` only for webhooks 64 and 65, which name none).
        request_type: The request type the record most likely is (``None``:
            unmapped or ambiguous; for webhook 67, any type: sync takes the
            local case's, see ``typed_by_case``).
        states: Every canonical state the record can mean for that type.
        arbitration: The arbitration sub-state, when reported.
        role: Who the platform says started the request, when it says.
        update_time: When the platform last changed the request (platform time).
        create_time: When the request was made, when given.
        lines: Its lines, when the record carries them (webhooks do not).
        partial_refund: A partial refund the seller offered, when given.
        platform_deadline: The platform's deadline for the seller's next action.
        notification_id: The webhook's ``tts_notification_id`` (webhooks only).
        unmapped: Fields whose values no vocabulary knows.
        timed_by_envelope: The data had no update time of its own and the
            webhook envelope's timestamp stands in (re-fetch to confirm).
        typed_by_case: The record says where a request is but not its type
            (webhook 67: a per-SKU refund); it is read with the type of the
            case it is about (`PlatformRecord.for_type`).
        return_method: How the buyer sends the return back, read from a
            return record's ``shipment_type`` and ``handover_method`` (it
            decides the ship-back window), when it says.

    """

    source: RecordSource
    platform_id: str
    order_id: str | None
    request_type: RequestType | None
    states: frozenset[State]
    arbitration: Arbitration | None = None
    role: Actor | None = None
    update_time: datetime | None = None
    create_time: datetime | None = None
    lines: tuple[RecordLine, ...] = ()
    partial_refund: Money | None = None
    platform_deadline: PlatformDeadline | None = None
    notification_id: str | None = None
    unmapped: tuple[str, ...] = ()
    timed_by_envelope: bool = False
    typed_by_case: bool = False
    return_method: ReturnMethod | None = None

    @property
    def webhook(self) -> bool:
        """Whether it came from a webhook (which carries no lines or amounts)."""
        return self.source in _WEBHOOKS

    def for_type(self, request_type: RequestType) -> PlatformRecord:
        """The record read as a request of ``request_type`` (only when ``typed_by_case``).

        A record that names its own type is returned as it is.
        """
        if not self.typed_by_case:
            return self
        return attrs.evolve(self, request_type=request_type, typed_by_case=False)

    def order_lines(self) -> tuple[OrderLine, ...]:
        """The case lines this record implies: one per order line with a refund amount.

        Lines are keyed by **order-line id**; a line repeated (one return line
        per unit of the same order line) is kept once.

        Raises:
            InvalidValue: The record carries no line with an amount (a
                webhook, or a record without refunds): the host must give
                the order's lines.

        """
        out: list[OrderLine] = []
        seen: set[str] = set()
        for line in self.lines:
            if line.refund is None or not line.refund.total.is_positive:
                continue
            if line.order_line_id in seen:
                continue
            seen.add(line.order_line_id)
            out.append(OrderLine(line.order_line_id, line.sku_id or "?", line.refund))
        if not out:
            raise InvalidValue(
                "record.lines",
                self.platform_id,
                "no line with a refund amount: give the order's lines",
            )
        return tuple(out)


_WEBHOOKS = frozenset(
    {
        RecordSource.WEBHOOK_RETURN,
        RecordSource.WEBHOOK_CANCELLATION,
        RecordSource.WEBHOOK_REVERSE,
        RecordSource.WEBHOOK_AFTERSALES,
        RecordSource.WEBHOOK_RMA,
        RecordSource.WEBHOOK_REFUND,
    }
)


def _line(item: LineItem) -> RecordLine:
    refund = item.refund.breakdown if item.refund is not None else None
    return RecordLine(
        order_line_id=item.order_line_item_id or item.line_item_id,
        return_line_id=item.line_item_id or None,
        sku_id=item.sku_id or item.seller_sku,
        refund=refund,
    )


def _record(
    source: RecordSource, snapshot: Any, *, notification_id: str | None = None, **extra: object
) -> PlatformRecord:
    def attr(name: str) -> Any:
        return getattr(snapshot, name, None)

    platform_id = attr("platform_id")
    order_id = attr("order_id")
    orderless = source in (RecordSource.WEBHOOK_AFTERSALES, RecordSource.WEBHOOK_RMA)
    if not isinstance(platform_id, str) or not (
        isinstance(order_id, str) or (orderless and order_id is None)
    ):
        raise InvalidValue("record", platform_id, "a record needs the request's and the order's id")
    fields: dict[str, object] = {
        "source": source,
        "platform_id": platform_id,
        "order_id": order_id,
        "request_type": attr("request_type"),
        "states": frozenset(attr("states") or ()),
        "arbitration": attr("arbitration"),
        "update_time": attr("update_time"),
        "create_time": attr("create_time"),
        "unmapped": tuple(attr("unmapped") or ()),
        "notification_id": notification_id,
    }
    fields.update(extra)
    return PlatformRecord(**fields)  # type: ignore[arg-type]


def record_of(value: object) -> PlatformRecord:
    """Read any platform snapshot, webhook or record into the one `PlatformRecord`.

    Args:
        value: A parsed return, cancellation or legacy reverse record, a
            parsed webhook envelope (types 2, 11, 12, 64, 65, and 67 when it
            refunds one request) or its data, or a `PlatformRecord`
            (returned as it is).

    Raises:
        InvalidValue: ``value`` is none of these (a webhook of another type
            or without data included).

    """
    if isinstance(value, PlatformRecord):
        return value
    if isinstance(value, WebhookEnvelope):
        found = records_of(value)
        if len(found) != 1:
            raise InvalidValue(
                "webhook.type",
                value.type,
                "not an after-sales webhook with one record (read several with records_of)",
            )
        return found[0]
    if isinstance(value, ReturnSnapshot):
        return _record(
            RecordSource.RETURN,
            value,
            role=value.actor,
            lines=tuple(_line(x) for x in value.line_items),
            partial_refund=value.partial_refund,
            platform_deadline=value.platform_deadline,
            return_method=method_of_fields(value.shipment_type, value.handover_method),
        )
    if isinstance(value, CancellationSnapshot):
        return _record(
            RecordSource.CANCELLATION,
            value,
            role=value.actor,
            lines=tuple(_line(x) for x in value.line_items),
            platform_deadline=value.platform_deadline,
        )
    if isinstance(value, LegacyReverseSnapshot):
        return _record(RecordSource.LEGACY_REVERSE, value, create_time=value.request_time)
    if isinstance(value, ReturnStatusChange):
        return _record(RecordSource.WEBHOOK_RETURN, value, role=_role(value.return_role))
    if isinstance(value, CancellationStatusChange):
        return _record(RecordSource.WEBHOOK_CANCELLATION, value, role=_role(value.role))
    if isinstance(value, ReverseStatusUpdate):
        return _record(RecordSource.WEBHOOK_REVERSE, value)
    if isinstance(value, AftersalesRequestStatusUpdate):
        return _record(RecordSource.WEBHOOK_AFTERSALES, value, role=_role(value.return_role))
    if isinstance(value, RmaStatusUpdate):
        return _record(RecordSource.WEBHOOK_RMA, value, role=_role(value.return_role))
    raise InvalidValue("record", type(value).__name__, "a platform record, snapshot or webhook")


def records_of(value: object) -> tuple[PlatformRecord, ...]:
    """Every record a value carries: one for a snapshot, several for a batch refund webhook.

    A webhook envelope of type 2, 11, 12, 64 or 65 carries one record;
    webhook 67 (REFUND_SUCCESS) carries one per per-SKU return request it
    lists (``line_items[].sku_return_request_id``): the legacy returns the
    money moves on. Each such record says the request is refunded
    (``refunded`` [I: REFUND_SUCCESS comes with the refund's time: paid]),
    names its order (``main_order_id``), leaves the request type to the
    local case (``typed_by_case``), and has its own notification id, the
    envelope's followed by ``/`` and the request's id, so a repeated
    delivery is a duplicate for each. Any other webhook (66, a product
    appeal; a type the library does not know) carries none.

    Raises:
        InvalidValue: ``value`` is not a platform record, snapshot or
            webhook; or a webhook 67 line names no per-SKU request or no order.

    """
    if not isinstance(value, WebhookEnvelope):
        return (record_of(value),)
    inner: PlatformRecord
    if value.data is not None:
        inner = record_of(value.data)
    elif isinstance(value.batch, AftersalesRequestStatusUpdate | RmaStatusUpdate):
        inner = record_of(value.batch)
    elif isinstance(value.batch, RefundSuccess):
        return _refunds(value, value.batch)
    else:
        return ()
    return (
        attrs.evolve(
            inner,
            notification_id=value.notification_id,
            update_time=inner.update_time or value.timestamp,
            timed_by_envelope=inner.update_time is None,
            unmapped=tuple(dict.fromkeys((*value.unmapped, *inner.unmapped))),
        ),
    )


def _refunds(envelope: WebhookEnvelope, data: RefundSuccess) -> tuple[PlatformRecord, ...]:
    out: dict[str, PlatformRecord] = {}
    refunded = frozenset({State.REFUNDED}) if not data.unmapped else frozenset()
    for i, line in enumerate(data.line_items):
        where = f"data.line_items[{i}]"
        if not line.sku_return_request_id:
            raise InvalidValue(f"{where}.sku_return_request_id", None, "the refunded request")
        if not line.main_order_id:
            raise InvalidValue(f"{where}.main_order_id", None, "the refunded order")
        key = line.sku_return_request_id
        if key in out:
            continue
        nid = envelope.notification_id
        out[key] = PlatformRecord(
            RecordSource.WEBHOOK_REFUND,
            key,
            line.main_order_id,
            None,
            refunded,
            update_time=data.update_time or envelope.timestamp,
            notification_id=None if nid is None else f"{nid}/{key}",
            unmapped=tuple(dict.fromkeys((*envelope.unmapped, *data.unmapped))),
            timed_by_envelope=data.update_time is None,
            typed_by_case=True,
        )
    return tuple(out.values())


_ROLES = {"BUYER": Actor.BUYER, "SELLER": Actor.SELLER, "SYSTEM": Actor.SYSTEM}
_ROLES["OPERATOR"] = Actor.OPERATOR


def _role(value: object) -> Actor | None:
    text = getattr(value, "value", value)
    return _ROLES.get(text) if isinstance(text, str) else None
