"""Sync's vocabulary: outcomes, the platform's state, what a snapshot must offer, results."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import (
    Actor,
    Arbitration,
    RequestType,
    State,
)
from ..errors import AfterSalesError
from ..platform.record import PlatformRecord

__all__ = [
    "Outcome",
    "PlatformState",
    "Step",
    "SyncResult",
    "count_outcomes",
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
    IGNORED = "ignored"
    """A delivery that is not about an after-sales request (another webhook type)."""
    DUPLICATE = "duplicate"
    """A delivery whose notification id was seen before: nothing done."""
    REFUSED = "refused"
    """The record could not be read or applied; ``error`` says why, and the
    record is kept for a later re-fetch (never dropped)."""


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
        record: The record as read, when it could be read.
        error: Why a ``REFUSED`` record was refused.
    """

    outcome: Outcome
    case: AfterSalesCase | None
    previous: AfterSalesCase | None
    path: tuple[Step, ...] = ()
    local_state: State | None = None
    platform: PlatformState | None = None
    detail: str = ""
    record: PlatformRecord | None = None
    error: AfterSalesError | None = None

    @property
    def changed(self) -> bool:
        """Whether the case differs from before (store it when true)."""
        return self.case is not None and self.case is not self.previous


def count_outcomes(items: Iterable[Any]) -> Mapping[Outcome, int]:
    """How many of ``items`` (anything with an ``outcome``) had each outcome, zeros included."""
    out = dict.fromkeys(Outcome, 0)
    for item in items:
        out[item.outcome] += 1
    return out


def platform_state_of(record: PlatformRecord) -> PlatformState | None:
    """The canonical state a platform record reports (``None``: unmapped or ambiguous)."""
    if record.request_type is None or not record.states:
        return None
    return PlatformState(record.request_type, record.states, record.arbitration)
