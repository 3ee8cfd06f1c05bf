"""The clock: deadlines, due events, advance (cascades, idempotence), platform deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import T0, fresh, reachable_cases, run
from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    Breakdown,
    InvalidValue,
    OrderLine,
    RequestType,
    State,
    Window,
    apply,
    open_case,
)
from tiktok_aftersales.deadlines.clock import (
    PLATFORM_ACTIONS,
    Deadline,
    advance,
    due_events,
    next_deadline,
    running_deadlines,
    with_next_action_response,
    with_platform_deadline,
)
from tiktok_aftersales.deadlines.policy import CHANNEL_MANAGER_POLICY, DEFAULT_POLICY
from tiktok_aftersales.domain import Arbitration
from tiktok_aftersales.errors import NaiveDatetime
from tiktok_aftersales.lifecycle import HUMAN_ONLY_ARBITRATION, allowed_events, lifecycle

H = timedelta(hours=1)
D = timedelta(days=1)


def opened(
    request_type: RequestType = RequestType.RETURN_AND_REFUND,
    region: str = "GB",
    at: datetime = T0,
    currency: str = "GBP",
) -> AfterSalesCase:
    return open_case(
        request_type,
        case_id="c-1",
        order_id="o-1",
        region=region,
        lines=[OrderLine("L1", "SKU-1", Breakdown.of("20.00", currency))],
        at=at,
    )


# --- deadlines ------------------------------------------------------------------------------


def test_new_request_has_the_seller_response_deadline_with_who_and_what_happens() -> None:
    case = opened()
    (d,) = running_deadlines(case)
    assert d == Deadline(
        window=Window.SELLER_RESPONSE,
        event="approve",
        actor=Actor.SELLER,
        due=T0 + 48 * H,
        source="policy",
        target=State.AWAITING_BUYER_SHIPMENT,
        started=T0,
        duration=d.duration,
        rule_source=d.rule_source,
    )
    assert str(d.duration) == "48 h"
    assert "§3" in d.rule_source
    assert d.due.tzinfo is UTC


def test_terminal_and_unopened_cases_have_no_deadlines() -> None:
    assert running_deadlines(fresh(RequestType.REFUND_ONLY)) == ()
    case = run(opened(), ("withdraw", Actor.BUYER))
    assert case.state is State.WITHDRAWN
    assert running_deadlines(case) == ()
    assert next_deadline(case) is None


def test_every_timeout_of_the_declaration_yields_a_deadline_in_its_state() -> None:
    for kind in RequestType:
        lc = lifecycle(kind)
        for case in reachable_cases(kind).values():
            if case.state is State.NEW:
                continue
            expected = {
                t.event
                for t in lc.timeouts_from(case.state)
                if case.arbitration in t.arbitration_from
            }
            assert {d.event for d in running_deadlines(case)} == expected, (kind, case.state)


def test_due_events_lists_only_expired_deadlines() -> None:
    case = opened()
    assert due_events(case, T0 + 47 * H) == ()
    (d,) = due_events(case, T0 + 48 * H)
    assert d.event == "approve"


def test_nothing_is_due_before_the_last_event() -> None:
    case = opened()
    assert due_events(case, T0 - D) == ()
    assert advance(case, T0 - D) is case


def test_naive_instants_are_refused_and_the_case_is_unchanged() -> None:
    case = opened()
    naive = datetime(2026, 3, 5, 9, 0)
    with pytest.raises(NaiveDatetime) as err:
        advance(case, naive)
    assert err.value.field == "at"
    assert err.value.value == naive
    with pytest.raises(NaiveDatetime):
        due_events(case, naive)
    assert case.state is State.REQUESTED and case.version == 1


def test_a_policy_argument_that_is_not_a_policy_is_refused() -> None:
    with pytest.raises(InvalidValue) as err:
        running_deadlines(opened(), {"seller_response": "24h"})  # type: ignore[arg-type]
    assert err.value.field == "policy"


# --- advance --------------------------------------------------------------------------------


def test_silent_seller_is_auto_approved_at_the_deadline_instant() -> None:
    case = opened(RequestType.REFUND_ONLY, region="US", currency="USD")
    after = advance(case, T0 + 200 * H)
    approve = after.history[1]
    assert (approve.event, approve.actor, approve.at) == ("approve", Actor.SYSTEM, T0 + 48 * H)
    # the committed refund is then paid by the platform (72 h, [I])
    assert after.history[2].event == "complete_refund"
    assert after.history[2].at == T0 + 48 * H + 72 * H
    assert after.state is State.REFUNDED


def test_cascading_expiries_in_one_advance_each_at_its_own_instant() -> None:
    case = opened()  # GB return: 48 h seller, then 10 days to ship back
    report = advance(case, T0 + 30 * D, report=True)
    assert [d.event for d in report.fired] == ["approve", "close"]
    assert [h.at for h in report.case.history[1:]] == [T0 + 48 * H, T0 + 48 * H + 10 * D]
    assert report.case.state is State.CLOSED
    assert report.case.version == case.version + 2


def test_advance_stops_at_the_instant() -> None:
    case = opened()
    half = advance(case, T0 + 3 * D)
    assert half.state is State.AWAITING_BUYER_SHIPMENT
    assert running_deadlines(half)[0].due == T0 + 2 * D + 10 * D


def test_advancing_again_to_the_same_instant_changes_nothing() -> None:
    case = opened()
    once = advance(case, T0 + 30 * D)
    assert advance(once, T0 + 30 * D) is once


def test_a_buyer_who_ships_in_time_stops_the_ship_back_clock() -> None:
    case = advance(opened(), T0 + 3 * D)
    shipped = apply(case, "ship_back", Actor.BUYER, T0 + 3 * D)
    later = advance(shipped, T0 + 6 * D)
    assert later.state is State.RETURN_IN_TRANSIT
    # the carrier never reports: after 7 days the parcel counts as lost and the buyer is refunded
    lost = advance(later, T0 + 3 * D + 7 * D)
    assert lost.history[-1].event == "parcel_lost"
    assert lost.state is State.REFUND_COMMITTED


def test_ship_back_window_runs_from_approval_even_after_a_label_is_generated() -> None:
    case = advance(opened(), T0 + 2 * D)
    labelled = apply(case, "generate_label", Actor.SYSTEM, T0 + 3 * D)
    assert labelled.state is State.RETURN_LABEL_ISSUED
    (d,) = running_deadlines(labelled)
    assert d.window is Window.BUYER_SHIP_BACK
    assert d.started == T0 + 2 * D
    assert d.due == T0 + 12 * D


def test_a_late_event_in_the_same_state_does_not_put_history_out_of_order() -> None:
    case = opened(RequestType.REFUND_ONLY, region="US", currency="USD")
    rejected = apply(case, "reject", Actor.SELLER, T0)
    # a host records the buyer's dispute late (after the 48 h window); the platform accepted it
    disputed = apply(rejected, "dispute", Actor.BUYER, T0 + 60 * H)
    assert running_deadlines(disputed) == ()
    assert advance(disputed, T0 + 365 * D) is disputed


def test_a_different_policy_changes_the_outcome_time() -> None:
    case = opened(RequestType.REFUND_ONLY, region="US", currency="USD")
    assert running_deadlines(case)[0].due == T0 + 48 * H
    assert running_deadlines(case, CHANNEL_MANAGER_POLICY)[0].due == T0 + 24 * H
    assert advance(case, T0 + 30 * H, CHANNEL_MANAGER_POLICY).state is State.REFUND_COMMITTED
    assert advance(case, T0 + 30 * H, DEFAULT_POLICY).state is State.REQUESTED


# --- platform deadlines ---------------------------------------------------------------------


def test_platform_deadline_overrides_the_policy_for_the_step() -> None:
    case = opened()
    due = T0 + 20 * H
    told = with_platform_deadline(case, "SELLER_RESPOND_RETURN", int(due.timestamp()))
    assert told.version == case.version + 1
    assert told.platform_deadline is not None
    assert told.platform_deadline.state is State.REQUESTED
    (d,) = running_deadlines(told)
    assert (d.source, d.due, d.rule_source) == ("platform", due, "SELLER_RESPOND_RETURN")
    after = advance(told, T0 + 21 * H)
    assert after.history[1].at == due
    assert after.state is State.AWAITING_BUYER_SHIPMENT
    # the next step is the policy's again (the engine drops the platform deadline)
    assert after.platform_deadline is None
    assert running_deadlines(after)[0].source == "policy"


def test_platform_deadline_can_be_later_than_the_policy() -> None:
    case = opened()
    told = with_platform_deadline(case, "SELLER_RESPOND_RETURN", T0 + 72 * H)
    assert advance(told, T0 + 50 * H).state is State.REQUESTED
    assert advance(told, T0 + 72 * H).state is State.AWAITING_BUYER_SHIPMENT


def test_platform_deadline_for_another_state_is_ignored() -> None:
    case = opened()
    told = with_platform_deadline(case, "SELLER_RESPOND_RETURN", T0 + 1 * H)
    moved = apply(told, "reject", Actor.SELLER, T0 + 30 * timedelta(minutes=1))
    assert moved.platform_deadline is None
    # even if a host kept it, a deadline announced for "requested" does not apply in "rejected"
    stale = attrs.evolve(moved, platform_deadline=told.platform_deadline)
    assert running_deadlines(stale)[0].source == "policy"


def test_unknown_platform_action_applies_to_the_seller_window() -> None:
    case = opened()
    told = with_platform_deadline(case, "SELLER_RESPOND_SOMETHING_NEW", T0 + 5 * H)
    assert running_deadlines(told)[0].due == T0 + 5 * H


def test_platform_deadline_does_not_touch_buyer_windows() -> None:
    case = run(opened(), ("reject", Actor.SELLER))
    told = with_platform_deadline(case, "SELLER_RESPOND_RETURN", T0 + 1 * H)
    (d,) = running_deadlines(told)
    assert (d.window, d.source) == (Window.BUYER_DISPUTE, "policy")


def test_every_platform_action_names_a_seller_window() -> None:
    from tiktok_aftersales.deadlines.policy import WINDOW_ACTORS

    assert {WINDOW_ACTORS[w] for w in PLATFORM_ACTIONS.values()} == {Actor.SELLER}


def test_setting_the_same_platform_deadline_twice_changes_nothing() -> None:
    case = opened()
    once = with_platform_deadline(case, "SELLER_RESPOND_RETURN", T0 + 5 * H)
    assert with_platform_deadline(once, "SELLER_RESPOND_RETURN", T0 + 5 * H) is once


def test_next_action_response_entries_set_the_earliest_deadline() -> None:
    case = opened()
    entries = [
        {"action": "SELLER_RESPOND_RETURN", "deadline": int((T0 + 9 * H).timestamp())},
        {"action": "SELLER_RESPOND_REFUND", "deadline": str(int((T0 + 4 * H).timestamp()))},
    ]
    told = with_next_action_response(case, entries)
    assert told.platform_deadline is not None
    assert told.platform_deadline.deadline == T0 + 4 * H
    assert told.platform_deadline.action == "SELLER_RESPOND_REFUND"
    assert with_next_action_response(case, []) is case
    assert with_next_action_response(case, None) is case


@pytest.mark.parametrize(
    ("action", "deadline", "field"),
    [
        ("", 1760372800, "action"),
        ("SELLER_RESPOND_RETURN", datetime(2026, 3, 3), "deadline"),
        ("SELLER_RESPOND_RETURN", "tomorrow", "deadline"),
        ("SELLER_RESPOND_RETURN", True, "deadline"),
    ],
)
def test_bad_platform_deadlines_are_refused_naming_the_field(
    action: str, deadline: object, field: str
) -> None:
    case = opened()
    with pytest.raises(InvalidValue) as err:
        with_platform_deadline(case, action, deadline)  # type: ignore[arg-type]
    assert err.value.field == field
    assert case.platform_deadline is None


def test_malformed_next_action_entries_are_refused() -> None:
    with pytest.raises(InvalidValue) as err:
        with_next_action_response(opened(), [{"deadline": 1760372800}])
    assert err.value.field == "seller_next_action_response[0].action"


# --- arbitration stops the clock ------------------------------------------------------------


def test_no_clock_runs_while_arbitration_is_in_progress() -> None:
    case = run(opened(), ("reject", Actor.SELLER), ("dispute", Actor.BUYER))
    assert case.arbitration is Arbitration.IN_PROGRESS
    assert running_deadlines(case) == ()
    assert advance(case, T0 + 1000 * D) is case
    assert "operator" in HUMAN_ONLY_ARBITRATION


# --- properties -----------------------------------------------------------------------------

_OFFSETS = st.integers(min_value=0, max_value=40 * 24 * 60)
_KINDS = st.sampled_from([k for k in RequestType if k is not RequestType.ABNORMAL_RETURN])
_REGIONS = st.sampled_from(["US", "ID", "TH", "VN", "GB"])


@st.composite
def _cases(draw: st.DrawFn) -> AfterSalesCase:
    kind = draw(_KINDS)
    cases = [c for c in reachable_cases(kind).values() if c.state is not State.NEW]
    case = draw(st.sampled_from(cases))
    region = draw(_REGIONS)
    from tiktok_aftersales.domain import region as lookup

    return attrs.evolve(case, region=lookup(region))


@settings(max_examples=150, deadline=None)
@given(case=_cases(), minutes=_OFFSETS)
def test_advance_is_idempotent(case: AfterSalesCase, minutes: int) -> None:
    at = T0 + timedelta(minutes=minutes)
    once = advance(case, at)
    assert advance(once, at) == once


@settings(max_examples=150, deadline=None)
@given(case=_cases(), a=_OFFSETS, b=_OFFSETS)
def test_advancing_in_steps_equals_advancing_directly(case: AfterSalesCase, a: int, b: int) -> None:
    t1, t2 = sorted((T0 + timedelta(minutes=a), T0 + timedelta(minutes=b)))
    assert advance(advance(case, t1), t2) == advance(case, t2)


@settings(max_examples=150, deadline=None)
@given(case=_cases(), minutes=_OFFSETS)
def test_advance_fires_only_due_deadlines_and_history_stays_ordered(
    case: AfterSalesCase, minutes: int
) -> None:
    at = T0 + timedelta(minutes=minutes)
    report = advance(case, at, report=True)
    times = [h.at for h in report.case.history]
    assert times == sorted(times)
    assert all(d.due <= at for d in report.fired)
    assert all(h.actor is Actor.SYSTEM for h in report.case.history[len(case.history) :])
    assert due_events(report.case, at) == ()


# --- the Indonesian walk (platform-api.md §3: 48 h, 48 h appeal, 5 days, 8 days) ------------

JAKARTA_T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 16:00 WIB


def _id_return() -> AfterSalesCase:
    return open_case(
        RequestType.RETURN_AND_REFUND,
        case_id="id-1",
        order_id="id-o-1",
        region="ID",
        lines=[OrderLine("L1", "BATIK-01", Breakdown.of("150000", "IDR"))],
        at=JAKARTA_T0,
    )


def test_indonesian_walk_with_every_party_silent_or_late() -> None:
    t0 = JAKARTA_T0
    case = _id_return()
    # 48 h for the seller, then auto-approval
    assert running_deadlines(case)[0].due == t0 + 48 * H
    case = advance(case, t0 + 48 * H)
    assert case.state is State.AWAITING_BUYER_SHIPMENT
    assert case.history[-1].actor is Actor.SYSTEM
    # 10 calendar days to drop the parcel off or upload tracking (platform-2026 §6)
    (ship_back,) = running_deadlines(case)
    assert (ship_back.window, ship_back.due) == (Window.BUYER_SHIP_BACK, t0 + 48 * H + 10 * D)
    shipped_at = t0 + 48 * H + 4 * D
    case = apply(advance(case, shipped_at), "ship_back", Actor.BUYER, shipped_at)
    case = apply(case, "parcel_delivered", Actor.LOGISTICS, shipped_at + 3 * D)
    # 8 days for the seller to confirm receipt, counted from the buyer's shipment upload
    (receipt,) = running_deadlines(case)
    assert (receipt.window, receipt.started, receipt.due) == (
        Window.SELLER_RECEIPT,
        shipped_at,
        shipped_at + 8 * D,
    )
    assert advance(case, shipped_at + 8 * D - timedelta(seconds=1)).state is State.RETURN_DELIVERED
    case = advance(case, shipped_at + 8 * D)
    assert (case.state, case.history[-1].event) == (State.REFUND_COMMITTED, "confirm_receipt")
    assert case.refund is not None
    assert case.effects[-1].kind.value == "issue_refund"


def test_indonesian_buyer_who_misses_the_ten_days_loses_the_request() -> None:
    case = advance(_id_return(), JAKARTA_T0 + 48 * H)
    assert advance(case, JAKARTA_T0 + 48 * H + 9 * D).state is State.AWAITING_BUYER_SHIPMENT
    closed = advance(case, JAKARTA_T0 + 48 * H + 10 * D)
    assert closed.state is State.CLOSED
    assert closed.history[-1].at == JAKARTA_T0 + 48 * H + 10 * D


def test_indonesian_rejection_closes_after_the_48_hour_appeal_window() -> None:
    rejected = apply(_id_return(), "reject", Actor.SELLER, JAKARTA_T0 + 10 * H)
    assert advance(rejected, JAKARTA_T0 + 57 * H).state is State.REJECTED
    closed = advance(rejected, JAKARTA_T0 + 58 * H)
    assert closed.state is State.CLOSED
    appealed = apply(rejected, "dispute", Actor.BUYER, JAKARTA_T0 + 57 * H)
    assert advance(appealed, JAKARTA_T0 + 1000 * H).arbitration is Arbitration.IN_PROGRESS


# --- working days and DST through the clock -------------------------------------------------


def test_one_working_day_over_a_weekend_and_a_holiday_in_thailand() -> None:
    policy = DEFAULT_POLICY.with_holidays("TH", ["2026-04-13"])  # Songkran, Monday
    friday = datetime(2026, 4, 10, 3, tzinfo=UTC)  # 10:00 in Bangkok
    case = opened(RequestType.REFUND_ONLY, region="TH", at=friday, currency="THB")
    (d,) = running_deadlines(case, policy)
    assert str(d.duration) == "1 working day"
    assert d.due == datetime(2026, 4, 14, 3, tzinfo=UTC)  # Tuesday 10:00 in Bangkok
    assert advance(case, datetime(2026, 4, 14, 2, 59, tzinfo=UTC), policy).state is State.REQUESTED
    approved = advance(case, datetime(2026, 4, 14, 3, tzinfo=UTC), policy)
    assert approved.state is State.REFUND_COMMITTED
    # without the host's holiday list Monday is a working day
    assert running_deadlines(case)[0].due == datetime(2026, 4, 13, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("approved_at", "due"),
    [
        # Saturday 10:00 PST -> Saturday 10:00 PDT two weeks on (spring forward on 8 March)
        (datetime(2026, 3, 7, 18, tzinfo=UTC), datetime(2026, 3, 21, 17, tzinfo=UTC)),
        # Friday 10:00 PDT -> Friday 10:00 PST two weeks on (fall back on 1 November)
        (datetime(2026, 10, 30, 17, tzinfo=UTC), datetime(2026, 11, 13, 18, tzinfo=UTC)),
    ],
)
def test_us_day_window_across_the_dst_change_keeps_the_local_time(
    approved_at: datetime, due: datetime
) -> None:
    case = opened(region="US", at=approved_at - 2 * H, currency="USD")
    case = apply(case, "approve", Actor.SELLER, approved_at)
    (d,) = running_deadlines(case)
    assert (d.window, str(d.duration)) == (Window.BUYER_SHIP_BACK, "14 calendar days")
    assert d.due == due
    assert advance(case, due - timedelta(seconds=1)).state is State.AWAITING_BUYER_SHIPMENT
    assert advance(case, due).history[-1].at == due


# --- nobody stuck forever -------------------------------------------------------------------


def test_with_every_party_silent_every_case_ends_except_arbitration_in_progress() -> None:
    far = 400 * D
    stuck: list[tuple[RequestType, State, Arbitration]] = []
    for kind in RequestType:
        lc = lifecycle(kind)
        for case in reachable_cases(kind).values():
            if case.state is State.NEW or case.state in lc.terminal:
                continue
            end = case
            for _ in range(len(lc.states)):
                assert end.last_event_at is not None
                end = advance(end, end.last_event_at + far)
            if end.state in lc.terminal:
                continue
            stuck.append((kind, end.state, end.arbitration))
            # the only wait no clock ends: arbitration, and only the operator moves it
            assert end.arbitration is Arbitration.IN_PROGRESS
            assert running_deadlines(end) == ()
            assert {a for e in allowed_events(end) for a in e.actors} == {Actor.OPERATOR}
            assert end.state not in lc.human_only or lc.human_only[end.state]
    assert stuck, "arbitration in progress is reachable and must be the named exception"
    assert {a for _k, _s, a in stuck} == {Arbitration.IN_PROGRESS}


# --- other request types and host regions ---------------------------------------------------


def test_us_buyer_cancellation_is_auto_approved_after_24_hours() -> None:
    case = opened(RequestType.BUYER_CANCELLATION, region="US", currency="USD")
    (d,) = running_deadlines(case)
    assert (d.window, d.due, d.target) == (
        Window.SELLER_CANCELLATION_RESPONSE,
        T0 + 24 * H,
        State.REFUND_COMMITTED,
    )
    assert advance(case, T0 + 24 * H).state is State.REFUND_COMMITTED


def test_us_replacement_is_auto_accepted_after_24_hours() -> None:
    case = opened(RequestType.EXCHANGE, region="US", currency="USD")
    accepted = advance(case, T0 + 24 * H)
    assert accepted.state is State.REPLACEMENT_CREATED
    assert accepted.effects[-1].kind.value == "create_replacement_order"


def test_a_host_region_with_its_own_weekend_counts_working_days() -> None:
    from tiktok_aftersales import Region

    riyadh = Region("SA", "Saudi Arabia", "Asia/Riyadh", "SAR", weekend=(5, 6))
    policy = DEFAULT_POLICY.with_window(region="SA", window="seller_response", duration="1wd")
    thursday = datetime(2026, 4, 9, 7, tzinfo=UTC)  # 10:00 in Riyadh
    case = open_case(
        RequestType.REFUND_ONLY,
        case_id="sa-1",
        order_id="sa-o-1",
        region=riyadh,
        lines=[OrderLine("L1", "SKU", Breakdown.of("50.00", "SAR"))],
        at=thursday,
    )
    assert running_deadlines(case, policy)[0].due == datetime(2026, 4, 12, 7, tzinfo=UTC)  # Sunday
