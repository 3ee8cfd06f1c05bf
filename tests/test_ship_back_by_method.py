"""The buyer's ship-back window by return method, as data with sources (platform-2026 §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from builders import T0, fresh, usd_lines
from tiktok_aftersales import Actor, RequestType, State
from tiktok_aftersales.deadlines.clock import advance, running_deadlines
from tiktok_aftersales.deadlines.policy import DEFAULT_POLICY
from tiktok_aftersales.deadlines.shipback import (
    SHIP_BACK_RULES,
    method_of_fields,
    return_method_of,
    ship_back_rule,
)
from tiktok_aftersales.domain.vocabulary import ReturnMethod, Window
from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.lifecycle import apply, open_case

R = RequestType
M = ReturnMethod


@pytest.mark.parametrize(
    ("region", "method", "days", "cite"),
    [
        ("US", M.DROP_OFF, 14, "label or QR valid 14 days"),
        ("US", M.SELF_ARRANGED, 14, "14 days to upload tracking"),
        ("US", M.PICKUP, 14, "US prepaid label or QR valid 14 days"),  # policy: no US pick-up fact
        ("ID", M.DROP_OFF, 10, "drop-off within 10 calendar days"),
        ("ID", M.SELF_ARRANGED, 10, "tracking within 10 days"),
        ("ID", M.PICKUP, 10, "3 attempts, then drop-off"),
        ("VN", M.DROP_OFF, 10, "[I: the shorter documented market window"),
        ("VN", None, 10, "[I: the shorter documented market window"),
    ],
)
def test_the_window_per_market_and_method_carries_its_source(region, method, days, cite):
    rule = ship_back_rule(region, method)
    assert rule.window is Window.BUYER_SHIP_BACK
    assert str(rule.duration) == f"{days} calendar days"
    assert cite in rule.source


def test_every_method_rule_has_a_source_and_every_inference_its_reason():
    for rule in SHIP_BACK_RULES:
        assert "platform-2026 §6" in rule.source
        if "[I" in rule.source:
            assert "[I:" in rule.source  # an inference says why


@pytest.mark.parametrize(
    ("shipment", "handover", "method"),
    [
        ("BUYER_ARRANGE", None, M.SELF_ARRANGED),
        ("BUYER_ARRANGE", "DROP_OFF", M.SELF_ARRANGED),
        ("PLATFORM", "PICKUP", M.PICKUP),
        ("PLATFORM", "DROP_OFF", M.DROP_OFF),
        ("PLATFORM", None, M.DROP_OFF),
        (None, None, None),
        ("SELLER_ARRANGE", None, None),
    ],
)
def test_the_method_is_read_from_the_platform_fields(shipment, handover, method):
    assert method_of_fields(shipment, handover) is method


def _approved(region="US", **payload):
    case = open_case(
        R.RETURN_AND_REFUND, case_id="c", order_id="o", region=region, lines=usd_lines(), at=T0
    )
    return apply(case, "approve", Actor.SELLER, T0, payload or None)


def test_the_clock_takes_the_window_of_the_cases_method():
    dropped = running_deadlines(_approved(return_method="drop_off"))
    arranged = running_deadlines(_approved(return_method="self_arranged"))
    assert dropped[0].window is Window.BUYER_SHIP_BACK
    assert "label or QR" in dropped[0].rule_source
    assert "upload tracking" in arranged[0].rule_source
    assert str(dropped[0].duration) == "14 calendar days"  # counted in the market's zone


def test_a_seller_created_return_takes_its_method_from_create_return():
    case = open_case(
        R.RETURN_AND_REFUND,
        case_id="c",
        order_id="o",
        region="ID",
        lines=usd_lines(),
        at=T0,
        event="create_return",
        payload={"shipment_type": "PLATFORM", "handover_method": "PICKUP"},
    )
    assert return_method_of(case) is M.PICKUP
    (deadline,) = running_deadlines(case)
    assert "3 attempts" in deadline.rule_source
    assert advance(case, T0 + timedelta(days=10)).state is State.CLOSED


def test_the_latest_payload_naming_a_method_wins():
    case = _approved(region="ID", return_method="drop_off")
    case = apply(case, "generate_label", Actor.SYSTEM, T0, {"return_method": "pickup"})
    assert return_method_of(case) is M.PICKUP
    assert return_method_of(fresh(R.RETURN_AND_REFUND)) is None


def test_a_policy_that_changes_the_window_wins_over_the_method_rules():
    policy = DEFAULT_POLICY.with_window(region="US", window="buyer_ship_back", duration="7d")
    case = _approved(return_method="drop_off")
    (deadline,) = running_deadlines(case, policy)
    assert str(deadline.duration) == "7 calendar days"


def test_an_unknown_method_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as info:
        _approved(return_method="carrier_pigeon")
    assert info.value.field == "payload.return_method"
    with pytest.raises(InvalidValue):
        ship_back_rule("US", "carrier_pigeon")


def test_a_return_record_says_its_method_and_sync_carries_it_onto_the_case():
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from tiktok_aftersales.platform import parse_returns_page
    from tiktok_aftersales.platform.record import PlatformRecord, RecordSource, record_of
    from tiktok_aftersales.sync import open_from_snapshot

    fixture = Path(__file__).resolve().parent / "fixtures" / "platform"
    page = parse_returns_page(
        json.loads((fixture / "returns_search_response.live.json").read_text(encoding="utf-8"))
    )
    methods = {
        (r.shipment_type, r.handover_method): record_of(r).return_method for r in page.returns
    }
    assert methods[(None, None)] is None  # refund-only records name no shipment
    assert {m for m in methods.values() if m is not None} <= set(M)
    assert any(m is not None for m in methods.values())
    record = PlatformRecord(
        RecordSource.RETURN,
        "4035000000000000001",
        "577000000000000001",
        R.RETURN_AND_REFUND,
        frozenset({State.AWAITING_BUYER_SHIPMENT}),
        role=Actor.BUYER,
        update_time=datetime(2026, 3, 3, tzinfo=UTC),
        return_method=M.SELF_ARRANGED,
    )
    case = open_from_snapshot(record, case_id="c", region="US", lines=usd_lines()).case
    assert [x.event for x in case.history] == ["request", "approve"]
    assert return_method_of(case) is M.SELF_ARRANGED
    (deadline,) = running_deadlines(case)
    assert "upload tracking" in deadline.rule_source
