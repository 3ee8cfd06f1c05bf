"""Parse TikTok Shop after-sales payloads into frozen, typed snapshots.

The input is what a host receives: JSON-like dicts (or, for webhooks, the raw
body). The output is immutable values in the library's words, each with the
canonical ``(request type, state)`` candidates it can mean
(:attr:`ReturnSnapshot.candidates`) and its ``update_time``.

Conventions (``payload-shapes.md``):

- **Ids stay strings.** An ``int`` id (some third-party code sends numbers) is
  accepted and turned into its decimal string; ``bool``, ``float`` and
  anything else is refused. ``combined_return_id`` ``"0"`` means "none".
- **Times** are unix seconds (``int`` or a digit string) and become
  timezone-aware UTC datetimes. Floats and values past the year 3000
  (milliseconds, say) are refused.
- **Money** is a decimal string (or ``int``) with its sibling ``currency``,
  becoming :class:`~tiktok_aftersales.domain.money.Money`; floats, exponents, NaN
  and negative amounts are refused. A refund breakdown is checked:
  ``refund_total == refund_subtotal + refund_shipping_fee + refund_tax``.
- **Booleans are lenient**: ``true``/``false`` in any case with stray spaces
  (the docs send ``"true "``), ``0``/``1``.
- **Codes** (statuses, types, roles) go through the vocabularies of
  :mod:`tiktok_aftersales.codes`, which accept the documented misspellings.
  Strict mode (the default) raises :class:`~tiktok_aftersales.codes.UnknownCode`
  for a value no vocabulary knows; tolerant mode (``strict=False``) keeps
  the raw value, names the field in the snapshot's ``unmapped`` and gives no
  candidates, so the host can quarantine the case for review.

Every refusal is an :class:`~tiktok_aftersales.errors.InvalidValue` naming the
field (with its path, e.g. ``return_line_items[0].refund_amount.refund_tax``)
and the value. Nothing else escapes from these parsers.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from ..codes import (
    ARBITRATION,
    CANCEL_STATUS,
    CANCEL_TYPE,
    LEGACY_EVENT_TYPE,
    LEGACY_STATUS,
    LEGACY_TYPE,
    LEGACY_USER,
    RETURN_STATUS,
    RETURN_TYPE,
    ROLE,
    SELLER_ACTION,
    ArbitrationCode,
    CancelStatusCode,
    CancelTypeCode,
    Canonical,
    DecisionCode,
    LegacyEventType,
    LegacyStatus,
    LegacyType,
    LegacyUser,
    ReturnStatusCode,
    ReturnTypeCode,
    RoleCode,
    SellerActionCode,
    Vocabulary,
)
from ..codes.platform import DECISION
from ..domain.case import PlatformDeadline
from ..domain.money import Breakdown, Money
from ..domain.vocabulary import Actor, Arbitration, RequestType, State
from ..errors import (
    FloatAmount,
    InvalidValue,
    PlatformResponseError,
    RefundMismatch,
)

__all__ = [
    "AFTER_SALES_WEBHOOKS",
    "AftersaleEligibility",
    "CancellationSnapshot",
    "CancellationStatusChange",
    "CancellationsPage",
    "DecisionEligibility",
    "Discount",
    "Image",
    "LegacyItem",
    "LegacyRecord",
    "LegacyReversePage",
    "LegacyReverseSnapshot",
    "LineItem",
    "PlatformResponseError",
    "RefundAmount",
    "RefundMismatch",
    "RejectReason",
    "Rejected",
    "ReturnRecord",
    "ReturnShippingFee",
    "ReturnSnapshot",
    "ReturnStatusChange",
    "ReturnsPage",
    "ReverseStatusUpdate",
    "SellerAction",
    "Video",
    "WebhookEnvelope",
    "WebhookType",
    "parse_aftersale_eligibility",
    "parse_cancellation",
    "parse_cancellations_page",
    "parse_decision_eligibility",
    "parse_legacy_page",
    "parse_legacy_reverse",
    "parse_refund_amount",
    "parse_refund_calculation",
    "parse_reject_reasons",
    "parse_return",
    "parse_return_records",
    "parse_returns_page",
    "parse_webhook",
]


# --- errors ------------------------------------------------------------------------------------


# --- the reader: one mapping, its path, the mode, and what it could not map ------------------

_MAX_ID = 2**64
_MAX_UNIX = 32_503_680_000  # 3000-01-01T00:00:00Z
_AMOUNT = re.compile(r"^\d{1,20}(\.\d{1,10})?$")
_DIGITS = re.compile(r"^\d{1,20}$")
_TRUE = frozenset({"TRUE", "1"})
_FALSE = frozenset({"FALSE", "0"})
_MAX_TEXT = 1_000_000

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Reader:
    """Reads fields of one JSON object; collects the names of unmapped codes."""

    __slots__ = ("data", "path", "strict", "unmapped")

    def __init__(self, data: Any, path: str, strict: bool) -> None:
        if not isinstance(data, Mapping):
            raise InvalidValue(path or "payload", _short(data), "a JSON object")
        self.data: Mapping[Any, Any] = data
        self.path = path
        self.strict = strict
        self.unmapped: set[str] = set()

    def field(self, name: str) -> str:
        return _join(self.path, name)

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def required(self, name: str) -> Any:
        value = self.data.get(name)
        if value is None:
            raise InvalidValue(self.field(name), None, "required field is missing or null")
        return value

    # ids and text

    def id(self, name: str) -> str:
        return _id(self.field(name), self.required(name))

    def opt_id(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return _id(self.field(name), value)

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > _MAX_TEXT:
            raise InvalidValue(self.field(name), _short(value), "a string")
        return value

    def word(self, name: str) -> str | None:
        """An enum-like string the library keeps raw (stripped), e.g. ``return_method``."""
        value = self.text(name)
        if value is None:
            return None
        return value.strip() or None

    # times and flags

    def time(self, name: str) -> datetime:
        return _unix(self.field(name), self.required(name))

    def opt_time(self, name: str) -> datetime | None:
        value = self.data.get(name)
        if value is None:
            return None
        return _unix(self.field(name), value)

    def integer(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        return _int(self.field(name), value)

    def flag(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None:
            return None
        found = _bool(value)
        if found is None:
            if self.strict:
                raise InvalidValue(self.field(name), _short(value), "true or false")
            self.unmapped.add(self.field(name))
        return found

    # codes

    def code(self, name: str, vocab: Vocabulary[Any, E], required: bool = True) -> E | str | int:
        value = self.required(name) if required else self.data.get(name)
        return self._code(name, vocab, value)

    def opt_code(self, name: str, vocab: Vocabulary[Any, E]) -> E | str | int | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return self._code(name, vocab, value)

    def _code(self, name: str, vocab: Vocabulary[Any, E], value: Any) -> E | str | int:
        field = self.field(name)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidValue(field, _short(value), f"a {vocab.name} code (string or integer)")
        if isinstance(value, str) and len(value) > 200:
            raise InvalidValue(field, _short(value), f"a {vocab.name} code")
        if isinstance(value, int) and abs(value) >= _MAX_ID:
            raise InvalidValue(field, _short(value), f"a {vocab.name} code")
        found = vocab.lookup(value)
        if found is not None:
            return found
        if self.strict:
            vocab.parse(value, field)  # raises UnknownCode naming the field
        self.unmapped.add(field)
        return value.strip() if isinstance(value, str) else value

    # nested

    def child(self, name: str, required: bool = False) -> _Reader | None:
        value = self.required(name) if required else self.data.get(name)
        if value is None:
            return None
        return _Reader(value, self.field(name), self.strict)

    def items(self, name: str, parse: Callable[[_Reader], T]) -> tuple[T, ...]:
        value = self.data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise InvalidValue(self.field(name), _short(value), "a list")
        out = []
        for i, item in enumerate(value):
            reader = _Reader(item, f"{self.field(name)}[{i}]", self.strict)
            out.append(parse(reader))
            self.unmapped |= reader.unmapped
        return tuple(out)

    def nested(self, name: str, parse: Callable[[_Reader], T]) -> T | None:
        reader = self.child(name)
        if reader is None:
            return None
        out = parse(reader)
        self.unmapped |= reader.unmapped
        return out

    def money(self, name: str, currency: str | None) -> Money | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return _money(self.field(name), value, currency, self.field("currency"))

    def currency(self, name: str = "currency", required: bool = True) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise InvalidValue(self.field(name), None, "required field is missing or null")
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
            raise InvalidValue(self.field(name), _short(value), "an ISO 4217 currency code")
        return value.strip().upper()

    def extra(self, known: frozenset[str]) -> frozenset[str]:
        return frozenset(str(k) for k in self.data if k not in known)


def _short(value: Any) -> Any:
    """The value for an error message, cut short when it is big."""
    try:
        if isinstance(value, str) and len(value) > 120:
            return value[:117] + "..."
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
            return f"<int of {value.bit_length()} bits>"
        if isinstance(value, list | tuple | dict | set | frozenset | bytes | bytearray):
            text = repr(value)
            return text if len(text) <= 120 else f"<{type(value).__name__} of {len(value)}>"
    except RecursionError:  # pragma: no cover - pathological nesting
        return f"<{type(value).__name__}>"
    return value


def _id(field: str, value: Any) -> str:
    if isinstance(value, bool | float):
        raise InvalidValue(field, value, "an id: a string of digits (not a number)")
    if isinstance(value, int):
        if not 0 <= value < _MAX_ID:
            raise InvalidValue(field, _short(value), "an id: a non-negative 64-bit number")
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text and len(text) <= 64 and text.isprintable() and " " not in text:
            return text
    raise InvalidValue(field, _short(value), "an id: a non-empty string without spaces")


def _int(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidValue(field, _short(value), "an integer")
    if isinstance(value, str):
        if not _DIGITS.match(value.strip()):
            raise InvalidValue(field, _short(value), "an integer")
        value = int(value.strip())
    number: int = value
    if abs(number) >= _MAX_ID:
        raise InvalidValue(field, _short(number), "an integer below 2**64")
    return number


def _unix(field: str, value: Any) -> datetime:
    if isinstance(value, float):
        raise InvalidValue(field, value, "unix seconds as an integer, not a float")
    seconds = _int(field, value)
    if seconds < 0 or seconds > _MAX_UNIX:
        raise InvalidValue(field, seconds, "unix seconds between 1970 and 3000 (not milliseconds)")
    return datetime.fromtimestamp(seconds, UTC)


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().upper()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _amount(field: str, value: Any) -> Decimal:
    if isinstance(value, float):
        raise FloatAmount(field, value)
    if isinstance(value, bool):
        raise InvalidValue(field, value, "a decimal string")
    if isinstance(value, int):
        if not 0 <= value < 10**20:
            raise InvalidValue(field, _short(value), "a non-negative amount below 10**20")
        return Decimal(value)
    if isinstance(value, str) and _AMOUNT.match(value.strip()):
        return Decimal(value.strip())
    raise InvalidValue(field, _short(value), "a non-negative decimal string such as '19.99'")


def _money(field: str, value: Any, currency: str | None, currency_field: str) -> Money:
    amount = _amount(field, value)
    if currency is None:
        raise InvalidValue(currency_field, None, f"a currency is required with {field}")
    return Money(amount, currency)


# --- shared value types ------------------------------------------------------------------------


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


def _image(r: _Reader) -> Image:
    url = r.text("url") or ""
    return Image(url, r.integer("width"), r.integer("height"))


def _video(r: _Reader) -> Video:
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


def _refund_amount(r: _Reader) -> RefundAmount:
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
        InvalidValue: A malformed amount or currency (:class:`RefundMismatch`
            when the total does not add up).

    """
    return _refund_amount(_Reader(data, field, True))


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


