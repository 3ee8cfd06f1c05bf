"""The events of the lifecycle, and what each means beyond its transitions.

[`Event`][tiktok_aftersales.domain.vocabulary.Event] names every event; an `EventSpec` per event, in
`EVENTS`, declares what the transitions of [`table`][tiktok_aftersales.lifecycle.table] do not say:

- the payload fields it understands and requires (each with a converter
  that validates and normalises a value);
- whether it opens a case;
- the offer it makes (``offer_partial_refund``, ``propose_alternative``),
  or whether it takes the pending offer (``accept_offer``);
- whether it puts the requested refund at stake at once (a seller refund);
- the outbound call it becomes when the seller fires it (`CallKind`);
- the platform's error code when the platform refuses it (`Refusal`),
  and the codes of the orders (FBT, quick refund, authentic guarantee) on
  which the platform forbids it whatever the state;
- the payload sync assumes when it infers the event from a platform record.

No module outside `tiktok_aftersales.lifecycle` compares event names:
they ask the spec.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..domain.case import AfterSalesCase, Offer
from ..domain.money import Breakdown, Money, OrderLine, Refund, check_refund
from ..domain.vocabulary import (
    AbnormalReason,
    Disposition,
    Event,
    OrderKind,
    ReturnMethod,
    Solution,
    State,
    member,
)
from ..errors import InvalidValue, OverRefund, UnknownEvent
from .predicates import Payload

__all__ = [
    "EVENTS",
    "CallKind",
    "Event",
    "EventSpec",
    "Refusal",
    "event_of",
    "offer_after",
]


_BY_NAME: Mapping[str, Event] = MappingProxyType({e.value: e for e in Event})


def event_of(value: Any, field: str = "event") -> Event:
    """Return the `Event` named by ``value`` (an ``Event`` or its name).

    Raises:
        UnknownEvent: ``value`` names no event (also for a non-string value);
            the error lists the known events.

    """
    if value.__class__ is Event:
        return value
    found = _BY_NAME.get(value) if isinstance(value, str) else None
    if found is None:
        raise UnknownEvent(value, tuple(_BY_NAME), field)
    return found


class CallKind(enum.StrEnum):
    """What a seller-fired event becomes at the platform."""

    NONE = "none"
    """Nothing is sent: the platform (or the buyer, or the carrier) reports it."""
    DECISION = "decision"
    """A decision on a buyer's request (approve, reject, offer, receipt, reship)."""
    SELLER_REFUND = "seller_refund"
    """A refund on the seller's own initiative."""
    SELLER_CANCEL = "seller_cancel"
    """A cancellation of the order by the seller."""
    SELLER_RETURN = "seller_return"
    """A return the seller creates on the buyer's behalf (Create Return, US)."""
    BATCH_REVIEW = "batch_review"
    """A review of a batch request or package (``/aftersales/review``)."""
    SHIPPING_DOCUMENT = "shipping_document"
    """An upload of the return label or QR the buyer is shown."""


@attrs.frozen
class Refusal:
    """The platform's error code when it refuses an event.

    Attributes:
        code: The code when the event is not allowed in the case's state.
        done: The code when the case is already past ``past`` (the event
            was, in effect, already carried out or overtaken).
        past: The event whose aftermath ``done`` names.

    """

    code: int
    done: int | None = None
    past: Event | None = None


# --- payload converters ---------------------------------------------------------------------

_Convert = Callable[[AfterSalesCase, str, Any], Any]


def _as_refund(case: AfterSalesCase, field: str, value: Any) -> Refund:
    if isinstance(value, Refund):
        refund = value
    elif isinstance(value, Money):
        refund = Refund.allocate(case.lines, value)
    elif isinstance(value, Breakdown):
        if len(case.lines) != 1:
            raise InvalidValue(field, value, "a bare breakdown needs a one-line case; use Refund")
        refund = Refund.partial(case.lines[0].line_id, value)
    else:
        raise InvalidValue(field, value, "a Refund, Money or Breakdown")
    check_refund(refund, case.lines, field)
    return refund


def _as_inspected_refund(case: AfterSalesCase, field: str, value: Any) -> Refund:
    """A refund after inspection: checked against what was paid and against what was asked.

    A bare ``Money`` is spread over the requested lines (subtotal, then
    shipping, then tax). Each line may refund at most what the request asked
    for it, and only lines the request asked for.
    """
    asked = case.requested
    if asked is None:  # pragma: no cover - an opened case always has a requested refund
        raise InvalidValue(field, value, "a case with a requested refund")
    if isinstance(value, Money):
        if value.currency == asked.currency and value > asked.total:
            raise OverRefund(field, value, asked.total)
        sku = {x.line_id: x.sku_id for x in case.lines}
        value = Refund.allocate(
            tuple(OrderLine(x.line_id, sku.get(x.line_id, "?"), x.amount) for x in asked.lines),
            value,
        )
    refund = _as_refund(case, field, value)
    for part in refund.lines:
        limit = asked.for_line(part.line_id)
        if limit is None:
            names = ", ".join(x.line_id for x in asked.lines)
            raise InvalidValue(f"{field}.line_id", part.line_id, f"not a requested line ({names})")
        if part.amount.total > limit.total:
            raise OverRefund(f"{field}[{part.line_id}].total", part.amount.total, limit.total)
    return refund


