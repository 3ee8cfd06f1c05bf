"""The canonical words of the library: request types, states, actors, regions.

Outside vocabularies (platform codes, connector tabs, ERP labels) are mapped
onto these in `tiktok_aftersales.codes`; nothing else in the library uses
outside words.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from ..errors import InvalidValue

__all__ = [
    "REGIONS",
    "AbnormalReason",
    "Actor",
    "Arbitration",
    "Disposition",
    "Event",
    "OrderKind",
    "OrderStage",
    "OrderStatus",
    "Region",
    "RequestKind",
    "RequestType",
    "ReturnMethod",
    "ReturnStatus",
    "Solution",
    "State",
    "Window",
    "member",
    "region",
]

E = TypeVar("E", bound=enum.Enum)


def member(kind: type[E], value: Any, field: str) -> E:
    """Return the member of the enum ``kind`` whose value is ``value``.

    Raises:
        InvalidValue: ``value`` names no member; the error names ``field``
            and lists the allowed values.
    """
    if value.__class__ is kind:  # already a member: what ``kind(value)`` would return
        return value
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise InvalidValue(field, value, f"one of {allowed}") from None


class RequestType(enum.StrEnum):
    """The kinds of after-sales request.

    Sources: seed 000 §1 (return & refund, refund only, exchange, abnormal
    return), seed 001 (reshipment), seed 004 (seller-initiated refund),
    platform-api.md §2f (buyer cancellation).
    """

    REFUND_ONLY = "refund_only"
    """The buyer asks for money back and keeps the item (platform ``REFUND``)."""
    RETURN_AND_REFUND = "return_and_refund"
    """The buyer sends the item back and is refunded (``RETURN_AND_REFUND``)."""
    EXCHANGE = "exchange"
    """The buyer asks for a replacement item (platform ``REPLACEMENT``)."""
    RESHIPMENT = "reshipment"
    """Missing or broken items: the seller sends them again (seed 001)."""
    ABNORMAL_RETURN = "abnormal_return"
    """A parcel comes back with no request: refused, recalled, unreachable, lost."""
    SELLER_REFUND = "seller_refund"
    """The seller refunds on its own initiative (a "blind return", seed 004)."""
    BUYER_CANCELLATION = "buyer_cancellation"
    """An order cancellation: asked by the buyer, or done directly by seller/system."""
    AFTERSALES_REQUEST = "aftersales_request"
    """A batch request: every SKU and quantity a buyer returns at once (platform-2026 §4)."""
    RMA = "rma"
    """A package-level return order made from the approved lines of a batch request."""
    SELLER_APPEAL = "seller_appeal"
    """The seller's appeal of a refund the platform approved (platform-2026 §6)."""


class State(enum.StrEnum):
    """Canonical states of an after-sales case, shared by all request types.

    Each request type uses a subset (see `tiktok_aftersales.lifecycle`).
    ``NEW`` is the pseudo-state before the opening event; a case that exists
    has always left it.
    """

    NEW = "new"
    """Before the opening event; never the state of an opened case."""
    REQUESTED = "requested"
    """Waiting for the seller's (or platform's) review."""
    REJECTED = "rejected"
    """The seller rejected the request; the buyer may dispute."""
    AWAITING_BUYER_RESPONSE = "awaiting_buyer_response"
    """The seller offered a partial refund or another solution."""
    AWAITING_BUYER_SHIPMENT = "awaiting_buyer_shipment"
    """Return approved; the buyer must ship the item back."""
    RETURN_LABEL_ISSUED = "return_label_issued"
    """Return approved and a return label was generated; not yet shipped."""
    RETURN_IN_TRANSIT = "return_in_transit"
    """The parcel is on its way back to the seller."""
    RETURN_DELIVERED = "return_delivered"
    """The parcel arrived at the seller's warehouse; waiting for inspection."""
    RECEIPT_REJECTED = "receipt_rejected"
    """The seller inspected the parcel and rejected it; the buyer may dispute."""
    REFUND_COMMITTED = "refund_committed"
    """The refund is decided (platform ``*_SUCCESS``) but not yet paid."""
    REFUNDED = "refunded"
    """The refund was paid (platform ``*_COMPLETE``)."""
    REPLACEMENT_CREATED = "replacement_created"
    """A replacement order was created for the seller to fulfil."""
    RESHIPPED = "reshipped"
    """The seller sent the missing items or a replacement."""
    WITHDRAWN = "withdrawn"
    """The buyer cancelled its own request."""
    CLOSED = "closed"
    """Closed without a refund: rejected, timed out, ruled for the seller, lost."""
    REVIEW_COMPLETED = "review_completed"
    """A batch request or package was reviewed line by line (``*_REVIEW_COMPLETED``)."""
    APPEAL_WINDOW = "appeal_window"
    """The platform approved a refund; the seller may still appeal it."""
    SELLER_COMPENSATED = "seller_compensated"
    """The platform upheld the seller's appeal and compensates the seller."""
    AWAITING_SELLER_RETURN = "awaiting_seller_return"
    """The platform told the seller to send a rejected return back to the buyer (VN)."""


