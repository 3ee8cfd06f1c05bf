"""The outside vocabularies: total, derived, and true to the reference and the seeds."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import T0, fresh, reachable_cases, run, usd_lines
from tiktok_aftersales import (
    Actor,
    OrderStage,
    RequestType,
    ReturnStatus,
    State,
    open_case,
)
from tiktok_aftersales.codes import (
    AFTERSALES_STATUS,
    ALL_CANONICAL,
    ARBITRATION,
    CANCEL_STATUS,
    CANCEL_TYPE,
    CHANNEL_LABEL,
    DECISION,
    ERP_LABEL,
    ERP_RETURN_STATUS,
    GRID_FILTER,
    GRID_TAB,
    LEGACY_EVENT_TYPE,
    LEGACY_STATUS,
    LEGACY_TYPE,
    LEGACY_USER,
    OUTBOUND,
    RETURN_STATUS,
    RETURN_TYPE,
    RMA_STATUS,
    ROLE,
    SELLER_ACTION,
    SELLER_CENTRE_TAG,
    TAB_OF_LEGACY,
    VOCABULARIES,
    CancelStatusCode,
    CancelTypeCode,
    Canonical,
    ChannelLabel,
    DecisionCode,
    ErpLabel,
    GridFilter,
    GridTab,
    LegacyStatus,
    LegacyType,
    ReturnStatusCode,
    RoleCode,
    SellerCentreTag,
    UnknownCode,
    canonical,
    explain_value,
    grid_tab,
    seller_events,
    tab_counts,
    views,
)
from tiktok_aftersales.domain import AbnormalReason, Arbitration
from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.lifecycle import LIFECYCLES

R = RequestType
S = State

EVERY_CASE_STATE = {(kind, state) for kind, lc in LIFECYCLES.items() for state in lc.case_states}
STATE_VOCABULARIES = [
    RETURN_STATUS,
    AFTERSALES_STATUS,
    RMA_STATUS,
    CANCEL_STATUS,
    SELLER_ACTION,
    LEGACY_STATUS,
    GRID_TAB,
    ERP_LABEL,
    CHANNEL_LABEL,
]
OPENINGS = {(kind, opening) for kind, lc in LIFECYCLES.items() for opening in lc.openings}


def key(kind: RequestType, state: State) -> Canonical:
    return Canonical(kind, state)


# --- totality ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vocab", STATE_VOCABULARIES, ids=lambda v: v.name)
def test_every_declared_type_and_state_has_exactly_one_entry(vocab):
    keys = {(k.request_type, k.state) for k in vocab.table}
    assert keys == EVERY_CASE_STATE, (
        f"{vocab.name}: missing {sorted(EVERY_CASE_STATE - keys)}, "
        f"extra {sorted(keys - EVERY_CASE_STATE)}"
    )


def test_all_canonical_is_every_declared_case_state():
    assert {(k.request_type, k.state) for k in ALL_CANONICAL} == EVERY_CASE_STATE
    assert len(ALL_CANONICAL) == len(EVERY_CASE_STATE)


@pytest.mark.parametrize(
    ("vocab", "keys"),
    [
        (RETURN_TYPE, set(RequestType)),
        (GRID_FILTER, set(RequestType)),
        (SELLER_CENTRE_TAG, set(RequestType)),
        (ROLE, set(Actor)),
        (LEGACY_USER, set(Actor)),
        (ARBITRATION, set(Arbitration)),
        (CANCEL_TYPE, set(LIFECYCLES[R.BUYER_CANCELLATION].openings)),
        (LEGACY_TYPE, OPENINGS),
        (LEGACY_EVENT_TYPE, OPENINGS),
        (DECISION, set(seller_events())),
    ],
    ids=lambda x: getattr(x, "name", ""),
)
def test_every_canonical_key_of_the_domain_has_an_entry(vocab, keys):
    assert set(vocab.table) == keys


def test_every_seller_event_of_the_declaration_says_how_it_reaches_the_platform():
    declared = set()
    for kind, lc in LIFECYCLES.items():
        for t in lc.transitions:
            if Actor.SELLER in t.actors:
                declared.add((kind, t.event))
    assert set(OUTBOUND) == declared


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_no_outside_value_is_without_a_canonical_counterpart(vocab):
    orphans = [code for code in vocab.codes if not vocab.reverse[code]]
    assert orphans == [], f"{vocab.name}: {orphans} mean nothing"


@pytest.mark.parametrize("vocab", [v for v in VOCABULARIES if v.table], ids=lambda v: v.name)
def test_the_reverse_lookup_is_derived_from_the_one_table(vocab):
    for k, value in vocab.table.items():
        if value is not None:
            assert k in vocab.reverse[value]
    for value, keys in vocab.reverse.items():
        for k in keys:
            assert vocab.table[k] is value


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_aliases_point_at_real_values_and_never_shadow_one(vocab):
    values = {str(code.value).upper() for code in vocab.codes}
    for alias, target in vocab.aliases.items():
        assert target in set(vocab.codes)
        assert alias not in values
        assert vocab.parse(alias) is target
        assert vocab.parse(f"  {alias.lower()} ") is target


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_every_value_parses_back_to_itself(vocab):
    for code in vocab.codes:
        assert vocab.parse(code.value) is code
        assert vocab.parse(code) is code


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
@pytest.mark.parametrize("raw", [True, False, 1.0, None, "", "NO_SUCH_VALUE_2027", -5])
def test_unknown_values_are_refused_naming_field_and_value(vocab, raw):
    assert vocab.lookup(raw) is None
    with pytest.raises(UnknownCode) as caught:
        vocab.parse(raw, "data.status")
    assert caught.value.field == "data.status"
    assert caught.value.value == raw
    assert caught.value.vocabulary == vocab.name
    assert isinstance(caught.value, InvalidValue)


def test_a_boolean_is_not_legacy_status_one():
    # True == 1 in Python; a flag must never read as AFTERSALE_APPLYING.
    assert LEGACY_STATUS.lookup(True) is None
    assert LEGACY_STATUS.lookup(1) is LegacyStatus.AFTERSALE_APPLYING
    assert LEGACY_STATUS.lookup(" 1 ") is LegacyStatus.AFTERSALE_APPLYING


def test_show_refuses_a_key_outside_the_table():
    with pytest.raises(InvalidValue):
        RETURN_STATUS.show(Canonical(R.ABNORMAL_RETURN, S.REQUESTED))


def test_canonical_checks_the_type_declares_the_state():
    assert canonical("return_and_refund", "return_in_transit") == key(
        R.RETURN_AND_REFUND, S.RETURN_IN_TRANSIT
    )
    for bad in [("refund_only", "return_in_transit"), ("nope", "requested"), ("refund_only", "x")]:
        with pytest.raises(InvalidValue):
            canonical(*bad)
    with pytest.raises(InvalidValue):
        canonical(R.REFUND_ONLY, S.NEW)


# --- what the outside values mean (platform-api.md, seeds) -------------------------------------


def test_the_platform_has_fourteen_return_statuses():
    assert len(ReturnStatusCode) == 14


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "BUYER_SHIPPED_ITEM",
            {
                key(R.RETURN_AND_REFUND, S.RETURN_IN_TRANSIT),
                key(R.RETURN_AND_REFUND, S.RETURN_DELIVERED),
            },
        ),
        (
            "AWAITING_BUYER_SHIP",
            {
                key(R.RETURN_AND_REFUND, S.AWAITING_BUYER_SHIPMENT),
                key(R.RETURN_AND_REFUND, S.RETURN_LABEL_ISSUED),
            },
        ),
        (
            "REPLACEMENT_REQUEST_REFUND_SUCCESS",
            {key(R.EXCHANGE, S.REFUND_COMMITTED), key(R.EXCHANGE, S.REFUNDED)},
        ),
        (
            "REJECT_RECEIVE_PACKAGE",
            {
                key(R.RETURN_AND_REFUND, S.RECEIPT_REJECTED),
                key(R.RETURN_AND_REFUND, S.AWAITING_SELLER_RETURN),
            },
        ),
        ("REPLACEMENT_REQUEST_COMPLETE", {key(R.EXCHANGE, S.REPLACEMENT_CREATED)}),
        (
            "AWAITING_BUYER_RESPONSE",
            {
                key(R.REFUND_ONLY, S.AWAITING_BUYER_RESPONSE),
                key(R.RETURN_AND_REFUND, S.AWAITING_BUYER_RESPONSE),
                key(R.EXCHANGE, S.AWAITING_BUYER_RESPONSE),
            },
        ),
    ],
)
def test_a_return_status_means_a_set_of_canonical_states(value, expected):
    assert RETURN_STATUS.candidates(value) == expected


def test_success_means_committed_and_complete_means_paid():
    success = RETURN_STATUS.candidates("RETURN_OR_REFUND_REQUEST_SUCCESS")
    complete = RETURN_STATUS.candidates("RETURN_OR_REFUND_REQUEST_COMPLETE")
    assert {k.state for k in success} == {S.REFUND_COMMITTED}
    assert {k.state for k in complete} == {S.REFUNDED}


def test_cancel_means_closed_or_withdrawn_never_a_refund():
    states = {k.state for k in RETURN_STATUS.candidates("RETURN_OR_REFUND_REQUEST_CANCEL")}
    assert {S.CLOSED, S.WITHDRAWN} <= states
    assert not states & {S.REFUND_COMMITTED, S.REFUNDED, S.REQUESTED}
    for kind in (R.REFUND_ONLY, R.RETURN_AND_REFUND):
        assert key(kind, S.CLOSED) in RETURN_STATUS.candidates("RETURN_OR_REFUND_REQUEST_CANCEL")
        assert key(kind, S.WITHDRAWN) in RETURN_STATUS.candidates("RETURN_OR_REFUND_REQUEST_CANCEL")


@pytest.mark.parametrize(
    ("alias", "target"),
    [
        ("REQUEST_SUCCESS", ReturnStatusCode.RETURN_OR_REFUND_REQUEST_SUCCESS),
        ("REQUEST_REJECTED", ReturnStatusCode.REFUND_OR_RETURN_REQUEST_REJECT),
        ("RECEIVE_REJECTED", ReturnStatusCode.REJECT_RECEIVE_PACKAGE),
        ("RETURN_OR_REFUND_CANCEL", ReturnStatusCode.RETURN_OR_REFUND_REQUEST_CANCEL),
        ("RETURN_OR_REFUND__REQUEST_CANCELLED", ReturnStatusCode.RETURN_OR_REFUND_REQUEST_CANCEL),
        ("RETURN_OR_REFUND_REQUEST_REJECT", ReturnStatusCode.REFUND_OR_RETURN_REQUEST_REJECT),
        ("REJECT_RECEIVED_PACKAGE", ReturnStatusCode.REJECT_RECEIVE_PACKAGE),
    ],
)
def test_documented_misspellings_of_return_status_are_read(alias, target):
    assert RETURN_STATUS.parse(alias) is target


def test_both_cancelled_spellings_of_cancel_status_are_read():
    assert CANCEL_STATUS.parse("CANCELLATION_REQUEST_CANCELLED") is (
        CancelStatusCode.CANCELLATION_REQUEST_CANCELLED
    )
    assert CANCEL_STATUS.parse("CANCELLATION_REQUEST_CANCEL") is (
        CancelStatusCode.CANCELLATION_REQUEST_CANCELLED
    )
    assert {k.state for k in CANCEL_STATUS.candidates("CANCELLATION_REQUEST_CANCEL")} == {
        S.CLOSED,
        S.WITHDRAWN,
    }


def test_cancel_type_names_how_the_cancellation_opened():
    assert CANCEL_TYPE.candidates("BUYER_CANCEL") == {"request"}
    assert CANCEL_TYPE.candidates("CANCEL") == {"cancel_order"}
    assert CANCEL_TYPE.parse("REQUEST_CANCEL_REFUND") is CancelTypeCode.BUYER_CANCEL


def test_roles_are_actors_and_title_case_is_read():
    assert ROLE.candidates("Buyer") == {Actor.BUYER}
    assert ROLE.candidates("OPERATOR") == {Actor.OPERATOR}
    assert ROLE.show(Actor.LOGISTICS) is None
    assert ROLE.parse("buyer ") is RoleCode.BUYER


def test_arbitration_status_maps_onto_the_arbitration_sub_state():
    for code in ARBITRATION.codes:
        (found,) = ARBITRATION.reverse[code]
        assert found.name == code.name
    assert ARBITRATION.show(Arbitration.NONE) is None


@pytest.mark.parametrize(
    ("decision", "meaning"),
    [
        ("APPROVE_REFUND", {(R.REFUND_ONLY, "approve")}),
        ("APPROVE_RETURN", {(R.RETURN_AND_REFUND, "approve")}),
        ("APPROVE_RECEIVED_PACKAGE", {(R.RETURN_AND_REFUND, "confirm_receipt")}),
        ("APPROVE_REPLACEMENT", {(R.EXCHANGE, "approve")}),
        ("ISSUE_REPLACEMENT_REFUND", {(R.EXCHANGE, "refund_instead")}),
        (
            "OFFER_PARTIAL_REFUND",
            {
                (R.REFUND_ONLY, "offer_partial_refund"),
                (R.RETURN_AND_REFUND, "offer_partial_refund"),
                (R.EXCHANGE, "offer_partial_refund"),
            },
        ),
        ("REJECT_REFUND", {(R.REFUND_ONLY, "reject")}),
        ("REJECT_RETURN", {(R.RETURN_AND_REFUND, "reject")}),
        ("REJECT_RECEIVED_PACKAGE", {(R.RETURN_AND_REFUND, "reject_receipt")}),
        ("REJECT_REPLACEMENT", {(R.EXCHANGE, "reject")}),
    ],
)
def test_each_seller_decision_is_a_lifecycle_event(decision, meaning):
    assert DECISION.candidates(decision) == meaning
    for kind, event in meaning:
        assert event in LIFECYCLES[kind].events


def test_six_approve_and_four_reject_decisions():
    approvals = [d for d in DecisionCode if d.is_approval]
    assert len(approvals) == 6
    assert len(DecisionCode) - len(approvals) == 4


def test_the_decision_spelled_like_the_status_is_read():
    assert DECISION.parse("REJECT_RECEIVE_PACKAGE") is DecisionCode.REJECT_RECEIVED_PACKAGE


def test_legacy_51_is_withdrawn_and_99_is_closed():
    assert {k.state for k in LEGACY_STATUS.candidates(51)} == {S.WITHDRAWN}
    assert S.CLOSED in {k.state for k in LEGACY_STATUS.candidates(99)}
    assert S.WITHDRAWN not in {k.state for k in LEGACY_STATUS.candidates(99)}
    assert LegacyStatus(51).name == "CANCEL_SUCCESS"


def test_legacy_types_include_the_third_party_cancel_seen_live():
    assert LEGACY_TYPE.candidates(1) == {(R.BUYER_CANCELLATION, "cancel_order")}
    assert LEGACY_TYPE.candidates(4) == {(R.BUYER_CANCELLATION, "request")}
    assert LEGACY_TYPE.candidates(2) == {(R.REFUND_ONLY, "request")}
    assert LEGACY_TYPE.candidates(3) == {(R.RETURN_AND_REFUND, "request")}
    assert [t.value for t in LegacyType] == [1, 2, 3, 4]


def test_legacy_status_matches_the_current_status_for_the_same_state():
    """§7's approximate correspondence, now exact per canonical state."""
    near = {
        LegacyStatus.AFTERSALE_APPLYING: {
            "RETURN_OR_REFUND_REQUEST_PENDING",
            "AWAITING_BUYER_RESPONSE",
        },
        LegacyStatus.AFTERSALE_REJECT_APPLICATION: {"REFUND_OR_RETURN_REQUEST_REJECT"},
        LegacyStatus.AFTERSALE_RETURNING: {"AWAITING_BUYER_SHIP"},
        LegacyStatus.AFTERSALE_BUYER_SHIPPED: {"BUYER_SHIPPED_ITEM"},
        LegacyStatus.AFTERSALE_SELLER_REJECT_RECEIVE: {"REJECT_RECEIVE_PACKAGE"},
        LegacyStatus.AFTERSALE_SUCCESS: {"RETURN_OR_REFUND_REQUEST_SUCCESS"},
        LegacyStatus.CANCEL_SUCCESS: {"RETURN_OR_REFUND_REQUEST_CANCEL"},
        LegacyStatus.CLOSED: {"RETURN_OR_REFUND_REQUEST_CANCEL"},
        LegacyStatus.COMPLETE: {"RETURN_OR_REFUND_REQUEST_COMPLETE"},
    }
    for k in ALL_CANONICAL:
        if k.request_type not in (R.REFUND_ONLY, R.RETURN_AND_REFUND):
            continue
        legacy, current = LEGACY_STATUS.show(k), RETURN_STATUS.show(k)
        assert legacy is not None and current is not None
        assert current.value in near[legacy], (k, legacy, current)


