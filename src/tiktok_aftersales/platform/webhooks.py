"""Webhook deliveries: the types, their typed data, the envelope and `parse_webhook`."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from ..codes import (
    CANCEL_STATUS,
    LEGACY_EVENT_TYPE,
    LEGACY_STATUS,
    LEGACY_TYPE,
    LEGACY_USER,
    RETURN_STATUS,
    RETURN_TYPE,
    ROLE,
    CancelStatusCode,
    Canonical,
    LegacyEventType,
    LegacyStatus,
    LegacyType,
    LegacyUser,
    ReturnStatusCode,
    ReturnTypeCode,
    RoleCode,
)
from ..domain.vocabulary import RequestType
from ..errors import InvalidValue
from ._canonical import Reading, legacy_request_types, narrow_candidates
from ._reader import Reader, int_code, parse_int, short_value, typed_code

__all__ = [
    "AFTER_SALES_WEBHOOKS",
    "CancellationStatusChange",
    "ReturnStatusChange",
    "ReverseStatusUpdate",
    "WebhookEnvelope",
    "WebhookType",
    "parse_webhook",
]

# --- webhooks ----------------------------------------------------------------------------------


class WebhookType(enum.IntEnum):
    """Webhook ``type`` numbers the library recognises (platform-api.md §4)."""

    ORDER_STATUS_CHANGE = 1
    REVERSE_STATUS_UPDATE = 2
    """Legacy reverse-order status (after-sales)."""
    RECIPIENT_ADDRESS_UPDATE = 3
    PACKAGE_UPDATE = 4
    PRODUCT_STATUS_CHANGE = 5
    SELLER_DEAUTHORIZATION = 6
    UPCOMING_AUTHORIZATION_EXPIRATION = 7
    CANCELLATION_STATUS_CHANGE = 11
    """After-sales: a cancellation's status changed."""
    RETURN_STATUS_CHANGE = 12
    """After-sales: a return's status changed."""
    NEW_CONVERSATION = 13
    NEW_MESSAGE = 14
    AFTERSALES_REQUEST_STATUS_UPDATE = 64
    RMA_STATUS_UPDATE = 65
    APPEAL_COMPLETED = 66
    REFUND_SUCCESS = 67


AFTER_SALES_WEBHOOKS: frozenset[WebhookType] = frozenset(
    {
        WebhookType.REVERSE_STATUS_UPDATE,
        WebhookType.CANCELLATION_STATUS_CHANGE,
        WebhookType.RETURN_STATUS_CHANGE,
    }
)
"""The webhook types parsed into typed data (the 2026 batch-return types are not yet)."""


@attrs.frozen
class ReturnStatusChange(Reading):
    """Webhook 12 data: a return's status changed.

    Attributes:
        order_id: The order.
        return_id: The return.
        return_role: Who acted (``return_role``).
        return_type: ``return_type``.
        return_status: ``return_status`` (13 values; the webhook never sends
            ``AWAITING_BUYER_RESPONSE``).
        create_time: When the return was created.
        update_time: When it changed; order deliveries by it.
        unmapped: Fields whose values no vocabulary knew (tolerant mode).

    """

    order_id: str
    return_id: str
    return_role: RoleCode | str | None
    return_type: ReturnTypeCode | str | None
    return_status: ReturnStatusCode | str
    create_time: datetime | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the new status can mean (empty: unmapped)."""
        if not isinstance(self.return_status, ReturnStatusCode):
            return frozenset()
        types: frozenset[RequestType] | None = None
        if isinstance(self.return_type, ReturnTypeCode):
            types = RETURN_TYPE.reverse[self.return_type]
        elif self.return_type is not None:
            return frozenset()
        return narrow_candidates(RETURN_STATUS.reverse[self.return_status], types)

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``return_id``)."""
        return self.return_id

    def _initiated_by_seller(self) -> bool:
        return self.return_role is RoleCode.SELLER


