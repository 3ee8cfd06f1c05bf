"""Batch returns at the platform's edge: webhooks 64-67, search pages, review decisions.

Typed readings of the 2026 batch model (``platform-2026.md`` §4, §4b): the
Aftersales Request (the buyer's request, reviewed per line), the RMA (a
package made from the approved lines) and the refund of one SKU. No public
payload example exists, so the documented fields are modelled and the rest is
read tolerantly; the fields marked ``[I]`` below are inferred.

Strict mode (the default) raises [`UnknownCode`][tiktok_aftersales.errors.UnknownCode]
for a status no vocabulary knows; tolerant mode keeps the raw value and names
the field in ``unmapped``. Malformed values raise
[`InvalidValue`][tiktok_aftersales.errors.InvalidValue] naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..codes import (
    AFTERSALES_STATUS,
    RMA_STATUS,
    ROLE,
    AftersalesStatusCode,
    Canonical,
    RefundStatusCode,
    RmaStatusCode,
    RoleCode,
    Vocabulary,
)
from ..domain.money import Money
from ..errors import InvalidValue
from ._canonical import Reading
from ._reader import Reader, response_data, short_value, typed_code
from .requests import ItemError
from .responses import Rejected

__all__ = [
    "REFUND_STATUS",
    "AftersalesPage",
    "AftersalesRecord",
    "AftersalesRequestStatusUpdate",
    "BatchLine",
    "DecisionOption",
    "LineReviewDecisions",
    "ProductAppealCompleted",
    "RefundSuccess",
    "RefundedLine",
    "ReviewResult",
    "RmaPage",
    "RmaRecord",
    "RmaStatusUpdate",
    "SkuReturnRequest",
    "parse_aftersales_page",
    "parse_review_decisions",
    "parse_review_result",
    "parse_rma_page",
    "read_batch_webhook",
]

REFUND_STATUS: Vocabulary[Any, RefundStatusCode] = Vocabulary.from_table(
    "refund_status",
    "TikTok Shop batch returns: webhook 67 refund_status",
    "platform-2026.md §4b",
    RefundStatusCode,
    {"refund_success": RefundStatusCode.REFUND_SUCCESS},
    absent="no other refund status is documented",
)
"""``refund_status`` of webhook 67 (one documented value)."""


def _role(r: Reader) -> RoleCode | str | None:
    role = r.opt_code("return_role", ROLE)
    return None if role is None else typed_code(role, RoleCode)


# --- webhooks 64 to 67 -------------------------------------------------------------------------


@attrs.frozen
class AftersalesRequestStatusUpdate(Reading):
    """Webhook 64 data: a batch request's status changed.

    Attributes:
        aftersales_request_id: The batch request.
        return_role: Who started it (BUYER, SELLER).
        status: ``aftersales_request_status``.
        create_time: ``aftersales_request_create_time``.
        update_time: ``aftersales_request_update_time``.
        unmapped: Fields whose values no vocabulary knew (tolerant mode).

    """

    aftersales_request_id: str
    return_role: RoleCode | str | None
    status: AftersalesStatusCode | str
    create_time: datetime | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()
    order_id: str | None = None
    """Webhook 64 names no order (look it up through the aftersales search)."""

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the status can mean (empty: unmapped)."""
        if not isinstance(self.status, AftersalesStatusCode):
            return frozenset()
        return AFTERSALES_STATUS.reverse[self.status]

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (``aftersales_request_id``)."""
        return self.aftersales_request_id


@attrs.frozen
class RmaStatusUpdate(Reading):
    """Webhook 65 data: a return package's status changed.

    Attributes:
        rma_id: The package.
        aftersales_request_id: The batch request it was made from.
        return_role: Who started the request.
        status: ``rma_status`` (``AWAITING_BUYER_SHIPPED`` reads as AWAITING_BUYER_RETURN).
        create_time: ``rma_request_create_time``.
        update_time: ``rma_request_update_time``.
        unmapped: Fields whose values no vocabulary knew.

    """

    rma_id: str
    aftersales_request_id: str | None
    return_role: RoleCode | str | None
    status: RmaStatusCode | str
    create_time: datetime | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()
    order_id: str | None = None

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the status can mean (empty: unmapped)."""
        if not isinstance(self.status, RmaStatusCode):
            return frozenset()
        return RMA_STATUS.reverse[self.status]

    @property
    def platform_id(self) -> str:
        """The platform's id of the package (``rma_id``)."""
        return self.rma_id


