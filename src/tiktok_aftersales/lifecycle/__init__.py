"""The declared lifecycle and everything derived from it.

- :mod:`.table` holds the declaration (:data:`LIFECYCLES`), the one source.
- :mod:`.declaration` defines its vocabulary (transitions, events, guards).
- :mod:`.engine` is the pure path: :func:`apply`, :func:`allowed_events`,
  :func:`dry_run`, :func:`open_case`.
- :mod:`.machine` builds one shared ``transitions`` machine per type, checks
  the declaration, and binds hosts' mutable objects.
"""

from __future__ import annotations

from .declaration import (
    EVENTS,
    NOT_IN_ARBITRATION,
    PREDICATES,
    EffectSpec,
    EventSpec,
    Lifecycle,
    Predicate,
    Transition,
)
from .engine import (
    AllowedEvent,
    Preview,
    allowed_events,
    apply,
    can_fire,
    choose_transition,
    dry_run,
    lifecycle,
    open_case,
)
from .machine import CaseModel, check_all, check_lifecycle, machine, machine_decides
from .table import HUMAN_ONLY_ARBITRATION, LIFECYCLES

__all__ = [
    "EVENTS",
    "HUMAN_ONLY_ARBITRATION",
    "LIFECYCLES",
    "NOT_IN_ARBITRATION",
    "PREDICATES",
    "AllowedEvent",
    "CaseModel",
    "EffectSpec",
    "EventSpec",
    "Lifecycle",
    "Predicate",
    "Preview",
    "Transition",
    "allowed_events",
    "apply",
    "can_fire",
    "check_all",
    "check_lifecycle",
    "choose_transition",
    "dry_run",
    "lifecycle",
    "machine",
    "machine_decides",
    "open_case",
]
