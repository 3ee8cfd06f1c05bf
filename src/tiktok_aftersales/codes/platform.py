"""The current TikTok Shop Return & Refund API vocabularies (``/return_refund/...``).

Every table is written once, canonical -> platform, and keyed on the lifecycle
declaration's own keys; the platform -> canonical direction is derived
([`candidates`][tiktok_aftersales.codes.base.Vocabulary.candidates]). Sources:
``platform-api.md`` §2b (return_status), §2c (return_type, role,
arbitration_status, seller_next_action_response.action), §2d (decisions), §2f
(cancellations); ``payload-shapes.md`` §1, §3, §6.

``[I]`` in a comment marks an inference where the sources are silent.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ..domain.vocabulary import Actor, Arbitration, RequestType
from ..domain.vocabulary import State as S
from ..lifecycle import LIFECYCLES
from .base import Canonical, Vocabulary, per_type

__all__ = [
    "ARBITRATION",
    "CANCEL_STATUS",
    "CANCEL_TYPE",
    "DECISION",
    "OUTBOUND",
    "RETURN_STATUS",
    "RETURN_TYPE",
    "ROLE",
    "SELLER_ACTION",
    "TERMINAL_RETURN_STATUSES",
    "ArbitrationCode",
    "CancelStatusCode",
    "CancelTypeCode",
    "DecisionCode",
    "DecisionEndpoint",
    "Outbound",
    "ReturnStatusCode",
    "ReturnTypeCode",
    "RoleCode",
    "SellerActionCode",
    "seller_events",
]


class ReturnStatusCode(enum.StrEnum):
    """``return_status`` of a return record and of webhook 12 (§2b, 14 values)."""

    RETURN_OR_REFUND_REQUEST_PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
    REFUND_OR_RETURN_REQUEST_REJECT = "REFUND_OR_RETURN_REQUEST_REJECT"
    """Note the word order: REFUND_OR_RETURN."""
    AWAITING_BUYER_SHIP = "AWAITING_BUYER_SHIP"
    BUYER_SHIPPED_ITEM = "BUYER_SHIPPED_ITEM"
    REJECT_RECEIVE_PACKAGE = "REJECT_RECEIVE_PACKAGE"
    RETURN_OR_REFUND_REQUEST_SUCCESS = "RETURN_OR_REFUND_REQUEST_SUCCESS"
    """The refund is committed, not yet paid."""
    RETURN_OR_REFUND_REQUEST_CANCEL = "RETURN_OR_REFUND_REQUEST_CANCEL"
    RETURN_OR_REFUND_REQUEST_COMPLETE = "RETURN_OR_REFUND_REQUEST_COMPLETE"
    """The refund was paid."""
    REPLACEMENT_REQUEST_PENDING = "REPLACEMENT_REQUEST_PENDING"
    REPLACEMENT_REQUEST_REJECT = "REPLACEMENT_REQUEST_REJECT"
    REPLACEMENT_REQUEST_REFUND_SUCCESS = "REPLACEMENT_REQUEST_REFUND_SUCCESS"
    REPLACEMENT_REQUEST_CANCEL = "REPLACEMENT_REQUEST_CANCEL"
    REPLACEMENT_REQUEST_COMPLETE = "REPLACEMENT_REQUEST_COMPLETE"
    AWAITING_BUYER_RESPONSE = "AWAITING_BUYER_RESPONSE"
    """The seller offered a partial refund or another solution (not sent by webhook 12)."""


class ReturnTypeCode(enum.StrEnum):
    """``return_type`` of a return record (§2c)."""

    REFUND = "REFUND"
    RETURN_AND_REFUND = "RETURN_AND_REFUND"
    REPLACEMENT = "REPLACEMENT"


class RoleCode(enum.StrEnum):
    """``role`` / ``return_role`` / ``cancellations_role`` (§2c, §2f, §4)."""

    BUYER = "BUYER"
    SELLER = "SELLER"
    OPERATOR = "OPERATOR"
    SYSTEM = "SYSTEM"


class ArbitrationCode(enum.StrEnum):
    """``arbitration_status`` of a return record (§2c); absent when there is no dispute."""

    IN_PROGRESS = "IN_PROGRESS"
    SUPPORT_BUYER = "SUPPORT_BUYER"
    SUPPORT_SELLER = "SUPPORT_SELLER"
    CLOSED = "CLOSED"


class DecisionCode(enum.StrEnum):
    """The ``decision`` of Approve Return (6 values) and Reject Return (4 values), §2d."""

    APPROVE_REFUND = "APPROVE_REFUND"
    APPROVE_RETURN = "APPROVE_RETURN"
    APPROVE_RECEIVED_PACKAGE = "APPROVE_RECEIVED_PACKAGE"
    APPROVE_REPLACEMENT = "APPROVE_REPLACEMENT"
    ISSUE_REPLACEMENT_REFUND = "ISSUE_REPLACEMENT_REFUND"
    OFFER_PARTIAL_REFUND = "OFFER_PARTIAL_REFUND"
    REJECT_REFUND = "REJECT_REFUND"
    REJECT_RETURN = "REJECT_RETURN"
    REJECT_RECEIVED_PACKAGE = "REJECT_RECEIVED_PACKAGE"
    """Spelled RECEIVED, while the status is REJECT_RECEIVE_PACKAGE."""
    REJECT_REPLACEMENT = "REJECT_REPLACEMENT"

    @property
    def is_approval(self) -> bool:
        """Whether the decision goes to the Approve Return endpoint."""
        return not self.value.startswith("REJECT_")


class CancelStatusCode(enum.StrEnum):
    """``cancel_status`` of a cancellation record and of webhook 11 (§2f)."""

    CANCELLATION_REQUEST_PENDING = "CANCELLATION_REQUEST_PENDING"
    CANCELLATION_REQUEST_SUCCESS = "CANCELLATION_REQUEST_SUCCESS"
    CANCELLATION_REQUEST_CANCELLED = "CANCELLATION_REQUEST_CANCELLED"
    """The search filter and Cancel Order spell it ``CANCELLATION_REQUEST_CANCEL``."""
    CANCELLATION_REQUEST_COMPLETE = "CANCELLATION_REQUEST_COMPLETE"


class CancelTypeCode(enum.StrEnum):
    """``cancel_type`` of a cancellation record (§2f)."""

    CANCEL = "CANCEL"
    """Done directly by the seller, system or operator."""
    BUYER_CANCEL = "BUYER_CANCEL"
    """Asked by the buyer; needs the seller's (or the system's) approval."""


class SellerActionCode(enum.StrEnum):
    """``seller_next_action_response[].action`` (§2c, §2f)."""

    SELLER_RESPOND_REFUND = "SELLER_RESPOND_REFUND"
    SELLER_RESPOND_RETURN = "SELLER_RESPOND_RETURN"
    SELLER_RESPOND_RECEIVE_PACKAGE = "SELLER_RESPOND_RECEIVE_PACKAGE"
    SELLER_RESPOND_REPLACEMENT = "SELLER_RESPOND_REPLACEMENT"
    SELLER_RESPOND_CANCEL = "SELLER_RESPOND_CANCEL"


class DecisionEndpoint(enum.StrEnum):
    """The platform endpoint a seller decision is sent to (§2a).

    The values show the 202309 paths; the version a request is sent with is
    data (`tiktok_aftersales.platform.versions`, newest documented by default).
    """

    APPROVE_RETURN = "POST /return_refund/202309/returns/{id}/approve"
    REJECT_RETURN = "POST /return_refund/202309/returns/{id}/reject"
    APPROVE_CANCELLATION = "POST /return_refund/202309/cancellations/{id}/approve"
    REJECT_CANCELLATION = "POST /return_refund/202309/cancellations/{id}/reject"


# --- return_status -----------------------------------------------------------------------

R = ReturnStatusCode

RETURN_STATUS: Vocabulary[Canonical, ReturnStatusCode] = Vocabulary.from_table(
    "return_status",
    "TikTok Shop Return & Refund API: return_status (search returns, webhook 12)",
    "platform-api.md §2b",
    ReturnStatusCode,
    per_type(
        {
            RequestType.REFUND_ONLY: {
                S.REQUESTED: R.RETURN_OR_REFUND_REQUEST_PENDING,
                S.REJECTED: R.REFUND_OR_RETURN_REQUEST_REJECT,
                S.AWAITING_BUYER_RESPONSE: R.AWAITING_BUYER_RESPONSE,
                S.REFUND_COMMITTED: R.RETURN_OR_REFUND_REQUEST_SUCCESS,
                S.REFUNDED: R.RETURN_OR_REFUND_REQUEST_COMPLETE,
                S.CLOSED: R.RETURN_OR_REFUND_REQUEST_CANCEL,
                S.WITHDRAWN: R.RETURN_OR_REFUND_REQUEST_CANCEL,
            },
            RequestType.RETURN_AND_REFUND: {
                S.REQUESTED: R.RETURN_OR_REFUND_REQUEST_PENDING,
                S.REJECTED: R.REFUND_OR_RETURN_REQUEST_REJECT,
                S.AWAITING_BUYER_RESPONSE: R.AWAITING_BUYER_RESPONSE,
                S.AWAITING_BUYER_SHIPMENT: R.AWAITING_BUYER_SHIP,
                S.RETURN_LABEL_ISSUED: R.AWAITING_BUYER_SHIP,
                S.RETURN_IN_TRANSIT: R.BUYER_SHIPPED_ITEM,
                S.RETURN_DELIVERED: R.BUYER_SHIPPED_ITEM,
                S.RECEIPT_REJECTED: R.REJECT_RECEIVE_PACKAGE,
                S.AWAITING_SELLER_RETURN: R.REJECT_RECEIVE_PACKAGE,  # [I] still the rejected return
                S.REFUND_COMMITTED: R.RETURN_OR_REFUND_REQUEST_SUCCESS,
                S.REFUNDED: R.RETURN_OR_REFUND_REQUEST_COMPLETE,
                # [I] settled by an accepted alternative: the return ends without a refund.
                S.RESHIPPED: R.RETURN_OR_REFUND_REQUEST_CANCEL,
                S.REPLACEMENT_CREATED: R.RETURN_OR_REFUND_REQUEST_CANCEL,
                S.CLOSED: R.RETURN_OR_REFUND_REQUEST_CANCEL,
                S.WITHDRAWN: R.RETURN_OR_REFUND_REQUEST_CANCEL,
            },
            RequestType.EXCHANGE: {
                S.REQUESTED: R.REPLACEMENT_REQUEST_PENDING,
                S.REJECTED: R.REPLACEMENT_REQUEST_REJECT,
                S.AWAITING_BUYER_RESPONSE: R.AWAITING_BUYER_RESPONSE,
                S.REFUND_COMMITTED: R.REPLACEMENT_REQUEST_REFUND_SUCCESS,
                S.REFUNDED: R.REPLACEMENT_REQUEST_REFUND_SUCCESS,
                S.REPLACEMENT_CREATED: R.REPLACEMENT_REQUEST_COMPLETE,
                S.CLOSED: R.REPLACEMENT_REQUEST_CANCEL,
                S.WITHDRAWN: R.REPLACEMENT_REQUEST_CANCEL,
            },
            # Seller-created returns (Create Return, role SELLER) [I: same codes as refunds].
            # A seller refund is committed at once (platform-2026 §3): no pending status.
            RequestType.SELLER_REFUND: {
                S.REFUND_COMMITTED: R.RETURN_OR_REFUND_REQUEST_SUCCESS,
                S.REFUNDED: R.RETURN_OR_REFUND_REQUEST_COMPLETE,
            },
            RequestType.RESHIPMENT: None,
            RequestType.ABNORMAL_RETURN: None,
            RequestType.AFTERSALES_REQUEST: None,
            RequestType.RMA: None,
            RequestType.SELLER_APPEAL: None,
            RequestType.BUYER_CANCELLATION: None,
        }
    ),
    absent=(
        "not a return record: reshipments exist only in Seller Centre (seed 001), abnormal "
        "returns have no request, cancellations use cancel_status"
    ),
    aliases={
        # Overview prose aliases (§2b): not API values, but integrators copy them.
        "REQUEST_SUCCESS": R.RETURN_OR_REFUND_REQUEST_SUCCESS,
        "REQUEST_REJECTED": R.REFUND_OR_RETURN_REQUEST_REJECT,
        "RECEIVE_REJECTED": R.REJECT_RECEIVE_PACKAGE,
        "RETURN_OR_REFUND_CANCEL": R.RETURN_OR_REFUND_REQUEST_CANCEL,
        # Webhook-12 trigger list typo (§2b, §6 item 5).
        "RETURN_OR_REFUND__REQUEST_CANCELLED": R.RETURN_OR_REFUND_REQUEST_CANCEL,
        "RETURN_OR_REFUND_REQUEST_CANCELLED": R.RETURN_OR_REFUND_REQUEST_CANCEL,
        # The word order everyone expects, and the decision's RECEIVED spelling.
        "RETURN_OR_REFUND_REQUEST_REJECT": R.REFUND_OR_RETURN_REQUEST_REJECT,
        "REJECT_RECEIVED_PACKAGE": R.REJECT_RECEIVE_PACKAGE,
    },
)
"""``return_status`` <-> canonical ``(type, state)``."""

TERMINAL_RETURN_STATUSES: frozenset[ReturnStatusCode] = frozenset(
    code
    for code, keys in RETURN_STATUS.reverse.items()
    if keys and all(k.state in LIFECYCLES[k.request_type].terminal for k in keys)
)
"""Statuses every canonical meaning of which is terminal (derived)."""


# --- return_type, role, arbitration --------------------------------------------------------

RETURN_TYPE: Vocabulary[RequestType, ReturnTypeCode] = Vocabulary.from_table(
    "return_type",
    "TikTok Shop Return & Refund API: return_type",
    "platform-api.md §2c",
    ReturnTypeCode,
    {
        RequestType.REFUND_ONLY: ReturnTypeCode.REFUND,
        RequestType.RETURN_AND_REFUND: ReturnTypeCode.RETURN_AND_REFUND,
        RequestType.EXCHANGE: ReturnTypeCode.REPLACEMENT,
        # Create Return (seller) takes REFUND or RETURN_AND_REFUND; a blind refund is REFUND.
        RequestType.SELLER_REFUND: ReturnTypeCode.REFUND,
        RequestType.RESHIPMENT: None,
        RequestType.ABNORMAL_RETURN: None,
        RequestType.AFTERSALES_REQUEST: None,
        RequestType.RMA: None,
        RequestType.SELLER_APPEAL: None,
        RequestType.BUYER_CANCELLATION: None,
    },
    absent="not a return record (see return_status)",
)
"""``return_type`` <-> request type."""

ROLE: Vocabulary[Actor, RoleCode] = Vocabulary.from_table(
    "role",
    "TikTok Shop API: role / return_role / cancellations_role",
    "platform-api.md §2c, §2f, §4; the records example spells it 'Buyer'",
    RoleCode,
    {
        Actor.BUYER: RoleCode.BUYER,
        Actor.SELLER: RoleCode.SELLER,
        Actor.OPERATOR: RoleCode.OPERATOR,
        Actor.SYSTEM: RoleCode.SYSTEM,
        Actor.LOGISTICS: None,
    },
    absent="the platform names no carrier role",
)
"""``role`` <-> actor (``OPERATOR`` is platform customer service)."""

ARBITRATION: Vocabulary[Arbitration, ArbitrationCode] = Vocabulary.from_table(
    "arbitration_status",
    "TikTok Shop Return & Refund API: arbitration_status",
    "platform-api.md §2c",
    ArbitrationCode,
    {
        Arbitration.NONE: None,
        Arbitration.IN_PROGRESS: ArbitrationCode.IN_PROGRESS,
        Arbitration.SUPPORT_BUYER: ArbitrationCode.SUPPORT_BUYER,
        Arbitration.SUPPORT_SELLER: ArbitrationCode.SUPPORT_SELLER,
        Arbitration.CLOSED: ArbitrationCode.CLOSED,
    },
    absent="no dispute: the field is absent or null",
)
"""``arbitration_status`` <-> the arbitration sub-state."""


# --- cancellations ---------------------------------------------------------------------------

C = CancelStatusCode

CANCEL_STATUS: Vocabulary[Canonical, CancelStatusCode] = Vocabulary.from_table(
    "cancel_status",
    "TikTok Shop Return & Refund API: cancel_status (search cancellations, webhook 11)",
    "platform-api.md §2f",
    CancelStatusCode,
    per_type(
        {
            RequestType.BUYER_CANCELLATION: {
                S.REQUESTED: C.CANCELLATION_REQUEST_PENDING,
                S.REFUND_COMMITTED: C.CANCELLATION_REQUEST_SUCCESS,
                S.REFUNDED: C.CANCELLATION_REQUEST_COMPLETE,
                S.CLOSED: C.CANCELLATION_REQUEST_CANCELLED,
                S.WITHDRAWN: C.CANCELLATION_REQUEST_CANCELLED,
            },
            RequestType.REFUND_ONLY: None,
            RequestType.RETURN_AND_REFUND: None,
            RequestType.EXCHANGE: None,
            RequestType.RESHIPMENT: None,
            RequestType.ABNORMAL_RETURN: None,
            RequestType.AFTERSALES_REQUEST: None,
            RequestType.RMA: None,
            RequestType.SELLER_APPEAL: None,
            RequestType.SELLER_REFUND: None,
        }
    ),
    absent="not a cancellation",
    aliases={
        "CANCELLATION_REQUEST_CANCEL": C.CANCELLATION_REQUEST_CANCELLED,
        "CANCELLATION_REQUEST_CANCELED": C.CANCELLATION_REQUEST_CANCELLED,
    },
)
"""``cancel_status`` <-> canonical ``(type, state)``; both CANCELLED spellings accepted."""

CANCEL_TYPE: Vocabulary[str, CancelTypeCode] = Vocabulary.from_table(
    "cancel_type",
    "TikTok Shop Return & Refund API: cancel_type",
    "platform-api.md §2f",
    CancelTypeCode,
    {
        "request": CancelTypeCode.BUYER_CANCEL,
        "cancel_order": CancelTypeCode.CANCEL,
    },
    absent="(every opening of a cancellation has a cancel_type)",
    aliases={
        # The Search Cancellations doc example (a pending buyer request); legacy
        # reverse_action_type REQUEST_CANCEL_REFUND = 4 is the buyer's request [I].
        "REQUEST_CANCEL_REFUND": CancelTypeCode.BUYER_CANCEL,
    },
)
"""``cancel_type`` <-> the opening event of a ``buyer_cancellation`` case."""


# --- seller_next_action_response.action ----------------------------------------------------

A = SellerActionCode

SELLER_ACTION: Vocabulary[Canonical, SellerActionCode] = Vocabulary.from_table(
    "seller_next_action",
    "TikTok Shop Return & Refund API: seller_next_action_response[].action",
    "platform-api.md §2c, §2f; payload-shapes.md §1",
    SellerActionCode,
    per_type(
        {
            RequestType.REFUND_ONLY: {
                S.REQUESTED: A.SELLER_RESPOND_REFUND,
                S.REJECTED: None,
                S.AWAITING_BUYER_RESPONSE: None,
                S.REFUND_COMMITTED: None,
                S.REFUNDED: None,
                S.CLOSED: None,
                S.WITHDRAWN: None,
            },
            RequestType.RETURN_AND_REFUND: {
                S.REQUESTED: A.SELLER_RESPOND_RETURN,
                S.REJECTED: None,
                S.AWAITING_BUYER_RESPONSE: None,
                S.AWAITING_BUYER_SHIPMENT: None,
                S.RETURN_LABEL_ISSUED: None,
                S.RETURN_IN_TRANSIT: None,
                S.RETURN_DELIVERED: A.SELLER_RESPOND_RECEIVE_PACKAGE,
                S.RECEIPT_REJECTED: None,
                S.AWAITING_SELLER_RETURN: None,  # [I] still the rejected return
                S.REFUND_COMMITTED: None,
                S.REFUNDED: None,
                S.RESHIPPED: None,
                S.REPLACEMENT_CREATED: None,
                S.CLOSED: None,
                S.WITHDRAWN: None,
            },
            RequestType.EXCHANGE: {
                S.REQUESTED: A.SELLER_RESPOND_REPLACEMENT,
                S.REJECTED: None,
                S.AWAITING_BUYER_RESPONSE: None,
                S.REFUND_COMMITTED: None,
                S.REFUNDED: None,
                S.REPLACEMENT_CREATED: None,
                S.CLOSED: None,
                S.WITHDRAWN: None,
            },
            RequestType.BUYER_CANCELLATION: {
                S.REQUESTED: A.SELLER_RESPOND_CANCEL,
                S.REFUND_COMMITTED: None,
                S.REFUNDED: None,
                S.CLOSED: None,
                S.WITHDRAWN: None,
            },
            RequestType.RESHIPMENT: None,
            RequestType.ABNORMAL_RETURN: None,
            RequestType.AFTERSALES_REQUEST: None,
            RequestType.RMA: None,
            RequestType.SELLER_APPEAL: None,
            RequestType.SELLER_REFUND: None,
        }
    ),
    absent="no seller action is awaited (or the type has no platform record)",
)
"""The seller action the platform awaits in a state (its ``deadline`` is the platform's)."""


# --- outbound decisions ----------------------------------------------------------------------


@attrs.frozen
class Outbound:
    """How a seller event reaches the platform.

    Attributes:
        endpoint: The endpoint to call.
        decision: The ``decision`` value of the body (``None`` for
            cancellations, whose endpoints take none).

    """

    endpoint: DecisionEndpoint
    decision: DecisionCode | None = None


def seller_events() -> tuple[tuple[RequestType, str], ...]:
    """Every ``(request type, event)`` the declaration lets the seller fire (derived)."""
    out: dict[tuple[RequestType, str], None] = {}
    for kind, lc in LIFECYCLES.items():
        for t in lc.transitions:
            if Actor.SELLER in t.actors:
                out.setdefault((kind, t.event), None)
    return tuple(out)


D = DecisionCode
E = DecisionEndpoint


def _approve(decision: DecisionCode) -> Outbound:
    return Outbound(E.APPROVE_RETURN, decision)


def _reject(decision: DecisionCode) -> Outbound:
    return Outbound(E.REJECT_RETURN, decision)


OUTBOUND: Mapping[tuple[RequestType, str], Outbound | None] = MappingProxyType(
    {
        (RequestType.REFUND_ONLY, "approve"): _approve(D.APPROVE_REFUND),
        (RequestType.REFUND_ONLY, "reject"): _reject(D.REJECT_REFUND),
        (RequestType.REFUND_ONLY, "offer_partial_refund"): _approve(D.OFFER_PARTIAL_REFUND),
        # APPROVE_RETURN; with buyer_keep_item=true it is a returnless refund.
        (RequestType.RETURN_AND_REFUND, "approve"): _approve(D.APPROVE_RETURN),
        (RequestType.RETURN_AND_REFUND, "reject"): _reject(D.REJECT_RETURN),
        (RequestType.RETURN_AND_REFUND, "offer_partial_refund"): _approve(D.OFFER_PARTIAL_REFUND),
        (RequestType.RETURN_AND_REFUND, "confirm_receipt"): _approve(D.APPROVE_RECEIVED_PACKAGE),
        (RequestType.RETURN_AND_REFUND, "reject_receipt"): _reject(D.REJECT_RECEIVED_PACKAGE),
        # Alternatives are proposed in Seller Centre; the API has no decision for them.
        (RequestType.RETURN_AND_REFUND, "propose_alternative"): None,
        (RequestType.EXCHANGE, "approve"): _approve(D.APPROVE_REPLACEMENT),
        (RequestType.EXCHANGE, "reject"): _reject(D.REJECT_REPLACEMENT),
        (RequestType.EXCHANGE, "refund_instead"): _approve(D.ISSUE_REPLACEMENT_REFUND),
        (RequestType.EXCHANGE, "offer_partial_refund"): _approve(D.OFFER_PARTIAL_REFUND),
        # Reshipment requests exist only in Seller Centre (seed 001).
        (RequestType.RESHIPMENT, "reship"): None,
        (RequestType.RESHIPMENT, "refund_instead"): None,
        (RequestType.RESHIPMENT, "reject"): None,
        (RequestType.RESHIPMENT, "offer_partial_refund"): None,
        (RequestType.RESHIPMENT, "propose_alternative"): None,
        # Opening a request is Create Return / Cancel Order, not a decision on one.
        (RequestType.SELLER_REFUND, "initiate_refund"): None,
        (RequestType.BUYER_CANCELLATION, "cancel_order"): None,
        (RequestType.RETURN_AND_REFUND, "create_return"): None,
        (RequestType.BUYER_CANCELLATION, "approve"): Outbound(E.APPROVE_CANCELLATION),
        (RequestType.BUYER_CANCELLATION, "reject"): Outbound(E.REJECT_CANCELLATION),
        # Shipping the package rejects a pending buyer cancel (US); no decision call.
        (RequestType.BUYER_CANCELLATION, "order_shipped"): None,
        # The VN return to the buyer is reported to customer service, not an API decision.
        (RequestType.RETURN_AND_REFUND, "ship_to_buyer"): None,
        # [I] The legacy Approve/Reject Return pages document no partial refund after
        # inspection; the batch review's OFFER_PARTIAL_REFUND_AFTER_RECEIVING_PKG carries it
        # for packages (platform-2026 §4b), Seller Centre for the rest (§7).
        (RequestType.RETURN_AND_REFUND, "refund_after_inspection"): None,
        # Batch requests and packages are reviewed through /aftersales/review
        # (tiktok_aftersales.platform.batch), not the legacy decision endpoints.
        (RequestType.AFTERSALES_REQUEST, "approve"): None,
        (RequestType.AFTERSALES_REQUEST, "reject"): None,
        (RequestType.AFTERSALES_REQUEST, "review_lines"): None,
        (RequestType.RMA, "upload_shipping_document"): None,
        (RequestType.RMA, "confirm_receipt"): None,
        (RequestType.RMA, "reject_receipt"): None,
        (RequestType.RMA, "review_lines"): None,
        # The seller's appeal is filed in Seller Centre; no API is known (platform-2026 §6).
        (RequestType.SELLER_APPEAL, "appeal"): None,
    }
)
"""Every seller-fired ``(type, event)`` -> the platform call, or ``None`` (no API call)."""

DECISION: Vocabulary[tuple[RequestType, str], DecisionCode] = Vocabulary.from_table(
    "decision",
    "TikTok Shop Return & Refund API: Approve / Reject Return decision",
    "platform-api.md §2d; payload-shapes.md §6",
    DecisionCode,
    {key: (out.decision if out is not None else None) for key, out in OUTBOUND.items()},
    absent="no decision value: cancellations, Seller-Centre-only actions, openings",
    aliases={
        "REJECT_RECEIVE_PACKAGE": D.REJECT_RECEIVED_PACKAGE,
        "APPROVE_RECEIVE_PACKAGE": D.APPROVE_RECEIVED_PACKAGE,
    },
)
"""``decision`` <-> the seller's lifecycle event per request type (derived from OUTBOUND)."""
