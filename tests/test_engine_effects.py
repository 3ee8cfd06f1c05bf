"""What an event does to a case: its effects, its history entry, and what the case keeps.

Each effect is pinned field by field (kind, idempotency key, lines, amount, refund,
disposition) on both paths of `apply` and in `dry_run`; the seeds' rules are the
source: a refund before shipment releases stock, after shipment but before pickup
needs a manual stock-in, a request that ends without a refund lets a held order
ship (seed 000 Part II); a returned parcel is stocked in (seed 000 part 4); a
reshipment sends the missing items or a replacement (seed 001).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

from _engine import EX, LOG, OP, ORDER, RO, RR, SYS, B, S, requested, stamp
from builders import T0, fresh, run, usd_lines
from tiktok_aftersales import (
    InvalidValue,
    Money,
    OrderStage,
    Refund,
    RequestType,
    State,
    apply,
    dry_run,
    open_case,
)
from tiktok_aftersales.domain import (
    AbnormalReason,
    Arbitration,
    Disposition,
    Effect,
    EffectKind,
    Offer,
    PlatformDeadline,
    Solution,
)

# --- what an event does: effects, history, what the case keeps ------------------------------


def fire(case, event, actor, payload=None, at=None):
    """Apply on both paths and preview: all three must agree; return the new case."""
    at = at or (case.last_event_at or T0) + timedelta(minutes=1)
    fast = apply(case, event, actor, at, payload)
    slow = apply(case, event, actor, stamp(at), payload)
    preview = dry_run(case, event, actor, at, payload)
    assert slow == fast
    assert list(slow.history) == list(fast.history)
    assert (preview.state, preview.arbitration) == (fast.state, fast.arbitration)
    assert preview.effects == fast.effects[len(case.effects) :]
    return fast


def new_effects(before, after):
    assert after.effects[: len(before.effects)] == before.effects
    return after.effects[len(before.effects) :]


def _full(lines=None):
    return Refund.order(lines or usd_lines())


def test_a_request_on_an_order_not_shipped_holds_it_from_shipping():
    case = fresh(RO, OrderStage.NOT_SHIPPED)
    after = fire(case, "request", B, at=T0)
    assert new_effects(case, after) == (
        Effect(EffectKind.BLOCK_SHIPPING, "case-1/1/block_shipping", "case-1", ORDER),
    )
    assert after.shipping_blocked
    assert fire(fresh(RO), "request", B).effects == ()


def test_approving_a_held_refund_issues_it_and_releases_the_allocated_stock():
    case = requested(RO, OrderStage.NOT_SHIPPED)
    after = fire(case, "approve", S)
    full = _full()
    assert new_effects(case, after) == (
        Effect(
            EffectKind.ISSUE_REFUND,
            "case-1/2/issue_refund",
            "case-1",
            ORDER,
            ("L1", "L2"),
            amount=Money("34.40", "USD"),
            refund=full,
        ),
        Effect(EffectKind.RELEASE_STOCK, "case-1/2/release_stock", "case-1", ORDER, ("L1", "L2")),
    )
    assert after.refund == full and after.requested == full


def test_a_refund_after_shipment_before_pickup_needs_a_manual_stock_in():
    case = requested(RO, OrderStage.SHIPPED_NOT_PICKED_UP)
    after = fire(case, "approve", SYS)
    kinds = [e.kind for e in new_effects(case, after)]
    assert kinds == [EffectKind.ISSUE_REFUND, EffectKind.MANUAL_STOCK_IN]
    stock_in = new_effects(case, after)[1]
    assert (stock_in.key, stock_in.line_ids) == ("case-1/2/manual_stock_in", ("L1", "L2"))


def test_a_refund_of_one_line_of_a_held_order_releases_that_line_and_lets_the_rest_ship():
    lines = usd_lines()
    case = fire(
        fresh(RO, OrderStage.NOT_SHIPPED), "request", B, {"refund": Refund.line(lines, "L2")}
    )
    assert case.requested == Refund.line(lines, "L2")
    after = fire(case, "approve", S)
    issue, release, unblock = new_effects(case, after)
    assert (issue.kind, issue.line_ids, issue.amount) == (
        EffectKind.ISSUE_REFUND,
        ("L2",),
        Money("10.80", "USD"),
    )
    assert (release.kind, release.line_ids) == (EffectKind.RELEASE_STOCK, ("L2",))
    assert unblock == Effect(
        EffectKind.UNBLOCK_SHIPPING, "case-1/2/unblock_shipping", "case-1", ORDER
    )
    assert not after.shipping_blocked


def test_an_accepted_partial_offer_commits_the_offer_not_the_request():
    case = requested(RO, OrderStage.NOT_SHIPPED)
    offered = fire(case, "offer_partial_refund", S, {"amount": Money("5.00", "USD")})
    assert offered.offer.solution is Solution.PARTIAL_REFUND
    assert offered.offer.refund.total == Money("5.00", "USD")
    assert offered.refund is None and offered.requested == _full()
    after = fire(offered, "accept_offer", B)
    assert after.refund == offered.offer.refund and after.requested == _full()
    assert after.offer is None
    assert [(e.kind, e.amount) for e in new_effects(offered, after)] == [
        (EffectKind.ISSUE_REFUND, Money("5.00", "USD")),
        (EffectKind.UNBLOCK_SHIPPING, None),
    ]


def test_a_request_that_ends_without_a_refund_lets_a_held_order_ship():
    case = requested(RO, OrderStage.NOT_SHIPPED)
    after = fire(case, "withdraw", B)
    assert new_effects(case, after) == (
        Effect(EffectKind.UNBLOCK_SHIPPING, "case-1/2/unblock_shipping", "case-1", ORDER),
    )
    assert fire(requested(), "withdraw", B).effects == ()


@pytest.mark.parametrize(
    ("payload", "disposition"),
    [(None, Disposition.RESTOCK), ({"disposition": "damaged"}, Disposition.DAMAGED)],
)
def test_a_returned_parcel_is_stocked_in_as_its_disposition_says(payload, disposition):
    lines = usd_lines()
    opened = fire(fresh(RR), "request", B, {"refund": Refund.line(lines, "L1")})
    moving = run(opened, ("approve", S), ("ship_back", B))
    after = fire(moving, "parcel_delivered", LOG, payload)
    assert new_effects(moving, after) == (
        Effect(
            EffectKind.STOCK_IN,
            "case-1/4/stock_in",
            "case-1",
            ORDER,
            ("L1",),
            disposition=disposition,
        ),
    )


def test_an_abnormal_return_is_stocked_in_for_every_line():
    opened = fire(
        fresh(RequestType.ABNORMAL_RETURN), "detect_return", LOG, {"reason": "refused_delivery"}
    )
    after = fire(opened, "parcel_delivered", SYS)
    (stock_in,) = new_effects(opened, after)
    assert (stock_in.kind, stock_in.line_ids, stock_in.disposition) == (
        EffectKind.STOCK_IN,
        ("L1", "L2"),
        Disposition.RESTOCK,
    )
    assert opened.history[0].payload == {"reason": AbnormalReason.REFUSED_DELIVERY}


@pytest.mark.parametrize(
    ("payload", "kind", "lines"),
    [
        (None, EffectKind.SEND_MISSING_ITEMS, ("L1", "L2")),
        ({"mode": "replacement"}, EffectKind.CREATE_REPLACEMENT_ORDER, ("L1", "L2")),
        ({"line_ids": ["L2"]}, EffectKind.SEND_MISSING_ITEMS, ("L2",)),
        (
            {"mode": "replacement", "line_ids": ("L1",)},
            EffectKind.CREATE_REPLACEMENT_ORDER,
            ("L1",),
        ),
    ],
)
def test_a_reshipment_sends_what_its_mode_and_lines_say(payload, kind, lines):
    case = requested(RequestType.RESHIPMENT)
    after = fire(case, "reship", S, payload)
    assert new_effects(case, after) == (
        Effect(kind, f"case-1/2/{kind.value}", "case-1", ORDER, lines),
    )
    assert after.state is State.RESHIPPED


def test_a_replacement_covers_the_lines_requested():
    lines = usd_lines()
    case = fire(fresh(EX), "request", B, {"refund": Refund.line(lines, "L2")})
    after = fire(case, "approve", S)
    assert new_effects(case, after) == (
        Effect(
            EffectKind.CREATE_REPLACEMENT_ORDER,
            "case-1/2/create_replacement_order",
            "case-1",
            ORDER,
            ("L2",),
        ),
    )


def test_an_accepted_alternative_sends_what_was_offered():
    for solution, kind in [
        ("reshipment", EffectKind.SEND_MISSING_ITEMS),
        ("replacement", EffectKind.CREATE_REPLACEMENT_ORDER),
    ]:
        offered = fire(requested(RR), "propose_alternative", S, {"solution": solution})
        assert offered.offer == Offer(Solution(solution))
        after = fire(offered, "accept_offer", B)
        assert new_effects(offered, after) == (
            Effect(kind, f"case-1/3/{kind.value}", "case-1", ORDER, ("L1", "L2")),
        )
        assert after.refund is None


def test_an_event_appends_one_history_entry_and_bumps_the_version():
    case = requested()
    at = datetime(2026, 3, 2, 19, 30, tzinfo=timezone(timedelta(hours=8)))
    after = fire(case, "approve", S, {"note": "ok"}, at=at)
    assert after.version == case.version + 1
    assert len(after.history) == 2 and after.history[0] == case.history[0]
    last = after.history[-1]
    assert (last.seq, last.event, last.actor, last.state) == (
        2,
        "approve",
        S,
        State.REFUND_COMMITTED,
    )
    assert last.at == at and last.payload == {"note": "ok"}
    assert after.last_event_at == at and after.entered_at == at
    assert after.opened_at == case.opened_at


def test_an_empty_payload_is_recorded_as_none_and_a_converted_one_as_converted():
    assert fire(requested(), "approve", S, {}).history[-1].payload is None
    offered = fire(requested(), "offer_partial_refund", S, {"amount": Money("5.00", "USD")})
    assert offered.history[-1].payload == {"amount": offered.offer.refund}


def test_a_dispute_keeps_the_state_and_hands_the_case_to_the_operator():
    rejected = run(requested(), ("reject", S))
    after = fire(rejected, "dispute", B)
    assert (after.state, after.arbitration) == (State.REJECTED, Arbitration.IN_PROGRESS)
    assert after.history[-1].state is State.REJECTED
    assert after.entered_at == rejected.entered_at
    ruled = fire(after, "rule_for_seller", OP)
    assert (ruled.state, ruled.arbitration) == (State.CLOSED, Arbitration.SUPPORT_SELLER)


def test_what_the_host_and_sync_noted_on_the_case_survives_an_event():
    case = attrs.evolve(
        requested(RO, OrderStage.NOT_SHIPPED),
        review="amount differs",
        platform_time=T0,
        effects_done=frozenset({"case-1/1/block_shipping"}),
        platform_id="4035",
    )
    after = fire(case, "approve", S)
    assert (after.review, after.platform_time, after.platform_id) == ("amount differs", T0, "4035")
    assert after.effects_done == frozenset({"case-1/1/block_shipping"})
    assert [e.kind for e in after.pending_effects] == [
        EffectKind.ISSUE_REFUND,
        EffectKind.RELEASE_STOCK,
    ]
    assert (after.case_id, after.order_id, after.region, after.lines, after.order_stage) == (
        case.case_id,
        case.order_id,
        case.region,
        case.lines,
        case.order_stage,
    )


def test_a_platform_deadline_lasts_only_while_the_case_stays_in_its_state():
    rejected = run(requested(), ("reject", S))
    deadline = PlatformDeadline(State.REJECTED, "respond", T0 + timedelta(days=3))
    noted = attrs.evolve(rejected, platform_deadline=deadline)
    assert fire(noted, "dispute", B).platform_deadline == deadline
    assert fire(noted, "withdraw", B).platform_deadline is None


def test_the_request_is_set_when_the_case_opens_and_kept_afterwards():
    opened = fire(fresh(RO), "request", B, {"refund": Money("3.00", "USD")})
    assert opened.requested.total == Money("3.00", "USD")
    assert opened.refund is None
    assert fire(opened, "approve", S).requested == opened.requested
    assert fire(opened, "approve", S).refund == opened.requested
    assert fire(fresh(RO), "request", B).requested == _full()
    assert fire(opened, "reject", S).requested == opened.requested


def test_an_event_keeps_the_newest_platform_time_sync_saw_on_every_path():
    # Sync orders platform records by ``platform_time`` (docs/sync.md): an event the
    # host applies must not forget it, or a stale record would no longer look stale.
    seen = T0 + timedelta(minutes=30)
    case = attrs.evolve(requested(), platform_time=seen)
    at = T0 + timedelta(hours=1)
    assert apply(case, "approve", S, at).platform_time == seen
    assert apply(case, "approve", S, stamp(at)).platform_time == seen
    assert apply(case, "reject", S, at).platform_time == seen


# --- opening a case in one step -------------------------------------------------------------


def _open(kind, **kwargs):
    args = {"case_id": "case-1", "order_id": ORDER, "region": "US", "lines": usd_lines(), "at": T0}
    return open_case(kind, **{**args, **kwargs})


@pytest.mark.parametrize(
    ("kind", "payload", "event", "actor", "state"),
    [
        (RO, None, "request", B, State.REQUESTED),
        (RequestType.SELLER_REFUND, {"refund": Money("5.00", "USD")}, "initiate_refund", S, None),
        (RequestType.ABNORMAL_RETURN, {"reason": "platform_recall"}, "detect_return", LOG, None),
        (RequestType.RMA, None, "create_rma", SYS, State.AWAITING_BUYER_SHIPMENT),
        (RequestType.SELLER_APPEAL, None, "platform_refund", SYS, State.APPEAL_WINDOW),
        (RequestType.BUYER_CANCELLATION, None, "request", B, State.REQUESTED),
    ],
)
def test_a_case_opens_with_its_types_first_opening_by_the_first_actor_it_allows(
    kind, payload, event, actor, state
):
    case = _open(kind, payload=payload)
    first = case.history[0]
    assert (first.seq, first.event, first.actor, first.at) == (1, event, actor, T0)
    if state is not None:
        assert case.state is state
    assert case.version == 1 and case.opened_at == T0


def test_a_direct_cancellation_opens_as_the_seller_and_commits_the_refund_at_once():
    case = _open(RequestType.BUYER_CANCELLATION, event="cancel_order", order_stage="not_shipped")
    assert (case.history[0].event, case.history[0].actor) == ("cancel_order", S)
    assert case.state is State.REFUND_COMMITTED
    assert case.refund == Refund.order(usd_lines())
    assert [e.kind for e in case.effects] == [EffectKind.ISSUE_REFUND, EffectKind.RELEASE_STOCK]


def test_an_opening_by_the_platform_names_the_system_before_the_operator():
    case = _open(RequestType.SELLER_APPEAL, actor=None)
    assert case.history[0].actor is SYS
    by_operator = _open(RequestType.SELLER_APPEAL, actor="operator")
    assert by_operator.history[0].actor is OP


def test_an_event_that_does_not_open_the_type_is_refused_listing_the_openings():
    for kind, event, openings in [
        (RO, "approve", "request"),
        (RequestType.BUYER_CANCELLATION, "approve", "request, cancel_order"),
    ]:
        with pytest.raises(InvalidValue) as err:
            _open(kind, event=event)
        e = err.value
        assert type(e) is InvalidValue
        assert (e.field, e.value) == ("event", event)
        assert e.reason == f"opening events: {openings}"


def test_an_opened_case_carries_its_platform_id_stage_and_request():
    case = _open(
        EX,
        platform_id="4035123",
        order_stage=OrderStage.IN_TRANSIT,
        region="id",
        payload={"refund": Refund.line(usd_lines(), "L1")},
    )
    assert (case.platform_id, case.order_stage, case.region.code) == (
        "4035123",
        OrderStage.IN_TRANSIT,
        "ID",
    )
    assert case.requested == Refund.line(usd_lines(), "L1")
    assert (case.request_type, case.state, case.case_id) == (EX, State.REQUESTED, "case-1")