@attrs.frozen
class CancellationStatusChange(Reading):
    """Webhook 11 data: a cancellation's status changed.

    The documented example carries ``create_time`` only; live deliveries carry
    ``update_time`` only. Use
    [`WebhookEnvelope.update_time`][tiktok_aftersales.platform.webhooks.WebhookEnvelope.update_time],
    which falls back on the envelope's ``timestamp``, or re-fetch through Search Cancellations.
    """

    order_id: str
    cancel_id: str
    role: RoleCode | str | None
    cancel_status: CancelStatusCode | str
    create_time: datetime | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the new status can mean (empty: unmapped)."""
        if not isinstance(self.cancel_status, CancelStatusCode):
            return frozenset()
        return CANCEL_STATUS.reverse[self.cancel_status]

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``cancel_id``)."""
        return self.cancel_id


@attrs.frozen
class ReverseStatusUpdate(Reading):
    """Webhook 2 data (legacy): a reverse order's status changed.

    Live deliveries send ``reverse_type`` 1 (the third-party CANCEL) and
    ``reverse_event_type`` ``UNSUPPORTED`` for system cancellations.
    """

    order_id: str
    reverse_order_id: str
    reverse_order_status: LegacyStatus | int
    reverse_type: LegacyType | int | None
    reverse_user: LegacyUser | int | None = None
    reverse_event_type: LegacyEventType | str | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the new status can mean (empty: unmapped)."""
        if not isinstance(self.reverse_order_status, LegacyStatus):
            return frozenset()
        types: frozenset[RequestType] | None = None
        if self.reverse_type is not None:
            types = legacy_request_types(self.reverse_type)
            if types is None:
                return frozenset()
        return narrow_candidates(LEGACY_STATUS.reverse[self.reverse_order_status], types)

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``reverse_order_id``)."""
        return self.reverse_order_id


WebhookData = ReturnStatusChange | CancellationStatusChange | ReverseStatusUpdate


@attrs.frozen
class WebhookEnvelope:
    """A webhook delivery.

    Attributes:
        type: The ``type`` number.
        kind: The known [`WebhookType`][tiktok_aftersales.platform.webhooks.WebhookType] (``None``:
            a number the library does not know; still no error).
        notification_id: ``tts_notification_id``: deduplicate on it.
        shop_id: The shop (absent on some newer types).
        timestamp: When the platform sent it.
        data: Typed data for types 2, 11 and 12; ``None`` for the others.
        raw_data: The ``data`` object as received (read-only view).
        unmapped: Fields of ``data`` whose values no vocabulary knew.

    """

    type: int
    kind: WebhookType | None
    notification_id: str | None
    shop_id: str | None
    timestamp: datetime | None
    data: WebhookData | None
    raw_data: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    unmapped: tuple[str, ...] = ()

    @property
    def is_after_sales(self) -> bool:
        """Whether the delivery is a return, cancellation or legacy reverse update."""
        return self.data is not None

    @property
    def update_time(self) -> datetime | None:
        """When the change happened: ``data.update_time``, else the envelope's ``timestamp``."""
        if self.data is not None and self.data.update_time is not None:
            return self.data.update_time
        return self.timestamp

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the delivery can mean (empty: none or unmapped)."""
        return self.data.candidates if self.data is not None else frozenset()

    @property
    def platform_id(self) -> str | None:
        """The request's platform id (``None`` for deliveries that are not after-sales)."""
        return self.data.platform_id if self.data is not None else None

    @property
    def order_id(self) -> str | None:
        """The order (``None`` for deliveries that are not after-sales)."""
        return self.data.order_id if self.data is not None else None


def _webhook_12(r: Reader) -> ReturnStatusChange:
    role = r.opt_code("return_role", ROLE)
    kind = r.opt_code("return_type", RETURN_TYPE)
    status = r.code("return_status", RETURN_STATUS)
    return ReturnStatusChange(
        r.id("order_id"),
        r.id("return_id"),
        None if role is None else typed_code(role, RoleCode),
        None if kind is None else typed_code(kind, ReturnTypeCode),
        typed_code(status, ReturnStatusCode),
        r.opt_time("create_time"),
        r.opt_time("update_time"),
    )