class Actor(enum.StrEnum):
    """Who fires an event, named as the platform names its roles.

    The platform's ``role`` fields say ``BUYER``, ``SELLER``, ``SYSTEM`` and
    ``OPERATOR`` (``shared/reference/platform-2026.md`` §1); the carrier is
    the library's own addition.
    """

    BUYER = "buyer"
    SELLER = "seller"
    OPERATOR = "operator"
    """A TikTok Shop operator: customer service and arbitration (role ``OPERATOR``)."""
    SYSTEM = "system"
    """The platform's automation and its clock: every deadline (role ``SYSTEM``)."""
    LOGISTICS = "logistics"
    """The carrier: pickups, deliveries, returns to sender."""


class Event(enum.StrEnum):
    """Every event of every request type.

    A ``StrEnum`` (each member equals its name as a string), so hosts may
    pass the plain name. What each event means beyond its transitions (payload, offers, the
    platform call it becomes) is declared in `tiktok_aftersales.lifecycle.events`.
    """

    REQUEST = "request"
    INITIATE_REFUND = "initiate_refund"
    CANCEL_ORDER = "cancel_order"
    DETECT_RETURN = "detect_return"
    APPROVE = "approve"
    REJECT = "reject"
    OFFER_PARTIAL_REFUND = "offer_partial_refund"
    PROPOSE_ALTERNATIVE = "propose_alternative"
    ACCEPT_OFFER = "accept_offer"
    DECLINE_OFFER = "decline_offer"
    WITHDRAW = "withdraw"
    GENERATE_LABEL = "generate_label"
    SHIP_BACK = "ship_back"
    PARCEL_DELIVERED = "parcel_delivered"
    PARCEL_LOST = "parcel_lost"
    CONFIRM_RECEIPT = "confirm_receipt"
    REJECT_RECEIPT = "reject_receipt"
    REFUND_INSTEAD = "refund_instead"
    RESHIP = "reship"
    DISPUTE = "dispute"
    RULE_FOR_BUYER = "rule_for_buyer"
    RULE_FOR_SELLER = "rule_for_seller"
    CLOSE_ARBITRATION = "close_arbitration"
    CLOSE = "close"
    ORDER_SHIPPED = "order_shipped"
    COMPLETE_REFUND = "complete_refund"
    REVIEW_LINES = "review_lines"
    CREATE_RMA = "create_rma"
    UPLOAD_SHIPPING_DOCUMENT = "upload_shipping_document"
    PLATFORM_REFUND = "platform_refund"
    APPEAL = "appeal"
    REQUIRE_RETURN_TO_BUYER = "require_return_to_buyer"
    SHIP_TO_BUYER = "ship_to_buyer"
    CREATE_RETURN = "create_return"
    REFUND_AFTER_INSPECTION = "refund_after_inspection"


class Arbitration(enum.StrEnum):
    """The arbitration sub-state, beside the main state (platform ``arbitration_status``)."""

    NONE = "none"
    """No dispute was raised."""
    IN_PROGRESS = "in_progress"
    """The platform operator is deciding; seller actions are refused (25011010)."""
    SUPPORT_BUYER = "support_buyer"
    """The operator ruled for the buyer."""
    SUPPORT_SELLER = "support_seller"
    """The operator ruled for the seller."""
    CLOSED = "closed"
    """The arbitration ended without a ruling."""