@attrs.frozen
class ProductAppealCompleted:
    """Webhook 66 data: a *product listing* appeal was decided (not an after-sales appeal).

    Attributes:
        product_id: The product.
        raw: The data object as received (audit results are not modelled).

    """

    product_id: str | None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    unmapped: tuple[str, ...] = ()
    update_time: datetime | None = None


@attrs.frozen
class RefundedLine:
    """One line of webhook 67: which SKU of which per-SKU request was refunded."""

    main_order_id: str | None
    return_line_item_id: str | None
    sku_id: str | None
    sku_return_request_id: str | None
    sub_return_line_item_id: str | None = None


@attrs.frozen
class RefundSuccess:
    """Webhook 67 data: a refund succeeded for the lines of a batch request.

    Attributes:
        aftersales_request_id: The batch request.
        rma_id: The package, when the refund follows a return.
        refund_status: ``REFUND_SUCCESS``.
        refund_total: ``refund_total`` in ``refund_currency``.
        refund_time: ``refund_timestamp``.
        line_items: The refunded lines.
        unmapped: Fields whose values no vocabulary knew.

    """

    aftersales_request_id: str | None
    rma_id: str | None
    refund_status: RefundStatusCode | str
    refund_total: Money | None
    refund_time: datetime | None
    line_items: tuple[RefundedLine, ...] = ()
    unmapped: tuple[str, ...] = ()

    @property
    def update_time(self) -> datetime | None:
        """When the refund happened (``refund_timestamp``)."""
        return self.refund_time


BatchWebhookData = (
    AftersalesRequestStatusUpdate | RmaStatusUpdate | ProductAppealCompleted | RefundSuccess
)


def _webhook_64(r: Reader) -> AftersalesRequestStatusUpdate:
    status = r.code("aftersales_request_status", AFTERSALES_STATUS)
    return AftersalesRequestStatusUpdate(
        r.id("aftersales_request_id"),
        _role(r),
        typed_code(status, AftersalesStatusCode),
        r.opt_time("aftersales_request_create_time"),
        r.opt_time("aftersales_request_update_time"),
    )


def _webhook_65(r: Reader) -> RmaStatusUpdate:
    status = r.code("rma_status", RMA_STATUS)
    return RmaStatusUpdate(
        r.id("rma_id"),
        r.opt_id("aftersales_request_id"),
        _role(r),
        typed_code(status, RmaStatusCode),
        r.opt_time("rma_request_create_time"),
        r.opt_time("rma_request_update_time"),
    )


def _webhook_66(r: Reader) -> ProductAppealCompleted:
    return ProductAppealCompleted(r.opt_id("product_id"), dict(r.data))


def _refunded_line(r: Reader) -> RefundedLine:
    return RefundedLine(
        r.opt_id("main_order_id"),
        r.opt_id("return_line_item_id"),
        r.opt_id("sku_id"),
        r.opt_id("sku_return_request_id"),
        r.opt_id("sub_return_line_item_id"),
    )


def _webhook_67(r: Reader) -> RefundSuccess:
    status = r.code("refund_status", REFUND_STATUS)
    currency = r.currency("refund_currency", required=r.raw("refund_total") is not None)
    return RefundSuccess(
        r.opt_id("aftersales_request_id"),
        r.opt_id("rma_id"),
        typed_code(status, RefundStatusCode),
        r.money("refund_total", currency),
        r.opt_time("refund_timestamp"),
        r.items("line_items", _refunded_line),
    )


_BATCH: Mapping[int, Callable[[Reader], BatchWebhookData]] = {
    64: _webhook_64,
    65: _webhook_65,
    66: _webhook_66,
    67: _webhook_67,
}


