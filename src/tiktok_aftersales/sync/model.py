"""Sync's vocabulary: outcomes, the platform's state, what a snapshot must offer, results."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import (
    Actor,
    Arbitration,
    RequestType,
    State,
)

__all__ = [
    "Outcome",
    "PlatformState",
    "SnapshotLike",
    "Step",
    "SyncResult",
    "platform_state_of",
]


class Outcome(enum.StrEnum):
    """What reconciling one case with one snapshot did."""

    NOTHING_NEW = "nothing_new"
    STALE = "stale"
    ADVANCED = "advanced"
    CONFLICT = "conflict"
    UNMAPPED = "unmapped"
    NEW = "new"


@attrs.frozen
class PlatformState:
    """Where the platform says a request is, in canonical terms.

    Attributes:
        request_type: The request type the platform reports.
        states: Every canonical state the platform's value can mean (the
            platform is coarser: ``BUYER_SHIPPED_ITEM`` is in transit or
            delivered).
        arbitration: The arbitration sub-state reported, or ``None`` when the
            platform said nothing about it.
    """

    request_type: RequestType
    states: frozenset[State]
    arbitration: Arbitration | None = None


@runtime_checkable
class SnapshotLike(Protocol):
    """What sync needs from a parsed platform record or webhook.

    The snapshots of [`tiktok_aftersales.platform`][tiktok_aftersales.platform] satisfy it; a host
    may pass anything with these attributes. The canonical reading comes from
    [`platform_state_of`][tiktok_aftersales.sync.platform_state_of]: a ``platform_state`` attribute,
        or
    ``request_type``, ``states`` and ``arbitration``.
    """

    @property
    def platform_id(self) -> str:
        """The platform's id of the request (return, cancel or reverse order id)."""
        ...

    @property
    def order_id(self) -> str:
        """The order."""
        ...

    @property
    def update_time(self) -> datetime | None:
        """When the platform last changed the record (``None`` when not given)."""
        ...

    @property
    def unmapped(self) -> tuple[str, ...]:
        """Fields whose values no vocabulary knows (tolerant parsing)."""
        ...


@attrs.frozen
class Step:
    """One inferred lifecycle event on a sync path."""

    event: str
    actor: Actor
    actors: tuple[Actor, ...]
    """Every actor who could have fired it (the platform does not say who did)."""


@attrs.frozen
class SyncResult:
    """The outcome of reconciling one case with one snapshot.

    Attributes:
        outcome: What happened.
        case: The case after reconciling (the input case when nothing was
            applied; ``None`` only for a conflict or unmapped snapshot of an
            unknown case).
        previous: The case before (``None`` for ``NEW``).
        path: The events applied (``ADVANCED``, ``NEW``).
        local_state: The local state before.
        platform: The platform's state as read.
        detail: A sentence for the log.
    """

    outcome: Outcome
    case: AfterSalesCase | None
    previous: AfterSalesCase | None
    path: tuple[Step, ...] = ()
    local_state: State | None = None
    platform: PlatformState | None = None
    detail: str = ""

    @property
    def changed(self) -> bool:
        """Whether the case differs from before (store it when true)."""
        return self.case is not None and self.case is not self.previous


def platform_state_of(snapshot: object) -> PlatformState | None:
    """Read a snapshot's canonical state: its ``platform_state``, or build one.

    The codec's snapshots give ``request_type``, ``states`` and ``arbitration``;
    a host's own objects may give a ready [`PlatformState`][tiktok_aftersales.sync.PlatformState] as
    ``platform_state``. ``None`` means the snapshot could not be read
    (unmapped or ambiguous).
    """
    given = getattr(snapshot, "platform_state", None)
    if isinstance(given, PlatformState):
        return given
    kind = getattr(snapshot, "request_type", None)
    states = getattr(snapshot, "states", None)
    if not isinstance(kind, RequestType) or not states:
        return None
    arbitration = getattr(snapshot, "arbitration", None)
    return PlatformState(
        kind, frozenset(states), arbitration if isinstance(arbitration, Arbitration) else None
    )