def _line_item(id_field: str) -> Callable[[_Reader], LineItem]:
    def parse(r: _Reader) -> LineItem:
        return LineItem(
            r.id(id_field),
            r.id("order_line_item_id"),
            r.opt_id("sku_id"),
            r.text("seller_sku"),
            r.text("sku_name"),
            r.text("product_name"),
            r.nested("product_image", _image),
            r.nested("refund_amount", _refund_amount),
        )

    return parse


@attrs.frozen
class SellerAction:
    """One ``seller_next_action_response`` entry: what the seller must do, by when."""

    action: SellerActionCode | str
    deadline: datetime | None


def _seller_action(r: _Reader) -> SellerAction:
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


def _discount(r: _Reader) -> Discount:
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


def _shipping_fee(r: _Reader) -> ReturnShippingFee:
    c = r.currency()
    assert c is not None
    return ReturnShippingFee(
        c,
        r.money("seller_paid_return_shipping_fee", c),
        r.money("platform_paid_return_shipping_fee", c),
        r.money("buyer_paid_return_shipping_fee", c),
    )


def _partial_refund(r: _Reader) -> Money | None:
    c = r.currency()
    return r.money("amount", c)


def _listish(r: _Reader, name: str, parse: Callable[[_Reader], T]) -> tuple[T, ...]:
    """A list of objects, or (leniently) one object where a list is documented."""
    if isinstance(r.raw(name), Mapping):
        one = r.nested(name, parse)
        return () if one is None else (one,)
    return r.items(name, parse)