def read_batch_webhook(number: int, r: Reader) -> BatchWebhookData | None:
    """Read the data of webhook 64, 65, 66 or 67 (``None`` for any other type number)."""
    parse = _BATCH.get(number)
    if parse is None:
        return None
    found = parse(r)
    return attrs.evolve(found, unmapped=tuple(sorted(r.unmapped)))


# --- search pages --------------------------------------------------------------------------------


@attrs.frozen
class BatchLine:
    """A line of a batch request or package (``line_items[]``).

    Attributes:
        return_line_item_id: The line's id, which reviews name.
        order_line_item_id: The order line [I: the legacy returns' field name].
        sku_id: The SKU [I].
        sub_return_line_item_id: A virtual-bundle child's id.

    """

    return_line_item_id: str
    order_line_item_id: str | None = None
    sku_id: str | None = None
    sub_return_line_item_id: str | None = None


@attrs.frozen
class SkuReturnRequest:
    """A per-SKU return request of a batch request (a legacy return): its id and money.

    Attributes:
        id: The request's id [I: ``id`` or ``return_id``].
        currency: The currency of the amounts.
        amounts: The documented discount and return-shipping amounts present
            (``product_platform_discount``, ``seller_paid_…``, …), by name.

    """

    id: str | None
    currency: str | None
    amounts: Mapping[str, Money] = attrs.field(factory=dict)


_SKU_AMOUNTS = (
    "product_platform_discount",
    "product_seller_discount",
    "shipping_fee_platform_discount",
    "shipping_fee_seller_discount",
    "seller_paid_return_shipping_fee_amount",
    "buyer_paid_return_shipping_fee_amount",
    "platform_paid_return_shipping_fee_amount",
)


def _line(r: Reader) -> BatchLine:
    return BatchLine(
        r.id("return_line_item_id"),
        r.opt_id("order_line_item_id"),
        r.opt_id("sku_id"),
        r.opt_id("sub_return_line_item_id"),
    )


def _sku_request(r: Reader) -> SkuReturnRequest:
    currency = r.currency(required=False)
    amounts: dict[str, Money] = {}
    for name in _SKU_AMOUNTS:
        value = r.raw(name)
        if isinstance(value, Mapping):  # [I] an amount object {amount, currency}
            child = Reader(value, r.field(name), r.strict)
            found = child.money("amount", child.currency(required=False) or currency)
        else:
            found = r.money(name, currency)
        if found is not None:
            amounts[name] = found
    return SkuReturnRequest(r.opt_id("id") or r.opt_id("return_id"), currency, amounts)


def _rma_ids(r: Reader) -> tuple[str, ...]:
    value = r.raw("return_merchandise_authorizations")
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise InvalidValue(
            r.field("return_merchandise_authorizations"), short_value(value), "a list"
        )
    return r.items("return_merchandise_authorizations", lambda x: x.opt_id("id") or "")


@attrs.frozen
class AftersalesRecord(Reading):
    """One record of the aftersales search: the buyer's batch request.

    Attributes:
        id: ``aftersales_request_id``.
        status: INIT, PENDING_REQUEST_REVIEW or REQUEST_REVIEW_COMPLETED.
        line_items: Every line asked back (opt-in ``LINE_ITEMS``).
        sku_return_requests: The per-SKU requests (opt-in).
        rma_ids: The packages made from it (opt-in).
        order_id: ``main_order_id`` [I: the filter's name, not documented on the record].
        update_time: ``update_time`` [I].
        unmapped: Fields whose values no vocabulary knew.

    """

    id: str
    status: AftersalesStatusCode | str
    line_items: tuple[BatchLine, ...] = ()
    sku_return_requests: tuple[SkuReturnRequest, ...] = ()
    rma_ids: tuple[str, ...] = ()
    order_id: str | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the status can mean."""
        if not isinstance(self.status, AftersalesStatusCode):
            return frozenset()
        return AFTERSALES_STATUS.reverse[self.status]

    @property
    def platform_id(self) -> str:
        """The platform's id (``id``)."""
        return self.id


