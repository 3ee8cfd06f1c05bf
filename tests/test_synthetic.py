"""The seeded generator of case histories walks the declaration and is reproducible."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import (
    Actor,
    InvalidValue,
    RequestType,
    State,
    Window,
    allowed_events,
    apply,
)
from tiktok_aftersales.analysis.synthetic import DEFAULT_WINDOW, Behaviour, SyntheticCase, generate
from tiktok_aftersales.domain import Arbitration
from tiktok_aftersales.lifecycle import LIFECYCLES


def _key(c: SyntheticCase) -> tuple[object, ...]:
    return (
        c.case.case_id,
        c.case.request_type,
        c.case.region.code,
        c.case.lines,
        tuple((e.event, e.actor, e.at, e.payload) for e in c.all_events),
        c.final_state,
    )


def test_same_seed_gives_the_same_cases() -> None:
    first = [_key(c) for c in generate(7, 200)]
    again = [_key(c) for c in generate(7, 200)]
    assert first == again


def test_other_seed_gives_other_cases() -> None:
    assert [_key(c) for c in generate(7, 50)] != [_key(c) for c in generate(8, 50)]


def test_first_cases_do_not_depend_on_n() -> None:
    assert [_key(c) for c in generate(3, 20)] == [_key(c) for c in generate(3, 60)][:20]


def test_zero_cases_is_empty() -> None:
    assert list(generate(1, 0)) == []


def test_every_event_was_allowed_when_it_fired_and_replay_reaches_final_state() -> None:
    for c in generate(11, 300):
        case = c.case
        assert case.state is not State.NEW
        assert len(case.history) == 1
        for e in c.events:
            pairs = {(a.event, actor) for a in allowed_events(case) for actor in a.actors}
            assert (e.event, e.actor) in pairs
            case = apply(case, e.event, e.actor, e.at, e.payload)
        assert case.state is c.final_state
        assert c.replay() == case


def test_times_are_aware_utc_and_strictly_increasing() -> None:
    for c in generate(5, 300):
        times = [e.at for e in c.all_events]
        assert all(t.utcoffset() == timedelta(0) for t in times)
        assert all(a < b for a, b in itertools.pairwise(times))


def test_histories_only_use_declared_state_event_pairs() -> None:
    for c in generate(2, 400):
        case = c.case
        index = LIFECYCLES[case.request_type].index
        for e in c.events:
            assert (case.state, e.event) in index
            case = apply(case, e.event, e.actor, e.at, e.payload)


def test_histories_end_in_a_state_with_nothing_left_to_do() -> None:
    for c in generate(9, 300):
        final = c.replay()
        assert c.events == () or allowed_events(final) == () or len(c.events) == 40


def test_default_mix_covers_every_request_type() -> None:
    kinds = Counter(c.case.request_type for c in generate(4, 600))
    assert set(kinds) == set(RequestType)


def test_request_type_and_region_mix_are_obeyed() -> None:
    b = Behaviour(request_types={"refund_only": 1}, regions={"id": 1})
    cases = list(generate(1, 50, b))
    assert {c.case.request_type for c in cases} == {RequestType.REFUND_ONLY}
    assert {c.case.region.code for c in cases} == {"ID"}
    assert {c.case.currency for c in cases} == {"IDR"}


def test_a_silent_seller_lets_the_clock_approve() -> None:
    b = Behaviour(seller_silent=1.0, request_types={RequestType.REFUND_ONLY: 1}, buyer_withdraws=0)
    for c in generate(1, 50, b):
        first = c.events[0]
        assert (first.event, first.actor) == ("approve", Actor.SYSTEM)
        assert first.at >= c.case.opened_at + DEFAULT_WINDOW  # type: ignore[operator]


def test_timeouts_fire_after_the_given_window() -> None:
    window = timedelta(hours=24)
    b = Behaviour(seller_silent=1.0, request_types={RequestType.BUYER_CANCELLATION: 1})
    for c in generate(1, 30, b, windows={Window.SELLER_CANCELLATION_RESPONSE: window}):
        if c.case.state is State.REQUESTED and c.events[0].actor is Actor.SYSTEM:
            assert window <= c.events[0].at - c.case.opened_at < window + timedelta(hours=2)  # type: ignore[operator]


def test_disputes_and_arbitration_outcome_follow_the_behaviour() -> None:
    b = Behaviour(
        seller_rejects=1.0,
        seller_silent=0.0,
        partial_offer=0.0,
        alternative_offer=0.0,
        buyer_disputes=1.0,
        buyer_withdraws=0.0,
        arbitration={Arbitration.SUPPORT_BUYER: 1},
        request_types={"refund_only": 1},
    )
    for c in generate(3, 40, b):
        assert [e.event for e in c.events][:3] == ["reject", "dispute", "rule_for_buyer"]
        assert c.final_state is State.REFUNDED


def test_buyers_who_never_dispute_lose_by_timeout() -> None:
    b = Behaviour(
        seller_rejects=1.0,
        seller_silent=0.0,
        partial_offer=0.0,
        alternative_offer=0.0,
        buyer_disputes=0.0,
        buyer_withdraws=0.0,
        request_types={"exchange": 1},
    )
    for c in generate(3, 30, b):
        assert [(e.event, e.actor) for e in c.events] == [
            ("reject", Actor.SELLER),
            ("close", Actor.SYSTEM),
        ]


def test_partial_offers_appear_with_an_amount_below_the_request() -> None:
    b = Behaviour(
        partial_offer=1.0,
        seller_rejects=0.0,
        seller_silent=0.0,
        buyer_withdraws=0.0,
        request_types={"refund_only": 1},
    )
    for c in generate(6, 30, b):
        offer = c.events[0]
        assert offer.event == "offer_partial_refund"
        assert offer.payload is not None
        requested = c.case.requested
        assert requested is not None
        assert offer.payload["amount"] <= requested.total


def test_max_events_caps_a_history() -> None:
    assert all(len(c.events) <= 1 for c in generate(1, 100, max_events=1))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    silent=st.floats(0, 1),
    disputes=st.floats(0, 1),
    offers=st.floats(0, 0.5),
)
def test_any_behaviour_gives_legal_increasing_histories(
    seed: int, silent: float, disputes: float, offers: float
) -> None:
    b = Behaviour(seller_silent=silent, buyer_disputes=disputes, partial_offer=offers)
    for c in generate(seed, 15, b):
        assert c.replay().state is c.final_state
        times = [e.at for e in c.all_events]
        assert times == sorted(times) and len(set(times)) == len(times)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seller_silent": 1.5}, "seller_silent"),
        ({"buyer_disputes": -0.1}, "buyer_disputes"),
        ({"partial_offer": True}, "partial_offer"),
        ({"regions": {"XX": 1}}, "regions.key"),
        ({"request_types": {"gift": 1}}, "request_types.key"),
        ({"arbitration": {"support_buyer": -1}}, "arbitration.support_buyer"),
        ({"order_stages": {"delivered": 0}}, "order_stages"),
        ({"max_lines": 0}, "max_lines"),
    ],
)
def test_bad_behaviour_names_field_and_value(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as err:
        Behaviour(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": -1}, "n"),
        ({"seed": "x"}, "seed"),
        ({"max_events": -1}, "max_events"),
        ({"start": datetime(2025, 1, 1)}, "start"),  # naive on purpose
        ({"span": timedelta(days=-1)}, "span"),
        ({"windows": {"nap": timedelta(hours=1)}}, "windows.key"),
        ({"windows": {Window.SELLER_RESPONSE: timedelta(0)}}, "windows.seller_response"),
    ],
)
def test_bad_arguments_name_field_and_value(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"seed": 1, "n": 1, **kwargs}
    with pytest.raises(InvalidValue) as err:
        generate(**args)  # type: ignore[arg-type]
    assert err.value.field == field


def test_start_in_another_zone_is_converted_to_utc() -> None:
    from datetime import timezone

    start = datetime(2025, 3, 1, 9, tzinfo=timezone(timedelta(hours=7)))
    c = next(generate(1, 1, start=start, span=timedelta(0)))
    assert c.case.opened_at == start
    assert c.case.opened_at.tzinfo is UTC  # type: ignore[union-attr]


def test_a_seller_opens_a_return_only_where_the_market_lets_it_and_only_sometimes() -> None:
    opened = [
        (k.case.region.code, k.opening.event, k.opening.actor)
        for k in generate(7, 4_000)
        if k.case.request_type == "return_and_refund"
    ]
    seller = [o for o in opened if o[1] == "create_return"]
    assert seller, "a seller-created return is generated"
    assert {region for region, _, _ in seller} == {"US"}
    assert {actor for _, _, actor in seller} == {"seller"}
    us = [o for o in opened if o[0] == "US"]
    assert len(seller) < 0.15 * len(us)  # about seller_opens (5 %), not one opening in two
    never = Behaviour(seller_opens=0.0)
    assert all(k.opening.event != "create_return" for k in generate(7, 2_000, never))