def _webhook_11(r: Reader) -> CancellationStatusChange:
    role = r.opt_code("cancellations_role", ROLE)
    if role is None:
        role = r.opt_code("role", ROLE)
    status = r.code("cancel_status", CANCEL_STATUS)
    return CancellationStatusChange(
        r.id("order_id"),
        r.id("cancel_id"),
        None if role is None else typed_code(role, RoleCode),
        typed_code(status, CancelStatusCode),
        r.opt_time("create_time"),
        r.opt_time("update_time"),
    )


def _webhook_2(r: Reader) -> ReverseStatusUpdate:
    status = r.code("reverse_order_status", LEGACY_STATUS)
    kind = r.opt_code("reverse_type", LEGACY_TYPE)
    user = r.opt_code("reverse_user", LEGACY_USER)
    event = r.opt_code("reverse_event_type", LEGACY_EVENT_TYPE)
    return ReverseStatusUpdate(
        r.id("order_id"),
        r.id("reverse_order_id"),
        int_code(status, LegacyStatus, r.field("reverse_order_status")),
        None if kind is None else int_code(kind, LegacyType, r.field("reverse_type")),
        None if user is None else int_code(user, LegacyUser, r.field("reverse_user")),
        None if event is None else typed_code(event, LegacyEventType),
        r.opt_time("update_time"),
    )


_PARSERS: Mapping[WebhookType, Callable[[Reader], WebhookData]] = MappingProxyType(
    {
        WebhookType.RETURN_STATUS_CHANGE: _webhook_12,
        WebhookType.CANCELLATION_STATUS_CHANGE: _webhook_11,
        WebhookType.REVERSE_STATUS_UPDATE: _webhook_2,
    }
)


def _decode(body: bytes | bytearray | str | Mapping[str, Any]) -> Any:
    if isinstance(body, Mapping):
        return body
    if isinstance(body, bytes | bytearray | str):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise InvalidValue("body", short_value(body), "a JSON object") from None
    raise InvalidValue("body", short_value(body), "bytes, a string or a decoded JSON object")


def parse_webhook(
    body: bytes | bytearray | str | Mapping[str, Any], *, strict: bool = True
) -> WebhookEnvelope:
    """Parse a webhook delivery (the raw body or its decoded JSON).

    Types 2, 11 and 12 get typed ``data``; any other number (known or not)
    is returned with ``data=None`` and no error, so a host can acknowledge
    it. Verify the signature on the raw bytes first
    ([`tiktok_aftersales.platform.verify_signature`][tiktok_aftersales.platform.signature.verify_signature]).

    Raises:
        UnknownCode: Strict mode met an unknown status, type or role in 2, 11 or 12.
        InvalidValue: The body is not a JSON object, ``type`` is not an
            integer, or the data of 2, 11 or 12 is malformed.

    """
    r = Reader(_decode(body), "", strict)
    number = parse_int("type", r.required("type"))
    try:
        kind: WebhookType | None = WebhookType(number)
    except ValueError:
        kind = None
    timestamp = r.opt_time("timestamp")
    notification = r.opt_id("tts_notification_id")
    shop = r.opt_id("shop_id")
    raw = r.raw("data")
    data: WebhookData | None = None
    unmapped: tuple[str, ...] = ()
    parse = _PARSERS.get(kind) if kind is not None else None
    if parse is not None:
        reader = r.child("data", required=True)
        assert reader is not None
        data = attrs.evolve(parse(reader), unmapped=tuple(sorted(reader.unmapped)))
        unmapped = data.unmapped
    view: Mapping[str, Any] = (
        MappingProxyType(dict(raw)) if isinstance(raw, Mapping) else MappingProxyType({})
    )
    return WebhookEnvelope(number, kind, notification, shop, timestamp, data, view, unmapped)
