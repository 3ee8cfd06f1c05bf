"""Policies as values: defaults with sources, overrides, lookup order, serialisation."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktok_aftersales import (
    Actor,
    InvalidValue,
    RequestType,
    Window,
)
from tiktok_aftersales.deadlines.policy import (
    CHANNEL_MANAGER_POLICY,
    DEFAULT_POLICY,
    POLICIES,
    WINDOW_ACTORS,
    Policy,
    WindowRule,
    named_policy,
    policy_table,
    to_markdown,
)
from tiktok_aftersales.domain import region
from tiktok_aftersales.domain.calendars import Duration
from tiktok_aftersales.lifecycle import LIFECYCLES

RR = RequestType.RETURN_AND_REFUND


def d(region_code: str, kind: RequestType, window: Window) -> str:
    return str(DEFAULT_POLICY.duration(region_code, kind, window))


# --- defaults from platform-api.md §3 -------------------------------------------------------


def test_global_seller_response_is_48_hours() -> None:
    for kind in (RequestType.REFUND_ONLY, RR, RequestType.RESHIPMENT):
        assert d("GB", kind, Window.SELLER_RESPONSE) == "48 h"
    assert d("GB", RR, Window.SELLER_RECEIPT) == "48 h"
    assert d("GB", RequestType.BUYER_CANCELLATION, Window.SELLER_CANCELLATION_RESPONSE) == "48 h"


def test_indonesia_windows() -> None:
    assert d("ID", RR, Window.SELLER_RESPONSE) == "48 h"
    assert d("ID", RR, Window.BUYER_DISPUTE) == "48 h"
    assert d("ID", RR, Window.BUYER_SHIP_BACK) == "10 calendar days"
    assert d("ID", RequestType.REFUND_ONLY, Window.SELLER_RESPONSE) == "2 calendar days"
    assert d("ID", RR, Window.SELLER_RECEIPT) == "8 calendar days"
    assert DEFAULT_POLICY.rule("ID", RR, Window.SELLER_RECEIPT).starts_after == "ship_back"


@pytest.mark.parametrize("code", ["VN", "TH"])
def test_vietnam_and_thailand_give_sellers_one_working_day(code: str) -> None:
    assert d(code, RR, Window.SELLER_RESPONSE) == "1 working day"
    assert d(code, RequestType.REFUND_ONLY, Window.SELLER_RESPONSE) == "1 working day"


def test_us_buyer_cancellation_is_24_hours_and_replacement_is_24_hours_everywhere() -> None:
    assert d("US", RequestType.BUYER_CANCELLATION, Window.SELLER_CANCELLATION_RESPONSE) == "24 h"
    # the 24 h replacement window is the overview's, not only the US's (platform-2026 §6)
    for code in ("US", "GB", "ID"):
        assert d(code, RequestType.EXCHANGE, Window.SELLER_REPLACEMENT_RESPONSE) == "24 h"


def test_buyer_ship_back_is_14_days_in_the_us_and_10_in_indonesia() -> None:
    assert d("US", RR, Window.BUYER_SHIP_BACK) == "14 calendar days"
    assert d("ID", RR, Window.BUYER_SHIP_BACK) == "10 calendar days"
    for code in ("US", "ID"):
        assert "platform-2026" in DEFAULT_POLICY.rule(code, RR, Window.BUYER_SHIP_BACK).source


@pytest.mark.parametrize("code", ["VN", "TH"])
def test_refund_only_is_one_working_day_in_thailand_and_vietnam_with_its_source(code: str) -> None:
    rule = DEFAULT_POLICY.rule(code, RequestType.REFUND_ONLY, Window.SELLER_RESPONSE)
    assert str(rule.duration) == "1 working day"
    assert "Refund-Only" in rule.source


def test_lost_parcel_after_seven_days() -> None:
    assert d("US", RR, Window.RETURN_TRANSIT) == "7 calendar days"


def test_refund_only_24_hours_is_the_channel_manager_policy() -> None:
    assert d("US", RequestType.REFUND_ONLY, Window.SELLER_RESPONSE) == "48 h"
    cm = CHANNEL_MANAGER_POLICY
    assert str(cm.duration("US", RequestType.REFUND_ONLY, Window.SELLER_RESPONSE)) == "24 h"
    assert "seed 004" in cm.rule("US", RequestType.REFUND_ONLY, Window.SELLER_RESPONSE).source
    # a region rule still wins over a type rule for any region
    assert str(cm.duration("TH", RequestType.REFUND_ONLY, Window.SELLER_RESPONSE)) == (
        "1 working day"
    )
    assert str(cm.duration("US", RR, Window.SELLER_RESPONSE)) == "48 h"


def test_every_default_rule_names_its_source_and_inferences_are_marked() -> None:
    for rule in DEFAULT_POLICY.rules:
        assert rule.source.strip(), rule
    for window in (Window.REFUND_PROCESSING, Window.BUYER_OFFER_RESPONSE):
        assert "[I]" in DEFAULT_POLICY.rule("GB", RR, window).source


def test_every_window_the_declaration_uses_has_a_length_in_every_region() -> None:
    used = {t.timeout for lc in LIFECYCLES.values() for t in lc.transitions if t.timeout}
    assert used <= set(Window)
    for code in ("US", "GB", "ID", "TH", "VN", "MY", "BR"):
        for kind in RequestType:
            for window in Window:
                assert isinstance(DEFAULT_POLICY.duration(code, kind, window), Duration)


def test_every_window_says_who_must_act() -> None:
    assert set(WINDOW_ACTORS) == set(Window)
    assert WINDOW_ACTORS[Window.SELLER_RESPONSE] is Actor.SELLER
    assert WINDOW_ACTORS[Window.BUYER_SHIP_BACK] is Actor.BUYER
    assert WINDOW_ACTORS[Window.REFUND_PROCESSING] is Actor.OPERATOR
    assert WINDOW_ACTORS[Window.RETURN_TRANSIT] is Actor.LOGISTICS


# --- lookup order and overrides -------------------------------------------------------------


def test_most_specific_rule_wins() -> None:
    p = (
        DEFAULT_POLICY.with_window(window=Window.BUYER_DISPUTE, duration="10h")
        .with_window(window=Window.BUYER_DISPUTE, duration="20h", request_type=RR)
        .with_window(window=Window.BUYER_DISPUTE, duration="30h", region="MY")
        .with_window(window=Window.BUYER_DISPUTE, duration="40h", region="MY", request_type=RR)
    )
    exchange = RequestType.EXCHANGE
    assert str(p.duration("GB", exchange, Window.BUYER_DISPUTE)) == "10 h"
    assert str(p.duration("GB", RR, Window.BUYER_DISPUTE)) == "20 h"
    assert str(p.duration("MY", exchange, Window.BUYER_DISPUTE)) == "30 h"
    assert str(p.duration("MY", RR, Window.BUYER_DISPUTE)) == "40 h"


def test_host_override_for_one_region_and_type_leaves_the_rest() -> None:
    p = DEFAULT_POLICY.with_window(
        region=region("ID"), request_type=RR, window="buyer_ship_back", duration=Duration.days(7)
    )
    assert str(p.duration("ID", RR, Window.BUYER_SHIP_BACK)) == "7 calendar days"
    assert str(p.duration("ID", RequestType.EXCHANGE, Window.BUYER_SHIP_BACK)) == (
        "10 calendar days"
    )
    assert p.rule("ID", RR, Window.BUYER_SHIP_BACK).source == "host override"
    assert p != DEFAULT_POLICY
    assert DEFAULT_POLICY.differences(p) == (
        (("ID", RR, Window.BUYER_SHIP_BACK), None, Duration.days(7)),
    )


def test_replacing_a_rule_keeps_one_rule_per_key() -> None:
    p = DEFAULT_POLICY.with_window(region="ID", window="seller_response", duration="24h")
    assert len(p.rules) == len(DEFAULT_POLICY.rules)
    back = p.with_window(
        region="ID",
        window="seller_response",
        duration="48h",
        source=DEFAULT_POLICY.rule("ID", RR, Window.SELLER_RESPONSE).source,
    )
    assert back == DEFAULT_POLICY


def test_without_window_falls_back_to_the_general_rule() -> None:
    p = DEFAULT_POLICY.without_window(window=Window.SELLER_RESPONSE, region="TH")
    assert str(p.duration("TH", RR, Window.SELLER_RESPONSE)) == "48 h"
    with pytest.raises(InvalidValue) as err:
        DEFAULT_POLICY.without_window(window=Window.SELLER_RESPONSE, region=None)
    assert err.value.field == "rules"


def test_policies_compare_by_value_whatever_the_rule_order() -> None:
    reordered = Policy("default", tuple(reversed(DEFAULT_POLICY.rules)))
    assert reordered == DEFAULT_POLICY
    assert hash(reordered) == hash(DEFAULT_POLICY)


def test_holidays_belong_to_the_policy_and_feed_the_region_calendar() -> None:
    p = DEFAULT_POLICY.with_holidays("TH", [date(2026, 4, 13), "2026-04-14"])
    assert p.holidays_for("TH") == (date(2026, 4, 13), date(2026, 4, 14))
    assert p.holidays_for("VN") == ()
    cal = p.calendar(region("TH"))
    assert not cal.is_working_day(date(2026, 4, 13))
    assert cal.weekend == frozenset({6, 7})
    assert cal.timezone == "Asia/Bangkok"
    assert p != DEFAULT_POLICY


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"window": "nap_time", "duration": "1h"}, "window"),
        ({"window": "seller_response", "duration": "soon"}, "duration"),
        ({"window": "seller_response", "duration": "1h", "region": "USA"}, "region"),
        ({"window": "seller_response", "duration": "1h", "request_type": "swap"}, "request_type"),
        ({"window": "seller_response", "duration": "1h", "starts_after": "nap"}, "starts_after"),
    ],
)
def test_malformed_overrides_are_refused_and_the_policy_unchanged(
    kwargs: dict[str, object], field: str
) -> None:
    before = DEFAULT_POLICY.to_dict()
    with pytest.raises(InvalidValue) as err:
        DEFAULT_POLICY.with_window(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    assert DEFAULT_POLICY.to_dict() == before


def test_a_policy_must_cover_every_window_for_any_region() -> None:
    with pytest.raises(InvalidValue) as err:
        Policy("tiny", [WindowRule(Window.SELLER_RESPONSE, "48h", "x")])
    assert err.value.field == "rules"
    assert "buyer_dispute" in err.value.value


def test_duplicate_rules_are_refused() -> None:
    rule = DEFAULT_POLICY.rules[0]
    with pytest.raises(InvalidValue) as err:
        Policy("dup", (*DEFAULT_POLICY.rules, rule))
    assert err.value.field == "rules"


def test_unknown_policy_names_list_the_known_ones() -> None:
    assert named_policy("default") is DEFAULT_POLICY
    assert named_policy("channel_manager") is CHANNEL_MANAGER_POLICY
    mine = DEFAULT_POLICY.renamed("mine")
    assert named_policy("mine", {"mine": mine}) is mine
    with pytest.raises(InvalidValue) as err:
        named_policy("fastest")
    assert err.value.field == "policy"
    assert "channel_manager" in err.value.reason
    assert set(POLICIES) == {"default", "channel_manager"}


# --- serialisation --------------------------------------------------------------------------


@pytest.mark.parametrize("policy", list(POLICIES.values()))
def test_policies_round_trip_through_json(policy: Policy) -> None:
    text = json.dumps(policy.with_holidays("VN", ["2026-04-30"]).to_dict())
    back = Policy.from_dict(json.loads(text))
    assert back == policy.with_holidays("VN", ["2026-04-30"])
    assert back.name == policy.name


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], "policy"),
        ({"rules": "all"}, "policy.rules"),
        ({"rules": [{"window": "seller_response"}]}, "rule.duration"),
        ({"rules": [], "holidays": ["2026-01-01"]}, "policy.holidays"),
    ],
)
def test_malformed_policy_data_is_refused(data: object, field: str) -> None:
    with pytest.raises(InvalidValue) as err:
        Policy.from_dict(data)  # type: ignore[arg-type]
    assert err.value.field == field


_WINDOWS = st.sampled_from(list(Window))
_OVERRIDES = st.lists(
    st.tuples(
        st.sampled_from([None, "ID", "TH", "US"]),
        st.sampled_from([None, *RequestType]),
        _WINDOWS,
        st.builds(Duration, st.integers(0, 500), st.sampled_from(["hours", "calendar_days"])),
    ),
    max_size=8,
)


@settings(max_examples=100, deadline=None)
@given(overrides=_OVERRIDES)
def test_any_overridden_policy_round_trips_and_the_last_override_wins(
    overrides: list[tuple[str | None, RequestType | None, Window, Duration]],
) -> None:
    p = DEFAULT_POLICY
    for code, kind, window, duration in overrides:
        p = p.with_window(region=code, request_type=kind, window=window, duration=duration)
    assert Policy.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    last: dict[tuple[str | None, RequestType | None, Window], Duration] = {}
    for code, kind, window, duration in overrides:
        last[(code, kind, window)] = duration
    for (code, kind, window), duration in last.items():
        if code is not None and kind is not None:
            assert p.duration(code, kind, window) == duration


# --- the generated table --------------------------------------------------------------------


def test_policy_table_has_one_row_per_rule_and_renders_markdown() -> None:
    rows = policy_table(DEFAULT_POLICY)
    assert len(rows) == len(DEFAULT_POLICY.rules)
    text = to_markdown(rows)
    assert text.splitlines()[0].startswith("| region | request type | window |")
    assert len(text.splitlines()) == len(rows) + 2
    assert "| ID | any | seller_receipt | seller | 8 calendar days | last ship_back |" in text


# --- docs/deadlines.md stays generated and runnable -----------------------------------------

DOC = Path(__file__).parent.parent / "docs" / "deadlines.md"


def _generated_tables() -> dict[str, str]:
    from tiktok_aftersales.deadlines.clock import arbitration_table, timeout_table

    return {
        "policy-table": to_markdown(policy_table(DEFAULT_POLICY)),
        "timeout-table": to_markdown(timeout_table()),
        "arbitration-table": to_markdown(arbitration_table()),
    }


@pytest.mark.parametrize("name", ["policy-table", "timeout-table", "arbitration-table"])
def test_the_docs_tables_are_the_generated_ones(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert found is not None, f"markers for {name} missing"
    assert found.group(1) == _generated_tables()[name], (
        f"regenerate the {name} in docs/deadlines.md with to_markdown(...)"
    )


def test_the_docs_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {"print": lambda *_a, **_k: None})
