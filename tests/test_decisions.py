"""Outbound decisions: bodies, idempotency keys, and refusals with the platform's codes."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import T0, fresh, reachable_cases, run
from tiktok_aftersales import (
    Actor,
    Breakdown,
    Money,
    OrderLine,
    OrderStage,
    RequestType,
    State,
    can_fire,
    open_case,
)
from tiktok_aftersales.codes import OUTBOUND, DecisionCode, DecisionEndpoint
from tiktok_aftersales.domain import Arbitration
from tiktok_aftersales.errors import InvalidTransition, InvalidValue, UnknownEvent
from tiktok_aftersales.lifecycle import LIFECYCLES
from tiktok_aftersales.platform import parse_decision_eligibility
from tiktok_aftersales.platform.decisions import (
    PLATFORM_CODES,
    DecisionImage,
    DecisionRefused,
    NoPlatformDecision,
    allowed_decisions,
    build_decision,
    idempotency_key,
    parse_decision_body,
)

R = RequestType
S = State
RID = "4035000000000000001"


def opened(kind: RequestType, stage: OrderStage = OrderStage.DELIVERED):
    case = run(fresh(kind, stage), ("request", Actor.BUYER))
    return attrs.evolve(case, platform_id=RID)


def in_state(kind: RequestType, state: State, arbitration: Arbitration = Arbitration.NONE):
    return attrs.evolve(opened(kind), state=state, arbitration=arbitration)


REJECT = {"reject_reason": "reverse_reject_request_reason_3", "comment": "used"}


def payload_for(event: str):
    if event == "offer_partial_refund":
        return {"amount": Money("5.00", "USD")}
    if event in ("reject", "reject_receipt"):
        return dict(REJECT)
    return None


# --- bodies -------------------------------------------------------------------------------------


def test_approving_a_refund_only_request():
    request = build_decision(opened(R.REFUND_ONLY), "approve")
    assert request.endpoint is DecisionEndpoint.APPROVE_RETURN
    assert request.method == "POST"
    assert request.path == f"/return_refund/202309/returns/{RID}/approve"
    assert request.to_json() == {"decision": "APPROVE_REFUND"}
    assert request.query["idempotency_key"] == request.idempotency_key
    assert request.seq == 2


def test_approving_a_return_with_buyer_keep_item_is_a_returnless_refund():
    request = build_decision(opened(R.RETURN_AND_REFUND), "approve", {"buyer_keep_item": True})
    assert request.to_json() == {"decision": "APPROVE_RETURN", "buyer_keep_item": True}
    plain = build_decision(opened(R.RETURN_AND_REFUND), "approve")
    assert plain.to_json() == {"decision": "APPROVE_RETURN"}


def test_buyer_keep_item_goes_only_with_approve_return():
    with pytest.raises(InvalidValue) as caught:
        build_decision(opened(R.REFUND_ONLY), "approve", {"buyer_keep_item": True})
    assert caught.value.field == "payload.buyer_keep_item"


def test_offering_a_partial_refund_sends_the_amount_as_a_string():
    request = build_decision(
        opened(R.RETURN_AND_REFUND), "offer_partial_refund", {"amount": Money("5.00", "USD")}
    )
    assert request.to_json() == {
        "decision": "OFFER_PARTIAL_REFUND",
        "partial_refund": {"amount": "5.00", "currency": "USD"},
    }


def test_a_partial_refund_larger_than_what_was_paid_is_refused():
    with pytest.raises(InvalidValue):
        build_decision(
            opened(R.REFUND_ONLY), "offer_partial_refund", {"amount": Money("5000", "USD")}
        )
    with pytest.raises(InvalidValue):
        build_decision(opened(R.REFUND_ONLY), "offer_partial_refund")


def test_rejecting_sends_reason_comment_and_images():
    request = build_decision(
        opened(R.RETURN_AND_REFUND),
        "reject",
        {
            "reject_reason": "reverse_reject_request_reason_3",
            "comment": "Item used",
            "images": [
                {"image_id": "tos-1", "mime_type": "image/jpeg", "width": 800, "height": 600},
                DecisionImage("tos-2"),
            ],
        },
    )
    assert request.endpoint is DecisionEndpoint.REJECT_RETURN
    assert request.path.endswith(f"/returns/{RID}/reject")
    assert request.to_json() == {
        "decision": "REJECT_RETURN",
        "reject_reason": "reverse_reject_request_reason_3",
        "comment": "Item used",
        "images": [
            {"image_id": "tos-1", "mime_type": "image/jpeg", "width": 800, "height": 600},
            {"image_id": "tos-2"},
        ],
    }


def test_a_rejection_needs_a_reason():
    with pytest.raises(InvalidValue) as caught:
        build_decision(opened(R.REFUND_ONLY), "reject", {"comment": "no"})
    assert caught.value.field == "payload.reject_reason"
    with pytest.raises(InvalidValue):
        build_decision(
            opened(R.REFUND_ONLY), "reject", {"reject_reason": "r", "comment": "x" * 501}
        )
    with pytest.raises(InvalidValue):
        build_decision(opened(R.REFUND_ONLY), "reject", {"reject_reason": "r", "images": "img"})


def test_the_core_reason_field_is_accepted_as_the_reject_reason():
    request = build_decision(opened(R.REFUND_ONLY), "reject", {"reason": "r1"})
    assert request.to_json() == {"decision": "REJECT_REFUND", "reject_reason": "r1"}


def test_confirming_and_rejecting_a_delivered_parcel():
    case = run(
        opened(R.RETURN_AND_REFUND),
        ("approve", Actor.SELLER),
        ("ship_back", Actor.BUYER),
        ("parcel_delivered", Actor.LOGISTICS),
    )
    assert build_decision(case, "confirm_receipt").to_json() == {
        "decision": "APPROVE_RECEIVED_PACKAGE"
    }
    assert build_decision(case, "reject_receipt", REJECT).to_json()["decision"] == (
        "REJECT_RECEIVED_PACKAGE"
    )


def test_replacement_decisions():
    case = opened(R.EXCHANGE)
    assert build_decision(case, "approve").body.decision is DecisionCode.APPROVE_REPLACEMENT
    assert build_decision(case, "refund_instead").body.decision is (
        DecisionCode.ISSUE_REPLACEMENT_REFUND
    )
    assert build_decision(case, "reject", REJECT).body.decision is DecisionCode.REJECT_REPLACEMENT


def test_cancellation_approve_and_reject_take_no_decision_value():
    case = attrs.evolve(opened(R.BUYER_CANCELLATION, OrderStage.NOT_SHIPPED), platform_id="9001")
    approve = build_decision(case, "approve")
    assert approve.endpoint is DecisionEndpoint.APPROVE_CANCELLATION
    assert approve.path == "/return_refund/202309/cancellations/9001/approve"
    assert approve.to_json() == {}
    reject = build_decision(case, "reject", REJECT)
    assert reject.path == "/return_refund/202309/cancellations/9001/reject"
    assert reject.to_json() == {"reject_reason": REJECT["reject_reason"], "comment": "used"}


def test_the_target_id_comes_from_the_case_or_the_caller():
    case = attrs.evolve(opened(R.REFUND_ONLY), platform_id=None)
    with pytest.raises(InvalidValue) as caught:
        build_decision(case, "approve")
    assert caught.value.field == "target_id"
    assert build_decision(case, "approve", target_id="77").target_id == "77"


def test_events_without_an_api_call_are_refused_as_such():
    with pytest.raises(NoPlatformDecision):
        build_decision(
            opened(R.RETURN_AND_REFUND), "propose_alternative", {"solution": "reshipment"}
        )
    with pytest.raises(NoPlatformDecision):
        build_decision(opened(R.RESHIPMENT), "reship")


def test_an_unknown_event_is_refused():
    with pytest.raises(UnknownEvent):
        build_decision(opened(R.REFUND_ONLY), "dance")


def test_a_payload_that_is_not_a_mapping_is_refused():
    with pytest.raises(InvalidValue):
        build_decision(opened(R.REFUND_ONLY), "approve", ["x"])  # type: ignore[arg-type]


# --- legality comes from the lifecycle --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "event"),
    sorted(k for k, v in OUTBOUND.items() if v is not None),
    ids=lambda x: getattr(x, "value", x),
)
def test_a_decision_is_built_exactly_when_the_lifecycle_lets_the_seller_fire_it(kind, event):
    outbound = OUTBOUND[(kind, event)]
    for state in LIFECYCLES[kind].case_states:
        for arbitration in (Arbitration.NONE, Arbitration.IN_PROGRESS):
            case = in_state(kind, state, arbitration)
            payload = payload_for(event)
            if can_fire(case, event, Actor.SELLER, payload):
                request = build_decision(case, event, payload)
                assert request.endpoint is outbound.endpoint
                assert request.body.decision is outbound.decision
            else:
                with pytest.raises(DecisionRefused) as caught:
                    build_decision(case, event, payload)
                assert caught.value.platform_code in PLATFORM_CODES
                assert isinstance(caught.value, InvalidTransition)
                assert caught.value.state is state


@pytest.mark.parametrize(
    ("kind", "state", "event", "code"),
    [
        (R.REFUND_ONLY, S.REFUND_COMMITTED, "approve", 25011012),
        (R.RETURN_AND_REFUND, S.REQUESTED, "confirm_receipt", 25011013),
        (R.RETURN_AND_REFUND, S.REFUND_COMMITTED, "confirm_receipt", 25020011),
        (R.RETURN_AND_REFUND, S.AWAITING_BUYER_SHIPMENT, "reject", 25020010),
        (R.REFUND_ONLY, S.REFUND_COMMITTED, "reject", 25020010),
        (R.REFUND_ONLY, S.REJECTED, "reject", 25011011),
        (R.RETURN_AND_REFUND, S.RETURN_IN_TRANSIT, "reject_receipt", 25020012),
        (R.REFUND_ONLY, S.WITHDRAWN, "approve", 25020009),
        (R.REFUND_ONLY, S.REQUESTED, "confirm_receipt", 25020004),
        (R.REFUND_ONLY, S.REJECTED, "offer_partial_refund", 25011032),
        (R.EXCHANGE, S.CLOSED, "refund_instead", 25020003),
    ],
)
def test_refusals_carry_the_platforms_code_for_the_same_situation(kind, state, event, code):
    with pytest.raises(DecisionRefused) as caught:
        build_decision(in_state(kind, state), event, payload_for(event))
    assert caught.value.platform_code == code
    assert str(code) in str(caught.value)


def test_a_decision_during_arbitration_is_refused_with_25011010():
    case = in_state(R.REFUND_ONLY, S.REJECTED, Arbitration.IN_PROGRESS)
    with pytest.raises(DecisionRefused) as caught:
        build_decision(case, "approve")
    assert caught.value.platform_code == 25011010


def test_a_refusal_lists_what_is_allowed_and_leaves_the_case_unchanged():
    case = in_state(R.RETURN_AND_REFUND, S.REQUESTED)
    before = attrs.asdict(case, recurse=False)
    with pytest.raises(DecisionRefused) as caught:
        build_decision(case, "confirm_receipt")
    assert "approve" in {event for event, _actors in caught.value.allowed}
    assert attrs.asdict(case, recurse=False) == before


def test_allowed_decisions_match_the_platforms_decision_eligibility_capture():
    """The live capture: APPROVE_RETURN eligible, REJECT_RECEIVED_PACKAGE not (25011014)."""
    capture = parse_decision_eligibility(
        {
            "code": 0,
            "data": {
                "decisions": [
                    {"decision": "APPROVE_RETURN", "eligible": True},
                    {
                        "decision": "REJECT_RECEIVED_PACKAGE",
                        "eligible": False,
                        "ineligible_code": 25011014,
                        "ineligible_reason": "status can't reject receive",
                    },
                ]
            },
        }
    )
    ours = {o.decision for o in allowed_decisions(opened(R.RETURN_AND_REFUND))}
    for entry in capture:
        assert (entry.decision in ours) is entry.eligible


def test_allowed_decisions_of_a_settled_case_are_none():
    case = run(opened(R.REFUND_ONLY), ("approve", Actor.SELLER), ("complete_refund", Actor.SYSTEM))
    assert allowed_decisions(case) == ()


# --- idempotency --------------------------------------------------------------------------------


def test_the_same_case_and_event_give_the_same_key():
    case = opened(R.REFUND_ONLY)
    first = build_decision(case, "approve")
    again = build_decision(case, "approve")
    assert (
        first.idempotency_key
        == again.idempotency_key
        == idempotency_key(case.case_id, len(case.history) + 1, "approve")
    )
    assert len(first.idempotency_key) <= 255


def test_another_event_another_case_or_a_later_step_give_another_key():
    case = opened(R.RETURN_AND_REFUND)
    approve = build_decision(case, "approve").idempotency_key
    assert build_decision(case, "reject", REJECT).idempotency_key != approve
    other = attrs.evolve(case, case_id="case-2")
    assert build_decision(other, "approve").idempotency_key != approve
    later = run(
        case,
        ("approve", Actor.SELLER),
        ("ship_back", Actor.BUYER),
        ("parcel_delivered", Actor.LOGISTICS),
    )
    assert build_decision(later, "confirm_receipt").idempotency_key not in {approve}


@given(st.sampled_from(sorted(k for k, v in OUTBOUND.items() if v is not None)))
def test_keys_are_stable_across_calls_for_every_buildable_decision(pair):
    kind, event = pair
    for case in reachable_cases(kind).values():
        if case.state is S.NEW or not can_fire(case, event, Actor.SELLER, payload_for(event)):
            continue
        case = attrs.evolve(case, platform_id=RID)
        a = build_decision(case, event, payload_for(event))
        b = build_decision(case, event, payload_for(event))
        assert a == b


# --- bodies read back -------------------------------------------------------------------------


def test_a_built_body_reads_back_unchanged():
    request = build_decision(
        opened(R.RETURN_AND_REFUND), "offer_partial_refund", {"amount": Money("5.00", "USD")}
    )
    assert parse_decision_body(request.to_json()) == request.body


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "APPROVE_EVERYTHING"},
        {"decision": "APPROVE_RETURN", "buyer_keep_item": "yes"},
        {"decision": "OFFER_PARTIAL_REFUND", "partial_refund": {"amount": 5.0, "currency": "USD"}},
        {"decision": "OFFER_PARTIAL_REFUND", "partial_refund": {"amount": "5", "currency": None}},
        {"reject_reason": 3},
        {"images": [{"width": 1}]},
        [],
    ],
)
def test_malformed_decision_bodies_are_refused(body):
    with pytest.raises(InvalidValue):
        parse_decision_body(body)


def test_a_breakdown_offer_for_a_one_line_case():
    case = open_case(
        R.REFUND_ONLY,
        case_id="one",
        order_id="o",
        region="US",
        lines=[OrderLine("L1", "SKU", Breakdown.of("19.99", "USD", tax="1.61"))],
        at=T0,
        platform_id=RID,
    )
    request = build_decision(
        case, "offer_partial_refund", {"amount": Breakdown.of("4.00", "USD", tax="0.32")}
    )
    assert request.to_json()["partial_refund"] == {"amount": "4.32", "currency": "USD"}
