"""Reconciling local cases with platform snapshots: advance, stale, conflict, unmapped, new."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import T0, fresh, payload_for, reachable_cases, run
from tiktok_aftersales import (
    Actor,
    AfterSalesError,
    RequestType,
    State,
    allowed_events,
    apply,
)
from tiktok_aftersales.domain import Arbitration, Solution
from tiktok_aftersales.lifecycle import is_terminal, lifecycle
from tiktok_aftersales.platform import PlatformRecord, RecordSource
from tiktok_aftersales.sync import (
    Outcome,
    PlatformState,
    group_requests,
    open_from_snapshot,
    reconcile,
)

B, S, P, SYS, LOG = Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM, Actor.LOGISTICS


def Snap(
    platform_state: PlatformState | None,
    update_time: datetime | None,
    order_id: str = "577000000000000001",
    platform_id: str = "4035000000000000001",
    unmapped: tuple[str, ...] = (),
) -> PlatformRecord:
    """A minimal platform record, as the platform package would read it."""
    return PlatformRecord(
        RecordSource.RETURN,
        platform_id,
        order_id,
        None if platform_state is None else platform_state.request_type,
        frozenset() if platform_state is None else platform_state.states,
        None if platform_state is None else platform_state.arbitration,
        update_time=update_time,
        unmapped=unmapped,
    )


def snap(kind, *states, at=None, arbitration=None, **kw):
    return Snap(PlatformState(kind, frozenset(states), arbitration), at, **kw)


def requested(kind=RequestType.RETURN_AND_REFUND):
    return run(fresh(kind), ("request", B))


def test_a_poll_that_missed_steps_applies_the_shortest_legal_path():
    case = requested()
    later = T0 + timedelta(days=2)
    result = reconcile(
        case,
        snap(
            RequestType.RETURN_AND_REFUND, State.RETURN_IN_TRANSIT, State.RETURN_DELIVERED, at=later
        ),
    )
    assert result.outcome is Outcome.ADVANCED
    assert [s.event for s in result.path] == ["approve", "ship_back"]
    assert result.path[0].actor is SYS and S in result.path[0].actors
    assert result.case.state is State.RETURN_IN_TRANSIT
    assert result.case.history[-1].at == later
    assert result.changed and result.previous is case


def test_the_same_state_again_is_nothing_new():
    case = run(requested(), ("approve", S))
    result = reconcile(
        case,
        snap(
            RequestType.RETURN_AND_REFUND, State.AWAITING_BUYER_SHIPMENT, at=T0 + timedelta(days=1)
        ),
    )
    assert result.outcome is Outcome.NOTHING_NEW
    assert result.case is case and not result.changed


def test_an_older_snapshot_is_stale_and_ignored():
    case = run(requested(), ("approve", S), ("ship_back", B))
    result = reconcile(
        case, snap(RequestType.RETURN_AND_REFUND, State.REQUESTED, at=T0 - timedelta(hours=1))
    )
    assert result.outcome is Outcome.STALE
    assert result.case is case


def test_complete_going_back_to_pending_is_a_conflict_and_nothing_is_applied():
    case = run(requested(RequestType.REFUND_ONLY), ("approve", S), ("complete_refund", SYS))
    result = reconcile(
        case, snap(RequestType.REFUND_ONLY, State.REQUESTED, at=T0 + timedelta(days=3))
    )
    assert result.outcome is Outcome.CONFLICT
    assert result.case is case
    assert result.local_state is State.REFUNDED
    assert result.platform.states == {State.REQUESTED}
    assert "no legal path" in result.detail


def test_an_unmapped_value_marks_the_case_for_review_and_changes_nothing_else():
    case = requested()
    result = reconcile(case, Snap(None, T0 + timedelta(days=1), unmapped=("return_status",)))
    assert result.outcome is Outcome.UNMAPPED
    assert result.case.review and "return_status" in result.case.review
    assert result.case.state is case.state and result.case.history == case.history


def test_a_snapshot_for_an_unknown_request_opens_a_case_in_the_platform_state():
    s = snap(RequestType.RETURN_AND_REFUND, State.RECEIPT_REJECTED, at=T0 + timedelta(days=4))
    result = open_from_snapshot(
        s, case_id="new-1", region="US", lines=fresh(RequestType.REFUND_ONLY).lines
    )
    assert result.outcome is Outcome.NEW
    assert result.case.state is State.RECEIPT_REJECTED
    assert [x.event for x in result.case.history] == [
        "request",
        "approve",
        "ship_back",
        "parcel_delivered",
        "reject_receipt",
    ]
    assert result.case.platform_id == s.platform_id


def test_arbitration_in_a_snapshot_moves_the_arbitration_sub_state():
    case = run(requested(RequestType.REFUND_ONLY), ("reject", S))
    result = reconcile(
        case,
        snap(
            RequestType.REFUND_ONLY,
            State.REJECTED,
            at=T0 + timedelta(days=1),
            arbitration=Arbitration.IN_PROGRESS,
        ),
    )
    assert result.outcome is Outcome.ADVANCED
    assert [s.event for s in result.path] == ["dispute"]
    assert result.case.arbitration is Arbitration.IN_PROGRESS
    ruled = reconcile(
        result.case,
        snap(
            RequestType.REFUND_ONLY,
            State.REFUND_COMMITTED,
            at=T0 + timedelta(days=2),
            arbitration=Arbitration.SUPPORT_BUYER,
        ),
    )
    assert [s.event for s in ruled.path] == ["rule_for_buyer"]


def test_a_record_for_another_order_or_type_is_a_conflict_naming_both_values():
    case = requested()
    other_order = reconcile(
        case, snap(RequestType.RETURN_AND_REFUND, State.REJECTED, at=T0, order_id="x")
    )
    assert other_order.outcome is Outcome.CONFLICT and other_order.case is case
    assert "order x" in other_order.detail and case.order_id in other_order.detail
    other_type = reconcile(case, snap(RequestType.EXCHANGE, State.REJECTED, at=T0))
    assert other_type.outcome is Outcome.CONFLICT and other_type.case is case
    assert "exchange" in other_type.detail and "return_and_refund" in other_type.detail


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_pair_of_local_and_platform_state_is_advanced_or_a_conflict(kind):
    cases = reachable_cases(kind)
    later = T0 + timedelta(days=30)
    advanced = conflicts = 0
    for case in cases.values():
        if case.state is State.NEW:
            continue
        for state in lifecycle(kind).case_states:
            result = reconcile(case, snap(kind, state, at=later))
            if state is case.state:
                assert result.outcome is Outcome.NOTHING_NEW
            elif result.outcome is Outcome.ADVANCED:
                advanced += 1
                assert result.case.state is state
                assert len(result.case.history) == len(case.history) + len(result.path)
                assert all(h.at == later for h in result.case.history[len(case.history) :])
            else:
                conflicts += 1
                assert result.outcome is Outcome.CONFLICT
                assert result.case is case
                if is_terminal(case):
                    continue
                # A conflict from a live state means the target is behind it or needs
                # a payload the platform did not give (an offer's amount).
    assert advanced > 0 and conflicts > 0


def _snapshot_of(case, at):
    # The details a host learns from the platform's records (offer amounts, proposals).
    hints = {h.event: h.payload for h in case.history if h.payload}
    record = Snap(
        PlatformState(case.request_type, frozenset({case.state}), case.arbitration),
        at,
    )
    return record, hints


@settings(max_examples=80, deadline=None)
@given(data=st.data(), kind=st.sampled_from(list(RequestType)))
def test_snapshots_in_any_order_with_duplicates_and_drops_end_where_in_order_delivery_ends(
    data, kind
):
    case = fresh(kind)
    snapshots = []
    at = T0
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        options = [(a.event, actor) for a in allowed_events(case) for actor in a.actors]
        if not options:
            break
        event, actor = data.draw(st.sampled_from(options))
        solution = data.draw(st.sampled_from([Solution.RESHIPMENT, Solution.REPLACEMENT]))
        at = at + timedelta(hours=data.draw(st.integers(min_value=1, max_value=30)))
        try:
            case = apply(case, event, actor, at, payload_for(event, case, solution))
        except AfterSalesError:
            continue
        snapshots.append(_snapshot_of(case, at))
    if not snapshots:
        return
    final = case
    deliveries = data.draw(st.lists(st.sampled_from(snapshots), max_size=12))
    deliveries = [*data.draw(st.permutations(deliveries)), snapshots[-1]]
    first = final.history[0]
    local = apply(fresh(kind), first.event, first.actor, first.at, first.payload)
    for delivery, hints in deliveries:
        result = reconcile(local, delivery, payloads=hints)
        assert result.outcome is not Outcome.UNMAPPED
        local = result.case
    assert (local.state, local.arbitration) == (final.state, final.arbitration)


@attrs.frozen
class Rec:
    platform_id: str
    order_id: str
    create_time: datetime | None = None
    return_type: str = "RETURN_AND_REFUND"
    pre_return_id: str | None = None
    next_return_id: str | None = None
    combined_return_id: str | None = "0"


def test_an_edited_return_is_one_request_with_the_latest_id_current():
    # From the live capture: a REFUND edited into a RETURN_AND_REFUND on order 5796…891.
    first = Rec(
        "4035508291033729491",
        "579615191908583891",
        T0,
        "REFUND",
        next_return_id="4035508318941448659",
    )
    second = Rec(
        "4035508318941448659",
        "579615191908583891",
        T0 + timedelta(minutes=5),
        pre_return_id="4035508291033729491",
    )
    other = Rec("1", "another-order", T0)
    groups = group_requests([second, other, first])
    assert len(groups) == 2
    edited = next(g for g in groups if len(g.members) == 2)
    assert edited.members == ("4035508291033729491", "4035508318941448659")
    assert edited.latest == ("4035508318941448659",)
    assert edited.reasons == {"edit"}


def test_a_multi_sku_request_split_per_sku_is_one_request():
    parts = [Rec(str(i), "o-1", T0) for i in range(3)]
    later = Rec("9", "o-1", T0 + timedelta(days=2))
    groups = group_requests([*parts, later])
    assert sorted(len(g.members) for g in groups) == [1, 3]
    split = next(g for g in groups if len(g.members) == 3)
    assert split.reasons == {"split"} and split.latest == ("0", "1", "2")


def test_records_sharing_a_combined_return_id_are_one_request():
    a = Rec("a", "o-1", T0, combined_return_id="77")
    b = Rec("b", "o-1", T0 + timedelta(hours=1), combined_return_id="77")
    (group,) = group_requests([a, b])
    assert group.reasons == {"combined"}