class OrderStage(enum.StrEnum):
    """How far the order had gone when the request was made.

    It decides the stock effects: a refund before shipment releases allocated
    stock; a refund after shipment but before carrier pickup needs a manual
    stock-in (seed 000, Part II tip 1, "Not Pickup").
    """

    NOT_SHIPPED = "not_shipped"
    SHIPPED_NOT_PICKED_UP = "shipped_not_picked_up"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


class OrderStatus(enum.StrEnum):
    """The order's own status, as the platform names it (``platform-2026.md`` §1).

    It decides who may start which request (see
    `tiktok_aftersales.deadlines.initiative`).
    """

    UNPAID = "UNPAID"
    ON_HOLD = "ON_HOLD"
    """Paid, inside the buyer-remorse window (the UK's auto-approved cancel)."""
    AWAITING_SHIPMENT = "AWAITING_SHIPMENT"
    AWAITING_COLLECTION = "AWAITING_COLLECTION"
    """Shipped by the seller, not yet collected by the carrier."""
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    """No further returns or refunds are allowed."""
    CANCELLED = "CANCELLED"


class RequestKind(enum.StrEnum):
    """The three kinds of request the platform's initiative policy names (§1)."""

    CANCEL = "cancel"
    REFUND = "refund"
    RETURN = "return"


class OrderKind(enum.StrEnum):
    """Orders for which the platform forbids some seller decisions (platform-2026 §7)."""

    FBT = "fbt"
    """Fulfilled by TikTok: the platform handles the returned parcel (25011026)."""
    QUICK_REFUND = "quick_refund"
    """Refunded on the buyer's shipment: the seller may not reject the parcel (25011025)."""
    AUTHENTIC_GUARANTEE = "authentic_guarantee"
    """Inspected by the platform's authentication service (25011023)."""


class ReturnStatus(enum.StrEnum):
    """The return (parcel) status of seed 000 part 4, derived from a case."""

    PENDING_RETURN = "Pending Return"
    RETURNING = "Returning"
    RETURNED = "Returned"
    NO_NEED_TO_RETURN = "No Need to Return"
    NOT_PICKUP = "Not Pickup"
    OTHERS = "Others"


class Window(enum.StrEnum):
    """Named time windows after which the clock (``Actor.SYSTEM``) acts.

    The lifecycle declaration says which transition each window fires; the
    policy ([`tiktok_aftersales.deadlines.policy`][tiktok_aftersales.deadlines.policy]) says how
    long each one is.
    """

    SELLER_RESPONSE = "seller_response"
    """Seller answers a new return/refund request, or it is auto-approved."""
    SELLER_RECEIPT = "seller_receipt"
    """Seller inspects a delivered return parcel, or receipt is auto-approved."""
    BUYER_SHIP_BACK = "buyer_ship_back"
    """Buyer ships the item back after approval, or the request closes."""
    BUYER_DISPUTE = "buyer_dispute"
    """Buyer disputes (appeals) a rejection, or the request closes."""
    BUYER_OFFER_RESPONSE = "buyer_offer_response"
    """Buyer answers a partial-refund or alternative offer, or the request closes."""
    SELLER_REPLACEMENT_RESPONSE = "seller_replacement_response"
    """Seller answers a replacement request, or it is auto-accepted."""
    SELLER_CANCELLATION_RESPONSE = "seller_cancellation_response"
    """Seller answers a buyer's cancellation, or it is auto-approved."""
    REFUND_PROCESSING = "refund_processing"
    """The platform pays a committed refund (success to complete)."""
    RETURN_TRANSIT = "return_transit"
    """A return parcel with no tracking progress is treated as lost."""
    SELLER_PACKAGE_REVIEW = "seller_package_review"
    """Seller reviews a returned package of a batch return (RMA second review)."""
    SELLER_APPEAL = "seller_appeal"
    """Seller appeals a refund the platform approved, or the refund stands."""
    SELLER_RETURN_TO_BUYER = "seller_return_to_buyer"
    """Seller ships a rejected return back to the buyer when told to (VN)."""
    SELLER_SHIPPING_SLA = "seller_shipping_sla"
    """The standard shipping SLA from the order date (2 business days, US)."""


