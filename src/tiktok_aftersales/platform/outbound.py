"""Seller-initiated calls as outbound requests: cancel, refund, create a return, calculate.

Each builder turns one seller call into a `SellerCall`: the
`PlatformRequest` to send (operation,
method, versioned path, query, body, idempotency key, case id) and what the
call means for the order once the platform accepts it (the refund it puts
against the order ledger, the stock effect). The key is stable: the same
call for the same case and history position always has the same key, so a
retried request cannot act twice.

The platform answers a refused call synchronously (a seller refund has no
approval step, ``platform-2026.md`` §3); `raise_for_reply` turns the
reply's code into a typed error (`OUTBOUND_ERRORS`).

Body fields follow ``platform-api.md`` §2d (Create Return, Calculate Refund)
and the public SDK types of Cancel Order (``order_id``, ``cancel_reason``,
``order_line_item_ids``). Whether stock is replenished is no documented
request field (``should_replenish_stock`` is seen on 202602 cancellation
records only): it is kept on the call, where it decides the stock effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..domain.effects import EffectKind
from ..domain.ledger import OrderLedger
from ..domain.money import Money, OrderLine, Refund, check_refund
from ..domain.vocabulary import OrderKind
from ..errors import (
    InvalidValue,
    OrderAlreadyShipped,
    OrderClosedForAftersales,
    OrderKindForbids,
    PlatformResponseError,
    ReasonNotMatchingStatus,
    RefundExceedsRefundable,
    RejectReasonNotAllowed,
    RequestAlreadyInProgress,
)
from ..lifecycle import EVENTS, event_of
from .keys import idempotency_key
from .requests import PlatformReply, PlatformRequest
from .responses import RejectReason, parse_refund_calculation
from .values import RefundAmount
from .versions import DEFAULT_VERSIONS, ApiVersions, Endpoint

__all__ = [
    "OUTBOUND_ERRORS",
    "SHIPMENT_TYPES",
    "SellerCall",
    "build_calculate_refund",
    "build_cancel_order",
    "build_create_return",
    "build_seller_refund",
    "check_order_kinds",
    "check_reject_reason",
    "outbound_key",
    "parse_calculated_refund",
    "raise_for_reply",
    "refund_total",
]

OUTBOUND_ERRORS: Mapping[int, type[PlatformResponseError]] = {
    25005005: RefundExceedsRefundable,
    25001045: OrderAlreadyShipped,
    25001011: RequestAlreadyInProgress,
    25001051: OrderClosedForAftersales,
    25001021: ReasonNotMatchingStatus,
}
"""Platform error codes of seller-initiated calls -> typed errors (platform-api.md §2e)."""

SHIPMENT_TYPES = frozenset({"PLATFORM", "BUYER_ARRANGE"})
"""Create Return ``shipment_type`` values: a platform label, or the buyer's own carrier."""
_HANDOVER = frozenset({"DROP_OFF", "PICKUP"})


@attrs.frozen
class SellerCall:
    """A seller-initiated call, ready for the outbox, and what it means once accepted.

    Attributes:
        request: The request to send.
        refund: The refund it commits against the order's ledger (``None``
            for a call that refunds nothing by itself, such as a calculation).
        stock: The stock effect once accepted (``RELEASE_STOCK`` for a cancel
            that replenishes stock), or ``None``.
        line_ids: The order lines it concerns (empty: the whole order).

    """

    request: PlatformRequest
    refund: Refund | None = None
    stock: EffectKind | None = None
    line_ids: tuple[str, ...] = ()


_EVENT_OF = {"seller_refund": "initiate_refund", "cancel_order": "cancel_order"}


