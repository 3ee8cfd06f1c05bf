"""The application layer: ports, the service, in-memory fakes and the contract kit."""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from .async_ports import (
        AsyncCaseStore,
        AsyncCaseStoreAdapter,
        AsyncInventoryAdapter,
        AsyncInventoryPort,
        AsyncNotificationLog,
        AsyncNotificationLogAdapter,
        AsyncPlatformAdapter,
        AsyncPlatformPort,
    )
    from .async_service import AsyncAfterSalesService
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
    from .service_contract import ServiceContract
    from .steps import Step, run_steps, run_steps_async

_EXPORTS = {
    "AsyncCaseStore": ".async_ports",
    "AsyncCaseStoreAdapter": ".async_ports",
    "AsyncInventoryAdapter": ".async_ports",
    "AsyncInventoryPort": ".async_ports",
    "AsyncNotificationLog": ".async_ports",
    "AsyncNotificationLogAdapter": ".async_ports",
    "AsyncPlatformAdapter": ".async_ports",
    "AsyncPlatformPort": ".async_ports",
    "AsyncAfterSalesService": ".async_service",
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
    "ServiceContract": ".service_contract",
    "Step": ".steps",
    "run_steps": ".steps",
    "run_steps_async": ".steps",
}
"""Each re-exported name and the module it is imported from on first use."""

__all__ = [
    "COMMAND_ID",
    "EFFECT_ROUTES",
    "AfterSalesService",
    "AsyncAfterSalesService",
    "AsyncCaseStore",
    "AsyncCaseStoreAdapter",
    "AsyncInventoryAdapter",
    "AsyncInventoryPort",
    "AsyncNotificationLog",
    "AsyncNotificationLogAdapter",
    "AsyncPlatformAdapter",
    "AsyncPlatformPort",
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
    "ServiceContract",
    "Step",
    "StockItem",
    "UnknownCase",
    "WebhookSettings",
    "run_steps",
    "run_steps_async",
    "sample_case",
]

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