# --- connector grid (seeds 002, 003) -----------------------------------------------------------


def test_the_grid_has_one_tab_per_legacy_status_and_closed_holds_51_and_99():
    assert set(TAB_OF_LEGACY) == set(LegacyStatus)
    assert set(TAB_OF_LEGACY.values()) == set(GridTab)
    assert TAB_OF_LEGACY[LegacyStatus.CANCEL_SUCCESS] is GridTab.CLOSED
    assert TAB_OF_LEGACY[LegacyStatus.CLOSED] is GridTab.CLOSED
    assert [t.value for t in GridTab] == [
        "Aftersale Applying",
        "Aftersale Reject Application",
        "Aftersale Returning",
        "Aftersale Buyer Shipped",
        "Aftersale Seller Reject Receive",
        "Aftersale Success",
        "Closed",
        "Complete",
    ]


def test_the_grid_tab_is_derived_through_the_legacy_status():
    for k in ALL_CANONICAL:
        legacy = LEGACY_STATUS.show(k)
        assert GRID_TAB.show(k) is (None if legacy is None else TAB_OF_LEGACY[legacy])


def test_seed_003_spelling_of_the_reject_receive_tab_is_read():
    assert GRID_TAB.parse("Aftersale reject receive") is GridTab.AFTERSALE_SELLER_REJECT_RECEIVE
    assert GRID_TAB.parse("aftersale success") is GridTab.AFTERSALE_SUCCESS


