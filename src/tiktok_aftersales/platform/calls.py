"""The one way out: the outbound request a seller's event becomes.

`request_for` turns a seller-fired event, once applied, into the one
`PlatformRequest` that carries it out at the
platform. Which kind of call an event becomes is declared with the event
(`tiktok_aftersales.lifecycle.EventSpec.call`): a decision on a buyer's
request ([`build_decision`][tiktok_aftersales.platform.decisions.build_decision]), a seller refund,
a seller-created return (Create Return, US), or a seller cancellation.

**One key scheme.** Every request's ``idempotency_key`` is
``idempotency_key`` of the case id, the
position the event took in the case's history, and the event: the same
decision always has the same key, whichever process or retry sends it.
"""

from __future__ import annotations

import json

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Actor
from ..errors import InvalidValue, NoPlatformDecision
from ..lifecycle import EVENTS, CallKind, event_of
from .decisions import build_decision
from .outbound import build_cancel_order, build_create_return, build_seller_refund
from .requests import PlatformRequest

__all__ = ["request_for", "request_from_json", "request_to_json"]


def _reason(case: AfterSalesCase, seq: int) -> str | None:
    payload = case.history[seq - 1].payload or {}
    value = payload.get("reason")
    return value if isinstance(value, str) and value.strip() else None


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
    reason = _reason(after, last.seq)
    if kind is CallKind.SELLER_REFUND:
        if after.requested is None:  # pragma: no cover - the event requires a refund
            raise InvalidValue("payload.refund", None, "a seller refund needs its amount")
        return build_seller_refund(
            case_id=after.case_id,
            order_id=after.order_id,
            reason=reason,
            refund=after.requested,
            lines=after.lines,
            seq=last.seq,
        ).request
    if kind is CallKind.SELLER_RETURN:
        if after.requested is None:  # pragma: no cover - an opening sets the requested refund
            raise InvalidValue("payload.refund", None, "a seller-created return needs its amount")
        data = last.payload or {}
        shipment = data.get("shipment_type")
        handover = data.get("handover_method")
        return build_create_return(
            case_id=after.case_id,
            order_id=after.order_id,
            reason=reason,
            refund=after.requested,
            shipment_type=shipment if isinstance(shipment, str) else "PLATFORM",
            handover_method=handover if isinstance(handover, str) else None,
            lines=after.lines,
            seq=last.seq,
        ).request
    if kind is CallKind.SELLER_CANCEL:
        refund = after.refund
        partial = refund is not None and len(refund.lines) < len(after.lines)
        restock = (last.payload or {}).get("restock", True)
        return build_cancel_order(
            case_id=after.case_id,
            order_id=after.order_id,
            reason=reason,
            restock=restock if isinstance(restock, bool) else True,
            lines=after.lines,
            line_ids=[x.line_id for x in refund.lines] if partial and refund else None,
            seq=last.seq,
        ).request
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
