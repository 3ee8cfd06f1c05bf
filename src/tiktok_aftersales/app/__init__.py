"""The application layer: ports, the service, in-memory fakes and the contract kit."""

from __future__ import annotations

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