def _all_reachable():
    out = []
    for kind in RequestType:
        out.extend(reachable_cases(kind).values())
    return [c for c in out if c.state is not S.NEW]


REACHABLE = _all_reachable()


def test_every_case_in_the_grid_is_in_exactly_one_status_tab_and_in_all():
    counts = tab_counts(REACHABLE)
    in_grid = [c for c in REACHABLE if grid_tab(c) is not None]
    assert counts.all == len(in_grid) == sum(counts.by_tab.values())
    assert counts.outside == len(REACHABLE) - len(in_grid)
    assert counts["All"] == counts.all
    for tab in GridTab:
        assert counts[tab] == sum(1 for c in in_grid if grid_tab(c) is tab)
        assert counts[tab.value] == counts[tab]
    assert set(counts.by_tab) == set(GridTab)


def test_the_grid_holds_exactly_the_types_the_legacy_api_knew():
    in_grid = {c.request_type for c in REACHABLE if grid_tab(c) is not None}
    assert in_grid == {R.REFUND_ONLY, R.RETURN_AND_REFUND, R.BUYER_CANCELLATION}


def test_the_reverse_type_filter_selects_refund_only_or_return_and_refund():
    refund_only = tab_counts(REACHABLE, only="Refund Only")
    returns = tab_counts(REACHABLE, only=GridFilter.RETURN_AND_REFUND)
    everything = tab_counts(REACHABLE)
    assert refund_only.all == sum(1 for c in REACHABLE if c.request_type is R.REFUND_ONLY)
    assert returns.all == sum(1 for c in REACHABLE if c.request_type is R.RETURN_AND_REFUND)
    assert refund_only.by_tab[GridTab.AFTERSALE_RETURNING] == 0
    assert refund_only.all + returns.all < everything.all  # cancellations only unfiltered
    with pytest.raises(UnknownCode):
        tab_counts(REACHABLE, only="Exchange")


