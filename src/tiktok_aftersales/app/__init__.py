"""The application layer: ports, the service, in-memory fakes and the contract kit."""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from .contracts import CaseStoreContract, InventoryContract, sample_case
    from .inbound import Delivery, IngestReport, WebhookSettings
    from .outbox import EFFECT_ROUTES, EffectHandler
    from .ports import (
        CaseExists,
        CaseStore,
        Clock,
        InventoryPort,
        NotificationLog,
        PlatformPort,
        StockItem,
        UnknownCase,
    )
    from .service import COMMAND_ID, AfterSalesService, Opener

_EXPORTS = {
    "CaseStoreContract": ".contracts",
    "InventoryContract": ".contracts",
    "sample_case": ".contracts",
    "Delivery": ".inbound",
    "IngestReport": ".inbound",
    "WebhookSettings": ".inbound",
    "EFFECT_ROUTES": ".outbox",
    "EffectHandler": ".outbox",
    "CaseExists": ".ports",
    "CaseStore": ".ports",
    "Clock": ".ports",
    "InventoryPort": ".ports",
    "NotificationLog": ".ports",
    "PlatformPort": ".ports",
    "StockItem": ".ports",
    "UnknownCase": ".ports",
    "COMMAND_ID": ".service",
    "AfterSalesService": ".service",
    "Opener": ".service",
}
"""Each re-exported name and the module it is imported from on first use."""

__all__ = [
    "COMMAND_ID",
    "EFFECT_ROUTES",
    "AfterSalesService",
    "CaseExists",
    "CaseStore",
    "CaseStoreContract",
    "Clock",
    "Delivery",
    "EffectHandler",
    "IngestReport",
    "InventoryContract",
    "InventoryPort",
    "NotificationLog",
    "Opener",
    "PlatformPort",
    "StockItem",
    "UnknownCase",
    "WebhookSettings",
    "sample_case",
]

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
