"""The application layer: ports, the service, in-memory fakes and the contract kit."""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
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

_EXPORTS = {
    "CaseExists": ".ports",
    "CaseStore": ".ports",
    "Clock": ".ports",
    "Decision": ".ports",
    "InventoryPort": ".ports",
    "PlatformPort": ".ports",
    "StockItem": ".ports",
    "UnknownCase": ".ports",
    "COMMAND_ID": ".service",
    "EFFECT_ROUTES": ".service",
    "AfterSalesService": ".service",
    "DispatchFailed": ".service",
    "DuplicateCommand": ".service",
    "EffectHandler": ".service",
    "PlatformCallFailed": ".service",
    "Reconcile": ".service",
    "TickFailed": ".service",
    "CaseStoreContract": ".testing",
    "FixedClock": ".testing",
    "InMemoryCaseStore": ".testing",
    "InMemoryInventory": ".testing",
    "InMemoryPlatform": ".testing",
    "InMemoryPorts": ".testing",
    "InventoryContract": ".testing",
    "ManualClock": ".testing",
    "PortDown": ".testing",
    "in_memory_service": ".testing",
    "sample_case": ".testing",
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

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
