"""Outside vocabularies as projections of the canonical lifecycle.

Each vocabulary is one table written canonical -> outside
([`Vocabulary`][tiktok_aftersales.codes.base.Vocabulary]); the reverse is derived.

- [`platform`][tiktok_aftersales.codes.platform]: the current Return & Refund API (return_status,
  return_type,
  role, arbitration_status, decisions, cancel_status, cancel_type, seller actions).
- `batch`: the 2026 batch returns (Aftersales Request and RMA statuses).
- [`legacy`][tiktok_aftersales.codes.legacy]: the legacy reverse API (reverse_status_value,
  reverse_type, …).
- [`tabs`][tiktok_aftersales.codes.tabs]: the connectors' Returns and Refunds grid.
- [`labels`][tiktok_aftersales.codes.labels]: ERP labels and return status, channel-manager labels,
  Seller Centre tags.
- [`explain`][tiktok_aftersales.codes.explain]:
  [`explain_value`][tiktok_aftersales.codes.explain.explain_value] and
  [`views`][tiktok_aftersales.codes.explain.views].
"""

from __future__ import annotations

from .base import ALL_CANONICAL, Canonical, UnknownCode, Vocabulary, canonical
from .batch import (
    AFTERSALES_STATUS,
    RMA_STATUS,
    AftersalesStatusCode,
    RefundStatusCode,
    RmaStatusCode,
)
from .explain import (
    VOCABULARIES,
    CaseViews,
    Meaning,
    canonical_table,
    explain_value,
    markdown_table,
    opening_event,
    views,
)
from .labels import (
    CHANNEL_LABEL,
    ERP_LABEL,
    ERP_RETURN_STATUS,
    SELLER_CENTRE_TAG,
    ChannelLabel,
    ErpLabel,
    SellerCentreTag,
)
from .legacy import (
    LEGACY_EVENT_TYPE,
    LEGACY_STATUS,
    LEGACY_TYPE,
    LEGACY_USER,
    LegacyEventType,
    LegacyStatus,
    LegacyType,
    LegacyUser,
)
from .platform import (
    ARBITRATION,
    CANCEL_STATUS,
    CANCEL_TYPE,
    DECISION,
    OUTBOUND,
    RETURN_STATUS,
    RETURN_TYPE,
    ROLE,
    SELLER_ACTION,
    TERMINAL_RETURN_STATUSES,
    ArbitrationCode,
    CancelStatusCode,
    CancelTypeCode,
    DecisionCode,
    DecisionEndpoint,
    Outbound,
    ReturnStatusCode,
    ReturnTypeCode,
    RoleCode,
    SellerActionCode,
    seller_events,
)
from .tabs import (
    ALL_TAB,
    GRID_FILTER,
    GRID_TAB,
    TAB_OF_LEGACY,
    GridFilter,
    GridTab,
    TabCounts,
    grid_filter,
    grid_tab,
    tab_counts,
)

__all__ = [
    "AFTERSALES_STATUS",
    "ALL_CANONICAL",
    "ALL_TAB",
    "ARBITRATION",
    "CANCEL_STATUS",
    "CANCEL_TYPE",
    "CHANNEL_LABEL",
    "DECISION",
    "ERP_LABEL",
    "ERP_RETURN_STATUS",
    "GRID_FILTER",
    "GRID_TAB",
    "LEGACY_EVENT_TYPE",
    "LEGACY_STATUS",
    "LEGACY_TYPE",
    "LEGACY_USER",
    "OUTBOUND",
    "RETURN_STATUS",
    "RETURN_TYPE",
    "RMA_STATUS",
    "ROLE",
    "SELLER_ACTION",
    "SELLER_CENTRE_TAG",
    "TAB_OF_LEGACY",
    "TERMINAL_RETURN_STATUSES",
    "VOCABULARIES",
    "AftersalesStatusCode",
    "ArbitrationCode",
    "CancelStatusCode",
    "CancelTypeCode",
    "Canonical",
    "CaseViews",
    "ChannelLabel",
    "DecisionCode",
    "DecisionEndpoint",
    "ErpLabel",
    "GridFilter",
    "GridTab",
    "LegacyEventType",
    "LegacyStatus",
    "LegacyType",
    "LegacyUser",
    "Meaning",
    "Outbound",
    "RefundStatusCode",
    "ReturnStatusCode",
    "ReturnTypeCode",
    "RmaStatusCode",
    "RoleCode",
    "SellerActionCode",
    "SellerCentreTag",
    "TabCounts",
    "UnknownCode",
    "Vocabulary",
    "canonical",
    "canonical_table",
    "explain_value",
    "grid_filter",
    "grid_tab",
    "markdown_table",
    "opening_event",
    "seller_events",
    "tab_counts",
    "views",
]
