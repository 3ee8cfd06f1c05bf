"""Bringing local cases up to the platform's state: reconciliation of records with cases."""

from __future__ import annotations

from .core import (
    ACTOR_PREFERENCE,
    DeliveryResult,
    NewCase,
    Outcome,
    PlatformState,
    RequestGroup,
    SnapshotLike,
    Step,
    StreamReport,
    SyncReport,
    SyncResult,
    find_path,
    group_requests,
    open_from_snapshot,
    opener,
    platform_state_of,
    reconcile,
    reconcile_webhooks,
    sync_page,
)

__all__ = [
    "ACTOR_PREFERENCE",
    "DeliveryResult",
    "NewCase",
    "Outcome",
    "PlatformState",
    "RequestGroup",
    "SnapshotLike",
    "Step",
    "StreamReport",
    "SyncReport",
    "SyncResult",
    "find_path",
    "group_requests",
    "open_from_snapshot",
    "opener",
    "platform_state_of",
    "reconcile",
    "reconcile_webhooks",
    "sync_page",
]
