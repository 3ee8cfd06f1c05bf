"""Outbound seller decisions: from a lifecycle event to the request the platform expects.

[`build_decision`][tiktok_aftersales.platform.decisions.build_decision] takes a case and the
seller's event (``approve``,
``reject``, ``confirm_receipt`` …) and returns a
[`DecisionRequest`][tiktok_aftersales.platform.decisions.DecisionRequest]: the endpoint and path
(with the return or cancellation id), the JSON body (``decision``, ``buyer_keep_item``,
``partial_refund``, ``reject_reason``, ``comment``, ``images``) and an idempotency key that is the
same for the same case and event, so a retry cannot act twice.

Legality is the lifecycle's: the event must be one the declaration lets the
seller fire in the case's state
([`tiktok_aftersales.lifecycle.choose_transition`][tiktok_aftersales.lifecycle.engine.choose_transition]).
A refused decision raises [`DecisionRefused`][tiktok_aftersales.platform.decisions.DecisionRefused],
an [`InvalidTransition`][tiktok_aftersales.errors.InvalidTransition] that carries the platform's own
error code for the same situation (platform-api.md §2e). Which event maps to which ``decision`` is
[`tiktok_aftersales.codes.OUTBOUND`][tiktok_aftersales.codes.platform.OUTBOUND].
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from ..codes import OUTBOUND, DecisionCode, DecisionEndpoint, Outbound
from ..codes.platform import DECISION
from ..domain.case import AfterSalesCase
from ..domain.money import Money, Refund
from ..domain.vocabulary import Actor
from ..errors import (
    DecisionRefused,
    InvalidTransition,
    InvalidValue,
    NoPlatformDecision,
    UnknownEvent,
)
from ..lifecycle import (
    EVENTS,
    allowed_events,
    choose_transition,
    event_of,
    refusal_code,
)
from .requests import PlatformRequest

__all__ = [
    "PLATFORM_CODES",
    "DecisionBody",
    "DecisionImage",
    "DecisionRefused",
    "DecisionRequest",
    "NoPlatformDecision",
    "allowed_decisions",
    "build_decision",
    "idempotency_key",
    "parse_decision_body",
]

PLATFORM_CODES: Mapping[int, str] = MappingProxyType(
    {
        25011010: "request has been transferred to platform operator",
        25011011: "reverse status cannot reject application",
        25011012: "reverse status cannot approve application",
        25011013: "reverse status cannot approve receive",
        25011032: "reverse invalid status for partial refund",
        25020003: "decision not match reverse status",
        25020004: "decision not match reverse type",
        25020009: "reverse already cancelled",
        25020010: "Aftersales has been approved and cannot be rejected",
        25020011: "return already received",
        25020012: "status can't reject receive",
    }
)
"""The platform error codes that name an illegal decision (platform-api.md §2e)."""


@attrs.frozen
class DecisionImage:
    """Evidence attached to a rejection (``images[]`` of a reject body)."""

    image_id: str
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The image as the platform expects it."""
        out: dict[str, Any] = {"image_id": self.image_id}
        if self.mime_type is not None:
            out["mime_type"] = self.mime_type
        if self.width is not None:
            out["width"] = self.width
        if self.height is not None:
            out["height"] = self.height
        return out


