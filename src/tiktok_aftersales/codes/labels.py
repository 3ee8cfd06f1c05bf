"""Seller-tool labels: the ERP (seed 000), the channel manager (seed 004), Seller Centre (seed 001).

- [`ERP_LABEL`][tiktok_aftersales.codes.labels.ERP_LABEL]: the ERP's after-sales status. Abnormal
  returns show none (seed 000 §3.4): their label is an explicit ``None``.
- [`ERP_RETURN_STATUS`][tiktok_aftersales.codes.labels.ERP_RETURN_STATUS]: the ERP's return (parcel)
  status. It is the core's `tiktok_aftersales.return_status` (it depends on the order
  stage and the history, not only on the state); the reverse lookup is
  derived by asking that function, never re-stated here.
- [`CHANNEL_LABEL`][tiktok_aftersales.codes.labels.CHANNEL_LABEL]: the channel manager's return
  statuses, which follow a return parcel only.
- [`SELLER_CENTRE_TAG`][tiktok_aftersales.codes.labels.SELLER_CENTRE_TAG]: the request-type tag on
  Seller Centre's Manage Returns page.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache

import attrs

from ..domain.case import AppliedEvent, new_case, return_status
from ..domain.money import Breakdown, OrderLine, Refund
from ..domain.vocabulary import Actor, Event, OrderStage, RequestType, ReturnStatus, State
from ..domain.vocabulary import State as S
from ..lifecycle import LIFECYCLES
from .base import ALL_CANONICAL, Canonical, Vocabulary, per_type

__all__ = [
    "CHANNEL_LABEL",
    "ERP_LABEL",
    "ERP_RETURN_STATUS",
    "SELLER_CENTRE_TAG",
    "ChannelLabel",
    "ErpLabel",
    "SellerCentreTag",
]


class ErpLabel(enum.StrEnum):
    """The ERP's after-sales status labels (seed 000 §2, §3)."""

    PENDING_REQUEST = "Pending Request"
    AWAITING_BUYERS_RESPONSE = "Awaiting Buyer's Response"
    REFUNDED = "Refunded"
    RECEPTION_REJECTED = "Reception Rejected"
    REJECTED = "Rejected"
    EXCHANGE_ACCEPTED = "Exchange Accepted"
    REQUEST_CLOSED = "Request Closed"


class ChannelLabel(enum.StrEnum):
    """The channel manager's return statuses (seed 004)."""

    REQUEST_PENDING = "Request Pending"
    WAITING_FOR_BUYER_TO_SHIP = "Waiting for Buyer to Ship"
    """Stays until a return label is generated."""
    RETURN_LABEL_GENERATED = "Return Label Generated"
    BUYER_SHIPPED = "Buyer Shipped"
    RETURN_REJECTED = "Return Rejected"


class SellerCentreTag(enum.StrEnum):
    """The request-type tag on Seller Centre's Manage Returns page (seed 001)."""

    REFUND_ONLY = "Refund-Only"
    RETURN_AND_REFUND = "Return and Refund"
    RESHIPMENT = "Reshipment"
    EXCHANGE = "Exchange"


E = ErpLabel

ERP_LABEL: Vocabulary[Canonical, ErpLabel] = Vocabulary.from_table(
    "erp_label",
    "ERP after-sales processing page: after-sales status",
    "seed 000 §2-§3",
    ErpLabel,
    per_type(
        {
            RequestType.REFUND_ONLY: {
                S.REQUESTED: E.PENDING_REQUEST,
                S.REJECTED: E.REJECTED,
                S.AWAITING_BUYER_RESPONSE: E.AWAITING_BUYERS_RESPONSE,
                S.REFUND_COMMITTED: E.REFUNDED,
                S.REFUNDED: E.REFUNDED,
                S.CLOSED: E.REQUEST_CLOSED,
                S.WITHDRAWN: E.REQUEST_CLOSED,
            },
            RequestType.RETURN_AND_REFUND: {
                S.REQUESTED: E.PENDING_REQUEST,
                S.REJECTED: E.REJECTED,
                S.AWAITING_BUYER_RESPONSE: E.AWAITING_BUYERS_RESPONSE,
                # Confirm / Reject Receiving are clicked in the Pending Request list (3.1):
                # the request stays pending while the parcel travels.
                S.AWAITING_BUYER_SHIPMENT: E.PENDING_REQUEST,
                S.RETURN_LABEL_ISSUED: E.PENDING_REQUEST,
                S.RETURN_IN_TRANSIT: E.PENDING_REQUEST,
                S.RETURN_DELIVERED: E.PENDING_REQUEST,
                S.RECEIPT_REJECTED: E.RECEPTION_REJECTED,
                S.REFUND_COMMITTED: E.REFUNDED,
                S.REFUNDED: E.REFUNDED,
                # [I] an accepted exchange offer shows as Exchange Accepted; a reshipment
                # ends the request without a refund.
                S.RESHIPPED: E.REQUEST_CLOSED,
                S.REPLACEMENT_CREATED: E.EXCHANGE_ACCEPTED,
                S.CLOSED: E.REQUEST_CLOSED,
                S.WITHDRAWN: E.REQUEST_CLOSED,
            },
            RequestType.EXCHANGE: {
                S.REQUESTED: E.PENDING_REQUEST,
                S.REJECTED: E.REJECTED,
                S.AWAITING_BUYER_RESPONSE: E.AWAITING_BUYERS_RESPONSE,
                S.REFUND_COMMITTED: E.REFUNDED,
                S.REFUNDED: E.REFUNDED,
                S.REPLACEMENT_CREATED: E.EXCHANGE_ACCEPTED,
                S.CLOSED: E.REQUEST_CLOSED,
                S.WITHDRAWN: E.REQUEST_CLOSED,
            },
            # Seed 000 §3.4: "The after-sales status of the order will not be displayed."
            RequestType.ABNORMAL_RETURN: None,
            # The ERP page has four types (seed 000 §1); these are not among them.
            RequestType.RESHIPMENT: None,
            RequestType.SELLER_REFUND: None,
            RequestType.BUYER_CANCELLATION: None,
        }
    ),
    absent=(
        "no after-sales status shown: abnormal returns (seed 000 §3.4), and types the ERP "
        "page does not list (reshipment, seller refund, cancellation)"
    ),
    aliases={"Awaiting Buyers Response": E.AWAITING_BUYERS_RESPONSE},
)
"""ERP after-sales status <-> canonical ``(type, state)``."""


