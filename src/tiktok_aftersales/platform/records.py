"""Return, cancellation and legacy reverse-order records, read into frozen snapshots."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

from ..codes import (
    ARBITRATION,
    CANCEL_STATUS,
    CANCEL_TYPE,
    LEGACY_STATUS,
    LEGACY_TYPE,
    RETURN_STATUS,
    RETURN_TYPE,
    ROLE,
    ArbitrationCode,
    CancelStatusCode,
    CancelTypeCode,
    Canonical,
    LegacyStatus,
    LegacyType,
    ReturnStatusCode,
    ReturnTypeCode,
    RoleCode,
)
from ..domain.case import PlatformDeadline
from ..domain.money import Money
from ..domain.vocabulary import Actor, Arbitration, RequestType
from ..errors import InvalidValue
from ._canonical import Reading, legacy_request_types, narrow_candidates, seller_deadline
from ._reader import Reader, int_code, short_value, typed_code
from .values import (
    Discount,
    LineItem,
    RefundAmount,
    ReturnShippingFee,
    SellerAction,
    line_item_reader,
    read_discount,
    read_refund_amount,
    read_seller_action,
    read_shipping_fee,
)

__all__ = [
    "CancellationSnapshot",
    "LegacyItem",
    "LegacyRecord",
    "LegacyReverseSnapshot",
    "ReturnSnapshot",
    "parse_cancellation",
    "parse_legacy_reverse",
    "parse_return",
]

T = TypeVar("T")


def _partial_refund(r: Reader) -> Money | None:
    c = r.currency()
    return r.money("amount", c)


def _listish(r: Reader, name: str, parse: Callable[[Reader], T]) -> tuple[T, ...]:
    """A list of objects, or (leniently) one object where a list is documented."""
    if isinstance(r.raw(name), Mapping):
        one = r.nested(name, parse)
        return () if one is None else (one,)
    return r.items(name, parse)


# --- return record -----------------------------------------------------------------------------

_RETURN_FIELDS = frozenset(
    {
        "return_id", "order_id", "return_type", "return_status", "arbitration_status", "role",
        "return_reason", "return_reason_text", "create_time", "update_time",
        "seller_next_action_response", "refund_amount", "return_line_items", "discount_amount",
        "shipping_fee_amount", "return_shipping_fee_amount", "shipment_type", "handover_method",
        "return_method", "return_shipping_document_type", "return_tracking_number",
        "return_provider_name", "return_provider_id", "return_warehouse_address",
        "pre_return_id", "next_return_id", "is_combined_return", "combined_return_id",
        "can_buyer_keep_item", "seller_proposed_return_type", "partial_refund",
        "buyer_rejected_partial_refund", "is_quick_refund",
    }
)  # fmt: skip


@attrs.frozen
class ReturnSnapshot(Reading):
    """A return record of the current API (Search Returns ``return_orders[]``).

    Codes are the vocabulary enums, or the raw value when tolerant parsing
    met an unknown one (its field is then named in ``unmapped``).

    Attributes:
        return_id: The platform's return id (the case's ``platform_id``).
        order_id: The order.
        return_type: ``return_type``.
        return_status: ``return_status``.
        role: ``role``.
        arbitration_status: ``arbitration_status`` (``None``: no dispute).
        return_reason: The reason key.
        return_reason_text: The localized reason.
        create_time: When the return was created.
        update_time: When it last changed (order updates by it).
        seller_next_actions: ``seller_next_action_response`` entries.
        refund: The return-level refund breakdown.
        line_items: The lines, each with its own refund.
        discounts: ``discount_amount`` entries.
        shipping_fees: ``shipping_fee_amount`` entries.
        shipment_type: ``PLATFORM`` or ``BUYER_ARRANGE`` (raw).
        handover_method: ``DROP_OFF`` or ``PICKUP`` (raw).
        return_method: ``SELLER_SHIPPED`` … (raw; the docs also show ``SELLER_ARRANGE``).
        return_shipping_document_type: ``SHIPPING_LABEL`` or ``QR_CODE`` (raw).
        return_tracking_number: The return parcel's tracking number.
        return_provider_name: The carrier's name.
        return_provider_id: The carrier's id.
        return_warehouse_address: ``return_warehouse_address.full_address``.
        pre_return_id: The return this one was edited from.
        next_return_id: The return this one was edited into.
        is_combined_return: Whether the buyer combined returns in one parcel.
        combined_return_id: The combined return (``None`` for the platform's ``"0"``).
        can_buyer_keep_item: Whether the buyer may keep the item.
        seller_proposed_return_type: ``PARTIAL_REFUND`` when the seller offered one (raw).
        partial_refund: The partial refund offered.
        buyer_rejected_partial_refund: ``True`` once the buyer declined the offer.
        is_quick_refund: Undocumented flag seen in live data.
        unmapped: Fields whose values no vocabulary knew (tolerant mode).
        extra_fields: Keys the library does not know (new platform fields).

    """

    return_id: str
    order_id: str
    return_type: ReturnTypeCode | str
    return_status: ReturnStatusCode | str
    role: RoleCode | str | None = None
    arbitration_status: ArbitrationCode | str | None = None
    return_reason: str | None = None
    return_reason_text: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    seller_next_actions: tuple[SellerAction, ...] = ()
    refund: RefundAmount | None = None
    line_items: tuple[LineItem, ...] = ()
    discounts: tuple[Discount, ...] = ()
    shipping_fees: tuple[ReturnShippingFee, ...] = ()
    shipment_type: str | None = None
    handover_method: str | None = None
    return_method: str | None = None
    return_shipping_document_type: str | None = None
    return_tracking_number: str | None = None
    return_provider_name: str | None = None
    return_provider_id: str | None = None
    return_warehouse_address: str | None = None
    pre_return_id: str | None = None
    next_return_id: str | None = None
    is_combined_return: bool | None = None
    combined_return_id: str | None = None
    can_buyer_keep_item: bool | None = None
    seller_proposed_return_type: str | None = None
    partial_refund: Money | None = None
    buyer_rejected_partial_refund: bool | None = None
    is_quick_refund: bool | None = None
    unmapped: tuple[str, ...] = ()
    extra_fields: frozenset[str] = frozenset()

    @property
    def request_types(self) -> frozenset[RequestType] | None:
        """The request types ``return_type`` can mean (``None``: unmapped)."""
        if isinstance(self.return_type, ReturnTypeCode):
            return RETURN_TYPE.reverse[self.return_type]
        return None

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the record can mean (empty: unmapped)."""
        if not isinstance(self.return_status, ReturnStatusCode):
            return frozenset()
        types = self.request_types
        if types is None:
            return frozenset()
        return narrow_candidates(RETURN_STATUS.reverse[self.return_status], types)

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``return_id``)."""
        return self.return_id

    def _initiated_by_seller(self) -> bool:
        return self.role is RoleCode.SELLER

    @property
    def arbitration(self) -> Arbitration | None:
        """The arbitration sub-state (``None``: the field is absent, or unmapped)."""
        if isinstance(self.arbitration_status, ArbitrationCode):
            (found,) = ARBITRATION.reverse[self.arbitration_status]
            return found
        return None

    @property
    def actor(self) -> Actor | None:
        """The canonical actor of ``role`` (``None``: absent or unmapped)."""
        if isinstance(self.role, RoleCode):
            (found,) = ROLE.reverse[self.role]
            return found
        return None

    @property
    def platform_deadline(self) -> PlatformDeadline | None:
        """The platform's deadline for the seller's next action, in canonical terms.

        The first ``seller_next_action_response`` entry whose action points to
        exactly one of the record's candidate states; ``None`` when there is
        none.
        """
        return seller_deadline(self.seller_next_actions, self.candidates)

    @property
    def is_mapped(self) -> bool:
        """Whether every code was known (``unmapped`` is empty)."""
        return not self.unmapped


def read_return(r: Reader) -> ReturnSnapshot:
    """Read one return record."""
    return_type = r.code("return_type", RETURN_TYPE)
    status = r.code("return_status", RETURN_STATUS)
    role = r.opt_code("role", ROLE)
    arbitration = r.opt_code("arbitration_status", ARBITRATION)
    fees_name = (
        "shipping_fee_amount" if "shipping_fee_amount" in r.data else "return_shipping_fee_amount"
    )
    address = r.nested("return_warehouse_address", lambda a: a.text("full_address"))
    combined = r.opt_id("combined_return_id")
    snapshot = ReturnSnapshot(
        return_id=r.id("return_id"),
        order_id=r.id("order_id"),
        return_type=typed_code(return_type, ReturnTypeCode),
        return_status=typed_code(status, ReturnStatusCode),
        role=None if role is None else typed_code(role, RoleCode),
        arbitration_status=None
        if arbitration is None
        else typed_code(arbitration, ArbitrationCode),
        return_reason=r.text("return_reason"),
        return_reason_text=r.text("return_reason_text"),
        create_time=r.opt_time("create_time"),
        update_time=r.opt_time("update_time"),
        seller_next_actions=_listish(r, "seller_next_action_response", read_seller_action),
        refund=r.nested("refund_amount", read_refund_amount),
        line_items=r.items("return_line_items", line_item_reader("return_line_item_id")),
        discounts=_listish(r, "discount_amount", read_discount),
        shipping_fees=_listish(r, fees_name, read_shipping_fee),
        shipment_type=r.word("shipment_type"),
        handover_method=r.word("handover_method"),
        return_method=r.word("return_method"),
        return_shipping_document_type=r.word("return_shipping_document_type"),
        return_tracking_number=r.text("return_tracking_number"),
        return_provider_name=r.text("return_provider_name"),
        return_provider_id=r.text("return_provider_id"),
        return_warehouse_address=address,
        pre_return_id=r.opt_id("pre_return_id"),
        next_return_id=r.opt_id("next_return_id"),
        is_combined_return=r.flag("is_combined_return"),
        combined_return_id=None if combined == "0" else combined,
        can_buyer_keep_item=r.flag("can_buyer_keep_item"),
        seller_proposed_return_type=r.word("seller_proposed_return_type"),
        partial_refund=r.nested("partial_refund", _partial_refund),
        buyer_rejected_partial_refund=r.flag("buyer_rejected_partial_refund"),
        is_quick_refund=r.flag("is_quick_refund"),
        extra_fields=r.extra(_RETURN_FIELDS),
    )
    return attrs.evolve(snapshot, unmapped=tuple(sorted(r.unmapped)))


def parse_return(data: Mapping[str, Any], *, strict: bool = True) -> ReturnSnapshot:
    """Parse one return record (Search Returns ``data.return_orders[]``).

    Args:
        data: The record, as decoded JSON.
        strict: Raise on unknown codes (default), or keep them raw and mark
            the snapshot ``unmapped``.

    Raises:
        UnknownCode: Strict mode met a status, type or role no vocabulary knows.
        InvalidValue: A required field is missing, or an id, time, money
            value or flag is malformed (never tolerated).

    """
    return read_return(Reader(data, "", strict))


# --- cancellation record -----------------------------------------------------------------------

_CANCEL_FIELDS = frozenset(
    {
        "cancel_id", "order_id", "cancel_type", "cancel_status", "role", "cancel_reason",
        "cancel_reason_text", "create_time", "update_time", "seller_next_action_response",
        "refund_amount", "cancel_line_items", "should_replenish_stock",
    }
)  # fmt: skip


@attrs.frozen
class CancellationSnapshot(Reading):
    """A cancellation record (Search Cancellations ``cancellations[]``).

    Attributes:
        cancel_id: The platform's cancellation id.
        order_id: The order.
        cancel_type: ``CANCEL`` (direct) or ``BUYER_CANCEL`` (needs approval).
        cancel_status: ``cancel_status`` (both CANCELLED spellings accepted).
        role: ``role``.
        cancel_reason: The reason key.
        cancel_reason_text: The localized reason.
        create_time: When it was created.
        update_time: When it last changed.
        seller_next_actions: ``seller_next_action_response`` entries.
        refund: The refund breakdown.
        line_items: The cancelled lines (one unit each).
        should_replenish_stock: Undocumented 202602 flag seen live.
        unmapped: Fields whose values no vocabulary knew (tolerant mode).
        extra_fields: Keys the library does not know.

    """

    cancel_id: str
    order_id: str
    cancel_type: CancelTypeCode | str | None
    cancel_status: CancelStatusCode | str
    role: RoleCode | str | None = None
    cancel_reason: str | None = None
    cancel_reason_text: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    seller_next_actions: tuple[SellerAction, ...] = ()
    refund: RefundAmount | None = None
    line_items: tuple[LineItem, ...] = ()
    should_replenish_stock: bool | None = None
    unmapped: tuple[str, ...] = ()
    extra_fields: frozenset[str] = frozenset()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the record can mean (empty: unmapped)."""
        if not isinstance(self.cancel_status, CancelStatusCode):
            return frozenset()
        return CANCEL_STATUS.reverse[self.cancel_status]

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``cancel_id``)."""
        return self.cancel_id

    @property
    def opening(self) -> str | None:
        """The opening event ``cancel_type`` means (``request`` or ``cancel_order``)."""
        if isinstance(self.cancel_type, CancelTypeCode):
            (found,) = CANCEL_TYPE.reverse[self.cancel_type]
            return found
        return None

    @property
    def actor(self) -> Actor | None:
        """The canonical actor of ``role`` (``None``: absent or unmapped)."""
        if isinstance(self.role, RoleCode):
            (found,) = ROLE.reverse[self.role]
            return found
        return None

    @property
    def platform_deadline(self) -> PlatformDeadline | None:
        """The platform's deadline for the seller's answer, in canonical terms."""
        return seller_deadline(self.seller_next_actions, self.candidates)

    @property
    def is_mapped(self) -> bool:
        """Whether every code was known."""
        return not self.unmapped


def read_cancellation(r: Reader) -> CancellationSnapshot:
    """Read one cancellation record."""
    cancel_type = r.opt_code("cancel_type", CANCEL_TYPE)
    status = r.code("cancel_status", CANCEL_STATUS)
    role = r.opt_code("role", ROLE)
    snapshot = CancellationSnapshot(
        cancel_id=r.id("cancel_id"),
        order_id=r.id("order_id"),
        cancel_type=None if cancel_type is None else typed_code(cancel_type, CancelTypeCode),
        cancel_status=typed_code(status, CancelStatusCode),
        role=None if role is None else typed_code(role, RoleCode),
        cancel_reason=r.text("cancel_reason"),
        cancel_reason_text=r.text("cancel_reason_text"),
        create_time=r.opt_time("create_time"),
        update_time=r.opt_time("update_time"),
        seller_next_actions=_listish(r, "seller_next_action_response", read_seller_action),
        refund=r.nested("refund_amount", read_refund_amount),
        line_items=r.items("cancel_line_items", line_item_reader("cancel_line_item_id")),
        should_replenish_stock=r.flag("should_replenish_stock"),
        extra_fields=r.extra(_CANCEL_FIELDS),
    )
    return attrs.evolve(snapshot, unmapped=tuple(sorted(r.unmapped)))


def parse_cancellation(data: Mapping[str, Any], *, strict: bool = True) -> CancellationSnapshot:
    """Parse one cancellation record (Search Cancellations ``data.cancellations[]``).

    Raises:
        UnknownCode: Strict mode met an unknown status, type or role.
        InvalidValue: A required field is missing or a value is malformed.

    """
    return read_cancellation(Reader(data, "", strict))


# --- legacy reverse order ----------------------------------------------------------------------


@attrs.frozen
class LegacyItem:
    """One ``return_item_list`` entry of a legacy reverse order."""

    sku_id: str | None
    return_product_id: str | None = None
    return_product_name: str | None = None
    seller_sku: str | None = None
    sku_name: str | None = None
    return_quantity: int | None = None
    product_images: str | None = None


@attrs.frozen
class LegacyRecord:
    """One ``reverse_record_list`` entry of a legacy reverse order."""

    description: str | None
    update_time: datetime | None = None
    reason_text: str | None = None
    additional_message: str | None = None
    additional_image_list: tuple[str, ...] = ()


def _legacy_item(r: Reader) -> LegacyItem:
    return LegacyItem(
        r.opt_id("sku_id"),
        r.opt_id("return_product_id"),
        r.text("return_product_name"),
        r.text("seller_sku"),
        r.text("sku_name"),
        r.integer("return_quantity"),
        r.text("product_images"),
    )


def _legacy_record(r: Reader) -> LegacyRecord:
    images = r.raw("additional_image_list")
    if images is None:
        urls: tuple[str, ...] = ()
    elif isinstance(images, list | tuple) and all(isinstance(x, str) for x in images):
        urls = tuple(images)
    else:
        raise InvalidValue(
            r.field("additional_image_list"), short_value(images), "a list of strings"
        )
    return LegacyRecord(
        r.text("description"),
        r.opt_time("update_time"),
        r.text("reason_text"),
        r.text("additional_message"),
        urls,
    )


@attrs.frozen
class LegacyReverseSnapshot(Reading):
    """A legacy reverse order (``/api/reverse/reverse_order/list`` ``reverse_list[]``).

    Attributes:
        reverse_order_id: The legacy request id.
        order_id: The order.
        reverse_type: ``reverse_type`` (raw ``int`` when unmapped).
        reverse_status: ``reverse_status_value`` (raw ``int`` when unmapped).
        refund_total: ``refund_total`` with ``currency`` (no breakdown in legacy).
        return_reason: The reason text.
        request_time: ``reverse_request_time``.
        update_time: ``reverse_update_time``.
        return_tracking_id: The return parcel's tracking id.
        items: ``return_item_list``.
        records: ``reverse_record_list``.
        unmapped: Fields whose values no vocabulary knew (tolerant mode).

    """

    reverse_order_id: str
    order_id: str
    reverse_type: LegacyType | int
    reverse_status: LegacyStatus | int
    refund_total: Money | None = None
    return_reason: str | None = None
    request_time: datetime | None = None
    update_time: datetime | None = None
    return_tracking_id: str | None = None
    items: tuple[LegacyItem, ...] = ()
    records: tuple[LegacyRecord, ...] = ()
    unmapped: tuple[str, ...] = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the order can mean (empty: unmapped)."""
        if not isinstance(self.reverse_status, LegacyStatus):
            return frozenset()
        types = legacy_request_types(self.reverse_type)
        if types is None:
            return frozenset()
        return narrow_candidates(LEGACY_STATUS.reverse[self.reverse_status], types)

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``reverse_order_id``)."""
        return self.reverse_order_id

    @property
    def is_mapped(self) -> bool:
        """Whether every code was known."""
        return not self.unmapped


def read_legacy_reverse(r: Reader) -> LegacyReverseSnapshot:
    """Read one legacy reverse order."""
    reverse_type = r.code("reverse_type", LEGACY_TYPE)
    status = r.code("reverse_status_value", LEGACY_STATUS)
    currency = r.currency(required=r.raw("refund_total") not in (None, ""))
    snapshot = LegacyReverseSnapshot(
        reverse_order_id=r.id("reverse_order_id"),
        order_id=r.id("order_id"),
        reverse_type=int_code(reverse_type, LegacyType, r.field("reverse_type")),
        reverse_status=int_code(status, LegacyStatus, r.field("reverse_status_value")),
        refund_total=r.money("refund_total", currency),
        return_reason=r.text("return_reason"),
        request_time=r.opt_time("reverse_request_time"),
        update_time=r.opt_time("reverse_update_time"),
        return_tracking_id=r.text("return_tracking_id"),
        items=r.items("return_item_list", _legacy_item),
        records=r.items("reverse_record_list", _legacy_record),
    )
    return attrs.evolve(snapshot, unmapped=tuple(sorted(r.unmapped)))


def parse_legacy_reverse(data: Mapping[str, Any], *, strict: bool = True) -> LegacyReverseSnapshot:
    """Parse one legacy reverse order (``data.reverse_list[]``).

    Raises:
        UnknownCode: Strict mode met an unknown ``reverse_status_value`` or ``reverse_type``.
        InvalidValue: A required field is missing or a value is malformed.

    """
    return read_legacy_reverse(Reader(data, "", strict))
