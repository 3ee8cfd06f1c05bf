"""The US partial refund after the seller inspects a returned parcel (platform-2026 §7).

The refund the event commits comes from its payload (``amount``): a refund source derived
from the declaration. It is checked against what was paid, what the request asked for each
line, and what the order has left across its cases.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import T0, fresh, run, usd_lines
from tiktok_aftersales import Actor, Money, Refund, RequestType, State, apply
from tiktok_aftersales.domain.effects import EffectKind
from tiktok_aftersales.domain.money import Breakdown
from tiktok_aftersales.errors import (
    CurrencyMismatch,
    InvalidTransition,
    InvalidValue,
    OrderKindForbids,
    OrderOverRefund,
    OverRefund,
)
from tiktok_aftersales.lifecycle import EVENTS, LIFECYCLES, apply_on_order, dry_run, open_case
from tiktok_aftersales.platform.calls import request_for
from tiktok_aftersales.platform.outbound import check_order_kinds

R = RequestType
S, B, L = Actor.SELLER, Actor.BUYER, Actor.LOGISTICS
EVENT = "refund_after_inspection"
LATER = T0 + timedelta(days=1)


def delivered(refund: Refund | None = None, case_id: str = "case-1"):
    case = open_case(
        R.RETURN_AND_REFUND,
        case_id=case_id,
        order_id="577000000000000001",
        region="US",
        lines=usd_lines(),
        at=T0,
        payload=None if refund is None else {"refund": refund},
    )
    return run(case, ("approve", S), ("ship_back", B), ("parcel_delivered", L))


def test_the_transition_takes_its_refund_from_the_payload():
    (t,) = [t for t in LIFECYCLES[R.RETURN_AND_REFUND].transitions if t.event == EVENT]
    assert t.refund == "payload"
    assert EVENTS[EVENT].refund_from == "amount"
    assert EVENTS[EVENT].required == {"amount"}
    assert "platform-2026 §7" in t.ref


def test_the_seller_refunds_part_of_a_returned_parcel():
    case = delivered()
    after = apply(case, EVENT, S, LATER, {"amount": Money("5.00", "USD")})
    assert after.state is State.REFUND_COMMITTED
    assert after.refund is not None and after.refund.total == Money("5.00", "USD")
    (refund,) = [e for e in after.pending_effects if e.kind is EffectKind.ISSUE_REFUND]
    assert refund.amount == Money("5.00", "USD")
    assert after.requested == case.requested  # what the buyer asked is kept


def test_the_fast_and_the_checked_path_agree():
    case = delivered()
    payload = {"amount": Money("7.50", "USD")}
    after = apply(case, EVENT, S, LATER, payload)
    preview = dry_run(case, EVENT, S, LATER, payload)
    assert preview.state is after.state
    assert [e.amount for e in preview.effects] == [
        e.amount for e in after.effects[len(case.effects) :]
    ]


def test_a_refund_per_line_is_kept_as_given():
    case = delivered()
    refund = Refund.partial("L2", Money("4.00", "USD"))
    after = apply(case, EVENT, S, LATER, {"amount": refund})
    assert after.refund == refund


def test_the_amount_is_required_and_named():
    with pytest.raises(InvalidValue, match=r"payload\.amount") as info:
        apply(delivered(), EVENT, S, LATER)
    assert info.value.field == "payload.amount"


def test_more_than_the_request_asked_is_refused_naming_field_and_value():
    case = delivered(Refund.line(usd_lines(), "L2"))  # the buyer asked for L2: 10.80
    with pytest.raises(OverRefund) as info:
        apply(case, EVENT, S, LATER, {"amount": Money("12.00", "USD")})
    assert info.value.field == "payload.amount"
    assert info.value.value == Money("12.00", "USD")
    assert info.value.limit == Money("10.80", "USD")


def test_more_than_a_requested_line_asked_is_refused_naming_the_line():
    case = delivered(Refund.partial("L1", Money("10.00", "USD")))
    with pytest.raises(OverRefund) as info:
        apply(case, EVENT, S, LATER, {"amount": Refund.partial("L1", Money("12.00", "USD"))})
    assert info.value.field == "payload.amount[L1].total"
    assert info.value.limit == Money("10.00", "USD")


def test_a_line_the_request_did_not_ask_for_is_refused():
    case = delivered(Refund.line(usd_lines(), "L1"))
    with pytest.raises(InvalidValue) as info:
        apply(case, EVENT, S, LATER, {"amount": Refund.partial("L2", Money("1.00", "USD"))})
    assert info.value.field == "payload.amount.line_id"
    assert info.value.value == "L2"


def test_another_currency_is_refused():
    with pytest.raises(CurrencyMismatch):
        apply(delivered(), EVENT, S, LATER, {"amount": Money("5.00", "EUR")})


def test_a_malformed_amount_is_refused_and_the_case_is_unchanged():
    case = delivered()
    before = (case.state, case.version, case.effects)
    for bad in ("5.00", 5, {"amount": "5"}, Money("0", "USD")):
        with pytest.raises(InvalidValue):
            apply(case, EVENT, S, LATER, {"amount": bad})
    assert (case.state, case.version, case.effects) == before


def test_only_a_delivered_parcel_can_be_refunded_in_part_and_only_by_the_seller():
    with pytest.raises(InvalidTransition):
        apply(fresh(R.RETURN_AND_REFUND), EVENT, S, LATER, {"amount": Money("1", "USD")})
    with pytest.raises(InvalidTransition):
        apply(delivered(), EVENT, B, LATER, {"amount": Money("1", "USD")})


def test_the_order_ledger_bounds_the_partial_refund_across_cases():
    lines = usd_lines()
    other = open_case(
        R.REFUND_ONLY,
        case_id="other",
        order_id="577000000000000001",
        region="US",
        lines=lines,
        at=T0,
        payload={"refund": Refund.line(lines, "L2")},
    )
    other = apply(other, "approve", S, T0)  # L2 refunded in full on another case
    case = delivered(Refund.line(lines, "L2"))
    with pytest.raises(OrderOverRefund) as info:
        apply_on_order(case, [other], EVENT, S, LATER, {"amount": Money("1.00", "USD")})
    assert info.value.line_id == "L2"
    fine = apply_on_order(
        delivered(Refund.line(lines, "L1")), [other], EVENT, S, LATER, {"amount": Money("1", "USD")}
    )
    assert fine.state is State.REFUND_COMMITTED


def test_the_service_refuses_an_over_refund_and_changes_nothing():
    from tiktok_aftersales.app.testing import in_memory_service

    service, ports = in_memory_service(start=T0)
    lines = usd_lines()
    service.open(
        R.REFUND_ONLY,
        case_id="other",
        order_id="577000000000000001",
        region="US",
        lines=lines,
        platform_id="4035000000000000001",
        payload={"refund": Refund.line(lines, "L2")},
    )
    service.handle_command("other", "approve", S)
    service.open(
        R.RETURN_AND_REFUND,
        case_id="ret",
        order_id="577000000000000001",
        region="US",
        lines=lines,
        platform_id="4035000000000000002",
        payload={"refund": Refund.line(lines, "L2")},
    )
    for event, actor in (("approve", S), ("ship_back", B), ("parcel_delivered", L)):
        service.handle_command("ret", event, actor)
    before = ports.store.get("ret")
    with pytest.raises(OrderOverRefund):
        service.handle_command("ret", EVENT, S, {"amount": Money("2.00", "USD")})
    assert ports.store.get("ret") == before


def test_the_platform_forbids_it_on_fbt_quick_refund_and_guaranteed_orders():
    for kind in ("fbt", "quick_refund", "authentic_guarantee"):
        with pytest.raises(OrderKindForbids):
            check_order_kinds(EVENT, [kind])


def test_it_is_a_seller_centre_action_with_no_legacy_api_call():
    case = delivered()
    after = apply(case, EVENT, S, LATER, {"amount": Money("5.00", "USD")})
    assert request_for(case, after) is None


def test_a_breakdown_is_taken_as_the_one_requested_line():
    case = delivered(Refund.line(usd_lines(), "L1"))
    with pytest.raises(InvalidValue, match="one-line"):
        apply(case, EVENT, S, LATER, {"amount": Breakdown.of("1.00", "USD")})


@given(cents=st.integers(min_value=-500, max_value=5_000))
def test_any_amount_either_commits_within_the_request_or_is_refused_unchanged(cents):
    case = delivered(Refund.line(usd_lines(), "L2"))  # asked: 10.80
    before = (case.state, case.version, case.refund, case.effects)
    amount = Money(Decimal(cents) / 100, "USD")
    try:
        after = apply(case, EVENT, S, LATER, {"amount": amount})
    except InvalidValue:
        assert (case.state, case.version, case.refund, case.effects) == before
        assert not (Money("0", "USD") < amount <= Money("10.80", "USD"))
    else:
        assert after.refund is not None
        assert after.refund.total == amount <= Money("10.80", "USD")
        assert after.refund.for_line("L1") is None


def test_the_derived_machine_fires_both_new_events():
    from tiktok_aftersales.lifecycle.machine import CaseModel

    model = CaseModel(delivered())
    model.trigger(EVENT, actor=S, at=LATER, payload={"amount": Money("3", "USD")})
    assert model.case.state is State.REFUND_COMMITTED
