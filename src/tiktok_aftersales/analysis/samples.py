"""Sample cases bundled with the library: one scripted story per seed flow.

The demo (``python -m tiktok_aftersales demo``) replays them; tests and docs
use them as realistic, readable examples. Every story is plain data (events,
actors, hours after the opening, payloads), replayed through the public API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ..domain.money import Breakdown, Money, OrderLine, Refund
from ..domain.vocabulary import RequestType
from ..lifecycle.engine import apply, open_case

__all__ = ["SAMPLES", "Sample", "Step", "build_sample", "build_samples"]

SAMPLE_EPOCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""When every sample story starts (a Monday, 09:00 UTC)."""


@attrs.frozen
class Step:
    """One scripted event: ``hours`` after the story's start."""

    event: str
    actor: str
    hours: float
    payload: Mapping[str, Any] | None = None


@attrs.frozen
class Sample:
    """A scripted story: how a case opens, what happens next, and where it comes from.

    Attributes:
        case_id: The sample's id.
        title: One line for the demo table.
        source: The seed or reference section the story follows.
        request_type: The type.
        region: The market code.
        order_stage: How far the order had gone.
        lines: ``(line_id, sku, subtotal, shipping, tax)`` in ``currency``.
        currency: The order's currency.
        opening: The opening event and actor.
        steps: What follows, in order.
        advance_hours: When set, the demo advances the clock to this many
            hours after the start so silent parties lose by deadline.

    """

    case_id: str
    title: str
    source: str
    request_type: RequestType
    region: str
    order_stage: str
    lines: tuple[tuple[str, str, str, str, str], ...]
    currency: str
    opening: tuple[str, str]
    steps: tuple[Step, ...] = ()
    opening_payload: Mapping[str, Any] | None = None
    advance_hours: float | None = None


_TSHIRT = ("L1", "TSHIRT-BLUE-M", "19.99", "0.00", "1.61")
_MUG = ("L2", "MUG-01", "10.00", "2.00", "0.80")
_BAG = ("L1", "BAG-RED", "150000", "10000", "0")