def _typed(value: E | str | int, kind: type[E]) -> E | str:
    return value if isinstance(value, kind) else str(value)


def _narrow(
    states: frozenset[Canonical], types: frozenset[RequestType] | None
) -> frozenset[Canonical]:
    if types is None:
        return states
    return frozenset(k for k in states if k.request_type in types)


def _deadline(
    actions: tuple[SellerAction, ...], candidates: frozenset[Canonical]
) -> PlatformDeadline | None:
    for item in actions:
        if not isinstance(item.action, SellerActionCode) or item.deadline is None:
            continue
        where = SELLER_ACTION.reverse[item.action] & candidates
        states = {k.state for k in where}
        if len(states) == 1:
            return PlatformDeadline(states.pop(), item.action.value, item.deadline)
    return None


class _Reading:
    """The canonical reading every snapshot offers (derived from ``candidates``)."""

    __slots__ = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the record can mean (empty: unmapped)."""
        raise NotImplementedError  # pragma: no cover - every snapshot overrides it

    def _initiated_by_seller(self) -> bool:
        return False

    @property
    def request_type(self) -> RequestType | None:
        """The request type the record most likely is (``None``: unmapped or ambiguous).

        Only ``return_type`` ``REFUND`` is ambiguous (a buyer's refund-only
        request or a seller-created refund); ``role`` ``SELLER`` picks the
        seller refund, anything else the buyer's request. ``candidates``
        keeps every reading.
        """
        types = {k.request_type for k in self.candidates}
        if len(types) == 1:
            return types.pop()
        if types == {RequestType.REFUND_ONLY, RequestType.SELLER_REFUND}:
            if self._initiated_by_seller():
                return RequestType.SELLER_REFUND
            return RequestType.REFUND_ONLY
        return None

    @property
    def states(self) -> frozenset[State]:
        """The canonical states the record can mean for :attr:`request_type`."""
        kind = self.request_type
        return frozenset(k.state for k in self.candidates if k.request_type is kind)

    @property
    def arbitration(self) -> Arbitration | None:
        """The arbitration sub-state reported (``None``: not reported, or unmapped)."""
        return None


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
class ReturnSnapshot(_Reading):
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
        return _narrow(RETURN_STATUS.reverse[self.return_status], types)

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
        return _deadline(self.seller_next_actions, self.candidates)

    @property
    def is_mapped(self) -> bool:
        """Whether every code was known (``unmapped`` is empty)."""
        return not self.unmapped


def _parse_return(r: _Reader) -> ReturnSnapshot:
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
        return_type=_typed(return_type, ReturnTypeCode),
        return_status=_typed(status, ReturnStatusCode),
        role=None if role is None else _typed(role, RoleCode),
        arbitration_status=None if arbitration is None else _typed(arbitration, ArbitrationCode),
        return_reason=r.text("return_reason"),
        return_reason_text=r.text("return_reason_text"),
        create_time=r.opt_time("create_time"),
        update_time=r.opt_time("update_time"),
        seller_next_actions=_listish(r, "seller_next_action_response", _seller_action),
        refund=r.nested("refund_amount", _refund_amount),
        line_items=r.items("return_line_items", _line_item("return_line_item_id")),
        discounts=_listish(r, "discount_amount", _discount),
        shipping_fees=_listish(r, fees_name, _shipping_fee),
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
    return _parse_return(_Reader(data, "", strict))


# --- cancellation record -----------------------------------------------------------------------

_CANCEL_FIELDS = frozenset(
    {
        "cancel_id", "order_id", "cancel_type", "cancel_status", "role", "cancel_reason",
        "cancel_reason_text", "create_time", "update_time", "seller_next_action_response",
        "refund_amount", "cancel_line_items", "should_replenish_stock",
    }
)  # fmt: skip


@attrs.frozen
class CancellationSnapshot(_Reading):
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
        return _deadline(self.seller_next_actions, self.candidates)

    @property
    def is_mapped(self) -> bool:
        """Whether every code was known."""
        return not self.unmapped


def _parse_cancellation(r: _Reader) -> CancellationSnapshot:
    cancel_type = r.opt_code("cancel_type", CANCEL_TYPE)
    status = r.code("cancel_status", CANCEL_STATUS)
    role = r.opt_code("role", ROLE)
    snapshot = CancellationSnapshot(
        cancel_id=r.id("cancel_id"),
        order_id=r.id("order_id"),
        cancel_type=None if cancel_type is None else _typed(cancel_type, CancelTypeCode),
        cancel_status=_typed(status, CancelStatusCode),
        role=None if role is None else _typed(role, RoleCode),
        cancel_reason=r.text("cancel_reason"),
        cancel_reason_text=r.text("cancel_reason_text"),
        create_time=r.opt_time("create_time"),
        update_time=r.opt_time("update_time"),
        seller_next_actions=_listish(r, "seller_next_action_response", _seller_action),
        refund=r.nested("refund_amount", _refund_amount),
        line_items=r.items("cancel_line_items", _line_item("cancel_line_item_id")),
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
    return _parse_cancellation(_Reader(data, "", strict))


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


def _legacy_item(r: _Reader) -> LegacyItem:
    return LegacyItem(
        r.opt_id("sku_id"),
        r.opt_id("return_product_id"),
        r.text("return_product_name"),
        r.text("seller_sku"),
        r.text("sku_name"),
        r.integer("return_quantity"),
        r.text("product_images"),
    )


def _legacy_record(r: _Reader) -> LegacyRecord:
    images = r.raw("additional_image_list")
    if images is None:
        urls: tuple[str, ...] = ()
    elif isinstance(images, list | tuple) and all(isinstance(x, str) for x in images):
        urls = tuple(images)
    else:
        raise InvalidValue(r.field("additional_image_list"), _short(images), "a list of strings")
    return LegacyRecord(
        r.text("description"),
        r.opt_time("update_time"),
        r.text("reason_text"),
        r.text("additional_message"),
        urls,
    )


def _legacy_types(reverse_type: LegacyType | int) -> frozenset[RequestType] | None:
    if isinstance(reverse_type, LegacyType):
        return frozenset(kind for kind, _opening in LEGACY_TYPE.reverse[reverse_type])
    return None


@attrs.frozen
class LegacyReverseSnapshot(_Reading):
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
        types = _legacy_types(self.reverse_type)
        if types is None:
            return frozenset()
        return _narrow(LEGACY_STATUS.reverse[self.reverse_status], types)

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``reverse_order_id``)."""
        return self.reverse_order_id

    @property
    def is_mapped(self) -> bool:
        """Whether every code was known."""
        return not self.unmapped