def test_tab_counts_of_nothing_are_zeros():
    counts = tab_counts([])
    assert counts.all == 0 and counts.outside == 0
    assert all(v == 0 for v in counts.by_tab.values())


# --- seller tools (seeds 000, 001, 004) --------------------------------------------------------


def test_erp_after_sales_labels_follow_seed_000_for_return_and_refund():
    case = fresh(R.RETURN_AND_REFUND)
    case = run(case, ("request", Actor.BUYER))
    assert views(case).erp_label is ErpLabel.PENDING_REQUEST
    shipped = run(
        case,
        ("approve", Actor.SELLER),
        ("ship_back", Actor.BUYER),
        ("parcel_delivered", Actor.LOGISTICS),
    )
    assert views(shipped).erp_label is ErpLabel.PENDING_REQUEST
    assert views(shipped).erp_return_status is ReturnStatus.RETURNED
    refunded = run(shipped, ("confirm_receipt", Actor.SELLER), ("complete_refund", Actor.SYSTEM))
    assert views(refunded).erp_label is ErpLabel.REFUNDED
    rejected = run(shipped, ("reject_receipt", Actor.SELLER))
    assert views(rejected).erp_label is ErpLabel.RECEPTION_REJECTED
    closed = run(rejected, ("close", Actor.SYSTEM))
    assert views(closed).erp_label is ErpLabel.REQUEST_CLOSED
    offered = run(case, ("offer_partial_refund", Actor.SELLER, {"amount": usd_money("5.00")}))
    assert views(offered).erp_label is ErpLabel.AWAITING_BUYERS_RESPONSE
    accepted = run(offered, ("accept_offer", Actor.BUYER))
    assert views(accepted).erp_label is ErpLabel.REFUNDED


