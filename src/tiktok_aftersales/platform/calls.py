"""The one way out: the outbound request a seller's event becomes.

`request_for` turns a seller-fired event, once applied, into the one
`PlatformRequest` that carries it out at the
platform. Which kind of call an event becomes is declared with the event
(`tiktok_aftersales.lifecycle.EventSpec.call`): a decision on a buyer's
request ([`build_decision`][tiktok_aftersales.platform.decisions.build_decision]), a seller refund,
or
a seller cancellation.

**One key scheme.** Every request's ``idempotency_key`` is
[`idempotency_key`][tiktok_aftersales.platform.decisions.idempotency_key] of the case id, the
position the event took in the case's history, and the event: the same
decision always has the same key, whichever process or retry sends it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..domain.case import AfterSalesCase
from ..domain.money import Refund
from ..domain.vocabulary import Actor, Event, RequestType
from ..errors import InvalidValue, NoPlatformDecision
from ..lifecycle import EVENTS, CallKind, event_of
from .decisions import build_decision, idempotency_key
from .requests import PlatformRequest

__all__ = ["API_VERSIONS", "request_for", "request_from_json", "request_to_json"]

API_VERSIONS: Mapping[str, str] = {
    "create_return": "202602",
    "cancel_order": "202602",
}
"""The API version of each seller-initiated call (platform-2026.md §4c, the newest documented)."""


def _money_json(refund: Refund) -> dict[str, str]:
    total = refund.total
    return {"amount": str(total.amount), "currency": total.currency}


def _seller_refund(case: AfterSalesCase, seq: int, event: Event) -> PlatformRequest:
    """A seller refund: Create Return with ``return_type`` REFUND, committed at once."""
    refund = case.requested
    if refund is None:  # pragma: no cover - the event requires a refund
        raise InvalidValue("payload.refund", None, "a seller refund needs its amount")
    key = idempotency_key(case.case_id, seq, event)
    body: dict[str, Any] = {
        "order_id": case.order_id,
        "return_type": "REFUND",
        "order_line_item_ids": [x.line_id for x in refund.lines],
        "refund_total": _money_json(refund),
    }
    reason = _reason(case, seq)
    if reason:
        body["return_reason"] = reason
    return PlatformRequest(
        "create_return",
        "POST",
        f"/return_refund/{API_VERSIONS['create_return']}/returns",
        {"idempotency_key": key},
        body,
        idempotency_key=key,
        case_id=case.case_id,
    )


def _seller_cancel(case: AfterSalesCase, seq: int, event: Event) -> PlatformRequest:
    """A seller cancellation of the order (Cancel Order)."""
    key = idempotency_key(case.case_id, seq, event)
    body: dict[str, Any] = {"order_id": case.order_id}
    refund = case.refund
    if refund is not None and len(refund.lines) < len(case.lines):
        body["order_line_item_ids"] = [x.line_id for x in refund.lines]
    reason = _reason(case, seq)
    if reason:
        body["cancel_reason"] = reason
    return PlatformRequest(
        "cancel_order",
        "POST",
        f"/return_refund/{API_VERSIONS['cancel_order']}/cancellations",
        {"idempotency_key": key},
        body,
        idempotency_key=key,
        case_id=case.case_id,
    )


def _reason(case: AfterSalesCase, seq: int) -> str | None:
    payload = case.history[seq - 1].payload or {}
    value = payload.get("reason")
    return value if isinstance(value, str) else None


def request_for(before: AfterSalesCase, after: AfterSalesCase) -> PlatformRequest | None:
    """The outbound request that carries out the event ``after``'s last history entry records.

    Args:
        before: The case before the event (``state`` ``NEW`` for an opening).
        after: The case after it; its last history entry is the event.

    Returns:
        The request, or ``None`` when the event is not the seller's or
        becomes no call (the platform, the buyer or the carrier reports it,
        or it is a Seller Centre action with no API call).

    Raises:
        DecisionRefused: The platform would refuse the decision (its code attached).
        InvalidValue: The decision's payload is incomplete (a rejection
            without a reason, say) or there is no platform id to act on.

    """
    last = after.history[-1]
    if last.actor is not Actor.SELLER:
        return None
    event = event_of(last.event)
    kind = EVENTS[event].call
    if kind is CallKind.NONE:
        return None
    if kind is CallKind.SELLER_REFUND:
        return _seller_refund(after, last.seq, event)
    if kind is CallKind.SELLER_CANCEL or (
        event is Event.CANCEL_ORDER and after.request_type is RequestType.BUYER_CANCELLATION
    ):
        return _seller_cancel(after, last.seq, event)
    try:
        return build_decision(before, event, last.payload).request()
    except NoPlatformDecision:
        return None  # a Seller Centre action: nothing to send


def request_to_json(request: PlatformRequest) -> str:
    """The request as canonical JSON text (how the outbox keeps it)."""
    return json.dumps(
        {
            "operation": request.operation,
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "body": None if request.body is None else dict(request.body),
            "idempotency_key": request.idempotency_key,
            "case_id": request.case_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def request_from_json(text: str) -> PlatformRequest:
    """Read a request written by `request_to_json`.

    Raises:
        InvalidValue: The text is not such a request.

    """
    try:
        data = json.loads(text)
        return PlatformRequest(
            data["operation"],
            data["method"],
            data["path"],
            data.get("query") or {},
            data.get("body"),
            idempotency_key=data.get("idempotency_key"),
            case_id=data.get("case_id"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidValue("call", text[:60], f"not an outbound request ({exc})") from None