def outbound_key(case_id: str, operation: str, seq: int = 1) -> str:
    """The idempotency key of a seller call: the one scheme of `idempotency_key`.

    The call is keyed by the event it carries (a seller refund is
    ``initiate_refund``), so a call built here and the same call recorded by
    the service carry one key.

    Args:
        case_id: The host's case id.
        operation: The operation (``"cancel_order"``).
        seq: The history position the call's event will take (1 for an opening).

    Raises:
        InvalidValue: The case id is empty or ``seq`` is not a positive integer.

    """
    if not isinstance(case_id, str) or not case_id.strip():
        raise InvalidValue("case_id", case_id, "a non-empty string")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise InvalidValue("seq", seq, "a positive integer")
    return idempotency_key(case_id, seq, _EVENT_OF.get(operation, operation))


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "a non-empty string")
    return value.strip()


def _line_ids(field: str, value: Sequence[str] | None, lines: Sequence[OrderLine]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise InvalidValue(field, value, "a non-empty list of order line item ids")
    known = {line.line_id for line in lines}
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or (known and item not in known):
            raise InvalidValue(field, item, f"a line of the order ({', '.join(sorted(known))})")
        if item not in out:
            out.append(item)
    return out


def build_cancel_order(
    *,
    case_id: str,
    order_id: str,
    reason: str | None = None,
    restock: bool,
    lines: Sequence[OrderLine] = (),
    line_ids: Sequence[str] | None = None,
    seq: int = 1,
    versions: ApiVersions = DEFAULT_VERSIONS,
    ledger: OrderLedger | None = None,
) -> SellerCall:
    """The seller cancels an order, whole or some of its lines (Cancel Order).

    Check the opening first (`tiktok_aftersales.deadlines.initiative.check_opening`):
    single lines may be cancelled in the US and the UK only.

    Args:
        case_id: The host's case for the cancellation.
        order_id: The platform's order id.
        reason: A cancel reason name (``seller_cancel_reason_out_of_stock`` …).
        restock: Whether the cancelled stock goes back to sale (the stock effect).
        lines: The order's lines, to check ``line_ids`` against and to size the refund.
        line_ids: The lines to cancel; ``None`` cancels the whole order.
        seq: The history position the cancel event takes (1: the opening).
        versions: The API versions.
        ledger: The order's ledger (every case of the order); when given, a
            cancel that would refund more than the order has left is refused.

    Returns:
        The call; ``refund`` is what the cancel refunds (when ``lines`` are given).

    Raises:
        InvalidValue: An argument is missing or malformed.
        OrderOverRefund: The order has less left than the cancel refunds.

    """
    if not isinstance(restock, bool):
        raise InvalidValue("restock", restock, "true or false")
    ids = _line_ids("line_ids", line_ids, lines)
    body: dict[str, Any] = {"order_id": _text("order_id", order_id)}
    if reason is not None:
        body["cancel_reason"] = _text("reason", reason)
    if ids:
        body["order_line_item_ids"] = ids
    refund: Refund | None = None
    if lines:
        refund = Refund.order(lines) if not ids else Refund.line(lines, *ids)
        check_refund(refund, lines, "refund")
        if ledger is not None:
            ledger.check(refund)
    key = outbound_key(case_id, "cancel_order", seq)
    request = PlatformRequest(
        "cancel_order",
        versions.method(Endpoint.CANCEL_ORDER),
        versions.path(Endpoint.CANCEL_ORDER),
        body=body,
        idempotency_key=key,
        case_id=case_id,
    )
    stock = EffectKind.RELEASE_STOCK if restock else None
    return SellerCall(request, refund, stock, tuple(ids))


def _refund_body(order_id: str, reason: str | None, refund: Refund) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": _text("order_id", order_id),
        "refund_total": str(refund.total.amount),
        "currency": refund.currency,
        "order_line_item_ids": [line.line_id for line in refund.lines],
    }
    if reason is not None:
        body["return_reason"] = _text("reason", reason)
    return body


def _refund(value: Any, lines: Sequence[OrderLine]) -> Refund:
    if not isinstance(value, Refund):
        raise InvalidValue("refund", value, "a Refund")
    if lines:
        check_refund(value, lines, "refund")
    return value