def usd_money(amount: str):
    from tiktok_aftersales import Money

    return Money(amount, "USD")


def test_erp_labels_follow_seed_000_for_refund_only_and_exchange():
    refund = run(fresh(R.REFUND_ONLY), ("request", Actor.BUYER))
    assert views(run(refund, ("approve", Actor.SELLER))).erp_label is ErpLabel.REFUNDED
    rejected = run(refund, ("reject", Actor.SELLER))
    assert views(rejected).erp_label is ErpLabel.REJECTED
    assert views(run(rejected, ("close", Actor.SYSTEM))).erp_label is ErpLabel.REQUEST_CLOSED
    exchange = run(fresh(R.EXCHANGE), ("request", Actor.BUYER))
    assert views(run(exchange, ("approve", Actor.SELLER))).erp_label is ErpLabel.EXCHANGE_ACCEPTED
    assert views(run(exchange, ("reject", Actor.SELLER))).erp_label is ErpLabel.REJECTED
    full = run(exchange, ("refund_instead", Actor.SELLER))
    assert views(full).erp_label is ErpLabel.REFUNDED


def test_abnormal_returns_show_no_after_sales_status_in_the_erp():
    for state in LIFECYCLES[R.ABNORMAL_RETURN].case_states:
        assert ERP_LABEL.show(key(R.ABNORMAL_RETURN, state)) is None
    case = open_case(
        R.ABNORMAL_RETURN,
        case_id="ab-1",
        order_id="o-1",
        region="ID",
        lines=usd_lines(),
        at=T0,
        payload={"reason": AbnormalReason.REFUSED_DELIVERY},
    )
    shown = views(case)
    assert shown.erp_label is None
    assert shown.erp_return_status is ReturnStatus.RETURNING
    assert shown.seller_centre_tag is None
    assert "3.4" in ERP_LABEL.absent


