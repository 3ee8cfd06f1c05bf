"""The domain values: vocabulary, money, calendars, the case and its effects.

The innermost layer: it imports nothing of the package but
[`tiktok_aftersales.errors`][tiktok_aftersales.errors].
"""

from __future__ import annotations

from .calendars import (
    Duration,
    DurationUnit,
    WorkingCalendar,
    add_calendar_days,
    add_duration,
    add_hours,
    require_aware,
    zone,
)
from .case import (
    AfterSalesCase,
    AppliedEvent,
    Offer,
    PlatformDeadline,
    new_case,
    return_status,
)
from .effects import (
    Effect,
    EffectKind,
)
from .ledger import (
    OrderLedger,
)
from .money import (
    Breakdown,
    Money,
    OrderLine,
    Refund,
    RefundLevel,
    RefundLine,
    check_refund,
    to_decimal,
)
from .serialize import (
    SCHEMA_VERSION,
    DecodeError,
    EncodeError,
    case_from_dict,
    case_from_json,
    case_to_dict,
    case_to_json,
    effect_from_dict,
    effect_to_dict,
    event_from_dict,
    event_to_dict,
)
from .shipping import (
    REFUNDED_BEFORE_SHIPMENT_MESSAGE,
    SHIPPING_BLOCKED_MESSAGE,
    ShippingCheck,
    shipping_check,
)
from .vocabulary import (
    REGIONS,
    AbnormalReason,
    Actor,
    Arbitration,
    Disposition,
    Event,
    OrderStage,
    Region,
    RequestType,
    ReturnStatus,
    Solution,
    State,
    Window,
    member,
    region,
)

__all__ = [
    "REFUNDED_BEFORE_SHIPMENT_MESSAGE",
    "REGIONS",
    "SCHEMA_VERSION",
    "SHIPPING_BLOCKED_MESSAGE",
    "AbnormalReason",
    "Actor",
    "AfterSalesCase",
    "AppliedEvent",
    "Arbitration",
    "Breakdown",
    "DecodeError",
    "Disposition",
    "Duration",
    "DurationUnit",
    "Effect",
    "EffectKind",
    "EncodeError",
    "Event",
    "Money",
    "Offer",
    "OrderLedger",
    "OrderLine",
    "OrderStage",
    "PlatformDeadline",
    "Refund",
    "RefundLevel",
    "RefundLine",
    "Region",
    "RequestType",
    "ReturnStatus",
    "ShippingCheck",
    "Solution",
    "State",
    "Window",
    "WorkingCalendar",
    "add_calendar_days",
    "add_duration",
    "add_hours",
    "case_from_dict",
    "case_from_json",
    "case_to_dict",
    "case_to_json",
    "check_refund",
    "effect_from_dict",
    "effect_to_dict",
    "event_from_dict",
    "event_to_dict",
    "member",
    "new_case",
    "region",
    "require_aware",
    "return_status",
    "shipping_check",
    "to_decimal",
    "zone",
]