def build_seller_refund(
    *,
    case_id: str,
    order_id: str,
    reason: str | None = None,
    refund: Refund,
    lines: Sequence[OrderLine] = (),
    seq: int = 1,
    versions: ApiVersions = DEFAULT_VERSIONS,
    ledger: OrderLedger | None = None,
) -> SellerCall:
    """The seller refunds on its own initiative (Create Return, ``return_type`` REFUND).

    The platform refunds at once; a refusal is the reply's error (25005005
    when the amount exceeds what is refundable): see `raise_for_reply`.

    Args:
        case_id: The host's case for the refund.
        order_id: The platform's order id.
        reason: A return reason name.
        refund: The refund per line (order, line or partial-line level).
        lines: The order's lines, to check the refund against.
        seq: The history position of the refund event (1: the opening).
        versions: The API versions.
        ledger: The order's ledger; when given, a refund beyond what the order
            has left across all its cases is refused before it is sent.

    Raises:
        InvalidValue: An argument is missing or malformed.
        OverRefund: The refund exceeds what a line paid.
        OrderOverRefund: The order has less left than the refund.

    """
    checked = _refund(refund, lines)
    if ledger is not None:
        ledger.check(checked)
    key = outbound_key(case_id, "seller_refund", seq)
    body = {**_refund_body(order_id, reason, checked), "return_type": "REFUND"}
    request = PlatformRequest(
        "seller_refund",
        versions.method(Endpoint.CREATE_RETURN),
        versions.path(Endpoint.CREATE_RETURN),
        query={"idempotency_key": key},
        body=body,
        idempotency_key=key,
        case_id=case_id,
    )
    return SellerCall(request, checked, None, tuple(x.line_id for x in checked.lines))


def build_create_return(
    *,
    case_id: str,
    order_id: str,
    reason: str | None = None,
    refund: Refund,
    shipment_type: str = "PLATFORM",
    handover_method: str | None = None,
    lines: Sequence[OrderLine] = (),
    seq: int = 1,
    versions: ApiVersions = DEFAULT_VERSIONS,
) -> SellerCall:
    """The seller creates a return for the buyer (Create Return, RETURN_AND_REFUND; US only).

    Check the opening first: seller returns exist in the US only
    (`tiktok_aftersales.deadlines.initiative.check_opening`). The
    refund is not committed by the call: it follows the returned parcel, so
    ``refund`` on the result is ``None``. The lifecycle's ``create_return``
    opening becomes this call (its key is the event's, as for every call).

    Raises:
        InvalidValue: An argument is missing or malformed.
        OverRefund: The refund exceeds what a line paid.

    """
    checked = _refund(refund, lines)
    if shipment_type not in SHIPMENT_TYPES:
        raise InvalidValue("shipment_type", shipment_type, "PLATFORM or BUYER_ARRANGE")
    if handover_method is not None and handover_method not in _HANDOVER:
        raise InvalidValue("handover_method", handover_method, "DROP_OFF or PICKUP")
    key = outbound_key(case_id, "create_return", seq)
    body = {
        **_refund_body(order_id, reason, checked),
        "return_type": "RETURN_AND_REFUND",
        "shipment_type": shipment_type,
    }
    if handover_method is not None:
        body["handover_method"] = handover_method
    request = PlatformRequest(
        "create_return",
        versions.method(Endpoint.CREATE_RETURN),
        versions.path(Endpoint.CREATE_RETURN),
        query={"idempotency_key": key},
        body=body,
        idempotency_key=key,
        case_id=case_id,
    )
    return SellerCall(request, None, None, tuple(x.line_id for x in checked.lines))


_CALC_TYPES = frozenset({"CANCEL", "REFUND", "RETURN_AND_REFUND"})