def _int_code(value: E | str | int, kind: type[E], field: str) -> E | int:
    """A numeric code: the enum member, or (tolerant mode) the raw integer."""
    if isinstance(value, kind):
        return value
    return value if isinstance(value, int) else _int(field, value)


def _parse_legacy(r: _Reader) -> LegacyReverseSnapshot:
    reverse_type = r.code("reverse_type", LEGACY_TYPE)
    status = r.code("reverse_status_value", LEGACY_STATUS)
    currency = r.currency(required=r.raw("refund_total") not in (None, ""))
    snapshot = LegacyReverseSnapshot(
        reverse_order_id=r.id("reverse_order_id"),
        order_id=r.id("order_id"),
        reverse_type=_int_code(reverse_type, LegacyType, r.field("reverse_type")),
        reverse_status=_int_code(status, LegacyStatus, r.field("reverse_status_value")),
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
    return _parse_legacy(_Reader(data, "", strict))


# --- pages -------------------------------------------------------------------------------------


@attrs.frozen
class Rejected:
    """A record of a page that tolerant parsing could not read (malformed, not unknown).

    Attributes:
        index: Its position in the page.
        error: Why it was refused.

    """

    index: int
    error: InvalidValue = attrs.field(eq=False)


@attrs.frozen
class ReturnsPage:
    """One page of Search Returns.

    Attributes:
        returns: The records read.
        total_count: ``total_count``.
        next_page_token: The token of the next page (``None``: last page).
        rejected: Records tolerant parsing could not read (strict mode raises).

    """

    returns: tuple[ReturnSnapshot, ...]
    total_count: int | None = None
    next_page_token: str | None = None
    rejected: tuple[Rejected, ...] = ()

    @property
    def records(self) -> tuple[ReturnSnapshot, ...]:
        """The records read (``returns``; every page type has ``records``)."""
        return self.returns


@attrs.frozen
class CancellationsPage:
    """One page of Search Cancellations (see :class:`ReturnsPage`)."""

    cancellations: tuple[CancellationSnapshot, ...]
    total_count: int | None = None
    next_page_token: str | None = None
    rejected: tuple[Rejected, ...] = ()

    @property
    def records(self) -> tuple[CancellationSnapshot, ...]:
        """The records read (``cancellations``)."""
        return self.cancellations


@attrs.frozen
class LegacyReversePage:
    """One page of the legacy reverse-order list.

    Attributes:
        reverse_orders: The orders read.
        more: Whether another page exists.
        rejected: Records tolerant parsing could not read.

    """

    reverse_orders: tuple[LegacyReverseSnapshot, ...]
    more: bool = False
    rejected: tuple[Rejected, ...] = ()

    @property
    def records(self) -> tuple[LegacyReverseSnapshot, ...]:
        """The records read (``reverse_orders``)."""
        return self.reverse_orders


def _data(response: Any) -> _Reader:
    """The ``data`` object of a response envelope (or the object itself when unwrapped)."""
    r = _Reader(response, "", True)
    if "data" in r.data and ("code" in r.data or "request_id" in r.data or "message" in r.data):
        code = r.data.get("code")
        if code not in (0, None, "0"):
            number = code if isinstance(code, int) and not isinstance(code, bool) else -1
            message = r.data.get("message")
            request_id = r.data.get("request_id")
            raise PlatformResponseError(
                number,
                message if isinstance(message, str) else repr(_short(message)),
                request_id if isinstance(request_id, str) else None,
            )
        inner = r.child("data", required=True)
        assert inner is not None
        return inner
    return r


def _records(
    r: _Reader, name: str, parse: Callable[[_Reader], T], strict: bool
) -> tuple[tuple[T, ...], tuple[Rejected, ...]]:
    value = r.raw(name)
    if value is None:
        return (), ()
    if not isinstance(value, list | tuple):
        raise InvalidValue(r.field(name), _short(value), "a list")
    out: list[T] = []
    rejected: list[Rejected] = []
    for i, item in enumerate(value):
        try:
            out.append(parse(_Reader(item, f"{r.field(name)}[{i}]", strict)))
        except InvalidValue as error:
            if strict:
                raise
            rejected.append(Rejected(i, error))
    return tuple(out), tuple(rejected)


def _token(r: _Reader) -> str | None:
    token = r.text("next_page_token")
    return token or None


def parse_returns_page(response: Mapping[str, Any], *, strict: bool = True) -> ReturnsPage:
    """Parse a Search Returns response (the whole envelope, or its ``data``).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        UnknownCode: Strict mode met an unknown code.
        InvalidValue: The page or (strict mode) a record is malformed.

    """
    r = _data(response)
    returns, rejected = _records(r, "return_orders", _parse_return, strict)
    return ReturnsPage(returns, r.integer("total_count"), _token(r), rejected)


def parse_cancellations_page(
    response: Mapping[str, Any], *, strict: bool = True
) -> CancellationsPage:
    """Parse a Search Cancellations response (the whole envelope, or its ``data``).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        UnknownCode: Strict mode met an unknown code.
        InvalidValue: The page or (strict mode) a record is malformed.

    """
    r = _data(response)
    found, rejected = _records(r, "cancellations", _parse_cancellation, strict)
    return CancellationsPage(found, r.integer("total_count"), _token(r), rejected)


def parse_legacy_page(response: Mapping[str, Any], *, strict: bool = True) -> LegacyReversePage:
    """Parse a legacy reverse-order list response (``data.reverse_list``, ``data.more``).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        UnknownCode: Strict mode met an unknown code.
        InvalidValue: The page or (strict mode) a record is malformed.

    """
    r = _data(response)
    found, rejected = _records(r, "reverse_list", _parse_legacy, strict)
    more = _bool(r.raw("more")) if r.raw("more") is not None else False
    if more is None:
        raise InvalidValue(r.field("more"), _short(r.raw("more")), "true or false")
    return LegacyReversePage(found, more, rejected)


# --- other responses ---------------------------------------------------------------------------


@attrs.frozen
class ReturnRecord:
    """One entry of a return's timeline (Get Return Records ``records[]``)."""

    event: str | None
    role: RoleCode | str | None
    description: str | None = None
    reason_text: str | None = None
    note: str | None = None
    images: tuple[Image, ...] = ()
    videos: tuple[Video, ...] = ()
    create_time: datetime | None = None


def _return_record(r: _Reader) -> ReturnRecord:
    role = r.opt_code("role", ROLE)
    return ReturnRecord(
        r.word("event"),
        None if role is None else _typed(role, RoleCode),
        r.text("description"),
        r.text("reason_text"),
        r.text("note"),
        r.items("images", _image),
        r.items("videos", _video),
        r.opt_time("create_time"),
    )


def parse_return_records(
    response: Mapping[str, Any], *, strict: bool = True
) -> tuple[ReturnRecord, ...]:
    """Parse a Get Return Records response (``data.records``); roles like ``"Buyer"`` are read.

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        InvalidValue: A record is malformed (UnknownCode for a role, in strict mode).

    """
    return (
        _data(response).items("records", _return_record)
        if strict
        else _tolerant(response, "records", _return_record)
    )


def _tolerant(response: Any, name: str, parse: Callable[[_Reader], T]) -> tuple[T, ...]:
    r = _data(response)
    r.strict = False
    return r.items(name, parse)


@attrs.frozen
class DecisionEligibility:
    """One entry of Get Decision Eligibility: whether a decision may be sent now.

    Attributes:
        decision: The decision.
        eligible: Whether the platform would accept it now.
        ineligible_code: The platform's reason code (e.g. 25011014).
        ineligible_reason: The platform's reason text.

    """

    decision: DecisionCode | str
    eligible: bool
    ineligible_code: int | None = None
    ineligible_reason: str | None = None


def _decision_eligibility(r: _Reader) -> DecisionEligibility:
    decision = r.code("decision", DECISION)
    eligible = _bool(r.required("eligible"))
    if eligible is None:
        raise InvalidValue(r.field("eligible"), _short(r.raw("eligible")), "true or false")
    return DecisionEligibility(
        _typed(decision, DecisionCode),
        eligible,
        r.integer("ineligible_code"),
        r.text("ineligible_reason"),
    )


def parse_decision_eligibility(
    response: Mapping[str, Any], *, strict: bool = True
) -> tuple[DecisionEligibility, ...]:
    """Parse a Get Decision Eligibility response (``data.decisions``).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        InvalidValue: An entry is malformed (UnknownCode for a decision, in strict mode).

    """
    if strict:
        return _data(response).items("decisions", _decision_eligibility)
    return _tolerant(response, "decisions", _decision_eligibility)


@attrs.frozen
class AftersaleEligibility:
    """One line-item entry of Get Aftersale Eligibility.

    Attributes:
        sku_id: The SKU.
        request_type: ``CANCEL``, ``REFUND``, ``RETURN_AND_REFUND`` … (raw: the
            docs and the examples disagree).
        order_line_item_ids: The order lines concerned (the key is spelled
            ``order_line_items_ids``).
        eligible: Whether such a request may be made.
        ineligible_code: The platform's reason code.
        ineligible_reason: The platform's reason text.

    """

    sku_id: str | None
    request_type: str | None
    order_line_item_ids: tuple[str, ...]
    eligible: bool
    ineligible_code: int | None = None
    ineligible_reason: str | None = None


def parse_aftersale_eligibility(response: Mapping[str, Any]) -> tuple[AftersaleEligibility, ...]:
    """Parse a Get Aftersale Eligibility response, one entry per line-item eligibility.

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        InvalidValue: An entry is malformed.

    """

    def sku(r: _Reader) -> tuple[AftersaleEligibility, ...]:
        sku_id = r.opt_id("sku_id")

        def line(x: _Reader) -> AftersaleEligibility:
            ids = x.raw("order_line_items_ids")
            if ids is None:
                ids = x.raw("order_line_item_ids")
            if ids is None:
                ids = []
            if not isinstance(ids, list | tuple):
                raise InvalidValue(x.field("order_line_items_ids"), _short(ids), "a list of ids")
            eligible = _bool(x.required("eligible"))
            if eligible is None:
                raise InvalidValue(x.field("eligible"), _short(x.raw("eligible")), "true or false")
            return AftersaleEligibility(
                sku_id,
                x.word("request_type"),
                tuple(_id(f"{x.field('order_line_items_ids')}[{i}]", v) for i, v in enumerate(ids)),
                eligible,
                x.integer("ineligible_code"),
                x.text("ineligible_reason"),
            )

        return r.items("line_item_eligibility", line)

    groups = _data(response).items("sku_eligibility", sku)
    return tuple(item for group in groups for item in group)


@attrs.frozen
class RejectReason:
    """One reason of Get Reject Reasons: ``name`` goes in a reject body's ``reject_reason``."""

    name: str
    text: str | None = None


def parse_reject_reasons(response: Mapping[str, Any]) -> tuple[RejectReason, ...]:
    """Parse a Get Reject Reasons response (``data.reasons``).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        InvalidValue: A reason has no name.

    """

    def reason(r: _Reader) -> RejectReason:
        name = r.word("name")
        if name is None:
            raise InvalidValue(r.field("name"), r.raw("name"), "a reason name")
        return RejectReason(name, r.text("text"))

    return _data(response).items("reasons", reason)


def parse_refund_calculation(response: Mapping[str, Any]) -> RefundAmount:
    """Parse a Calculate Refund response (``data.order_refund_amount``), checked like any refund.

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        InvalidValue: The amount is missing or malformed.

    """
    r = _data(response)
    found = r.nested("order_refund_amount", _refund_amount)
    if found is None:
        raise InvalidValue(r.field("order_refund_amount"), None, "required field is missing")
    return found


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
class ReturnStatusChange(_Reading):
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
        return _narrow(RETURN_STATUS.reverse[self.return_status], types)

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``return_id``)."""
        return self.return_id

    def _initiated_by_seller(self) -> bool:
        return self.return_role is RoleCode.SELLER


@attrs.frozen
class CancellationStatusChange(_Reading):
    """Webhook 11 data: a cancellation's status changed.

    The documented example carries ``create_time`` only; live deliveries carry
    ``update_time`` only. Use :attr:`WebhookEnvelope.update_time`, which falls
    back on the envelope's ``timestamp``, or re-fetch through Search
    Cancellations.
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
class ReverseStatusUpdate(_Reading):
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
            types = _legacy_types(self.reverse_type)
            if types is None:
                return frozenset()
        return _narrow(LEGACY_STATUS.reverse[self.reverse_order_status], types)

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
        kind: The known :class:`WebhookType` (``None``: a number the library
            does not know; still no error).
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