def test_the_erp_return_status_is_the_cores_and_its_reverse_covers_every_reachable_case():
    for case in REACHABLE:
        status = views(case).erp_return_status
        assert status is case.return_status
        assert Canonical(case.request_type, case.state) in ERP_RETURN_STATUS.reverse[status]


def test_not_pickup_is_a_refund_approved_after_shipping_before_pickup():
    case = run(fresh(R.REFUND_ONLY, OrderStage.SHIPPED_NOT_PICKED_UP), ("request", Actor.BUYER))
    approved = run(case, ("approve", Actor.SELLER))
    assert views(approved).erp_return_status is ReturnStatus.NOT_PICKUP
    assert key(R.REFUND_ONLY, S.REFUND_COMMITTED) in ERP_RETURN_STATUS.candidates("Not Pickup")


def test_channel_manager_labels_follow_a_return_parcel_seed_004():
    case = run(fresh(R.RETURN_AND_REFUND), ("request", Actor.BUYER))
    assert views(case).channel_label is ChannelLabel.REQUEST_PENDING
    case = run(case, ("approve", Actor.SYSTEM))
    assert views(case).channel_label is ChannelLabel.WAITING_FOR_BUYER_TO_SHIP
    case = run(case, ("generate_label", Actor.SYSTEM))
    assert views(case).channel_label is ChannelLabel.RETURN_LABEL_GENERATED
    case = run(case, ("ship_back", Actor.BUYER))
    assert views(case).channel_label is ChannelLabel.BUYER_SHIPPED
    case = run(case, ("parcel_delivered", Actor.LOGISTICS), ("reject_receipt", Actor.SELLER))
    assert views(case).channel_label is ChannelLabel.RETURN_REJECTED


