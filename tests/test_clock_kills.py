"""The clock's edges that a mutation run found untested: exact refusals, ties, UTC, the tables.

Each test names the behaviour it pins; docs/mutation.md lists what is left and why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from builders import T0, run
from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    Breakdown,
    InvalidValue,
    OrderLine,
    RequestType,
    State,
    Window,
    open_case,
)
from tiktok_aftersales.deadlines.clock import (
    advance,
    arbitration_table,
    due_events,
    next_deadline,
    running_deadlines,
    timeout_table,
    with_next_action_response,
    with_platform_deadline,
)
from tiktok_aftersales.deadlines.policy import CHANNEL_MANAGER_POLICY, WINDOW_ACTORS
from tiktok_aftersales.errors import NaiveDatetime
from tiktok_aftersales.lifecycle import LIFECYCLES

H = timedelta(hours=1)
PLUS_FIVE = timezone(timedelta(hours=5))


def opened(request_type: RequestType = RequestType.RETURN_AND_REFUND) -> AfterSalesCase:
    return open_case(
        request_type,
        case_id="c-1",
        order_id="o-1",
        region="GB",
        lines=[OrderLine("L1", "SKU-1", Breakdown.of("20.00", "GBP"))],
        at=T0,
    )


def refusal(call: object, *args: object) -> tuple[str, object, str]:
    with pytest.raises(InvalidValue) as err:
        call(*args)  # type: ignore[operator]
    return err.value.field, err.value.value, err.value.reason


# --- refusals name the field, the value and why ---------------------------------------------


@pytest.mark.parametrize("call", [running_deadlines, next_deadline])
def test_a_non_policy_is_refused_with_its_value_and_what_was_expected(call: object) -> None:
    field, value, reason = refusal(call, opened(), "strict")
    assert (field, value) == ("policy", "strict")
    assert reason == "a Policy (see tiktok_aftersales.deadlines.policy)"


def test_advance_and_due_events_name_the_naive_instant_at() -> None:
    naive = datetime(2026, 3, 3)
    for call in (advance, due_events):
        with pytest.raises(NaiveDatetime) as err:
            call(opened(), naive)  # type: ignore[operator]
        assert (err.value.field, err.value.value) == ("at", naive)


def test_a_boolean_deadline_is_refused_as_not_an_instant() -> None:
    assert refusal(with_platform_deadline, opened(), "SELLER_RESPOND_RETURN", True) == (
        "deadline",
        True,
        "unix seconds or a timezone-aware datetime",
    )


@pytest.mark.parametrize("seconds", [10**20, "99999999999999999999", float("nan")])
def test_unix_seconds_out_of_range_are_refused_naming_the_field(seconds: object) -> None:
    field, value, reason = refusal(
        with_platform_deadline, opened(), "SELLER_RESPOND_RETURN", seconds
    )
    assert (field, reason) == ("deadline", "unix seconds in range")
    if isinstance(seconds, str):
        assert value == int(seconds)
    elif isinstance(seconds, int):
        assert value == seconds


@pytest.mark.parametrize("action", ["", "   ", None])
def test_an_empty_action_is_refused_with_its_value(action: object) -> None:
    assert refusal(with_platform_deadline, opened(), action, T0) == (
        "action",
        action,
        "a non-empty action name",
    )


def test_a_platform_deadline_on_an_unopened_case_is_refused_naming_the_state() -> None:
    blank = attrs.evolve(opened(), history=())
    assert refusal(with_platform_deadline, blank, "SELLER_RESPOND_RETURN", T0) == (
        "case.state",
        blank.state.value,
        "the case is not opened yet",
    )


def test_next_action_entries_are_refused_naming_the_entry_and_the_reason() -> None:
    case = opened()
    good = {"action": "SELLER_RESPOND_RETURN", "deadline": 1760372800}
    assert refusal(with_next_action_response, case, [good, "x"]) == (
        "seller_next_action_response[1]",
        "x",
        "a mapping",
    )
    assert refusal(with_next_action_response, case, [{"action": " ", "deadline": 1}]) == (
        "seller_next_action_response[0].action",
        " ",
        "required",
    )
    field, value, _ = refusal(with_next_action_response, case, [good, {"action": "A"}])
    assert (field, value) == ("seller_next_action_response[1].deadline", None)


# --- instants are UTC; ties keep the first ----------------------------------------------------


def test_a_platform_deadline_is_kept_and_reported_in_utc() -> None:
    told = with_platform_deadline(
        opened(), "SELLER_RESPOND_RETURN", (T0 + 5 * H).astimezone(PLUS_FIVE)
    )
    assert told.platform_deadline is not None
    assert told.platform_deadline.deadline.tzinfo is UTC
    (d,) = running_deadlines(told)
    assert (d.due.tzinfo, d.started.tzinfo) == (UTC, UTC)
    assert (d.window, d.actor, d.target) == (
        Window.SELLER_RESPONSE,
        Actor.SELLER,
        State.AWAITING_BUYER_SHIPMENT,
    )
    assert (d.started, d.duration) == (T0, None)


def test_a_policy_deadline_reports_its_start_in_utc() -> None:
    case = open_case(
        RequestType.RETURN_AND_REFUND,
        case_id="c-1",
        order_id="o-1",
        region="GB",
        lines=[OrderLine("L1", "SKU-1", Breakdown.of("20.00", "GBP"))],
        at=T0.astimezone(PLUS_FIVE),
    )
    (d,) = running_deadlines(case)
    assert (d.source, d.started, d.started.tzinfo) == ("policy", T0, UTC)
    assert d.target is State.AWAITING_BUYER_SHIPMENT


@pytest.fixture
def host_zone_far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with a host local zone of UTC+05:30, so a slip into local time shows."""
    if not hasattr(time, "tzset"):
        pytest.skip("the host cannot switch its local zone")
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("host_zone_far_from_utc")
def test_deadlines_are_in_utc_whatever_the_host_zone() -> None:
    told = with_platform_deadline(opened(), "SELLER_RESPOND_RETURN", T0 + 5 * H)
    for case in (opened(), told):
        (d,) = running_deadlines(case)
        assert (d.due.utcoffset(), d.started.utcoffset()) == (timedelta(0), timedelta(0))


