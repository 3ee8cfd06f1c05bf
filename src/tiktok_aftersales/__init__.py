"""tiktok-aftersales: TikTok Shop after-sales rules as one typed, pure model.

This front door holds the names a host uses every day: the case and its
values, the vocabulary, the pure lifecycle API, deadlines, the platform's
edge, the service and its ports, and the errors a caller catches. Everything
else is reached through its layer's subpackage:

- `tiktok_aftersales.domain`: values (money, calendars, effects, shipping holds,
  serialisation);
- `tiktok_aftersales.lifecycle`: the declaration, events, the engine, the machines;
- `tiktok_aftersales.codes`: platform codes, grid tabs, ERP and channel labels;
- `tiktok_aftersales.deadlines`: policies and the clock;
- [`tiktok_aftersales.platform`][tiktok_aftersales.platform]: readings of records and webhooks,
  outbound requests;
- [`tiktok_aftersales.sync`][tiktok_aftersales.sync]: reconciliation with the platform;
- `tiktok_aftersales.app`: ports, the service, fakes and the contract kit;
- `tiktok_aftersales.analysis`: histories, replay, figures, simulation;
- [`tiktok_aftersales.diagrams`][tiktok_aftersales.diagrams],
  [`tiktok_aftersales.errors`][tiktok_aftersales.errors].
"""

from __future__ import annotations

from ._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from .app.ports import CaseStore, Clock, InventoryPort, PlatformPort
    from .app.service import AfterSalesService
    from .codes import explain_value, views
    from .deadlines.clock import advance, running_deadlines
    from .deadlines.policy import DEFAULT_POLICY, Policy
    from .domain.case import AfterSalesCase, AppliedEvent
    from .domain.effects import Effect, EffectKind
    from .domain.money import Breakdown, Money, OrderLine, Refund
    from .domain.serialize import case_from_json, case_to_json
    from .domain.shipping import shipping_check
    from .domain.vocabulary import (
        Actor,
        Event,
        OrderStage,
        Region,
        RequestType,
        ReturnStatus,
        State,
        Window,
    )
    from .errors import (
        AfterSalesError,
        ConcurrencyConflict,
        InvalidTransition,
        InvalidValue,
        OverRefund,
        UnknownCase,
    )
    from .lifecycle import allowed_events, apply, can_fire, dry_run, is_terminal, open_case
    from .platform import parse_webhook
    from .platform.decisions import build_decision
    from .platform.signature import verify_signature

_EXPORTS = {
    "CaseStore": ".app.ports",
    "Clock": ".app.ports",
    "InventoryPort": ".app.ports",
    "PlatformPort": ".app.ports",
    "AfterSalesService": ".app.service",
    "explain_value": ".codes",
    "views": ".codes",
    "advance": ".deadlines.clock",
    "running_deadlines": ".deadlines.clock",
    "DEFAULT_POLICY": ".deadlines.policy",
    "Policy": ".deadlines.policy",
    "AfterSalesCase": ".domain.case",
    "AppliedEvent": ".domain.case",
    "Effect": ".domain.effects",
    "EffectKind": ".domain.effects",
    "Breakdown": ".domain.money",
    "Money": ".domain.money",
    "OrderLine": ".domain.money",
    "Refund": ".domain.money",
    "case_from_json": ".domain.serialize",
    "case_to_json": ".domain.serialize",
    "shipping_check": ".domain.shipping",
    "Actor": ".domain.vocabulary",
    "Event": ".domain.vocabulary",
    "OrderStage": ".domain.vocabulary",
    "Region": ".domain.vocabulary",
    "RequestType": ".domain.vocabulary",
    "ReturnStatus": ".domain.vocabulary",
    "State": ".domain.vocabulary",
    "Window": ".domain.vocabulary",
    "AfterSalesError": ".errors",
    "ConcurrencyConflict": ".errors",
    "InvalidTransition": ".errors",
    "InvalidValue": ".errors",
    "OverRefund": ".errors",
    "UnknownCase": ".errors",
    "allowed_events": ".lifecycle",
    "apply": ".lifecycle",
    "can_fire": ".lifecycle",
    "dry_run": ".lifecycle",
    "is_terminal": ".lifecycle",
    "open_case": ".lifecycle",
    "parse_webhook": ".platform",
    "build_decision": ".platform.decisions",
    "verify_signature": ".platform.signature",
}
"""Each re-exported name and the module it is imported from on first use."""

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_POLICY",
    "Actor",
    "AfterSalesCase",
    "AfterSalesError",
    "AfterSalesService",
    "AppliedEvent",
    "Breakdown",
    "CaseStore",
    "Clock",
    "ConcurrencyConflict",
    "Effect",
    "EffectKind",
    "Event",
    "InvalidTransition",
    "InvalidValue",
    "InventoryPort",
    "Money",
    "OrderLine",
    "OrderStage",
    "OverRefund",
    "PlatformPort",
    "Policy",
    "Refund",
    "Region",
    "RequestType",
    "ReturnStatus",
    "State",
    "UnknownCase",
    "Window",
    "__version__",
    "advance",
    "allowed_events",
    "apply",
    "build_decision",
    "can_fire",
    "case_from_json",
    "case_to_json",
    "dry_run",
    "explain_value",
    "is_terminal",
    "open_case",
    "parse_webhook",
    "running_deadlines",
    "shipping_check",
    "verify_signature",
    "views",
]

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
