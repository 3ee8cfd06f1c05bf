"""Bringing local cases up to the platform's state: reconciliation of records with cases.

The platform is the system of record, but its reports arrive late, twice, out
of order, or skip steps (a poll every 15 minutes misses intermediate states).
[`reconcile`][tiktok_aftersales.sync.reconcile] compares one case with one snapshot and says what
happened:

- ``NOTHING_NEW``: same state (a duplicate delivery, or nothing changed);
- ``STALE``: older than what the case has seen: ignored;
- ``ADVANCED``: the shortest legal sequence of lifecycle events from the local
  state to the platform's was applied, each step attributed to an actor who
  could have fired it;
- ``CONFLICT``: no legal path (e.g. complete going back to pending): nothing
  applied, both sides reported;
- ``UNMAPPED``: the platform sent a value no vocabulary knows: the case is
  marked for review, nothing else changes;
- ``NEW``: no local case yet: one is opened in the platform's state.

Paths are searched over the declaration itself (the pure engine is asked,
step by step), so sync can never take a step the lifecycle does not allow.
"""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from .batches import (
        SyncReport,
        order_records,
        sync_page,
    )
    from .grouping import (
        RequestGroup,
        group_requests,
    )
    from .model import (
        Outcome,
        PlatformState,
        Step,
        SyncResult,
        platform_state_of,
    )
    from .opening import (
        NewCase,
        open_from_snapshot,
        opener,
    )
    from .reconciling import (
        ACTOR_PREFERENCE,
        find_path,
        openings_for,
        reconcile,
    )

_EXPORTS = {
    "SyncReport": ".batches",
    "order_records": ".batches",
    "sync_page": ".batches",
    "RequestGroup": ".grouping",
    "group_requests": ".grouping",
    "Outcome": ".model",
    "PlatformState": ".model",
    "Step": ".model",
    "SyncResult": ".model",
    "platform_state_of": ".model",
    "NewCase": ".opening",
    "open_from_snapshot": ".opening",
    "opener": ".opening",
    "ACTOR_PREFERENCE": ".reconciling",
    "find_path": ".reconciling",
    "openings_for": ".reconciling",
    "reconcile": ".reconciling",
}
"""Each re-exported name and the module it is imported from on first use."""

__all__ = [
    "ACTOR_PREFERENCE",
    "NewCase",
    "Outcome",
    "PlatformState",
    "RequestGroup",
    "Step",
    "SyncReport",
    "SyncResult",
    "find_path",
    "group_requests",
    "open_from_snapshot",
    "opener",
    "openings_for",
    "order_records",
    "platform_state_of",
    "reconcile",
    "sync_page",
]

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