def test_seller_centre_tags_name_the_four_buyer_request_types():
    assert {SELLER_CENTRE_TAG.show(k) for k in RequestType} - {None} == set(SellerCentreTag)
    assert SELLER_CENTRE_TAG.candidates("Refund Only") == {R.REFUND_ONLY}
    assert SELLER_CENTRE_TAG.candidates("Reshipment") == {R.RESHIPMENT}


# --- explain and views --------------------------------------------------------------------------


def test_explain_value_names_the_vocabulary_and_the_canonical_states():
    (meaning,) = explain_value("AWAITING_BUYER_SHIP")
    assert meaning.vocabulary == "return_status"
    assert meaning.alias is None
    assert meaning.candidates == RETURN_STATUS.candidates("AWAITING_BUYER_SHIP")


def test_explain_value_reports_an_alias_and_every_vocabulary_that_knows_a_value():
    (meaning,) = explain_value("RETURN_OR_REFUND__REQUEST_CANCELLED")
    assert meaning.value is ReturnStatusCode.RETURN_OR_REFUND_REQUEST_CANCEL
    assert meaning.alias == "RETURN_OR_REFUND__REQUEST_CANCELLED"
    names = {m.vocabulary for m in explain_value("Closed")}
    assert {"grid_tab", "arbitration_status"} <= names
    assert {m.vocabulary for m in explain_value(51)} == {"reverse_status_value"}
    assert {m.vocabulary for m in explain_value("Returned")} == {"erp_return_status"}


def test_explain_value_refuses_what_no_vocabulary_knows():
    with pytest.raises(UnknownCode) as caught:
        explain_value("EXCHANGE_IN_PROGRESS")
    assert caught.value.value == "EXCHANGE_IN_PROGRESS"
    with pytest.raises(UnknownCode):
        explain_value("AWAITING_BUYER_SHIP", vocabulary="cancel_status")
    with pytest.raises(InvalidValue):
        explain_value("AWAITING_BUYER_SHIP", vocabulary="nope")


def test_views_of_a_return_in_transit():
    case = run(
        fresh(R.RETURN_AND_REFUND),
        ("request", Actor.BUYER),
        ("approve", Actor.SELLER),
        ("ship_back", Actor.BUYER),
    )
    shown = views(case)
    assert shown.canonical == key(R.RETURN_AND_REFUND, S.RETURN_IN_TRANSIT)
    assert shown.return_status is ReturnStatusCode.BUYER_SHIPPED_ITEM
    assert shown.return_type.value == "RETURN_AND_REFUND"
    assert shown.cancel_status is None
    assert shown.legacy_status is LegacyStatus.AFTERSALE_BUYER_SHIPPED
    assert shown.legacy_type is LegacyType.RETURN_AND_REFUND
    assert shown.grid_tab is GridTab.AFTERSALE_BUYER_SHIPPED
    assert shown.grid_filter is GridFilter.RETURN_AND_REFUND
    assert shown.erp_label is ErpLabel.PENDING_REQUEST
    assert shown.erp_return_status is ReturnStatus.RETURNING
    assert shown.channel_label is ChannelLabel.BUYER_SHIPPED
    assert shown.seller_centre_tag is SellerCentreTag.RETURN_AND_REFUND
    assert shown.arbitration_status is None


def test_views_of_a_direct_and_a_requested_cancellation():
    direct = open_case(
        R.BUYER_CANCELLATION,
        case_id="c",
        order_id="o",
        region="GB",
        lines=usd_lines(),
        at=T0,
        event="cancel_order",
        actor=Actor.SELLER,
        order_stage=OrderStage.NOT_SHIPPED,
    )
    assert views(direct).cancel_type is CancelTypeCode.CANCEL
    assert views(direct).legacy_type is LegacyType.CANCEL
    asked = run(fresh(R.BUYER_CANCELLATION, OrderStage.NOT_SHIPPED), ("request", Actor.BUYER))
    assert views(asked).cancel_type is CancelTypeCode.BUYER_CANCEL
    assert views(asked).cancel_status is CancelStatusCode.CANCELLATION_REQUEST_PENDING
    assert views(asked).grid_tab is GridTab.AFTERSALE_APPLYING
    assert views(asked).grid_filter is None


def test_views_refuses_an_unopened_case():
    with pytest.raises(InvalidValue):
        views(fresh(R.REFUND_ONLY))