def _webhook_12(r: _Reader) -> ReturnStatusChange:
    role = r.opt_code("return_role", ROLE)
    kind = r.opt_code("return_type", RETURN_TYPE)
    status = r.code("return_status", RETURN_STATUS)
    return ReturnStatusChange(
        r.id("order_id"),
        r.id("return_id"),
        None if role is None else _typed(role, RoleCode),
        None if kind is None else _typed(kind, ReturnTypeCode),
        _typed(status, ReturnStatusCode),
        r.opt_time("create_time"),
        r.opt_time("update_time"),
    )


def _webhook_11(r: _Reader) -> CancellationStatusChange:
    role = r.opt_code("cancellations_role", ROLE)
    if role is None:
        role = r.opt_code("role", ROLE)
    status = r.code("cancel_status", CANCEL_STATUS)
    return CancellationStatusChange(
        r.id("order_id"),
        r.id("cancel_id"),
        None if role is None else _typed(role, RoleCode),
        _typed(status, CancelStatusCode),
        r.opt_time("create_time"),
        r.opt_time("update_time"),
    )


def _webhook_2(r: _Reader) -> ReverseStatusUpdate:
    status = r.code("reverse_order_status", LEGACY_STATUS)
    kind = r.opt_code("reverse_type", LEGACY_TYPE)
    user = r.opt_code("reverse_user", LEGACY_USER)
    event = r.opt_code("reverse_event_type", LEGACY_EVENT_TYPE)
    return ReverseStatusUpdate(
        r.id("order_id"),
        r.id("reverse_order_id"),
        _int_code(status, LegacyStatus, r.field("reverse_order_status")),
        None if kind is None else _int_code(kind, LegacyType, r.field("reverse_type")),
        None if user is None else _int_code(user, LegacyUser, r.field("reverse_user")),
        None if event is None else _typed(event, LegacyEventType),
        r.opt_time("update_time"),
    )


_PARSERS: Mapping[WebhookType, Callable[[_Reader], WebhookData]] = MappingProxyType(
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
            raise InvalidValue("body", _short(body), "a JSON object") from None
    raise InvalidValue("body", _short(body), "bytes, a string or a decoded JSON object")


def parse_webhook(
    body: bytes | bytearray | str | Mapping[str, Any], *, strict: bool = True
) -> WebhookEnvelope:
    """Parse a webhook delivery (the raw body or its decoded JSON).

    Types 2, 11 and 12 get typed ``data``; any other number (known or not)
    is returned with ``data=None`` and no error, so a host can acknowledge
    it. Verify the signature on the raw bytes first
    (:func:`tiktok_aftersales.platform.verify_signature`).

    Raises:
        UnknownCode: Strict mode met an unknown status, type or role in 2, 11 or 12.
        InvalidValue: The body is not a JSON object, ``type`` is not an
            integer, or the data of 2, 11 or 12 is malformed.

    """
    r = _Reader(_decode(body), "", strict)
    number = _int("type", r.required("type"))
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