def _enum(kind: type[Any]) -> _Convert:
    def convert(_case: AfterSalesCase, field: str, value: Any) -> Any:
        return member(kind, value, field)

    return convert


def _text(_case: AfterSalesCase, field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(field, value, "a string")
    return value


def _flag(_case: AfterSalesCase, field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(field, value, "true or false")
    return value


def _mode(_case: AfterSalesCase, field: str, value: Any) -> str:
    if value not in ("missing_items", "replacement"):
        raise InvalidValue(field, value, "'missing_items' or 'replacement'")
    return str(value)


def _line_ids(case: AfterSalesCase, field: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidValue(field, value, "a list of order line ids")
    known = {x.line_id for x in case.lines}
    for item in value:
        if not isinstance(item, str) or item not in known:
            raise InvalidValue(field, item, f"not a line of the case ({', '.join(known)})")
    return tuple(value)


_LINE_ACTIONS = frozenset({"approve", "reject"})


def _line_decisions(case: AfterSalesCase, field: str, value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidValue(field, value, "a mapping of line id to 'approve' or 'reject'")
    known = {x.line_id for x in case.lines}
    out: dict[str, str] = {}
    for line_id, action in value.items():
        if not isinstance(line_id, str) or line_id not in known:
            raise InvalidValue(field, line_id, f"not a line of the case ({', '.join(known)})")
        if action not in _LINE_ACTIONS:
            raise InvalidValue(f"{field}.{line_id}", action, "'approve' or 'reject'")
        out[line_id] = str(action)
    return MappingProxyType(out)


def _alternative(_case: AfterSalesCase, field: str, value: Any) -> Solution:
    try:
        solution = Solution(value)
    except (ValueError, TypeError):
        solution = None
    if solution not in (Solution.RESHIPMENT, Solution.REPLACEMENT):
        raise InvalidValue(field, value, "'reshipment' or 'replacement' (partial refunds: offer)")
    return solution


_COMMON: Mapping[str, _Convert] = {"note": _text, "reason": _text, "comment": _text}


@attrs.frozen
class EventSpec:
    """One event: what it means, its payload, and what it implies beyond its transitions.

    Attributes:
        name: The event.
        doc: What it means.
        fields: Payload field name to converter; a converter validates and
            normalises a value or raises ``InvalidValue``.
        required: Payload fields that must be present.
        opens: Whether it opens a case (fires from ``NEW``).
        offer: The offer it makes, built from its validated payload.
        takes_offer: Whether the refund it commits is the pending offer's.
        stakes_request: Whether it puts the requested refund at stake at
            once (a seller refund is sent with its amount).
        call: What it becomes at the platform when the seller fires it.
        refusal: The platform's error code when the platform refuses it.
        inferred: The payload sync assumes when it infers this event from a
            platform record without one (``None``: no payload).
        forbidden_for: The kinds of order on which the platform refuses this
            event whatever the case's state, with its error code.
        refund_from: The payload field that holds the refund this event
            commits (``None``: the requested refund, or the offer's); a
            transition with the refund effect then takes its refund from there.

    """

    name: Event
    doc: str
    fields: Mapping[str, _Convert] = attrs.field(factory=dict, repr=False)
    required: frozenset[str] = frozenset()
    opens: bool = False
    offer: Callable[[Payload], Offer] | None = attrs.field(default=None, repr=False)
    takes_offer: bool = False
    stakes_request: bool = False
    call: CallKind = CallKind.NONE
    refusal: Refusal = Refusal(25020003)
    inferred: Callable[[AfterSalesCase], Payload] | None = attrs.field(default=None, repr=False)
    forbidden_for: Mapping[OrderKind, int] = attrs.field(factory=dict, repr=False)
    refund_from: str | None = None

    def validate(self, case: AfterSalesCase, payload: Any) -> Payload | None:
        """Check and normalise a payload for this event.

        Unknown keys are kept as they are (hosts may carry their own data).

        Raises:
            InvalidValue: The payload is not a mapping with string keys, a
                required field is missing, or a field is malformed.

        """
        if payload is None or (isinstance(payload, Mapping) and not payload):
            if self.required:
                name = sorted(self.required)[0]
                raise InvalidValue(f"payload.{name}", None, f"required by {self.name.value!r}")
            return None
        if not isinstance(payload, Mapping):
            raise InvalidValue("payload", payload, "a mapping of field names to values")
        for key in payload:
            if not isinstance(key, str):
                raise InvalidValue("payload", key, "field names are strings")
        out = dict(payload)
        for name in self.required:
            if out.get(name) is None:
                raise InvalidValue(f"payload.{name}", None, f"required by {self.name.value!r}")
        for name, convert in self.fields.items():
            value = out.get(name)
            if value is not None:
                out[name] = convert(case, f"payload.{name}", value)
        return out


def _spec(
    name: Event,
    doc: str,
    required: tuple[str, ...] = (),
    *,
    opens: bool = False,
    offer: Callable[[Payload], Offer] | None = None,
    takes_offer: bool = False,
    stakes_request: bool = False,
    call: CallKind = CallKind.NONE,
    refusal: Refusal = Refusal(25020003),
    inferred: Callable[[AfterSalesCase], Payload] | None = None,
    forbidden_for: Mapping[OrderKind, int] | None = None,
    refund_from: str | None = None,
    **fields: _Convert,
) -> EventSpec:
    return EventSpec(
        name,
        doc,
        # An opening takes the refund asked for from its payload: always a checked one.
        {**_COMMON, **({"refund": _as_refund} if opens else {}), **fields},
        frozenset(required),
        opens,
        offer,
        takes_offer,
        stakes_request,
        call,
        refusal,
        inferred,
        MappingProxyType(dict(forbidden_for or {})),
        refund_from,
    )


E = Event
_DECISION = CallKind.DECISION

# A decision that refuses the parcel as returned (platform-api.md §2e; platform-2026 §7).
_RECEIPT_FORBIDDEN = {
    OrderKind.FBT: 25011026,
    OrderKind.QUICK_REFUND: 25011025,
    OrderKind.AUTHENTIC_GUARANTEE: 25011023,
}

_EVENT_LIST = (
    _spec(
        E.REQUEST,
        "The buyer opens a request (refund, return, replacement, reshipment, cancellation).",
        opens=True,
        refund=_as_refund,
    ),
    _spec(
        E.INITIATE_REFUND,
        "The seller refunds on its own initiative (blind return, seed 004).",
        ("refund",),
        opens=True,
        stakes_request=True,
        call=CallKind.SELLER_REFUND,
        inferred=lambda case: {"refund": Refund.order(case.lines)},
        refund=_as_refund,
    ),
    _spec(
        E.CANCEL_ORDER,
        "The seller, system or operator cancels the order directly (cancel_type CANCEL).",
        opens=True,
        call=CallKind.SELLER_CANCEL,
        refund=_as_refund,
    ),
    _spec(
        E.DETECT_RETURN,
        "The carrier reports a parcel coming back with no request (abnormal return).",
        ("reason",),
        opens=True,
        inferred=lambda _case: {"reason": AbnormalReason.LOGISTICS_FAILURE},
        reason=_enum(AbnormalReason),
    ),
    _spec(
        E.APPROVE,
        "The request is approved (by the seller, or automatically when the seller is silent).",
        call=_DECISION,
        refusal=Refusal(25011012),
        buyer_keep_item=_flag,
        return_method=_enum(ReturnMethod),
    ),
    _spec(
        E.REJECT,
        "The request is rejected.",
        call=_DECISION,
        refusal=Refusal(25011011, done=25020010, past=E.APPROVE),
    ),
    _spec(
        E.OFFER_PARTIAL_REFUND,
        "The seller offers a partial refund without a return; the buyer must answer.",
        ("amount",),
        offer=lambda payload: Offer(Solution.PARTIAL_REFUND, payload["amount"]),
        call=_DECISION,
        refusal=Refusal(25011032),
        amount=_as_refund,
    ),
    _spec(
        E.PROPOSE_ALTERNATIVE,
        "The seller proposes another solution (reshipment or replacement).",
        ("solution",),
        offer=lambda payload: Offer(payload["solution"]),
        call=_DECISION,
        solution=_alternative,
    ),
    _spec(E.ACCEPT_OFFER, "The buyer accepts the seller's offer.", takes_offer=True),
    _spec(E.DECLINE_OFFER, "The buyer declines the seller's offer; the request is pending again."),
    _spec(E.WITHDRAW, "The buyer cancels its own request."),
    _spec(
        E.GENERATE_LABEL,
        "A return shipping label is generated for the buyer.",
        tracking=_text,
        return_method=_enum(ReturnMethod),
    ),
    _spec(
        E.SHIP_BACK,
        "The buyer ships the item back (drop-off, pickup, or tracking uploaded).",
        tracking=_text,
        carrier=_text,
    ),
    _spec(
        E.PARCEL_DELIVERED,
        "The returned parcel arrives at the seller's warehouse.",
        disposition=_enum(Disposition),
    ),
    _spec(E.PARCEL_LOST, "The return parcel is lost in transit (no tracking progress)."),
    _spec(
        E.CONFIRM_RECEIPT,
        "The seller inspects the parcel and confirms it (then refund).",
        call=_DECISION,
        refusal=Refusal(25011013, done=25020011, past=E.CONFIRM_RECEIPT),
        # platform-api.md §2e; platform-2026 §7 [I: authentic guarantee covers the receipt check]
        forbidden_for={OrderKind.FBT: 25011026, OrderKind.AUTHENTIC_GUARANTEE: 25011023},
    ),
    _spec(
        E.REJECT_RECEIPT,
        "The seller inspects the parcel and rejects it.",
        call=_DECISION,
        refusal=Refusal(25020012),
        forbidden_for=_RECEIPT_FORBIDDEN,
    ),
    _spec(
        E.REFUND_INSTEAD,
        "The seller refunds in full instead of replacing or reshipping.",
        call=_DECISION,
    ),
    _spec(
        E.RESHIP,
        "The seller sends the missing items or a replacement.",
        call=_DECISION,
        mode=_mode,
        line_ids=_line_ids,
    ),
    _spec(E.DISPUTE, "The buyer takes a rejection to the platform (arbitration, appeal)."),
    _spec(E.RULE_FOR_BUYER, "The platform operator rules for the buyer."),
    _spec(E.RULE_FOR_SELLER, "The platform operator rules for the seller."),
    _spec(E.CLOSE_ARBITRATION, "The platform closes the arbitration without a ruling."),
    _spec(E.CLOSE, "The request is closed without a refund (deadline missed, or rejected)."),
    _spec(
        E.ORDER_SHIPPED,
        "The seller uploads a tracking number to a pending cancellation, which refuses it.",
        tracking=_text,
    ),
    _spec(E.COMPLETE_REFUND, "The platform pays the committed refund."),
    _spec(
        E.REVIEW_LINES,
        "The seller reviews a batch request or package line by line (some approved, some not).",
        call=CallKind.BATCH_REVIEW,
        decisions=_line_decisions,
    ),
    _spec(
        E.CREATE_RMA,
        "The platform makes a package-level return order from approved lines (RMA_CREATED).",
        opens=True,
        package_id=_text,
        aftersales_request_id=_text,
    ),
    _spec(
        E.UPLOAD_SHIPPING_DOCUMENT,
        "The return label or QR code the buyer is shown is uploaded for the package.",
        call=CallKind.SHIPPING_DOCUMENT,
        tracking=_text,
        return_method=_enum(ReturnMethod),
    ),
    _spec(
        E.PLATFORM_REFUND,
        "The platform approved a refund on its own (auto-approval or a ruling): appealable.",
        opens=True,
        refund=_as_refund,
    ),
    _spec(E.APPEAL, "The seller appeals the platform's refund with evidence (Seller Centre)."),
    _spec(
        E.REQUIRE_RETURN_TO_BUYER,
        "Customer service tells the seller to send a rejected return back to the buyer.",
    ),
    _spec(
        E.SHIP_TO_BUYER,
        "The seller ships the rejected return back to the buyer.",
        tracking=_text,
        carrier=_text,
    ),
    _spec(
        E.CREATE_RETURN,
        "The seller creates a return for the buyer (Create Return, US only); the buyer ships.",
        opens=True,
        call=CallKind.SELLER_RETURN,
        shipment_type=_text,
        handover_method=_text,
        return_method=_enum(ReturnMethod),
    ),
    _spec(
        E.REFUND_AFTER_INSPECTION,
        "The seller inspects the returned parcel and refunds part of it, with evidence (US).",
        ("amount",),
        refund_from="amount",
        # [I] refusing part of the parcel is a receipt rejection for these orders as well
        forbidden_for=_RECEIPT_FORBIDDEN,
        amount=_as_inspected_refund,
    ),
)

EVENTS: Mapping[Event, EventSpec] = MappingProxyType({e.name: e for e in _EVENT_LIST})
"""Every event's spec, by event (a plain name works as a key too: ``EVENTS["approve"]``)."""

_BY_TEXT: Mapping[str, EventSpec] = EVENTS  # type: ignore[assignment]
"""The same mapping, for look-ups by a name already known to be an event."""


def offer_after(offer: Offer | None, event: str, dest: State, payload: Payload) -> Offer | None:
    """The seller's pending offer once ``event`` (payload validated) has led to ``dest``.

    An event that makes an offer replaces it; leaving the wait for the
    buyer's answer drops it; anything else keeps it.
    """
    make = _BY_TEXT[event].offer
    if make is not None:
        return make(payload)
    if dest is not State.AWAITING_BUYER_RESPONSE:
        return None
    return offer