@attrs.frozen
class RmaRecord(Reading):
    """One record of the RMA search: a return package.

    Attributes:
        id: ``rma_id``.
        package_id: The package.
        aftersales_request_id: The batch request.
        status: The RMA status.
        line_items: The package's lines.
        sku_return_requests: Its requests, one per SKU.
        order_id: ``main_order_id`` [I].
        update_time: ``update_time`` [I].
        unmapped: Fields whose values no vocabulary knew.

    """

    id: str
    package_id: str | None
    aftersales_request_id: str | None
    status: RmaStatusCode | str
    line_items: tuple[BatchLine, ...] = ()
    sku_return_requests: tuple[SkuReturnRequest, ...] = ()
    order_id: str | None = None
    update_time: datetime | None = None
    unmapped: tuple[str, ...] = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the status can mean."""
        if not isinstance(self.status, RmaStatusCode):
            return frozenset()
        return RMA_STATUS.reverse[self.status]

    @property
    def platform_id(self) -> str:
        """The platform's id (``id``)."""
        return self.id


def _aftersales(r: Reader) -> AftersalesRecord:
    status = r.code("status", AFTERSALES_STATUS)
    out = AftersalesRecord(
        r.id("id"),
        typed_code(status, AftersalesStatusCode),
        r.items("line_items", _line),
        r.items("sku_return_requests", _sku_request),
        tuple(x for x in _rma_ids(r) if x),
        r.opt_id("main_order_id"),
        r.opt_time("update_time"),
    )
    return attrs.evolve(out, unmapped=tuple(sorted(r.unmapped)))


def _rma(r: Reader) -> RmaRecord:
    status = r.code("status", RMA_STATUS)
    out = RmaRecord(
        r.id("id"),
        r.opt_id("package_id"),
        r.opt_id("aftersales_request_id"),
        typed_code(status, RmaStatusCode),
        r.items("line_items", _line),
        r.items("sku_return_requests", _sku_request),
        r.opt_id("main_order_id"),
        r.opt_time("update_time"),
    )
    return attrs.evolve(out, unmapped=tuple(sorted(r.unmapped)))


@attrs.frozen
class AftersalesPage:
    """One page of the aftersales search (see ``ReturnsPage``)."""

    records: tuple[AftersalesRecord, ...]
    total_count: int | None = None
    next_page_token: str | None = None
    rejected: tuple[Rejected, ...] = ()


@attrs.frozen
class RmaPage:
    """One page of the RMA search."""

    records: tuple[RmaRecord, ...]
    total_count: int | None = None
    next_page_token: str | None = None
    rejected: tuple[Rejected, ...] = ()


def _page_records(r: Reader, names: tuple[str, ...], parse: Any) -> tuple[Any, Any]:
    name = next((n for n in names if r.raw(n) is not None), names[0])
    value = r.raw(name)
    if value is None:
        return (), ()
    if not isinstance(value, list | tuple):
        raise InvalidValue(r.field(name), short_value(value), "a list")
    out: list[Any] = []
    rejected: list[Rejected] = []
    for i, item in enumerate(value):
        try:
            out.append(parse(Reader(item, f"{r.field(name)}[{i}]", r.strict)))
        except InvalidValue as error:
            if r.strict:
                raise
            rejected.append(Rejected(i, error))
    return tuple(out), tuple(rejected)


def parse_aftersales_page(response: Mapping[str, Any], *, strict: bool = True) -> AftersalesPage:
    """Parse an aftersales search response (records in ``aftersales_requests`` [I]).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        UnknownCode: Strict mode met an unknown status.
        InvalidValue: The page or (strict mode) a record is malformed.

    """
    r = response_data(response, strict)
    found, rejected = _page_records(r, ("aftersales_requests", "requests"), _aftersales)
    return AftersalesPage(
        found, r.integer("total_count"), r.text("next_page_token") or None, rejected
    )


def parse_rma_page(response: Mapping[str, Any], *, strict: bool = True) -> RmaPage:
    """Parse an RMA search response (records in ``return_merchandise_authorizations`` [I]).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        UnknownCode: Strict mode met an unknown status.
        InvalidValue: The page or (strict mode) a record is malformed.

    """
    r = response_data(response, strict)
    names = ("return_merchandise_authorizations", "rmas")
    found, rejected = _page_records(r, names, _rma)
    return RmaPage(found, r.integer("total_count"), r.text("next_page_token") or None, rejected)


