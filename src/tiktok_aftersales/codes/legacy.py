"""The legacy reverse-order API vocabularies (``/api/reverse/...``, before 202309).

Sources: ``platform-api.md`` §1a (``reverse_status_value``), §1b
(``reverse_type``, ``reverse_user``, ``reverse_event_type``); webhook type 2
(§4; a live delivery carries ``reverse_type`` 1, the third-party ``CANCEL``).
The legacy API knew refund-only, return-and-refund and cancellations; it had no
replacement, reshipment or seller-created refunds.
"""

from __future__ import annotations

import enum

from ..domain.vocabulary import Actor, RequestType
from ..domain.vocabulary import State as S
from .base import Canonical, Vocabulary, per_type

__all__ = [
    "LEGACY_EVENT_TYPE",
    "LEGACY_STATUS",
    "LEGACY_TYPE",
    "LEGACY_USER",
    "LegacyEventType",
    "LegacyStatus",
    "LegacyType",
    "LegacyUser",
]


class LegacyStatus(enum.IntEnum):
    """``reverse_status_value`` / ``reverse_order_status`` (§1a)."""

    AFTERSALE_APPLYING = 1
    AFTERSALE_REJECT_APPLICATION = 2
    AFTERSALE_RETURNING = 3
    AFTERSALE_BUYER_SHIPPED = 4
    AFTERSALE_SELLER_REJECT_RECEIVE = 5
    AFTERSALE_SUCCESS = 50
    """Approved: the refund will be made (committed, not paid)."""
    CANCEL_SUCCESS = 51
    """The buyer cancelled (withdrew) the request. The name is CANCEL_SUCCESS, not CANCEL."""
    CLOSED = 99
    COMPLETE = 100


class LegacyType(enum.IntEnum):
    """``reverse_type`` (§1b). 1 is only in third-party enums, but live webhooks send it."""

    CANCEL = 1
    """A direct cancellation by the seller or system (third-party name) [3P]."""
    REFUND_ONLY = 2
    RETURN_AND_REFUND = 3
    REQUEST_CANCEL = 4
    """The buyer's cancellation request."""


class LegacyUser(enum.IntEnum):
    """``reverse_user`` of webhook 2 (§1b, third-party enums)."""

    BUYER = 1
    SELLER = 2
    OPERATOR = 3
    SYSTEM = 4


class LegacyEventType(enum.StrEnum):
    """``reverse_event_type`` of webhook 2 (§1b). Live deliveries also send ``UNSUPPORTED``."""

    ORDER_REQUEST_CANCEL = "ORDER_REQUEST_CANCEL"
    ORDER_RETURN = "ORDER_RETURN"
    ORDER_REFUND = "ORDER_REFUND"
    UNSUPPORTED = "UNSUPPORTED"
    """Seen in a live type-2 delivery of a system cancellation (fixtures SOURCES.md)."""


L = LegacyStatus

LEGACY_STATUS: Vocabulary[Canonical, LegacyStatus] = Vocabulary.from_table(
    "reverse_status_value",
    "TikTok Shop legacy reverse API: reverse_status_value (and webhook 2 reverse_order_status)",
    "platform-api.md §1a",
    LegacyStatus,
    per_type(
        {
            RequestType.REFUND_ONLY: {
                S.REQUESTED: L.AFTERSALE_APPLYING,
                S.REJECTED: L.AFTERSALE_REJECT_APPLICATION,
                # [I] the legacy API has no offer state: the request is still applying.
                S.AWAITING_BUYER_RESPONSE: L.AFTERSALE_APPLYING,
                S.REFUND_COMMITTED: L.AFTERSALE_SUCCESS,
                S.REFUNDED: L.COMPLETE,
                S.CLOSED: L.CLOSED,
                S.WITHDRAWN: L.CANCEL_SUCCESS,
            },
            RequestType.RETURN_AND_REFUND: {
                S.REQUESTED: L.AFTERSALE_APPLYING,
                S.REJECTED: L.AFTERSALE_REJECT_APPLICATION,
                S.AWAITING_BUYER_RESPONSE: L.AFTERSALE_APPLYING,
                S.AWAITING_BUYER_SHIPMENT: L.AFTERSALE_RETURNING,
                S.RETURN_LABEL_ISSUED: L.AFTERSALE_RETURNING,
                S.RETURN_IN_TRANSIT: L.AFTERSALE_BUYER_SHIPPED,
                S.RETURN_DELIVERED: L.AFTERSALE_BUYER_SHIPPED,
                S.RECEIPT_REJECTED: L.AFTERSALE_SELLER_REJECT_RECEIVE,
                # [I] still the rejected return while the seller sends it back (VN)
                S.AWAITING_SELLER_RETURN: L.AFTERSALE_SELLER_REJECT_RECEIVE,
                S.REFUND_COMMITTED: L.AFTERSALE_SUCCESS,
                S.REFUNDED: L.COMPLETE,
                # [I] settled by an accepted alternative: closed without a refund.
                S.RESHIPPED: L.CLOSED,
                S.REPLACEMENT_CREATED: L.CLOSED,
                S.CLOSED: L.CLOSED,
                S.WITHDRAWN: L.CANCEL_SUCCESS,
            },
            RequestType.BUYER_CANCELLATION: {
                S.REQUESTED: L.AFTERSALE_APPLYING,
                S.REFUND_COMMITTED: L.AFTERSALE_SUCCESS,
                S.REFUNDED: L.COMPLETE,
                S.CLOSED: L.CLOSED,
                S.WITHDRAWN: L.CANCEL_SUCCESS,
            },
            RequestType.EXCHANGE: None,
            RequestType.RESHIPMENT: None,
            RequestType.ABNORMAL_RETURN: None,
            RequestType.AFTERSALES_REQUEST: None,
            RequestType.RMA: None,
            RequestType.SELLER_APPEAL: None,
            RequestType.SELLER_REFUND: None,
        }
    ),
    absent="the legacy reverse API had no such request type",
)
"""``reverse_status_value`` <-> canonical ``(type, state)``; 51 is withdrawn, 99 closed."""