def build_calculate_refund(
    *,
    order_id: str,
    request_type: str,
    reason: str,
    line_ids: Sequence[str] | None = None,
    shipment_type: str | None = None,
    handover_method: str | None = None,
    case_id: str | None = None,
    versions: ApiVersions = DEFAULT_VERSIONS,
) -> PlatformRequest:
    """Ask the platform what a cancel, refund or return would refund, before committing one.

    A calculation changes nothing, so it needs no idempotency key. Read the
    answer with `parse_calculated_refund`.

    Raises:
        InvalidValue: An argument is missing or malformed.

    """
    if request_type not in _CALC_TYPES:
        raise InvalidValue("request_type", request_type, "CANCEL, REFUND or RETURN_AND_REFUND")
    body: dict[str, Any] = {
        "order_id": _text("order_id", order_id),
        "request_type": request_type,
        "reason_name": _text("reason", reason),
    }
    ids = _line_ids("line_ids", line_ids, ())
    if ids:
        body["order_line_item_ids"] = ids
    if shipment_type is not None:
        if shipment_type not in SHIPMENT_TYPES:
            raise InvalidValue("shipment_type", shipment_type, "PLATFORM or BUYER_ARRANGE")
        body["shipment_type"] = shipment_type
    if handover_method is not None:
        if handover_method not in _HANDOVER:
            raise InvalidValue("handover_method", handover_method, "DROP_OFF or PICKUP")
        body["handover_method"] = handover_method
    return PlatformRequest(
        "calculate_refund",
        versions.method(Endpoint.CALCULATE_REFUND),
        versions.path(Endpoint.CALCULATE_REFUND),
        body=body,
        case_id=case_id,
    )


def parse_calculated_refund(response: Mapping[str, Any]) -> RefundAmount:
    """Read a Calculate Refund response into a typed, checked refund amount.

    Raises:
        PlatformResponseError: The response's code is not 0 (a typed
            subclass for the codes of `OUTBOUND_ERRORS`).
        InvalidValue: The amount is missing or malformed.

    """
    try:
        return parse_refund_calculation(response)
    except PlatformResponseError as error:
        raise _typed(error.code, error.message, error.request_id) from error


def _typed(code: int, message: str, request_id: str | None) -> PlatformResponseError:
    return OUTBOUND_ERRORS.get(code, PlatformResponseError)(code, message, request_id)


def raise_for_reply(reply: PlatformReply) -> PlatformReply:
    """Return an accepted reply; raise the typed error of a refused one.

    Raises:
        PlatformResponseError: The reply's code is not 0; the subclass
            names the refusal (``RefundExceedsRefundable`` for 25005005 …).

    """
    if reply.code != 0:
        raise _typed(reply.code, reply.message, reply.request_id)
    return reply


def refund_total(call: SellerCall) -> Money | None:
    """What the call refunds in total (``None``: nothing by itself)."""
    return None if call.refund is None else call.refund.total


def check_reject_reason(reason: str, reasons: Sequence[RejectReason | str]) -> str:
    """Refuse a reject reason the platform did not list for this market and order status.

    Fetch the reasons first (Get Reject Reasons, read with
    [`parse_reject_reasons`][tiktok_aftersales.platform.responses.parse_reject_reasons]): SEA apps
    must,
    and the US removed some reasons (``platform-api.md`` §6 item 6).

    Returns:
        The reason, when listed.

    Raises:
        RejectReasonNotAllowed: The reason is not listed; it carries the
            platform's code 25001021 and the listed names.

    """
    names = [r.name if isinstance(r, RejectReason) else str(r) for r in reasons]
    if reason not in names:
        raise RejectReasonNotAllowed("reject_reason", reason, names)
    return reason


def check_order_kinds(event: str, kinds: Sequence[OrderKind | str]) -> None:
    """Refuse locally a decision the platform forbids on FBT, quick-refund or guaranteed orders.

    The codes are declared on the event (``EventSpec.forbidden_for``):
    25011026 "forbid process receive for FBT order", 25011025 "quick refund
    forbid reject receive", 25011023 "forbid process authentic guarantee order".

    Raises:
        OrderKindForbids: The event is forbidden on one of ``kinds``.
        InvalidValue: A kind or the event is unknown.

    """
    spec = EVENTS[event_of(event)]
    for kind in kinds:
        try:
            which = OrderKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in OrderKind)
            raise InvalidValue("order_kinds", kind, f"one of {allowed}") from None
        code = spec.forbidden_for.get(which)
        if code is not None:
            raise OrderKindForbids(spec.name, which, code)
