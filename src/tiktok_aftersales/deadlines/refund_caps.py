"""The automatic partial refunds a seller may set up, and their caps, as data with the source.

A US seller may set rules (Seller Center: Orders, Preference Settings,
Partial Refund) under which a buyer asking for a return may choose a partial
refund instead, keeping the item; the platform then refunds automatically.
The US Seller Academy page on partial refunds
(https://seller-us.tiktok.com/university/essay?knowledge_id=2434329678595882,
``platform-2026.md`` §7) bounds such a rule:

- only returnable categories, and items priced from USD 10 to USD 100;
- a refund percentage from 10 % to 50 % of the item's price;
- a refund of at least USD 5 and at most USD 50;
- a returnless refund (the platform's or the seller's preference) takes
  precedence over a partial refund; appeals against refunds made by a
  seller's own rule are not accepted.

Each `AutoPartialRefundRule` holds one market's bounds; `auto_partial_refund`
works out the refund a rule gives for an item and refuses what the bounds
rule out with typed errors naming the field and the value. Markets with no
published rule have none here (a rule for them is refused, not guessed).

What the page says about a partial refund *after inspecting* a returned
parcel (a deduction "from 10 % to 50 % depending on damage and market, the
US allowing 0 % to 50 %") is not modelled as a cap: the two published
summaries of the page disagree on it. That refund is bounded by what the
request asked (the lifecycle's ``refund_after_inspection``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import attrs

from ..domain.money import Money, to_decimal
from ..domain.vocabulary import Region
from ..errors import CurrencyMismatch, InvalidValue

__all__ = [
    "AUTO_PARTIAL_REFUNDS",
    "AutoPartialRefundRule",
    "auto_partial_refund",
    "auto_partial_refund_rule",
]

_US = "https://seller-us.tiktok.com/university/essay?knowledge_id=2434329678595882"


def _percent(value: Any, field: str = "percent") -> Decimal:
    if isinstance(value, bool):
        raise InvalidValue(field, value, "a percentage (a number from 0 to 100)")
    return to_decimal(value, field)


def _code(value: Any) -> str:
    if isinstance(value, Region):
        return value.code
    if isinstance(value, str) and len(value.strip()) == 2 and value.strip().isalpha():
        return value.strip().upper()
    raise InvalidValue("region", value, "a two-letter region code or a Region")


@attrs.frozen
class AutoPartialRefundRule:
    """The bounds of a seller's automatic partial-refund rule in one market.

    Attributes:
        region: The market's code.
        price_min: The cheapest eligible item.
        price_max: The dearest eligible item.
        percent_min: The smallest refund percentage a rule may set.
        percent_max: The largest refund percentage a rule may set.
        refund_min: The smallest refund (the floor of a computed refund [I]).
        refund_max: The largest refund (the ceiling of a computed refund [I]).
        source: Where the bounds come from.

    """

    region: str = attrs.field(converter=_code)
    price_min: Money
    price_max: Money
    percent_min: Decimal = attrs.field(converter=_percent)
    percent_max: Decimal = attrs.field(converter=_percent)
    refund_min: Money
    refund_max: Money
    source: str

    @property
    def currency(self) -> str:
        """The currency of the bounds."""
        return self.price_min.currency


def _usd(value: str) -> Money:
    return Money(value, "USD")


AUTO_PARTIAL_REFUNDS: tuple[AutoPartialRefundRule, ...] = (
    AutoPartialRefundRule(
        "US",
        _usd("10"),
        _usd("100"),
        "10",
        "50",
        _usd("5"),
        _usd("50"),
        f"platform-2026 §7: US Seller Academy, Partial Refunds ({_US}): items USD 10-100, "
        "10 %-50 %, refunds USD 5-50, returnable categories only",
    ),
)
"""The markets whose automatic partial-refund bounds are published (the US only)."""


def auto_partial_refund_rule(
    region: Region | str, rules: tuple[AutoPartialRefundRule, ...] = AUTO_PARTIAL_REFUNDS
) -> AutoPartialRefundRule:
    """The bounds of automatic partial refunds in a market.

    Raises:
        InvalidValue: The market has no published bounds (or the code is malformed).

    """
    code = _code(region)
    found = next((r for r in rules if r.region == code), None)
    if found is None:
        known = ", ".join(r.region for r in rules) or "none"
        raise InvalidValue(
            "region", code, f"no automatic partial-refund rules are published here ({known})"
        )
    return found


def auto_partial_refund(
    region: Region | str,
    item_price: Money,
    percent: Decimal | int | str,
    rules: tuple[AutoPartialRefundRule, ...] = AUTO_PARTIAL_REFUNDS,
) -> Money:
    """The refund a seller's automatic partial-refund rule gives for one item.

    The refund is ``percent`` of the item's price, rounded to the cent, and
    held within the market's smallest and largest refund [I: the page gives
    "a minimum refund of $5 and a maximum of $50" without saying whether a
    computed amount outside them is raised, lowered or refused; it is held
    within them, never above the item's price].

    Args:
        region: The market.
        item_price: What the item cost.
        percent: The rule's refund percentage (``"25"`` for 25 %).
        rules: The published bounds (default `AUTO_PARTIAL_REFUNDS`).

    Returns:
        The refund.

    Raises:
        InvalidValue: The market has no published bounds, the item's price
            is outside the eligible range (field ``item_price``), or the
            percentage is outside the allowed range (field ``percent``).
        CurrencyMismatch: The price is not in the bounds' currency.

    """
    rule = auto_partial_refund_rule(region, rules)
    if not isinstance(item_price, Money):
        raise InvalidValue("item_price", item_price, "Money")
    if item_price.currency != rule.currency:
        raise CurrencyMismatch("item_price", item_price, rule.currency)
    if not rule.price_min <= item_price <= rule.price_max:
        raise InvalidValue(
            "item_price",
            item_price,
            f"eligible items cost {rule.price_min} to {rule.price_max} ({rule.source})",
        )
    share = _percent(percent)
    if not rule.percent_min <= share <= rule.percent_max:
        raise InvalidValue(
            "percent",
            percent,
            f"a rule refunds {rule.percent_min} % to {rule.percent_max} % ({rule.source})",
        )
    raw = (item_price.amount * share / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    amount = min(max(raw, rule.refund_min.amount), rule.refund_max.amount, item_price.amount)
    return Money(amount, rule.currency)