SAMPLES: tuple[Sample, ...] = (
    Sample(
        "S-001",
        "Return accepted after the parcel is checked",
        "seed 000 §3.1 Confirm Receiving",
        RequestType.RETURN_AND_REFUND,
        "US",
        "delivered",
        (_TSHIRT,),
        "USD",
        ("request", "buyer"),
        (
            Step("approve", "seller", 5),
            Step("ship_back", "buyer", 30),
            Step("parcel_delivered", "logistics", 70, {"disposition": "restock"}),
            Step("confirm_receipt", "seller", 80),
            Step("complete_refund", "system", 100),
        ),
    ),
    Sample(
        "S-002",
        "Parcel rejected, buyer never disputes",
        "seed 000 §3.1 Reject Receiving",
        RequestType.RETURN_AND_REFUND,
        "ID",
        "delivered",
        (_BAG,),
        "IDR",
        ("request", "buyer"),
        (
            Step("approve", "seller", 2),
            Step("ship_back", "buyer", 20),
            Step("parcel_delivered", "logistics", 60, {"disposition": "damaged"}),
            Step("reject_receipt", "seller", 62, {"reason": "Item used"}),
        ),
        advance_hours=200,
    ),
    Sample(
        "S-003",
        "Partial refund offered and accepted, no return",
        "seed 000 §3.1 Partial Refund",
        RequestType.RETURN_AND_REFUND,
        "GB",
        "delivered",
        (("L1", "LAMP-01", "40.00", "4.99", "8.00"),),
        "GBP",
        ("request", "buyer"),
        (
            Step("offer_partial_refund", "seller", 3, {"amount": "12.00"}),
            Step("accept_offer", "buyer", 9),
        ),
    ),
    Sample(
        "S-004",
        "Refund only before shipment: stock released, order held",
        "seed 000 §3.2 and Part II",
        RequestType.REFUND_ONLY,
        "MY",
        "not_shipped",
        (("L1", "CASE-01", "35.00", "5.00", "0.00"),),
        "MYR",
        ("request", "buyer"),
        (Step("approve", "seller", 1),),
    ),
    Sample(
        "S-005",
        "Refund only rejected, buyer wins arbitration",
        "seed 000 §3.2; platform overview REJECT→SUCCESS",
        RequestType.REFUND_ONLY,
        "US",
        "delivered",
        (_TSHIRT, _MUG),
        "USD",
        ("request", "buyer"),
        (
            Step("reject", "seller", 4),
            Step("dispute", "buyer", 20),
            Step("rule_for_buyer", "operator", 70),
        ),
    ),
    Sample(
        "S-006",
        "Seller silent on a refund-only request: auto-approved",
        "platform overview, 48 h policy",
        RequestType.REFUND_ONLY,
        "PH",
        "delivered",
        (("L1", "CHARGER-01", "450", "50", "0"),),
        "PHP",
        ("request", "buyer"),
        (),
        advance_hours=400,
    ),
    Sample(
        "S-007",
        "Exchange accepted: replacement order created",
        "seed 000 §3.3 Accept Exchange",
        RequestType.EXCHANGE,
        "ID",
        "delivered",
        (_BAG,),
        "IDR",
        ("request", "buyer"),
        (Step("approve", "seller", 6),),
    ),
    Sample(
        "S-008",
        "Reshipment of a missing item",
        "seed 001 Reshipment",
        RequestType.RESHIPMENT,
        "SG",
        "delivered",
        (("L1", "SOCKS-3P", "12.00", "0.00", "0.00"), ("L2", "SOCKS-1P", "5.00", "0.00", "0.00")),
        "SGD",
        ("request", "buyer"),
        (Step("reship", "seller", 10, {"mode": "missing_items", "line_ids": ["L2"]}),),
    ),
    Sample(
        "S-009",
        "Abnormal return: buyer refused the parcel",
        "seed 000 §3.4 Abnormal Return",
        RequestType.ABNORMAL_RETURN,
        "TH",
        "in_transit",
        (("L1", "KETTLE-01", "890", "40", "0"),),
        "THB",
        ("detect_return", "logistics"),
        (Step("parcel_delivered", "logistics", 96),),
        opening_payload={"reason": "refused_delivery"},
    ),
    Sample(
        "S-010",
        "Seller-initiated partial-line refund (blind return)",
        "seed 004 Seller-Initiated Refund",
        RequestType.SELLER_REFUND,
        "US",
        "delivered",
        (_TSHIRT, _MUG),
        "USD",
        ("initiate_refund", "seller"),
        (Step("complete_refund", "system", 30),),
        opening_payload={"refund": ("L2", "4.00")},
    ),
    Sample(
        "S-011",
        "Buyer cancels before shipment, seller approves",
        "platform-api §2f cancellations",
        RequestType.BUYER_CANCELLATION,
        "GB",
        "not_shipped",
        (("L1", "MUG-02", "10.00", "2.00", "0.00"),),
        "GBP",
        ("request", "buyer"),
        (Step("approve", "seller", 2),),
    ),
    Sample(
        "S-012",
        "Approved return never shipped back: closed",
        "platform overview AWAITING_BUYER_SHIP; ID 10 days (platform-2026 §6)",
        RequestType.RETURN_AND_REFUND,
        "ID",
        "delivered",
        (_BAG,),
        "IDR",
        ("request", "buyer"),
        (Step("approve", "seller", 3),),
        advance_hours=24 * 14,
    ),
)
"""Every bundled sample story."""


def _payload(sample: Sample, lines: Sequence[OrderLine], raw: Mapping[str, Any] | None) -> Any:
    if raw is None:
        return None
    out = dict(raw)
    if "amount" in out and isinstance(out["amount"], str):
        out["amount"] = Money(out["amount"], sample.currency)
    if "refund" in out and isinstance(out["refund"], tuple):
        line_id, amount = out["refund"]
        out["refund"] = Refund.partial(line_id, Money(amount, sample.currency))
    return out


def build_sample(sample: Sample) -> AfterSalesCase:
    """Open a sample's case and replay its steps (deadlines are not advanced here)."""
    lines = [
        OrderLine(line_id, sku, Breakdown.of(sub, sample.currency, shipping=ship, tax=tax))
        for line_id, sku, sub, ship, tax in sample.lines
    ]
    event, actor = sample.opening
    case = open_case(
        sample.request_type,
        case_id=sample.case_id,
        order_id=f"57700000000000{sample.case_id[-3:]}",
        region=sample.region,
        lines=lines,
        at=SAMPLE_EPOCH,
        actor=actor,
        event=event,
        order_stage=sample.order_stage,
        payload=_payload(sample, lines, sample.opening_payload),
    )
    for step in sample.steps:
        at = SAMPLE_EPOCH + timedelta(hours=step.hours)
        case = apply(case, step.event, step.actor, at, _payload(sample, lines, step.payload))
    return case


def build_samples() -> list[AfterSalesCase]:
    """Every sample case, built (deadlines not advanced)."""
    return [build_sample(s) for s in SAMPLES]
