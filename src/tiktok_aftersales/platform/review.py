"""The batch review as an outbound request, gated by the review-decisions response.

`build_review` turns the seller's event on a batch request
(``approve``, ``reject``, ``review_lines``) or on a package (``confirm_receipt``,
``reject_receipt``, ``review_lines``) into the ``/aftersales/review`` request
(``platform-2026.md`` §4b): one ``aftersales_request_decisions`` entry with
the request id and type (AFTERSALES for the first review, RMA for the second),
the action time, the idempotency key, and one line decision per line (the
platform takes one decision per SKU for now).

Legality is the lifecycle's, as for every decision; when the host passes the
review-decisions response (`parse_review_decisions`),
each line's action must also be one the platform offers as eligible, a
rejection's reason one it lists, and a partial refund within its range.
The case's lines are the request's return lines (``line_id`` is the
``return_line_item_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from ..domain.case import AfterSalesCase
from ..domain.money import Money
from ..domain.vocabulary import Actor, RequestType
from ..errors import (
    DecisionRefused,
    InvalidTransition,
    InvalidValue,
    NaiveDatetime,
    RejectReasonNotAllowed,
    ReviewNotEligible,
    ReviewPartlyFailed,
)
from ..lifecycle import EVENTS, choose_transition, event_of, refusal_code
from .batch import LineReviewDecisions, ReviewResult
from .decisions import PLATFORM_CODES, idempotency_key
from .requests import PlatformRequest
from .versions import DEFAULT_VERSIONS, ApiVersions, Endpoint

__all__ = [
    "REVIEW_ACTIONS",
    "REVIEW_GATES",
    "build_review",
    "check_partial_refund",
    "raise_for_review",
]

REVIEW_ACTIONS: Mapping[tuple[RequestType, str], str] = MappingProxyType(
    {
        (RequestType.AFTERSALES_REQUEST, "approve"): "APPROVE_REQUEST",
        (RequestType.AFTERSALES_REQUEST, "reject"): "REJECT_REQUEST",
        (RequestType.RMA, "confirm_receipt"): "APPROVE_RETURN_PACKAGE",
        (RequestType.RMA, "reject_receipt"): "REJECT_RETURN_PACKAGE",
        # per line, for review_lines: the line's "approve" or "reject"
        (RequestType.AFTERSALES_REQUEST, "line:approve"): "APPROVE_REQUEST",
        (RequestType.AFTERSALES_REQUEST, "line:reject"): "REJECT_REQUEST",
        (RequestType.RMA, "line:approve"): "APPROVE_RETURN_PACKAGE",
        (RequestType.RMA, "line:reject"): "REJECT_RETURN_PACKAGE",
    }
)
"""``(type, event)`` (or ``(type, "line:approve")``) -> the review ``action`` (§4b)."""

REVIEW_GATES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        # [I] the review's actions and the review-decisions names are two lists; this is
        # which candidate decisions stand for each action.
        "APPROVE_REQUEST": frozenset(
            {"APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_REPLACEMENT", "APPROVE_REQUEST_CANCEL"}
        ),
        "REJECT_REQUEST": frozenset(
            {"REJECT_REFUND", "REJECT_RETURN", "REJECT_REPLACEMENT", "REJECT_REQUEST_CANCEL"}
        ),
        "APPROVE_RETURN_PACKAGE": frozenset({"APPROVE_RECEIVED_PACKAGE"}),
        "REJECT_RETURN_PACKAGE": frozenset({"REJECT_RECEIVED_PACKAGE"}),
        "REFUND_INSTEAD": frozenset({"DIRECT_REFUND", "ISSUE_REPLACEMENT_REFUND"}),
        "OFFER_PARTIAL_REFUND": frozenset({"OFFER_PARTIAL_REFUND"}),
        "OFFER_PARTIAL_REFUND_AFTER_RECEIVING_PKG": frozenset(
            {"OFFER_PARTIAL_REFUND_AFTER_RECEIVING_PKG"}
        ),
    }
)
"""Review action -> the review-decisions candidates that allow it."""

_ID_TYPE = {RequestType.AFTERSALES_REQUEST: "AFTERSALES", RequestType.RMA: "RMA"}
_REJECTS = frozenset({"REJECT_REQUEST", "REJECT_RETURN_PACKAGE"})


def _line_actions(
    case: AfterSalesCase, event: str, payload: Mapping[str, Any]
) -> list[tuple[str, str]]:
    kind = case.request_type
    if event == "review_lines":
        decisions = payload.get("decisions")
        if not isinstance(decisions, Mapping) or not decisions:
            raise InvalidValue(
                "payload.decisions", decisions, "required: line id to 'approve' or 'reject'"
            )
        return [(line, REVIEW_ACTIONS[(kind, f"line:{what}")]) for line, what in decisions.items()]
    action = REVIEW_ACTIONS[(kind, event)]
    return [(line.line_id, action) for line in case.lines]


def _gate(
    line: str, action: str, available: Mapping[str, LineReviewDecisions], reason: str | None
) -> None:
    found = available.get(line)
    if found is None:
        raise ReviewNotEligible(
            "line_items", line, "no review decisions were listed for this line", None
        )
    gates = REVIEW_GATES.get(action, frozenset())
    if not any(found.eligible(name) for name in gates):
        refused = next((found.refusal(name) for name in gates if found.refusal(name)), None)
        code = refused.ineligible_code if refused is not None else None
        why = refused.ineligible_reason if refused is not None else "not offered"
        raise ReviewNotEligible(f"line_items[{line}].action", action, f"{why} ({code})", code)
    listed = found.reject_reasons
    if action in _REJECTS and listed and (reason is None or reason not in listed):
        raise RejectReasonNotAllowed(f"line_items[{line}].reason.reason_id", reason, listed)


def check_partial_refund(line: LineReviewDecisions, amount: Money) -> Money:
    """Refuse a partial refund outside the line's ``partial_refund_amount_range``.

    Raises:
        InvalidValue: The amount is below the minimum or above the maximum.

    """
    low, high = line.partial_refund_min, line.partial_refund_max
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise InvalidValue(
            f"line_items[{line.return_line_item_id}].partial_refund_amount",
            str(amount),
            f"between {low} and {high}",
        )
    return amount


def build_review(
    case: AfterSalesCase,
    event: str,
    payload: Mapping[str, Any] | None = None,
    *,
    at: datetime,
    available: Sequence[LineReviewDecisions] | None = None,
    request_id: str | None = None,
    versions: ApiVersions = DEFAULT_VERSIONS,
) -> PlatformRequest:
    """Build the aftersales review that carries out the seller's ``event`` on a batch case.

    Args:
        case: An ``aftersales_request`` or ``rma`` case in its current state.
        event: ``approve``, ``reject`` or ``review_lines`` (batch request);
            ``confirm_receipt``, ``reject_receipt`` or ``review_lines`` (package).
        payload: ``decisions`` (line id -> ``approve``/``reject``, for
            ``review_lines``); ``reason_id`` and ``reason`` (text) for rejections.
        at: When the seller decided (``action_unix_time``), timezone-aware.
        available: The review-decisions response; when given it gates every line.
        request_id: The batch request or RMA id; default ``case.platform_id``.
        versions: The API versions.

    Raises:
        DecisionRefused: The lifecycle does not allow the event now.
        ReviewNotEligible: The platform's review decisions do not allow a
            line's action (with its ``ineligible_code``).
        RejectReasonNotAllowed: A rejection's reason is not listed for the line.
        InvalidValue: The case is not a batch type, or an argument is malformed.

    """
    if case.request_type not in _ID_TYPE:
        raise InvalidValue(
            "case.request_type", case.request_type.value, "aftersales_request or rma"
        )
    if not isinstance(at, datetime):
        raise InvalidValue("at", at, "a datetime")
    if at.utcoffset() is None:
        raise NaiveDatetime("at", at)
    data: Mapping[str, Any] = payload or {}
    try:
        choose_transition(case, event, Actor.SELLER, data)
    except InvalidTransition as error:
        code = refusal_code(case, event, error)
        raise DecisionRefused(
            error.request_type,
            error.state,
            event,
            Actor.SELLER,
            error.allowed,
            error.reason,
            code,
            PLATFORM_CODES.get(code, "?"),
        ) from error
    validated = EVENTS[event_of(event)].validate(case, dict(data)) or {}
    reason_id = validated.get("reason_id")
    text = validated.get("reason")
    lines = _line_actions(case, event, validated)
    gate = None if available is None else {x.return_line_item_id: x for x in available}
    decisions: list[dict[str, Any]] = []
    for line, action in lines:
        if gate is not None:
            _gate(line, action, gate, reason_id if isinstance(reason_id, str) else None)
        item: dict[str, Any] = {"line_items": [{"return_line_item_id": line}], "action": action}
        if action in _REJECTS and (reason_id is not None or text is not None):
            item["reason"] = {
                k: v for k, v in (("reason_id", reason_id), ("text", text)) if v is not None
            }
        decisions.append(item)
    target = request_id if request_id is not None else case.platform_id
    if not isinstance(target, str) or not target.strip():
        raise InvalidValue("request_id", target, "the batch request or RMA id (case.platform_id)")
    key = idempotency_key(case.case_id, len(case.history) + 1, event)
    body = {
        "aftersales_request_decisions": [
            {
                "request_id": target.strip(),
                "request_id_type": _ID_TYPE[case.request_type],
                "action_unix_time": int(at.timestamp()),
                "idempotency_key": key,
                "line_item_decisions": decisions,
            }
        ]
    }
    return PlatformRequest(
        "aftersales_review",
        versions.method(Endpoint.AFTERSALES_REVIEW),
        versions.path(Endpoint.AFTERSALES_REVIEW),
        body=body,
        idempotency_key=key,
        case_id=case.case_id,
    )


def raise_for_review(result: ReviewResult) -> ReviewResult:
    """Return a review answer that refused nothing; raise when its ``errors`` list is not empty.

    Raises:
        ReviewPartlyFailed: Some decisions were refused (code 0 with ``errors``).

    """
    if result.errors:
        raise ReviewPartlyFailed([(e.item_id, e.code, e.message) for e in result.errors])
    return result
