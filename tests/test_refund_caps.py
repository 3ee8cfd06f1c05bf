"""The automatic partial-refund bounds of the US Seller Academy page, as data (platform-2026 §7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales import Money
from tiktok_aftersales.deadlines.refund_caps import (
    AUTO_PARTIAL_REFUNDS,
    auto_partial_refund,
    auto_partial_refund_rule,
)
from tiktok_aftersales.errors import CurrencyMismatch, FloatAmount, InvalidValue


def usd(x):
    return Money(x, "USD")


def test_the_us_bounds_carry_the_published_figures_and_their_source():
    rule = auto_partial_refund_rule("US")
    assert (rule.price_min, rule.price_max) == (usd("10"), usd("100"))
    assert (rule.percent_min, rule.percent_max) == (Decimal(10), Decimal(50))
    assert (rule.refund_min, rule.refund_max) == (usd("5"), usd("50"))
    assert "knowledge_id=2434329678595882" in rule.source
    assert [r.region for r in AUTO_PARTIAL_REFUNDS] == ["US"]


@pytest.mark.parametrize(
    ("price", "percent", "refund"),
    [
        ("40.00", "25", "10.00"),
        ("100", "50", "50.00"),
        ("19.99", "30", "6.00"),  # 5.997 rounded to the cent
        ("10", "10", "5"),  # 1.00 raised to the smallest refund
        ("12", "10", "5"),
    ],
)
def test_the_refund_is_the_share_of_the_price_held_within_the_bounds(price, percent, refund):
    assert auto_partial_refund("US", usd(price), percent) == usd(refund)


@given(
    price=st.decimals(min_value=10, max_value=100, places=2),
    percent=st.integers(min_value=10, max_value=50),
)
def test_an_automatic_refund_never_leaves_the_published_bounds(price, percent):
    refund = auto_partial_refund("US", usd(price), percent)
    assert usd("5") <= refund <= usd("50")
    assert refund <= usd(price)


@pytest.mark.parametrize("price", ["9.99", "100.01", "0"])
def test_an_item_outside_the_eligible_prices_is_refused_naming_it(price):
    with pytest.raises(InvalidValue) as info:
        auto_partial_refund("US", usd(price), "20")
    assert info.value.field == "item_price"
    assert info.value.value == usd(price)


@pytest.mark.parametrize("percent", ["9.9", "51", 0, 100])
def test_a_percentage_outside_the_range_is_refused_naming_it(percent):
    with pytest.raises(InvalidValue) as info:
        auto_partial_refund("US", usd("50"), percent)
    assert info.value.field == "percent"


def test_malformed_percentages_currencies_and_markets_are_typed_errors():
    with pytest.raises(FloatAmount):
        auto_partial_refund("US", usd("50"), 20.0)
    with pytest.raises(InvalidValue):
        auto_partial_refund("US", usd("50"), True)
    with pytest.raises(CurrencyMismatch):
        auto_partial_refund("US", Money("50", "EUR"), "20")
    with pytest.raises(InvalidValue) as info:
        auto_partial_refund("GB", Money("50", "GBP"), "20")
    assert info.value.field == "region" and "published" in str(info.value)
    with pytest.raises(InvalidValue):
        auto_partial_refund("US", "50", "20")
