"""Every flow named in the seeds and the platform overview, walked step by step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from builders import T0, fresh, run, walk
from tiktok_aftersales import (
    Actor,
    EffectKind,
    Money,
    OrderStage,
    Refund,
    RequestType,
    ReturnStatus,
    State,
    apply,
    open_case,
    shipping_check,
)
from tiktok_aftersales.domain import (
    Arbitration,
    Disposition,
    RefundLevel,
    Solution,
)
from tiktok_aftersales.errors import ShippingBlocked
from tiktok_aftersales.lifecycle import is_terminal

B, S, P, SYS, LOG = Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM, Actor.LOGISTICS


def kinds(case, since: int = 0):
    return [e.kind for e in case.effects[since:]]


def opened(request_type, stage=OrderStage.DELIVERED, **payload):
    return run(fresh(request_type, stage), ("request", B, payload) if payload else ("request", B))


# --- seed 000 §3.1 Return & Refund ---------------------------------------------------------


def test_return_confirm_receiving_leads_to_refunded_with_return_statuses_along_the_way():
    case = opened(RequestType.RETURN_AND_REFUND)
    assert case.return_status is ReturnStatus.OTHERS
    seen = []
    for step in walk(
        case,
        ("approve", S),
        ("ship_back", B),
        ("parcel_delivered", LOG, {"disposition": Disposition.RESTOCK}),
        ("confirm_receipt", S),
        ("complete_refund", SYS),
    ):
        seen.append((step.state, step.return_status))
        case = step
    assert seen == [
        (State.AWAITING_BUYER_SHIPMENT, ReturnStatus.PENDING_RETURN),
        (State.RETURN_IN_TRANSIT, ReturnStatus.RETURNING),
        (State.RETURN_DELIVERED, ReturnStatus.RETURNED),
        (State.REFUND_COMMITTED, ReturnStatus.RETURNED),
        (State.REFUNDED, ReturnStatus.RETURNED),
    ]
    assert kinds(case) == [EffectKind.STOCK_IN, EffectKind.ISSUE_REFUND]
    stock_in, refund = case.effects
    assert stock_in.disposition is Disposition.RESTOCK
    assert refund.amount == Money("34.40", "USD")


def test_return_reject_receiving_then_no_dispute_closes_the_request():
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("approve", S),
        ("ship_back", B),
        ("parcel_delivered", LOG),
        ("reject_receipt", S),
    )
    assert case.state is State.RECEIPT_REJECTED
    assert case.return_status is ReturnStatus.RETURNED
    case = run(case, ("close", SYS))
    assert case.state is State.CLOSED
    assert case.refund is None
    assert EffectKind.ISSUE_REFUND not in kinds(case)


def test_return_partial_refund_awaits_the_buyer_then_refunds_without_a_return():
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("offer_partial_refund", S, {"amount": Money("5.00", "USD")}),
    )
    assert case.state is State.AWAITING_BUYER_RESPONSE
    assert case.offer is not None and case.offer.solution is Solution.PARTIAL_REFUND
    case = run(case, ("accept_offer", B))
    assert case.state is State.REFUND_COMMITTED
    assert case.refund is not None and case.refund.total == Money("5.00", "USD")
    assert case.refund_level is RefundLevel.PARTIAL_LINE
    assert case.return_status is ReturnStatus.NO_NEED_TO_RETURN
    assert case.offer is None


def test_buyer_declining_a_partial_refund_puts_the_request_back_to_pending():
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("offer_partial_refund", S, {"amount": Money("5.00", "USD")}),
        ("decline_offer", B),
    )
    assert case.state is State.REQUESTED
    assert case.offer is None


# --- seed 000 §3.2 Refund Only ---------------------------------------------------------------


def test_refund_only_accept_refunds_directly():
    case = run(opened(RequestType.REFUND_ONLY), ("approve", S), ("complete_refund", SYS))
    assert case.state is State.REFUNDED
    assert case.return_status is ReturnStatus.NO_NEED_TO_RETURN
    assert kinds(case) == [EffectKind.ISSUE_REFUND]


def test_refund_only_reject_then_no_dispute_closes():
    case = run(opened(RequestType.REFUND_ONLY), ("reject", S))
    assert case.state is State.REJECTED
    case = run(case, ("close", SYS))
    assert case.state is State.CLOSED


def test_refund_only_reject_then_dispute_won_by_buyer_refunds():
    case = run(
        opened(RequestType.REFUND_ONLY), ("reject", S), ("dispute", B), ("rule_for_buyer", P)
    )
    assert case.state is State.REFUND_COMMITTED
    assert case.arbitration is Arbitration.SUPPORT_BUYER
    assert kinds(case) == [EffectKind.ISSUE_REFUND]


# --- seed 000 §3.3 Exchange -------------------------------------------------------------------


def test_exchange_accepted_creates_a_replacement_order():
    case = run(opened(RequestType.EXCHANGE), ("approve", S))
    assert case.state is State.REPLACEMENT_CREATED
    assert kinds(case) == [EffectKind.CREATE_REPLACEMENT_ORDER]
    assert case.effects[0].line_ids == ("L1", "L2")


def test_exchange_refused_then_buyer_silent_closes():
    case = run(opened(RequestType.EXCHANGE), ("reject", S), ("close", SYS))
    assert case.state is State.CLOSED


def test_exchange_partial_refund_negotiated_then_refunded():
    case = run(
        opened(RequestType.EXCHANGE),
        ("offer_partial_refund", S, {"amount": Money("3.00", "USD")}),
        ("accept_offer", B),
        ("complete_refund", SYS),
    )
    assert case.state is State.REFUNDED
    assert case.refund is not None and case.refund.total == Money("3.00", "USD")


def test_exchange_full_refund_instead_needs_no_return():
    case = run(opened(RequestType.EXCHANGE), ("refund_instead", S))
    assert case.state is State.REFUND_COMMITTED
    assert case.refund_level is RefundLevel.ORDER
    assert case.return_status is ReturnStatus.NO_NEED_TO_RETURN


# --- seed 000 §3.4 Abnormal Return --------------------------------------------------------------


def test_abnormal_return_comes_back_without_a_request_and_is_stocked_in():
    case = open_case(
        RequestType.ABNORMAL_RETURN,
        case_id="ab-1",
        order_id="o-9",
        region="ID",
        lines=fresh(RequestType.ABNORMAL_RETURN).lines,
        at=T0,
        payload={"reason": "buyer_unreachable"},
    )
    assert case.history[0].actor is LOG
    assert case.state is State.RETURN_IN_TRANSIT
    assert case.return_status is ReturnStatus.RETURNING
    case = run(case, ("parcel_delivered", LOG))
    assert case.state is State.RETURN_DELIVERED and is_terminal(case)
    assert case.return_status is ReturnStatus.RETURNED
    assert kinds(case) == [EffectKind.STOCK_IN]


# --- seed 000 Part II: stock-in and interception ------------------------------------------------


def test_refund_before_shipment_releases_allocated_stock_and_keeps_the_order_from_shipping():
    case = opened(RequestType.REFUND_ONLY, OrderStage.NOT_SHIPPED)
    assert kinds(case) == [EffectKind.BLOCK_SHIPPING]
    with pytest.raises(ShippingBlocked) as err:
        shipping_check(case.order_id, [case]).require()
    assert str(err.value) == (
        "This order has an after-sales request. Please try again after it’s handled. "
        "[Order Number: 577000000000000001]"
    )
    case = run(case, ("approve", S))
    assert kinds(case, 1) == [EffectKind.ISSUE_REFUND, EffectKind.RELEASE_STOCK]
    assert case.effects[-1].line_ids == ("L1", "L2")
    assert not shipping_check(case.order_id, [case]).may_ship


def test_refund_only_rejected_before_shipment_lets_the_order_ship_again():
    case = run(
        opened(RequestType.REFUND_ONLY, OrderStage.NOT_SHIPPED), ("reject", S), ("close", SYS)
    )
    assert kinds(case)[-1] is EffectKind.UNBLOCK_SHIPPING
    assert shipping_check(case.order_id, [case]).may_ship
    shipping_check(case.order_id, [case]).require()


def test_partial_refund_before_shipment_unblocks_the_order():
    case = run(
        opened(RequestType.REFUND_ONLY, OrderStage.NOT_SHIPPED),
        ("offer_partial_refund", S, {"amount": Money("5.00", "USD")}),
        ("accept_offer", B),
    )
    assert kinds(case) == [
        EffectKind.BLOCK_SHIPPING,
        EffectKind.ISSUE_REFUND,
        EffectKind.UNBLOCK_SHIPPING,
    ]
    assert shipping_check(case.order_id, [case]).may_ship


def test_refund_after_shipment_but_before_pickup_is_not_pickup_and_needs_manual_stock_in():
    case = run(opened(RequestType.REFUND_ONLY, OrderStage.SHIPPED_NOT_PICKED_UP), ("approve", S))
    assert case.return_status is ReturnStatus.NOT_PICKUP
    assert kinds(case) == [EffectKind.ISSUE_REFUND, EffectKind.MANUAL_STOCK_IN]


def test_shipping_check_ignores_other_orders_and_delivered_refund_only_requests():
    held = opened(RequestType.REFUND_ONLY, OrderStage.NOT_SHIPPED)
    assert shipping_check("another-order", [held]).may_ship
    delivered = opened(RequestType.REFUND_ONLY, OrderStage.DELIVERED)
    assert shipping_check(delivered.order_id, [delivered]).may_ship


# --- seed 001 Reshipment and alternative solutions -----------------------------------------------


def test_reshipment_sends_the_missing_items():
    case = run(opened(RequestType.RESHIPMENT), ("reship", S, {"line_ids": ["L2"]}))
    assert case.state is State.RESHIPPED
    assert kinds(case) == [EffectKind.SEND_MISSING_ITEMS]
    assert case.effects[0].line_ids == ("L2",)


def test_reshipment_can_send_a_whole_replacement():
    case = run(opened(RequestType.RESHIPMENT), ("reship", S, {"mode": "replacement"}))
    assert kinds(case) == [EffectKind.CREATE_REPLACEMENT_ORDER]


@pytest.mark.parametrize(
    ("solution", "state", "effect"),
    [
        (Solution.RESHIPMENT, State.RESHIPPED, EffectKind.SEND_MISSING_ITEMS),
        (Solution.REPLACEMENT, State.REPLACEMENT_CREATED, EffectKind.CREATE_REPLACEMENT_ORDER),
    ],
)
def test_seller_proposes_an_alternative_solution_and_the_buyer_accepts(solution, state, effect):
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("propose_alternative", S, {"solution": solution}),
        ("accept_offer", B),
    )
    assert case.state is state
    assert kinds(case) == [effect]


# --- seed 004 channel-manager workflows -----------------------------------------------------------


def test_platform_auto_approves_return_and_makes_label_then_seller_approves_after_inspection():
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("approve", SYS),
        ("generate_label", SYS),
    )
    assert case.state is State.RETURN_LABEL_ISSUED
    assert case.return_status is ReturnStatus.PENDING_RETURN
    case = run(case, ("ship_back", B), ("parcel_delivered", LOG), ("confirm_receipt", S))
    assert case.state is State.REFUND_COMMITTED
    assert case.history[1].actor is SYS


def test_seller_rejects_after_inspection_and_the_buyer_applies_for_arbitration():
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("approve", SYS),
        ("ship_back", B),
        ("parcel_delivered", LOG),
        ("reject_receipt", S),
        ("dispute", B),
    )
    assert case.state is State.RECEIPT_REJECTED
    assert case.arbitration is Arbitration.IN_PROGRESS


def test_seller_initiated_refund_at_order_line_and_partial_line_level():
    lines = fresh(RequestType.SELLER_REFUND).lines
    refunds = {
        RefundLevel.ORDER: Refund.order(lines),
        RefundLevel.LINE: Refund.line(lines, "L2"),
        RefundLevel.PARTIAL_LINE: Refund.partial("L1", Money("4.00", "USD")),
    }
    for level, refund in refunds.items():
        case = open_case(
            RequestType.SELLER_REFUND,
            case_id=f"blind-{level}",
            order_id="o-1",
            region="US",
            lines=lines,
            at=T0,
            payload={"refund": refund},
        )
        assert case.history[0].event == "initiate_refund"
        assert case.history[0].actor is S
        assert case.state is State.REFUND_COMMITTED  # no approval step
        case = run(case, ("complete_refund", SYS))
        assert case.state is State.REFUNDED
        assert case.refund_level is level
        assert case.effects[0].amount == refund.total


def test_cancellation_approved_before_shipment_refunds_and_releases_stock():
    case = run(opened(RequestType.BUYER_CANCELLATION, OrderStage.NOT_SHIPPED), ("approve", S))
    assert case.state is State.REFUND_COMMITTED
    assert kinds(case) == [EffectKind.ISSUE_REFUND, EffectKind.RELEASE_STOCK]


def test_seller_cancels_an_order_directly():
    case = open_case(
        RequestType.BUYER_CANCELLATION,
        case_id="cx",
        order_id="o-2",
        region="GB",
        lines=fresh(RequestType.BUYER_CANCELLATION).lines,
        at=T0,
        event="cancel_order",
        actor=S,
        order_stage="not_shipped",
    )
    assert case.state is State.REFUND_COMMITTED
    assert case.refund is not None and case.refund.total.amount == Decimal("34.40")


def test_us_shipping_the_order_rejects_a_pending_buyer_cancellation():
    case = run(opened(RequestType.BUYER_CANCELLATION, OrderStage.NOT_SHIPPED), ("order_shipped", S))
    assert case.state is State.CLOSED


# --- platform overview §2b, every documented transition ----------------------------------------

OVERVIEW = [
    # (type, path to the source state, event, actor, expected destination)
    (RequestType.REFUND_ONLY, [], "approve", S, State.REFUND_COMMITTED),
    (RequestType.REFUND_ONLY, [], "approve", SYS, State.REFUND_COMMITTED),
    (RequestType.REFUND_ONLY, [("approve", S)], "complete_refund", SYS, State.REFUNDED),
    (RequestType.REFUND_ONLY, [], "reject", S, State.REJECTED),
    (RequestType.REFUND_ONLY, [], "withdraw", B, State.WITHDRAWN),
    (RequestType.REFUND_ONLY, [("reject", S)], "close", SYS, State.CLOSED),
    (RequestType.REFUND_ONLY, [("reject", S), ("dispute", B)], "rule_for_seller", P, State.CLOSED),
    (
        RequestType.REFUND_ONLY,
        [("reject", S), ("dispute", B)],
        "rule_for_buyer",
        P,
        State.REFUND_COMMITTED,
    ),
    (RequestType.RETURN_AND_REFUND, [], "approve", S, State.AWAITING_BUYER_SHIPMENT),
    (RequestType.RETURN_AND_REFUND, [], "approve", SYS, State.AWAITING_BUYER_SHIPMENT),
    (RequestType.RETURN_AND_REFUND, [("approve", S)], "ship_back", LOG, State.RETURN_IN_TRANSIT),
    (RequestType.RETURN_AND_REFUND, [("approve", S)], "ship_back", B, State.RETURN_IN_TRANSIT),
    (
        RequestType.RETURN_AND_REFUND,
        [("approve", S), ("ship_back", B), ("parcel_delivered", LOG)],
        "confirm_receipt",
        SYS,
        State.REFUND_COMMITTED,
    ),
    (
        RequestType.RETURN_AND_REFUND,
        [("approve", S), ("ship_back", B), ("parcel_delivered", LOG)],
        "reject_receipt",
        S,
        State.RECEIPT_REJECTED,
    ),
    (
        RequestType.RETURN_AND_REFUND,
        [("approve", S), ("ship_back", B), ("parcel_delivered", LOG), ("reject_receipt", S)],
        "close",
        SYS,
        State.CLOSED,
    ),
    (RequestType.RETURN_AND_REFUND, [], "reject", S, State.REJECTED),
    (
        RequestType.RETURN_AND_REFUND,
        [("reject", S), ("dispute", B)],
        "rule_for_buyer",
        P,
        State.AWAITING_BUYER_SHIPMENT,
    ),
    (RequestType.RETURN_AND_REFUND, [("reject", S)], "close", SYS, State.CLOSED),
    (RequestType.RETURN_AND_REFUND, [], "withdraw", B, State.WITHDRAWN),
    (RequestType.RETURN_AND_REFUND, [("approve", SYS)], "close", SYS, State.CLOSED),
    (RequestType.EXCHANGE, [], "reject", S, State.REJECTED),
    (RequestType.EXCHANGE, [], "approve", S, State.REPLACEMENT_CREATED),
    (RequestType.EXCHANGE, [], "approve", SYS, State.REPLACEMENT_CREATED),
    (RequestType.EXCHANGE, [], "refund_instead", S, State.REFUND_COMMITTED),
    (
        RequestType.EXCHANGE,
        [("reject", S), ("dispute", B)],
        "rule_for_buyer",
        P,
        State.REPLACEMENT_CREATED,
    ),
    (RequestType.EXCHANGE, [], "withdraw", B, State.WITHDRAWN),
]


@pytest.mark.parametrize(("kind", "path", "event", "actor", "dest"), OVERVIEW)
def test_every_transition_documented_in_the_platform_overview(kind, path, event, actor, dest):
    case = run(opened(kind), *path)
    after = apply(case, event, actor, case.last_event_at)
    assert after.state is dest


def test_rejected_parcel_ruled_for_the_buyer_is_refunded():
    case = run(
        opened(RequestType.RETURN_AND_REFUND),
        ("approve", S),
        ("ship_back", B),
        ("parcel_delivered", LOG),
        ("reject_receipt", S),
        ("dispute", B),
        ("rule_for_buyer", P),
    )
    assert case.state is State.REFUND_COMMITTED
    assert case.arbitration is Arbitration.SUPPORT_BUYER
    assert kinds(case) == [EffectKind.STOCK_IN, EffectKind.ISSUE_REFUND]


def test_approving_a_return_with_buyer_keep_item_refunds_without_a_return():
    case = run(opened(RequestType.RETURN_AND_REFUND), ("approve", S, {"buyer_keep_item": True}))
    assert case.state is State.REFUND_COMMITTED
    assert case.return_status is ReturnStatus.NO_NEED_TO_RETURN
