"""Platform responses: search pages, return records, eligibility, reject reasons, refunds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

from ..codes import (
    ROLE,
    DecisionCode,
    RoleCode,
)
from ..codes.platform import DECISION
from ..errors import (
    InvalidValue,
    PlatformResponseError,
)
from ._reader import Reader, parse_bool, parse_id, short_value, typed_code
from .records import (
    CancellationSnapshot,
    LegacyReverseSnapshot,
    ReturnSnapshot,
    read_cancellation,
    read_legacy_reverse,
    read_return,
)
from .values import Image, RefundAmount, Video, read_image, read_refund_amount, read_video

__all__ = [
    "AftersaleEligibility",
    "CancellationsPage",
    "DecisionEligibility",
    "LegacyReversePage",
    "RejectReason",
    "Rejected",
    "ReturnRecord",
    "ReturnsPage",
    "parse_aftersale_eligibility",
    "parse_cancellations_page",
    "parse_decision_eligibility",
    "parse_legacy_page",
    "parse_refund_calculation",
    "parse_reject_reasons",
    "parse_return_records",
    "parse_returns_page",
]

T = TypeVar("T")

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
    """One page of Search Cancellations (see `ReturnsPage`)."""

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


def _data(response: Any) -> Reader:
    """The ``data`` object of a response envelope (or the object itself when unwrapped)."""
    r = Reader(response, "", True)
    if "data" in r.data and ("code" in r.data or "request_id" in r.data or "message" in r.data):
        code = r.data.get("code")
        if code not in (0, None, "0"):
            number = code if isinstance(code, int) and not isinstance(code, bool) else -1
            message = r.data.get("message")
            request_id = r.data.get("request_id")
            raise PlatformResponseError(
                number,
                message if isinstance(message, str) else repr(short_value(message)),
                request_id if isinstance(request_id, str) else None,
            )
        inner = r.child("data", required=True)
        assert inner is not None
        return inner
    return r


def _records(
    r: Reader, name: str, parse: Callable[[Reader], T], strict: bool
) -> tuple[tuple[T, ...], tuple[Rejected, ...]]:
    value = r.raw(name)
    if value is None:
        return (), ()
    if not isinstance(value, list | tuple):
        raise InvalidValue(r.field(name), short_value(value), "a list")
    out: list[T] = []
    rejected: list[Rejected] = []
    for i, item in enumerate(value):
        try:
            out.append(parse(Reader(item, f"{r.field(name)}[{i}]", strict)))
        except InvalidValue as error:
            if strict:
                raise
            rejected.append(Rejected(i, error))
    return tuple(out), tuple(rejected)


def _token(r: Reader) -> str | None:
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
    returns, rejected = _records(r, "return_orders", read_return, strict)
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
    found, rejected = _records(r, "cancellations", read_cancellation, strict)
    return CancellationsPage(found, r.integer("total_count"), _token(r), rejected)


def parse_legacy_page(response: Mapping[str, Any], *, strict: bool = True) -> LegacyReversePage:
    """Parse a legacy reverse-order list response (``data.reverse_list``, ``data.more``).

    Raises:
        PlatformResponseError: The response's ``code`` is not 0.
        UnknownCode: Strict mode met an unknown code.
        InvalidValue: The page or (strict mode) a record is malformed.

    """
    r = _data(response)
    found, rejected = _records(r, "reverse_list", read_legacy_reverse, strict)
    more = parse_bool(r.raw("more")) if r.raw("more") is not None else False
    if more is None:
        raise InvalidValue(r.field("more"), short_value(r.raw("more")), "true or false")
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


def _return_record(r: Reader) -> ReturnRecord:
    role = r.opt_code("role", ROLE)
    return ReturnRecord(
        r.word("event"),
        None if role is None else typed_code(role, RoleCode),
        r.text("description"),
        r.text("reason_text"),
        r.text("note"),
        r.items("images", read_image),
        r.items("videos", read_video),
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


def _tolerant(response: Any, name: str, parse: Callable[[Reader], T]) -> tuple[T, ...]:
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


def _decision_eligibility(r: Reader) -> DecisionEligibility:
    decision = r.code("decision", DECISION)
    eligible = parse_bool(r.required("eligible"))
    if eligible is None:
        raise InvalidValue(r.field("eligible"), short_value(r.raw("eligible")), "true or false")
    return DecisionEligibility(
        typed_code(decision, DecisionCode),
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

    def sku(r: Reader) -> tuple[AftersaleEligibility, ...]:
        sku_id = r.opt_id("sku_id")

        def line(x: Reader) -> AftersaleEligibility:
            ids = x.raw("order_line_items_ids")
            if ids is None:
                ids = x.raw("order_line_item_ids")
            if ids is None:
                ids = []
            if not isinstance(ids, list | tuple):
                raise InvalidValue(
                    x.field("order_line_items_ids"), short_value(ids), "a list of ids"
                )
            eligible = parse_bool(x.required("eligible"))
            if eligible is None:
                raise InvalidValue(
                    x.field("eligible"), short_value(x.raw("eligible")), "true or false"
                )
            return AftersaleEligibility(
                sku_id,
                x.word("request_type"),
                tuple(
                    parse_id(f"{x.field('order_line_items_ids')}[{i}]", v)
                    for i, v in enumerate(ids)
                ),
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

    def reason(r: Reader) -> RejectReason:
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
    found = r.nested("order_refund_amount", read_refund_amount)
    if found is None:
        raise InvalidValue(r.field("order_refund_amount"), None, "required field is missing")
    return found