def test_of_two_next_actions_due_at_the_same_instant_the_first_listed_wins() -> None:
    at = int((T0 + 4 * H).timestamp())
    entries = [
        {"action": "SELLER_RESPOND_RETURN", "deadline": at},
        {"action": "SELLER_RESPOND_REFUND", "deadline": at},
    ]
    told = with_next_action_response(opened(), entries)
    assert told.platform_deadline is not None
    assert told.platform_deadline.action == "SELLER_RESPOND_RETURN"


def test_an_action_naming_a_window_closed_here_applies_to_the_open_seller_window() -> None:
    told = with_platform_deadline(opened(), "SELLER_RESPOND_RECEIVE_PACKAGE", T0 + 3 * H)
    (d,) = running_deadlines(told)
    assert (d.window, d.source, d.due) == (Window.SELLER_RESPONSE, "platform", T0 + 3 * H)


# --- next_deadline and due_events ----------------------------------------------------------


def test_next_deadline_is_the_earliest_running_one_under_the_policy_given() -> None:
    case = opened(RequestType.REFUND_ONLY)
    assert next_deadline(case) == running_deadlines(case)[0]
    assert (
        next_deadline(case, CHANNEL_MANAGER_POLICY)
        == running_deadlines(case, CHANNEL_MANAGER_POLICY)[0]
    )
    assert next_deadline(case) != next_deadline(case, CHANNEL_MANAGER_POLICY)
    closed = run(case, ("withdraw", Actor.BUYER))
    assert next_deadline(closed) is None


def test_due_events_use_the_policy_given() -> None:
    case = opened(RequestType.REFUND_ONLY)
    (d,) = running_deadlines(case, CHANNEL_MANAGER_POLICY)
    (default,) = running_deadlines(case)
    assert d.due != default.due
    at = min(d.due, default.due)
    assert due_events(case, at, CHANNEL_MANAGER_POLICY) == ((d,) if d.due == at else ())
    assert due_events(case, at) == ((default,) if default.due == at else ())


def test_nothing_is_due_or_fired_before_the_last_event_even_if_a_deadline_passed() -> None:
    told = with_platform_deadline(opened(), "SELLER_RESPOND_RETURN", T0 - 2 * H)
    assert due_events(told, T0 - H) == ()
    assert advance(told, T0 - H) is told


def test_a_deadline_due_by_the_last_event_is_due_and_fires_at_that_very_instant() -> None:
    for due in (T0 - 2 * H, T0):
        told = with_platform_deadline(opened(), "SELLER_RESPOND_RETURN", due)
        assert [d.due for d in due_events(told, T0)] == [due]
        moved = advance(told, T0, report=True)
        assert moved.case.state is State.AWAITING_BUYER_SHIPMENT
        assert moved.case.history[-1].at == T0
        assert [d.due for d in moved.fired][:1] == [due]


# --- the tables derived from the declaration --------------------------------------------------


def test_the_timeout_table_has_one_row_per_timeout_with_its_window_actor_and_target() -> None:
    rows = timeout_table()
    timeouts = [
        (kind, t)
        for kind, lc in LIFECYCLES.items()
        for t in lc.transitions
        if t.timeout is not None
    ]
    assert len(rows) == len(timeouts)
    for row, (kind, t) in zip(rows, timeouts, strict=True):
        assert t.timeout is not None
        assert (row.request_type, row.window, row.event, row.ref) == (
            kind.value,
            t.timeout.value,
            t.event,
            t.ref,
        )
        assert row.who == WINDOW_ACTORS[t.timeout].value
    ship_back = next(
        r for r in rows if (r.request_type, r.window) == ("return_and_refund", "buyer_ship_back")
    )
    assert (ship_back.waiting_in, ship_back.who, ship_back.target) == (
        "awaiting_buyer_shipment, return_label_issued",
        "buyer",
        "closed",
    )
    dispute = next(
        r for r in rows if (r.request_type, r.window) == ("return_and_refund", "buyer_dispute")
    )
    # the states waiting are listed in the declaration's order, not alphabetically
    assert dispute.waiting_in == "rejected, receipt_rejected"
    respond = rows[[r.request_type for r in rows].index("return_and_refund")]
    assert (respond.waiting_in, respond.window, respond.target) == (
        "requested",
        "seller_response",
        "awaiting_buyer_shipment",
    )


def test_the_arbitration_table_lists_each_disputable_rejection_and_its_outcomes() -> None:
    rows = {(r.request_type, r.rejected): r for r in arbitration_table()}
    assert set(rows) == {
        (kind.value, state.value)
        for kind, lc in LIFECYCLES.items()
        for state in lc.states
        if (state, "dispute") in lc.index
    }
    after_receipt = rows["return_and_refund", "receipt_rejected"]
    assert attrs.astuple(after_receipt)[2:] == ("refund_committed", "closed", "closed", "closed")
    before_shipping = rows["return_and_refund", "rejected"]
    assert before_shipping.for_buyer == "awaiting_buyer_shipment"
    assert rows["exchange", "rejected"].for_buyer == "replacement_created"