@attrs.frozen
class DecisionBody:
    """The JSON body of an approve or reject call.

    Attributes:
        decision: The ``decision`` (``None`` for cancellations).
        buyer_keep_item: Returnless refund (only with ``APPROVE_RETURN``).
        partial_refund: The amount offered (only with ``OFFER_PARTIAL_REFUND``).
        reject_reason: A reason name from Get Reject Reasons (rejections).
        comment: Free text (rejections).
        images: Evidence (rejections).

    """

    decision: DecisionCode | None = None
    buyer_keep_item: bool | None = None
    partial_refund: Money | None = None
    reject_reason: str | None = None
    comment: str | None = None
    images: tuple[DecisionImage, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The body as JSON-ready data (amounts as decimal strings)."""
        out: dict[str, Any] = {}
        if self.decision is not None:
            out["decision"] = self.decision.value
        if self.buyer_keep_item is not None:
            out["buyer_keep_item"] = self.buyer_keep_item
        if self.partial_refund is not None:
            out["partial_refund"] = {
                "amount": str(self.partial_refund.amount),
                "currency": self.partial_refund.currency,
            }
        if self.reject_reason is not None:
            out["reject_reason"] = self.reject_reason
        if self.comment is not None:
            out["comment"] = self.comment
        if self.images:
            out["images"] = [image.to_json() for image in self.images]
        return out


@attrs.frozen
class DecisionRequest:
    """A decision ready to send.

    Attributes:
        endpoint: Which endpoint.
        target_id: The return id or cancel id in the path.
        body: The body.
        idempotency_key: Stable for the same case and event (query parameter).
        case_id: The case it acts on.
        event: The lifecycle event it carries out.
        seq: The history position the event will take once applied.

    """

    endpoint: DecisionEndpoint
    target_id: str
    body: DecisionBody
    idempotency_key: str
    case_id: str
    event: str
    seq: int

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.endpoint.value.split(" ", 1)[0]

    @property
    def path(self) -> str:
        """The path with the id filled in."""
        return self.endpoint.value.split(" ", 1)[1].replace("{id}", self.target_id)

    @property
    def query(self) -> Mapping[str, str]:
        """The query parameters (the idempotency key)."""
        return MappingProxyType({"idempotency_key": self.idempotency_key})

    def to_json(self) -> dict[str, Any]:
        """The body as JSON-ready data."""
        return self.body.to_json()

    def request(self) -> PlatformRequest:
        """The one outbound request value this decision is (what the platform port sends)."""
        operation = self.endpoint.name.lower()
        return PlatformRequest(
            operation,
            self.method,
            self.path,
            self.query,
            self.to_json(),
            idempotency_key=self.idempotency_key,
            case_id=self.case_id,
        )


def idempotency_key(case_id: str, seq: int, event: str) -> str:
    """THE idempotency key of every outbound request: the same case, position and event.

    It hashes the case id, the sequence number the event takes in the case's
    history, and the event: a retry of the same decision (by any process,
    after any crash) reuses the key, so the platform acts once; a later
    decision on the same case gets a new one. ``tas-`` and 40 hex digits,
    within the platform's 255 characters.
    """
    digest = hashlib.sha256(f"{case_id}\x1f{seq}\x1f{event}".encode()).hexdigest()
    return f"tas-{digest[:40]}"


def _images(value: Any) -> tuple[DecisionImage, ...]:
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidValue("payload.images", value, "a list of images")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, DecisionImage):
            out.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("image_id"), str):
            width, height = item.get("width"), item.get("height")
            for name, size in (("width", width), ("height", height)):
                if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
                    raise InvalidValue(f"payload.images[{i}].{name}", size, "an integer")
            mime = item.get("mime_type")
            if mime is not None and not isinstance(mime, str):
                raise InvalidValue(f"payload.images[{i}].mime_type", mime, "a string")
            out.append(DecisionImage(item["image_id"], mime, width, height))
        else:
            raise InvalidValue(f"payload.images[{i}]", item, "an image with an image_id")
    return tuple(out)


def _text(payload: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = payload.get(name)
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(f"payload.{name}", value, "a non-empty string")
            return value
    return None


def build_decision(
    case: AfterSalesCase,
    event: str,
    payload: Mapping[str, Any] | None = None,
    *,
    target_id: str | None = None,
) -> DecisionRequest:
    """Build the platform request that carries out the seller's ``event`` on ``case``.

    Args:
        case: The case, in its current state.
        event: The seller's event (``approve``, ``reject``,
            ``offer_partial_refund``, ``confirm_receipt``, ``reject_receipt``,
            ``refund_instead``).
        payload: ``buyer_keep_item`` (bool, approve of a return);
            ``amount`` (``Money``, ``Breakdown`` or ``Refund``, partial refund
            offers); ``reject_reason`` (or ``reason``), ``comment``, ``images``
            (rejections; a reason is required).
        target_id: The return or cancel id; defaults to ``case.platform_id``.

    Returns:
        The request; apply the same event to the case once the platform accepts it.

    Raises:
        DecisionRefused: The case's state (or arbitration) does not allow
            the event; ``platform_code`` names the platform's error.
        NoPlatformDecision: The event is legal but has no API call.
        UnknownEvent: The event is not a lifecycle event.
        InvalidValue: The payload is malformed, or there is no target id.

    """
    data: Mapping[str, Any] = payload or {}
    if not isinstance(data, Mapping):
        raise InvalidValue("payload", payload, "a mapping of field names to values")
    if event not in EVENTS:
        raise UnknownEvent(event, tuple(EVENTS))
    try:
        transition = choose_transition(case, event, Actor.SELLER, data)
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
    outbound = OUTBOUND.get((case.request_type, event))
    if outbound is None:
        raise NoPlatformDecision(
            "event",
            event,
            f"no platform API call for {event!r} on {case.request_type.value} "
            "(a Seller Centre action or the opening of a request)",
        )
    validated = EVENTS[event_of(event)].validate(case, dict(data)) or {}
    body = _body(case, outbound, validated)
    target = target_id if target_id is not None else case.platform_id
    if not isinstance(target, str) or not target.strip():
        raise InvalidValue(
            "target_id", target, "the platform's return or cancel id (set case.platform_id)"
        )
    del transition  # legality checked; the transition itself is the engine's business
    return DecisionRequest(
        outbound.endpoint,
        target.strip(),
        body,
        idempotency_key(case.case_id, len(case.history) + 1, event),
        case.case_id,
        event,
        len(case.history) + 1,
    )


def _body(case: AfterSalesCase, outbound: Outbound, data: Mapping[str, Any]) -> DecisionBody:
    decision = outbound.decision
    keep = data.get("buyer_keep_item")
    if keep is not None and decision is not DecisionCode.APPROVE_RETURN:
        raise InvalidValue("payload.buyer_keep_item", keep, "only with APPROVE_RETURN")
    partial: Money | None = None
    if decision is DecisionCode.OFFER_PARTIAL_REFUND:
        amount = data.get("amount")
        if not isinstance(amount, Refund):  # pragma: no cover - EVENTS requires and converts it
            raise InvalidValue("payload.amount", amount, "required by offer_partial_refund")
        partial = amount.total
    rejecting = outbound.endpoint in (
        DecisionEndpoint.REJECT_RETURN,
        DecisionEndpoint.REJECT_CANCELLATION,
    )
    reason = _text(data, "reject_reason", "reason")
    comment = _text(data, "comment")
    images = _images(data.get("images"))
    if rejecting:
        if reason is None:
            raise InvalidValue(
                "payload.reject_reason", None, "required: a reason name from Get Reject Reasons"
            )
        if comment is not None and len(comment) > 500:
            raise InvalidValue("payload.comment", comment, "at most 500 characters")
    else:
        reason, comment, images = None, None, ()
    return DecisionBody(decision, keep, partial, reason, comment, images)


def allowed_decisions(case: AfterSalesCase) -> tuple[Outbound, ...]:
    """The platform calls the seller may make on the case now (like Get Decision Eligibility).

    Derived from [`allowed_events`][tiktok_aftersales.lifecycle.engine.allowed_events] for the
    seller and [`OUTBOUND`][tiktok_aftersales.codes.platform.OUTBOUND].
    """
    out: list[Outbound] = []
    for allowed in allowed_events(case, Actor.SELLER):
        found = OUTBOUND.get((case.request_type, allowed.event))
        if found is not None and found not in out:
            out.append(found)
    return tuple(out)


def parse_decision_body(data: Mapping[str, Any]) -> DecisionBody:
    """Read an approve or reject body (as a host logged it, or the platform's doc examples).

    Lenient as the platform's own examples are: a ``decision`` spelled
    ``REJECT_RECEIVE_PACKAGE`` is read, and combinations the docs show but
    the rules forbid (``APPROVE_REFUND`` with ``buyer_keep_item``) are kept
    as given.

    Raises:
        UnknownCode: The ``decision`` is not a known decision.
        InvalidValue: A field has the wrong type or the amount is malformed.

    """
    if not isinstance(data, Mapping):
        raise InvalidValue("body", data, "a JSON object")
    raw = data.get("decision")
    decision = None if raw is None else DECISION.parse(raw, "decision")
    keep = data.get("buyer_keep_item")
    if keep is not None and not isinstance(keep, bool):
        raise InvalidValue("buyer_keep_item", keep, "true or false")
    partial: Money | None = None
    offer = data.get("partial_refund")
    if offer is not None:
        if not isinstance(offer, Mapping):
            raise InvalidValue("partial_refund", offer, "an object with amount and currency")
        amount = offer.get("amount")
        if isinstance(amount, str) and not _is_plain_amount(amount):
            raise InvalidValue("partial_refund.amount", amount, "a decimal string")
        partial = Money(amount, offer.get("currency"))
    reason = data.get("reject_reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidValue("reject_reason", reason, "a string")
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise InvalidValue("comment", comment, "a string")
    return DecisionBody(decision, keep, partial, reason, comment, _images(data.get("images")))


def _is_plain_amount(text: str) -> bool:
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return False
    return value.is_finite() and value >= 0 and abs(value.adjusted()) < 20
