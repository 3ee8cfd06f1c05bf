"""Value types shared by platform records: images, videos, refunds, lines, actions, fees.

Each type comes with the reader that builds it from one JSON object (the
conventions are those of [`tiktok_aftersales.platform`][tiktok_aftersales.platform]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..codes import (
    SELLER_ACTION,
    SellerActionCode,
)
from ..domain.money import Breakdown, Money
from ..errors import (
    InvalidValue,
    RefundMismatch,
)
from ._reader import Reader

__all__ = [
    "Discount",
    "Image",
    "LineItem",
    "RefundAmount",
    "ReturnShippingFee",
    "SellerAction",
    "Video",
    "parse_refund_amount",
]


@attrs.frozen
class Image:
    """An image the platform serves (``product_image``, record ``images[]``)."""

    url: str
    width: int | None = None
    height: int | None = None


@attrs.frozen
class Video:
    """A buyer's video on a return record (Get Return Records ``videos[]``)."""

    url: str
    cover: str | None = None
    width: int | None = None
    height: int | None = None
    duration_millis: int | None = None


def read_image(r: Reader) -> Image:
    """Read one image object."""
    url = r.text("url") or ""
    return Image(url, r.integer("width"), r.integer("height"))


def read_video(r: Reader) -> Video:
    """Read one video object."""
    return Video(
        r.text("url") or "",
        r.text("cover"),
        r.integer("width"),
        r.integer("height"),
        r.integer("duration_millis"),
    )


@attrs.frozen
class RefundAmount:
    """A refund breakdown as the platform reports it (``refund_amount``).

    ``total`` is checked against ``breakdown.total`` when parsed.

    Attributes:
        breakdown: Subtotal, shipping fee and tax.
        total: ``refund_total``.
        retail_delivery_fee: US Colorado retail delivery fee, outside the total.
        buyer_service_fee: Buyer service fee, outside the total.

    """

    breakdown: Breakdown
    total: Money
    retail_delivery_fee: Money | None = None
    buyer_service_fee: Money | None = None

    @property
    def currency(self) -> str:
        """The refund's currency."""
        return self.total.currency


def read_refund_amount(r: Reader) -> RefundAmount:
    """Read one ``refund_amount`` object, checking that its total adds up."""
    currency = r.currency()
    assert currency is not None  # required above
    total = r.money("refund_total", currency)
    parts = [r.money(n, currency) for n in ("refund_subtotal", "refund_shipping_fee", "refund_tax")]
    zero = Money.zero(currency)
    if all(p is None for p in parts):
        if total is None:
            raise InvalidValue(r.field("refund_total"), None, "a refund needs a total or its parts")
        breakdown = Breakdown(total, zero, zero)
    else:
        breakdown = Breakdown(*(p if p is not None else zero for p in parts))
    expected = breakdown.total
    if total is None:
        total = expected
    elif total.amount != expected.amount:
        raise RefundMismatch(r.field("refund_total"), total.amount, expected.amount)
    return RefundAmount(
        breakdown,
        total,
        r.money("retail_delivery_fee", currency),
        r.money("buyer_service_fee", currency),
    )


def parse_refund_amount(data: Mapping[str, Any], field: str = "refund_amount") -> RefundAmount:
    """Parse one ``refund_amount`` object (checked: total = subtotal + shipping + tax).

    Raises:
        InvalidValue: A malformed amount or currency
            ([`RefundMismatch`][tiktok_aftersales.errors.RefundMismatch] when the total does not add
            up).

    """
    return read_refund_amount(Reader(data, field, True))


@attrs.frozen
class LineItem:
    """One line of a return or cancellation, with its own refund.

    Attributes:
        line_item_id: ``return_line_item_id`` or ``cancel_line_item_id``.
        order_line_item_id: The order line it refunds (one unit).
        sku_id: The SKU.
        seller_sku: The seller's SKU code.
        sku_name: The SKU's name.
        product_name: The product's name.
        product_image: The product image.
        refund: The line's refund breakdown (absent in some live captures).

    """

    line_item_id: str
    order_line_item_id: str
    sku_id: str | None = None
    seller_sku: str | None = None
    sku_name: str | None = None
    product_name: str | None = None
    product_image: Image | None = None
    refund: RefundAmount | None = None


def line_item_reader(id_field: str) -> Callable[[Reader], LineItem]:
    """A reader of line items whose own id is the field ``id_field``."""

    def parse(r: Reader) -> LineItem:
        return LineItem(
            r.id(id_field),
            r.id("order_line_item_id"),
            r.opt_id("sku_id"),
            r.text("seller_sku"),
            r.text("sku_name"),
            r.text("product_name"),
            r.nested("product_image", read_image),
            r.nested("refund_amount", read_refund_amount),
        )

    return parse


@attrs.frozen
class SellerAction:
    """One ``seller_next_action_response`` entry: what the seller must do, by when."""

    action: SellerActionCode | str
    deadline: datetime | None


def read_seller_action(r: Reader) -> SellerAction:
    """Read one ``seller_next_action_response`` entry."""
    action = r.code("action", SELLER_ACTION)
    return SellerAction(
        action if isinstance(action, SellerActionCode) else str(action), r.opt_time("deadline")
    )


@attrs.frozen
class Discount:
    """One ``discount_amount`` entry."""

    currency: str
    product_platform_discount: Money | None = None
    product_seller_discount: Money | None = None
    shipping_fee_platform_discount: Money | None = None
    shipping_fee_seller_discount: Money | None = None


def read_discount(r: Reader) -> Discount:
    """Read one ``discount_amount`` entry."""
    c = r.currency()
    assert c is not None
    return Discount(
        c,
        r.money("product_platform_discount", c),
        r.money("product_seller_discount", c),
        r.money("shipping_fee_platform_discount", c),
        r.money("shipping_fee_seller_discount", c),
    )


@attrs.frozen
class ReturnShippingFee:
    """One ``shipping_fee_amount`` entry (the changelog calls it ``return_shipping_fee_amount``)."""

    currency: str
    seller_paid: Money | None = None
    platform_paid: Money | None = None
    buyer_paid: Money | None = None


def read_shipping_fee(r: Reader) -> ReturnShippingFee:
    """Read one ``shipping_fee_amount`` entry."""
    c = r.currency()
    assert c is not None
    return ReturnShippingFee(
        c,
        r.money("seller_paid_return_shipping_fee", c),
        r.money("platform_paid_return_shipping_fee", c),
        r.money("buyer_paid_return_shipping_fee", c),
    )