LEGACY_TYPE: Vocabulary[tuple[RequestType, str], LegacyType] = Vocabulary.from_table(
    "reverse_type",
    "TikTok Shop legacy reverse API: reverse_type",
    "platform-api.md §1b; webhook 2 live capture (reverse_type 1)",
    LegacyType,
    {
        (RequestType.REFUND_ONLY, "request"): LegacyType.REFUND_ONLY,
        (RequestType.RETURN_AND_REFUND, "request"): LegacyType.RETURN_AND_REFUND,
        (RequestType.BUYER_CANCELLATION, "request"): LegacyType.REQUEST_CANCEL,
        (RequestType.BUYER_CANCELLATION, "cancel_order"): LegacyType.CANCEL,
        (RequestType.EXCHANGE, "request"): None,
        (RequestType.RESHIPMENT, "request"): None,
        (RequestType.ABNORMAL_RETURN, "detect_return"): None,
        (RequestType.AFTERSALES_REQUEST, "request"): None,
        (RequestType.RMA, "create_rma"): None,
        (RequestType.SELLER_APPEAL, "platform_refund"): None,
        (RequestType.SELLER_REFUND, "initiate_refund"): None,
        # [I] seller-created returns came with Create Return (202309), after the legacy API.
        (RequestType.RETURN_AND_REFUND, "create_return"): None,
    },
    absent="the legacy reverse API had no such request type",
)
"""``reverse_type`` <-> ``(request type, opening event)``."""

LEGACY_USER: Vocabulary[Actor, LegacyUser] = Vocabulary.from_table(
    "reverse_user",
    "TikTok Shop legacy webhook 2: reverse_user",
    "platform-api.md §1b [3P]",
    LegacyUser,
    {
        Actor.BUYER: LegacyUser.BUYER,
        Actor.SELLER: LegacyUser.SELLER,
        Actor.OPERATOR: LegacyUser.OPERATOR,
        Actor.SYSTEM: LegacyUser.SYSTEM,
        Actor.LOGISTICS: None,
    },
    absent="the legacy API names no carrier",
)
"""``reverse_user`` <-> actor."""

LEGACY_EVENT_TYPE: Vocabulary[tuple[RequestType, str], LegacyEventType] = Vocabulary.from_table(
    "reverse_event_type",
    "TikTok Shop legacy webhook 2: reverse_event_type",
    "platform-api.md §1b [3P]; webhook 2 live capture (UNSUPPORTED)",
    LegacyEventType,
    {
        (RequestType.REFUND_ONLY, "request"): LegacyEventType.ORDER_REFUND,
        (RequestType.RETURN_AND_REFUND, "request"): LegacyEventType.ORDER_RETURN,
        (RequestType.BUYER_CANCELLATION, "request"): LegacyEventType.ORDER_REQUEST_CANCEL,
        # The live delivery of a system cancellation (reverse_type 1) says UNSUPPORTED.
        (RequestType.BUYER_CANCELLATION, "cancel_order"): LegacyEventType.UNSUPPORTED,
        (RequestType.EXCHANGE, "request"): None,
        (RequestType.RESHIPMENT, "request"): None,
        (RequestType.ABNORMAL_RETURN, "detect_return"): None,
        (RequestType.AFTERSALES_REQUEST, "request"): None,
        (RequestType.RMA, "create_rma"): None,
        (RequestType.SELLER_APPEAL, "platform_refund"): None,
        (RequestType.SELLER_REFUND, "initiate_refund"): None,
        (RequestType.RETURN_AND_REFUND, "create_return"): None,  # [I] as for reverse_type
    },
    absent="the legacy API had no such request type",
)
"""``reverse_event_type`` <-> ``(request type, opening event)``."""