CL = ChannelLabel

CHANNEL_LABEL: Vocabulary[Canonical, ChannelLabel] = Vocabulary.from_table(
    "channel_label",
    "Channel manager (Manage Returns) return status",
    "seed 004",
    ChannelLabel,
    per_type(
        {
            RequestType.RETURN_AND_REFUND: {
                S.REQUESTED: CL.REQUEST_PENDING,
                # [I] a rejected request is shown like a rejected return.
                S.REJECTED: CL.RETURN_REJECTED,
                S.AWAITING_BUYER_RESPONSE: None,
                S.AWAITING_BUYER_SHIPMENT: CL.WAITING_FOR_BUYER_TO_SHIP,
                S.RETURN_LABEL_ISSUED: CL.RETURN_LABEL_GENERATED,
                S.RETURN_IN_TRANSIT: CL.BUYER_SHIPPED,
                S.RETURN_DELIVERED: CL.BUYER_SHIPPED,
                S.RECEIPT_REJECTED: CL.RETURN_REJECTED,
                S.REFUND_COMMITTED: None,
                S.REFUNDED: None,
                S.RESHIPPED: None,
                S.REPLACEMENT_CREATED: None,
                S.CLOSED: None,
                S.WITHDRAWN: None,
            },
            RequestType.REFUND_ONLY: None,
            RequestType.EXCHANGE: None,
            RequestType.RESHIPMENT: None,
            RequestType.ABNORMAL_RETURN: None,
            RequestType.SELLER_REFUND: None,
            RequestType.BUYER_CANCELLATION: None,
        }
    ),
    absent=(
        "no return status: the channel manager follows return parcels only; refunds, "
        "offers and closures reach it as order adjustments (seed 004)"
    ),
)
"""Channel manager return status <-> canonical ``(type, state)``."""


SELLER_CENTRE_TAG: Vocabulary[RequestType, SellerCentreTag] = Vocabulary.from_table(
    "seller_centre_tag",
    "TikTok Shop Seller Centre, Manage Returns: request tag",
    "seed 001",
    SellerCentreTag,
    {
        RequestType.REFUND_ONLY: SellerCentreTag.REFUND_ONLY,
        RequestType.RETURN_AND_REFUND: SellerCentreTag.RETURN_AND_REFUND,
        RequestType.RESHIPMENT: SellerCentreTag.RESHIPMENT,
        RequestType.EXCHANGE: SellerCentreTag.EXCHANGE,
        RequestType.ABNORMAL_RETURN: None,
        RequestType.SELLER_REFUND: None,
        RequestType.BUYER_CANCELLATION: None,
    },
    absent="not a buyer request on Manage Returns (seed 001 lists four types)",
    aliases={"Refund Only": SellerCentreTag.REFUND_ONLY, "Replacement": SellerCentreTag.EXCHANGE},
)
"""Seller Centre request tag <-> request type."""


# --- ERP return (parcel) status, derived by asking the core function -----------------------

_PROBE_AT = datetime(2000, 1, 1, tzinfo=UTC)
_PROBE_LINE = OrderLine("probe", "probe", Breakdown.of("1", "USD"))


@cache
def _after_parcel(kind: RequestType) -> frozenset[State]:
    """States reachable once a return parcel was delivered (from the declaration)."""
    return LIFECYCLES[kind].reachable_after(Event.PARCEL_DELIVERED)


def _probe(key: Canonical) -> Iterator[ReturnStatus]:
    """Every return status the core gives for cases in ``key`` (any stage, history, refund)."""
    parcel = key.state in _after_parcel(key.request_type)
    histories: list[tuple[AppliedEvent, ...]] = [()]
    if parcel:
        histories.append(
            (AppliedEvent(1, Event.PARCEL_DELIVERED, Actor.LOGISTICS, _PROBE_AT, key.state),)
        )
    base = new_case(
        key.request_type, case_id="probe", order_id="probe", region="US", lines=[_PROBE_LINE]
    )
    for stage in OrderStage:
        for history in histories:
            for refund in (None, Refund.order(base.lines)):
                case = attrs.evolve(
                    base, order_stage=stage, state=key.state, history=history, refund=refund
                )
                yield return_status(case)


ERP_RETURN_STATUS: Vocabulary[Canonical, ReturnStatus] = Vocabulary.from_reverse(
    "erp_return_status",
    "ERP after-sales processing page: return (parcel) status",
    "seed 000 §4; computed by tiktok_aftersales.return_status",
    ReturnStatus,
    ALL_CANONICAL,
    _probe,
    absent="(every case has a return status)",
)
"""ERP return status -> the canonical ``(type, state)`` it can mean (derived from the core)."""
