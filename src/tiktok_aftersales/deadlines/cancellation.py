"""Buyer cancellation windows as deadlines the clock fires (``platform-2026.md`` §2).

Who decides a buyer's cancel, and by when, depends on the order's status and
on when the request comes relative to the standard shipping SLA:

- **ON_HOLD auto-acceptance** (the UK's buyer-remorse window): the platform
  accepts at once, no seller review.
- **Before the SLA** (2 business days from the order date): the seller has
  the cancellation window (24 h in the US) to approve, or to refuse by
  uploading a tracking number to the request; a silent seller, or one who
  ships without uploading, is overruled: the platform approves and refunds.
- **After the SLA**, before the parcel is in transit: the platform approves
  and refunds at once.

`cancellation_terms` works this out as a value; `with_cancellation_terms`
puts its due time on the case as the platform's deadline for the
seller's step, so [`advance`][tiktok_aftersales.deadlines.clock.advance] fires the
system's approval when it runs out (at once for the two automatic cases).
Which markets auto-accept in ON_HOLD is data (`AUTO_ACCEPT`), not a branch.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from ..domain.calendars import add_duration, require_aware
from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Actor, OrderStatus, Region, RequestType, Window, member, region
from ..errors import InvalidValue
from .clock import with_platform_deadline
from .initiative import INITIATIVE, InitiativePolicy, check_opening
from .policy import DEFAULT_POLICY, Policy

__all__ = [
    "AUTO_ACCEPT",
    "AutoAccept",
    "CancelOutcome",
    "CancellationTerms",
    "cancellation_terms",
    "with_cancellation_terms",
]


class CancelOutcome(enum.StrEnum):
    """Who decides a buyer's cancellation."""

    AUTO_ACCEPTED = "auto_accepted"
    """The platform accepts at once (ON_HOLD in the UK; recorded as cancel_type CANCEL)."""
    SELLER_RESPONDS = "seller_responds"
    """The seller approves, or refuses by uploading tracking, before the window ends."""
    PLATFORM_APPROVES = "platform_approves"
    """Made after the shipping SLA: the platform approves and refunds at once."""


@attrs.frozen
class AutoAccept:
    """A market where a buyer's cancel in ``status`` is accepted by the platform at once."""

    region: str
    status: OrderStatus
    source: str


AUTO_ACCEPT: tuple[AutoAccept, ...] = (
    AutoAccept(
        "GB",
        OrderStatus.ON_HOLD,
        "platform-2026 §2: OVW Cancel, ON_HOLD is the UK buyer-remorse window",
    ),
)
"""Markets and statuses in which the platform accepts a buyer's cancel at once."""


@attrs.frozen
class CancellationTerms:
    """Who decides a buyer's cancellation and by when.

    Attributes:
        outcome: Who decides.
        due: When the system approves if nobody acted (the request time for
            the automatic outcomes).
        sla_due: When the standard shipping SLA ends.
        window: The window that gave ``due`` (``None`` for the automatic outcomes).
        source: Where the rule comes from.

    """

    outcome: CancelOutcome
    due: datetime
    sla_due: datetime
    window: Window | None
    source: str


def cancellation_terms(
    region_code: Region | str,
    status: OrderStatus | str,
    ordered_at: datetime,
    requested_at: datetime,
    *,
    policy: Policy = DEFAULT_POLICY,
    initiative: InitiativePolicy = INITIATIVE,
) -> CancellationTerms:
    """Work out who decides a buyer's cancel made at ``requested_at`` and by when.

    Args:
        region_code: The market.
        status: The order's status when the buyer asked.
        ordered_at: When the order was placed (the SLA counts from it).
        requested_at: When the buyer asked to cancel.
        policy: The windows (``seller_shipping_sla``, ``seller_cancellation_response``).
        initiative: Who may start what (a buyer cannot cancel once collected).

    Raises:
        InitiativeRefused: A buyer may not cancel in this status.
        NaiveDatetime: A time has no time zone.
        InvalidValue: An argument is malformed, or the request predates the order.

    """
    market = region(region_code)
    state = member(OrderStatus, status, "order_status")
    require_aware(ordered_at, "ordered_at")
    require_aware(requested_at, "requested_at")
    if requested_at < ordered_at:
        raise InvalidValue("requested_at", requested_at, "not before the order (ordered_at)")
    check_opening(RequestType.BUYER_CANCELLATION, Actor.BUYER, state, market, policy=initiative)
    kind = RequestType.BUYER_CANCELLATION
    calendar = policy.calendar(market)
    sla = policy.rule(market, kind, Window.SELLER_SHIPPING_SLA)
    sla_due = add_duration(ordered_at, sla.duration, calendar)
    auto = next((a for a in AUTO_ACCEPT if a.region == market.code and a.status is state), None)
    if auto is not None:
        return CancellationTerms(
            CancelOutcome.AUTO_ACCEPTED, requested_at, sla_due, None, auto.source
        )
    if requested_at >= sla_due:
        return CancellationTerms(
            CancelOutcome.PLATFORM_APPROVES,
            requested_at,
            sla_due,
            None,
            f"platform-2026 §2: after the shipping SLA ({sla.source})",
        )
    rule = policy.rule(market, kind, Window.SELLER_CANCELLATION_RESPONSE)
    due = add_duration(requested_at, rule.duration, calendar)
    return CancellationTerms(
        CancelOutcome.SELLER_RESPONDS,
        due,
        sla_due,
        Window.SELLER_CANCELLATION_RESPONSE,
        rule.source,
    )


def with_cancellation_terms(case: AfterSalesCase, terms: CancellationTerms) -> AfterSalesCase:
    """Put the terms' due time on a pending buyer cancellation as the platform's deadline.

    The clock then fires the system's ``approve`` at ``terms.due`` unless the
    seller acted first.

    Raises:
        InvalidValue: The case is not a requested buyer cancellation.

    """
    if case.request_type is not RequestType.BUYER_CANCELLATION or case.state.value != "requested":
        raise InvalidValue("case", case.case_id, "a buyer cancellation waiting for a decision")
    return with_platform_deadline(case, "SELLER_RESPOND_CANCEL", terms.due)