# --- review decisions available, and the review's answer ----------------------------------------


@attrs.frozen
class DecisionOption:
    """One candidate decision of a line: eligible, or why not."""

    decision: str
    eligible: bool
    ineligible_code: int | None = None
    ineligible_reason: str | None = None


@attrs.frozen
class LineReviewDecisions:
    """What the seller may decide on one line (Get Review Decisions).

    Attributes:
        return_line_item_id: The line.
        options: Every candidate decision, eligible or not.
        reject_reasons: The reason ids the platform lists for a rejection.
        partial_refund_min: The smallest partial refund allowed.
        partial_refund_max: The largest partial refund allowed.

    """

    return_line_item_id: str
    options: tuple[DecisionOption, ...] = ()
    reject_reasons: tuple[str, ...] = ()
    partial_refund_min: Money | None = None
    partial_refund_max: Money | None = None

    def eligible(self, decision: str) -> bool:
        """Whether ``decision`` is offered and eligible on this line."""
        return any(o.decision == decision and o.eligible for o in self.options)

    def refusal(self, decision: str) -> DecisionOption | None:
        """The option that refuses ``decision`` (``None``: eligible, or not offered)."""
        return next((o for o in self.options if o.decision == decision and not o.eligible), None)


def _option(r: Reader) -> DecisionOption:
    decision = r.word("decision")
    if decision is None:
        raise InvalidValue(r.field("decision"), r.raw("decision"), "a decision name")
    return DecisionOption(
        decision,
        bool(r.flag("eligible")),
        r.integer("ineligible_code"),
        r.text("ineligible_reason"),
    )


def _reason(r: Reader) -> str:
    found = r.opt_id("reason_id") or r.word("name") or r.word("reason_id")
    if found is None:
        raise InvalidValue(r.field("reason_id"), r.raw("reason_id"), "a reason id")
    return found


def _review_line(r: Reader) -> LineReviewDecisions:
    low = high = None
    span = r.child("partial_refund_amount_range")
    if span is not None:
        currency = span.currency()
        low, high = span.money("min_amount", currency), span.money("max_amount", currency)
        r.unmapped |= span.unmapped
    return LineReviewDecisions(
        r.id("return_line_item_id"),
        r.items("decisions", _option),
        r.items("available_reject_reasons", _reason),
        low,
        high,
    )


def parse_review_decisions(
    response: Mapping[str, Any], *, strict: bool = True
) -> tuple[LineReviewDecisions, ...]:
    """Parse a Get Review Decisions response: per line, the decisions the seller may make.

    Lines are read from ``line_item_review_decisions`` [I: or ``line_items``].

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        InvalidValue: A line or decision is malformed.

    """
    r = response_data(response, strict)
    name = "line_item_review_decisions" if r.raw("line_item_review_decisions") else "line_items"
    return r.items(name, _review_line)


@attrs.frozen
class ReviewResult:
    """The answer to an aftersales review: code 0 may still refuse some decisions.

    Attributes:
        errors: The per-decision failures of the ``errors`` list.

    """

    errors: tuple[ItemError, ...] = ()

    @property
    def partial(self) -> bool:
        """Whether some decisions were refused."""
        return bool(self.errors)


def _item_error(r: Reader) -> ItemError:
    code = r.integer("code")
    detail = r.raw("detail")
    return ItemError(
        -1 if code is None else code,
        r.text("message") or "",
        r.opt_id("request_id") or r.opt_id("return_line_item_id"),
        detail if isinstance(detail, Mapping) else None,
    )


def parse_review_result(response: Mapping[str, Any]) -> ReviewResult:
    """Parse an aftersales review answer, reading its partial-failure ``errors`` list.

    Raises:
        PlatformResponseError: The response's ``code`` is not 0 (nothing was done).
        InvalidValue: The errors list is malformed.

    """
    r = response_data(response, True)
    return ReviewResult(r.items("errors", _item_error))
