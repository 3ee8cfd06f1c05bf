"""The buyer's ship-back window by return method, as data (``platform-2026.md`` §6).

How long a buyer has to send a return back depends on the market and on how
the parcel goes: a platform label or QR handed over at a drop-off point, a
carrier pick-up, or the buyer's own carrier (self-arranged, tracking
uploaded). Each `ShipBackRule` holds one such fact with its source; a
method the sources say nothing about for a market falls back to the
policy's ``buyer_ship_back`` window for that market (US 14 days, ID 10
days, otherwise 10 days [I]).

| market | drop-off | pick-up | self-arranged |
|---|---|---|---|
| US | 14 days (label or QR valid 14 days) | policy (14 days) [I] | 14 days to upload tracking |
| ID | 10 calendar days | 10 days [I: 3 days to choose, 3 attempts, then drop-off] | 10 days |
| other | policy | policy | policy |

A case's method is the latest ``return_method`` in its history's payloads
(`return_method_of`), or what ``shipment_type`` and ``handover_method`` say
(`method_of_fields`, the fields of a return record and of Create Return).
The clock ([`running_deadlines`][tiktok_aftersales.deadlines.clock.running_deadlines])
takes the ship-back window from `ship_back_rule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from ..domain.calendars import Duration
from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Region, RequestType, ReturnMethod, Window, member
from .policy import DEFAULT_POLICY, Policy, WindowRule, region_code

__all__ = [
    "SHIP_BACK_RULES",
    "ShipBackRule",
    "method_of_fields",
    "return_method_of",
    "ship_back_rule",
]

_US = "https://business.tiktokshop.com/us/blog/detail/10021817"
_ID = "https://seller-id.tokopedia.com/university/essay?knowledge_id=7753805756614401"


def _method(value: Any) -> ReturnMethod:
    return member(ReturnMethod, value, "return_method")


def _duration(value: Any) -> Duration:
    return value if isinstance(value, Duration) else Duration.parse(value)


@attrs.frozen
class ShipBackRule:
    """How long a buyer has to ship a return back by one method in one market.

    Attributes:
        method: The return method.
        duration: The window, counted from the approval (entering the wait
            for the buyer's shipment).
        source: Where the fact comes from (``[I]`` for an inference, with why).
        region: A region code, or ``None`` for every region.

    """

    method: ReturnMethod = attrs.field(converter=_method)
    duration: Duration = attrs.field(converter=_duration)
    source: str
    region: str | None = attrs.field(default=None, converter=region_code)


SHIP_BACK_RULES: tuple[ShipBackRule, ...] = (
    ShipBackRule(
        ReturnMethod.DROP_OFF,
        "14d",
        f"platform-2026 §6: US prepaid label or QR valid 14 days from approval ({_US})",
        "US",
    ),
    ShipBackRule(
        ReturnMethod.SELF_ARRANGED,
        "14d",
        f"platform-2026 §6: US self-arranged return, 14 days to upload tracking ({_US})",
        "US",
    ),
    ShipBackRule(
        ReturnMethod.DROP_OFF,
        "10d",
        f"platform-2026 §6: ID drop-off within 10 calendar days of approval ({_ID})",
        "ID",
    ),
    ShipBackRule(
        ReturnMethod.SELF_ARRANGED,
        "10d",
        f"platform-2026 §6: ID self-arranged, tracking within 10 days ({_ID})",
        "ID",
    ),
    ShipBackRule(
        ReturnMethod.PICKUP,
        "10d",
        f"platform-2026 §6: ID pick-up, 3 days to choose, 3 attempts, then drop-off ({_ID}) "
        "[I: a failed pick-up falls back to the drop-off, within the same 10 days]",
        "ID",
    ),
)
"""The ship-back windows the sources give per market and method (the US pick-up is left to
the policy: the US source names labels, QR codes and self-arranged returns only)."""


def ship_back_rule(
    region: Region | str,
    method: ReturnMethod | str | None,
    policy: Policy = DEFAULT_POLICY,
    rules: Iterable[ShipBackRule] = SHIP_BACK_RULES,
    *,
    request_type: RequestType | str = RequestType.RETURN_AND_REFUND,
) -> WindowRule:
    """The ship-back window for a market and return method, as a policy rule.

    A rule for the market and method wins, then one for the method in every
    market; otherwise (or with no method) the policy's ``buyer_ship_back``
    window for the market. A policy that changes that window (its rule is
    not the default policy's) wins over the method rules: a simulated window
    applies to every case.

    Args:
        region: The market.
        method: How the parcel goes back (``None``: not known).
        policy: The policy to fall back on.
        rules: The method rules (default `SHIP_BACK_RULES`).
        request_type: The request type the policy is asked for.

    Raises:
        InvalidValue: The region, method or request type is malformed.

    """
    code = region_code(region)
    fallback = policy.rule(region, request_type, Window.BUYER_SHIP_BACK)
    if method is None or fallback != DEFAULT_POLICY.rule(
        region, request_type, Window.BUYER_SHIP_BACK
    ):
        return fallback
    which = _method(method)
    listed = tuple(rules)
    found = next((r for r in listed if r.method is which and r.region == code), None) or next(
        (r for r in listed if r.method is which and r.region is None), None
    )
    if found is None:
        return fallback
    return WindowRule(Window.BUYER_SHIP_BACK, found.duration, found.source, found.region)


_HANDOVER = {"DROP_OFF": ReturnMethod.DROP_OFF, "PICKUP": ReturnMethod.PICKUP}


def method_of_fields(shipment_type: str | None, handover_method: str | None) -> ReturnMethod | None:
    """The return method that ``shipment_type`` and ``handover_method`` name.

    ``BUYER_ARRANGE`` is self-arranged; ``PLATFORM`` goes by the handover
    (``DROP_OFF``, ``PICKUP``; none given: drop-off [I: the label or QR is
    handed over]). Anything else is ``None`` (not known).
    """
    if shipment_type == "BUYER_ARRANGE":
        return ReturnMethod.SELF_ARRANGED
    if handover_method in _HANDOVER:
        return _HANDOVER[handover_method]
    if shipment_type == "PLATFORM":
        return ReturnMethod.DROP_OFF
    return None


def return_method_of(case: AfterSalesCase) -> ReturnMethod | None:
    """The case's return method: the latest payload naming one, newest first.

    A payload names it with ``return_method`` (a `ReturnMethod` value), or
    with ``shipment_type`` / ``handover_method`` (the Create Return fields).
    """
    for item in reversed(case.history):
        payload = item.payload
        if not payload:
            continue
        given = payload.get("return_method")
        if given is not None:
            return ReturnMethod(given)
        found = method_of_fields(payload.get("shipment_type"), payload.get("handover_method"))
        if found is not None:
            return found
    return None
