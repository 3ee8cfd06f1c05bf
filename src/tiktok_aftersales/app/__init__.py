"""The application layer: ports, the service, in-memory fakes and the contract kit."""

from __future__ import annotations

from .ports import (
    CaseExists,
    CaseStore,
    Clock,
    Decision,
    InventoryPort,
    PlatformPort,
    StockItem,
    UnknownCase,
)
from .service import (
    COMMAND_ID,
    EFFECT_ROUTES,
    AfterSalesService,
    DispatchFailed,
    DuplicateCommand,
    EffectHandler,
    PlatformCallFailed,
    Reconcile,
    TickFailed,
)
from .testing import (
    CaseStoreContract,
    FixedClock,
    InMemoryCaseStore,
    InMemoryInventory,
    InMemoryPlatform,
    InMemoryPorts,
    InventoryContract,
    ManualClock,
    PortDown,
    in_memory_service,
    sample_case,
)

__all__ = [
    "COMMAND_ID",
    "EFFECT_ROUTES",
    "AfterSalesService",
    "CaseExists",
    "CaseStore",
    "CaseStoreContract",
    "Clock",
    "Decision",
    "DispatchFailed",
    "DuplicateCommand",
    "EffectHandler",
    "FixedClock",
    "InMemoryCaseStore",
    "InMemoryInventory",
    "InMemoryPlatform",
    "InMemoryPorts",
    "InventoryContract",
    "InventoryPort",
    "ManualClock",
    "PlatformCallFailed",
    "PlatformPort",
    "PortDown",
    "Reconcile",
    "StockItem",
    "TickFailed",
    "UnknownCase",
    "in_memory_service",
    "sample_case",
]
