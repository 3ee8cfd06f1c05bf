"""The engine's contract, edge by edge: exact refusals, effects, history and guards.

Each test names a behaviour the declaration (``lifecycle/table.py``) or the seeds
ask for and pins it exactly: the error's type, fields and message, every field
of an effect, the history entry, the version. They were written against the
survivors of a mutation run of ``lifecycle/engine.py`` (``docs/mutation.md``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from _engine import H1, LOG, OP, RO, RR, SYS, B, NoOffset, S, requested, stamp
from builders import fresh, run
from tiktok_aftersales import (
    InvalidTransition,
    InvalidValue,
    Money,
    RequestType,
    State,
    apply,
    dry_run,
)
from tiktok_aftersales.domain import (
    Arbitration,
    Offer,
    Solution,
)
from tiktok_aftersales.errors import (
    ArbitrationInProgress,
    EventOutOfOrder,
    GuardRejected,
    NaiveDatetime,
    UnknownEvent,
)
from tiktok_aftersales.lifecycle import (
    LIFECYCLES,
    allowed_events,
    can_fire,
    choose_transition,
    is_terminal,
    lifecycle,
    refusal_code,
)
from tiktok_aftersales.lifecycle import predicates as P
from tiktok_aftersales.lifecycle.engine import admits

_IN_ARBITRATION = "request has been transferred to platform operator (arbitration in progress)"


def in_arbitration(kind: RequestType = RO):
    return run(requested(kind), ("reject", S), ("dispute", B))


def pairs(case):
    return tuple((a.event, a.actors) for a in allowed_events(case))


# --- the lifecycle of a type --------------------------------------------------------------


def test_the_lifecycle_of_a_type_is_its_declaration_by_member_or_name():
    for kind in RequestType:
        assert lifecycle(kind) is LIFECYCLES[kind]
        assert lifecycle(kind.value) is LIFECYCLES[kind]


def test_an_unknown_type_has_no_lifecycle_and_the_error_lists_the_types():
    with pytest.raises(InvalidValue) as err:
        lifecycle("refund")
    e = err.value
    assert (e.field, e.value) == ("request_type", "refund")
    assert e.reason == "one of " + ", ".join(k.value for k in RequestType)


def test_terminal_states_are_the_declared_final_ones():
    assert is_terminal(run(requested(), ("withdraw", B)))
    assert not is_terminal(requested())
    assert not is_terminal(fresh(RO))
    refunded = run(requested(), ("approve", S), ("complete_refund", SYS))
    assert refunded.state is State.REFUNDED and is_terminal(refunded)


# --- who fires it, and when ---------------------------------------------------------------


@pytest.mark.parametrize("actor", [7, None, ["seller"], "merchant", "SELLER"], ids=repr)
def test_an_unknown_actor_is_refused_listing_the_actors(actor):
    for call in (
        lambda: apply(requested(), "approve", actor, H1),
        lambda: apply(requested(), "approve", actor, stamp(H1)),
        lambda: dry_run(requested(), "approve", actor, H1),
        lambda: choose_transition(requested(), "approve", actor),
        lambda: can_fire(requested(), "approve", actor),
        lambda: allowed_events(requested(), actor if actor is not None else "robot"),
    ):
        with pytest.raises(InvalidValue) as err:
            call()
        e = err.value
        assert type(e) is InvalidValue
        assert (e.field, e.value) in [("actor", actor), ("actor", "robot")]
        assert e.reason == "one of buyer, seller, operator, system, logistics"


def test_an_actor_given_by_its_value_is_the_actor():
    after = apply(requested(), "approve", "seller", stamp(H1))
    assert after.history[-1].actor is S
    assert dry_run(requested(), "approve", "system", H1).state is State.REFUND_COMMITTED


@pytest.mark.parametrize("at", [None, "2026-03-02T10:00:00Z", 1_772_445_600, H1.date()], ids=repr)
def test_a_time_that_is_not_a_datetime_is_refused_on_every_path(at):
    for call in (
        lambda: apply(requested(), "approve", S, at),
        lambda: dry_run(requested(), "approve", S, at),
    ):
        with pytest.raises(InvalidValue) as err:
            call()
        e = err.value
        assert type(e) is InvalidValue
        assert (e.field, e.value, e.reason) == ("at", at, "a timezone-aware datetime")


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 10, tzinfo=NoOffset())],
    ids=["naive", "zone-without-offset"],
)
def test_a_time_without_an_offset_is_refused_as_naive_on_every_path(at):
    for call in (
        lambda: apply(requested(), "approve", S, at),
        lambda: apply(requested(), "approve", S, stamp(at)),
        lambda: dry_run(requested(), "approve", S, at),
    ):
        with pytest.raises(NaiveDatetime) as err:
            call()
        assert err.value.field == "at"
        assert err.value.value == at


def test_an_event_earlier_than_the_last_is_refused_naming_both_times():
    case = run(requested(), ("reject", S))
    last = case.last_event_at
    early = last - timedelta(seconds=1)
    for call in (
        lambda: apply(case, "dispute", B, early),
        lambda: apply(case, "dispute", B, stamp(early)),
        lambda: dry_run(case, "dispute", B, early),
    ):
        with pytest.raises(EventOutOfOrder) as err:
            call()
        e = err.value
        assert (e.field, e.value, e.last) == ("at", early, last)
        assert e.reason == f"earlier than the last event in the history ({last})"


def test_an_event_at_the_same_instant_as_the_last_is_in_order():
    case = run(requested(), ("reject", S))
    last = case.last_event_at
    assert apply(case, "dispute", B, last).history[-1].at == last
    assert apply(case, "dispute", B, stamp(last)).history[-1].at == last
    assert dry_run(case, "dispute", B, last).arbitration is Arbitration.IN_PROGRESS


def test_the_order_of_events_is_checked_before_the_transition():
    case = run(requested(), ("reject", S))
    early = case.last_event_at - timedelta(hours=1)
    with pytest.raises(EventOutOfOrder):
        dry_run(case, "approve", S, early)
    with pytest.raises(EventOutOfOrder):
        apply(case, "approve", "seller", stamp(early))


@pytest.mark.parametrize("payload", ["approve", 7, ["buyer_keep_item"]], ids=repr)
def test_a_payload_that_is_not_a_mapping_is_refused_before_any_guard(payload):
    case = requested(RR)
    for call in (
        lambda: choose_transition(case, "approve", S, payload),
        lambda: can_fire(case, "approve", S, payload),
        lambda: dry_run(case, "approve", S, H1, payload),
        lambda: apply(case, "approve", S, H1, payload),
    ):
        with pytest.raises(InvalidValue) as err:
            call()
        e = err.value
        assert (e.field, e.value) == ("payload", payload)
        assert e.reason == "a mapping of field names to values"


def test_an_unknown_event_is_refused_by_name_on_every_path():
    for call in (
        lambda: apply(requested(), "approv", S, H1),
        lambda: apply(requested(), "approv", S, stamp(H1)),
        lambda: dry_run(requested(), "approv", S, H1),
        lambda: choose_transition(requested(), "approv", S),
    ):
        with pytest.raises(UnknownEvent) as err:
            call()
        assert (err.value.field, err.value.value) == ("event", "approv")
    assert not can_fire(requested(), "approv", S)


# --- choosing the transition, and why one is refused ------------------------------------


def test_checks_are_made_actor_first_then_arbitration_then_guard():
    case = requested(RR)
    keep, plain = LIFECYCLES[RR].index[(State.REQUESTED, "approve")]
    assert keep.guard is P.BUYER_KEEPS_ITEM and plain.guard is None
    assert admits(keep, case, B, {"buyer_keep_item": True}) == "actor"
    assert admits(keep, case, S, {}) == "guard"
    assert admits(keep, case, S, {"buyer_keep_item": True}) is None
    assert admits(plain, case, S, {}) is None
    disputed = attrs.evolve(case, arbitration=Arbitration.IN_PROGRESS)
    assert admits(keep, disputed, S, {}) == "arbitration"
    assert admits(keep, disputed, B, {}) == "actor"


def test_the_first_admitted_candidate_wins_and_the_guard_reads_the_payload():
    case = requested(RR)
    keep, plain = LIFECYCLES[RR].index[(State.REQUESTED, "approve")]
    assert choose_transition(case, "approve", S, {"buyer_keep_item": True}) is keep
    assert choose_transition(case, "approve", S, {"buyer_keep_item": False}) is plain
    assert choose_transition(case, "approve", S) is plain
    assert choose_transition(case, "approve", SYS, {"buyer_keep_item": True}) is plain
    assert can_fire(case, "approve", S, {"buyer_keep_item": True})


def test_a_false_guard_is_refused_naming_the_guard_and_what_it_means():
    case = run(requested(RR), ("propose_alternative", S, {"solution": "reshipment"}))
    stale = attrs.evolve(case, offer=None)
    for call in (
        lambda: choose_transition(stale, "accept_offer", B),
        lambda: dry_run(stale, "accept_offer", B, H1),
        lambda: apply(stale, "accept_offer", B, H1),
    ):
        with pytest.raises(GuardRejected) as err:
            call()
        e = err.value
        assert (e.request_type, e.state, e.event, e.actor) == (
            RR,
            State.AWAITING_BUYER_RESPONSE,
            "accept_offer",
            B,
        )
        assert e.reason == (
            "guard 'offer_is_partial_refund' is false (the pending offer is a partial refund)"
        )
        assert e.allowed == pairs(stale)
        assert e.platform_code is None
    assert not can_fire(stale, "accept_offer", B)


def test_an_actor_who_may_not_fire_is_told_who_may():
    for call in (
        lambda: choose_transition(requested(), "approve", B),
        lambda: apply(requested(), "approve", B, H1),
        lambda: dry_run(requested(), "approve", B, H1),
    ):
        with pytest.raises(InvalidTransition) as err:
            call()
        e = err.value
        assert type(e) is InvalidTransition
        assert (e.request_type, e.state, e.event, e.actor) == (RO, State.REQUESTED, "approve", B)
        assert e.reason == "only operator/seller/system may fire it"
        assert e.allowed == pairs(requested())
        assert str(e).startswith("refund_only: event ")
        assert str(e).endswith(
            " by buyer refused in state requested: "
            "only operator/seller/system may fire it. Allowed now: approve by operator/seller/"
            "system; reject by seller; offer_partial_refund by seller; withdraw by buyer"
        )


def test_an_event_not_declared_in_the_state_is_refused_with_what_is_allowed():
    for actor in (B, S, OP):
        with pytest.raises(InvalidTransition) as err:
            choose_transition(requested(), "confirm_receipt", actor)
        e = err.value
        assert type(e) is InvalidTransition
        assert (e.request_type, e.state, e.event, e.actor) == (
            RO,
            State.REQUESTED,
            "confirm_receipt",
            actor,
        )
        assert e.reason == "not allowed in this state"
        assert e.allowed == pairs(requested())


@pytest.mark.parametrize(
    ("event", "actor"), [("close", SYS), ("approve", S), ("rule_for_buyer", B), ("withdraw", B)]
)
def test_during_arbitration_any_non_operator_event_is_the_platforms_25011010(event, actor):
    case = in_arbitration()
    for call in (
        lambda: choose_transition(case, event, actor),
        lambda: apply(case, event, actor, H1),
        lambda: apply(case, event, actor.value, stamp(H1)),
        lambda: dry_run(case, event, actor, H1),
    ):
        with pytest.raises(ArbitrationInProgress) as err:
            call()
        e = err.value
        assert (e.request_type, e.state, e.event, e.actor) == (RO, State.REJECTED, event, actor)
        assert e.reason == _IN_ARBITRATION
        assert e.allowed == pairs(case)
        assert e.platform_code == 25011010
        assert refusal_code(case, event, e) == 25011010
    assert not can_fire(case, event, actor)


def test_during_arbitration_the_operator_is_refused_like_anyone_outside_it():
    case = in_arbitration()
    with pytest.raises(InvalidTransition) as err:
        choose_transition(case, "approve", OP)
    assert type(err.value) is InvalidTransition
    assert err.value.reason == "not allowed in this state"
    with pytest.raises(InvalidTransition) as err:
        choose_transition(case, "dispute", OP)
    assert type(err.value) is InvalidTransition
    assert err.value.reason == "only buyer may fire it"
    assert err.value.allowed == pairs(case)
    with pytest.raises(InvalidTransition) as err:
        choose_transition(case, "close", OP)
    assert type(err.value) is InvalidTransition
    assert err.value.reason == "only system may fire it"


@pytest.mark.parametrize("event", ["rule_for_buyer", "rule_for_seller", "close_arbitration"])
def test_an_arbitration_only_event_outside_arbitration_says_so(event):
    case = run(requested(), ("reject", S))
    for call in (
        lambda: choose_transition(case, event, OP),
        lambda: apply(case, event, OP, H1),
        lambda: dry_run(case, event, OP, H1),
    ):
        with pytest.raises(InvalidTransition) as err:
            call()
        e = err.value
        assert type(e) is InvalidTransition
        assert (e.request_type, e.state, e.event, e.actor) == (RO, State.REJECTED, event, OP)
        assert e.reason == "not allowed while arbitration is none"
        assert e.allowed == pairs(case)


def test_a_dispute_already_ruled_for_the_seller_cannot_be_raised_again():
    case = attrs.evolve(run(requested(), ("reject", S)), arbitration=Arbitration.SUPPORT_SELLER)
    with pytest.raises(InvalidTransition) as err:
        choose_transition(case, "dispute", B)
    assert type(err.value) is InvalidTransition
    assert err.value.reason == "not allowed while arbitration is support_seller"
    assert err.value.allowed == (("withdraw", (B,)),)


def test_a_second_dispute_while_the_operator_decides_is_the_platforms_25011010():
    case = in_arbitration()
    with pytest.raises(ArbitrationInProgress) as err:
        choose_transition(case, "dispute", B)
    assert err.value.reason == _IN_ARBITRATION
    assert (err.value.state, err.value.event, err.value.actor) == (State.REJECTED, "dispute", B)


def test_the_operator_rules_while_arbitration_is_in_progress():
    case = in_arbitration()
    t = choose_transition(case, "rule_for_buyer", OP)
    assert t.dest is State.REFUND_COMMITTED and t.arbitration_to is Arbitration.SUPPORT_BUYER
    after = apply(case, "rule_for_buyer", OP, stamp(H1))
    assert (after.state, after.arbitration) == (State.REFUND_COMMITTED, Arbitration.SUPPORT_BUYER)


# --- the platform's refusal codes -----------------------------------------------------------


def _refusal(case, event, actor=S):
    with pytest.raises(InvalidTransition) as err:
        choose_transition(case, event, actor)
    return refusal_code(case, event, err.value)


def test_rejecting_a_request_already_approved_is_25020010_else_25011011():
    committed = run(requested(), ("approve", S))
    assert _refusal(committed, "reject") == 25020010
    assert _refusal(run(requested(), ("reject", S)), "reject") == 25011011
    shipping = run(requested(RR), ("approve", S))
    assert shipping.state is State.AWAITING_BUYER_SHIPMENT
    assert _refusal(shipping, "reject") == 25020010


def test_a_request_closed_after_its_approval_is_not_reported_as_approved():
    closed = run(requested(RR), ("approve", S), ("close", SYS))
    assert closed.state is State.CLOSED
    assert _refusal(closed, "reject") == 25011011


def test_confirming_a_receipt_twice_is_25020011_and_too_early_25011013():
    delivered = run(requested(RR), ("approve", S), ("ship_back", B), ("parcel_delivered", LOG))
    confirmed = run(delivered, ("confirm_receipt", S))
    assert _refusal(confirmed, "confirm_receipt") == 25020011
    assert _refusal(requested(RR), "confirm_receipt") == 25011013


def test_an_event_the_type_does_not_have_is_25020004_and_a_withdrawn_request_25020009():
    assert _refusal(requested(), "ship_back", B) == 25020004
    withdrawn = run(requested(), ("withdraw", B))
    assert _refusal(withdrawn, "approve") == 25020009
    assert _refusal(withdrawn, "reject") == 25020009


def test_other_refusals_are_the_events_own_code_or_the_platforms_default():
    committed = run(requested(), ("approve", S))
    assert _refusal(committed, "approve") == 25011012
    assert _refusal(committed, "offer_partial_refund") == 25011032
    assert _refusal(committed, "withdraw", B) == 25020003


# --- the buttons: allowed events --------------------------------------------------------


def test_the_events_allowed_are_listed_in_declaration_order_with_sorted_actors():
    assert pairs(requested()) == (
        ("approve", (OP, S, SYS)),
        ("reject", (S,)),
        ("offer_partial_refund", (S,)),
        ("withdraw", (B,)),
    )
    assert [a.timeout for a in allowed_events(requested())] == [
        "seller_response",
        None,
        None,
        None,
    ]


def test_the_events_allowed_to_one_actor_name_only_that_actor():
    assert allowed_events(requested(), S) == tuple(
        attrs.evolve(a, actors=(S,)) for a in allowed_events(requested()) if S in a.actors
    )
    assert [(a.event, a.actors) for a in allowed_events(requested(), "buyer")] == [
        ("withdraw", (B,))
    ]
    assert allowed_events(requested(), LOG) == ()


def test_a_guard_on_the_payload_is_listed_and_merged_with_the_unguarded_approval():
    approve = allowed_events(requested(RR))[0]
    assert (approve.event, approve.actors, approve.timeout) == (
        "approve",
        (S, OP, SYS),
        "seller_response",
    )
    assert [a.event for a in allowed_events(requested(RR), S)] == [
        "approve",
        "reject",
        "offer_partial_refund",
        "propose_alternative",
    ]


def test_an_offer_can_be_accepted_only_as_what_it_offers():
    partial = run(requested(RR), ("offer_partial_refund", S, {"amount": Money("5.00", "USD")}))
    assert pairs(partial) == (
        ("accept_offer", (B,)),
        ("decline_offer", (B,)),
        ("close", (SYS,)),
        ("withdraw", (B,)),
    )
    assert [a.timeout for a in allowed_events(partial)] == [
        None,
        None,
        "buyer_offer_response",
        None,
    ]
    assert [a.event for a in allowed_events(attrs.evolve(partial, offer=None))] == [
        "decline_offer",
        "close",
        "withdraw",
    ]
    assert can_fire(partial, "accept_offer", B)
    assert not can_fire(attrs.evolve(partial, offer=Offer(Solution.REPLACEMENT)), "approve", S)


def test_while_the_operator_decides_only_the_rulings_are_allowed():
    assert pairs(in_arbitration(RR)) == (
        ("rule_for_seller", (OP,)),
        ("close_arbitration", (OP,)),
        ("rule_for_buyer", (OP,)),
    )
    assert allowed_events(in_arbitration(RR), B) == ()
    assert [a.timeout for a in allowed_events(in_arbitration(RR))] == [None, None, None]


def test_a_rejection_can_be_disputed_withdrawn_or_closed_by_the_clock():
    rejected = run(requested(), ("reject", S))
    assert pairs(rejected) == (
        ("withdraw", (B,)),
        ("dispute", (B,)),
        ("close", (SYS,)),
    )
    assert allowed_events(rejected)[2].timeout == "buyer_dispute"


def test_an_event_out_of_order_names_the_last_event_of_a_long_history():
    case = run(
        requested(),
        ("offer_partial_refund", S, {"amount": Money("5.00", "USD")}),
        ("decline_offer", B),
        ("reject", S),
    )
    last = case.last_event_at
    assert len(case.history) == 4 and case.history[1].at != last
    early = last - timedelta(seconds=30)
    for call in (
        lambda: apply(case, "dispute", B, early),
        lambda: apply(case, "dispute", B, stamp(early)),
        lambda: dry_run(case, "dispute", B, early),
    ):
        with pytest.raises(EventOutOfOrder) as err:
            call()
        assert (err.value.value, err.value.last) == (early, last)


@pytest.mark.parametrize(
    ("kind", "event", "payload", "field"),
    [
        (RR, "approve", {"buyer_keep_item": "yes"}, "payload.buyer_keep_item"),
        (RO, "approve", {"note": 7}, "payload.note"),
        (RO, "withdraw", {1: "x"}, "payload"),
    ],
)
def test_a_preview_validates_the_payload_like_apply(kind, event, payload, field):
    case = requested(kind)
    for call in (
        lambda: dry_run(case, event, S if event == "approve" else B, H1, payload),
        lambda: apply(case, event, S if event == "approve" else B, H1, payload),
        lambda: apply(case, event, S if event == "approve" else B, stamp(H1), payload),
    ):
        with pytest.raises(InvalidValue) as err:
            call()
        assert err.value.field == field


@pytest.mark.parametrize("event", [["approve"], {"event": "approve"}, 7, None], ids=repr)
def test_an_event_that_is_no_name_is_an_unknown_event_on_every_path(event):
    for call in (
        lambda: apply(requested(), event, S, H1),
        lambda: apply(requested(), event, S, stamp(H1)),
        lambda: dry_run(requested(), event, S, H1),
    ):
        with pytest.raises(UnknownEvent) as err:
            call()
        assert (err.value.field, err.value.value) == ("event", event)
    assert not can_fire(requested(), event, S)
