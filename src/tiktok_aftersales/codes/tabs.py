"""The marketplace connectors' "Returns and Refunds" grid (seeds 002 and 003).

The grid has one status tab per legacy ``reverse_status_value`` (the README
of the reference says so, and the tab names are the legacy names), plus
*All*, plus a filter by reverse type. The tab of a case is therefore derived:
canonical state -> legacy status ([`LEGACY_STATUS`][tiktok_aftersales.codes.legacy.LEGACY_STATUS])
-> tab ([`TAB_OF_LEGACY`][tiktok_aftersales.codes.tabs.TAB_OF_LEGACY]). Legacy 51 (CANCEL_SUCCESS,
withdrawn) and 99 (CLOSED) share the *Closed* tab.

Cases whose type the legacy API did not know (exchange, reshipment, abnormal
return, seller refund) are not in the grid: their tab is ``None``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from ..domain.vocabulary import RequestType
from .base import Canonical, Vocabulary
from .legacy import LEGACY_STATUS, LegacyStatus

if TYPE_CHECKING:
    from ..domain.case import AfterSalesCase

__all__ = [
    "ALL_TAB",
    "GRID_FILTER",
    "GRID_TAB",
    "TAB_OF_LEGACY",
    "GridFilter",
    "GridTab",
    "TabCounts",
    "grid_filter",
    "grid_tab",
    "tab_counts",
]

ALL_TAB = "All"
"""The tab that lists every case in the grid, whatever its status."""


class GridTab(enum.StrEnum):
    """The status tabs of the connector grid (seeds 002, 003), each exclusive."""

    AFTERSALE_APPLYING = "Aftersale Applying"
    AFTERSALE_REJECT_APPLICATION = "Aftersale Reject Application"
    AFTERSALE_RETURNING = "Aftersale Returning"
    AFTERSALE_BUYER_SHIPPED = "Aftersale Buyer Shipped"
    AFTERSALE_SELLER_REJECT_RECEIVE = "Aftersale Seller Reject Receive"
    AFTERSALE_SUCCESS = "Aftersale Success"
    CLOSED = "Closed"
    COMPLETE = "Complete"


class GridFilter(enum.StrEnum):
    """The grid's reverse-type filter (seed 003)."""

    REFUND_ONLY = "Refund Only"
    RETURN_AND_REFUND = "Return and Refund"


T = GridTab

TAB_OF_LEGACY: Mapping[LegacyStatus, GridTab] = MappingProxyType(
    {
        LegacyStatus.AFTERSALE_APPLYING: T.AFTERSALE_APPLYING,
        LegacyStatus.AFTERSALE_REJECT_APPLICATION: T.AFTERSALE_REJECT_APPLICATION,
        LegacyStatus.AFTERSALE_RETURNING: T.AFTERSALE_RETURNING,
        LegacyStatus.AFTERSALE_BUYER_SHIPPED: T.AFTERSALE_BUYER_SHIPPED,
        LegacyStatus.AFTERSALE_SELLER_REJECT_RECEIVE: T.AFTERSALE_SELLER_REJECT_RECEIVE,
        LegacyStatus.AFTERSALE_SUCCESS: T.AFTERSALE_SUCCESS,
        LegacyStatus.CANCEL_SUCCESS: T.CLOSED,
        LegacyStatus.CLOSED: T.CLOSED,
        LegacyStatus.COMPLETE: T.COMPLETE,
    }
)
"""Legacy status -> grid tab: the connector's own mapping (one tab per status)."""

GRID_TAB: Vocabulary[Canonical, GridTab] = Vocabulary.from_table(
    "grid_tab",
    "Marketplace connector Returns and Refunds grid: status tab",
    "seeds 002, 003; platform-api.md §1a",
    GridTab,
    {
        key: (TAB_OF_LEGACY[status] if status is not None else None)
        for key, status in LEGACY_STATUS.table.items()
    },
    absent="not in the grid: the legacy reverse API had no such request type",
    aliases={
        "Aftersale Reject Receive": T.AFTERSALE_SELLER_REJECT_RECEIVE,
        "Aftersale (Seller) Reject Receive": T.AFTERSALE_SELLER_REJECT_RECEIVE,
        "Aftersale Reject": T.AFTERSALE_REJECT_APPLICATION,
    },
)
"""Grid tab <-> canonical ``(type, state)`` (derived through the legacy status)."""

GRID_FILTER: Vocabulary[RequestType, GridFilter] = Vocabulary.from_table(
    "grid_filter",
    "Marketplace connector Returns and Refunds grid: reverse-type filter",
    "seed 003",
    GridFilter,
    {
        RequestType.REFUND_ONLY: GridFilter.REFUND_ONLY,
        RequestType.RETURN_AND_REFUND: GridFilter.RETURN_AND_REFUND,
        RequestType.BUYER_CANCELLATION: None,
        RequestType.EXCHANGE: None,
        RequestType.RESHIPMENT: None,
        RequestType.ABNORMAL_RETURN: None,
        RequestType.SELLER_REFUND: None,
    },
    absent="matched by no filter option (cancellations show only unfiltered)",
    aliases={
        "REFUND_ONLY": GridFilter.REFUND_ONLY,
        "RETURN_AND_REFUND": GridFilter.RETURN_AND_REFUND,
    },
)
"""Reverse-type filter option <-> request type."""


def grid_tab(case: AfterSalesCase) -> GridTab | None:
    """The one status tab the case is listed under (``None``: not in the grid)."""
    return GRID_TAB.show(Canonical(case.request_type, case.state))


def grid_filter(case: AfterSalesCase) -> GridFilter | None:
    """The reverse-type filter option that selects the case (``None``: none does)."""
    return GRID_FILTER.show(case.request_type)


@attrs.frozen
class TabCounts:
    """How many cases each tab of the grid lists.

    Attributes:
        all: The *All* tab: every case in the grid (the sum of ``by_tab``).
        by_tab: Every status tab, zeros included.
        outside: Cases not in the grid at all (types the legacy API lacked).

    """

    all: int
    by_tab: Mapping[GridTab, int]
    outside: int = 0

    def __getitem__(self, tab: GridTab | str) -> int:
        if tab == ALL_TAB:
            return self.all
        return self.by_tab[GRID_TAB.parse(tab, "tab")]


def tab_counts(cases: Iterable[AfterSalesCase], only: GridFilter | str | None = None) -> TabCounts:
    """Count a collection of cases per grid tab, optionally under a reverse-type filter.

    Args:
        cases: Any iterable of cases (read once).
        only: A filter option; cases it does not select are left out (not
            counted as ``outside``).

    Raises:
        UnknownCode: ``only`` is not a filter option.

    """
    chosen = GRID_FILTER.parse(only, "only") if only is not None else None
    counts = dict.fromkeys(GridTab, 0)
    outside = 0
    for case in cases:
        if chosen is not None and grid_filter(case) is not chosen:
            continue
        tab = grid_tab(case)
        if tab is None:
            outside += 1
        else:
            counts[tab] += 1
    return TabCounts(sum(counts.values()), MappingProxyType(counts), outside)
