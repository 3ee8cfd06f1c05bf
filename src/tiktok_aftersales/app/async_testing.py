"""In-memory async ports: the in-memory fakes behind the async adapters, for asyncio tests.

[`async_in_memory_service`][tiktok_aftersales.app.async_testing.async_in_memory_service]
wires the fakes of [`tiktok_aftersales.app.testing`][tiktok_aftersales.app.testing]
into an [`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
through the adapters of [`tiktok_aftersales.app.async_ports`][tiktok_aftersales.app.async_ports]:
every port call hands control back to the event loop, so concurrent tasks
interleave as they would on a real database, and a test reads the same
[`InMemoryPorts`][tiktok_aftersales.app.testing.InMemoryPorts] it reads for the
synchronous service.

>>> import asyncio
>>> service, ports = async_in_memory_service()
>>> asyncio.run(service.tick())
()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.effects import EffectKind
from .async_ports import (
    AsyncCaseStoreAdapter,
    AsyncInventoryAdapter,
    AsyncNotificationLogAdapter,
    AsyncPlatformAdapter,
)
from .async_service import AsyncAfterSalesService
from .inbound import WebhookSettings
from .orchestration import Opener
from .outbox import EffectHandler
from .testing import (
    InMemoryCaseStore,
    InMemoryInventory,
    InMemoryPlatform,
    InMemoryPorts,
    ManualClock,
)

__all__ = ["async_in_memory_service", "async_service_on"]


def async_service_on(
    ports: InMemoryPorts,
    *,
    policy: Policy = DEFAULT_POLICY,
    webhooks: WebhookSettings | None = None,
    opener: Opener | None = None,
    handlers: Mapping[EffectKind, EffectHandler] | None = None,
    max_attempts: int = 3,
) -> AsyncAfterSalesService:
    """An async service on existing in-memory ports (each wrapped in its async adapter).

    Args:
        ports: The fakes.
        policy: The deadline policy.
        webhooks: The webhook settings ``receive`` checks with.
        opener: How to open cases for records of unknown requests.
        handlers: Effect kind to a handler replacing the default route.
        max_attempts: Attempts per update on version conflicts.

    """
    return AsyncAfterSalesService(
        AsyncCaseStoreAdapter(ports.store),
        AsyncPlatformAdapter(ports.platform),
        AsyncInventoryAdapter(ports.inventory),
        ports.clock,
        AsyncNotificationLogAdapter(ports.notifications),
        policy=policy,
        webhooks=webhooks,
        opener=opener,
        handlers=handlers,
        max_attempts=max_attempts,
    )


def async_in_memory_service(
    *,
    start: datetime | None = None,
    available: Mapping[str, int] | None = None,
    allocated: Mapping[str, int] | None = None,
    policy: Policy = DEFAULT_POLICY,
    webhooks: WebhookSettings | None = None,
    opener: Opener | None = None,
    max_attempts: int = 3,
) -> tuple[AsyncAfterSalesService, InMemoryPorts]:
    """Build an async service on in-memory ports; returns it and the (synchronous) fakes.

    The arguments are those of
    [`in_memory_service`][tiktok_aftersales.app.testing.in_memory_service].
    """
    ports = InMemoryPorts(
        InMemoryCaseStore(),
        InMemoryPlatform(),
        InMemoryInventory(available, allocated),
        ManualClock(start or datetime(2026, 3, 2, 9, tzinfo=UTC)),
    )
    service = async_service_on(
        ports, policy=policy, webhooks=webhooks, opener=opener, max_attempts=max_attempts
    )
    return service, ports