class ReturnMethod(enum.StrEnum):
    """How the buyer sends a return back: it decides the ship-back window (platform-2026 §6).

    Read from a return record's ``shipment_type`` and ``handover_method``
    (``PLATFORM`` with ``DROP_OFF`` or ``PICKUP``, or ``BUYER_ARRANGE``).
    """

    DROP_OFF = "drop_off"
    """A platform label or QR code, handed over at a drop-off point."""
    PICKUP = "pickup"
    """A platform shipment collected from the buyer by the carrier."""
    SELF_ARRANGED = "self_arranged"
    """The buyer's own carrier; the buyer uploads the tracking number."""


class Disposition(enum.StrEnum):
    """What happens to a returned item at stock-in."""

    RESTOCK = "restock"
    DAMAGED = "damaged"
    MISSING = "missing"


class AbnormalReason(enum.StrEnum):
    """Why a parcel came back with no request (seed 000 §1)."""

    REFUSED_DELIVERY = "refused_delivery"
    PLATFORM_RECALL = "platform_recall"
    BUYER_UNREACHABLE = "buyer_unreachable"
    LOGISTICS_FAILURE = "logistics_failure"


class Solution(enum.StrEnum):
    """What a seller may offer instead of what the buyer asked (seed 000, 001)."""

    PARTIAL_REFUND = "partial_refund"
    RESHIPMENT = "reshipment"
    REPLACEMENT = "replacement"


_CODE = re.compile(r"^[A-Z]{2}$")


@attrs.frozen
class Region:
    """A market that policies key on.

    Regions are values: a host adds a market by making a ``Region``; nothing
    in the library branches on a particular region.

    Attributes:
        code: ISO 3166-1 alpha-2 code, upper case (``"ID"``).
        name: A readable name.
        timezone: The IANA time zone that day windows are counted in.
        currency: The ISO 4217 currency shoppers pay in.
        weekend: ISO weekday numbers (1 = Monday … 7 = Sunday) that are not
            working days.

    """

    code: str = attrs.field()
    name: str
    timezone: str
    currency: str
    weekend: tuple[int, ...] = (6, 7)

    @code.validator
    def _check_code(self, _attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not _CODE.match(value):
            raise InvalidValue("region.code", value, "two upper-case letters (ISO 3166-1)")

    def __str__(self) -> str:
        return self.code


_KNOWN = (
    Region("US", "United States", "America/Los_Angeles", "USD"),
    Region("GB", "United Kingdom", "Europe/London", "GBP"),
    Region("ID", "Indonesia", "Asia/Jakarta", "IDR"),
    Region("MY", "Malaysia", "Asia/Kuala_Lumpur", "MYR"),
    Region("PH", "Philippines", "Asia/Manila", "PHP"),
    Region("SG", "Singapore", "Asia/Singapore", "SGD"),
    Region("TH", "Thailand", "Asia/Bangkok", "THB"),
    Region("VN", "Vietnam", "Asia/Ho_Chi_Minh", "VND"),
    Region("MX", "Mexico", "America/Mexico_City", "MXN"),
    Region("ES", "Spain", "Europe/Madrid", "EUR"),
    Region("DE", "Germany", "Europe/Berlin", "EUR"),
    Region("FR", "France", "Europe/Paris", "EUR"),
    Region("IT", "Italy", "Europe/Rome", "EUR"),
    Region("IE", "Ireland", "Europe/Dublin", "EUR"),
    Region("JP", "Japan", "Asia/Tokyo", "JPY"),
    Region("BR", "Brazil", "America/Sao_Paulo", "BRL"),
)

REGIONS: Mapping[str, Region] = MappingProxyType({r.code: r for r in _KNOWN})
"""The markets the library knows by code. Hosts may build other ``Region`` values."""


def region(code: str | Region) -> Region:
    """Return the known `Region` for a code (``"id"`` and ``"ID"`` both work).

    Raises:
        InvalidValue: The code names no known region.

    """
    if isinstance(code, Region):
        return code
    found = REGIONS.get(str(code).strip().upper())
    if found is None:
        raise InvalidValue("region", code, f"unknown region; known: {', '.join(REGIONS)}")
    return found
