"""In-memory async ports: the in-memory fakes behind the async adapters, for asyncio tests.

[`async_in_memory_service`][tiktok_aftersales.app.async_testing.async_in_memory_service]
wires the fakes of [`tiktok_aftersales.app.testing`][tiktok_aftersales.app.testing]
into an [`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService]
through the adapters of [`tiktok_aftersales.app.async_ports`][tiktok_aftersales.app.async_ports]:
every port call hands control back to the event loop, so concurrent tasks
interleave as they would on a real database, and a test reads the same
[`InMemoryPorts`][tiktok_aftersales.app.testing.InMemoryPorts] it reads for the
synchronous service.

To check a host's own async store against the port's promises, run the
[`CaseStoreContract`][tiktok_aftersales.app.testing.CaseStoreContract] on it through
[`BlockingCaseStore`][tiktok_aftersales.app.async_testing.BlockingCaseStore]::

    class TestMyAsyncStore(CaseStoreContract):
        def make_store(self):
            return BlockingCaseStore(MyAsyncStore(...))

>>> import asyncio
>>> service, ports = async_in_memory_service()
>>> asyncio.run(service.tick())
()
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.effects import EffectKind
from .async_ports import (
    AsyncCaseStore,
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

__all__ = ["BlockingCaseStore", "async_in_memory_service", "async_service_on"]


R = TypeVar("R")


class BlockingCaseStore:
    """An [`AsyncCaseStore`][tiktok_aftersales.app.async_ports.AsyncCaseStore] answering
    synchronously, on one event loop of its own: what the contract kit checks.

    Every call runs on the same loop, so a store whose connections belong to
    the loop that opened them keeps working. Call ``close`` when done.

    Args:
        store: The async store (kept as ``store``).

    """  # noqa: D205 - the summary names the wrapped protocol with its link

    def __init__(self, store: AsyncCaseStore) -> None:
        self.store = store
        self._runner = asyncio.Runner()

    def _run(self, call: Coroutine[Any, Any, R]) -> R:
        return self._runner.run(call)

    def close(self) -> None:
        """Close the loop."""
        self._runner.close()

    def get(self, case_id: str) -> AfterSalesCase:
        """``await store.get(case_id)``."""
        return self._run(self.store.get(case_id))

    def add(self, case: AfterSalesCase, *, order_version: int | None = None) -> None:
        """``await store.add(case, order_version=...)``."""
        self._run(self.store.add(case, order_version=order_version))

    def save(
        self, case: AfterSalesCase, expected_version: int, *, order_version: int | None = None
    ) -> None:
        """``await store.save(case, expected_version, order_version=...)``."""
        self._run(self.store.save(case, expected_version, order_version=order_version))

    def case_ids(self) -> Iterable[str]:
        """``await store.case_ids()``."""
        return self._run(self.store.case_ids())

    def find_by_platform_id(self, platform_id: str) -> AfterSalesCase | None:
        """``await store.find_by_platform_id(platform_id)``."""
        return self._run(self.store.find_by_platform_id(platform_id))

    def cases_of_order(self, order_id: str) -> tuple[AfterSalesCase, ...]:
        """``await store.cases_of_order(order_id)``."""
        return self._run(self.store.cases_of_order(order_id))

    def order_version(self, order_id: str) -> int:
        """``await store.order_version(order_id)``."""
        return self._run(self.store.order_version(order_id))


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
        opener: How to open cases for records of requests the store does not hold.
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
