"""The compiled apply decides, builds and refuses exactly as the plain reference does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import T0, fresh, payload_for
from reference_engine import reference_apply
from tiktok_aftersales import (
    Actor,
    AfterSalesError,
    Money,
    OrderStage,
    RequestType,
    apply,
    case_to_json,
)
from tiktok_aftersales.domain import Solution
from tiktok_aftersales.errors import InvalidTransition
from tiktok_aftersales.lifecycle import EVENTS, LIFECYCLES, machine_decides
from tiktok_aftersales.lifecycle.compiled import compiled_table

_ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5), "EST"), None]
_ZONES.append(ZoneInfo("America/Los_Angeles"))


def _payload(draw: Any, event: str, case: Any) -> Any:
    choice = draw(st.sampled_from(["none", "valid", "valid", "bad", "empty", "extra"]))
    if choice == "none":
        return None
    if choice == "empty":
        return {}
    if choice == "bad":
        return draw(
            st.sampled_from(
                [
                    "not a mapping",
                    {"amount": Money("999.00", case.currency)},
                    {"amount": Money(Decimal("-1"), case.currency)},
                    {"buyer_keep_item": "yes"},
                    {"refund": "all"},
                    {"solution": "teleport"},
                    {"disposition": "burn"},
                    {"mode": "other"},
                    {"line_ids": ["nope"]},
                    {1: "x"},
                ]
            )
        )
    base = dict(payload_for(event, case, draw(st.sampled_from(list(Solution)))) or {})
    if event == "approve" and draw(st.booleans()):
        base["buyer_keep_item"] = True
    if event == "reship":
        base["mode"] = draw(st.sampled_from(["missing_items", "replacement"]))
    if event == "parcel_delivered":
        base["disposition"] = draw(st.sampled_from(["restock", "damaged"]))
    if choice == "extra":
        base["note"] = "host data"
    return base or None


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except AfterSalesError as exc:
        return exc


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(list(RequestType)),
    stage=st.sampled_from(list(OrderStage)),
    data=st.data(),
)
def test_compiled_apply_agrees_with_the_reference_and_the_machine(kind, stage, data) -> None:
    events = sorted(EVENTS)
    case = fresh(kind, stage)
    if data.draw(st.booleans()):  # what sync and review set must survive every event
        case = attrs.evolve(case, platform_time=T0 - timedelta(hours=1), review="look")
    at = T0
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        legal = LIFECYCLES[kind].from_state(case.state)
        if legal and data.draw(st.booleans()):
            t = data.draw(st.sampled_from(legal))
            event: Any = t.event
            actor: Any = data.draw(st.sampled_from(sorted(t.actors)))
        else:
            event = data.draw(st.sampled_from([*events, "no_such_event"]))
            actor = data.draw(st.sampled_from([*Actor, "robot"]))
        if data.draw(st.booleans()):
            event, actor = str(event), str(actor)
        zone = data.draw(st.sampled_from(_ZONES))
        step = timedelta(minutes=data.draw(st.integers(min_value=-60, max_value=5000)))
        when: Any = (at + step).astimezone(zone) if zone is not None else (at + step)
        if zone is None:
            when = when.replace(tzinfo=None)
        payload = _payload(data.draw, str(event), case)
        got = _outcome(apply, case, event, actor, when, payload)
        want = _outcome(reference_apply, case, event, actor, when, payload)
        if isinstance(want, Exception):
            assert type(got) is type(want), (got, want)
            assert str(got) == str(want)
            assert got.args == want.args
            if (
                isinstance(want, InvalidTransition)
                and str(event) in EVENTS
                and str(actor) in set(Actor)
                and (payload is None or isinstance(payload, dict))
            ):
                assert machine_decides(case, str(event), Actor(actor), payload) is None
            continue
        assert got == want
        assert case_to_json(got) == case_to_json(want)
        assert list(got.history) == list(want.history)
        assert got.history[-1].at.utcoffset() == when.utcoffset()
        assert machine_decides(case, str(event), Actor(actor), payload) is got.state
        case, at = got, when.astimezone(UTC)


def test_every_declared_transition_is_in_the_compiled_table() -> None:
    table = compiled_table()
    for kind, lc in LIFECYCLES.items():
        for t in lc.transitions:
            for state in t.sources:
                for arbitration in t.arbitration_from:
                    for actor in t.actors:
                        entries = table[(kind, state, arbitration)][(t.event, actor)]
                        assert any(step.transition is t for _guard, step in entries) or (
                            entries[-1][0] is None
                        )


def test_a_time_in_another_fixed_offset_or_zone_reads_back_exactly() -> None:
    case = fresh(RequestType.REFUND_ONLY)
    first = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    second = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    case = apply(case, "request", Actor.BUYER, first)
    case = apply(case, "approve", Actor.SELLER, second)
    assert case.history[0].at.tzinfo is first.tzinfo
    assert case.history[0].at.isoformat() == first.isoformat()
    assert case.history[1].at is second
    assert case.last_event_at is second


def test_an_event_keeps_the_platform_time_and_review_it_does_not_change() -> None:
    seen = T0 - timedelta(minutes=5)
    case = attrs.evolve(fresh(RequestType.REFUND_ONLY), platform_time=seen, review="check")
    case = apply(case, "request", Actor.BUYER, T0)
    case = apply(case, "approve", Actor.SELLER, T0 + timedelta(hours=1))
    assert case.platform_time == seen
    assert case.review == "check"