def test_views_never_changes_the_case():
    for case in REACHABLE[:50]:
        before = attrs.asdict(case, recurse=False)
        views(case)
        assert attrs.asdict(case, recurse=False) == before


@given(st.sampled_from(REACHABLE))
def test_what_each_tool_shows_for_a_reachable_case_means_that_case(case):
    """Round trip: canonical -> outside value -> its candidates contain the case."""
    here = Canonical(case.request_type, case.state)
    shown = views(case)
    pairs = [
        (RETURN_STATUS, shown.return_status),
        (CANCEL_STATUS, shown.cancel_status),
        (LEGACY_STATUS, shown.legacy_status),
        (GRID_TAB, shown.grid_tab),
        (ERP_LABEL, shown.erp_label),
        (CHANNEL_LABEL, shown.channel_label),
        (ERP_RETURN_STATUS, shown.erp_return_status),
    ]
    for vocab, value in pairs:
        if value is not None:
            assert here in vocab.reverse[value], (vocab.name, value)
    if shown.arbitration_status is not None:
        assert case.arbitration in ARBITRATION.reverse[shown.arbitration_status]
    if shown.return_type is not None:
        assert case.request_type in RETURN_TYPE.reverse[shown.return_type]
    if shown.seller_next_action is not None:
        assert here in SELLER_ACTION.reverse[shown.seller_next_action]


def test_seller_next_action_points_at_the_state_where_the_seller_must_answer():
    for k in ALL_CANONICAL:
        action = SELLER_ACTION.show(k)
        if action is None:
            continue
        lc = LIFECYCLES[k.request_type]
        seller_can = {t.event for t in lc.from_state(k.state) if Actor.SELLER in t.actors}
        assert seller_can, (k, action)


def test_timestamps_are_not_needed_to_show_a_case():
    case = run(fresh(R.REFUND_ONLY), ("request", Actor.BUYER))
    later = attrs.evolve(
        case, history=tuple(attrs.evolve(h, at=h.at + timedelta(days=3)) for h in case.history)
    )
    assert views(later) == views(case)


# --- the docs page embeds the generated tables ------------------------------------------------

DOCS = __import__("pathlib").Path(__file__).resolve().parents[1] / "docs"


def generated(name: str) -> str:
    """The text the docs embed between ``<!-- generated: name -->`` and ``<!-- end -->``."""
    from tiktok_aftersales import codes

    if name == "canonical_table":
        return codes.canonical_table()
    if name == "aliases":
        lines = ["| vocabulary | spelling read | value |", "|---|---|---|"]
        for vocab in (codes.RETURN_STATUS, codes.CANCEL_STATUS, codes.GRID_TAB, codes.ERP_LABEL):
            for alias, value in sorted(vocab.aliases.items()):
                lines.append(f"| {vocab.name} | `{alias}` | `{value.value}` |")
        return "\n".join(lines)
    return codes.markdown_table(getattr(codes, name))


def test_the_vocabularies_page_embeds_the_generated_tables():
    import re

    text = (DOCS / "vocabularies.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- generated: (\w+) -->\n(.*?)\n<!-- end -->", text, flags=re.S)
    assert len(blocks) >= 12
    for name, block in blocks:
        assert block == generated(name), f"docs/vocabularies.md block {name} is stale"


@pytest.mark.parametrize("page", ["vocabularies.md", "codec.md"])
def test_the_python_examples_of_the_docs_pages_run(page, capsys):
    import re

    text = (DOCS / page).read_text(encoding="utf-8")
    scope: dict = {}
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        exec(compile(block, f"docs/{page}", "exec"), scope)


def test_terminal_return_statuses_are_those_whose_every_meaning_is_terminal():
    from tiktok_aftersales.codes import TERMINAL_RETURN_STATUSES

    assert {s.value for s in TERMINAL_RETURN_STATUSES} == {
        "RETURN_OR_REFUND_REQUEST_CANCEL",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
        "REPLACEMENT_REQUEST_CANCEL",
        "REPLACEMENT_REQUEST_COMPLETE",
    }
    # The platform calls REPLACEMENT_REQUEST_REFUND_SUCCESS final, but the refund it
    # commits is still to be paid: canonically it is refund_committed or refunded.
    assert ReturnStatusCode.REPLACEMENT_REQUEST_REFUND_SUCCESS not in TERMINAL_RETURN_STATUSES
